//! The batch products compiled for AVX2 with FMA and for AVX-512 next to the
//! build's baseline, the widest the CPU has chosen once at run time: a plain
//! `cargo build --release` targets SSE2, where `wide` runs four `f32` lanes
//! without fused multiply-adds.
//!
//! `wide` picks its instructions from the build's target features, so inside a
//! `#[target_feature]` body its types stay SSE2; the bodies here run the same
//! product code (`gemm.rs`) over [`Avx2`] and [`Avx512`], which call `core::arch`
//! intrinsics that inline into those bodies.

#[cfg(not(target_feature = "avx2"))]
use super::fallback::{self, Elements};
use super::gemm::{self, Operand};
use super::vector::{Vector, transpose8_scalar};
use crate::activation::Elementwise;
use crate::batch::Batch;
#[cfg(not(target_feature = "avx2"))]
use crate::batch::LANE_PAD;
use crate::real::{Dtype, Real};
use core::arch::x86_64::{
    __m256, __m512, _mm256_add_pd, _mm256_add_ps, _mm256_castpd_ps, _mm256_castps_pd,
    _mm256_fmadd_pd, _mm256_fmadd_ps, _mm256_loadu_pd, _mm256_loadu_ps, _mm256_permute2f128_ps,
    _mm256_set1_pd, _mm256_set1_ps, _mm256_shuffle_ps, _mm256_storeu_pd, _mm256_storeu_ps,
    _mm256_unpackhi_ps, _mm256_unpacklo_ps, _mm512_add_pd, _mm512_add_ps, _mm512_castpd_ps,
    _mm512_castps_pd, _mm512_fmadd_pd, _mm512_fmadd_ps, _mm512_loadu_pd, _mm512_loadu_ps,
    _mm512_set1_pd, _mm512_set1_ps, _mm512_storeu_pd, _mm512_storeu_ps,
};
use core::marker::PhantomData;
use core::sync::atomic::{AtomicU8, Ordering};

/// Which instructions a product runs on. A path other than the portable one is
/// only made by [`Path::available`] and [`Path::chosen`], which check the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Path(Level);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// The build's own target features, through `wide`.
    Portable = 1,
    Avx2 = 2,
    Avx512 = 3,
}

/// The widest level this CPU runs, detected on first use (0: not yet).
static DETECTED: AtomicU8 = AtomicU8::new(0);

fn detected() -> Level {
    match DETECTED.load(Ordering::Relaxed) {
        1 => Level::Portable,
        2 => Level::Avx2,
        3 => Level::Avx512,
        _ => {
            let level = if std::is_x86_feature_detected!("avx512f") {
                Level::Avx512
            } else if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            {
                Level::Avx2
            } else {
                Level::Portable
            };
            DETECTED.store(level as u8, Ordering::Relaxed);
            level
        }
    }
}

impl Path {
    /// The build's baseline, through `wide`.
    pub(crate) const PORTABLE: Self = Self(Level::Portable);

    /// Every path this CPU can run, the portable one first.
    #[cfg(test)]
    pub(crate) fn available() -> impl Iterator<Item = Self> {
        let widest = detected();
        [Level::Portable, Level::Avx2, Level::Avx512]
            .into_iter()
            .filter(move |&level| level <= widest)
            .map(Self)
    }

    /// The path the products take: the widest the CPU has, or the portable one
    /// where the build's target features already give `wide` that width.
    #[inline]
    pub(crate) fn chosen() -> Self {
        if cfg!(target_feature = "avx512f") {
            return Self::PORTABLE;
        }
        match detected() {
            Level::Avx2 if cfg!(all(target_feature = "avx2", target_feature = "fma")) => {
                Self::PORTABLE
            }
            level => Self(level),
        }
    }

    /// The instruction set's name, for messages.
    #[cfg(test)]
    pub(crate) fn name(self) -> &'static str {
        match self.0 {
            Level::Portable => "portable",
            Level::Avx2 => "avx2+fma",
            Level::Avx512 => "avx512f",
        }
    }
}

