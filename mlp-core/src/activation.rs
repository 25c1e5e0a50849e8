//! Activation functions: the formula of each, its derivative, and how layers
//! that use it are initialised.
//!
//! Every activation is a small value type (`Sigmoid`, `LeakyRelu { slope }`, ...).
//! The elementwise ones implement [`Elementwise`] (`f` and `df`); [`Softmax`]
//! couples the outputs of a layer and implements [`Activation`] directly.

#[cfg(feature = "alloc")]
use crate::batch::Batch;
use crate::real::Real;
use crate::simd::Lanes;
use nalgebra::SVector;

/// How the weights of a layer are drawn when a network is initialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitScheme {
    /// Glorot/Xavier uniform: `U(-l, l)`, `l = sqrt(6 / (fan_in + fan_out))`.
    /// For sigmoid, tanh, linear and softmax layers.
    Glorot,
    /// He/Kaiming uniform: `U(-l, l)`, `l = sqrt(6 / fan_in)`. For the relu family.
    He,
}

/// The activation of a layer: `a = act(z)` and the backward map `dL/da -> dL/dz`.
pub trait Activation: Copy {
    /// The DSL name (`"sigmoid"`, `"leaky_relu"`, ...).
    const NAME: &'static str;
    /// How layers with this activation are initialised.
    const INIT: InitScheme;

    /// `a = act(z)` for one sample.
    fn forward<T: Real, const N: usize>(&self, z: &SVector<T, N>) -> SVector<T, N>;

    /// `dL/dz` from `dL/da` for one sample, given the `z` and `a` of the forward pass.
    fn backward<T: Real, const N: usize>(
        &self,
        z: &SVector<T, N>,
        a: &SVector<T, N>,
        grad_a: &SVector<T, N>,
    ) -> SVector<T, N>;

    /// `a = act(z)` for every sample of a batch.
    #[cfg(feature = "alloc")]
    fn forward_batch<T: Real, const N: usize>(&self, z: &Batch<T, N>, a: &mut Batch<T, N>);

    /// Turns `dL/da` in `delta` into `dL/dz`, in place, for every sample of a batch.
    #[cfg(feature = "alloc")]
    fn backward_batch<T: Real, const N: usize>(
        &self,
        z: &Batch<T, N>,
        a: &Batch<T, N>,
        delta: &mut Batch<T, N>,
    );
}

/// An activation applied to each neuron on its own.
pub trait Elementwise: Copy {
    /// The DSL name.
    const NAME: &'static str;
    /// How layers with this activation are initialised.
    const INIT: InitScheme;

    /// `act(z)`.
    fn f<T: Real>(&self, z: T) -> T;

    /// `act'(z)`, given `z` and `a = act(z)` (whichever is cheaper to use).
    fn df<T: Real>(&self, z: T, a: T) -> T;

    /// [`Elementwise::f`] on every lane.
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes;

    /// [`Elementwise::df`] on every lane.
    fn df_lanes<T: Real>(&self, z: T::Lanes, a: T::Lanes) -> T::Lanes;
}

/// `x` in every lane.
#[inline(always)]
fn splat<T: Real>(x: f64) -> T::Lanes {
    T::Lanes::splat(T::of(x))
}

impl<E: Elementwise> Activation for E {
    const NAME: &'static str = E::NAME;
    const INIT: InitScheme = E::INIT;

    /// Whole vectors of lanes, the last one padded: one vector `exp` or `tanh`
    /// costs a few scalar calls, so layers narrower than half a vector stay scalar.
    #[inline]
    fn forward<T: Real, const N: usize>(&self, z: &SVector<T, N>) -> SVector<T, N> {
        let lanes = T::Lanes::LANES;
        if 2 * N < lanes {
            return z.map(|v| self.f(v));
        }
        let mut a = *z;
        let full = N / lanes * lanes;
        let out = a.as_mut_slice();
        for o in (0..full).step_by(lanes) {
            self.f_lanes::<T>(T::Lanes::load(out, o)).store(out, o);
        }
        if full < N {
            let mut tail = [T::ZERO; 16];
            tail[..N - full].copy_from_slice(&out[full..]);
            self.f_lanes::<T>(T::Lanes::load(&tail, 0))
                .store(&mut tail, 0);
            out[full..].copy_from_slice(&tail[..N - full]);
        }
        a
    }

