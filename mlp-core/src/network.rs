//! The [`Network`] trait: what every `network!` type is, and everything built on
//! the few methods the macro generates.

use crate::error::Error;
use crate::init::Uniform;
use crate::real::Real;
use crate::simd::Lanes;
use crate::tensor::{Shape, TensorId, TensorKind};
use core::ops::{Deref, DerefMut};

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// How many samples a [`Workspace`] made by the convenience methods holds at once.
pub const DEFAULT_CHUNK: usize = 256;

/// A fixed-architecture network. The `network!` macro implements the required
/// items; the provided methods (batch prediction, loss, gradients, descent) are
/// built on them and are the same for every network.
///
/// Batch methods take rows as slices of arrays: `&[[f32; 4]]` for a 4-input network.
/// They process the rows in chunks of the workspace's capacity, so any number of
/// rows works with any workspace.
pub trait Network: Clone + Sized {
    /// `f32` or `f64`.
    type Scalar: Real;
    /// One sample's input: `[Scalar; INPUTS]`.
    type Input: Copy + AsRef<[Self::Scalar]> + for<'a> TryFrom<&'a [Self::Scalar]>;
    /// One sample's output: `[Scalar; OUTPUTS]`.
    type Output: Copy + Default + AsRef<[Self::Scalar]>;
    /// One sample's target: `[Scalar; OUTPUTS]`, or the class index for `sparse_cce`.
    type Target: Copy;
    /// The per-layer buffers for a chunk of samples.
    #[cfg(feature = "alloc")]
    type Buffers;

    /// Width of the input.
    const INPUTS: usize;
    /// Width of the output.
    const OUTPUTS: usize;
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

    /// Draws fresh weights from `seed` (Glorot/Xavier uniform for sigmoid, tanh,
    /// linear and softmax layers, He uniform for the relu family) and zeroes biases.
    fn initialise(&mut self, seed: u64);

    /// The values of parameter tensor `index` (weight 0, bias 0, weight 1, ...) in
    /// nalgebra's column-major storage order.
    ///
    /// # Panics
    /// If `index >= 2 * layers`.
    fn tensor(&self, index: usize) -> &[Self::Scalar];

    /// Mutable [`Network::tensor`].
    fn tensor_mut(&mut self, index: usize) -> &mut [Self::Scalar];

    /// The output for one sample, computed on the stack.
    ///
    /// Inference does not validate: a non-finite input gives what IEEE arithmetic gives.
    fn predict(&self, x: &Self::Input) -> Self::Output;

    /// Buffers for up to `capacity` samples.
    #[cfg(feature = "alloc")]
    fn buffers(capacity: usize) -> Self::Buffers;

    /// Loads `inputs` (at most the buffers' capacity) and runs the forward pass;
    /// with `dropout`, layers declared with `dropout(rate)` drop units drawn from it
    /// (training), without it they pass everything (inference).
    #[cfg(feature = "alloc")]
    fn forward(
        &self,
        buffers: &mut Self::Buffers,
        inputs: &[Self::Input],
        dropout: Option<&mut Uniform>,
    );

    /// Copies the outputs of the last forward pass into `outputs`.
    #[cfg(feature = "alloc")]
    fn outputs(buffers: &Self::Buffers, outputs: &mut [Self::Output]);

    /// Checks targets against the loss's rules.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTarget`] for the first value the loss does not accept.
    fn check_targets(targets: &[Self::Target]) -> Result<(), Error>;

    /// For a classification loss, the fraction of one sample's outputs classified
    /// correctly (argmax for cce and sparse_cce, 0.5 for bce, the sign for hinge and
    /// perceptron); `None` for a regression loss.
    fn accuracy(output: &Self::Output, target: &Self::Target) -> Option<f64>;

    /// The sum of the per-sample losses of the last forward pass.
    #[cfg(feature = "alloc")]
    fn loss_sum(buffers: &mut Self::Buffers, targets: &[Self::Target]) -> Self::Scalar;

