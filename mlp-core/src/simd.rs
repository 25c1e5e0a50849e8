//! SIMD lanes: the vector type each scalar computes in, chosen at compile time
//! from the target features (`wide` picks the instructions the same way).
//!
//! | scalar | AVX-512F | AVX | otherwise |
//! |---|---|---|---|
//! | `f32` | `f32x16` | `f32x8` | `f32x4` |
//! | `f64` | `f64x8` | `f64x4` | `f64x2` |

use core::ops::{Add, AddAssign, Mul, Neg, Sub};
use wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8, i32x4, i32x8, i32x16, i64x2, i64x4, i64x8};

/// A vector of `LANES` scalars with the operations the kernels need.
pub trait Lanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self> + AddAssign
{
    /// The scalar in each lane.
    type Scalar: Copy;
    /// How many lanes.
    const LANES: usize;

    /// Every lane `x`.
    fn splat(x: Self::Scalar) -> Self;
    /// Lanes from `s[at..at + LANES]`.
    fn load(s: &[Self::Scalar], at: usize) -> Self;
    /// Writes the lanes to `s[at..at + LANES]`.
    fn store(self, s: &mut [Self::Scalar], at: usize);
    /// Lanes from `LANES` scalars at `p`, which need no alignment.
    ///
    /// # Safety
    /// `p..p + LANES` must be readable.
    unsafe fn read(p: *const Self::Scalar) -> Self;
    /// Writes the lanes to `LANES` scalars at `p`, which need no alignment.
    ///
    /// # Safety
    /// `p..p + LANES` must be writable.
    unsafe fn write(self, p: *mut Self::Scalar);
    /// `self * a + b`, fused where the target has FMA.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The sum of the lanes.
    fn sum(self) -> Self::Scalar;
    /// Lane-wise maximum.
    fn max(self, other: Self) -> Self;
    /// Lane-wise `self > other ? if_true : if_false`.
    fn gt_select(self, other: Self, if_true: Self, if_false: Self) -> Self;
    /// Lane-wise absolute value.
    fn abs(self) -> Self;
    /// Lane-wise division.
    fn div(self, other: Self) -> Self;
    /// Lane-wise `e^x`, exact to a few ulp and IEEE at every edge.
    fn exp(self) -> Self;
    /// Lane-wise `e^x` for activations: exact to about 2 ulp where the result is a
    /// normal number, 0 below that range, the largest value of that range above it
    /// (so `+inf` gives about 2e38 in `f32`), NaN for NaN. Far fewer instructions
    /// than [`Lanes::exp`].
    fn exp_fast(self) -> Self;
    /// Lane-wise `e^x - 1`.
    fn exp_m1(self) -> Self;
    /// Lane-wise `ln(1 + x)`.
    fn ln_1p(self) -> Self;
    /// Lane-wise hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Lane-wise hyperbolic tangent for activations. In `f32`, from
    /// [`Lanes::exp_fast`]: `sign(x) (1 - t) / (1 + t)` with `t = e^(-2|x|)`, and the
    /// odd Taylor polynomial to `x^11` below `|x| = 0.3`, where that form would
    /// cancel; within 4 ulp. In `f64`, [`Lanes::tanh`].
    fn tanh_fast(self) -> Self;
    /// Lane-wise natural logarithm.
    fn ln(self) -> Self;
}