/// [`gemm::product`] on `path`.
#[inline]
pub(crate) fn product<T: Real, const M: usize, const K: usize, const TR: bool, B, E>(
    path: Path,
    w: &[T],
    bias: Option<&[T]>,
    b: &B,
    c: &mut Batch<T, M>,
    activated: Option<(&E, &mut Batch<T, M>)>,
) where
    B: Operand<T, K>,
    E: Elementwise,
{
    match path.0 {
        #[cfg(target_feature = "avx2")]
        Level::Portable => {
            gemm::product_with::<T, T::Lanes, M, K, TR, B, E>(w, bias, b, c, activated);
        }
        #[cfg(not(target_feature = "avx2"))]
        Level::Portable => fallback_product::<T, M, K, TR, B, E>(w, bias, b, c, activated),
        // SAFETY: a path at this level is only made where the CPU has AVX2 and FMA.
        Level::Avx2 => unsafe { avx2::product::<T, M, K, TR, B, E>(w, bias, b, c, activated) },
        // SAFETY: a path at this level is only made where the CPU has AVX-512F.
        Level::Avx512 => unsafe {
            avx512::product::<T, M, K, TR, B, E>(w, bias, b, c, activated);
        },
    }
}

/// [`gemm::product`] on a CPU without AVX2, in a build without it: the one
/// shape-generic body of `fallback.rs`.
#[cfg(not(target_feature = "avx2"))]
#[inline]
fn fallback_product<T: Real, const M: usize, const K: usize, const TR: bool, B, E>(
    w: &[T],
    bias: Option<&[T]>,
    b: &B,
    c: &mut Batch<T, M>,
    activated: Option<(&E, &mut Batch<T, M>)>,
) where
    B: Operand<T, K>,
    E: Elementwise,
{
    let (base, feature, sample) = b.elements();
    let samples = b.samples();
    let stride = c.capacity();
    assert!(w.len() >= M * K && bias.is_none_or(|b| b.len() >= M));
    assert!(samples.div_ceil(LANE_PAD) * LANE_PAD <= stride && c.as_slice().len() >= M * stride);
    let activated = activated.map(|(e, a)| {
        assert_eq!(a.capacity(), stride, "an activation's batch has C's shape");
        a.set_len(samples);
        (e, a.as_mut_slice().as_mut_ptr())
    });
    let b = Elements {
        base,
        feature,
        sample,
        samples,
    };
    let c = c.as_mut_slice().as_mut_ptr();
    // SAFETY: checked above; the operand holds its samples' K features (and,
    // feature-major, their padded runs).
    unsafe { fallback::product::<T, T::Lanes, E>(w, (M, K, TR), bias, b, c, stride, activated) };
}

/// [`gemm::rows_to_rows`] on `path`.
#[inline]
pub(crate) fn rows_to_rows<T: Real, const M: usize, const K: usize, E: Elementwise>(
    path: Path,
    w: &[T],
    bias: &[T],
    rows: &[[T; K]],
    out: &mut [[T; M]],
    act: &E,
) {
    match path.0 {
        #[cfg(target_feature = "avx2")]
        Level::Portable => gemm::rows_to_rows_with::<T, T::Lanes, M, K, E>(w, bias, rows, out, act),
        #[cfg(not(target_feature = "avx2"))]
        Level::Portable => {
            assert!(w.len() >= M * K && bias.len() >= M && rows.len() == out.len());
            let (x, c) = (rows.as_ptr().cast::<T>(), out.as_mut_ptr().cast::<T>());
            // SAFETY: `w` holds M * K, the bias M; `rows` holds its samples' K
            // features and `out` as many rows of M.
            unsafe {
                fallback::rows_to_rows::<T, T::Lanes, E>(w, (M, K), bias, x, rows.len(), c, act)
            };
        }
        // SAFETY: a path at this level is only made where the CPU has AVX2 and FMA.
        Level::Avx2 => unsafe { avx2::rows_to_rows::<T, M, K, E>(w, bias, rows, out, act) },
        // SAFETY: a path at this level is only made where the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::rows_to_rows::<T, M, K, E>(w, bias, rows, out, act) },
    }
}