    /// Backpropagation after [`Network::forward`]: adds `scale * dl/dparams` of every
    /// sample to `grads` and returns the sum of the per-sample losses.
    #[cfg(feature = "alloc")]
    fn backward(
        &self,
        buffers: &mut Self::Buffers,
        targets: &[Self::Target],
        scale: Self::Scalar,
        grads: &mut Self,
    ) -> Self::Scalar;

    /// One sample's loss, computed on the stack.
    fn sample_loss(&self, x: &Self::Input, y: &Self::Target) -> Self::Scalar;

    /// Backpropagation of one sample on the stack: adds `scale * dl/dparams` to
    /// `grads` and returns the sample's loss `l`. With `dropout`, layers declared
    /// with `dropout(rate)` drop units drawn from it. Needs no allocator; the rows
    /// are not checked (the `*_by_sample` methods check them).
    fn add_sample_gradient(
        &self,
        x: &Self::Input,
        y: &Self::Target,
        scale: Self::Scalar,
        grads: &mut Self,
        dropout: Option<&mut Uniform>,
    ) -> Self::Scalar;

    /// The number of dense layers.
    fn layers() -> usize {
        Self::WIDTHS.len() - 1
    }

    /// A seeded, freshly initialised network.
    fn seeded(seed: u64) -> Self {
        let mut net = Self::zeros();
        net.initialise(seed);
        net
    }

    /// Buffers for batch methods, holding up to `capacity` samples at a time.
    #[cfg(feature = "alloc")]
    fn workspace(&self, capacity: usize) -> Workspace<Self> {
        Workspace::new(capacity)
    }