    #[inline]
    fn backward<T: Real, const N: usize>(
        &self,
        z: &SVector<T, N>,
        a: &SVector<T, N>,
        grad_a: &SVector<T, N>,
    ) -> SVector<T, N> {
        SVector::from_fn(|i, _| grad_a[i] * self.df(z[i], a[i]))
    }

    #[inline]
    #[cfg(feature = "alloc")]
    fn forward_batch<T: Real, const N: usize>(&self, z: &Batch<T, N>, a: &mut Batch<T, N>) {
        a.set_len(z.len());
        let lanes = T::Lanes::LANES;
        for f in 0..N {
            let (z, a) = (z.feature_padded(f), a.feature_padded_mut(f));
            for s in (0..z.len()).step_by(lanes) {
                self.f_lanes::<T>(T::Lanes::load(z, s)).store(a, s);
            }
        }
    }

    #[inline]
    #[cfg(feature = "alloc")]
    fn backward_batch<T: Real, const N: usize>(
        &self,
        z: &Batch<T, N>,
        a: &Batch<T, N>,
        delta: &mut Batch<T, N>,
    ) {
        let lanes = T::Lanes::LANES;
        for f in 0..N {
            let (z, a, d) = (
                z.feature_padded(f),
                a.feature_padded(f),
                delta.feature_padded_mut(f),
            );
            for s in (0..z.len()).step_by(lanes) {
                let df = self.df_lanes::<T>(T::Lanes::load(z, s), T::Lanes::load(a, s));
                (T::Lanes::load(d, s) * df).store(d, s);
            }
        }
    }
}

/// Logistic sigmoid `1 / (1 + e^-z)`; derivative `a (1 - a)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

impl Elementwise for Sigmoid {
    const NAME: &'static str = "sigmoid";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        sigmoid(z)
    }

    #[inline]
    fn df<T: Real>(&self, _z: T, a: T) -> T {
        a * (T::one() - a)
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        let one = T::Lanes::splat(T::ONE);
        one.div(one + (-z).exp_fast())
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, _z: T::Lanes, a: T::Lanes) -> T::Lanes {
        a * (T::Lanes::splat(T::ONE) - a)
    }
}

/// `1 / (1 + e^-z)` without overflow: `e^z / (1 + e^z)` for negative `z`.
#[inline]
pub(crate) fn sigmoid<T: Real>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::one() + e)
    }
}

/// Hyperbolic tangent; derivative `1 - a^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Elementwise for Tanh {
    const NAME: &'static str = "tanh";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        z.tanh()
    }

    #[inline]
    fn df<T: Real>(&self, _z: T, a: T) -> T {
        T::one() - a * a
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        z.tanh_fast()
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, _z: T::Lanes, a: T::Lanes) -> T::Lanes {
        T::Lanes::splat(T::ONE) - a * a
    }
}

/// `max(0, z)`; derivative 1 for `z > 0`, else 0 (so `relu'(0) = 0`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Elementwise for Relu {
    const NAME: &'static str = "relu";
    const INIT: InitScheme = InitScheme::He;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        if z > T::zero() { z } else { T::zero() }
    }

    #[inline]
    fn df<T: Real>(&self, z: T, _a: T) -> T {
        if z > T::zero() { T::one() } else { T::zero() }
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        let zero = T::Lanes::splat(T::ZERO);
        z.gt_select(zero, z, zero)
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, z: T::Lanes, _a: T::Lanes) -> T::Lanes {
        let zero = T::Lanes::splat(T::ZERO);
        z.gt_select(zero, T::Lanes::splat(T::ONE), zero)
    }
}

/// `z` for `z > 0`, else `slope * z`; derivative 1 or `slope` (at 0: `slope`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The gradient for negative inputs; 0.01 when the DSL gives none.
    pub slope: f64,
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self { slope: 0.01 }
    }
}

impl Elementwise for LeakyRelu {
    const NAME: &'static str = "leaky_relu";
    const INIT: InitScheme = InitScheme::He;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        if z > T::zero() {
            z
        } else {
            T::of(self.slope) * z
        }
    }

    #[inline]
    fn df<T: Real>(&self, z: T, _a: T) -> T {
        if z > T::zero() {
            T::one()
        } else {
            T::of(self.slope)
        }
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        let zero = T::Lanes::splat(T::ZERO);
        z.gt_select(zero, z, splat::<T>(self.slope) * z)
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, z: T::Lanes, _a: T::Lanes) -> T::Lanes {
        let zero = T::Lanes::splat(T::ZERO);
        z.gt_select(zero, T::Lanes::splat(T::ONE), splat::<T>(self.slope))
    }
}

