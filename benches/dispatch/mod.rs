//! An enum of networks beside its variant alone: batch-1 prediction of N1 and N4,
//! each in an enum with a second variant of other widths inside. The enum's
//! `predict` is one branch on the variant, then the variant's own code, so the two
//! ids of a group should take the same time.

use crate::{N1, N4, data};
use criterion::{Criterion, Throughput};
use mlp::prelude::*;
use std::hint::black_box;

// The benchmarked network is the second variant, so the branch is not just the
// fall-through into the first arm.
network! { enum Tiny { Other(4 => 8 sigmoid => 1 sigmoid; loss = bce), N1(N1) } }
network! { enum Mnist { Other(784 => 32 relu => 10 softmax; loss = cce), N4(N4) } }

/// The criterion groups this module writes, with the network each measures.
pub const GROUPS: [(&str, &str); 2] = [
    ("dispatch/N1_a_batch1", "N1"),
    ("dispatch/N4_a_batch1", "N4"),
];

pub fn bench(c: &mut Criterion) {
    let net = N1::seeded(1);
    let model = Tiny::N1(net.clone());
    let x = data::<4, 1>(21, 1, crate::SPECS[0].loss).0[0];
    group(
        c,
        GROUPS[0].0,
        &x,
        |x| black_box(&net).predict(x),
        |x| black_box(&model).predict(x),
    );

    let net = N4::seeded(4);
    let model = Mnist::N4(net.clone());
    let x = data::<784, 10>(24, 1, crate::SPECS[3].loss).0[0];
    group(
        c,
        GROUPS[1].0,
        &x,
        |x| black_box(&net).predict(x),
        |x| black_box(&model).predict(x),
    );
}

/// One group: `bare` (the network alone) and `enum` (the same network as a variant),
/// after checking that both predict the same.
fn group<X, Y: PartialEq + std::fmt::Debug>(
    c: &mut Criterion,
    name: &str,
    x: &X,
    bare: impl Fn(&X) -> Y,
    in_enum: impl Fn(&X) -> Y,
) {
    assert_eq!(in_enum(x), bare(x));
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group.bench_function("bare", |b| b.iter(|| bare(black_box(x))));
    group.bench_function("enum", |b| b.iter(|| in_enum(black_box(x))));
    group.finish();
}

/// Markdown rows: the network alone, in the enum, and their ratio, from
/// `mean_ns(group, function)`.
pub fn report(mean_ns: impl Fn(&str, &str) -> Option<f64>) -> Option<String> {
    let mut rows = String::new();
    for (group, network) in GROUPS {
        let (bare, in_enum) = (mean_ns(group, "bare")?, mean_ns(group, "enum")?);
        rows += &format!(
            "| {network} | {bare:.1} | {in_enum:.1} | {:.3} |\n",
            in_enum / bare
        );
    }
    Some(format!(
        "\n## An enum of networks (`network! {{ enum ... }}`), predict at batch 1\n\n\
         | network | alone ns | in an enum ns | enum / alone |\n|---|---:|---:|---:|\n{rows}"
    ))
}
