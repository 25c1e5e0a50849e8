//! The contract between `network!` and the runtime: the passes the macro
//! generates for each network, which the [`Network`] methods are built on.
//!
//! Not part of the API. Generated code names it as `mlp::core::__private::Compiled`;
//! users never implement or call it, so a kernel change is never an API change.

use crate::error::Error;
use crate::init::Uniform;
use crate::network::Network;
use crate::tensor::TensorId;

/// The generated passes of network `N`, implemented by a type the macro emits
/// next to `N` and names as [`Network::Compiled`].
pub trait Compiled<N: Network> {
    /// The per-layer buffers for a chunk of samples (plain arrays, so `Send`: a
    /// worker thread computes in its own).
    #[cfg(feature = "alloc")]
    type Buffers: Send;

    /// Draws fresh weights from `seed` and zeroes biases.
    fn initialise(net: &mut N, seed: u64);

    /// The values of one parameter tensor in nalgebra's column-major storage order.
    fn tensor(net: &N, id: TensorId) -> &[N::Scalar];

    /// Mutable [`Compiled::tensor`].
    fn tensor_mut(net: &mut N, id: TensorId) -> &mut [N::Scalar];

    /// Checks targets against the loss's rules.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTarget`] for the first value the loss does not accept.
    fn check_targets(targets: &[N::Target]) -> Result<(), Error>;

    /// For a classification loss, the fraction of one sample's outputs classified
    /// correctly; `None` for a regression loss.
    fn accuracy(output: &N::Output, target: &N::Target) -> Option<f64>;

    /// For a regression loss, one target's values (one per output, as the
    /// output's own `as_ref()` gives them); `None` for a classification loss.
    fn regression_target(target: &N::Target) -> Option<&[N::Scalar]>;

    /// One sample's loss, computed on the stack.
    fn sample_loss(net: &N, x: &N::Input, y: &N::Target) -> N::Scalar;

    /// Backpropagation of one sample on the stack: adds `scale * dl/dparams` to
    /// `grads` and returns the sample's loss. With `dropout`, layers declared with
    /// `dropout(rate)` drop units drawn from it. The row is not checked.
    fn add_sample_gradient(
        net: &N,
        x: &N::Input,
        y: &N::Target,
        scale: N::Scalar,
        grads: &mut N,
        dropout: Option<&mut Uniform>,
    ) -> N::Scalar;

    /// Buffers for up to `capacity` samples.
    #[cfg(feature = "alloc")]
    fn buffers(capacity: usize) -> Self::Buffers;

    /// Loads `inputs` (at most the buffers' capacity) and runs the forward pass;
    /// with `dropout`, dropout layers drop units drawn from it.
    #[cfg(feature = "alloc")]
    fn forward(
        net: &N,
        buffers: &mut Self::Buffers,
        inputs: &[N::Input],
        dropout: Option<&mut Uniform>,
    );

    /// Inference: the outputs of `inputs` (at most the buffers' capacity) into
    /// `outputs`, as many: layers on rows keep only their activations, layers on
    /// batches their `z` as well.
    #[cfg(feature = "alloc")]
    fn infer(net: &N, buffers: &mut Self::Buffers, inputs: &[N::Input], outputs: &mut [N::Output]);

    /// Copies the outputs of the last forward pass into `outputs`.
    #[cfg(feature = "alloc")]
    fn outputs(buffers: &Self::Buffers, outputs: &mut [N::Output]);

    /// The sum of the per-sample losses of the last forward pass.
    #[cfg(feature = "alloc")]
    fn loss_sum(buffers: &mut Self::Buffers, targets: &[N::Target]) -> N::Scalar;

    /// Backpropagation after [`Compiled::forward`] on the same `inputs`: adds
    /// `scale * dl/dparams` of every sample to `grads` and returns the sum of the
    /// per-sample losses. With `weights` (one per sample, at least 0) sample `s`
    /// counts `weights[s]` times, in its gradient and in the sum.
    #[cfg(feature = "alloc")]
    fn backward(
        net: &N,
        buffers: &mut Self::Buffers,
        inputs: &[N::Input],
        targets: &[N::Target],
        scale: N::Scalar,
        weights: Option<&[N::Scalar]>,
        grads: &mut N,
    ) -> N::Scalar;
}

/// The passes of `N`.
pub(crate) type Passes<N> = <N as Network>::Compiled;

/// Every parameter tensor of `N`, in the order weight 0, bias 0, weight 1, ...:
/// the one loop over a network's parameters.
pub(crate) fn tensor_ids<N: Network>() -> impl Iterator<Item = TensorId> + Clone {
    TensorId::all(N::LAYERS)
}

/// Tensor `id` of `net`, in storage order.
#[inline]
pub(crate) fn tensor<N: Network>(net: &N, id: TensorId) -> &[N::Scalar] {
    <Passes<N> as Compiled<N>>::tensor(net, id)
}

/// Mutable [`tensor`].
#[inline]
pub(crate) fn tensor_mut<N: Network>(net: &mut N, id: TensorId) -> &mut [N::Scalar] {
    <Passes<N> as Compiled<N>>::tensor_mut(net, id)
}
