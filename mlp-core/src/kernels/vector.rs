//! The vector operations the products use, so one product body serves the
//! build's portable lanes ([`Lanes`], `wide`) and the x86 bodies compiled for wider
//! instruction sets than the build's baseline (`x86.rs`).

use crate::simd::Lanes;

/// A vector of `LANES` scalars with the loads, stores and fused multiply-adds of a
/// register block.
pub(crate) trait Vector: Copy {
    /// The scalar in each lane.
    type Scalar: Copy;
    /// How many lanes.
    const LANES: usize;

    /// Every lane `x`.
    fn splat(x: Self::Scalar) -> Self;
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
    /// `self * a + b`.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `self + a`.
    fn add(self, a: Self) -> Self;
    /// The sum of the lanes.
    fn sum(self) -> Self::Scalar;
}

impl<L: Lanes> Vector for L {
    type Scalar = L::Scalar;
    const LANES: usize = L::LANES;

    #[inline(always)]
    fn splat(x: Self::Scalar) -> Self {
        Lanes::splat(x)
    }
    #[inline(always)]
    unsafe fn read(p: *const Self::Scalar) -> Self {
        // SAFETY: the caller's contract is `Lanes::read`'s.
        unsafe { Lanes::read(p) }
    }
    #[inline(always)]
    unsafe fn write(self, p: *mut Self::Scalar) {
        // SAFETY: the caller's contract is `Lanes::write`'s.
        unsafe { Lanes::write(self, p) }
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Lanes::mul_add(self, a, b)
    }
    #[inline(always)]
    fn add(mut self, a: Self) -> Self {
        self += a;
        self
    }
    #[inline(always)]
    fn sum(self) -> Self::Scalar {
        Lanes::sum(self)
    }
}
