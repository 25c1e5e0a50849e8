//! Every kernel against a plain scalar computation of the same formula in `f64`,
//! in `f32` and in `f64`, for layer sizes on and off the block sizes and batches
//! on and off the vector widths.
//!
//! A build tests the vector width its target features select for each scalar
//! (`simd`): `.ci/run` runs these tests on the default target (`f32x4`,
//! `f64x2`), with `-C target-cpu=x86-64-v3` (`f32x8`, `f64x4`) and, on a machine
//! with AVX-512, with `-C target-cpu=native` (`f32x16`, `f64x8`). The sizes are
//! chosen so that at each of those widths every path runs: every remainder of the
//! register blocks (`ROWS` = 1, 3, 6, 12 rows), inner dimensions read in place
//! and packed past one panel, and in the one-sample product the blocks of 8, 4
//! and 1 vectors followed by a tail narrower than a vector.
//!
//! Tolerance: a sum of `n` products computed in any order with rounding unit `u`
//! is within `n u sum |terms|` of the exact sum; each check allows `2 (n + 1) u`
//! times the sum of the magnitudes (the reference is `f64` from the same inputs,
//! so in `f32` it is exact to well within that bound).

use super::*;
use crate::activation::{Linear, Relu};
use crate::batch::Rows;
use crate::init::Uniform;
use crate::simd::Lanes;

fn random<T: Real>(rng: &mut Uniform) -> T {
    T::of(rng.between(-1.0, 1.0))
}

fn layer<T: Real, const IN: usize, const OUT: usize>(rng: &mut Uniform) -> Dense<T, IN, OUT> {
    let mut d = Dense::<T, IN, OUT>::zeros();
    d.weight = d.weight.map(|_| random(rng));
    d.bias = d.bias.map(|_| random(rng));
    d
}

fn rows<T: Real, const N: usize>(n: usize, rng: &mut Uniform) -> Vec<[T; N]> {
    (0..n)
        .map(|_| core::array::from_fn(|_| random(rng)))
        .collect()
}

fn batch<T: Real, const N: usize>(n: usize, rng: &mut Uniform) -> Batch<T, N> {
    let mut b = Batch::new(n);
    b.load(&rows(n, rng));
    b
}

/// A sum computed in `f64` with the bound on its rounding in `T`.
struct Sum<T> {
    value: f64,
    magnitude: f64,
    terms: usize,
    scalar: core::marker::PhantomData<T>,
}

impl<T: Real> Sum<T> {
    fn new(start: f64) -> Self {
        Self {
            value: start,
            magnitude: start.abs(),
            terms: 1,
            scalar: core::marker::PhantomData,
        }
    }

    fn add(&mut self, a: T, b: T) {
        let term = a.to_f64() * b.to_f64();
        self.value += term;
        self.magnitude += term.abs();
        self.terms += 1;
    }

    fn check(&self, got: T, what: &str) {
        // The rounding unit: half the distance from 1 to the next number.
        let unit = if T::DTYPE == crate::real::Dtype::F32 {
            f64::from(f32::EPSILON) / 2.0
        } else {
            f64::EPSILON / 2.0
        };
        let bound = 2.0 * (self.terms + 1) as f64 * unit * self.magnitude;
        let error = (got.to_f64() - self.value).abs();
        assert!(
            error <= bound,
            "{} {what}: {} where the scalar formula gives {} (error {error:e}, bound {bound:e}, {} lanes)",
            T::NAME,
            got,
            self.value,
            T::Lanes::LANES
        );
    }
}

