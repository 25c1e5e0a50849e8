//! The benchmark suite of mlp: five networks, three metrics each, every one
//! measured beside a plain scalar implementation of the same network, plus the
//! single-core f32 FMA peak of the machine for scale. It is the package `mlp-bench`
//! (so that building mlp never builds criterion); from the repository root:
//!
//! ```sh
//! RUSTFLAGS="-C target-cpu=native" cargo bench -p mlp-bench --bench networks
//! RUSTFLAGS="-C target-cpu=native" cargo bench -p mlp-bench --bench networks -- --warm-up-time 1 --measurement-time 2
//! RUSTFLAGS="-C target-cpu=native" cargo bench -p mlp-bench --bench networks -- N4/   # one network
//! RUSTFLAGS="-C target-cpu=native" cargo bench -p mlp-bench --features parallel --bench networks
//! ```
//!
//! `-C target-cpu=native` lets `wide` (and the compiler) use every instruction set
//! of the machine, e.g. AVX2 and FMA on most x86-64 CPUs; without it x86-64 code is
//! limited to SSE2. Build both ways to see what it changes.
//!
//! Metrics, f32, one thread:
//! - `Nk/a_batch1`: `predict` on one sample (latency);
//! - `Nk/b_batch256`: `predict_batch_with` on 256 samples (per sample = time / 256);
//! - `Nk/c_train32`: `gradients_with` + `step` on a mini-batch of 32, forward + backward +
//!   SGD update (per sample = time / 32).
//!
//! Each group has the ids `mlp` and `scalar`; the training groups also
//! `mlp_by_sample` (the step without a workspace). The groups `dispatch/N1_a_batch1`
//! and `dispatch/N4_a_batch1` measure batch-1 prediction of N1 and N4 alone (`bare`)
//! and as a variant of an enum of networks (`enum`). Before measuring, the scalar network
//! is loaded with the mlp network's weights and must agree with it on predictions,
//! on the loss and on the weights after one training step, within 1e-4. At the end
//! one table with ns/sample, speed-ups and GFLOP/s is printed and written to
//! `target/mlp-bench-table.md`.

mod dispatch;
#[cfg(feature = "parallel")]
mod parallel;
mod peak;
mod scalar;

use criterion::{Criterion, Throughput};
use mlp::prelude::*;
use scalar::Activation::{Relu, Sigmoid, Softmax, Tanh};
use scalar::{Activation, Loss, Mlp};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