/// The identity; derivative 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Linear;

impl Elementwise for Linear {
    const NAME: &'static str = "linear";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        z
    }

    #[inline]
    fn df<T: Real>(&self, _z: T, _a: T) -> T {
        T::one()
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        z
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, _z: T::Lanes, _a: T::Lanes) -> T::Lanes {
        T::Lanes::splat(T::ONE)
    }
}

/// `z` for `z > 0`, else `alpha (e^z - 1)`; derivative 1 or `a + alpha` (at 0: `alpha`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elu {
    /// The negative saturation value; 1.0 when the DSL gives none.
    pub alpha: f64,
}

impl Default for Elu {
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl Elementwise for Elu {
    const NAME: &'static str = "elu";
    const INIT: InitScheme = InitScheme::He;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        if z > T::zero() {
            z
        } else {
            T::of(self.alpha) * z.exp_m1()
        }
    }

    #[inline]
    fn df<T: Real>(&self, z: T, a: T) -> T {
        if z > T::zero() {
            T::one()
        } else {
            a + T::of(self.alpha)
        }
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        let zero = T::Lanes::splat(T::ZERO);
        z.gt_select(zero, z, splat::<T>(self.alpha) * z.exp_m1())
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, z: T::Lanes, a: T::Lanes) -> T::Lanes {
        let zero = T::Lanes::splat(T::ZERO);
        z.gt_select(zero, T::Lanes::splat(T::ONE), a + splat::<T>(self.alpha))
    }
}

/// `ln(1 + e^z)`, computed as `max(z, 0) + ln(1 + e^-|z|)`; derivative `sigmoid(z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softplus;

impl Elementwise for Softplus {
    const NAME: &'static str = "softplus";
    const INIT: InitScheme = InitScheme::He;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        z.max(T::zero()) + (-z.abs()).exp().ln_1p()
    }

    #[inline]
    fn df<T: Real>(&self, z: T, _a: T) -> T {
        sigmoid(z)
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        z.max(T::Lanes::splat(T::ZERO)) + (-z.abs()).exp_fast().ln_1p()
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, z: T::Lanes, _a: T::Lanes) -> T::Lanes {
        let one = T::Lanes::splat(T::ONE);
        one.div(one + (-z).exp_fast())
    }
}

/// GELU, tanh approximation: `0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gelu;

const GELU_C: f64 = 0.797_884_560_802_865_4; // sqrt(2 / pi)
const GELU_K: f64 = 0.044_715;

impl Elementwise for Gelu {
    const NAME: &'static str = "gelu";
    const INIT: InitScheme = InitScheme::He;

    #[inline]
    fn f<T: Real>(&self, z: T) -> T {
        let u = T::of(GELU_C) * (z + T::of(GELU_K) * z * z * z);
        T::of(0.5) * z * (T::one() + u.tanh())
    }

    #[inline]
    fn df<T: Real>(&self, z: T, _a: T) -> T {
        let u = T::of(GELU_C) * (z + T::of(GELU_K) * z * z * z);
        let t = u.tanh();
        let du = T::of(GELU_C) * (T::one() + T::of(3.0 * GELU_K) * z * z);
        T::of(0.5) * (T::one() + t) + T::of(0.5) * z * (T::one() - t * t) * du
    }

    #[inline(always)]
    fn f_lanes<T: Real>(&self, z: T::Lanes) -> T::Lanes {
        let u = splat::<T>(GELU_C) * z.mul_add(splat::<T>(GELU_K) * z * z, z);
        splat::<T>(0.5) * z * (T::Lanes::splat(T::ONE) + u.tanh_fast())
    }

    #[inline(always)]
    fn df_lanes<T: Real>(&self, z: T::Lanes, _a: T::Lanes) -> T::Lanes {
        let u = splat::<T>(GELU_C) * z.mul_add(splat::<T>(GELU_K) * z * z, z);
        let t = u.tanh_fast();
        let one = T::Lanes::splat(T::ONE);
        let du = splat::<T>(GELU_C) * (splat::<T>(3.0 * GELU_K) * z).mul_add(z, one);
        let half = splat::<T>(0.5);
        half * (one + t) + half * z * (one - t * t) * du
    }
}