/// [`gemm::weight_gradient`] on `path`.
#[inline]
pub(crate) fn weight_gradient<T: Real, const IN: usize, const OUT: usize, X>(
    path: Path,
    gw: &mut [T],
    x: &X,
    delta: &Batch<T, OUT>,
    rows: &mut [T],
) where
    X: Operand<T, IN>,
{
    match path.0 {
        #[cfg(target_feature = "avx2")]
        Level::Portable => {
            gemm::weight_gradient_with::<T, T::Lanes, IN, OUT, X>(gw, x, delta, rows);
        }
        #[cfg(not(target_feature = "avx2"))]
        Level::Portable => {
            let (base, feature, sample) = x.elements();
            assert!(gw.len() >= IN * OUT && x.samples() == delta.len());
            let x = Elements {
                base,
                feature,
                sample,
                samples: delta.len(),
            };
            let delta = (delta.as_slice().as_ptr(), delta.capacity());
            // SAFETY: `gw` holds IN * OUT; the operand holds its samples' IN
            // features; `delta` OUT runs of its capacity >= its length.
            unsafe { fallback::weight_gradient::<T, T::Lanes>(gw, (IN, OUT), x, delta, rows) };
        }
        // SAFETY: a path at this level is only made where the CPU has AVX2 and FMA.
        Level::Avx2 => unsafe { avx2::weight_gradient::<T, IN, OUT, X>(gw, x, delta, rows) },
        // SAFETY: a path at this level is only made where the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::weight_gradient::<T, IN, OUT, X>(gw, x, delta, rows) },
    }
}

/// [`gemm::bias_gradient`] on `path`.
#[inline]
pub(crate) fn bias_gradient<T: Real, const OUT: usize>(
    path: Path,
    gb: &mut [T],
    delta: &Batch<T, OUT>,
) {
    match path.0 {
        Level::Portable => gemm::bias_gradient_with::<T, T::Lanes, OUT>(gb, delta),
        // SAFETY: a path at this level is only made where the CPU has AVX2 and FMA.
        Level::Avx2 => unsafe { avx2::bias_gradient::<T, OUT>(gb, delta) },
        // SAFETY: a path at this level is only made where the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::bias_gradient::<T, OUT>(gb, delta) },
    }
}

/// The entry points compiled for one instruction set: the `gemm.rs` bodies over
/// its vector type, every call inside them inlined.
macro_rules! entry_points {
    ($module:ident, $feature:literal, $vector:ident) => {
        mod $module {
            use super::{Batch, Elementwise, Operand, Real, gemm, $vector};

            #[target_feature(enable = $feature)]
            pub(super) fn product<T: Real, const M: usize, const K: usize, const TR: bool, B, E>(
                w: &[T],
                bias: Option<&[T]>,
                b: &B,
                c: &mut Batch<T, M>,
                activated: Option<(&E, &mut Batch<T, M>)>,
            ) where
                B: Operand<T, K>,
                E: Elementwise,
            {
                gemm::product_with::<T, $vector<T>, M, K, TR, B, E>(w, bias, b, c, activated);
            }

            #[target_feature(enable = $feature)]
            pub(super) fn rows_to_rows<T: Real, const M: usize, const K: usize, E: Elementwise>(
                w: &[T],
                bias: &[T],
                rows: &[[T; K]],
                out: &mut [[T; M]],
                act: &E,
            ) {
                gemm::rows_to_rows_with::<T, $vector<T>, M, K, E>(w, bias, rows, out, act);
            }

            #[target_feature(enable = $feature)]
            pub(super) fn weight_gradient<T: Real, const IN: usize, const OUT: usize, X>(
                gw: &mut [T],
                x: &X,
                delta: &Batch<T, OUT>,
                rows: &mut [T],
            ) where
                X: Operand<T, IN>,
            {
                gemm::weight_gradient_with::<T, $vector<T>, IN, OUT, X>(gw, x, delta, rows);
            }

            #[target_feature(enable = $feature)]
            pub(super) fn bias_gradient<T: Real, const OUT: usize>(
                gb: &mut [T],
                delta: &Batch<T, OUT>,
            ) {
                gemm::bias_gradient_with::<T, $vector<T>, OUT>(gb, delta);
            }
        }
    };
}

