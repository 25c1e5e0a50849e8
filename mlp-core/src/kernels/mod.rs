//! The compute kernels the generated networks call, one call per layer step.
//!
//! Contract: a dense layer holds `W` with shape `(OUT, IN)` (nalgebra stores it
//! column-major: `W[o, i]` at `i * OUT + o`) and `b` with `OUT` entries; batches
//! are feature-major ([`Batch`]) with every feature's run padded to whole SIMD
//! vectors. Every kernel is generic over the layer's sizes, so each layer gets its
//! own code with constant loop bounds: a tiny layer's loops unroll completely.
//!
//! Batches put consecutive samples in the lanes of a SIMD register; the products
//! are register-blocked over a few outputs times a few vectors of samples
//! (`gemm.rs`), and read the input layer's rows in place ([`crate::batch::Rows`]).
//! One sample at a time ([`dense_vector`], `matvec.rs`) is a matrix-vector product
//! vectorised along the outputs, and its activations run in the narrowest vector
//! that holds the layer. `elementwise.rs` holds the loops that run the activations'
//! and losses' formulas on a batch.

mod elementwise;
#[cfg(all(target_arch = "x86_64", feature = "std", not(target_feature = "avx2")))]
mod fallback;
#[cfg(feature = "alloc")]
mod gemm;
mod matvec;
#[cfg(test)]
mod tests;
// Without an allocator there are no products, only the loops of `elementwise.rs`.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
mod vector;
#[cfg(all(target_arch = "x86_64", feature = "std"))]
mod x86;

#[cfg(feature = "alloc")]
use crate::activation::{Elementwise, Linear};
#[cfg(feature = "alloc")]
use crate::batch::{Batch, LANE_PAD, LayerBuffers};
#[cfg(feature = "alloc")]
use crate::dense::Dense;
#[cfg(feature = "alloc")]
use crate::real::Real;
#[cfg(feature = "alloc")]
pub(crate) use gemm::Operand;

pub(crate) use elementwise::{Features, LaneLoop, Lanewise, load, run, store};
#[cfg(feature = "alloc")]
pub(crate) use elementwise::{
    activate_batch, derivative_batch, each_lane_group, sum_samples, update_batch,
};
pub use matvec::dense_vector;
pub(crate) use matvec::{activate, dense_activate};

/// `z = W x + b` for every sample of `x`: a batch, or the input rows.
#[inline]
#[cfg(feature = "alloc")]
pub fn dense_forward<T: Real, const IN: usize, const OUT: usize, X: Operand<T, IN>>(
    layer: &Dense<T, IN, OUT>,
    x: &X,
    z: &mut Batch<T, OUT>,
) {
    z.set_len(x.samples());
    gemm::product::<T, OUT, IN, false, X, Linear>(
        layer.weight.as_slice(),
        Some(layer.bias.as_slice()),
        x,
        z,
        None,
    );
}

/// `z = W x + b` and `a = act(z)` for every sample of `x` (and the padding), the
/// activation applied as the product stores `z`.
#[inline]
#[cfg(feature = "alloc")]
pub(crate) fn dense_forward_activated<T, const IN: usize, const OUT: usize, X, E>(
    layer: &Dense<T, IN, OUT>,
    x: &X,
    act: &E,
    z: &mut Batch<T, OUT>,
    a: &mut Batch<T, OUT>,
) where
    T: Real,
    X: Operand<T, IN>,
    E: Elementwise,
{
    z.set_len(x.samples());
    gemm::product::<T, OUT, IN, false, X, E>(
        layer.weight.as_slice(),
        Some(layer.bias.as_slice()),
        x,
        z,
        Some((act, a)),
    );
}

/// `out[s] = act(W x[s] + b)` for every row of `x`, sample-major in and out: the
/// inference step of a layer of whole [`LANE_PAD`]s of units, at least two,
/// vectorised along its outputs.
#[inline]
#[cfg(feature = "alloc")]
pub(crate) fn dense_rows<T, const IN: usize, const OUT: usize, E>(
    layer: &Dense<T, IN, OUT>,
    act: &E,
    x: &[[T; IN]],
    out: &mut [[T; OUT]],
) where
    T: Real,
    E: Elementwise,
{
    const { assert!(OUT.is_multiple_of(LANE_PAD) && OUT >= 2 * LANE_PAD) };
    gemm::rows_to_rows::<T, OUT, IN, E>(
        layer.weight.as_slice(),
        layer.bias.as_slice(),
        x,
        out,
        act,
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
    gemm::product::<T, IN, OUT, true, Batch<T, OUT>, Linear>(
        layer.weight.as_slice(),
        None,
        delta,
        grad_x,
        None,
    );
}

/// Adds this batch's contribution to the layer's gradient: `dW += delta x^T`,
/// `db += sum over samples of delta`, with `delta` in `out.delta`.
#[inline]
#[cfg(feature = "alloc")]
pub fn dense_gradient<T: Real, const IN: usize, const OUT: usize, X: Operand<T, IN>>(
    grad: &mut Dense<T, IN, OUT>,
    x: &X,
    out: &mut LayerBuffers<T, OUT>,
) {
    debug_assert_eq!(x.samples(), out.delta.len());
    gemm::bias_gradient(grad.bias.as_mut_slice(), &out.delta);
    let (delta, rows) = out.delta_and_rows();
    gemm::weight_gradient::<T, IN, OUT, X>(grad.weight.as_mut_slice(), x, delta, rows);
}

/// Samples per register block: a whole padded run, so no block has a tail.
#[cfg(feature = "alloc")]
const BLOCK: usize = LANE_PAD;
