//! SIMD lanes: the vector type each scalar computes in, chosen at compile time
//! from the target features (`wide` picks the instructions the same way).
//!
//! | scalar | AVX-512F | AVX | otherwise |
//! |---|---|---|---|
//! | `f32` | `f32x16` | `f32x8` | `f32x4` |
//! | `f64` | `f64x8` | `f64x4` | `f64x2` |

mod math;

pub use math::Math;

use core::ops::AddAssign;
use wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8, i32x4, i32x8, i32x16, i64x2, i64x4, i64x8};

/// A vector of `LANES` scalars: its [`Math`], and the loads, stores and sums the
/// kernels need.
pub trait Lanes: Math + AddAssign {
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
    /// `self * a + b`, fused where the target has FMA (as [`Math::mul_add`]).
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The sum of the lanes.
    fn sum(self) -> Self::Scalar;
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
        }

        impl Math for $v {
            const MANTISSA_BITS: u32 = $mantissa;

            #[inline(always)]
            fn num(x: f64) -> Self {
                $v::splat(x as $t)
            }
            #[inline(always)]
            fn mul_add(x: Self, a: Self, b: Self) -> Self {
                $v::mul_add(x, a, b)
            }
            #[inline(always)]
            fn abs(x: Self) -> Self {
                $v::abs(x)
            }
            #[inline(always)]
            fn max(x: Self, y: Self) -> Self {
                $v::max(x, y)
            }
            #[inline(always)]
            fn clamp(x: Self, lo: Self, hi: Self) -> Self {
                // `maxps`/`minps` return their second operand when either is NaN.
                hi.fast_min(lo.fast_max(x))
            }
            #[inline(always)]
            fn pow2i(n: Self) -> Self {
                // n + 2^mantissa + bias is exact and holds n + bias in the low bits
                // of the mantissa; shifted up, they are the exponent.
                let magic = $v::splat(((1u64 << $mantissa) + $bias) as $t);
                let bits: $i = wide::bytemuck::cast(n + magic);
                wide::bytemuck::cast(bits << $mantissa)
            }
            #[inline(always)]
            fn gt_select(x: Self, y: Self, if_true: Self, if_false: Self) -> Self {
                x.simd_gt(y).select(if_true, if_false)
            }
            #[inline(always)]
            fn exp(x: Self) -> Self {
                $v::exp(x)
            }
            #[inline(always)]
            fn exp_fast(x: Self) -> Self {
                use core::f64::consts::LOG2_E;
                // e^x = 2^n e^r with n = round(x / ln 2), |r| <= ln 2 / 2; e^r by its
                // Taylor polynomial, 2^n built in the exponent bits. ln 2 is split in
                // two (Cody and Waite) so that n * LN2_HI is exact even without FMA.
                let clamped = $v::splat($hi).fast_min($v::splat($lo).fast_max(x));
                let n = (clamped * $v::splat(LOG2_E as $t)).round();
                let r = n.mul_neg_add($v::splat($ln2_hi), clamped);
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
                x.simd_lt($v::splat($lo)).select($v::ZERO, p * scale)
            }
            #[inline(always)]
            fn exp_m1(x: Self) -> Self {
                $v::exp_m1(x)
            }
            #[inline(always)]
            fn ln_1p(x: Self) -> Self {
                $v::ln_1p(x)
            }
            #[inline(always)]
            fn ln(x: Self) -> Self {
                $v::ln(x)
            }
            #[inline(always)]
            fn tanh_fast(x: Self) -> Self {
                if $mantissa != 23 {
                    return $v::tanh(x);
                }
                let c = |v: f64| $v::splat(v as $t);
                let one = c(1.0);
                let a = x.abs();
                let t = Self::exp_fast(a * c(-2.0));
                let large = (one - t) / (one + t);
                let large = x.simd_lt($v::ZERO).select(-large, large);
                let x2 = x * x;
                let mut p = c(-1382.0 / 155_925.0);
                for k in [62.0 / 2835.0, -17.0 / 315.0, 2.0 / 15.0, -1.0 / 3.0, 1.0] {
                    p = p.mul_add(x2, c(k));
                }
                a.simd_lt(c(0.3)).select(x * p, large)
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
mod tests;
