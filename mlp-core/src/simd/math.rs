//! The arithmetic the activation and loss formulas are written in, so that one
//! formula serves a single scalar and every lane of a SIMD vector alike.

use core::ops::{Add, Div, Mul, Neg, Sub};
use nalgebra::{ComplexField, RealField};

/// Arithmetic on a scalar (`f32`, `f64`) or lane-wise on a SIMD vector ([`super::Lanes`]).
///
/// Associated functions (`V::exp(x)`), not methods: [`crate::Real`] requires this
/// trait, and methods named like nalgebra's (`x.exp()`, `x.max(y)`) would make
/// those calls ambiguous on every generic scalar.
pub trait Math:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Significand bits stored (23 for `f32`, 52 for `f64`): what formulas that
    /// need more terms in more precision choose by.
    const MANTISSA_BITS: u32;
    /// The constant `x` (in every lane), rounded to nearest.
    fn num(x: f64) -> Self;
    /// `x * a + b`. On vectors fused where the target has FMA; on scalars two
    /// roundings, so the one-sample path gives the same bits on every target.
    fn mul_add(x: Self, a: Self, b: Self) -> Self;
    /// `|x|`.
    fn abs(x: Self) -> Self;
    /// The larger of `x` and `y`.
    fn max(x: Self, y: Self) -> Self;
    /// `x` limited to `[lo, hi]`; NaN stays NaN.
    fn clamp(x: Self, lo: Self, hi: Self) -> Self;
    /// `2^n` for an integral `n` whose power is a normal number (`-126..=127` in
    /// `f32`, `-1022..=1023` in `f64`), built in the exponent bits.
    fn pow2i(n: Self) -> Self;
    /// `x > y ? if_true : if_false` (lane by lane).
    fn gt_select(x: Self, y: Self, if_true: Self, if_false: Self) -> Self;
    /// `e^x`, exact to a few ulp and IEEE at every edge.
    fn exp(x: Self) -> Self;
    /// `e^x` for activations. Scalars: [`Math::exp`]. Vectors: exact to about
    /// 2 ulp where the result is a normal number, 0 below that range, the largest
    /// value of that range above it (so `+inf` gives about 2e38 in `f32`), NaN
    /// for NaN; far fewer instructions than [`Math::exp`].
    fn exp_fast(x: Self) -> Self;
    /// `e^x - 1`.
    fn exp_m1(x: Self) -> Self;
    /// `ln(1 + x)`.
    fn ln_1p(x: Self) -> Self;
    /// `ln(x)`.
    fn ln(x: Self) -> Self;
    /// `sqrt(x)`, correctly rounded.
    fn sqrt(x: Self) -> Self;
    /// `tanh(x)` for activations. Scalars and `f64` vectors: the exact tanh. `f32`
    /// vectors: a rational function ([`tanh_fast_f32`]), within 3 ulp.
    fn tanh_fast(x: Self) -> Self;
}

