//! The batch products of a build without AVX2 on a CPU without it either: one
//! body for every layer shape, its sizes read at run time.
//!
//! The register-blocked products of `gemm.rs` are compiled for each layer and for
//! every instruction set a batch may run on. A plain `cargo build --release` for
//! x86-64 runs them with AVX2+FMA or AVX-512 wherever the CPU has those, which is
//! almost everywhere; only CPUs older than both take this path, and a copy of the
//! blocked code per layer for them would cost every build more than their speed
//! is worth. Same results within rounding (the kernel tests compare the paths).

use super::BLOCK;
use super::elementwise::Lanewise;
use super::vector::Vector;
use crate::activation::Elementwise;
use crate::batch::LANE_PAD;
use crate::real::Real;

/// Rows of `A` per pass over a vector of samples: the loaded `B` vector feeds
/// this many multiply-adds.
const ROWS: usize = 4;

/// A product's `B`: feature `i` of sample `s` at `base + i * feature + s * sample`;
/// with `sample == 1` (feature-major) every feature's run is padded to whole
/// [`LANE_PAD`]s.
#[derive(Clone, Copy)]
pub(super) struct Elements<T> {
    pub base: *const T,
    pub feature: usize,
    pub sample: usize,
    pub samples: usize,
}

/// `C = A B (+ bias)`, `A` the `(m, k)` weights `w` (column-major, `(r, i)` at
/// `i * m + r`) or, `transposed`, the transpose of a layer with `k` outputs
/// (`(r, i)` at `r * k + i`); `C`'s row `r` at `c + r * c_stride`, written up to
/// the padded sample count (padding: what a zero input gives, or what the padded
/// runs of a feature-major `B` give, as the blocked products do). With
/// `activated`, its batch (of `C`'s shape) gets `act(C)`.
///
/// # Safety
/// `w` holds `m * k` scalars, a bias `m`; `b` holds its samples' `k` features;
/// `C` and the activated batch hold `m` rows of `c_stride` scalars, at least the
/// padded sample count.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn product<T: Real, V: Lanewise<T>, E>(
    w: &[T],
    (m, k, transposed): (usize, usize, bool),
    bias: Option<&[T]>,
    b: Elements<T>,
    c: *mut T,
    c_stride: usize,
    activated: Option<(&E, *mut T)>,
) where
    E: Elementwise,
{
    let padded = b.samples.div_ceil(LANE_PAD) * LANE_PAD;
    let a = |r: usize, i: usize| {
        if transposed {
            w[r * k + i]
        } else {
            w[i * m + r]
        }
    };
    let start = |r: usize| bias.map_or(T::ZERO, |b| b[r]);
    // SAFETY: the caller's contract bounds every access below.
    unsafe {
        let computed = if b.sample == 1 {
            // Along the samples, `ROWS` rows of `A` per loaded vector of `B`.
            let lanes = V::LANES;
            let mut r0 = 0;
            while r0 < m {
                let rows = ROWS.min(m - r0);
                for s in (0..padded).step_by(lanes) {
                    let mut acc = [V::splat(T::ZERO); ROWS];
                    for (r, acc) in acc.iter_mut().enumerate().take(rows) {
                        *acc = V::splat(start(r0 + r));
                    }
                    for i in 0..k {
                        let x = V::read(b.base.add(i * b.feature + s));
                        for (r, acc) in acc.iter_mut().enumerate().take(rows) {
                            *acc = V::splat(a(r0 + r, i)).mul_add(x, *acc);
                        }
                    }
                    for (r, acc) in acc.iter().enumerate().take(rows) {
                        acc.write(c.add((r0 + r) * c_stride + s));
                    }
                }
                r0 += rows;
            }
            padded
        } else {
            // Sample-major rows: one dot product per output and sample.
            for s in 0..b.samples {
                let x = b.base.add(s * b.sample);
                for r in 0..m {
                    let mut sum = start(r);
                    for i in 0..k {
                        sum += a(r, i) * *x.add(i * b.feature);
                    }
                    *c.add(r * c_stride + s) = sum;
                }
            }
            b.samples
        };
        for r in 0..m {
            for s in computed..padded {
                *c.add(r * c_stride + s) = start(r);
            }
        }
        if let Some((e, out)) = activated {
            for r in 0..m {
                for s in (0..padded).step_by(V::LANES) {
                    let at = r * c_stride + s;
                    e.f(V::read(c.add(at))).write(out.add(at));
                }
            }
        }
    }
}

/// `out[s] = act(W x[s] + b)` for `samples` rows of `k` features at `x` into as
/// many rows of `m` outputs at `out`, `W` the `(m, k)` weights (column-major);
/// vectorised along the outputs, `m` a multiple of the vector width.
///
/// # Safety
/// `w` holds `m * k` scalars, `bias` `m`; `x` holds `samples * k` and `out`
/// `samples * m`.
pub(super) unsafe fn rows_to_rows<T: Real, V: Lanewise<T>, E: Elementwise>(
    w: &[T],
    (m, k): (usize, usize),
    bias: &[T],
    x: *const T,
    samples: usize,
    out: *mut T,
    act: &E,
) {
    assert!(m.is_multiple_of(V::LANES));
    // SAFETY: the caller's contract bounds every access below.
    unsafe {
        for s in 0..samples {
            let (x, out) = (x.add(s * k), out.add(s * m));
            for o in (0..m).step_by(V::LANES) {
                let mut acc = V::read(bias[o..].as_ptr());
                for i in 0..k {
                    acc = V::splat(*x.add(i)).mul_add(V::read(w[i * m + o..].as_ptr()), acc);
                }
                act.f(acc).write(out.add(o));
            }
        }
    }
}

/// `dW += delta x^T` over `x`'s samples: `gw` the `(outputs, inputs)` gradient,
/// column-major; `delta` `outputs` feature-major runs `d_stride` apart, laid out
/// sample-major in `rows` first (runs of `outputs` padded to [`BLOCK`]) so that a
/// column of `dW` sums along the outputs, in sample order whatever `x`'s layout:
/// the input rows give the gradient a batch of them gives.
///
/// # Safety
/// `gw` holds `outputs * inputs`; `x` holds its samples' `inputs` features;
/// `delta` holds `outputs` runs of at least `x.samples`.
pub(super) unsafe fn weight_gradient<T: Real, V: Vector<Scalar = T>>(
    gw: &mut [T],
    (inputs, outputs): (usize, usize),
    x: Elements<T>,
    (delta, d_stride): (*const T, usize),
    rows: &mut [T],
) {
    let row = outputs.div_ceil(BLOCK) * BLOCK;
    let rows = &mut rows[..x.samples * row];
    let vectors = outputs / V::LANES * V::LANES;
    // SAFETY: the caller's contract bounds every access below.
    unsafe {
        for s in 0..x.samples {
            for o in 0..outputs {
                rows[s * row + o] = *delta.add(o * d_stride + s);
            }
        }
        for i in 0..inputs {
            let xi = x.base.add(i * x.feature);
            let column = &mut gw[i * outputs..(i + 1) * outputs];
            for o in (0..vectors).step_by(V::LANES) {
                let mut acc = V::read(column[o..].as_ptr());
                for s in 0..x.samples {
                    let d = V::read(rows[s * row + o..].as_ptr());
                    acc = V::splat(*xi.add(s * x.sample)).mul_add(d, acc);
                }
                acc.write(column[o..].as_mut_ptr());
            }
            for (o, g) in column.iter_mut().enumerate().skip(vectors) {
                for s in 0..x.samples {
                    *g = *xi.add(s * x.sample) * rows[s * row + o] + *g;
                }
            }
        }
    }
}
