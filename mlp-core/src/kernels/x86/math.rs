//! [`Math`] on the x86 vectors, and the entry points that run the batch loops of
//! the activations, losses and optimisers ([`LaneLoop`]) in them: the formulas of
//! `activation/` and `loss/` and the parameter updates compile into bodies for
//! AVX2+FMA and AVX-512, as the products do.
//!
//! Arithmetic, comparisons, selects, square roots, `2^n` and [`Math::exp_fast`] /
//! [`Math::tanh_fast`] (the formulas of `simd/math.rs`) are `core::arch`
//! intrinsics. The exact functions (`exp`, `exp_m1`, `ln`, `ln_1p`, and `tanh` in
//! `f64`) are `wide`'s of the same width on the same bits, so they give exactly
//! what the portable path of that width gives, edges included.

use super::{Avx2, Avx512, Level, Path, Vector};
use crate::kernels::LaneLoop;
use crate::real::{Dtype, Real};
use crate::simd::{Math, exp_fast, tanh_fast_f32};
use core::arch::x86_64::*;
use core::marker::PhantomData;
use core::mem::transmute;
use core::ops::{Add, Div, Mul, Neg, Sub};
use wide::{f32x8, f32x16, f64x4, f64x8};

/// Runs `kernel` on the path the products take ([`Path::chosen`]).
#[inline(always)]
pub(crate) fn run<K: LaneLoop>(kernel: K) -> K::Output {
    run_on(loop_path(), kernel)
}

/// Runs `kernel` in the vectors of `path`.
#[inline(always)]
pub(crate) fn run_on<K: LaneLoop>(path: Path, kernel: K) -> K::Output {
    match path.0 {
        Level::Portable => kernel.run::<<K::Scalar as Real>::Lanes>(),
        // SAFETY: a path at this level is only made where the CPU has AVX2 and FMA.
        Level::Avx2 => unsafe { avx2(kernel) },
        // SAFETY: a path at this level is only made where the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512(kernel) },
    }
}

#[target_feature(enable = "avx2,fma")]
fn avx2<K: LaneLoop>(kernel: K) -> K::Output {
    kernel.run::<Avx2<K::Scalar>>()
}

#[target_feature(enable = "avx512f")]
fn avx512<K: LaneLoop>(kernel: K) -> K::Output {
    kernel.run::<Avx512<K::Scalar>>()
}

#[cfg(test)]
std::thread_local! {
    /// The path tests make the loops of this thread take.
    static FORCED: core::cell::Cell<Option<Path>> = const { core::cell::Cell::new(None) };
}

#[inline(always)]
fn loop_path() -> Path {
    #[cfg(test)]
    if let Some(path) = FORCED.get() {
        return path;
    }
    Path::chosen()
}

/// Runs `f` with every batch loop of this thread on `path`.
#[cfg(test)]
pub(crate) fn on_path<R>(path: Path, f: impl FnOnce() -> R) -> R {
    let before = FORCED.replace(Some(path));
    let result = f();
    FORCED.set(before);
    result
}

#[cfg(test)]
mod tests;