/// `softmax(z)_k = e^(z_k - m) / sum_j e^(z_j - m)` with `m = max z`; the outputs of a
/// layer sum to 1. Backward: `dL/dz = a * (g - <g, a>)` for `g = dL/da`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    const NAME: &'static str = "softmax";
    const INIT: InitScheme = InitScheme::Glorot;

    fn forward<T: Real, const N: usize>(&self, z: &SVector<T, N>) -> SVector<T, N> {
        let m = z.max();
        let e = z.map(|v| (v - m).exp());
        let sum = e.sum();
        e / sum
    }

    fn backward<T: Real, const N: usize>(
        &self,
        _z: &SVector<T, N>,
        a: &SVector<T, N>,
        grad_a: &SVector<T, N>,
    ) -> SVector<T, N> {
        let dot = grad_a.dot(a);
        SVector::from_fn(|i, _| a[i] * (grad_a[i] - dot))
    }

    /// Vectorised across samples: each lane is one sample's softmax.
    #[cfg(feature = "alloc")]
    fn forward_batch<T: Real, const N: usize>(&self, z: &Batch<T, N>, a: &mut Batch<T, N>) {
        a.set_len(z.len());
        let (lanes, stride, samples) = (T::Lanes::LANES, z.capacity(), z.padded_len());
        let (z, a) = (z.as_slice(), a.as_mut_slice());
        for s in (0..samples).step_by(lanes) {
            let mut m = T::Lanes::load(z, s);
            for k in 1..N {
                m = m.max(T::Lanes::load(z, k * stride + s));
            }
            let mut sum = T::Lanes::splat(T::ZERO);
            for k in 0..N {
                let e = (T::Lanes::load(z, k * stride + s) - m).exp_fast();
                e.store(a, k * stride + s);
                sum += e;
            }
            let inv = T::Lanes::splat(T::ONE).div(sum);
            for k in 0..N {
                (T::Lanes::load(a, k * stride + s) * inv).store(a, k * stride + s);
            }
        }
    }

    /// Vectorised across samples: `dL/dz = a * (g - <g, a>)` per lane.
    #[cfg(feature = "alloc")]
    fn backward_batch<T: Real, const N: usize>(
        &self,
        _z: &Batch<T, N>,
        a: &Batch<T, N>,
        delta: &mut Batch<T, N>,
    ) {
        let (lanes, stride, samples) = (T::Lanes::LANES, a.capacity(), a.padded_len());
        let (a, d) = (a.as_slice(), delta.as_mut_slice());
        for s in (0..samples).step_by(lanes) {
            let mut dot = T::Lanes::splat(T::ZERO);
            for k in 0..N {
                dot = T::Lanes::load(d, k * stride + s)
                    .mul_add(T::Lanes::load(a, k * stride + s), dot);
            }
            for k in 0..N {
                let at = k * stride + s;
                (T::Lanes::load(a, at) * (T::Lanes::load(d, at) - dot)).store(d, at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_df<E: Elementwise>(e: E, z: f64) -> f64 {
        let h = 1e-6;
        (e.f(z + h) - e.f(z - h)) / (2.0 * h)
    }

    fn check<E: Elementwise>(e: E) {
        for &z in &[-3.7, -1.0, -0.3, 0.2, 0.9, 2.5, 6.0] {
            let a = e.f(z);
            let analytic = e.df(z, a);
            let numeric = numeric_df(e, z);
            assert!(
                (analytic - numeric).abs() <= 1e-7 * (1.0 + numeric.abs()),
                "{}: df({z}) = {analytic}, finite difference {numeric}",
                E::NAME
            );
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        check(Sigmoid);
        check(Tanh);
        check(Relu);
        check(LeakyRelu { slope: 0.2 });
        check(Linear);
        check(Elu { alpha: 1.5 });
        check(Softplus);
        check(Gelu);
    }

    #[test]
    fn values_at_known_points() {
        assert_eq!(Sigmoid.f(0.0_f64), 0.5);
        assert_eq!(Relu.f(-2.0_f64), 0.0);
        assert_eq!(Relu.df(0.0_f64, 0.0), 0.0);
        assert_eq!(LeakyRelu::default().f(-2.0_f64), -0.02);
        assert!((Softplus.f(0.0_f64) - core::f64::consts::LN_2).abs() < 1e-15);
        assert!((Elu::default().f(-1.0_f64) - (-1.0_f64).exp_m1()).abs() < 1e-15);
        // gelu(1) with the tanh approximation.
        assert!((Gelu.f(1.0_f64) - 0.841_191_990_607_477_2).abs() < 1e-12);
    }

    #[test]
    fn saturated_inputs_stay_finite() {
        for z in [-1000.0_f32, -100.0, 100.0, 1000.0] {
            assert!(Sigmoid.f(z).is_finite());
            assert!(Softplus.f(z).is_finite());
            assert!(Tanh.f(z).is_finite());
        }
        assert_eq!(Softplus.f(1000.0_f32), 1000.0);
        let a = Softmax.forward(&SVector::<f32, 3>::new(1000.0, 0.0, -1000.0));
        assert_eq!(a, SVector::<f32, 3>::new(1.0, 0.0, 0.0));
    }

    #[test]
    fn softmax_backward_matches_finite_differences() {
        let z = SVector::<f64, 4>::new(0.3, -1.2, 2.0, 0.1);
        let g = SVector::<f64, 4>::new(0.5, -0.25, 1.5, 2.0);
        let a = Softmax.forward(&z);
        let analytic = Softmax.backward(&z, &a, &g);
        for k in 0..4 {
            let h = 1e-6;
            let mut zp = z;
            zp[k] += h;
            let mut zm = z;
            zm[k] -= h;
            let numeric = (g.dot(&Softmax.forward(&zp)) - g.dot(&Softmax.forward(&zm))) / (2.0 * h);
            assert!((analytic[k] - numeric).abs() < 1e-9, "k = {k}");
        }
    }

    /// The vector paths against the scalar formulas in `f64`, in the build's vector
    /// width for `T` (`.ci/run` runs them at every width: see `kernels/tests.rs`).
    /// Errors are in units of `T`'s epsilon times `max(|exact|, 1)`: relative
    /// above 1, absolute below, where `gelu` and `elu` subtract nearly equal numbers
    /// (`1 + tanh(u)` for very negative `z`) in every precision.
    mod vector_paths {
        use super::*;
        use crate::batch::Batch;

        fn units<T: Real>(got: T, want: f64) -> f64 {
            let eps = if T::NAME == "f32" {
                f64::from(f32::EPSILON)
            } else {
                f64::EPSILON
            };
            let error = (got.to_f64() - want).abs() / (eps * want.abs().max(1.0));
            // NaN where a finite value is due counts as the largest error.
            if error.is_nan() { f64::INFINITY } else { error }
        }

        /// Inputs on `[-20, 20]`, saturating ones, and the kinks at 0.
        fn inputs() -> Vec<f64> {
            let mut zs: Vec<f64> = (0..4001).map(|i| -20.0 + i as f64 * 0.01).collect();
            zs.extend([
                -1000.0, -100.0, -88.0, 88.0, 100.0, 1000.0, 0.0, -0.0, 1e-30,
            ]);
            zs
        }

        /// `forward` on one sample (the scalar path below half a vector, whole
        /// vectors and a padded tail above), `forward_batch` and `backward_batch`
        /// for `N` features; returns the largest forward and backward errors.
        fn paths<E: Elementwise, T: Real, const N: usize>(e: E, bounds: (f64, f64)) -> (f64, f64) {
            let zs: Vec<T> = inputs().into_iter().map(T::of).collect();
            let rows: Vec<[T; N]> = zs
                .chunks(N)
                .map(|c| core::array::from_fn(|k| c[k % c.len()]))
                .collect();
            let n = rows.len();
            let mut z = Batch::<T, N>::new(n);
            z.load(&rows);
            let mut a = Batch::<T, N>::new(n);
            e.forward_batch(&z, &mut a);
            let mut delta = Batch::<T, N>::new(n);
            delta.load(&vec![[T::ONE; N]; n]);
            Activation::backward_batch(&e, &z, &a, &mut delta);
            let (mut forward, mut backward) = (0.0_f64, 0.0_f64);
            for (s, row) in rows.iter().enumerate() {
                let single = Activation::forward(&e, &SVector::from(*row));
                for (k, &zk) in row.iter().enumerate() {
                    let z64 = zk.to_f64();
                    let (want, slope) = (e.f(z64), e.df(z64, e.f(z64)));
                    let errors = [
                        units(a.feature(k)[s], want),
                        units(single[k], want),
                        units(delta.feature(k)[s], slope),
                    ];
                    assert!(
                        errors[0].max(errors[1]) <= bounds.0 && errors[2] <= bounds.1,
                        "{} {} x{}, {N} features: at z = {z64} forward {} and {} (batch, one \
                         sample), derivative {}, exact {want} and {slope}: errors {errors:?} \
                         units, bounds {bounds:?}",
                        E::NAME,
                        T::NAME,
                        T::Lanes::LANES,
                        a.feature(k)[s],
                        single[k],
                        delta.feature(k)[s],
                    );
                    forward = forward.max(errors[0]).max(errors[1]);
                    backward = backward.max(errors[2]);
                }
            }
            (forward, backward)
        }

        /// Every size of layer; `bounds` for the forward pass and the derivative.
        fn every_size<E: Elementwise, T: Real>(e: E, bounds: (f64, f64)) {
            let mut worst = (0.0_f64, 0.0_f64);
            for (f, b) in [
                paths::<E, T, 1>(e, bounds),
                paths::<E, T, 3>(e, bounds),
                paths::<E, T, 5>(e, bounds),
                paths::<E, T, 9>(e, bounds),
                paths::<E, T, 16>(e, bounds),
                paths::<E, T, 17>(e, bounds),
                paths::<E, T, 33>(e, bounds),
            ] {
                worst = (worst.0.max(f), worst.1.max(b));
            }
            println!(
                "{:<10} {}x{:<2} max error forward {:.2}, derivative {:.2} units (bounds {bounds:?})",
                E::NAME,
                T::NAME,
                T::Lanes::LANES,
                worst.0,
                worst.1
            );
        }

        fn softmax<T: Real, const N: usize>(bound: f64) -> f64 {
            let mut rng = crate::init::Uniform::new(N as u64);
            let rows: Vec<[T; N]> = (0..37)
                .map(|_| core::array::from_fn(|_| T::of(rng.between(-10.0, 10.0))))
                .collect();
            let grads: Vec<[T; N]> = (0..37)
                .map(|_| core::array::from_fn(|_| T::of(rng.between(-1.0, 1.0))))
                .collect();
            let (mut z, mut a, mut d) = (Batch::new(37), Batch::new(37), Batch::new(37));
            z.load(&rows);
            d.load(&grads);
            Softmax.forward_batch(&z, &mut a);
            Softmax.backward_batch(&z, &a, &mut d);
            let mut worst = 0.0_f64;
            for (s, (row, grad)) in rows.iter().zip(&grads).enumerate() {
                let z64 = SVector::<f64, N>::from_fn(|k, _| row[k].to_f64());
                let g64 = SVector::<f64, N>::from_fn(|k, _| grad[k].to_f64());
                let want = Softmax.forward(&z64);
                let back = Softmax.backward(&z64, &want, &g64);
                for k in 0..N {
                    let errors = [
                        units(a.feature(k)[s], want[k]),
                        units(d.feature(k)[s], back[k]),
                    ];
                    assert!(
                        errors.iter().all(|&x| x <= bound),
                        "softmax {} x{}, {N} outputs, sample {s} output {k}: {errors:?} units",
                        T::NAME,
                        T::Lanes::LANES
                    );
                    worst = worst.max(errors[0]).max(errors[1]);
                }
            }
            worst
        }

        fn every_activation<T: Real>() {
            every_size::<_, T>(Sigmoid, (4.0, 4.0));
            every_size::<_, T>(Tanh, (4.0, 4.0));
            every_size::<_, T>(Relu, (0.0, 0.0));
            every_size::<_, T>(LeakyRelu { slope: 0.2 }, (1.0, 1.0));
            every_size::<_, T>(Linear, (0.0, 0.0));
            every_size::<_, T>(Elu { alpha: 1.5 }, (4.0, 4.0));
            every_size::<_, T>(Softplus, (4.0, 4.0));
            // gelu' = 0.5 (1 + t) + 0.5 z (1 - t^2) u': one unit of error in
            // t = tanh(u) becomes about z u' units, 28 at z = 6.
            every_size::<_, T>(Gelu, (8.0, 64.0));
            let worst = [
                softmax::<T, 2>(8.0),
                softmax::<T, 3>(8.0),
                softmax::<T, 10>(8.0),
                softmax::<T, 17>(8.0),
            ]
            .into_iter()
            .fold(0.0, f64::max);
            println!(
                "softmax    {}x{:<2} max error forward and backward {worst:.2} units (bound 8)",
                T::NAME,
                T::Lanes::LANES
            );
        }

        #[test]
        fn vector_activations_match_the_scalar_formulas_in_f32() {
            every_activation::<f32>();
        }

        #[test]
        fn vector_activations_match_the_scalar_formulas_in_f64() {
            every_activation::<f64>();
        }
    }
}
