//! The body of an epoch: its gradient steps, and its measurements.

use super::{Fit, Rows};
use crate::checks::parameters_finite;
use crate::compiled::{Compiled, tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::init::Uniform;
use crate::network::{DEFAULT_CHUNK, Network, gradient_sum};
use crate::optim::AnyOptimizer;
use crate::real::Real;
use crate::tensor::TensorKind;
use crate::workspace::Workspace;
use alloc::vec::Vec;
use nalgebra::ComplexField;

/// What a run computes in, allocated once for all its epochs.
pub(crate) struct Buffers<N: Network> {
    ws: Workspace<N>,
    grads: Gradients<N>,
    /// Rows per step.
    batch: usize,
    order: Vec<usize>,
    inputs: Vec<N::Input>,
    targets: Vec<N::Target>,
    outputs: Vec<N::Output>,
}

impl<N: Network> Buffers<N> {
    pub(crate) fn new(rows: usize, batch: usize) -> Self {
        Self {
            ws: Workspace::new(batch.min(DEFAULT_CHUNK)),
            grads: Gradients::zeros(),
            batch,
            order: Vec::with_capacity(rows),
            inputs: Vec::with_capacity(batch),
            targets: Vec::with_capacity(batch),
            outputs: alloc::vec![N::Output::default(); DEFAULT_CHUNK],
        }
    }

    /// The epoch's gradient steps over `train`, shuffled by a generator seeded with
    /// `shuffle` when given, dropout masks drawn from one seeded with `masks`.
    /// Returns the mean step loss and each layer's mean gradient norm, or the loss
    /// of the first step whose loss or gradient is not finite (before its update).
    pub(crate) fn steps(
        &mut self,
        net: &mut N,
        optimizer: &mut AnyOptimizer<N>,
        settings: &Fit,
        train: Rows<'_, N>,
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
        let (mut loss_total, mut steps) = (0.0, 0usize);
        for part in self.order.chunks(self.batch) {
            self.inputs.clear();
            self.targets.clear();
            self.inputs.extend(part.iter().map(|&i| train.inputs[i]));
            self.targets.extend(part.iter().map(|&i| train.targets[i]));
            let scale = N::Scalar::ONE / N::Scalar::of(part.len() as f64);
            let sum = gradient_sum(
                net,
                &mut self.ws,
                &self.inputs,
                &self.targets,
                scale,
                &mut self.grads,
            );
            let loss = (sum * scale).to_f64() + regularise(net, &mut self.grads, settings.l2);
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
            loss_total += loss * part.len() as f64;
            steps += 1;
        }
        self.ws.set_masks(None);
        let norms = norms.iter().map(|n| n / steps as f64).collect();
        Ok((loss_total / rows as f64, norms))
    }
}

/// Loss and accuracy over `rows` (validated), in chunks of the workspace.
pub(crate) fn evaluate<N: Network>(
    net: &N,
    buffers: &mut Buffers<N>,
    rows: Rows<'_, N>,
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

/// The training and validation rows: the given ones, or a split of the training
/// rows as the settings ask.
pub(crate) fn split<'a, N: Network>(
    settings: &Fit,
    train: Rows<'a, N>,
    validation: Option<Rows<'a, N>>,
) -> Result<(Rows<'a, N>, Option<Rows<'a, N>>), Error> {
    match (settings.validation_split, validation) {
        (Some(fraction), Some(_)) => Err(Error::InvalidSetting {
            setting: "validation_split",
            value: fraction,
            expected: "no split when validation rows are given",
        }),
        (Some(fraction), None) => {
            let held = ComplexField::round((train.len() as f64) * fraction) as usize;
            if held == 0 || held >= train.len() {
                return Err(Error::InvalidSetting {
                    setting: "validation_split",
                    value: fraction,
                    expected: "a fraction leaving at least one row on each side",
                });
            }
            let (t, v) = train.split_at(train.len() - held);
            Ok((t, Some(v)))
        }
        (None, v) => Ok((train, v)),
    }
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
