//! Training: [`Fit`] says what a run does, [`fit`] runs it.
//!
//! Every setting and every row is checked before the first weight changes. A loss
//! or gradient that turns NaN or infinite stops the run with
//! [`Error::Diverged`] ([`Error::ValidationDiverged`] for the validation loss) and
//! puts back the weights and the optimiser state of the last complete epoch.

mod checkpoint;
mod config;
mod history;
mod optim;
#[cfg(feature = "progress")]
mod progress;

pub use config::{Batching, Fit, Optimizer, Schedule};
pub use history::{Epoch, History, Stop};

use crate::error::Error;
use crate::init::Uniform;
use crate::network::{Network, Workspace, all_finite, check_batch, gradient_sum};
use crate::real::Real;
use alloc::vec::Vec;
use nalgebra::ComplexField;
use optim::State;

/// Rows of inputs with their targets.
pub struct Rows<'a, N: Network> {
    /// One input per row.
    pub inputs: &'a [N::Input],
    /// One target per row.
    pub targets: &'a [N::Target],
}

impl<N: Network> Clone for Rows<'_, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<N: Network> Copy for Rows<'_, N> {}

impl<'a, N: Network> Rows<'a, N> {
    /// The rows `inputs` with `targets`.
    pub fn new(inputs: &'a [N::Input], targets: &'a [N::Target]) -> Self {
        Self { inputs, targets }
    }

    fn len(&self) -> usize {
        self.inputs.len()
    }

    fn split_at(&self, at: usize) -> (Self, Self) {
        let (xa, xb) = self.inputs.split_at(at);
        let (ya, yb) = self.targets.split_at(at);
        (Self::new(xa, ya), Self::new(xb, yb))
    }
}

/// What a callback tells the run after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this epoch (early stopping still restores its best weights).
    Stop,
}

/// Trains `net` on `train` as `settings` say, validating on `validation` when
/// given (or on the split `settings` asks for), calling `callback` after every
/// epoch with its measurements and the network (to log or stop).
///
/// If `callback` panics, the panic propagates and `net` holds the weights of the
/// epoch the callback was called for, without early stopping's restore of its best
/// weights.
///
/// # Errors
///
/// As [`Trainer::new`] and [`Trainer::run`].
pub fn fit<N: Network>(
    net: &mut N,
    train: Rows<'_, N>,
    validation: Option<Rows<'_, N>>,
    settings: &Fit,
    callback: impl FnMut(&Epoch, &N) -> Control,
) -> Result<History, Error> {
    Trainer::new(settings.clone())?.run(net, train, validation, usize::MAX, callback)
}

/// A training run that can stop after any epoch, be saved with its optimiser
/// state, and go on later with exactly the result of an uninterrupted run.
///
/// Shuffles and dropout masks of epoch `e` are drawn from generators seeded by the
/// settings' seed and `e`, so a resumed run draws what the uninterrupted one would.
pub struct Trainer<N: Network> {
    pub(crate) settings: Fit,
    /// Epochs completed.
    pub(crate) epoch: usize,
    pub(crate) optimizer: State<N>,
    /// Early stopping: the best weights, their monitored loss and epoch.
    pub(crate) best: Option<(N, f64, usize)>,
    /// Early stopping: epochs since the best one.
    pub(crate) waited: usize,
    pub(crate) finished: bool,
}

impl<N: Network> Trainer<N> {
    /// A run of `settings` at epoch 0; the settings are checked here.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSetting`] or [`Error::SettingOutOfScalarRange`] naming the setting.
    pub fn new(settings: Fit) -> Result<Self, Error> {
        check_settings::<N::Scalar>(&settings)?;
        let optimizer = State::new(settings.optimizer);
        Ok(Self {
            settings,
            epoch: 0,
            optimizer,
            best: None,
            waited: 0,
            finished: false,
        })
    }

    /// The run's settings.
    pub fn settings(&self) -> &Fit {
        &self.settings
    }

