//! The body of an epoch: its gradient steps, and its measurements.

use super::{Fit, Rows};
use crate::checks::parameters_finite;
use crate::compiled::{Compiled, tensor, tensor_ids, tensor_mut};
use crate::gradients::Gradients;
use crate::init::Uniform;
use crate::network::{DEFAULT_CHUNK, Network, gradient_sum};
use crate::optim::AnyOptimizer;
use crate::real::Real;
use crate::tensor::TensorKind;
use crate::workspace::Workspace;
use alloc::vec::Vec;
use core::ops::Range;
use nalgebra::ComplexField;

/// What a run computes in, allocated once for all its epochs.
pub(crate) struct Buffers<N: Network> {
    ws: Workspace<N>,
    grads: Gradients<N>,
    /// Rows per step.
    batch: usize,
    order: Vec<usize>,
    /// A step's rows, gathered.
    step: Gathered<N>,
    outputs: Vec<N::Output>,
}

impl<N: Network> Buffers<N> {
    pub(crate) fn new(rows: usize, batch: usize) -> Self {
        Self {
            ws: Workspace::new(batch.min(DEFAULT_CHUNK)),
            grads: Gradients::zeros(),
            batch,
            order: Vec::with_capacity(rows),
            step: Gathered {
                inputs: Vec::with_capacity(batch),
                targets: Vec::with_capacity(batch),
                weights: Vec::with_capacity(batch),
            },
            outputs: alloc::vec![N::Output::default(); DEFAULT_CHUNK],
        }
    }

    /// The epoch's gradient steps over `train`, shuffled by a generator seeded with
    /// `shuffle` when given, dropout masks drawn from one seeded with `masks`, each
    /// the weighted mean over its rows when `weights` gives one per row. Returns the
    /// mean step loss (weighted by the steps' rows or weights) and each layer's mean
    /// gradient norm, or the loss of the first step whose loss or gradient is not
    /// finite (before its update).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn steps(
        &mut self,
        net: &mut N,
        optimizer: &mut AnyOptimizer<N>,
        settings: &Fit,
        train: Rows<'_, N>,
        weights: Option<&[f64]>,
        shuffle: Option<u64>,
        masks: u64,
    ) -> Result<(f64, Vec<f64>), f64> {
        let rows = train.len();
        self.order.clear();
        self.order.extend(0..rows);
        if let Some(seed) = shuffle {
            let order = &mut self.order;
            Uniform::new(seed).permute(rows, |i, j| order.swap(i, j));
        }
        self.ws.set_masks(Some(Uniform::new(masks)));
        let mut norms = alloc::vec![0.0; N::LAYERS];
        let (mut loss_total, mut counted, mut steps) = (0.0, 0.0, 0usize);
        for start in (0..rows).step_by(self.batch) {
            let part = start..(start + self.batch).min(rows);
            let (loss, count) = match weights {
                None => (
                    self.mean_gradient(net, train, part.clone()),
                    part.len() as f64,
                ),
                Some(w) => {
                    let total: f64 = self.order[part.clone()].iter().map(|&i| w[i]).sum();
                    // Rows that all weigh 0 have no mean to descend: no step.
                    if total == 0.0 {
                        continue;
                    }
                    (self.weighted_gradient(net, train, w, part, total), total)
                }
            };
            let loss = loss + regularise(net, &mut self.grads, settings.l2);
            if !loss.is_finite() || !parameters_finite(&*self.grads) {
                return Err(loss);
            }
            for (layer, norm) in norms.iter_mut().enumerate() {
                *norm += layer_norm(&self.grads, layer);
            }
            if let Some(max) = settings.clip_norm {
                clip(&mut self.grads, max);
            }
            optimizer.update(net, &self.grads);
            loss_total += loss * count;
            counted += count;
            steps += 1;
        }
        self.ws.set_masks(None);
        let norms = norms.iter().map(|n| n / steps.max(1) as f64).collect();
        Ok((loss_total / counted, norms))
    }

    /// The mean loss of the rows `order[part]` with its gradient in `grads`.
    fn mean_gradient(&mut self, net: &N, train: Rows<'_, N>, part: Range<usize>) -> f64 {
        let rows = &self.order[part];
        let scale = N::Scalar::ONE / N::Scalar::of(rows.len() as f64);
        let grads = &mut self.grads;
        self.step.pass(net, &mut self.ws, train, rows, scale, grads)
    }

    /// The weighted mean loss `sum w l / total` of the rows `order[part]` with its
    /// gradient in `grads`: one pass, each row's delta scaled by `w / total` in the
    /// backward pass (rows of weight 0 left out).
    fn weighted_gradient(
        &mut self,
        net: &N,
        train: Rows<'_, N>,
        weights: &[f64],
        part: Range<usize>,
        total: f64,
    ) -> f64 {
        let picked = self.order[part]
            .iter()
            .copied()
            .filter(|&i| weights[i] != 0.0);
        let step = &mut self.step;
        step.gather(train, picked.clone());
        step.weights.clear();
        step.weights
            .extend(picked.map(|i| N::Scalar::of(weights[i] / total)));
        let sum = gradient_sum(
            net,
            &mut self.ws,
            &step.inputs,
            &step.targets,
            N::Scalar::ONE,
            Some(&step.weights),
            &mut self.grads,
        );
        sum.to_f64()
    }
}