fn check<T: Real, const IN: usize, const OUT: usize>(n: usize) {
    let mut rng = Uniform::new((IN * 1000 + OUT * 10 + n) as u64);
    let l = layer::<T, IN, OUT>(&mut rng);
    let x_rows = rows::<T, IN>(n, &mut rng);
    let mut x = Batch::<T, IN>::new(n);
    x.load(&x_rows);
    let delta = batch::<T, OUT>(n, &mut rng);

    let mut z = Batch::<T, OUT>::new(n);
    dense_forward(&l, &x, &mut z);
    // The input layer reads the caller's rows in place: the same sums in the
    // same order as from a batch.
    let mut z_rows = Batch::<T, OUT>::new(n);
    dense_forward(&l, &Rows(&x_rows), &mut z_rows);
    let mut gx = Batch::<T, IN>::new(n);
    dense_input_gradient(&l, &delta, &mut gx);
    let mut g = Dense::<T, IN, OUT>::zeros();
    g.bias.fill(T::of(0.5));
    g.weight.fill(T::of(-0.25));
    let mut out = LayerBuffers::<T, OUT>::new(n);
    out.delta = delta.clone();
    let mut g_rows = g;
    dense_gradient(&mut g, &x, &mut out);
    dense_gradient(&mut g_rows, &Rows(&x_rows), &mut out);
    assert!(
        g_rows == g,
        "{IN}x{OUT} n={n}: gradient from rows differs from batch"
    );

    let shape = alloc::format!("{IN}x{OUT} n={n}");
    for s in 0..n {
        let (xs, ds) = (x.sample(s), delta.sample(s));
        let single = dense_vector(&l, &xs);
        for o in 0..OUT {
            let mut want = Sum::<T>::new(l.bias[o].to_f64());
            for i in 0..IN {
                want.add(l.weight[(o, i)], xs[i]);
            }
            want.check(
                z.feature(o)[s],
                &alloc::format!("forward {shape} s={s} o={o}"),
            );
            assert_eq!(
                z_rows.feature(o)[s].to_f64(),
                z.feature(o)[s].to_f64(),
                "forward from rows {shape} s={s} o={o}"
            );
            want.check(
                single[o],
                &alloc::format!("one-sample forward {shape} o={o}"),
            );
        }
        for i in 0..IN {
            let mut want = Sum::<T>::new(0.0);
            for o in 0..OUT {
                want.add(l.weight[(o, i)], ds[o]);
            }
            want.check(
                gx.feature(i)[s],
                &alloc::format!("input gradient {shape} s={s} i={i}"),
            );
        }
    }
    for o in 0..OUT {
        let mut want = Sum::<T>::new(0.5);
        for &d in delta.feature(o) {
            want.add(d, T::ONE);
        }
        want.check(g.bias[o], &alloc::format!("bias gradient {shape} o={o}"));
        for i in 0..IN {
            let mut want = Sum::<T>::new(-0.25);
            for (&d, &x) in delta.feature(o).iter().zip(x.feature(i)) {
                want.add(d, x);
            }
            want.check(
                g.weight[(o, i)],
                &alloc::format!("weight gradient {shape} ({o}, {i})"),
            );
        }
    }
}

/// Inference on rows (outputs vectorised, sample-major out) gives the sums of the
/// product from the same rows, bit for bit, and its activation applied to them.
fn rows_check<T: Real, const IN: usize, const OUT: usize>(n: usize) {
    let mut rng = Uniform::new((IN * 1000 + OUT * 10 + n) as u64);
    let l = layer::<T, IN, OUT>(&mut rng);
    let x = rows::<T, IN>(n, &mut rng);
    let mut z = Batch::<T, OUT>::new(n);
    dense_forward(&l, &Rows(&x), &mut z);
    let mut out = alloc::vec![[T::ZERO; OUT]; n];
    dense_rows(&l, &Linear, &x, &mut out);
    let mut relu = alloc::vec![[T::ZERO; OUT]; n];
    dense_rows(&l, &Relu, &x, &mut relu);
    for s in 0..n {
        for o in 0..OUT {
            let want = z.feature(o)[s];
            let shape = alloc::format!("{IN}x{OUT} n={n} s={s} o={o}");
            assert_eq!(out[s][o].to_f64(), want.to_f64(), "rows {shape}");
            let want = if want > T::ZERO { want } else { T::ZERO };
            assert_eq!(relu[s][o].to_f64(), want.to_f64(), "relu rows {shape}");
        }
    }
}

