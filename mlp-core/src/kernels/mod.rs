//! The compute kernels the generated networks call, one call per layer step.
//!
//! Contract: a dense layer holds `W` with shape `(OUT, IN)` (nalgebra stores it
//! column-major: `W[o, i]` at `i * OUT + o`) and `b` with `OUT` entries; batches
//! are feature-major ([`Batch`]) with every feature's run padded to whole SIMD
//! vectors. Every kernel is generic over the layer's sizes, so each layer gets its
//! own code with constant loop bounds: a tiny layer's loops unroll completely.
//!
//! Batches put consecutive samples in the lanes of a SIMD register; the products
//! are register-blocked over [`gemm`]'s `ROWS` outputs times [`LANE_PAD`] samples.
//! One sample at a time ([`dense_vector`]) is a matrix-vector product vectorised
//! along the outputs.

mod gemm;
#[cfg(test)]
mod tests;

use crate::batch::{Batch, LANE_PAD};
use crate::dense::Dense;
use crate::real::Real;
use crate::simd::Lanes;
use nalgebra::SVector;

/// `z = W x + b` for every sample of `x`.
#[inline]
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
/// `db += sum over samples of delta`. Padding samples hold zero deltas.
#[inline]
pub fn dense_gradient<T: Real, const IN: usize, const OUT: usize>(
    grad: &mut Dense<T, IN, OUT>,
    x: &Batch<T, IN>,
    delta: &Batch<T, OUT>,
) {
    debug_assert_eq!(x.len(), delta.len());
    gemm::outer_product_sum::<T, IN, OUT>(
        grad.weight.as_mut_slice(),
        grad.bias.as_mut_slice(),
        x,
        delta,
    );
}

/// `z = W x + b` for one sample: the batch-1 path, vectorised along the outputs
/// (a column of `W` is contiguous).
#[inline]
pub fn dense_vector<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
) -> SVector<T, OUT> {
    let lanes = T::Lanes::LANES;
    let w = layer.weight.as_slice();
    let mut z = layer.bias;
    let zs = z.as_mut_slice();
    let full = OUT / lanes * lanes;
    // Blocks of 4 vectors keep 4 accumulators in registers across the whole input.
    let mut o = 0;
    while o + 4 * lanes <= full {
        let mut acc = [T::Lanes::splat(T::ZERO); 4];
        for (k, a) in acc.iter_mut().enumerate() {
            *a = T::Lanes::load(zs, o + k * lanes);
        }
        for (i, &xi) in x.iter().enumerate() {
            let xv = T::Lanes::splat(xi);
            for (k, a) in acc.iter_mut().enumerate() {
                *a = xv.mul_add(T::Lanes::load(w, i * OUT + o + k * lanes), *a);
            }
        }
        for (k, a) in acc.iter().enumerate() {
            a.store(zs, o + k * lanes);
        }
        o += 4 * lanes;
    }
    while o < full {
        let mut acc = T::Lanes::load(zs, o);
        for (i, &xi) in x.iter().enumerate() {
            acc = T::Lanes::splat(xi).mul_add(T::Lanes::load(w, i * OUT + o), acc);
        }
        acc.store(zs, o);
        o += lanes;
    }
    for (o, zo) in zs.iter_mut().enumerate().skip(full) {
        for (i, &xi) in x.iter().enumerate() {
            *zo += w[i * OUT + o] * xi;
        }
    }
    z
}

/// Samples per register block: a whole padded run, so no block has a tail.
const BLOCK: usize = LANE_PAD;