macro_rules! lanes {
    (
        $v:ident, $t:ty, $n:literal,
        exp: $i:ident, $mantissa:literal, $bias:literal, $lo:literal, $hi:literal, $degree:literal,
        $ln2_hi:literal, $ln2_lo:literal
    ) => {
        impl Lanes for $v {
            type Scalar = $t;
            const LANES: usize = $n;

            #[inline(always)]
            fn splat(x: $t) -> Self {
                $v::splat(x)
            }
            #[inline(always)]
            fn load(s: &[$t], at: usize) -> Self {
                let a: [$t; $n] = s[at..at + $n].try_into().unwrap();
                $v::new(a)
            }
            #[inline(always)]
            fn store(self, s: &mut [$t], at: usize) {
                s[at..at + $n].copy_from_slice(self.as_array());
            }
            #[inline(always)]
            unsafe fn read(p: *const $t) -> Self {
                // SAFETY: the caller guarantees `LANES` readable scalars; the read
                // is unaligned.
                unsafe { core::ptr::read_unaligned(p.cast::<Self>()) }
            }
            #[inline(always)]
            unsafe fn write(self, p: *mut $t) {
                // SAFETY: the caller guarantees `LANES` writable scalars; the write
                // is unaligned.
                unsafe { core::ptr::write_unaligned(p.cast::<Self>(), self) }
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $v::mul_add(self, a, b)
            }
            #[inline(always)]
            fn sum(self) -> $t {
                self.reduce_add()
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                $v::max(self, other)
            }
            #[inline(always)]
            fn gt_select(self, other: Self, if_true: Self, if_false: Self) -> Self {
                self.simd_gt(other).select(if_true, if_false)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $v::abs(self)
            }
            #[inline(always)]
            fn div(self, other: Self) -> Self {
                self / other
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $v::exp(self)
            }
            #[inline(always)]
            fn exp_fast(self) -> Self {
                use core::f64::consts::LOG2_E;
                // e^x = 2^n e^r with n = round(x / ln 2), |r| <= ln 2 / 2; e^r by its
                // Taylor polynomial, 2^n built in the exponent bits. ln 2 is split in
                // two (Cody and Waite) so that n * LN2_HI is exact even without FMA.
                let x = $v::splat($hi).fast_min($v::splat($lo).fast_max(self));
                let n = (x * $v::splat(LOG2_E as $t)).round();
                let r = n.mul_neg_add($v::splat($ln2_hi), x);
                let r = n.mul_neg_add($v::splat($ln2_lo), r);
                let mut p = $v::splat(1.0);
                let mut k = $degree;
                while k > 0 {
                    p = p.mul_add(r * $v::splat(1.0 / k as $t), $v::splat(1.0));
                    k -= 1;
                }
                // n + 2^mantissa + bias puts n + bias in the low bits of the mantissa.
                let magic = $v::splat(((1u64 << $mantissa) + $bias) as $t);
                let bits: $i = wide::bytemuck::cast(n + magic);
                let scale: $v = wide::bytemuck::cast(bits << $mantissa);
                // Below the normal range the result is 0 (e^x < 2^-126 or 2^-1022).
                self.simd_lt($v::splat($lo)).select($v::ZERO, p * scale)
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                $v::exp_m1(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                $v::ln_1p(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $v::tanh(self)
            }
            #[inline(always)]
            fn tanh_fast(self) -> Self {
                if $mantissa != 23 {
                    return $v::tanh(self);
                }
                let c = |v: f64| $v::splat(v as $t);
                let one = c(1.0);
                let a = self.abs();
                let t = (a * c(-2.0)).exp_fast();
                let large = (one - t) / (one + t);
                let large = self.simd_lt($v::ZERO).select(-large, large);
                let x2 = self * self;
                let mut p = c(-1382.0 / 155_925.0);
                for k in [62.0 / 2835.0, -17.0 / 315.0, 2.0 / 15.0, -1.0 / 3.0, 1.0] {
                    p = p.mul_add(x2, c(k));
                }
                a.simd_lt(c(0.3)).select(self * p, large)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $v::ln(self)
            }
        }
    };
}

// exp: integer type of the same width, mantissa bits, exponent bias, clamp range
// (normal results only), degree of the Taylor polynomial on |r| <= ln 2 / 2, and
// ln 2 split into a short high part (few significant bits) and the rest (fdlibm).
lanes!(f32x4, f32, 4, exp: i32x4, 23, 127, -87.3, 88.3, 7, 0.693_359_4, -2.121_944_4e-4);
lanes!(f32x8, f32, 8, exp: i32x8, 23, 127, -87.3, 88.3, 7, 0.693_359_4, -2.121_944_4e-4);
lanes!(f32x16, f32, 16, exp: i32x16, 23, 127, -87.3, 88.3, 7, 0.693_359_4, -2.121_944_4e-4);
lanes!(f64x2, f64, 2, exp: i64x2, 52, 1023, -708.3, 709.4, 13,
    6.931_471_803_691_238e-1, 1.908_214_929_270_587_7e-10);
lanes!(f64x4, f64, 4, exp: i64x4, 52, 1023, -708.3, 709.4, 13,
    6.931_471_803_691_238e-1, 1.908_214_929_270_587_7e-10);
lanes!(f64x8, f64, 8, exp: i64x8, 52, 1023, -708.3, 709.4, 13,
    6.931_471_803_691_238e-1, 1.908_214_929_270_587_7e-10);

/// The widest `f32` vector the build's target features support.
#[cfg(target_feature = "avx512f")]
pub type F32Lanes = f32x16;
/// The widest `f32` vector the build's target features support.
#[cfg(all(target_feature = "avx", not(target_feature = "avx512f")))]
pub type F32Lanes = f32x8;
/// The widest `f32` vector the build's target features support.
#[cfg(not(target_feature = "avx"))]
pub type F32Lanes = f32x4;

/// The widest `f64` vector the build's target features support.
#[cfg(target_feature = "avx512f")]
pub type F64Lanes = f64x8;
/// The widest `f64` vector the build's target features support.
#[cfg(all(target_feature = "avx", not(target_feature = "avx512f")))]
pub type F64Lanes = f64x4;
/// The widest `f64` vector the build's target features support.
#[cfg(not(target_feature = "avx"))]
pub type F64Lanes = f64x2;

#[cfg(test)]
mod tests {
    use super::*;

    fn check<V: Lanes>(values: &[V::Scalar], to_f64: fn(V::Scalar) -> f64, ulps: f64, eps: f64)
    where
        V::Scalar: Default,
    {
        let mut out = [V::Scalar::default(); 16];
        for chunk in values.chunks(V::LANES).filter(|c| c.len() == V::LANES) {
            V::load(chunk, 0).exp_fast().store(&mut out, 0);
            for (x, y) in chunk.iter().zip(&out) {
                let (x, y) = (to_f64(*x), to_f64(*y));
                let want = x.exp();
                assert!(
                    (y - want).abs() <= ulps * eps * want,
                    "exp({x}) = {y}, want {want}"
                );
            }
        }
    }

    #[test]
    fn fast_exp_is_accurate_over_the_normal_range() {
        let f32s: Vec<f32> = (0..4000).map(|i| -87.0 + i as f32 * 0.0437).collect();
        check::<f32x8>(&f32s, f64::from, 4.0, f32::EPSILON as f64);
        check::<f32x4>(&f32s, f64::from, 4.0, f32::EPSILON as f64);
        let f64s: Vec<f64> = (0..4000).map(|i| -700.0 + i as f64 * 0.35).collect();
        check::<f64x4>(&f64s, |x| x, 4.0, f64::EPSILON);
        check::<f64x2>(&f64s, |x| x, 4.0, f64::EPSILON);
    }

    #[test]
    fn fast_tanh_is_accurate() {
        let xs: Vec<f32> = (0..8000).map(|i| -12.0 + i as f32 * 0.003).collect();
        let mut out = [0.0f32; 8];
        for chunk in xs.chunks(8) {
            f32x8::load(chunk, 0).tanh_fast().store(&mut out, 0);
            for (x, y) in chunk.iter().zip(&out) {
                let want = f64::from(*x).tanh();
                let err = (f64::from(*y) - want).abs();
                assert!(
                    err <= 4.0 * f64::from(f32::EPSILON) * want.abs().max(1e-30),
                    "tanh({x}) = {y}, want {want}"
                );
            }
        }
        let xs: Vec<f64> = (0..8000).map(|i| -20.0 + i as f64 * 0.005).collect();
        let mut out = [0.0f64; 4];
        for chunk in xs.chunks(4) {
            f64x4::load(chunk, 0).tanh_fast().store(&mut out, 0);
            for (x, y) in chunk.iter().zip(&out) {
                let want = x.tanh();
                assert!(
                    (y - want).abs() <= 1e-13 * want.abs().max(1e-300),
                    "tanh({x}) = {y}, want {want}"
                );
            }
        }
    }

    #[test]
    fn fast_exp_edges() {
        let x = f32x4::from([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0])
            .exp_fast()
            .to_array();
        assert!(x[0].is_nan());
        assert!(x[1].is_finite() && x[1] > 1e38);
        assert_eq!(x[2], 0.0);
        assert_eq!(x[3], 1.0);
    }
}