    /// Predicts every row of `inputs` into `outputs`, without allocating.
    ///
    /// # Errors
    ///
    /// [`Error::RowCountMismatch`] when `outputs` has not as many rows as `inputs`.
    #[cfg(feature = "alloc")]
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
        let cap = ws.capacity;
        for (x, y) in inputs.chunks(cap).zip(outputs.chunks_mut(cap)) {
            self.forward(&mut ws.buffers, x, None);
            Self::outputs(&ws.buffers, y);
        }
        Ok(())
    }

    /// Predicts every row of `inputs`.
    #[cfg(feature = "alloc")]
    fn predict_batch(&self, inputs: &[Self::Input]) -> Vec<Self::Output> {
        let mut out = alloc::vec![Self::Output::default(); inputs.len()];
        let mut ws = self.workspace(inputs.len().min(DEFAULT_CHUNK));
        self.predict_batch_with(&mut ws, inputs, &mut out)
            .expect("outputs are allocated to match the inputs");
        out
    }

    /// The loss over a batch, without allocating.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no rows, [`Error::RowCountMismatch`] when there are not as many
    /// target rows as input rows, [`Error::NonFiniteInput`] for a NaN or infinite input and
    /// [`Error::InvalidTarget`] for a target the loss does not accept, each naming the row.
    #[cfg(feature = "alloc")]
    fn loss_with(
        &self,
        ws: &mut Workspace<Self>,
        inputs: &[Self::Input],
        targets: &[Self::Target],
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let mut sum = Self::Scalar::ZERO;
        let cap = ws.capacity;
        for (x, y) in inputs.chunks(cap).zip(targets.chunks(cap)) {
            self.forward(&mut ws.buffers, x, None);
            sum += Self::loss_sum(&mut ws.buffers, y);
        }
        Ok(sum / Self::Scalar::of(inputs.len() as f64))
    }

    /// The loss over a batch.
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
        let mut ws = self.workspace(inputs.len().clamp(1, DEFAULT_CHUNK));
        self.loss_with(&mut ws, inputs, targets)
    }

    /// Overwrites `grads` with the gradient of the batch loss with respect to every
    /// parameter and returns the loss, without allocating.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`]; `grads` is then unchanged.
    #[cfg(feature = "alloc")]
    fn gradients_with(
        &self,
        ws: &mut Workspace<Self>,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        grads: &mut Self,
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let scale = Self::Scalar::ONE / Self::Scalar::of(inputs.len() as f64);
        Ok(gradient_sum(self, ws, inputs, targets, scale, grads, None) * scale)
    }

    /// [`Network::gradients_with`] as a training step sees it: layers declared with
    /// `dropout(rate)` drop units with masks drawn from `masks`. The same generator
    /// state gives the same masks, so the result is reproducible.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`].
    #[cfg(feature = "alloc")]
    fn dropout_gradients_with(
        &self,
        ws: &mut Workspace<Self>,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        grads: &mut Self,
        masks: &mut Uniform,
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let scale = Self::Scalar::ONE / Self::Scalar::of(inputs.len() as f64);
        Ok(gradient_sum(self, ws, inputs, targets, scale, grads, Some(masks)) * scale)
    }

    /// The gradient of the batch loss with respect to every parameter, with the
    /// same shapes as the network's parameters.
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
        let mut ws = self.workspace(inputs.len().clamp(1, DEFAULT_CHUNK));
        let mut grads = Gradients(Self::zeros());
        self.gradients_with(&mut ws, inputs, targets, &mut grads.0)?;
        Ok(grads)
    }

    /// The loss over a batch, one sample at a time on the stack: the same value as
    /// [`Network::loss_with`] (to rounding) with no workspace and no allocator.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`].
    fn loss_by_sample(
        &self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let mut sum = Self::Scalar::ZERO;
        for (x, y) in inputs.iter().zip(targets) {
            sum += self.sample_loss(x, y);
        }
        Ok(sum / Self::Scalar::of(inputs.len() as f64))
    }

    /// Overwrites `grads` with the gradient of the batch loss and returns the loss,
    /// one sample at a time on the stack: the same values as
    /// [`Network::gradients_with`] (to rounding) with no workspace and no
    /// allocator. For a few samples per step, and where there is no heap; a
    /// training step is this and [`Network::step`].
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`].
    fn gradients_by_sample(
        &self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        grads: &mut Self,
    ) -> Result<Self::Scalar, Error> {
        sample_gradient_sum(self, inputs, targets, grads, None)
    }

    /// [`Network::gradients_by_sample`] as a training step sees it: layers declared
    /// with `dropout(rate)` drop units with masks drawn from `masks`.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`].
    fn dropout_gradients_by_sample(
        &self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        grads: &mut Self,
        masks: &mut Uniform,
    ) -> Result<Self::Scalar, Error> {
        sample_gradient_sum(self, inputs, targets, grads, Some(masks))
    }

    /// One step of plain gradient descent, `W <- W - lr * dL/dW` for every parameter.
    ///
    /// The learning rate must be finite and positive, every gradient finite, and
    /// every parameter after the step finite; otherwise nothing changes and the
    /// error says what was wrong.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLearningRate`], [`Error::NonFiniteGradient`] or
    /// [`Error::NonFiniteStep`], naming the tensor and index.
    fn step(&mut self, grads: &Self, learning_rate: Self::Scalar) -> Result<(), Error> {
        check_learning_rate(learning_rate)?;
        check_step(self, grads, learning_rate)?;
        for t in 0..2 * Self::layers() {
            for (p, &g) in self.tensor_mut(t).iter_mut().zip(grads.tensor(t)) {
                *p -= learning_rate * g;
            }
        }
        Ok(())
    }

    /// Computes the gradient of a batch into `grads` and takes one descent step;
    /// returns the loss before the step. Allocates nothing.
    ///
    /// # Errors
    ///
    /// As [`Network::loss_with`] and [`Network::step`]; the network is then unchanged.
    #[cfg(feature = "alloc")]
    fn train_step_with(
        &mut self,
        ws: &mut Workspace<Self>,
        grads: &mut Self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        learning_rate: Self::Scalar,
    ) -> Result<Self::Scalar, Error> {
        check_learning_rate(learning_rate)?;
        let loss = self.gradients_with(ws, inputs, targets, grads)?;
        self.step(grads, learning_rate)?;
        Ok(loss)
    }

    /// Trains on the rows as `settings` say (see [`crate::train::Fit`]) and returns
    /// every epoch's measurements. Settings and rows are checked before any weight
    /// changes; a training or validation loss that turns NaN or infinite stops the
    /// run with [`Error::Diverged`] or [`Error::ValidationDiverged`] and restores the
    /// weights of the last complete epoch.
    ///
    /// # Errors
    ///
    /// As [`crate::train::fit`].
    #[cfg(feature = "alloc")]
    fn fit(
        &mut self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        settings: &crate::train::Fit,
    ) -> Result<crate::train::History, Error> {
        let rows = crate::train::Rows::new(inputs, targets);
        crate::train::fit(self, rows, None, settings, |_, _| {
            crate::train::Control::Continue
        })
    }

    /// Saves the network as safetensors at `path`, atomically, with a test vector
    /// (see [`crate::io`]).
    ///
    /// # Errors
    ///
    /// As [`crate::io::save`].
    #[cfg(feature = "std")]
    fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        crate::io::save(self, path, &crate::io::SaveOptions::default())
    }

    /// Loads a network saved by [`Network::save`], checking names, dtypes, shapes,
    /// finite values and the test vector first (see [`crate::io::load`] for other
    /// layouts such as PyTorch's).
    ///
    /// # Errors
    ///
    /// As [`crate::io::load`].
    #[cfg(feature = "std")]
    fn load(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        crate::io::load(path, &crate::io::LoadOptions::default())
    }

    /// Every parameter in the saved order: for each layer its weight row by row
    /// (as PyTorch stores `(out, in)`), then its bias.
    #[cfg(feature = "alloc")]
    fn to_flat(&self) -> Vec<Self::Scalar> {
        let mut out = Vec::with_capacity(Self::PARAMS);
        for t in 0..2 * Self::layers() {
            let id = TensorId::from_index(t);
            for k in 0..id.shape(Self::WIDTHS).len() {
                out.push(self.tensor(t)[storage_index(id, Self::WIDTHS, k)]);
            }
        }
        out
    }

    /// Sets every parameter from `values` in the order of [`Network::to_flat`].
    /// The length and every value are checked before anything changes.
    ///
    /// # Errors
    ///
    /// [`Error::ParameterCount`] when `values` has not [`Network::PARAMS`] values, and
    /// [`Error::NonFiniteParameter`] for a NaN or infinite one.
    fn set_flat(&mut self, values: &[Self::Scalar]) -> Result<(), Error> {
        if values.len() != Self::PARAMS {
            return Err(Error::ParameterCount {
                expected: Self::PARAMS,
                found: values.len(),
            });
        }
        let mut offset = 0;
        for t in 0..2 * Self::layers() {
            let id = TensorId::from_index(t);
            let len = id.shape(Self::WIDTHS).len();
            if let Some(index) = values[offset..offset + len]
                .iter()
                .position(|v| !v.finite())
            {
                let value = values[offset + index].to_f64();
                return Err(Error::NonFiniteParameter {
                    tensor: id,
                    index,
                    value,
                });
            }
            offset += len;
        }
        let mut offset = 0;
        for t in 0..2 * Self::layers() {
            let id = TensorId::from_index(t);
            let len = id.shape(Self::WIDTHS).len();
            let tensor = self.tensor_mut(t);
            for (k, &v) in values[offset..offset + len].iter().enumerate() {
                tensor[storage_index(id, Self::WIDTHS, k)] = v;
            }
            offset += len;
        }
        Ok(())
    }

    /// The Euclidean norm of every parameter taken together (of a gradient, its
    /// global norm).
    fn norm(&self) -> Self::Scalar {
        let mut sum = Self::Scalar::ZERO;
        for t in 0..2 * Self::layers() {
            for &v in self.tensor(t) {
                sum += v * v;
            }
        }
        nalgebra::ComplexField::sqrt(sum)
    }
}