macro_rules! scalar {
    ($t:ty, $bits:ty, $mantissa:literal, $bias:literal) => {
        impl Math for $t {
            const MANTISSA_BITS: u32 = $mantissa;

            #[inline(always)]
            fn num(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn mul_add(x: Self, a: Self, b: Self) -> Self {
                x * a + b
            }
            #[inline(always)]
            fn abs(x: Self) -> Self {
                ComplexField::abs(x)
            }
            #[inline(always)]
            fn max(x: Self, y: Self) -> Self {
                RealField::max(x, y)
            }
            #[inline(always)]
            fn clamp(x: Self, lo: Self, hi: Self) -> Self {
                if x < lo {
                    lo
                } else if x > hi {
                    hi
                } else {
                    x
                }
            }
            #[inline(always)]
            fn pow2i(n: Self) -> Self {
                <$t>::from_bits(((n as $bits + $bias) as <$t as Bits>::Unsigned) << $mantissa)
            }
            #[inline(always)]
            fn gt_select(x: Self, y: Self, if_true: Self, if_false: Self) -> Self {
                if x > y { if_true } else { if_false }
            }
            #[inline(always)]
            fn exp(x: Self) -> Self {
                ComplexField::exp(x)
            }
            #[inline(always)]
            fn exp_fast(x: Self) -> Self {
                ComplexField::exp(x)
            }
            #[inline(always)]
            fn exp_m1(x: Self) -> Self {
                ComplexField::exp_m1(x)
            }
            #[inline(always)]
            fn ln_1p(x: Self) -> Self {
                ComplexField::ln_1p(x)
            }
            #[inline(always)]
            fn ln(x: Self) -> Self {
                ComplexField::ln(x)
            }
            #[inline(always)]
            fn sqrt(x: Self) -> Self {
                ComplexField::sqrt(x)
            }
            #[inline(always)]
            fn tanh_fast(x: Self) -> Self {
                ComplexField::tanh(x)
            }
        }
    };
}

/// The unsigned integer with a float's bits.
trait Bits {
    type Unsigned;
}
impl Bits for f32 {
    type Unsigned = u32;
}
impl Bits for f64 {
    type Unsigned = u64;
}

scalar!(f32, i32, 23, 127);
scalar!(f64, i64, 52, 1023);

/// The constants of [`exp_fast`] for one scalar: the clamp range (normal results
/// only), the degree of the Taylor polynomial on `|r| <= ln 2 / 2`, ln 2 split into
/// a short high part (few significant bits) and the rest (fdlibm), and
/// `1.5 * 2^mantissa`, whose sum with a small number rounds it to an integer. The
/// `f32` ones are `f32` literals, widened exactly.
struct ExpConstants {
    lo: f64,
    hi: f64,
    degree: u32,
    ln2_hi: f64,
    ln2_lo: f64,
    shift: f64,
}

const EXP_F32: ExpConstants = ExpConstants {
    lo: -87.3_f32 as f64,
    hi: 88.3_f32 as f64,
    degree: 7,
    ln2_hi: 0.693_359_4_f32 as f64,
    ln2_lo: -2.121_944_4e-4_f32 as f64,
    shift: (3u64 << 22) as f64,
};

const EXP_F64: ExpConstants = ExpConstants {
    lo: -708.3,
    hi: 709.4,
    degree: 13,
    ln2_hi: 6.931_471_803_691_238e-1,
    ln2_lo: 1.908_214_929_270_587_7e-10,
    shift: (3u64 << 51) as f64,
};

/// [`Math::exp_fast`] on vectors.
#[inline(always)]
pub(crate) fn exp_fast<V: Math>(x: V) -> V {
    use core::f64::consts::LOG2_E;
    let f32 = V::MANTISSA_BITS == 23;
    let c = if f32 { &EXP_F32 } else { &EXP_F64 };
    // e^x = 2^n e^r with n = round(x / ln 2), |r| <= ln 2 / 2; e^r by its Taylor
    // polynomial, 2^n built in the exponent bits. ln 2 is split in two (Cody and
    // Waite) so that n * LN2_HI is exact even without FMA.
    let lo = V::num(c.lo);
    let clamped = V::clamp(x, lo, V::num(c.hi));
    let shift = V::num(c.shift);
    let n = V::mul_add(clamped, V::num(LOG2_E), shift) - shift;
    let r = V::mul_add(-n, V::num(c.ln2_hi), clamped);
    let r = V::mul_add(-n, V::num(c.ln2_lo), r);
    let one = V::num(1.0);
    let mut p = one;
    let mut k = c.degree;
    while k > 0 {
        // 1/k rounded in the lanes' own precision.
        let inverse = if f32 {
            f64::from(1.0 / k as f32)
        } else {
            1.0 / f64::from(k)
        };
        p = V::mul_add(p, r * V::num(inverse), one);
        k -= 1;
    }
    // Below the normal range the result is 0 (e^x < 2^-126 or 2^-1022).
    V::gt_select(lo, x, V::num(0.0), p * V::pow2i(n))
}

/// [`Math::tanh_fast`] on `f32` vectors, and the `tanh` activation in `f32`:
/// `x P(x^2) / Q(x^2)`, a rational function of degrees 13 and 6 fitted to
/// tanh's relative error on `[0, 10]` (`scripts/fit_tanh.py` computes the
/// coefficients), `x` clamped to `[-10, 10]` (tanh(10) is 1 in `f32`), and the
/// result to `[-1, 1]` (the quotient's rounding can pass 1 by an ulp). Within 3
/// units of `f32::EPSILON` relative; odd, so `-0.0` gives `-0.0`; NaN for NaN.
///
/// No `exp`: the one-sample path of a small network waits on every activation
/// before its next layer starts, and this is a dozen operations, four deep
/// before the division.
#[inline(always)]
pub(crate) fn tanh_fast_f32<V: Math>(x: V) -> V {
    const P: [f64; 7] = [
        0.999_999_980_282_744_4,
        0.130_392_429_548_125_2,
        3.054_174_644_046_483_5e-3,
        1.064_149_668_475_783e-5,
        -1.820_467_785_692_807_2e-8,
        4.344_960_583_417_904e-11,
        -6.212_699_647_777_846e-14,
    ];
    const Q: [f64; 4] = [
        1.0,
        0.463_725_590_129_271,
        2.429_629_185_009_921_4e-2,
        2.474_084_086_665_558_5e-4,
    ];
    let c = V::num;
    let (one, bound) = (c(1.0), c(10.0));
    let x = V::clamp(x, -bound, bound);
    let t = x * x;
    let t2 = t * t;
    // Estrin's scheme: pairs of coefficients, then pairs of pairs.
    let p01 = V::mul_add(c(P[1]), t, c(P[0]));
    let p23 = V::mul_add(c(P[3]), t, c(P[2]));
    let p45 = V::mul_add(c(P[5]), t, c(P[4]));
    let p03 = V::mul_add(p23, t2, p01);
    let p46 = V::mul_add(c(P[6]), t2, p45);
    let p = V::mul_add(p46, t2 * t2, p03);
    let q = V::mul_add(
        V::mul_add(c(Q[3]), t, c(Q[2])),
        t2,
        V::mul_add(c(Q[1]), t, c(Q[0])),
    );
    V::clamp(x * p / q, -one, one)
}
