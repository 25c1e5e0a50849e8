//! Every kernel against a plain scalar computation of the same formula in `f64`,
//! in `f32` and in `f64`, for layer sizes on and off the block sizes and batches
//! on and off the vector widths.
//!
//! A build tests the vector width its target features select for each scalar
//! (`simd`): `.ci/run` runs these tests on the default target (`f32x4`,
//! `f64x2`), with `-C target-cpu=x86-64-v3` (`f32x8`, `f64x4`) and, on a machine
//! with AVX-512, with `-C target-cpu=native` (`f32x16`, `f64x8`). The sizes are
//! chosen so that at each of those widths every path runs: every remainder of the
//! register blocks (`ROWS` = 1, 3, 6, 12 rows), inner dimensions past one `DEPTH`
//! run, and in the one-sample product the blocks of 8, 4 and 1 vectors followed by a
//! tail narrower than a vector.
//!
//! Tolerance: a sum of `n` products computed in any order with rounding unit `u`
//! is within `n u sum |terms|` of the exact sum; each check allows `2 (n + 1) u`
//! times the sum of the magnitudes (the reference is `f64` from the same inputs,
//! so in `f32` it is exact to well within that bound).

use super::*;
use crate::init::Uniform;

fn random<T: Real>(rng: &mut Uniform) -> T {
    T::of(rng.between(-1.0, 1.0))
}

fn layer<T: Real, const IN: usize, const OUT: usize>(rng: &mut Uniform) -> Dense<T, IN, OUT> {
    let mut d = Dense::<T, IN, OUT>::zeros();
    d.weight = d.weight.map(|_| random(rng));
    d.bias = d.bias.map(|_| random(rng));
    d
}

fn batch<T: Real, const N: usize>(n: usize, rng: &mut Uniform) -> Batch<T, N> {
    let rows: Vec<[T; N]> = (0..n)
        .map(|_| core::array::from_fn(|_| random(rng)))
        .collect();
    let mut b = Batch::new(n);
    b.load(&rows);
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
    let x = batch::<T, IN>(n, &mut rng);
    let delta = batch::<T, OUT>(n, &mut rng);

    let mut z = Batch::<T, OUT>::new(n);
    dense_forward(&l, &x, &mut z);
    let mut gx = Batch::<T, IN>::new(n);
    dense_input_gradient(&l, &delta, &mut gx);
    let mut g = Dense::<T, IN, OUT>::zeros();
    g.bias.fill(T::of(0.5));
    g.weight.fill(T::of(-0.25));
    let mut out = LayerBuffers::<T, OUT>::new(n);
    out.delta = delta.clone();
    dense_gradient(&mut g, &x, &mut out);

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

/// Every size in both scalars; see the module's notes for what each size reaches.
fn sizes<T: Real>() {
    for n in [1, 3, 8, 13, 16, 17, 33, 300] {
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
        // One output: a dot product, whole vectors and a remainder at every width.
        check::<T, 8, 1>(n);
        check::<T, 37, 1>(n);
        // Inner dimensions longer than one DEPTH run, both ways.
        check::<T, 300, 7>(n);
        check::<T, 7, 300>(n);
    }
    // One-sample blocks of 8, 4 and 1 vectors and a tail, at 2, 4, 8 and 16 lanes.
    for n in [1, 17] {
        check::<T, 3, 27>(n);
        check::<T, 2, 55>(n);
        check::<T, 5, 109>(n);
        check::<T, 3, 211>(n);
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