/// Overwrites `grads` with `scale` times the summed gradient of the rows, in chunks
/// of the workspace's capacity, and returns the summed per-sample loss. The rows
/// must have passed [`check_batch`]. With `dropout`, dropout layers drop units.
#[cfg(feature = "alloc")]
pub(crate) fn gradient_sum<N: Network>(
    net: &N,
    ws: &mut Workspace<N>,
    inputs: &[N::Input],
    targets: &[N::Target],
    scale: N::Scalar,
    grads: &mut N,
    mut dropout: Option<&mut Uniform>,
) -> N::Scalar {
    clear(grads);
    let mut sum = N::Scalar::ZERO;
    let cap = ws.capacity;
    for (x, y) in inputs.chunks(cap).zip(targets.chunks(cap)) {
        net.forward(&mut ws.buffers, x, dropout.as_deref_mut());
        sum += net.backward(&mut ws.buffers, y, scale, grads);
    }
    sum
}

/// Sets every parameter of `net` (a gradient buffer, before summing into it) to zero.
pub(crate) fn clear<N: Network>(net: &mut N) {
    for t in 0..2 * N::layers() {
        net.tensor_mut(t).fill(N::Scalar::ZERO);
    }
}

/// Checks the rows, overwrites `grads` with the mean gradient computed one sample
/// at a time, and returns the mean loss.
fn sample_gradient_sum<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Target],
    grads: &mut N,
    mut dropout: Option<&mut Uniform>,
) -> Result<N::Scalar, Error> {
    check_batch::<N>(inputs, targets)?;
    clear(grads);
    let scale = N::Scalar::ONE / N::Scalar::of(inputs.len() as f64);
    let mut sum = N::Scalar::ZERO;
    for (x, y) in inputs.iter().zip(targets) {
        sum += net.add_sample_gradient(x, y, scale, grads, dropout.as_deref_mut());
    }
    Ok(sum * scale)
}

