//! Data parallelism (feature `parallel`): the same work on one thread and on every
//! thread of the rayon pool, in one group, so the speed-up is read off one run.

use criterion::{Criterion, Throughput};
use mlp::{Gradients, ParallelNetwork, ParallelWorkspace, Workspace};
use std::hint::black_box;

/// Rows of the batches measured.
const ROWS: usize = 1024;

/// The criterion groups this module writes, with the rows each iteration covers.
pub const GROUPS: [(&str, &str); 2] = [
    ("parallel/N4_predict_1024", "inference, 1024 rows"),
    ("parallel/N4_gradients_1024", "gradient, 1024 rows"),
];

pub fn bench<N>(c: &mut Criterion, net: &N, inputs: &[N::Input], targets: &[N::Target])
where
    N: ParallelNetwork<Scalar = f32>,
    N::Input: Sync,
    N::Output: Send,
    N::Target: Sync,
{
    let (x, y) = (&inputs[..ROWS], &targets[..ROWS]);
    let mut outputs = vec![N::Output::default(); ROWS];
    let mut ws = Workspace::new(256);
    let mut pws = ParallelWorkspace::<N>::new(256);
    let mut grads = Gradients::zeros();

    let mut group = c.benchmark_group(GROUPS[0].0);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("one_thread", |b| {
        b.iter(|| {
            net.predict_batch_with(&mut ws, black_box(x), &mut outputs)
                .expect("rows match")
        })
    });
    group.bench_function("all_threads", |b| {
        b.iter(|| {
            net.par_predict_batch_with(&mut pws, black_box(x), &mut outputs)
                .expect("rows match")
        })
    });
    group.finish();

    let mut group = c.benchmark_group(GROUPS[1].0);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("one_thread", |b| {
        b.iter(|| {
            net.gradients_with(&mut ws, black_box(x), y, &mut grads)
                .expect("valid data")
        })
    });
    group.bench_function("all_threads", |b| {
        b.iter(|| {
            net.par_gradients_with(&mut pws, black_box(x), y, &mut grads)
                .expect("valid data")
        })
    });
    group.finish();
}

/// Markdown rows: one thread, all threads, speed-up, from `mean_ns(group, function)`.
pub fn report(mean_ns: impl Fn(&str, &str) -> Option<f64>) -> Option<String> {
    let mut rows = String::new();
    for (group, label) in GROUPS {
        let (one, all) = (
            mean_ns(group, "one_thread")?,
            mean_ns(group, "all_threads")?,
        );
        rows += &format!(
            "| N4 | {label} | {:.1} | {:.1} | {:.2}x |\n",
            one / ROWS as f64,
            all / ROWS as f64,
            one / all
        );
    }
    Some(format!(
        "\n## Data parallelism (`--features parallel`, {} threads)\n\n\
         | network | work | one thread ns/row | all threads ns/row | speed-up |\n\
         |---|---|---:|---:|---:|\n{rows}",
        mlp::rayon::current_num_threads()
    ))
}