    /// Epochs completed so far.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Whether the run has ended (all epochs, early stopping, or a callback's stop).
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Runs at most `epochs` more epochs of training. When the run ends (its last
    /// epoch, early stopping or the callback's [`Control::Stop`]) early stopping's
    /// best weights are restored; when it only pauses after `epochs`, the network
    /// keeps its current weights and the trainer can be saved and resumed.
    ///
    /// On [`Error::Diverged`] or [`Error::ValidationDiverged`] the network and the
    /// trainer (optimiser state, early stopping, epoch count) are as they were after
    /// the last complete epoch, so [`Trainer::to_bytes`] gives the same bytes as
    /// before the failing epoch.
    ///
    /// If `callback` panics, the panic propagates and the pair is as if the run had
    /// paused after the epoch the callback was called for: the network holds that
    /// epoch's weights (early stopping's best weights are not restored), and the
    /// trainer counts the epoch as complete, with its optimiser state and early
    /// stopping's verdict on it. Calling `run` again goes on from there (and ends at
    /// once, restoring the best weights, if early stopping had run out).
    ///
    /// # Errors
    ///
    /// The row errors of [`Network::loss`] (for the training and the validation rows),
    /// [`Error::InvalidSetting`] for a `validation_split` that leaves no row on a side
    /// or comes with validation rows, and [`Error::Diverged`] or
    /// [`Error::ValidationDiverged`] naming the epoch, with the state described above.
    pub fn run(
        &mut self,
        net: &mut N,
        train: Rows<'_, N>,
        validation: Option<Rows<'_, N>>,
        epochs: usize,
        mut callback: impl FnMut(&Epoch, &N) -> Control,
    ) -> Result<History, Error> {
        let settings = self.settings.clone();
        let (train, validation) = split(&settings, train, validation)?;
        check_batch::<N>(train.inputs, train.targets)?;
        if let Some(v) = validation {
            check_batch::<N>(v.inputs, v.targets)?;
        }
        let mut history = History {
            epochs: Vec::new(),
            best_epoch: None,
            stop: Stop::Completed,
        };
        if self.finished {
            return Ok(history);
        }

        let rows = train.len();
        let batch = match settings.batching {
            Batching::Full => rows,
            Batching::MiniBatch(n) => n.min(rows),
            Batching::Stochastic => 1,
        };
        let mut ws = Workspace::<N>::new(batch.min(crate::network::DEFAULT_CHUNK));
        let mut grads = N::zeros();
        let mut order: Vec<usize> = Vec::with_capacity(rows);
        let mut batch_inputs: Vec<N::Input> = Vec::with_capacity(batch);
        let mut batch_targets: Vec<N::Target> = Vec::with_capacity(batch);
        let mut outputs = alloc::vec![N::Output::default(); crate::network::DEFAULT_CHUNK];
        // The network and optimiser after the last complete epoch, put back when an
        // epoch diverges; refreshed in place each epoch, so a run allocates them once.
        let mut last_good = (net.clone(), self.optimizer.clone());
        #[cfg(feature = "progress")]
        let bar = progress::Bar::new(settings.progress, settings.epochs);
        #[cfg(feature = "progress")]
        bar.skip(self.epoch);

        let end = settings.epochs.min(self.epoch.saturating_add(epochs));
        // A trainer whose early stopping ran out (its callback panicked before the run
        // could end) ends now, as the uninterrupted run did.
        let mut ended = settings.patience.is_some_and(|p| self.waited >= p);
        if ended {
            history.stop = Stop::EarlyStopping;
        }
        while !ended && self.epoch < end {
            let epoch = self.epoch;
            let rate = settings
                .schedule
                .rate(settings.learning_rate, epoch, settings.epochs);
            order.clear();
            order.extend(0..rows);
            if settings.shuffle {
                Uniform::new(stream(settings.seed, epoch, 0))
                    .permute(rows, |i, j| order.swap(i, j));
            }
            // Dropout masks come from their own stream, so shuffling does not depend on them.
            let mut masks = Uniform::new(stream(settings.seed, epoch, 1));
            let mut norms = alloc::vec![0.0; N::layers()];
            let (mut loss_total, mut steps) = (0.0, 0usize);
            for part in order.chunks(batch) {
                batch_inputs.clear();
                batch_targets.clear();
                batch_inputs.extend(part.iter().map(|&i| train.inputs[i]));
                batch_targets.extend(part.iter().map(|&i| train.targets[i]));
                let scale = N::Scalar::ONE / N::Scalar::of(part.len() as f64);
                let sum = gradient_sum(
                    net,
                    &mut ws,
                    &batch_inputs,
                    &batch_targets,
                    scale,
                    &mut grads,
                    Some(&mut masks),
                );
                let loss = (sum * scale).to_f64() + regularise(net, &mut grads, settings.l2);
                if !loss.is_finite() || !(0..2 * N::layers()).all(|t| all_finite(grads.tensor(t))) {
                    return Err(self.roll_back(net, last_good, Error::Diverged { epoch, loss }));
                }
                for (layer, norm) in norms.iter_mut().enumerate() {
                    *norm += layer_norm(&grads, layer);
                }
                if let Some(max) = settings.clip_norm {
                    clip(&mut grads, max);
                }
                self.optimizer.update(net, &grads, rate);
                loss_total += loss * part.len() as f64;
                steps += 1;
            }
            if !(0..2 * N::layers()).all(|t| all_finite(net.tensor(t))) {
                let error = Error::Diverged {
                    epoch,
                    loss: f64::NAN,
                };
                return Err(self.roll_back(net, last_good, error));
            }
            let (train_loss, train_accuracy) = if settings.training_metrics {
                let (l, a) = evaluate(net, &mut ws, train, &mut outputs);
                (Some(l), a)
            } else {
                (None, None)
            };
            let (validation_loss, validation_accuracy) = match validation {
                Some(v) => {
                    let (l, a) = evaluate(net, &mut ws, v, &mut outputs);
                    (Some(l), a)
                }
                None => (None, None),
            };
            let record = Epoch {
                epoch,
                learning_rate: rate,
                step_loss: loss_total / rows as f64,
                train_loss,
                train_accuracy,
                validation_loss,
                validation_accuracy,
                gradient_norms: norms.iter().map(|n| n / steps as f64).collect(),
            };
            if !record.step_loss.is_finite() || train_loss.is_some_and(|l| !l.is_finite()) {
                let error = Error::Diverged {
                    epoch,
                    loss: record.step_loss,
                };
                return Err(self.roll_back(net, last_good, error));
            }
            if let Some(loss) = validation_loss.filter(|l| !l.is_finite()) {
                let error = Error::ValidationDiverged { epoch, loss };
                return Err(self.roll_back(net, last_good, error));
            }
            last_good.0.clone_from(net);
            last_good.1.clone_from(&self.optimizer);
            self.epoch += 1;
            // Early stopping sees the epoch before the callback does, so a callback
            // that panics leaves a trainer that has completed this epoch.
            if let Some(patience) = settings.patience {
                let monitored = record
                    .validation_loss
                    .or(record.train_loss)
                    .unwrap_or(record.step_loss);
                match &mut self.best {
                    Some((_, loss, _)) if monitored >= *loss - settings.min_delta => {
                        self.waited += 1
                    }
                    Some((weights, loss, best)) => {
                        weights.clone_from(net);
                        (*loss, *best) = (monitored, epoch);
                        self.waited = 0;
                    }
                    None => {
                        self.best = Some((net.clone(), monitored, epoch));
                        self.waited = 0;
                    }
                }
                if self.waited >= patience {
                    history.stop = Stop::EarlyStopping;
                    ended = true;
                }
            }
            #[cfg(feature = "progress")]
            bar.epoch(&record);
            let control = callback(&record, net);
            history.epochs.push(record);
            if !ended && control == Control::Stop {
                history.stop = Stop::Callback;
                ended = true;
            }
        }
        #[cfg(feature = "progress")]
        bar.finish();
        if ended || self.epoch >= settings.epochs {
            self.finished = true;
            if let Some((weights, _, epoch)) = &self.best {
                net.clone_from(weights);
                history.best_epoch = Some(*epoch);
            }
        }
        Ok(history)
    }
}

impl<N: Network> Trainer<N> {
    /// Puts back the network and optimiser of the last complete epoch and returns
    /// `error`; the counters and early stopping's state change only after an epoch
    /// completes, so they need nothing.
    fn roll_back(
        &mut self,
        net: &mut N,
        (weights, optimizer): (N, State<N>),
        error: Error,
    ) -> Error {
        *net = weights;
        self.optimizer = optimizer;
        error
    }
}

/// The seed of generator `which` (0 shuffles, 1 dropout masks) for `epoch` of a run
/// seeded `seed`: SplitMix64's finaliser over the three, so nearby epochs and seeds
/// give unrelated streams.
fn stream(seed: u64, epoch: usize, which: u64) -> u64 {
    let mut z = seed
        ^ (epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ which.wrapping_mul(0xd1b5_4a32_d192_ed03);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The training and validation rows: the given ones, or a split of the training
/// rows as the settings ask.
fn split<'a, N: Network>(
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

/// Loss and accuracy over `rows` (validated), in chunks of the workspace.
fn evaluate<N: Network>(
    net: &N,
    ws: &mut Workspace<N>,
    rows: Rows<'_, N>,
    outputs: &mut [N::Output],
) -> (f64, Option<f64>) {
    let cap = ws.capacity().min(outputs.len());
    let (mut loss, mut right, mut classified) = (0.0, 0.0, false);
    for (x, y) in rows.inputs.chunks(cap).zip(rows.targets.chunks(cap)) {
        let out = &mut outputs[..x.len()];
        net.predict_batch_with(ws, x, out)
            .expect("outputs match inputs");
        loss += N::loss_sum(ws.buffers_mut(), y).to_f64();
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

/// Adds `lambda w` to every weight gradient and returns `lambda / 2 * sum w^2`.
fn regularise<N: Network>(net: &N, grads: &mut N, lambda: f64) -> f64 {
    if lambda == 0.0 {
        return 0.0;
    }
    let l = N::Scalar::of(lambda);
    let mut squares = 0.0;
    for t in (0..2 * N::layers()).step_by(2) {
        for (g, &w) in grads.tensor_mut(t).iter_mut().zip(net.tensor(t)) {
            *g += l * w;
            squares += (w * w).to_f64();
        }
    }
    0.5 * lambda * squares
}

/// The L2 norm of one layer's weight and bias gradients.
fn layer_norm<N: Network>(grads: &N, layer: usize) -> f64 {
    let mut sum = 0.0;
    for t in [2 * layer, 2 * layer + 1] {
        sum += grads
            .tensor(t)
            .iter()
            .map(|g| g.to_f64() * g.to_f64())
            .sum::<f64>();
    }
    ComplexField::sqrt(sum)
}

/// Scales `grads` to global norm `max` when it is larger.
fn clip<N: Network>(grads: &mut N, max: f64) {
    let norm = grads.norm().to_f64();
    if norm > max {
        let scale = N::Scalar::of(max / norm);
        for t in 0..2 * N::layers() {
            for g in grads.tensor_mut(t) {
                *g *= scale;
            }
        }
    }
}

/// Checks every setting's range, then those the optimiser converts to the network's
/// scalar `T` as `T` holds them: a learning rate of `1e-308` is 0 in `f32` and would
/// train nothing.
fn check_settings<T: Real>(s: &Fit) -> Result<(), Error> {
    let bad = |setting, value: f64, expected| {
        Err(Error::InvalidSetting {
            setting,
            value,
            expected,
        })
    };
    let in_scalar = |setting, value: f64, ok: fn(T) -> bool, expected| {
        let converted = T::of(value);
        if ok(converted) {
            Ok(())
        } else {
            Err(Error::SettingOutOfScalarRange {
                setting,
                value,
                converted: converted.to_f64(),
                scalar: T::NAME,
                expected,
            })
        }
    };
    let above_zero = "a finite number above 0";
    let positive: fn(T) -> bool = |v| v.finite() && v > T::ZERO;
    // Where 0 is allowed, a positive value must not round to 0 or infinity.
    let zero_or_positive = |setting, value: f64| {
        if value == 0.0 {
            Ok(())
        } else {
            in_scalar(setting, value, positive, "0 or a finite number above 0")
        }
    };
    // A value in [0, 1) as f64 must stay below 1 as T.
    let unit = |setting, value: f64| {
        if (0.0..1.0).contains(&value) {
            in_scalar(setting, value, |v| v < T::ONE, "a value below 1")
        } else {
            bad(setting, value, "a value in [0, 1)")
        }
    };
    if s.epochs == 0 {
        return bad("epochs", 0.0, "at least 1");
    }
    if !(s.learning_rate.is_finite() && s.learning_rate > 0.0) {
        return bad("learning_rate", s.learning_rate, above_zero);
    }
    in_scalar("learning_rate", s.learning_rate, positive, above_zero)?;
    if s.batching == Batching::MiniBatch(0) {
        return bad("mini_batch", 0.0, "at least 1 row");
    }
    if !(s.l2.is_finite() && s.l2 >= 0.0) {
        return bad("l2", s.l2, "a finite number, 0 or more");
    }
    zero_or_positive("l2", s.l2)?;
    if let Some(c) = s.clip_norm {
        if !(c.is_finite() && c > 0.0) {
            return bad("clip_norm", c, above_zero);
        }
        in_scalar("clip_norm", c, positive, above_zero)?;
    }
    if let Some(f) = s.validation_split
        && !(f > 0.0 && f < 1.0)
    {
        return bad("validation_split", f, "a fraction between 0 and 1");
    }
    if s.patience == Some(0) {
        return bad("early_stopping", 0.0, "a patience of at least 1 epoch");
    }
    if !(s.min_delta.is_finite() && s.min_delta >= 0.0) {
        return bad("min_delta", s.min_delta, "a finite number, 0 or more");
    }
    match s.schedule {
        Schedule::Constant => {}
        Schedule::Step { every: 0, .. } => {
            return bad("schedule", 0.0, "a step every 1 epoch or more");
        }
        Schedule::Step { gamma, .. } if !(gamma > 0.0 && gamma <= 1.0) => {
            return bad("schedule", gamma, "a step factor in (0, 1]");
        }
        Schedule::Step { .. } => {
            // The smallest rate a step schedule reaches is its last epoch's.
            let last = s.schedule.rate(s.learning_rate, s.epochs - 1, s.epochs);
            in_scalar("schedule", last, positive, "a last-epoch rate above 0")?;
        }
        Schedule::Cosine { min_rate } if !(min_rate >= 0.0 && min_rate <= s.learning_rate) => {
            return bad(
                "schedule",
                min_rate,
                "a minimum rate between 0 and the learning rate",
            );
        }
        Schedule::Cosine { min_rate } => zero_or_positive("schedule", min_rate)?,
    }
    match s.optimizer {
        Optimizer::Sgd => {}
        Optimizer::Momentum { beta, .. } => unit("momentum", beta)?,
        Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        }
        | Optimizer::AdamW {
            beta1,
            beta2,
            epsilon,
            ..
        } => {
            unit("beta1", beta1)?;
            unit("beta2", beta2)?;
            if !(epsilon.is_finite() && epsilon > 0.0) {
                return bad("epsilon", epsilon, above_zero);
            }
            in_scalar("epsilon", epsilon, positive, above_zero)?;
            if let Optimizer::AdamW { weight_decay, .. } = s.optimizer {
                if !(weight_decay.is_finite()
                    && weight_decay >= 0.0
                    && weight_decay * s.learning_rate < 1.0)
                {
                    return bad(
                        "weight_decay",
                        weight_decay,
                        "0 or more, with weight_decay * learning_rate below 1",
                    );
                }
                zero_or_positive("weight_decay", weight_decay)?;
            }
        }
    }
    Ok(())
}
