//! The compute kernels the generated networks call, one call per layer step.
//!
//! Contract: a dense layer holds `W` with shape `(OUT, IN)` (nalgebra stores it
//! column-major: `W[o, i]` at `i * OUT + o`) and `b` with `OUT` entries; batches
//! are feature-major ([`Batch`]) with every feature's run padded to whole SIMD
//! vectors. Every kernel is generic over the layer's sizes, so each layer gets its
//! own code with constant loop bounds: a tiny layer's loops unroll completely.
//!
//! Batches put consecutive samples in the lanes of a SIMD register; the products
//! are register-blocked over a few outputs (`ROWS`, by vector width) times [`LANE_PAD`] samples.
//! One sample at a time ([`dense_vector`]) is a matrix-vector product vectorised
//! along the outputs. `elementwise.rs` holds the loops that run the activations'
//! and losses' formulas on one sample and on a batch.

mod elementwise;
#[cfg(feature = "alloc")]
mod gemm;
#[cfg(test)]
mod tests;
// Without an allocator there are no products, only the loops of `elementwise.rs`.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
mod vector;
#[cfg(all(target_arch = "x86_64", feature = "std"))]
mod x86;

#[cfg(feature = "alloc")]
use crate::batch::{Batch, LANE_PAD, LayerBuffers};
use crate::dense::Dense;
use crate::real::Real;
use crate::simd::Lanes;
use nalgebra::SVector;

pub(crate) use elementwise::{Features, LaneLoop, Lanewise, activate, load, run, store};
#[cfg(feature = "alloc")]
pub(crate) use elementwise::{
    activate_batch, derivative_batch, each_lane_group, sum_samples, update_batch,
};

/// `z = W x + b` for every sample of `x`.
#[inline]
#[cfg(feature = "alloc")]
pub fn dense_forward<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    x: &Batch<T, IN>,
    z: &mut Batch<T, OUT>,
) {
    z.set_len(x.len());
    // A = W: element (o, i) at i * OUT + o.
    gemm::product::<T, OUT, IN>(
        layer.weight.as_slice(),
        1,
        OUT,
        Some(layer.bias.as_slice()),
        x,
        z,
    );
}

/// `dL/dx = W^T delta` for every sample: the gradient passed to the previous layer.
#[inline]
#[cfg(feature = "alloc")]
pub fn dense_input_gradient<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    delta: &Batch<T, OUT>,
    grad_x: &mut Batch<T, IN>,
) {
    grad_x.set_len(delta.len());
    // A = W^T: element (i, o) = W[o, i] at i * OUT + o.
    gemm::product::<T, IN, OUT>(layer.weight.as_slice(), OUT, 1, None, delta, grad_x);
}

/// Adds this batch's contribution to the layer's gradient: `dW += delta x^T`,
/// `db += sum over samples of delta`, with `delta` in `out.delta`.
#[inline]
#[cfg(feature = "alloc")]
pub fn dense_gradient<T: Real, const IN: usize, const OUT: usize>(
    grad: &mut Dense<T, IN, OUT>,
    x: &Batch<T, IN>,
    out: &mut LayerBuffers<T, OUT>,
) {
    debug_assert_eq!(x.len(), out.delta.len());
    gemm::bias_gradient(grad.bias.as_mut_slice(), &out.delta);
    gemm::weight_gradient::<T, IN, OUT>(grad.weight.as_mut_slice(), x, out.delta_rows());
}

/// `z = W x + b` for one sample: the batch-1 path, vectorised along the outputs
/// (a column of `W` is contiguous) with up to eight vectors of outputs in registers
/// across the whole input.
#[inline]
pub fn dense_vector<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
) -> SVector<T, OUT> {
    let lanes = T::Lanes::LANES;
    let mut z = layer.bias;
    let full = OUT / lanes * lanes;
    let w = layer.weight.as_slice().as_ptr();
    let zp = z.as_mut_slice().as_mut_ptr();
    let mut o = 0;
    // SAFETY: `W` holds IN * OUT scalars, column i at i * OUT; every vector read
    // covers outputs o..o + LANES <= full <= OUT of one column, and every write
    // outputs o..o + LANES <= OUT of `z`.
    unsafe {
        // Eight vectors of outputs: eight independent chains of fused multiply-adds,
        // enough to cover the FMA latency on two FMA ports.
        while o + 8 * lanes <= full {
            o = matvec_block::<T, IN, OUT, 8>(w, x, zp, o);
        }
        while o + 4 * lanes <= full {
            o = matvec_block::<T, IN, OUT, 4>(w, x, zp, o);
        }
        while o + lanes <= full {
            o = matvec_block::<T, IN, OUT, 1>(w, x, zp, o);
        }
    }
    let zs = z.as_mut_slice();
    let ws = layer.weight.as_slice();
    if OUT == 1 {
        // One output: `W` is one contiguous row, so a dot product along the inputs.
        zs[0] += dot(ws, x.as_slice());
        return z;
    }
    // The last OUT % LANES outputs.
    for (i, &xi) in x.iter().enumerate() {
        let column = &ws[i * OUT + full..(i + 1) * OUT];
        for (z, &w) in zs[full..].iter_mut().zip(column) {
            *z += w * xi;
        }
    }
    z
}

/// `sum_i a_i b_i`, whole vectors first, with two accumulators.
#[inline(always)]
fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let lanes = T::Lanes::LANES;
    let n = a.len().min(b.len());
    let full = n / lanes * lanes;
    let mut acc = [T::Lanes::splat(T::ZERO); 2];
    for (k, i) in (0..full).step_by(lanes).enumerate() {
        acc[k % 2] = T::Lanes::load(a, i).mul_add(T::Lanes::load(b, i), acc[k % 2]);
    }
    let mut sum = (acc[0] + acc[1]).sum();
    for i in full..n {
        sum += a[i] * b[i];
    }
    sum
}

/// Outputs `o..o + V * LANES` of the matrix-vector product, added to `z`; returns the
/// next output.
///
/// # Safety
/// `w` points to the `IN * OUT` column-major weights, `z` to `OUT` outputs, and
/// `o + V * LANES <= OUT`.
#[inline(always)]
unsafe fn matvec_block<T: Real, const IN: usize, const OUT: usize, const V: usize>(
    w: *const T,
    x: &SVector<T, IN>,
    z: *mut T,
    o: usize,
) -> usize {
    let lanes = T::Lanes::LANES;
    let mut acc = [T::Lanes::splat(T::ZERO); V];
    // SAFETY: the caller's contract bounds every access.
    unsafe {
        for (v, a) in acc.iter_mut().enumerate() {
            *a = T::Lanes::read(z.add(o + v * lanes));
        }
        for i in 0..IN {
            let xv = T::Lanes::splat(*x.get_unchecked(i));
            let column = w.add(i * OUT + o);
            for (v, a) in acc.iter_mut().enumerate() {
                *a = xv.mul_add(T::Lanes::read(column.add(v * lanes)), *a);
            }
        }
        for (v, a) in acc.iter().enumerate() {
            a.write(z.add(o + v * lanes));
        }
    }
    o + V * lanes
}

/// Samples per register block: a whole padded run, so no block has a tail.
#[cfg(feature = "alloc")]
const BLOCK: usize = LANE_PAD;
