//! The activations applied to each neuron on its own: each formula and its
//! derivative once, over [`Math`], for scalars and SIMD vectors alike.

use super::{Elementwise, InitScheme};
use crate::simd::{Math, tanh_fast_f32};

/// Logistic sigmoid `1 / (1 + e^-z)`; derivative `a (1 - a)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

impl Elementwise for Sigmoid {
    const NAME: &'static str = "sigmoid";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        sigmoid(z)
    }

    #[inline(always)]
    fn df<V: Math>(&self, _z: V, a: V) -> V {
        a * (V::num(1.0) - a)
    }
}

/// `1 / (1 + e^-z)`.
///
/// `f32`: from [`exp_f32`], within 3 units of `f32::EPSILON` relative wherever the
/// result is a normal number (`z > -87.3`), and within `2e-38` absolute below
/// (where the exact value is subnormal; `-inf` gives about `6e-39`); 0.5 at 0, 1
/// from `z = 17` up, NaN for NaN.
/// `f64`: from [`Math::exp_fast`], within 4 units of `f64::EPSILON` relative.
#[inline(always)]
fn sigmoid<V: Math>(z: V) -> V {
    let one = V::num(1.0);
    if V::MANTISSA_BITS == 23 {
        one / (one + exp_f32(-z))
    } else {
        one / (one + V::exp_fast(-z))
    }
}

/// `e^x` in `f32` with a short chain of dependent operations: the one-sample path
/// of a small network waits on every activation before its next layer starts.
///
/// `e^x = 2^n e^r`, `n = round(x / ln 2)` by adding and subtracting 1.5 * 2^23 (no
/// fraction bits survive), `|r| <= ln 2 / 2`, `e^r` by its Taylor polynomial of degree
/// 7 in Estrin's scheme (three multiply-adds deep instead of seven). `x` is clamped
/// to `[EXP_LO, EXP_HI]`, where `2^n` is a normal number; within 2 units of
/// `f32::EPSILON` relative wherever the result is normal; NaN for NaN.
#[inline(always)]
fn exp_f32<V: Math>(x: V) -> V {
    const EXP_LO: f64 = -87.33; // n >= -126
    const EXP_HI: f64 = 88.3; // n <= 127
    let c = V::num;
    let x = V::clamp(x, c(EXP_LO), c(EXP_HI));
    let shift = c(12_582_912.0); // 1.5 * 2^23
    let n = V::mul_add(x, c(core::f64::consts::LOG2_E), shift) - shift;
    // ln 2 = LN2_HI + LN2_LO (Cody and Waite); n * LN2_HI is exact.
    let r = V::mul_add(-n, c(0.693_359_375), x);
    let r = V::mul_add(-n, c(-2.121_944_4e-4), r);
    let r2 = r * r;
    let k = |i: f64| c(1.0 / i);
    let p01 = r + c(1.0);
    let p23 = V::mul_add(r, k(6.0), k(2.0));
    let p45 = V::mul_add(r, k(120.0), k(24.0));
    let p67 = V::mul_add(r, k(5040.0), k(720.0));
    let p03 = V::mul_add(p23, r2, p01);
    let p47 = V::mul_add(p67, r2, p45);
    V::mul_add(p47, r2 * r2, p03) * V::pow2i(n)
}

/// Hyperbolic tangent; derivative `1 - a^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Elementwise for Tanh {
    const NAME: &'static str = "tanh";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        tanh(z)
    }

    #[inline(always)]
    fn df<V: Math>(&self, _z: V, a: V) -> V {
        V::num(1.0) - a * a
    }
}

/// `tanh(z)`. `f32`: the rational function of [`tanh_fast_f32`], within 3 units of
/// `f32::EPSILON` relative, +-1 from `|z| = 10` up, NaN for NaN. `f64`:
/// [`Math::tanh_fast`] (the exact tanh on scalars and vectors).
#[inline(always)]
fn tanh<V: Math>(z: V) -> V {
    if V::MANTISSA_BITS == 23 {
        tanh_fast_f32(z)
    } else {
        V::tanh_fast(z)
    }
}

/// `max(0, z)`; derivative 1 for `z > 0`, else 0 (so `relu'(0) = 0`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Elementwise for Relu {
    const NAME: &'static str = "relu";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        let zero = V::num(0.0);
        V::gt_select(z, zero, z, zero)
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        let zero = V::num(0.0);
        V::gt_select(z, zero, V::num(1.0), zero)
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

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::gt_select(z, V::num(0.0), z, V::num(self.slope) * z)
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        V::gt_select(z, V::num(0.0), V::num(1.0), V::num(self.slope))
    }
}

/// The identity; derivative 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Linear;

impl Elementwise for Linear {
    const NAME: &'static str = "linear";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        z
    }

    #[inline(always)]
    fn df<V: Math>(&self, _z: V, _a: V) -> V {
        V::num(1.0)
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

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::gt_select(z, V::num(0.0), z, V::num(self.alpha) * V::exp_m1(z))
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, a: V) -> V {
        V::gt_select(z, V::num(0.0), V::num(1.0), a + V::num(self.alpha))
    }
}

/// `ln(1 + e^z)`, computed as `max(z, 0) + ln(1 + e^-|z|)`; derivative `sigmoid(z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softplus;

impl Elementwise for Softplus {
    const NAME: &'static str = "softplus";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::max(z, V::num(0.0)) + V::ln_1p(V::exp_fast(-V::abs(z)))
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        sigmoid(z)
    }
}

/// GELU, tanh approximation: `0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gelu;

const GELU_C: f64 = 0.797_884_560_802_865_4; // sqrt(2 / pi)
const GELU_K: f64 = 0.044_715;