/// Where row-major element `k` of tensor `id` sits in nalgebra's column-major storage.
fn storage_index(id: TensorId, widths: &[usize], k: usize) -> usize {
    match (id.kind, id.shape(widths)) {
        (TensorKind::Weight, Shape::Matrix(rows, cols)) => (k % cols) * rows + k / cols,
        _ => k,
    }
}

pub(crate) fn check_learning_rate<T: Real>(lr: T) -> Result<(), Error> {
    if lr.finite() && lr > T::zero() {
        Ok(())
    } else {
        Err(Error::InvalidLearningRate(lr.to_f64()))
    }
}

/// Checks that `p - lr * g` is finite for every parameter `p` and its gradient `g`,
/// computed as [`Network::step`] computes it, without writing anything. This pass
/// reads the parameters as well as the gradients (a non-finite gradient gives a
/// non-finite result too), so the step still makes only two passes.
fn check_step<N: Network>(net: &N, grads: &N, lr: N::Scalar) -> Result<(), Error> {
    for t in 0..2 * N::layers() {
        let (p, g) = (net.tensor(t), grads.tensor(t));
        if steps_finite(p, g, lr) {
            continue;
        }
        // The slow path: name the first bad value.
        let id = TensorId::from_index(t);
        let row_major = |k| match id.shape(N::WIDTHS) {
            Shape::Matrix(rows, cols) => (k % rows) * cols + k / rows,
            Shape::Vector(_) => k,
        };
        if let Some(k) = g.iter().position(|v| !v.finite()) {
            return Err(Error::NonFiniteGradient {
                tensor: id,
                index: row_major(k),
                value: g[k].to_f64(),
            });
        }
        let k = (0..p.len())
            .find(|&k| !(p[k] - lr * g[k]).finite())
            .unwrap_or(0);
        return Err(Error::NonFiniteStep {
            tensor: id,
            index: row_major(k),
            value: p[k].to_f64(),
            gradient: g[k].to_f64(),
            learning_rate: lr.to_f64(),
        });
    }
    Ok(())
}