/// `Math` and the operators for an x86 vector type. `$f32`/`$f64` say how each
/// operation is done on `f32` and on `f64` lanes of the register; every intrinsic
/// call is safe by the vector type's contract (only bodies compiled for its
/// instruction set make one, and they run only on CPUs that have it).
macro_rules! x86_math {
    (
        $name:ident($reg:ty), $pd:ty, $to_pd:ident, $to_ps:ident, wide: $w32:ident, $w64:ident;
        $($op:ident($($x:ident),*) => $f32:expr, $f64:expr;)*
    ) => {
        /// The operations of the macro's list, on the lanes `T::DTYPE` says.
        impl<T: Real> $name<T> {
            $(
                #[inline(always)]
                fn $op($($x: Self),*) -> Self {
                    // SAFETY: see the macro's docs.
                    let r = unsafe {
                        match T::DTYPE {
                            Dtype::F32 => {
                                $(let $x: $reg = $x.0;)*
                                $f32
                            }
                            Dtype::F64 => {
                                $(let $x: $pd = $to_pd($x.0);)*
                                $to_ps($f64)
                            }
                        }
                    };
                    Self(r, PhantomData)
                }
            )*

            /// `wide`'s `$w32` / `$w64` function on the same lanes.
            #[inline(always)]
            fn wide(self, f32: impl FnOnce($w32) -> $w32, f64: impl FnOnce($w64) -> $w64) -> Self {
                // SAFETY: `wide`'s vectors of this width are the register's bytes,
                // lane 0 first, as the register's are.
                let r = unsafe {
                    match T::DTYPE {
                        Dtype::F32 => transmute::<$w32, $reg>(f32(transmute::<$reg, $w32>(self.0))),
                        Dtype::F64 => transmute::<$w64, $reg>(f64(transmute::<$reg, $w64>(self.0))),
                    }
                };
                Self(r, PhantomData)
            }
        }

        impl<T: Real> Add for $name<T> {
            type Output = Self;
            #[inline(always)]
            fn add(self, y: Self) -> Self {
                Self::plus(self, y)
            }
        }

        impl<T: Real> Sub for $name<T> {
            type Output = Self;
            #[inline(always)]
            fn sub(self, y: Self) -> Self {
                Self::minus(self, y)
            }
        }

        impl<T: Real> Mul for $name<T> {
            type Output = Self;
            #[inline(always)]
            fn mul(self, y: Self) -> Self {
                Self::times(self, y)
            }
        }

        impl<T: Real> Div for $name<T> {
            type Output = Self;
            #[inline(always)]
            fn div(self, y: Self) -> Self {
                Self::over(self, y)
            }
        }

        impl<T: Real> Neg for $name<T> {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                Self::negated(self)
            }
        }

        impl<T: Real> Math for $name<T> {
            const MANTISSA_BITS: u32 = match T::DTYPE {
                Dtype::F32 => 23,
                Dtype::F64 => 52,
            };

            #[inline(always)]
            fn num(x: f64) -> Self {
                <Self as Vector>::splat(T::of(x))
            }
            #[inline(always)]
            fn mul_add(x: Self, a: Self, b: Self) -> Self {
                Self::fused(x, a, b)
            }
            #[inline(always)]
            fn abs(x: Self) -> Self {
                Self::magnitude(x)
            }
            #[inline(always)]
            fn max(x: Self, y: Self) -> Self {
                Self::larger(x, y)
            }
            #[inline(always)]
            fn clamp(x: Self, lo: Self, hi: Self) -> Self {
                Self::clamped(x, lo, hi)
            }
            #[inline(always)]
            fn pow2i(n: Self) -> Self {
                // n + 2^mantissa + bias is exact and holds n + bias in the low bits
                // of the mantissa; shifted up, they are the exponent.
                let magic = match T::DTYPE {
                    Dtype::F32 => ((1u64 << 23) + 127) as f64,
                    Dtype::F64 => ((1u64 << 52) + 1023) as f64,
                };
                Self::shifted(n + Self::num(magic))
            }
            #[inline(always)]
            fn gt_select(x: Self, y: Self, if_true: Self, if_false: Self) -> Self {
                Self::select_gt(x, y, if_true, if_false)
            }
            #[inline(always)]
            fn exp(x: Self) -> Self {
                x.wide($w32::exp, $w64::exp)
            }
            #[inline(always)]
            fn exp_fast(x: Self) -> Self {
                exp_fast(x)
            }
            #[inline(always)]
            fn exp_m1(x: Self) -> Self {
                x.wide($w32::exp_m1, $w64::exp_m1)
            }
            #[inline(always)]
            fn ln_1p(x: Self) -> Self {
                x.wide($w32::ln_1p, $w64::ln_1p)
            }
            #[inline(always)]
            fn ln(x: Self) -> Self {
                x.wide($w32::ln, $w64::ln)
            }
            #[inline(always)]
            fn sqrt(x: Self) -> Self {
                Self::root(x)
            }
            #[inline(always)]
            fn tanh_fast(x: Self) -> Self {
                match T::DTYPE {
                    Dtype::F32 => tanh_fast_f32(x),
                    Dtype::F64 => x.wide($w32::tanh, $w64::tanh),
                }
            }
        }
    };
}