/// Every size in both scalars; see the module's notes for what each size reaches.
fn sizes<T: Real>() {
    for n in [1, 3, 8, 13, 16, 17, 23, 33, 300] {
        // Every remainder of 12, 6 and 3 rows, as outputs and as inputs.
        check::<T, 1, 1>(n);
        check::<T, 4, 3>(n);
        check::<T, 3, 2>(n);
        check::<T, 6, 5>(n);
        check::<T, 5, 6>(n);
        check::<T, 2, 8>(n);
        check::<T, 10, 9>(n);
        check::<T, 9, 10>(n);
        check::<T, 12, 11>(n);
        check::<T, 11, 12>(n);
        check::<T, 7, 13>(n);
        check::<T, 13, 25>(n);
        check::<T, 64, 32>(n);
        // Outputs two vectors at a time and one left over, from rows.
        check::<T, 9, 40>(n);
        // One output: a dot product, whole vectors and a remainder at every width.
        check::<T, 8, 1>(n);
        check::<T, 37, 1>(n);
        // Inner dimensions longer than one packed panel, both ways.
        check::<T, 400, 7>(n);
        check::<T, 7, 400>(n);
    }
    // Rows to rows: blocks of every remainder of 12 and 6 samples, outputs two
    // vectors at a time with one left over at 16 lanes.
    for n in [0, 1, 5, 11, 12, 13, 23, 25, 31, 300] {
        rows_check::<T, 64, 32>(n);
        rows_check::<T, 9, 48>(n);
        rows_check::<T, 3, 400>(n);
    }
    // One-sample blocks of 8, 4 and 1 vectors and a tail, at 2, 4, 8 and 16 lanes.
    for n in [1, 17] {
        check::<T, 3, 27>(n);
        check::<T, 2, 55>(n);
        check::<T, 5, 109>(n);
        check::<T, 3, 211>(n);
        // Long enough inputs that each vector sums them in interleaved parts
        // (two, four or eight, with a remainder), and a short tail the same way.
        check::<T, 37, 27>(n);
        check::<T, 41, 70>(n);
    }
}

#[test]
fn kernels_match_the_scalar_formulas_in_f64() {
    sizes::<f64>();
}

#[test]
fn kernels_match_the_scalar_formulas_in_f32() {
    sizes::<f32>();
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
impl<T: Real> Sum<T> {
    /// Checks that two results of this sum are each within its rounding bound.
    fn agree(&self, got: T, portable: T, what: &str) {
        let unit = if T::DTYPE == crate::real::Dtype::F32 {
            f64::from(f32::EPSILON) / 2.0
        } else {
            f64::EPSILON / 2.0
        };
        let bound = 4.0 * (self.terms + 1) as f64 * unit * self.magnitude;
        let error = (got.to_f64() - portable.to_f64()).abs();
        assert!(
            error <= bound,
            "{} {what}: {got} where the portable path gives {portable} (difference {error:e}, bound {bound:e})",
            T::NAME
        );
    }
}

/// `a` is `relu(z)` in every padded lane: the fused store wrote each block's
/// activation where its `z` went.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn activated_as_stored<T: Real, const N: usize>(
    z: &Batch<T, N>,
    a: &Batch<T, N>,
    path: x86::Path,
    operand: &str,
) {
    assert_eq!(a.len(), z.len());
    for f in 0..N {
        for (s, (&z, &a)) in z
            .feature_padded(f)
            .iter()
            .zip(a.feature_padded(f))
            .enumerate()
        {
            let expected = if z > T::ZERO { z } else { T::ZERO };
            assert!(
                a == expected,
                "{} ({operand}): a[{f}][{s}] = {a}, relu(z) = {expected}",
                path.name()
            );
        }
    }
}

