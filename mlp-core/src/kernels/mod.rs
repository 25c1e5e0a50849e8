//! The compute kernels the generated networks call, one call per layer step.
//!
//! Contract: a dense layer holds `W` with shape `(OUT, IN)` and `b` with `OUT`
//! entries; batches are feature-major ([`Batch`]). Every kernel is generic over the
//! layer's sizes, so the compiler sees the exact loop bounds of each layer.

use crate::batch::Batch;
use crate::dense::Dense;
use crate::real::Real;
use nalgebra::SVector;

/// `z = W x + b` for every sample of `x`.
#[inline]
pub fn dense_forward<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    x: &Batch<T, IN>,
    z: &mut Batch<T, OUT>,
) {
    z.set_len(x.len());
    for o in 0..OUT {
        let zo = z.feature_mut(o);
        zo.fill(layer.bias[o]);
        for i in 0..IN {
            let w = layer.weight[(o, i)];
            for (z, &x) in zo.iter_mut().zip(x.feature(i)) {
                *z += w * x;
            }
        }
    }
}

/// `z = W x + b` for one sample: the batch-1 path.
#[inline]
pub fn dense_vector<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
) -> SVector<T, OUT> {
    let mut z = layer.bias;
    for i in 0..IN {
        z.axpy(x[i], &layer.weight.column(i), T::one());
    }
    z
}

/// Adds this batch's contribution to the layer's gradient:
/// `dW += delta x^T`, `db += sum over samples of delta`.
#[inline]
pub fn dense_gradient<T: Real, const IN: usize, const OUT: usize>(
    grad: &mut Dense<T, IN, OUT>,
    x: &Batch<T, IN>,
    delta: &Batch<T, OUT>,
) {
    for o in 0..OUT {
        let d = delta.feature(o);
        let mut db = T::zero();
        for &v in d {
            db += v;
        }
        grad.bias[o] += db;
        for i in 0..IN {
            let mut dw = T::zero();
            for (&d, &x) in d.iter().zip(x.feature(i)) {
                dw += d * x;
            }
            grad.weight[(o, i)] += dw;
        }
    }
}

/// `dL/dx = W^T delta` for every sample: the gradient passed to the previous layer.
#[inline]
pub fn dense_input_gradient<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    delta: &Batch<T, OUT>,
    grad_x: &mut Batch<T, IN>,
) {
    grad_x.set_len(delta.len());
    for i in 0..IN {
        let gi = grad_x.feature_mut(i);
        gi.fill(T::zero());
        for o in 0..OUT {
            let w = layer.weight[(o, i)];
            for (g, &d) in gi.iter_mut().zip(delta.feature(o)) {
                *g += w * d;
            }
        }
    }
}
