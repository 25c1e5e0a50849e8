//! Backpropagation of one sample on the stack: the steps the generated
//! `add_sample_gradient` takes per layer. Nothing here needs batch buffers or an
//! allocator, so a network trains without `alloc` (see
//! [`Network::gradients_with`](crate::Network::gradients_with) in a by-sample workspace).

use crate::dense::Dense;
use crate::init::Uniform;
use crate::real::Real;
use nalgebra::SVector;

/// An inverted-dropout mask for one sample's `N` units when `rng` is given
/// (training): each unit kept with probability `1 - rate` and scaled by
/// `1 / (1 - rate)`. `None` without `rng` (inference: every unit passes).
#[inline]
pub fn dropout_mask<T: Real, const N: usize>(
    rate: f64,
    rng: Option<&mut Uniform>,
) -> Option<SVector<T, N>> {
    let rng = rng?;
    let keep = T::of(1.0 / (1.0 - rate));
    Some(SVector::from_fn(|_, _| {
        if rng.unit() < rate { T::ZERO } else { keep }
    }))
}

/// `v * mask` unit by unit, or `v` without a mask: a layer's output after dropout
/// going forward, and `dL/d(output)` turned into `dL/da` going back.
#[inline]
pub fn masked<T: Real, const N: usize>(
    v: &SVector<T, N>,
    mask: &Option<SVector<T, N>>,
) -> SVector<T, N> {
    match mask {
        Some(m) => v.component_mul(m),
        None => *v,
    }
}

/// Adds one sample's contribution to a layer's gradient: `dW += delta x^T`,
/// `db += delta`.
#[inline]
pub fn add_dense_gradient<T: Real, const IN: usize, const OUT: usize>(
    grad: &mut Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
    delta: &SVector<T, OUT>,
) {
    grad.weight.ger(T::ONE, delta, x, T::ONE);
    grad.bias += delta;
}

/// `dL/dx = W^T delta`: the gradient passed to the layer before.
#[inline]
pub fn input_gradient<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    delta: &SVector<T, OUT>,
) -> SVector<T, IN> {
    layer.weight.tr_mul(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_is_the_outer_product_and_the_input_gradient_the_transpose() {
        let layer = Dense::<f64, 3, 2>::from_arrays(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], &[0.0; 2]);
        let mut grad = Dense::<f64, 3, 2>::zeros();
        let (x, d) = (SVector::from([1.0, -1.0, 2.0]), SVector::from([0.5, -2.0]));
        add_dense_gradient(&mut grad, &x, &d);
        add_dense_gradient(&mut grad, &x, &d);
        assert_eq!(grad.weight[(0, 2)], 2.0);
        assert_eq!(grad.weight[(1, 1)], 4.0);
        assert_eq!(grad.bias, SVector::from([1.0, -4.0]));
        assert_eq!(
            input_gradient(&layer, &d),
            SVector::from([-7.5, -9.0, -10.5])
        );
    }

    #[test]
    fn masks_drop_at_the_rate_and_keep_the_expected_value() {
        let mut rng = Uniform::new(3);
        assert!(dropout_mask::<f64, 4>(0.5, None).is_none());
        let (mut dropped, mut sum) = (0, 0.0);
        for _ in 0..1000 {
            let m = dropout_mask::<f64, 4>(0.25, Some(&mut rng)).unwrap();
            dropped += m.iter().filter(|&&v| v == 0.0).count();
            sum += m.sum();
        }
        assert!((900..1100).contains(&dropped), "{dropped} of 4000 dropped");
        assert!(
            (sum / 4000.0 - 1.0).abs() < 0.05,
            "mean mask {}",
            sum / 4000.0
        );
        let v = SVector::from([1.0, 2.0]);
        assert_eq!(masked(&v, &None), v);
        assert_eq!(
            masked(&v, &Some(SVector::from([0.0, 2.0]))),
            SVector::from([0.0, 4.0])
        );
    }
}