network! { struct N1 { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
network! { struct N2 { 2 => 8 tanh => 1 sigmoid; loss = bce; } }
network! { struct N3 { 64 => 32 relu => 10 softmax; loss = cce; } }
network! { struct N4 { 784 => 128 relu => 64 relu => 10 softmax; loss = cce; } }
network! { struct N5 { 256 => 256 relu => 256 relu => 10 softmax; loss = cce; } }

/// Samples per call of the batch inference benchmark.
const BATCH: usize = 256;
/// Samples per training step.
const MINI_BATCH: usize = 32;
/// Small enough that the weights stay sane over millions of benchmark iterations.
const LEARNING_RATE: f32 = 1e-3;
/// Agreement between mlp and the scalar baseline, absolute.
const TOLERANCE: f32 = 1e-4;

/// What the scalar baseline needs to know besides the widths.
struct Spec {
    id: &'static str,
    name: &'static str,
    activations: &'static [Activation],
    loss: Loss,
    widths: &'static [usize],
}

const SPECS: [Spec; 5] = [
    Spec {
        id: "N1",
        name: "tiny",
        activations: &[Sigmoid, Sigmoid, Sigmoid],
        loss: Loss::Bce,
        widths: N1::WIDTHS,
    },
    Spec {
        id: "N2",
        name: "xor2d",
        activations: &[Tanh, Sigmoid],
        loss: Loss::Bce,
        widths: N2::WIDTHS,
    },
    Spec {
        id: "N3",
        name: "digits",
        activations: &[Relu, Softmax],
        loss: Loss::Cce,
        widths: N3::WIDTHS,
    },
    Spec {
        id: "N4",
        name: "mnist",
        activations: &[Relu, Relu, Softmax],
        loss: Loss::Cce,
        widths: N4::WIDTHS,
    },
    Spec {
        id: "N5",
        name: "wide",
        activations: &[Relu, Relu, Softmax],
        loss: Loss::Cce,
        widths: N5::WIDTHS,
    },
];

/// The three metrics: criterion group suffix, label, samples per iteration.
const METRICS: [(&str, &str, usize); 3] = [
    ("a_batch1", "(a) predict, batch 1", 1),
    ("b_batch256", "(b) predict, batch 256", BATCH),
    ("c_train32", "(c) train step, batch 32", MINI_BATCH),
];

impl Spec {
    /// Multiply-add flops of one sample's forward pass: 2 * sum(in * out) over the
    /// layers (biases and activations not counted).
    fn forward_flops(&self) -> f64 {
        self.widths
            .windows(2)
            .map(|w| 2.0 * (w[0] * w[1]) as f64)
            .sum()
    }

    /// Flops per sample of metric `metric` (0, 1, 2). A training step counts 3x the
    /// forward flops: the forward product plus the two backward products per layer
    /// (dL/dW = delta a^T and dL/da = W^T delta).
    fn flops_per_sample(&self, metric: usize) -> f64 {
        if metric == 2 {
            3.0 * self.forward_flops()
        } else {
            self.forward_flops()
        }
    }
}

/// xorshift64*: deterministic data, identical for both implementations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// `n` inputs uniform in [0, 1) and their targets: 0/1 labels per output for bce,
/// one-hot rows for cce.
fn data<const I: usize, const O: usize>(
    seed: u64,
    n: usize,
    loss: Loss,
) -> (Vec<[f32; I]>, Vec<[f32; O]>) {
    let mut rng = Rng(seed | 1);
    let inputs = (0..n)
        .map(|_| std::array::from_fn(|_| rng.unit()))
        .collect();
    let targets = (0..n)
        .map(|_| match loss {
            Loss::Bce => std::array::from_fn(|_| (rng.next() >> 63) as f32),
            Loss::Cce => {
                let class = (rng.next() % O as u64) as usize;
                std::array::from_fn(|k| if k == class { 1.0 } else { 0.0 })
            }
        })
        .collect();
    (inputs, targets)
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Panics unless the scalar baseline, given the mlp network's weights, computes the
/// same predictions, loss and updated weights.
fn check_agreement<N, const I: usize, const O: usize>(spec: &Spec, seed: u64)
where
    N: Network<Scalar = f32, Input = [f32; I], Output = [f32; O], Target = [f32; O]>,
{
    let id = spec.id;
    let net = N::seeded(seed);
    let flat = net.to_flat();
    let mut scalar = Mlp::from_flat(N::WIDTHS, spec.activations, spec.loss, &flat);
    assert_eq!(scalar.to_flat(), flat, "{id}: parameter layout");
    let mut scratch = scalar.scratch();

    let (inputs, targets) = data::<I, O>(seed, BATCH, spec.loss);
    let mut ws = Workspace::new(BATCH);
    let mut batch = vec![[0.0; O]; BATCH];
    net.predict_batch_with(&mut ws, &inputs, &mut batch)
        .expect("outputs match inputs");
    let mut scalar_batch = vec![[0.0; O]; BATCH];
    scalar.predict_batch(&mut scratch, &inputs, &mut scalar_batch);
    let mut outputs = 0.0_f32;
    for ((x, b), s) in inputs.iter().zip(&batch).zip(&scalar_batch) {
        let mut one = [0.0; O];
        scalar.predict(&mut scratch, x, &mut one);
        outputs = outputs
            .max(max_abs_diff(&net.predict(x), &one))
            .max(max_abs_diff(b, s))
            .max(max_abs_diff(b, &one));
    }
    assert!(
        outputs <= TOLERANCE,
        "{id}: predictions differ by {outputs}"
    );

    // A large learning rate, so that the step visibly moves the weights.
    let lr = 0.1;
    let (x, y) = (&inputs[..MINI_BATCH], &targets[..MINI_BATCH]);
    let mut trained = net.clone();
    let mut ws = Workspace::new(MINI_BATCH);
    let mut grads = Gradients::zeros();
    let loss = trained
        .gradients_with(&mut ws, x, y, &mut grads)
        .and_then(|loss| trained.step(&grads, lr).map(|()| loss))
        .expect("valid data");
    let scalar_loss = scalar.train_step(&mut scratch, x, y, lr);
    let loss_diff = (loss - scalar_loss).abs();
    assert!(
        loss_diff <= TOLERANCE * loss.abs().max(1.0),
        "{id}: loss {loss} vs scalar {scalar_loss}"
    );
    let after = trained.to_flat();
    let weights = max_abs_diff(&after, &scalar.to_flat());
    assert!(
        weights <= TOLERANCE,
        "{id}: weights after a step differ by {weights}"
    );
    let moved = max_abs_diff(&after, &flat);
    assert!(moved > 0.0, "{id}: the training step changed nothing");
    // Also relative to the size of the step, which is small for the tiny networks.
    assert!(
        weights <= 1e-3 * moved,
        "{id}: the steps differ by {weights}, against a step of {moved}"
    );
    println!(
        "{id} {}: scalar agrees with mlp; max |difference| of outputs {outputs:.1e}, \
         of the loss {loss_diff:.1e}, of the weights after a step {weights:.1e} \
         (the step moved them by up to {moved:.1e})",
        spec.name
    );
}

/// The three groups of one network, mlp and scalar side by side in each.
fn bench_network<N, const I: usize, const O: usize>(c: &mut Criterion, spec: &Spec, seed: u64)
where
    N: Network<Scalar = f32, Input = [f32; I], Output = [f32; O], Target = [f32; O]>,
{
    let net = N::seeded(seed);
    let scalar = Mlp::from_flat(N::WIDTHS, spec.activations, spec.loss, &net.to_flat());
    let mut scratch = scalar.scratch();
    let (inputs, targets) = data::<I, O>(seed ^ 0x9e37_79b9_7f4a_7c15, BATCH, spec.loss);

    let mut group = c.benchmark_group(format!("{}/a_batch1", spec.id));
    group.throughput(Throughput::Elements(1));
    let x = &inputs[0];
    group.bench_function("mlp", |b| b.iter(|| net.predict(black_box(x))));
    group.bench_function("scalar", |b| {
        b.iter(|| {
            let mut out = [0.0; O];
            scalar.predict(&mut scratch, black_box(x), &mut out);
            out
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{}/b_batch256", spec.id));
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut outputs = vec![[0.0; O]; BATCH];
    let mut ws = Workspace::new(BATCH);
    group.bench_function("mlp", |b| {
        b.iter(|| {
            net.predict_batch_with(&mut ws, black_box(&inputs), &mut outputs)
                .expect("outputs match inputs");
            black_box(&outputs);
        })
    });
    group.bench_function("scalar", |b| {
        b.iter(|| {
            scalar.predict_batch(&mut scratch, black_box(&inputs), &mut outputs);
            black_box(&outputs);
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{}/c_train32", spec.id));
    group.throughput(Throughput::Elements(MINI_BATCH as u64));
    let (x, y) = (&inputs[..MINI_BATCH], &targets[..MINI_BATCH]);
    let mut trained = net.clone();
    let mut ws = Workspace::new(MINI_BATCH);
    let mut grads = Gradients::zeros();
    group.bench_function("mlp", |b| {
        b.iter(|| {
            trained
                .gradients_with(&mut ws, black_box(x), y, &mut grads)
                .and_then(|loss| trained.step(&grads, LEARNING_RATE).map(|()| loss))
                .expect("valid data")
        })
    });
    // The step without a workspace, one sample at a time on the stack: what a
    // build without an allocator trains with.
    let mut by_sample = net.clone();
    group.bench_function("mlp_by_sample", |b| {
        b.iter(|| {
            let loss = by_sample
                .gradients_with(&mut Workspace::by_sample(), black_box(x), y, &mut grads)
                .expect("valid data");
            by_sample.step(&grads, LEARNING_RATE).expect("finite");
            loss
        })
    });
    let mut scalar_trained = scalar.clone();
    group.bench_function("scalar", |b| {
        b.iter(|| scalar_trained.train_step(&mut scratch, black_box(x), y, LEARNING_RATE))
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();

    check_agreement::<N1, 4, 1>(&SPECS[0], 11);
    check_agreement::<N2, 2, 1>(&SPECS[1], 12);
    check_agreement::<N3, 64, 10>(&SPECS[2], 13);
    check_agreement::<N4, 784, 10>(&SPECS[3], 14);
    check_agreement::<N5, 256, 10>(&SPECS[4], 15);

    let mut c = Criterion::default().configure_from_args();
    peak::bench(&mut c);
    bench_network::<N1, 4, 1>(&mut c, &SPECS[0], 1);
    bench_network::<N2, 2, 1>(&mut c, &SPECS[1], 2);
    bench_network::<N3, 64, 10>(&mut c, &SPECS[2], 3);
    bench_network::<N4, 784, 10>(&mut c, &SPECS[3], 4);
    bench_network::<N5, 256, 10>(&mut c, &SPECS[4], 5);
    dispatch::bench(&mut c);
    #[cfg(feature = "parallel")]
    {
        let (inputs, targets) = data::<784, 10>(6, 1024, SPECS[3].loss);
        parallel::bench(&mut c, &N4::seeded(6), &inputs, &targets);
    }
    c.final_summary();

    report(started);
}

/// Where criterion keeps its results, found the way criterion finds it.
fn target_and_criterion_dirs() -> (PathBuf, PathBuf) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let cargo = std::env::var_os("CARGO")?;
            let output = std::process::Command::new(cargo)
                .args(["metadata", "--format-version", "1", "--no-deps"])
                .output()
                .ok()?;
            let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
            metadata["target_directory"].as_str().map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    let criterion = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("criterion"));
    (target, criterion)
}

/// The mean time of one iteration of `group/function` in ns, if this run measured it.
fn mean_ns(criterion: &Path, group: &str, function: &str, since: SystemTime) -> Option<f64> {
    // Criterion makes ids safe as paths by replacing '/' (and a few others) with '_'.
    let path = criterion
        .join(group.replace('/', "_"))
        .join(function)
        .join("new")
        .join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn cell(value: Option<f64>, format: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "–".to_string(), format)
}

/// Prints the table of this run's results and writes it to `target/mlp-bench-table.md`.
/// Appends one Markdown table row.
fn table_row(table: &mut String, cells: &[String]) {
    writeln!(table, "| {} |", cells.join(" | ")).expect("writing to a String");
}

fn report(since: SystemTime) {
    let (target, criterion) = target_and_criterion_dirs();
    let peak = mean_ns(&criterion, peak::GROUP, peak::FUNCTION, since)
        .map(|ns| peak::FLOPS_PER_ITERATION / ns);

    let mut rows = String::new();
    let mut measured = peak.is_some();
    for spec in &SPECS {
        for (metric, &(suffix, label, samples)) in METRICS.iter().enumerate() {
            let group = format!("{}/{suffix}", spec.id);
            let per_sample = |function| {
                mean_ns(&criterion, &group, function, since).map(|ns| ns / samples as f64)
            };
            let (fast, slow) = (per_sample("mlp"), per_sample("scalar"));
            measured |= fast.is_some() || slow.is_some();
            let speedup = fast.zip(slow).map(|(f, s)| s / f);
            // GFLOP/s = flops / ns; shown where the layers are large enough to matter.
            let flops = spec.flops_per_sample(metric);
            let large = matches!(spec.id, "N4" | "N5");
            let gflops = |t: Option<f64>| t.filter(|_| large).map(|ns| flops / ns);
            let (fast_gflops, slow_gflops) = (gflops(fast), gflops(slow));
            let of_peak = fast_gflops.zip(peak).map(|(g, p)| 100.0 * g / p);
            table_row(
                &mut rows,
                &[
                    format!("{} {}", spec.id, spec.name),
                    label.to_string(),
                    cell(fast, |v| format!("{v:.1}")),
                    cell(slow, |v| format!("{v:.1}")),
                    cell(speedup, |v| format!("{v:.2}x")),
                    cell(fast_gflops, |v| format!("{v:.1}")),
                    cell(of_peak, |v| format!("{v:.1}%")),
                    cell(slow_gflops, |v| format!("{v:.1}")),
                ],
            );
        }
    }
    let mut by_sample = String::new();
    for spec in &SPECS {
        let group = format!("{}/c_train32", spec.id);
        let per_sample = |function| {
            mean_ns(&criterion, &group, function, since).map(|ns| ns / MINI_BATCH as f64)
        };
        let (batch, stack) = (per_sample("mlp"), per_sample("mlp_by_sample"));
        measured |= stack.is_some();
        table_row(
            &mut by_sample,
            &[
                format!("{} {}", spec.id, spec.name),
                cell(batch, |v| format!("{v:.1}")),
                cell(stack, |v| format!("{v:.1}")),
                cell(per_sample("scalar"), |v| format!("{v:.1}")),
                cell(batch.zip(stack).map(|(b, s)| s / b), |v| format!("{v:.2}x")),
            ],
        );
    }
    let dispatch = dispatch::report(|group, function| mean_ns(&criterion, group, function, since));
    measured |= dispatch.is_some();
    #[cfg(feature = "parallel")]
    let parallel = parallel::report(|group, function| mean_ns(&criterion, group, function, since));
    #[cfg(feature = "parallel")]
    {
        measured |= parallel.is_some();
    }
    if !measured {
        println!("No benchmark was measured in this run, so there is no table.");
        return;
    }

    let features: Vec<&str> = [
        ("avx", cfg!(target_feature = "avx")),
        ("avx2", cfg!(target_feature = "avx2")),
        ("fma", cfg!(target_feature = "fma")),
        ("avx512f", cfg!(target_feature = "avx512f")),
    ]
    .iter()
    .filter(|(_, on)| *on)
    .map(|(name, _)| *name)
    .collect();
    let features = if features.is_empty() {
        "baseline only (build with RUSTFLAGS=\"-C target-cpu=native\" for AVX2/FMA)".to_string()
    } else {
        features.join(", ")
    };
    let mut table = String::new();
    writeln!(table, "## mlp vs scalar, f32, one thread\n").expect("writing to a String");
    writeln!(table, "Target features compiled in: {features}.").expect("writing to a String");
    writeln!(
        table,
        "Peak f32 FMA of one core ({}): {}.\n",
        peak::DESCRIPTION,
        cell(peak, |v| format!("{v:.1} GFLOP/s"))
    )
    .expect("writing to a String");
    table.push_str(
        "| network | metric | mlp ns/sample | scalar ns/sample | speed-up | \
         mlp GFLOP/s | mlp % of peak | scalar GFLOP/s |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    table.push_str(&rows);
    table.push_str(
        "\nns/sample = criterion's mean time per iteration / samples per iteration (1, 256, 32). \
         speed-up = scalar / mlp. Flops per sample: inference 2 * sum(in * out) over the \
         layers, a training step 3x that (forward, dL/dW and dL/da products); \
         GFLOP/s shown for N4 and N5. – = not measured in this run.\n",
    );

    table.push_str(
        "\n## Training steps without a workspace (c_train32)\n\n\
         `gradients_with` in a by-sample workspace + `step`, one sample at a time on the stack (what a build \
         without an allocator trains with), beside the workspace step and the scalar step.\n\n\
         | network | workspace ns/sample | by sample ns/sample | scalar ns/sample | \
         by sample / workspace |\n|---|---:|---:|---:|---:|\n",
    );
    table.push_str(&by_sample);
    if let Some(section) = dispatch {
        table.push_str(&section);
    }

    #[cfg(feature = "parallel")]
    if let Some(section) = parallel {
        table.push_str(&section);
    }
    println!("\n{table}");
    let path = target.join("mlp-bench-table.md");
    match std::fs::write(&path, &table) {
        Ok(()) => println!("Table written to {}", path.display()),
        Err(e) => eprintln!("Could not write {}: {e}", path.display()),
    }
}