x86_math!(
    Avx2(__m256), __m256d, _mm256_castps_pd, _mm256_castpd_ps, wide: f32x8, f64x4;
    plus(x, y) => _mm256_add_ps(x, y), _mm256_add_pd(x, y);
    minus(x, y) => _mm256_sub_ps(x, y), _mm256_sub_pd(x, y);
    times(x, y) => _mm256_mul_ps(x, y), _mm256_mul_pd(x, y);
    over(x, y) => _mm256_div_ps(x, y), _mm256_div_pd(x, y);
    negated(x) => _mm256_xor_ps(x, _mm256_set1_ps(-0.0)), _mm256_xor_pd(x, _mm256_set1_pd(-0.0));
    magnitude(x) => _mm256_andnot_ps(_mm256_set1_ps(-0.0), x),
        _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);
    fused(x, a, b) => _mm256_fmadd_ps(x, a, b), _mm256_fmadd_pd(x, a, b);
    root(x) => _mm256_sqrt_ps(x), _mm256_sqrt_pd(x);
    // `wide`'s max: the other value where one is NaN (maxps gives `y` then).
    larger(x, y) => _mm256_blendv_ps(_mm256_max_ps(x, y), x, _mm256_cmp_ps::<_CMP_UNORD_Q>(y, y)),
        _mm256_blendv_pd(_mm256_max_pd(x, y), x, _mm256_cmp_pd::<_CMP_UNORD_Q>(y, y));
    select_gt(x, y, t, f) => _mm256_blendv_ps(f, t, _mm256_cmp_ps::<_CMP_GT_OQ>(x, y)),
        _mm256_blendv_pd(f, t, _mm256_cmp_pd::<_CMP_GT_OQ>(x, y));
    // `wide`'s fast_min(hi, fast_max(lo, x)): NaN in `x` comes through both.
    clamped(x, lo, hi) => _mm256_min_ps(hi, _mm256_max_ps(lo, x)),
        _mm256_min_pd(hi, _mm256_max_pd(lo, x));
    shifted(x) => _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_castps_si256(x))),
        _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(x)));
);

x86_math!(
    Avx512(__m512), __m512d, _mm512_castps_pd, _mm512_castpd_ps, wide: f32x16, f64x8;
    plus(x, y) => _mm512_add_ps(x, y), _mm512_add_pd(x, y);
    minus(x, y) => _mm512_sub_ps(x, y), _mm512_sub_pd(x, y);
    times(x, y) => _mm512_mul_ps(x, y), _mm512_mul_pd(x, y);
    over(x, y) => _mm512_div_ps(x, y), _mm512_div_pd(x, y);
    // AVX-512F has the bitwise operations on integers only.
    negated(x) => _mm512_castsi512_ps(_mm512_xor_si512(
            _mm512_castps_si512(x),
            _mm512_set1_epi32(i32::MIN),
        )),
        _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), _mm512_set1_epi64(i64::MIN)));
    magnitude(x) => _mm512_abs_ps(x), _mm512_abs_pd(x);
    fused(x, a, b) => _mm512_fmadd_ps(x, a, b), _mm512_fmadd_pd(x, a, b);
    root(x) => _mm512_sqrt_ps(x), _mm512_sqrt_pd(x);
    larger(x, y) => _mm512_mask_blend_ps(
            _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(y, y),
            _mm512_max_ps(x, y),
            x,
        ),
        _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_UNORD_Q>(y, y), _mm512_max_pd(x, y), x);
    select_gt(x, y, t, f) => _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_GT_OQ>(x, y), f, t),
        _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(x, y), f, t);
    clamped(x, lo, hi) => _mm512_min_ps(hi, _mm512_max_ps(lo, x)),
        _mm512_min_pd(hi, _mm512_max_pd(lo, x));
    shifted(x) => _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_castps_si512(x))),
        _mm512_castsi512_pd(_mm512_slli_epi64::<52>(_mm512_castpd_si512(x)));
);
