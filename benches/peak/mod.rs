//! The f32 fused multiply-add throughput of one core: the ceiling the GFLOP/s of
//! the network benchmarks are compared with.
//!
//! It reaches the real peak only when built with `RUSTFLAGS="-C target-cpu=native"`
//! (or another setting that enables AVX and FMA): then `f32x8::mul_add` of `wide` is
//! one `vfmadd` on a 256-bit register. Without those target features x86-64 code is
//! limited to SSE2, `f32x8` is two `f32x4` halves and `mul_add` a separate multiply
//! and add, so this measures the SSE2 ceiling instead.

use criterion::{Criterion, Throughput};
use std::hint::black_box;
use wide::f32x8;

/// Independent dependency chains: enough to cover the FMA latency times the number
/// of FMA units (4-5 cycles x 2 units on current x86-64 cores) and still fit in the
/// 16 vector registers with the two operands.
const ACCUMULATORS: usize = 12;
/// FMAs per accumulator per iteration.
const ROUNDS: usize = 1024;
const LANES: usize = 8;

/// Two flops (a multiply and an add) per lane per FMA.
pub const FLOPS_PER_ITERATION: f64 = (2 * LANES * ACCUMULATORS * ROUNDS) as f64;
pub const GROUP: &str = "peak";
pub const FUNCTION: &str = "fma_f32x8";
pub const DESCRIPTION: &str = "wide f32x8 mul_add, 12 independent accumulators";

/// `ROUNDS` FMAs on each of `ACCUMULATORS` chains; `a` close to 1 and `b` small keep
/// the values bounded and away from subnormals.
#[inline(never)]
fn fma_chains(start: f32x8, a: f32x8, b: f32x8) -> f32x8 {
    let mut acc = [start; ACCUMULATORS];
    for _ in 0..ROUNDS {
        for x in &mut acc {
            *x = x.mul_add(a, b);
        }
    }
    acc.iter().fold(f32x8::ZERO, |sum, &x| sum + x)
}

pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group(GROUP);
    // Elements are flops here, so criterion's throughput reads as flop/s.
    group.throughput(Throughput::Elements(FLOPS_PER_ITERATION as u64));
    let start = f32x8::splat(0.5);
    let a = f32x8::splat(0.999_9);
    let b = f32x8::splat(1e-4);
    group.bench_function(FUNCTION, |bencher| {
        bencher.iter(|| fma_chains(black_box(start), black_box(a), black_box(b)))
    });
    group.finish();
}
