//! The vector operations the products use, so one product body serves the
//! build's portable lanes ([`Lanes`], `wide`) and the x86 bodies compiled for wider
//! instruction sets than the build's baseline (`x86.rs`).

use crate::simd::Lanes;

/// A vector of `LANES` scalars with the loads, stores and fused multiply-adds of a
/// register block.
pub trait Vector: Copy {
    /// The scalar in each lane.
    type Scalar: Copy;
    /// How many lanes.
    const LANES: usize;
    /// How many vector registers the instruction set has.
    const REGISTERS: usize;

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

    /// Writes the transpose of an 8 by 8 tile of scalars: row `r` of the tile at
    /// `src + r * src_stride` becomes column `r` of the rows at
    /// `dst + c * dst_stride`.
    ///
    /// # Safety
    /// Eight scalars must be readable at each source row and writable at each
    /// destination row.
    #[inline(always)]
    unsafe fn transpose8(
        src: *const Self::Scalar,
        src_stride: usize,
        dst: *mut Self::Scalar,
        dst_stride: usize,
    ) {
        // SAFETY: the caller's contract.
        unsafe { transpose8_scalar(src, src_stride, dst, dst_stride) }
    }
}

/// [`Vector::transpose8`] a scalar at a time.
///
/// # Safety
/// As [`Vector::transpose8`].
#[inline(always)]
pub(super) unsafe fn transpose8_scalar<T: Copy>(
    src: *const T,
    src_stride: usize,
    dst: *mut T,
    dst_stride: usize,
) {
    for r in 0..8 {
        for c in 0..8 {
            // SAFETY: the caller's contract: row r < 8 and column c < 8.
            unsafe { *dst.add(c * dst_stride + r) = *src.add(r * src_stride + c) };
        }
    }
}

impl<L: Lanes> Vector for L {
    type Scalar = L::Scalar;
    const LANES: usize = L::LANES;
    const REGISTERS: usize = if cfg!(target_feature = "avx512f") {
        32
    } else {
        16
    };

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
    #[inline(always)]
    unsafe fn transpose8(src: *const L::Scalar, ss: usize, dst: *mut L::Scalar, ds: usize) {
        // `wide` transposes eight `f32x8` in registers where the build has AVX.
        if cfg!(target_feature = "avx") && size_of::<L::Scalar>() == size_of::<f32>() {
            let (src, dst) = (src.cast::<wide::f32x8>(), dst.cast::<wide::f32x8>());
            // SAFETY: the caller's contract; `Real` scalars of four bytes are `f32`.
            unsafe {
                let rows: [wide::f32x8; 8] = core::array::from_fn(|r| {
                    src.cast::<f32>()
                        .add(r * ss)
                        .cast::<wide::f32x8>()
                        .read_unaligned()
                });
                for (c, column) in wide::f32x8::transpose(rows).into_iter().enumerate() {
                    dst.cast::<f32>()
                        .add(c * ds)
                        .cast::<wide::f32x8>()
                        .write_unaligned(column);
                }
            }
        } else {
            // SAFETY: the caller's contract.
            unsafe { transpose8_scalar(src, ss, dst, ds) }
        }
    }
}
