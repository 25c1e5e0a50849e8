//! Every vector type at every width, whatever the build's target features
//! (`wide` emulates a wider type with narrower registers), against the `f64`
//! functions of the standard library. Errors are relative, in units of the
//! scalar's epsilon (`f32::EPSILON` or `f64::EPSILON`); in `f64` the reference
//! itself is within about one unit. `cargo test -p mlp-core --lib simd --
//! --nocapture` prints the measured maximum of each function at each width.

use super::*;
use crate::real::Real;

fn epsilon<T: Real>() -> f64 {
    if T::DTYPE == crate::real::Dtype::F32 {
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
    exact("abs", V::abs(a), &|p, _, _| p.abs());
    exact("max", V::max(a, b), &|p, q, _| p.max(q));
    exact("select", V::gt_select(a, b, b, c), &|p, q, r| {
        if p > q { q } else { r }
    });
    exact("splat", V::splat(of(0.75)), &|_, _, _| 0.75);
    let mut sum = a;
    sum += b;
    exact("add_assign", sum, &|p, q, _| p + q);
    let (quotient, fused) = (lanes(a / b, &mut out), lanes(a.mul_add(b, c), &mut out));
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
    let largest = if V::Scalar::DTYPE == crate::real::Dtype::F32 {
        1e38
    } else {
        1e307
    };
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

/// A WebAssembly build with `+simd128` computes in 128-bit vectors, which `wide`
/// runs on the simd128 instructions: four `f32` lanes, two `f64` lanes. Without
/// the feature `wide` would fall back to arrays of scalars (this test says so).
#[test]
#[cfg(target_family = "wasm")]
fn webassembly_builds_take_the_simd128_path() {
    if !cfg!(target_feature = "simd128") {
        panic!("built without `-C target-feature=+simd128`: `wide` runs arrays of scalars");
    }
    assert_eq!((F32Lanes::LANES, F64Lanes::LANES), (4, 2));
    println!(
        "wasm32 simd128: f32x{}, f64x{}",
        F32Lanes::LANES,
        F64Lanes::LANES
    );
}

/// Whether `V`'s multiply-add rounds once: `(1 + h)^2 - (1 + 2h)` is `h^2` fused
/// and 0 when the product is rounded first (`h` is half the mantissa's width).
fn fused<V: Lanes>() -> bool
where
    V::Scalar: Real,
{
    let h = if V::Scalar::DTYPE == crate::real::Dtype::F32 {
        2f64.powi(-12)
    } else {
        2f64.powi(-27)
    };
    let x = V::splat(V::Scalar::of(1.0 + h));
    let r = x.mul_add(x, V::splat(V::Scalar::of(-(1.0 + 2.0 * h))));
    let mut lanes = [V::Scalar::of(0.0); 16];
    r.store(&mut lanes, 0);
    lanes[0].to_f64() == h * h
}

/// The vectors the kernels compute in on this build, printed for the CI log
/// (`-- --nocapture`). On aarch64 they are `wide`'s NEON registers: four `f32` or
/// two `f64` lanes with fused multiply-adds (`vfmaq`; `wide`'s portable fallback
/// rounds twice), and the products take the one portable path (the runtime choice
/// of instruction sets is x86-64's). On x86-64 the multiply-add fuses exactly when
/// the build has FMA.
#[test]
fn the_build_computes_in_the_vectors_of_its_target() {
    let (f32_lanes, f64_lanes) = (<f32 as Real>::Lanes::LANES, <f64 as Real>::Lanes::LANES);
    let fma = (
        fused::<<f32 as Real>::Lanes>(),
        fused::<<f64 as Real>::Lanes>(),
    );
    std::println!(
        "{}: f32x{f32_lanes}, f64x{f64_lanes}, multiply-add fused: {fma:?}",
        std::env::consts::ARCH
    );
    #[cfg(target_arch = "aarch64")]
    {
        assert!(
            cfg!(target_feature = "neon"),
            "no NEON: wide would be scalar"
        );
        assert_eq!((f32_lanes, f64_lanes), (4, 2));
        assert_eq!(
            fma,
            (true, true),
            "wide's NEON path fuses its multiply-adds"
        );
    }
    #[cfg(target_arch = "x86_64")]
    {
        let fma_build = cfg!(target_feature = "fma");
        assert_eq!(fma, (fma_build, fma_build));
        let widths = if cfg!(target_feature = "avx512f") {
            (16, 8)
        } else if cfg!(target_feature = "avx") {
            (8, 4)
        } else {
            (4, 2)
        };
        assert_eq!((f32_lanes, f64_lanes), widths);
    }
}