impl Gelu {
    /// `tanh(u)` for `u = sqrt(2/pi) (z + 0.044715 z^3)`.
    #[inline(always)]
    fn tanh_u<V: Math>(z: V) -> V {
        V::tanh_fast(V::num(GELU_C) * V::mul_add(z, V::num(GELU_K) * z * z, z))
    }
}

impl Elementwise for Gelu {
    const NAME: &'static str = "gelu";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::num(0.5) * z * (V::num(1.0) + Self::tanh_u(z))
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        let (one, half) = (V::num(1.0), V::num(0.5));
        let t = Self::tanh_u(z);
        let du = V::num(GELU_C) * V::mul_add(V::num(3.0 * GELU_K) * z, z, one);
        half * (one + t) + half * z * (one - t * t) * du
    }
}

/// The `f32` approximations over the whole `f32` range: every 997th bit pattern
/// of each sign (about 8.6 million inputs) and a dense sweep of `[-20, 20]`, in
/// scalars and in vectors, against `f64`. `cargo test -p mlp-core --lib
/// approximations -- --nocapture` prints the measured maxima.
#[cfg(test)]
mod approximations {
    use super::*;
    use crate::simd::Lanes;

    /// Every 997th finite `f32` and a sweep of `[-20, 20]` in steps of 1/1024.
    fn inputs() -> impl Iterator<Item = f32> {
        let patterns = (0..0x7f80_0000u32).step_by(997).map(f32::from_bits);
        let sweep = (-20 * 1024..=20 * 1024).map(|i| i as f32 / 1024.0);
        patterns.flat_map(|x| [x, -x]).chain(sweep)
    }

    /// The largest relative error of `f` (in units of `f32::EPSILON`) over the
    /// inputs whose exact result is a normal `f32`, and the largest absolute error
    /// over the rest, on the scalar path and on `V`.
    fn worst<V: Lanes<Scalar = f32>>(
        f: impl Fn(f32) -> f32,
        fv: impl Fn(V) -> V,
        exact: impl Fn(f64) -> f64,
    ) -> (f64, f64) {
        let (mut relative, mut absolute) = (0.0_f64, 0.0_f64);
        let mut check = |x: f32, got: f32| {
            let want = exact(f64::from(x));
            let error = (f64::from(got) - want).abs();
            if want.abs() >= f64::from(f32::MIN_POSITIVE) {
                relative = relative.max(error / (want.abs() * f64::from(f32::EPSILON)));
            } else {
                absolute = absolute.max(error);
            }
        };
        let mut lanes = [0.0_f32; 16];
        let mut out = [0.0_f32; 16];
        let mut k = 0;
        for x in inputs() {
            check(x, f(x));
            lanes[k] = x;
            k += 1;
            if k == V::LANES {
                fv(V::load(&lanes, 0)).store(&mut out, 0);
                for (&x, &got) in lanes.iter().zip(&out).take(k) {
                    check(x, got);
                }
                k = 0;
            }
        }
        (relative, absolute)
    }

    fn exact_sigmoid(z: f64) -> f64 {
        1.0 / (1.0 + (-z).exp())
    }

    fn every_approximation<V: Lanes<Scalar = f32>>() {
        let clamp = |x: f64| x.clamp(f64::from(-87.33_f32), f64::from(88.3_f32));
        let exp = worst::<V>(exp_f32, exp_f32, |x| clamp(x).exp());
        let sig = worst::<V>(sigmoid, sigmoid, exact_sigmoid);
        let tanh_ = worst::<V>(tanh, tanh, f64::tanh);
        println!(
            "f32 and f32x{}: max relative error in units of f32::EPSILON (absolute below \
             the normal range): exp {exp:?}, sigmoid {sig:?}, tanh {tanh_:?}",
            V::LANES
        );
        // Within a few units, so <= 1e-6 relative: about 8.4 units.
        assert!(exp.0 <= 2.0 && exp.1 <= 2e-38, "exp {exp:?}");
        assert!(sig.0 <= 3.0 && sig.1 <= 2e-38, "sigmoid {sig:?}");
        assert!(tanh_.0 <= 3.0 && tanh_.1 == 0.0, "tanh {tanh_:?}");
    }

    #[test]
    fn sigmoid_and_tanh_are_within_a_few_units_over_the_whole_f32_range() {
        every_approximation::<wide::f32x4>();
        // The build's widest vector, unless that is f32x4 again (SSE2, NEON), where
        // the second sweep would repeat the first (40 s under emulation).
        if <<f32 as crate::Real>::Lanes as Lanes>::LANES != 4 {
            every_approximation::<<f32 as crate::Real>::Lanes>();
        }
    }

    #[test]
    fn edges_saturate_and_nan_stays_nan() {
        for f in [sigmoid::<f32>, tanh::<f32>] {
            assert!(f(f32::NAN).is_nan());
        }
        // In the build's vectors too, whose clamp keeps NaN by the instruction set's
        // rule for it (SSE's maxps and WebAssembly's pmax differ).
        type V = crate::simd::F32Lanes;
        let nan = V::splat(f32::NAN);
        for f in [sigmoid::<V>, tanh::<V>] {
            assert!(f(nan).as_array().iter().all(|x| x.is_nan()));
        }
        assert_eq!(sigmoid(0.0_f32), 0.5);
        assert_eq!(sigmoid(f32::INFINITY), 1.0);
        assert!((0.0..2e-38).contains(&sigmoid(f32::NEG_INFINITY)));
        assert!(exp_f32(f32::INFINITY).is_finite() && exp_f32(f32::NEG_INFINITY) >= 0.0);
        assert_eq!((tanh(f32::INFINITY), tanh(f32::NEG_INFINITY)), (1.0, -1.0));
        assert_eq!(tanh(-0.0_f32).to_bits(), (-0.0_f32).to_bits());
    }
}
