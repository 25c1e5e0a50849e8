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
    //! Every vector type at every width, whatever the build's target features
    //! (`wide` emulates a wider type with narrower registers), against the `f64`
    //! functions of the standard library. Errors are relative, in units of the
    //! scalar's epsilon (`f32::EPSILON` or `f64::EPSILON`); in `f64` the reference
    //! itself is within about one unit. `cargo test -p mlp-core --lib simd --
    //! --nocapture` prints the measured maximum of each function at each width.

    use super::*;
    use crate::real::Real;

    fn epsilon<T: Real>() -> f64 {
        if T::NAME == "f32" {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        }
    }

    /// Applies `f` to `xs` (rounded to the scalar) one vector at a time, the last
    /// one padded, and returns the inputs with the results.
    fn apply<V: Lanes>(xs: &[f64], f: impl Fn(V) -> V) -> Vec<(f64, f64)>
    where
        V::Scalar: Real,
    {
        let zero = V::Scalar::of(0.0);
        let mut results = Vec::with_capacity(xs.len());
        for chunk in xs.chunks(V::LANES) {
            let (mut input, mut output) = ([zero; 16], [zero; 16]);
            for (lane, &x) in input.iter_mut().zip(chunk) {
                *lane = V::Scalar::of(x);
            }
            f(V::load(&input, 0)).store(&mut output, 0);
            for k in 0..chunk.len() {
                results.push((input[k].to_f64(), output[k].to_f64()));
            }
        }
        results
    }

    /// The largest relative error of `f` over `xs` against `reference`, in units
    /// of epsilon; fails at the first input beyond `bound` units.
    fn max_error<V: Lanes>(
        name: &str,
        xs: &[f64],
        f: impl Fn(V) -> V,
        reference: fn(f64) -> f64,
        bound: f64,
    ) -> f64
    where
        V::Scalar: Real,
    {
        let eps = epsilon::<V::Scalar>();
        let mut worst: f64 = 0.0;
        for (x, got) in apply::<V>(xs, f) {
            let want = reference(x);
            let error = if want == 0.0 {
                if got == 0.0 { 0.0 } else { f64::INFINITY }
            } else {
                (got - want).abs() / (eps * want.abs())
            };
            assert!(
                error <= bound,
                "{name}({x}) = {got} with {} x {}, want {want} ({error:.2} units, bound {bound})",
                V::Scalar::NAME,
                V::LANES
            );
            worst = worst.max(error);
        }
        println!(
            "{name:<9} {}x{:<2} max error {worst:.2} units (bound {bound})",
            V::Scalar::NAME,
            V::LANES
        );
        worst
    }

    fn range(from: f64, to: f64, points: usize) -> Vec<f64> {
        (0..points)
            .map(|i| from + (to - from) * i as f64 / (points - 1) as f64)
            .collect()
    }

    /// The transcendental functions on the ranges the activations and losses use
    /// them on, each within 4 units: the documented accuracy (`exp_fast` about 2
    /// ulp, `tanh_fast` 4 ulp). Measured on x86-64, the largest errors are 1.4
    /// units in `f32` and 2.1 in `f64`, the same at every width.
    fn transcendental<V: Lanes>(exp_range: f64)
    where
        V::Scalar: Real,
    {
        let exps = range(-exp_range, exp_range, 20_001);
        max_error::<V>("exp_fast", &exps, V::exp_fast, f64::exp, 4.0);
        max_error::<V>("exp", &exps, V::exp, f64::exp, 4.0);
        let small = range(-20.0, 20.0, 20_001);
        max_error::<V>("tanh_fast", &small, V::tanh_fast, f64::tanh, 4.0);
        max_error::<V>("tanh", &small, V::tanh, f64::tanh, 4.0);
        let negative = range(-exp_range, 0.0, 20_001);
        max_error::<V>("exp_m1", &negative, V::exp_m1, f64::exp_m1, 4.0);
        let unit = range(0.0, 1.0, 20_001);
        max_error::<V>("ln_1p", &unit, V::ln_1p, f64::ln_1p, 4.0);
        let positive = range(1e-30, 1e30, 20_001);
        max_error::<V>("ln", &positive, V::ln, f64::ln, 4.0);
    }

    #[test]
    fn transcendental_functions_are_accurate_at_every_width() {
        transcendental::<f32x4>(87.0);
        transcendental::<f32x8>(87.0);
        transcendental::<f32x16>(87.0);
        transcendental::<f64x2>(708.0);
        transcendental::<f64x4>(708.0);
        transcendental::<f64x8>(708.0);
    }

    /// The exact operations give what the scalar ones give, lane by lane; sums and
    /// fused multiply-adds are within their rounding.
    fn arithmetic<V: Lanes>()
    where
        V::Scalar: Real,
    {
        let eps = epsilon::<V::Scalar>();
        let n = V::LANES;
        let of = V::Scalar::of;
        let values: Vec<V::Scalar> = (0..3 * n + 1)
            .map(|i| of(((i * 37 + 11) % 23) as f64 / 7.0 - 1.5))
            .collect();
        // Unaligned loads, reads, stores and writes at an odd offset.
        let (a, b, c) = (
            V::load(&values, 1),
            V::load(&values, n + 1),
            // SAFETY: 2 n + 1 + n <= 3 n + 1 values.
            unsafe { V::read(values.as_ptr().add(2 * n + 1)) },
        );
        let mut out = vec![of(0.0); 2 * n + 1];
        let lanes = |v: V, out: &mut Vec<V::Scalar>| -> Vec<f64> {
            v.store(out, 1);
            let stored: Vec<f64> = out[1..=n].iter().map(|x| x.to_f64()).collect();
            // SAFETY: n + 1 + n <= 2 n + 1 values.
            unsafe { v.write(out.as_mut_ptr().add(n + 1)) };
            assert_eq!(out[1..=n], out[n + 1..]);
            stored
        };
        let (xa, xb, xc) = (lanes(a, &mut out), lanes(b, &mut out), lanes(c, &mut out));
        let x = |k: usize| (xa[k], xb[k], xc[k]);
        let mut exact = |name: &str, v: V, want: &dyn Fn(f64, f64, f64) -> f64| {
            let got = lanes(v, &mut out);
            for (k, got) in got.iter().enumerate() {
                let (p, q, r) = x(k);
                let want = of(want(p, q, r)).to_f64();
                assert_eq!(*got, want, "{name} lane {k} of {}x{n}", V::Scalar::NAME);
            }
        };
        exact("add", a + b, &|p, q, _| p + q);
        exact("sub", a - b, &|p, q, _| p - q);
        exact("mul", a * b, &|p, q, _| p * q);
        exact("neg", -a, &|p, _, _| -p);
        exact("abs", a.abs(), &|p, _, _| p.abs());
        exact("max", a.max(b), &|p, q, _| p.max(q));
        exact("select", a.gt_select(b, b, c), &|p, q, r| {
            if p > q { q } else { r }
        });
        exact("splat", V::splat(of(0.75)), &|_, _, _| 0.75);
        let mut sum = a;
        sum += b;
        exact("add_assign", sum, &|p, q, _| p + q);
        let (quotient, fused) = (lanes(a.div(b), &mut out), lanes(a.mul_add(b, c), &mut out));
        for k in 0..n {
            let (p, q, r) = x(k);
            let want = (of(p) / of(q)).to_f64();
            assert_eq!(quotient[k], want, "div lane {k} of {}x{n}", V::Scalar::NAME);
            // Fused or not, within one rounding of the product and one of the sum.
            let bound = eps * ((p * q).abs() + (p * q + r).abs());
            assert!((fused[k] - (p * q + r)).abs() <= bound, "mul_add lane {k}");
        }
        let total: f64 = xa.iter().sum();
        let magnitude: f64 = xa.iter().map(|x| x.abs()).sum();
        assert!((a.sum().to_f64() - total).abs() <= n as f64 * eps * magnitude);
    }

    #[test]
    fn arithmetic_matches_the_scalar_operations_at_every_width() {
        arithmetic::<f32x4>();
        arithmetic::<f32x8>();
        arithmetic::<f32x16>();
        arithmetic::<f64x2>();
        arithmetic::<f64x4>();
        arithmetic::<f64x8>();
    }

    fn fast_exp_edges<V: Lanes>(below: f64, above: f64)
    where
        V::Scalar: Real,
    {
        let edges = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            below,
            above,
        ];
        let results = apply::<V>(&edges, V::exp_fast);
        let (what, n) = (V::Scalar::NAME, V::LANES);
        assert!(results[0].1.is_nan(), "exp_fast(NaN) {what}x{n}");
        let largest = if what == "f32" { 1e38 } else { 1e307 };
        assert!(
            results[1].1.is_finite() && results[1].1 > largest,
            "{what}x{n}"
        );
        assert_eq!(results[2].1, 0.0, "exp_fast(-inf) {what}x{n}");
        assert_eq!(results[3].1, 1.0, "exp_fast(0) {what}x{n}");
        assert_eq!(
            results[4].1, 0.0,
            "exp_fast below the normal range {what}x{n}"
        );
        assert!(
            results[5].1.is_finite(),
            "exp_fast above the range {what}x{n}"
        );
    }

    #[test]
    fn fast_exp_edges_at_every_width() {
        fast_exp_edges::<f32x4>(-87.5, 100.0);
        fast_exp_edges::<f32x8>(-87.5, 100.0);
        fast_exp_edges::<f32x16>(-87.5, 100.0);
        fast_exp_edges::<f64x2>(-708.5, 1000.0);
        fast_exp_edges::<f64x4>(-708.5, 1000.0);
        fast_exp_edges::<f64x8>(-708.5, 1000.0);
    }
}