entry_points!(avx2, "avx2,fma", Avx2);
entry_points!(avx512, "avx512f", Avx512);

/// The sum of a vector's lanes, through memory (only the products' short bias
/// sums need it).
#[inline(always)]
fn sum<V: Vector<Scalar = T>, T: Real>(v: V) -> T {
    let mut lanes = [T::ZERO; 16];
    // SAFETY: a vector here holds at most 16 lanes (64 bytes of `f32`).
    unsafe { v.write(lanes.as_mut_ptr()) };
    lanes[..V::LANES].iter().fold(T::ZERO, |s, &x| s + x)
}

/// An 8 by 8 tile of `f32` transposed in AVX registers: unpacks of row pairs, then
/// shuffles of their halves, then the 128-bit lanes swapped.
///
/// # Safety
/// The CPU has AVX (only the bodies compiled for it call this); eight `f32` are
/// readable at `src + r * ss` and writable at `dst + c * ds` for `r, c < 8`.
#[inline(always)]
unsafe fn transpose8_avx(src: *const f32, ss: usize, dst: *mut f32, ds: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let r: [__m256; 8] = core::array::from_fn(|i| _mm256_loadu_ps(src.add(i * ss)));
        let a = [
            _mm256_unpacklo_ps(r[0], r[1]),
            _mm256_unpackhi_ps(r[0], r[1]),
            _mm256_unpacklo_ps(r[2], r[3]),
            _mm256_unpackhi_ps(r[2], r[3]),
            _mm256_unpacklo_ps(r[4], r[5]),
            _mm256_unpackhi_ps(r[4], r[5]),
            _mm256_unpacklo_ps(r[6], r[7]),
            _mm256_unpackhi_ps(r[6], r[7]),
        ];
        // Lanes 0, 1 of the first and of the second, or lanes 2, 3.
        const LO: i32 = 0b01_00_01_00;
        const HI: i32 = 0b11_10_11_10;
        let b = [
            _mm256_shuffle_ps::<LO>(a[0], a[2]),
            _mm256_shuffle_ps::<HI>(a[0], a[2]),
            _mm256_shuffle_ps::<LO>(a[1], a[3]),
            _mm256_shuffle_ps::<HI>(a[1], a[3]),
            _mm256_shuffle_ps::<LO>(a[4], a[6]),
            _mm256_shuffle_ps::<HI>(a[4], a[6]),
            _mm256_shuffle_ps::<LO>(a[5], a[7]),
            _mm256_shuffle_ps::<HI>(a[5], a[7]),
        ];
        for i in 0..4 {
            _mm256_storeu_ps(
                dst.add(i * ds),
                _mm256_permute2f128_ps::<0x20>(b[i], b[i + 4]),
            );
            _mm256_storeu_ps(
                dst.add((i + 4) * ds),
                _mm256_permute2f128_ps::<0x31>(b[i], b[i + 4]),
            );
        }
    }
}