/// The products and gradients on `path` and on the portable path, from the same
/// data: every result within rounding of the other.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn paths_agree<T: Real, const IN: usize, const OUT: usize>(path: x86::Path, n: usize) {
    let mut rng = Uniform::new((IN * 1000 + OUT * 10 + n) as u64);
    let l = layer::<T, IN, OUT>(&mut rng);
    let x_rows = rows::<T, IN>(n, &mut rng);
    let mut x = Batch::<T, IN>::new(n);
    x.load(&x_rows);
    let mut out = LayerBuffers::<T, OUT>::new(n);
    out.delta = batch::<T, OUT>(n, &mut rng);
    let delta = out.delta.clone();
    let w = l.weight.as_slice();
    let mut run = |path| {
        let (mut z, mut gx) = (Batch::<T, OUT>::new(n), Batch::<T, IN>::new(n));
        z.set_len(n);
        gx.set_len(n);
        // W and W^T, as the forward pass and the input gradient read them.
        // The forward product with the activation fused into its stores.
        let mut a = Batch::<T, OUT>::new(n);
        let bias = Some(l.bias.as_slice());
        x86::product::<T, OUT, IN, false, _, _>(path, w, bias, &x, &mut z, Some((&Relu, &mut a)));
        activated_as_stored(&z, &a, path, "batch");
        x86::product::<T, IN, OUT, true, _, Linear>(path, w, None, &delta, &mut gx, None);
        let mut g = Dense::<T, IN, OUT>::zeros();
        x86::bias_gradient(path, g.bias.as_mut_slice(), &delta);
        let (delta, rows) = out.delta_and_rows();
        x86::weight_gradient::<T, IN, OUT, _>(path, g.weight.as_mut_slice(), &x, delta, rows);
        // From the input rows: the same sums in the same order.
        let mut g_rows = Dense::<T, IN, OUT>::zeros();
        let gw = g_rows.weight.as_mut_slice();
        x86::weight_gradient::<T, IN, OUT, _>(path, gw, &Rows(&x_rows), delta, rows);
        assert!(
            g_rows.weight == g.weight,
            "{}: gradient from rows",
            path.name()
        );
        // The input layer's operand: the rows, packed (transposed) by this path.
        let mut z_rows = Batch::<T, OUT>::new(n);
        z_rows.set_len(n);
        let (w, bias) = (l.weight.as_slice(), Some(l.bias.as_slice()));
        let mut a_rows = Batch::<T, OUT>::new(n);
        let fused = Some((&Relu, &mut a_rows));
        x86::product::<T, OUT, IN, false, _, _>(path, w, bias, &Rows(&x_rows), &mut z_rows, fused);
        activated_as_stored(&z_rows, &a_rows, path, "rows");
        for o in 0..OUT {
            assert_eq!(
                z_rows.feature(o),
                z.feature(o),
                "{} from rows, o={o}",
                path.name()
            );
        }
        (z, gx, g)
    };
    let (z, gx, g) = run(path);
    let (z0, gx0, g0) = run(x86::Path::PORTABLE);
    let shape = alloc::format!("{} {IN}x{OUT} n={n}", path.name());
    for s in 0..n {
        let (xs, ds) = (x.sample(s), delta.sample(s));
        for o in 0..OUT {
            let mut want = Sum::<T>::new(l.bias[o].to_f64());
            for i in 0..IN {
                want.add(l.weight[(o, i)], xs[i]);
            }
            let what = alloc::format!("forward {shape} s={s} o={o}");
            want.agree(z.feature(o)[s], z0.feature(o)[s], &what);
        }
        for i in 0..IN {
            let mut want = Sum::<T>::new(0.0);
            for o in 0..OUT {
                want.add(l.weight[(o, i)], ds[o]);
            }
            let what = alloc::format!("input gradient {shape} s={s} i={i}");
            want.agree(gx.feature(i)[s], gx0.feature(i)[s], &what);
        }
    }
    for o in 0..OUT {
        let mut want = Sum::<T>::new(0.0);
        for &d in delta.feature(o) {
            want.add(d, T::ONE);
        }
        let what = alloc::format!("bias gradient {shape} o={o}");
        want.agree(g.bias[o], g0.bias[o], &what);
        for i in 0..IN {
            let mut want = Sum::<T>::new(0.0);
            for (&d, &x) in delta.feature(o).iter().zip(x.feature(i)) {
                want.add(d, x);
            }
            let what = alloc::format!("weight gradient {shape} ({o}, {i})");
            want.agree(g.weight[(o, i)], g0.weight[(o, i)], &what);
        }
    }
}

