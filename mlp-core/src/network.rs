//! The [`Network`] trait: what every `network!` type is and what a user does with it.

use crate::checks::{check_batch, check_learning_rate, check_step};
#[cfg(feature = "alloc")]
use crate::compiled::tensor;
use crate::compiled::{Compiled, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::loss::Class;
use crate::optim::descend;
use crate::real::Real;
use crate::tensor::storage_index;
use crate::workspace::Workspace;

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// How many rows the workspace of the convenience methods holds at once.
#[cfg(feature = "alloc")]
pub(crate) const DEFAULT_CHUNK: usize = 256;

/// A fixed-architecture network: every type `network!` declares implements it.
///
/// Rows are arrays: `&[[f32; 4]]` is a batch for a 4-input network, and a target is
/// `[f32; OUTPUTS]` (the class index, `usize`, for `sparse_cce`).
///
/// **Parameter layout.** Layer `i` has `layers.i.weight`, an nalgebra matrix of shape
/// `(out, in)` whose `weight[(o, j)]` connects input `j` to output `o` (PyTorch's
/// `nn.Linear` layout), and `layers.i.bias` of shape `(out,)`. Everything flat —
/// [`Network::to_flat`], [`Network::from_flat`], model files, the indices in error
/// messages — lists each layer's weight row by row, then its bias, layer by layer.
///
/// **Workspaces.** The methods ending in `_with` compute in a [`Workspace`] the
/// caller keeps and allocate nothing; the others make one per call. Without an
/// allocator only the `_with` forms exist, with [`Workspace::by_sample`].
///
/// Training ([`crate::train::Train::fit`]) and model files
/// ([`crate::io::Save::save`], [`crate::io::Save::load`]) are extension traits over
/// this one; `use mlp::prelude::*` brings all three.
pub trait Network: Clone + Sized {
    /// `f32` or `f64`.
    type Scalar: Real;
    /// One sample's input: `[Scalar; INPUTS]`.
    type Input: Copy + AsRef<[Self::Scalar]> + for<'a> TryFrom<&'a [Self::Scalar]>;
    /// One sample's output: `[Scalar; OUTPUTS]`.
    type Output: Copy + Default + AsRef<[Self::Scalar]>;
    /// One sample's target: `[Scalar; OUTPUTS]`, or the class index for `sparse_cce`.
    type Target: Copy + Class;
    /// Every layer's parameters as arrays, a tuple of `(weight, bias)` with
    /// `weight: [[Scalar; IN]; OUT]` (row `o` holds output `o`'s weights).
    type Weights;
    /// The passes `network!` generates. Not part of the API.
    #[doc(hidden)]
    type Compiled: Compiled<Self>;

    /// Width of the input.
    const INPUTS: usize;
    /// Width of the output.
    const OUTPUTS: usize;
    /// Number of dense layers.
    const LAYERS: usize;
    /// Number of trainable parameters (weights and biases).
    const PARAMS: usize;
    /// Widths of the input and of every layer, input first.
    const WIDTHS: &'static [usize];
    /// The loss's DSL name.
    const LOSS: &'static str;
    /// The network as the DSL writes it, e.g. `4 => 3 sigmoid => 1 sigmoid; loss = bce`.
    const ARCHITECTURE: &'static str;

    /// A network with every parameter zero.
    fn zeros() -> Self;

    /// A network from explicit parameters, one `(weight, bias)` pair per layer.
    ///
    /// The arrays pass through the stack: a 784-input layer alone is 400 KB of
    /// `f32`. Build a large network with [`Network::from_flat`] or load it instead.
    fn from_weights(weights: Self::Weights) -> Self;

    /// The output for one sample, computed on the stack. Allocates nothing and does
    /// not validate: a non-finite input gives what IEEE arithmetic gives.
    fn predict(&self, x: &Self::Input) -> Self::Output;

    /// A network initialised from `seed`: Glorot/Xavier uniform weights for
    /// sigmoid, tanh, linear and softmax layers, He uniform for the relu family,
    /// zero biases. The same seed gives the same weights on every machine.
    fn seeded(seed: u64) -> Self {
        let mut net = Self::zeros();
        <Self::Compiled as Compiled<Self>>::initialise(&mut net, seed);
        net
    }

    /// A network from every parameter in the flat layout (see the trait's docs), as
    /// [`Network::to_flat`] gives them. Builds in place on the heap for large layers.
    ///
    /// # Errors
    ///
    /// [`Error::ParameterCount`] when `values` has not [`Network::PARAMS`] values, and
    /// [`Error::NonFiniteParameter`] for a NaN or infinite one, naming the tensor.
    fn from_flat(values: &[Self::Scalar]) -> Result<Self, Error> {
        if values.len() != Self::PARAMS {
            return Err(Error::ParameterCount {
                expected: Self::PARAMS,
                found: values.len(),
            });
        }
        let mut net = Self::zeros();
        let mut rest = values;
        for id in tensor_ids::<Self>() {
            let shape = id.shape(Self::WIDTHS);
            let (this, next) = rest.split_at(shape.len());
            if let Some(index) = this.iter().position(|v| !v.finite()) {
                return Err(Error::NonFiniteParameter {
                    tensor: id,
                    index,
                    value: this[index].to_f64(),
                });
            }
            let stored = tensor_mut(&mut net, id);
            for (k, &v) in this.iter().enumerate() {
                stored[storage_index(shape, k)] = v;
            }
            rest = next;
        }
        Ok(net)
    }

    /// Every parameter in the flat layout (see the trait's docs).
    #[cfg(feature = "alloc")]
    fn to_flat(&self) -> Vec<Self::Scalar> {
        let mut out = Vec::with_capacity(Self::PARAMS);
        for id in tensor_ids::<Self>() {
            let (shape, stored) = (id.shape(Self::WIDTHS), tensor(self, id));
            out.extend((0..shape.len()).map(|k| stored[storage_index(shape, k)]));
        }
        out
    }

    /// The outputs for every row of `inputs`.
    #[cfg(feature = "alloc")]
    fn predict_batch(&self, inputs: &[Self::Input]) -> Vec<Self::Output> {
        let mut out = alloc::vec![Self::Output::default(); inputs.len()];
        let mut ws = Workspace::new(inputs.len().min(DEFAULT_CHUNK));
        self.predict_batch_with(&mut ws, inputs, &mut out)
            .expect("outputs are allocated to match the inputs");
        out
    }

    /// Predicts every row of `inputs` into `outputs`, allocating nothing.
    ///
    /// # Errors
    ///
    /// [`Error::RowCountMismatch`] when `outputs` has not as many rows as `inputs`.
    fn predict_batch_with(
        &self,
        ws: &mut Workspace<Self>,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
    ) -> Result<(), Error> {
        if outputs.len() != inputs.len() {
            return Err(Error::RowCountMismatch {
                inputs: inputs.len(),
                found: outputs.len(),
                what: "output",
            });
        }
        #[cfg(feature = "alloc")]
        let cap = ws.capacity();
        #[cfg(feature = "alloc")]
        if let Some((buffers, _)) = ws.batch() {
            for (x, y) in inputs.chunks(cap).zip(outputs.chunks_mut(cap)) {
                <Self::Compiled as Compiled<Self>>::infer(self, buffers, x, y);
            }
            return Ok(());
        }
        let _ = ws;
        for (x, y) in inputs.iter().zip(outputs) {
            *y = self.predict(x);
        }
        Ok(())
    }

    /// The mean loss over a batch.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`].
    #[cfg(feature = "alloc")]
    fn loss(
        &self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
    ) -> Result<Self::Scalar, Error> {
        let mut ws = Workspace::new(inputs.len().clamp(1, DEFAULT_CHUNK));
        self.loss_with(&mut ws, inputs, targets)
    }

    /// The mean loss over a batch, allocating nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no rows, [`Error::RowCountMismatch`] when there are not as
    /// many target rows as input rows, [`Error::NonFiniteInput`] for a NaN or infinite
    /// input and [`Error::InvalidTarget`] for a target the loss does not accept, each
    /// naming the row.
    fn loss_with(
        &self,
        ws: &mut Workspace<Self>,
        inputs: &[Self::Input],
        targets: &[Self::Target],
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let mut sum = Self::Scalar::ZERO;
        #[cfg(feature = "alloc")]
        let cap = ws.capacity();
        #[cfg(feature = "alloc")]
        if let Some((buffers, _)) = ws.batch() {
            for (x, y) in inputs.chunks(cap).zip(targets.chunks(cap)) {
                <Self::Compiled as Compiled<Self>>::forward(self, buffers, x, None);
                sum += <Self::Compiled as Compiled<Self>>::loss_sum(buffers, y);
            }
            return Ok(sum / Self::Scalar::of(inputs.len() as f64));
        }
        let _ = ws;
        for (x, y) in inputs.iter().zip(targets) {
            sum += <Self::Compiled as Compiled<Self>>::sample_loss(self, x, y);
        }
        Ok(sum / Self::Scalar::of(inputs.len() as f64))
    }

    /// The gradient of the mean batch loss with respect to every parameter.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`].
    #[cfg(feature = "alloc")]
    fn gradients(
        &self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
    ) -> Result<Gradients<Self>, Error> {
        let mut ws = Workspace::new(inputs.len().clamp(1, DEFAULT_CHUNK));
        let mut grads = Gradients::zeros();
        self.gradients_with(&mut ws, inputs, targets, &mut grads)?;
        Ok(grads)
    }

    /// Overwrites `grads` with the gradient of the mean batch loss and returns the
    /// loss, allocating nothing. In a workspace made [`Workspace::dropout`], layers
    /// declared with `dropout(rate)` drop units, as a training step does.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`]; `grads` is then unchanged.
    fn gradients_with(
        &self,
        ws: &mut Workspace<Self>,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        grads: &mut Gradients<Self>,
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let scale = Self::Scalar::ONE / Self::Scalar::of(inputs.len() as f64);
        Ok(gradient_sum(self, ws, inputs, targets, scale, None, grads) * scale)
    }

    /// One step of plain gradient descent, `W <- W - learning_rate * dL/dW` for every
    /// parameter; see [`crate::optim`] for momentum and Adam.
    ///
    /// The learning rate must be finite and positive, every gradient finite, and
    /// every parameter after the step finite; otherwise nothing changes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLearningRate`], [`Error::NonFiniteGradient`] or
    /// [`Error::NonFiniteStep`], naming the tensor and index.
    fn step(&mut self, grads: &Gradients<Self>, learning_rate: Self::Scalar) -> Result<(), Error> {
        check_learning_rate(learning_rate)?;
        check_step(self, grads, learning_rate)?;
        descend(self, grads, learning_rate);
        Ok(())
    }
}

/// Overwrites `grads` with `scale` times the summed gradient of the rows (checked
/// already) and returns the summed per-sample loss: in chunks of the workspace's
/// capacity, or one row at a time for a by-sample workspace. With `weights` (one
/// per row, at least 0) row `s` counts `weights[s]` times in both, and a row of
/// weight 0 not at all. Dropout layers drop units when the workspace is in
/// training mode.
pub(crate) fn gradient_sum<N: Network>(
    net: &N,
    ws: &mut Workspace<N>,
    inputs: &[N::Input],
    targets: &[N::Target],
    scale: N::Scalar,
    weights: Option<&[N::Scalar]>,
    grads: &mut Gradients<N>,
) -> N::Scalar {
    grads.clear();
    let mut sum = N::Scalar::ZERO;
    #[cfg(feature = "alloc")]
    let cap = ws.capacity();
    #[cfg(feature = "alloc")]
    if let Some((buffers, mut masks)) = ws.batch() {
        for (start, (x, y)) in inputs.chunks(cap).zip(targets.chunks(cap)).enumerate() {
            let w = weights.map(|w| &w[start * cap..start * cap + x.len()]);
            <N::Compiled as Compiled<N>>::forward(net, buffers, x, masks.as_deref_mut());
            sum += <N::Compiled as Compiled<N>>::backward(net, buffers, x, y, scale, w, grads);
        }
        return sum;
    }
    let mut masks = ws.masks();
    for (s, (x, y)) in inputs.iter().zip(targets).enumerate() {
        let w = weights.map_or(N::Scalar::ONE, |w| w[s]);
        if w == N::Scalar::ZERO {
            continue;
        }
        let loss = <N::Compiled as Compiled<N>>::add_sample_gradient(
            net,
            x,
            y,
            scale * w,
            grads,
            masks.as_deref_mut(),
        );
        sum += loss * w;
    }
    sum
}
