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
    /// `tanh(x)` for activations. Scalars and `f64` vectors: the exact tanh. `f32`
    /// vectors, from [`Math::exp_fast`]: `sign(x) (1 - t) / (1 + t)` with
    /// `t = e^(-2|x|)`, and the odd Taylor polynomial to `x^11` below `|x| = 0.3`,
    /// where that form would cancel; within 4 ulp.
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
