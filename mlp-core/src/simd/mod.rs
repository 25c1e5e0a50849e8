//! SIMD lanes: the vector type each scalar computes in, chosen at compile time
//! from the target features (`wide` picks the instructions the same way).
//!
//! | scalar | AVX-512F | AVX | otherwise |
//! |---|---|---|---|
//! | `f32` | `f32x16` | `f32x8` | `f32x4` |
//! | `f64` | `f64x8` | `f64x4` | `f64x2` |

mod math;

pub use math::Math;
#[cfg(all(target_arch = "x86_64", feature = "std"))]
pub(crate) use math::exp_fast;
pub(crate) use math::tanh_fast_f32;

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
        $v:ident, $t:ty, $n:literal, exp: $i:ident, $mantissa:literal, $bias:literal
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
                // Which operand `fast_max`/`fast_min` return when one is NaN is the
                // instruction's: SSE's `maxps`/`minps` the second, WebAssembly's
                // `pmax`/`pmin` the first, `wide`'s scalar arrays the first for max
                // and the second for min (NEON's propagate NaN). `x` goes where
                // NaN is kept.
                #[cfg(target_feature = "sse2")]
                return hi.fast_min(lo.fast_max(x));
                #[cfg(target_feature = "simd128")]
                return x.fast_max(lo).fast_min(hi);
                #[cfg(not(any(target_feature = "sse2", target_feature = "simd128")))]
                return hi.fast_min(x.fast_max(lo));
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
                math::exp_fast(x)
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
            fn sqrt(x: Self) -> Self {
                $v::sqrt(x)
            }
            #[inline(always)]
            fn tanh_fast(x: Self) -> Self {
                if $mantissa == 23 {
                    math::tanh_fast_f32(x)
                } else {
                    $v::tanh(x)
                }
            }
        }
    };
}

// The integer type of the same width, the mantissa bits and the exponent bias,
// for `2^n`.
lanes!(f32x4, f32, 4, exp: i32x4, 23, 127);
lanes!(f32x8, f32, 8, exp: i32x8, 23, 127);
lanes!(f32x16, f32, 16, exp: i32x16, 23, 127);
lanes!(f64x2, f64, 2, exp: i64x2, 52, 1023);
lanes!(f64x4, f64, 4, exp: i64x4, 52, 1023);
lanes!(f64x8, f64, 8, exp: i64x8, 52, 1023);

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
