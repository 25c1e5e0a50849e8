//! The batch loops of every activation, loss and parameter update on each path
//! this CPU runs, against the portable path from the same data.
//!
//! Tolerance: the activations' bounds are those the batch-against-exact tests of
//! `activation/tests.rs` allow each path (in units of epsilon times
//! `max(|value|, 1)`), doubled for two paths; the losses' those of the
//! batch-against-one-sample tests of `loss/tests.rs`. FMA rounds differently, so
//! the formulas agree to rounding; the parameter updates and their checks fuse
//! nothing and agree bit for bit.

use super::super::Path;
use super::{on_path, run_on};
use crate::activation::{
    Activation, Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Softplus, Tanh,
};
use crate::batch::{Batch, LayerBuffers};
use crate::checks::{AllFinite, StepsFinite};
use crate::init::Uniform;
use crate::loss::{
    Bce, Cce, Hinge, Huber, Mae, Mse, PairsWith, Perceptron, SparseCce, Sse, loss_sum, output_delta,
};
use crate::optim::{AdamScalars, AdamStep, Descend, MomentumStep};
use crate::real::{Dtype, Real};
use alloc::format;
use alloc::vec::Vec;

/// Sample counts on and off every vector width.
const SAMPLES: [usize; 5] = [1, 13, 16, 17, 33];

fn epsilon<T: Real>() -> f64 {
    if T::DTYPE == Dtype::F32 {
        f64::from(f32::EPSILON)
    } else {
        f64::EPSILON
    }
}

/// Checks that `got` is within `bound` units of `portable`, NaN only where
/// `portable` is NaN.
fn agree<T: Real>(got: T, portable: T, bound: f64, what: &str) {
    let (g, p) = (got.to_f64(), portable.to_f64());
    let units = if g == p || (g.is_nan() && p.is_nan()) {
        0.0
    } else {
        (g - p).abs() / (epsilon::<T>() * p.abs().max(1.0))
    };
    assert!(
        units <= bound,
        "{} {what}: {got} where the portable path gives {portable} ({units:.2} units, bound {bound})",
        T::NAME
    );
}

