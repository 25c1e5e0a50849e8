//! SIMD lanes: the vector type each scalar computes in, chosen at compile time
//! from the target features (`wide` picks the instructions the same way).
//!
//! | scalar | AVX-512F | AVX | otherwise |
//! |---|---|---|---|
//! | `f32` | `f32x16` | `f32x8` | `f32x4` |
//! | `f64` | `f64x8` | `f64x4` | `f64x2` |

use core::ops::{Add, AddAssign, Mul, Neg, Sub};
use wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8};

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
    /// Lane-wise `e^x`.
    fn exp(self) -> Self;
    /// Lane-wise `e^x - 1`.
    fn exp_m1(self) -> Self;
    /// Lane-wise `ln(1 + x)`.
    fn ln_1p(self) -> Self;
    /// Lane-wise hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Lane-wise natural logarithm.
    fn ln(self) -> Self;
}

macro_rules! lanes {
    ($v:ident, $t:ty, $n:literal) => {
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
            fn ln(self) -> Self {
                $v::ln(self)
            }
        }
    };
}

lanes!(f32x4, f32, 4);
lanes!(f32x8, f32, 8);
lanes!(f32x16, f32, 16);
lanes!(f64x2, f64, 2);
lanes!(f64x4, f64, 4);
lanes!(f64x8, f64, 8);

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