/// Rows gathered for one gradient pass.
struct Gathered<N: Network> {
    inputs: Vec<N::Input>,
    targets: Vec<N::Target>,
    /// Each gathered row's scale in a weighted step.
    weights: Vec<N::Scalar>,
}

impl<N: Network> Gathered<N> {
    /// Gathers the rows `picked` of `train`.
    fn gather(&mut self, train: Rows<'_, N>, picked: impl Iterator<Item = usize> + Clone) {
        self.inputs.clear();
        self.targets.clear();
        self.inputs.extend(picked.clone().map(|i| train.inputs[i]));
        self.targets.extend(picked.map(|i| train.targets[i]));
    }

    /// Gathers the rows `picked` of `train` and puts the gradient of `scale` times
    /// their loss sum in `grads`; returns that scaled sum.
    fn pass(
        &mut self,
        net: &N,
        ws: &mut Workspace<N>,
        train: Rows<'_, N>,
        picked: &[usize],
        scale: N::Scalar,
        grads: &mut Gradients<N>,
    ) -> f64 {
        self.gather(train, picked.iter().copied());
        let sum = gradient_sum(net, ws, &self.inputs, &self.targets, scale, None, grads);
        (sum * scale).to_f64()
    }
}

/// Loss and accuracy over `rows` (validated), in chunks of the workspace; every
/// output appended to `keep` when given.
pub(crate) fn evaluate<N: Network>(
    net: &N,
    buffers: &mut Buffers<N>,
    rows: Rows<'_, N>,
    mut keep: Option<&mut Vec<N::Output>>,
) -> (f64, Option<f64>) {
    let cap = buffers.ws.capacity().min(buffers.outputs.len());
    let (mut loss, mut right, mut classified) = (0.0, 0.0, false);
    let (batch, _) = buffers
        .ws
        .batch()
        .expect("the trainer's workspace has batch buffers");
    for (x, y) in rows.inputs.chunks(cap).zip(rows.targets.chunks(cap)) {
        let out = &mut buffers.outputs[..x.len()];
        <N::Compiled as Compiled<N>>::forward(net, batch, x, None);
        <N::Compiled as Compiled<N>>::outputs(batch, out);
        loss += <N::Compiled as Compiled<N>>::loss_sum(batch, y).to_f64();
        if let Some(keep) = keep.as_deref_mut() {
            keep.extend_from_slice(out);
        }
        for (o, t) in out.iter().zip(y) {
            if let Some(a) = crate::metrics::correct::<N>(o, t) {
                right += a;
                classified = true;
            }
        }
    }
    let n = rows.len() as f64;
    (loss / n, classified.then_some(right / n))
}

/// The seed of generator `which` (0 shuffles, 1 dropout masks) for `epoch` of a run
/// seeded `seed`: SplitMix64's finaliser over the three, so nearby epochs and seeds
/// give unrelated streams.
pub(crate) fn stream(seed: u64, epoch: usize, which: u64) -> u64 {
    let mut z = seed
        ^ (epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ which.wrapping_mul(0xd1b5_4a32_d192_ed03);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Adds `lambda w` to every weight gradient and returns `lambda / 2 * sum w^2`.
fn regularise<N: Network>(net: &N, grads: &mut Gradients<N>, lambda: f64) -> f64 {
    if lambda == 0.0 {
        return 0.0;
    }
    let l = N::Scalar::of(lambda);
    let mut squares = 0.0;
    for id in tensor_ids::<N>().filter(|id| id.kind == TensorKind::Weight) {
        for (g, &w) in tensor_mut(&mut **grads, id).iter_mut().zip(tensor(net, id)) {
            *g += l * w;
            squares += (w * w).to_f64();
        }
    }
    0.5 * lambda * squares
}

/// The L2 norm of one layer's weight and bias gradients.
fn layer_norm<N: Network>(grads: &Gradients<N>, layer: usize) -> f64 {
    let mut sum = 0.0;
    for id in tensor_ids::<N>().filter(|id| id.layer == layer) {
        sum += tensor(&**grads, id)
            .iter()
            .map(|g| g.to_f64() * g.to_f64())
            .sum::<f64>();
    }
    ComplexField::sqrt(sum)
}

/// Scales `grads` to global norm `max` when it is larger.
fn clip<N: Network>(grads: &mut Gradients<N>, max: f64) {
    let norm = grads.norm().to_f64();
    if norm > max {
        let scale = N::Scalar::of(max / norm);
        for id in tensor_ids::<N>() {
            for g in tensor_mut(&mut **grads, id) {
                *g *= scale;
            }
        }
    }
}