/// Logits on `[-20, 20]` with the saturating values, the kinks at 0 and the
/// non-finite values among them.
fn logits<T: Real, const N: usize>(n: usize, seed: u64) -> Vec<[T; N]> {
    let edges = [
        0.0,
        -0.0,
        1e-30,
        0.3,
        -0.3,
        88.0,
        -88.0,
        100.0,
        -1000.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let mut rng = Uniform::new(seed);
    let mut i = 0;
    (0..n)
        .map(|_| {
            core::array::from_fn(|_| {
                i += 1;
                T::of(if i % 7 == 0 {
                    edges[(i / 7) % edges.len()]
                } else {
                    rng.between(-20.0, 20.0)
                })
            })
        })
        .collect()
}

fn uniform<T: Real, const N: usize>(n: usize, seed: u64, lo: f64, hi: f64) -> Vec<[T; N]> {
    let mut rng = Uniform::new(seed);
    (0..n)
        .map(|_| core::array::from_fn(|_| T::of(rng.between(lo, hi))))
        .collect()
}

/// `forward_batch` and `backward_batch` of `act` over `N` features on `path`.
fn activation_on<A: Activation, T: Real, const N: usize>(
    path: Path,
    act: A,
    z: &[[T; N]],
    grads: &[[T; N]],
) -> (Batch<T, N>, Batch<T, N>) {
    on_path(path, || {
        let n = z.len();
        let (mut zb, mut a, mut delta) = (Batch::new(n), Batch::new(n), Batch::new(n));
        zb.load(z);
        delta.load(grads);
        act.forward_batch(&zb, &mut a);
        act.backward_batch(&zb, &a, &mut delta);
        (a, delta)
    })
}

fn activation<A: Activation, T: Real, const N: usize>(path: Path, act: A, bounds: (f64, f64)) {
    for n in SAMPLES {
        let z = logits::<T, N>(n, (N * 100 + n) as u64);
        let grads = uniform::<T, N>(n, n as u64, -1.0, 1.0);
        let (a, d) = activation_on(path, act, &z, &grads);
        let (a0, d0) = activation_on(Path::PORTABLE, act, &z, &grads);
        for (s, row) in z.iter().enumerate() {
            for (k, zk) in row.iter().enumerate() {
                let at = format!("{} {} on {N} features, z = {zk:?}", A::NAME, path.name());
                agree(a.feature(k)[s], a0.feature(k)[s], 2.0 * bounds.0, &at);
                let what = format!("{at}, derivative");
                agree(d.feature(k)[s], d0.feature(k)[s], 2.0 * bounds.1, &what);
            }
        }
    }
}

fn activations<T: Real>(path: Path) {
    macro_rules! widths {
        ($act:expr, $bounds:expr) => {
            activation::<_, T, 1>(path, $act, $bounds);
            activation::<_, T, 3>(path, $act, $bounds);
            activation::<_, T, 10>(path, $act, $bounds);
            activation::<_, T, 17>(path, $act, $bounds);
        };
    }
    widths!(Sigmoid, (4.0, 4.0));
    widths!(Tanh, (4.0, 4.0));
    widths!(Relu, (0.0, 0.0));
    widths!(LeakyRelu { slope: 0.2 }, (1.0, 1.0));
    widths!(Linear, (0.0, 0.0));
    widths!(Elu { alpha: 1.5 }, (4.0, 4.0));
    widths!(Softplus, (4.0, 4.0));
    widths!(Gelu, (8.0, 64.0));
    widths!(Softmax, (8.0, 8.0));
}

/// The loss sum and the output delta of `loss` after `act` on `path`.
fn loss_on<L: PairsWith<A, K>, A: Activation, T: Real, const K: usize>(
    path: Path,
    loss: L,
    act: A,
    z: &[[T; K]],
    targets: &[L::Target<T, K>],
) -> (T, T, Batch<T, K>) {
    on_path(path, || {
        let mut out = LayerBuffers::new(z.len());
        out.z.load(z);
        act.forward_batch(&out.z, &mut out.a);
        let sum = loss_sum(&loss, &act, &mut out, targets);
        let with_delta = output_delta(&loss, &act, &mut out, targets, T::of(0.5), None);
        (sum, with_delta, out.delta)
    })
}

fn loss<L: PairsWith<A, K>, A: Activation, T: Real, const K: usize>(
    path: Path,
    loss: L,
    act: A,
    target: impl Fn(usize) -> L::Target<T, K>,
) {
    for n in SAMPLES {
        let z = uniform::<T, K>(n, (K * 100 + n) as u64, -30.0, 30.0);
        let targets: Vec<_> = (0..n).map(&target).collect();
        let (sum, with_delta, delta) = loss_on(path, loss, act, &z, &targets);
        let (sum0, with_delta0, delta0) = loss_on(Path::PORTABLE, loss, act, &z, &targets);
        let what = format!("{} {} on {n} samples", L::NAME, path.name());
        // loss/tests.rs: sums within 1e-5 relative, deltas within 1e-6.
        let sum_bound = 1e-5 / epsilon::<f32>();
        agree(sum, sum0, sum_bound, &format!("{what}: loss"));
        agree(with_delta, with_delta0, sum_bound, &format!("{what}: loss"));
        for k in 0..K {
            for s in 0..n {
                let (got, want) = (delta.feature(k)[s], delta0.feature(k)[s]);
                assert!(
                    (got.to_f64() - want.to_f64()).abs() <= 1e-6,
                    "{what}: delta of sample {s} output {k} is {got}, portable {want}"
                );
            }
        }
    }
}

/// Targets in [0, 1] for bce and the regression losses.
fn probability<T: Real, const K: usize>(s: usize) -> [T; K] {
    core::array::from_fn(|k| T::of(((s + k) % 5) as f64 / 4.0))
}

fn losses<T: Real>(path: Path) {
    let of = T::of;
    loss::<_, _, T, 3>(path, Bce, Sigmoid, probability);
    let soft = |s: usize| {
        if s.is_multiple_of(2) {
            [of(0.25), of(0.75), of(0.0)]
        } else {
            [of(0.5), of(0.125), of(0.375)]
        }
    };
    loss::<_, _, T, 3>(path, Cce, Softmax, soft);
    let one_hot = |s: usize| core::array::from_fn(|k| of(f64::from(u8::from(k == s % 10))));
    loss::<_, _, T, 10>(path, Cce, Softmax, one_hot);
    loss::<_, _, T, 10>(path, SparseCce, Softmax, |s| s % 10);
    loss::<_, _, T, 2>(path, Mse, Tanh, probability);
    loss::<_, _, T, 2>(path, Sse, Linear, probability);
    loss::<_, _, T, 2>(path, Mae, Relu, probability);
    loss::<_, _, T, 2>(path, Huber { delta: 1.0 }, Elu { alpha: 1.0 }, probability);
    let sign = |s: usize| [of(if s.is_multiple_of(3) { -1.0 } else { 1.0 })];
    loss::<_, _, T, 1>(path, Hinge, Linear, sign);
    loss::<_, _, T, 1>(path, Perceptron, Linear, sign);
}

/// Every update, and the checks of the step, on tensors of `len` values.
fn updates<T: Real>(path: Path, len: usize) {
    let column = |seed: u64, lo: f64, hi: f64| -> Vec<T> {
        uniform::<T, 1>(len, seed, lo, hi)
            .into_iter()
            .map(|[v]| v)
            .collect()
    };
    let (p, g, v) = (
        column(1, -2.0, 2.0),
        column(2, -1.0, 1.0),
        column(3, 0.0, 1.0),
    );
    let what = format!("{} on {len} values", path.name());
    let lr = T::of(0.3);

    let descend = |path| {
        let mut p = p.clone();
        run_on(
            path,
            Descend {
                p: &mut p,
                g: &g,
                lr,
            },
        );
        p
    };
    assert_eq!(descend(path), descend(Path::PORTABLE), "descent {what}");

    for nesterov in [false, true] {
        let momentum = |path| {
            let (mut p, mut velocity) = (p.clone(), g.clone());
            let (beta, g) = (T::of(0.9), &v);
            run_on(
                path,
                MomentumStep {
                    p: &mut p,
                    v: &mut velocity,
                    g,
                    lr,
                    beta,
                    nesterov,
                },
            );
            (p, velocity)
        };
        assert_eq!(momentum(path), momentum(Path::PORTABLE), "momentum {what}");
    }

    let scalars = AdamScalars {
        step: T::of(1e-3),
        epsilon: T::of(1e-8),
        beta1: T::of(0.9),
        beta2: T::of(0.999),
        rest1: T::of(0.1),
        rest2: T::of(0.001),
        decay: T::of(0.99),
    };
    for decays in [false, true] {
        let adam = |path| {
            let (mut p, mut m, mut second) = (p.clone(), g.clone(), v.clone());
            let (v, g) = (&mut second, &p.clone());
            run_on(
                path,
                AdamStep {
                    p: &mut p,
                    m: &mut m,
                    v,
                    g,
                    scalars,
                    decays,
                },
            );
            (p, m, second)
        };
        assert_eq!(adam(path), adam(Path::PORTABLE), "adam {what}");
    }

    // Each check finds a non-finite value wherever it is: in a whole vector or
    // in the scalar tail.
    for bad in [None, Some(0), Some(len / 2), Some(len - 1)] {
        let mut g = g.clone();
        if let Some(at) = bad {
            g[at] = T::of(f64::INFINITY);
        }
        let steps = |path| run_on(path, StepsFinite { p: &p, g: &g, lr }).finite();
        let finite = |path| run_on(path, AllFinite(&g)).finite();
        assert_eq!(steps(path), bad.is_none(), "step check {what}, bad {bad:?}");
        assert_eq!(steps(path), steps(Path::PORTABLE), "step check {what}");
        assert_eq!(
            finite(path),
            bad.is_none(),
            "finite check {what}, bad {bad:?}"
        );
        assert_eq!(finite(path), finite(Path::PORTABLE), "finite check {what}");
    }
}

fn every_loop<T: Real>(path: Path) {
    activations::<T>(path);
    losses::<T>(path);
    for len in [1, 7, 16, 33, 100, 1000] {
        updates::<T>(path, len);
    }
}

/// Each instruction set the batch loops are compiled for that this CPU runs,
/// against the build's portable `wide` path.
#[test]
fn every_elementwise_path_this_cpu_runs_matches_the_portable_one() {
    let paths: Vec<_> = Path::available().collect();
    let names: Vec<_> = paths.iter().map(|p| p.name()).collect();
    std::println!("elementwise paths on this CPU: {}", names.join(", "));
    for path in paths {
        every_loop::<f32>(path);
        every_loop::<f64>(path);
    }
}