/// Defines an x86 vector of `T` over a register type, its bits read as `f32` or
/// `f64` lanes by `T::DTYPE`: `Real` is sealed to `f32` (`Dtype::F32`) and `f64`
/// (`Dtype::F64`), so the pointer casts below are to `T` itself.
macro_rules! x86_vector {
    (
        $(#[$doc:meta])* $name:ident($reg:ty, $bytes:literal, $registers:literal, $feature:literal):
        $set_ps:ident, $set_pd:ident, $load_ps:ident, $load_pd:ident, $store_ps:ident,
        $store_pd:ident, $fma_ps:ident, $fma_pd:ident, $add_ps:ident, $add_pd:ident,
        $to_ps:ident, $to_pd:ident
    ) => {
        $(#[$doc])*
        ///
        /// Only the bodies compiled with
        #[doc = concat!("`", $feature, "`")]
        /// make or use one, and they run only on CPUs that have those features:
        /// that is the safety of every intrinsic call below.
        #[derive(Clone, Copy)]
        struct $name<T>($reg, PhantomData<T>);

        impl<T: Real> Vector for $name<T> {
            type Scalar = T;
            const LANES: usize = $bytes / size_of::<T>();
            const REGISTERS: usize = $registers;

            #[inline(always)]
            fn splat(x: T) -> Self {
                let p = core::ptr::from_ref(&x);
                // SAFETY: see the type's docs; `p` points to a `T` of this dtype.
                let r = unsafe {
                    match T::DTYPE {
                        Dtype::F32 => $set_ps(p.cast::<f32>().read()),
                        Dtype::F64 => $to_ps($set_pd(p.cast::<f64>().read())),
                    }
                };
                Self(r, PhantomData)
            }
            #[inline(always)]
            unsafe fn read(p: *const T) -> Self {
                // SAFETY: see the type's docs; the caller guarantees `LANES`
                // readable scalars at `p`.
                let r = unsafe {
                    match T::DTYPE {
                        Dtype::F32 => $load_ps(p.cast::<f32>()),
                        Dtype::F64 => $to_ps($load_pd(p.cast::<f64>())),
                    }
                };
                Self(r, PhantomData)
            }
            #[inline(always)]
            unsafe fn write(self, p: *mut T) {
                // SAFETY: see the type's docs; the caller guarantees `LANES`
                // writable scalars at `p`.
                unsafe {
                    match T::DTYPE {
                        Dtype::F32 => $store_ps(p.cast::<f32>(), self.0),
                        Dtype::F64 => $store_pd(p.cast::<f64>(), $to_pd(self.0)),
                    }
                }
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                // SAFETY: see the type's docs.
                let r = unsafe {
                    match T::DTYPE {
                        Dtype::F32 => $fma_ps(self.0, a.0, b.0),
                        Dtype::F64 => $to_ps($fma_pd($to_pd(self.0), $to_pd(a.0), $to_pd(b.0))),
                    }
                };
                Self(r, PhantomData)
            }
            #[inline(always)]
            fn add(self, a: Self) -> Self {
                // SAFETY: see the type's docs.
                let r = unsafe {
                    match T::DTYPE {
                        Dtype::F32 => $add_ps(self.0, a.0),
                        Dtype::F64 => $to_ps($add_pd($to_pd(self.0), $to_pd(a.0))),
                    }
                };
                Self(r, PhantomData)
            }
            #[inline(always)]
            fn sum(self) -> T {
                sum(self)
            }
            #[inline(always)]
            unsafe fn transpose8(src: *const T, ss: usize, dst: *mut T, ds: usize) {
                // SAFETY: see the type's docs (both feature sets include AVX); the
                // caller's contract bounds the accesses.
                unsafe {
                    match T::DTYPE {
                        Dtype::F32 => transpose8_avx(src.cast(), ss, dst.cast(), ds),
                        Dtype::F64 => transpose8_scalar(src, ss, dst, ds),
                    }
                }
            }
        }
    };
}

x86_vector!(
    /// Eight `f32` or four `f64` in an AVX register.
    Avx2(__m256, 32, 16, "avx2,fma"):
    _mm256_set1_ps, _mm256_set1_pd, _mm256_loadu_ps, _mm256_loadu_pd, _mm256_storeu_ps,
    _mm256_storeu_pd, _mm256_fmadd_ps, _mm256_fmadd_pd, _mm256_add_ps, _mm256_add_pd,
    _mm256_castpd_ps, _mm256_castps_pd
);

x86_vector!(
    /// Sixteen `f32` or eight `f64` in an AVX-512 register.
    Avx512(__m512, 64, 32, "avx512f"):
    _mm512_set1_ps, _mm512_set1_pd, _mm512_loadu_ps, _mm512_loadu_pd, _mm512_storeu_ps,
    _mm512_storeu_pd, _mm512_fmadd_ps, _mm512_fmadd_pd, _mm512_add_ps, _mm512_add_pd,
    _mm512_castpd_ps, _mm512_castps_pd
);

// The batch loops of the activations, losses and optimisers on the same paths.
mod math;

pub(crate) use math::run;