/// Whether `p - lr * g` is finite everywhere, in one vectorised pass (the product
/// and the difference rounded separately, as the step computes them).
fn steps_finite<T: Real>(p: &[T], g: &[T], lr: T) -> bool {
    let lanes = T::Lanes::LANES;
    let full = p.len() / lanes * lanes;
    let (zero, lr_lanes) = (T::Lanes::splat(T::ZERO), T::Lanes::splat(lr));
    let mut acc = zero;
    for i in (0..full).step_by(lanes) {
        let next = T::Lanes::load(p, i) - lr_lanes * T::Lanes::load(g, i);
        acc = next.mul_add(zero, acc);
    }
    let mut sum = acc.sum();
    for k in full..p.len() {
        sum += (p[k] - lr * g[k]) * T::ZERO;
    }
    sum.finite()
}

/// Whether every value is finite, in one vectorised pass: `v * 0` is 0 for a finite
/// `v` and NaN for an infinite or NaN one, and NaN survives the sum.
pub(crate) fn all_finite<T: Real>(values: &[T]) -> bool {
    let lanes = T::Lanes::LANES;
    let full = values.len() / (4 * lanes) * (4 * lanes);
    let zero = T::Lanes::splat(T::ZERO);
    // Four independent sums, so the pass runs at the speed of loads.
    let mut acc = [zero; 4];
    for i in (0..full).step_by(4 * lanes) {
        for (k, acc) in acc.iter_mut().enumerate() {
            *acc = T::Lanes::load(values, i + k * lanes).mul_add(zero, *acc);
        }
    }
    let mut sum = (acc[0] + acc[1] + acc[2] + acc[3]).sum();
    for &v in &values[full..] {
        sum += v * T::ZERO;
    }
    sum.finite()
}

/// Validates a batch: rows present, counts equal, inputs finite, targets valid.
pub(crate) fn check_batch<N: Network>(
    inputs: &[N::Input],
    targets: &[N::Target],
) -> Result<(), Error> {
    if inputs.is_empty() {
        return Err(Error::Empty { what: "inputs" });
    }
    if targets.len() != inputs.len() {
        return Err(Error::RowCountMismatch {
            inputs: inputs.len(),
            found: targets.len(),
            what: "target",
        });
    }
    check_inputs::<N>(inputs)?;
    N::check_targets(targets)
}

/// Checks that every input value is finite, naming the first that is not.
pub(crate) fn check_inputs<N: Network>(inputs: &[N::Input]) -> Result<(), Error> {
    for (row, x) in inputs.iter().enumerate() {
        if all_finite(x.as_ref()) {
            continue;
        }
        if let Some(column) = x.as_ref().iter().position(|v| !v.finite()) {
            return Err(Error::NonFiniteInput {
                row,
                column,
                value: x.as_ref()[column].to_f64(),
            });
        }
    }
    Ok(())
}

/// The buffers batch methods compute in. Make one with [`Network::workspace`] and
/// reuse it: batch methods that take a workspace allocate nothing.
#[cfg(feature = "alloc")]
pub struct Workspace<N: Network> {
    buffers: N::Buffers,
    capacity: usize,
}

#[cfg(feature = "alloc")]
impl<N: Network> Workspace<N> {
    /// A workspace for up to `capacity` samples at a time (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            buffers: N::buffers(capacity),
            capacity,
        }
    }

    /// How many samples are processed at a time.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The per-layer buffers, as the last batch method left them.
    pub fn buffers(&self) -> &N::Buffers {
        &self.buffers
    }

    pub(crate) fn buffers_mut(&mut self) -> &mut N::Buffers {
        &mut self.buffers
    }
}

/// The gradient of a loss with respect to every parameter of a network `N`: a value
/// with the network's own shapes (`grads.layers.0.weight` is `dL/dW_0`).
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients<N>(pub N);

impl<N> Deref for Gradients<N> {
    type Target = N;
    fn deref(&self) -> &N {
        &self.0
    }
}

impl<N> DerefMut for Gradients<N> {
    fn deref_mut(&mut self) -> &mut N {
        &mut self.0
    }
}