/// Inference on rows on `path`: within rounding of the portable path, and bit
/// for bit the sums of the product on the same path.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn rows_paths_agree<T: Real, const IN: usize, const OUT: usize>(path: x86::Path, n: usize) {
    let mut rng = Uniform::new((IN * 1000 + OUT * 10 + n) as u64);
    let l = layer::<T, IN, OUT>(&mut rng);
    let x = rows::<T, IN>(n, &mut rng);
    let (w, bias) = (l.weight.as_slice(), l.bias.as_slice());
    let run = |path| {
        let mut out = alloc::vec![[T::ZERO; OUT]; n];
        x86::rows_to_rows::<T, OUT, IN, _>(path, w, bias, &x, &mut out, &Linear);
        out
    };
    let (out, portable) = (run(path), run(x86::Path::PORTABLE));
    let mut z = Batch::<T, OUT>::new(n);
    z.set_len(n);
    x86::product::<T, OUT, IN, false, _, Linear>(path, w, Some(bias), &Rows(&x), &mut z, None);
    for s in 0..n {
        for o in 0..OUT {
            let what = alloc::format!("{} rows {IN}x{OUT} n={n} s={s} o={o}", path.name());
            assert_eq!(out[s][o].to_f64(), z.feature(o)[s].to_f64(), "{what}");
            let mut want = Sum::<T>::new(l.bias[o].to_f64());
            for (i, &xi) in x[s].iter().enumerate() {
                want.add(l.weight[(o, i)], xi);
            }
            want.agree(out[s][o], portable[s][o], &what);
        }
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn every_size_agrees<T: Real>(path: x86::Path) {
    for n in [0, 1, 11, 13, 25, 256] {
        rows_paths_agree::<T, 64, 32>(path, n);
        rows_paths_agree::<T, 9, 48>(path, n);
        rows_paths_agree::<T, 3, 400>(path, n);
    }
    for n in [1, 13, 16, 17, 23, 33, 256] {
        // Every remainder of 12, 6 and 3 rows, and inner dimensions past one DEPTH run.
        paths_agree::<T, 1, 1>(path, n);
        paths_agree::<T, 4, 3>(path, n);
        paths_agree::<T, 5, 6>(path, n);
        paths_agree::<T, 10, 9>(path, n);
        paths_agree::<T, 12, 11>(path, n);
        paths_agree::<T, 11, 12>(path, n);
        paths_agree::<T, 13, 25>(path, n);
        paths_agree::<T, 64, 32>(path, n);
        paths_agree::<T, 9, 40>(path, n);
        paths_agree::<T, 400, 7>(path, n);
        paths_agree::<T, 7, 400>(path, n);
    }
}

/// Each instruction set the products are compiled for that this CPU runs, against
/// the build's portable `wide` path.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
#[test]
fn every_product_path_this_cpu_runs_matches_the_portable_one() {
    let paths: alloc::vec::Vec<_> = x86::Path::available().collect();
    let names: alloc::vec::Vec<_> = paths.iter().map(|p| p.name()).collect();
    std::println!(
        "product paths on this CPU: {} (chosen: {})",
        names.join(", "),
        x86::Path::chosen().name()
    );
    for path in paths {
        every_size_agrees::<f32>(path);
        every_size_agrees::<f64>(path);
    }
}
