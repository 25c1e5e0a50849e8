//! What a training run does: epochs, batching, optimiser, schedule, regularisation,
//! clipping, validation and early stopping.

use crate::checks::in_scalar_range;
use crate::error::Error;
use crate::optim::Optimizer;
use crate::real::Real;
use alloc::vec::Vec;

use crate::metrics::{Classes, Metric};
use crate::network::Network;
use nalgebra::ComplexField;

/// How the rows of an epoch are grouped into gradient steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batching {
    /// One step per epoch on every row (batch gradient descent).
    Full,
    /// Steps on batches of this many rows (the last one may be smaller).
    MiniBatch(usize),
    /// One step per row (stochastic gradient descent).
    Stochastic,
}

/// How the learning rate changes over the epochs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// The same rate throughout.
    Constant,
    /// Multiplied by `gamma` every `every` epochs.
    Step {
        /// Epochs between two decays.
        every: usize,
        /// The factor, in (0, 1].
        gamma: f64,
    },
    /// Cosine annealing from the rate to `min_rate` over the run's epochs.
    Cosine {
        /// The rate at the last epoch.
        min_rate: f64,
    },
}

impl Schedule {
    /// The rate for 0-based `epoch` of `epochs`, starting from `rate`.
    pub fn rate(&self, rate: f64, epoch: usize, epochs: usize) -> f64 {
        match *self {
            Schedule::Constant => rate,
            Schedule::Step { every, gamma } => {
                let decays = epoch / every.max(1);
                // powi takes an i32; past that the count is exact as an f64 exponent.
                rate * i32::try_from(decays).map_or_else(
                    |_| ComplexField::powf(gamma, decays as f64),
                    |n| ComplexField::powi(gamma, n),
                )
            }
            Schedule::Cosine { min_rate } => {
                let progress = if epochs > 1 {
                    epoch as f64 / (epochs - 1) as f64
                } else {
                    1.0
                };
                min_rate
                    + 0.5
                        * (rate - min_rate)
                        * (1.0 + ComplexField::cos(core::f64::consts::PI * progress))
            }
        }
    }
}

/// A training run's settings. Start from [`Fit::new`] and change what you need:
///
/// ```
/// use mlp_core::train::{Fit, Optimizer, Schedule};
/// let fit = Fit::new()
///     .epochs(50)
///     .mini_batch(32)
///     .optimizer(Optimizer::adam())
///     .learning_rate(1e-3)
///     .schedule(Schedule::Cosine { min_rate: 1e-5 })
///     .l2(1e-4)
///     .clip_norm(5.0)
///     .validation_split(0.2)
///     .early_stopping(10)
///     .seed(7);
/// # let _ = fit;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub(crate) epochs: usize,
    pub(crate) batching: Batching,
    pub(crate) optimizer: Optimizer,
    pub(crate) learning_rate: f64,
    pub(crate) schedule: Schedule,
    pub(crate) l2: f64,
    pub(crate) clip_norm: Option<f64>,
    pub(crate) validation_split: Option<f64>,
    pub(crate) patience: Option<usize>,
    pub(crate) min_delta: f64,
    pub(crate) shuffle: bool,
    pub(crate) seed: u64,
    pub(crate) progress: bool,
    pub(crate) training_metrics: bool,
    pub(crate) holdout: Holdout,
    pub(crate) class_weights: Option<Vec<f64>>,
    pub(crate) sample_weights: Option<Vec<f64>>,
    pub(crate) monitor: Metric,
    pub(crate) metrics: Vec<Metric>,
    pub(crate) warmup: usize,
    pub(crate) plateau: Option<Plateau>,
}

/// Which rows [`Fit::validation_split`] holds out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holdout {
    /// The last rows, in the order given.
    Last,
    /// Rows drawn at random, seeded by [`Fit::seed`].
    Random,
    /// Rows drawn at random within each class, so both sides keep the classes'
    /// proportions (`round(count * fraction)` of each class); for networks whose
    /// targets are classes.
    Stratified,
}

/// Reduce-on-plateau: see [`Fit::reduce_on_plateau`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plateau {
    /// What the rate is multiplied by at each reduction, in (0, 1).
    pub factor: f64,
    /// Epochs without improvement before a reduction (and between two), at least 1.
    pub patience: usize,
    /// The rate a reduction never goes below, 0 or more.
    pub min_rate: f64,
}

impl Plateau {
    /// Reductions by `factor` after `patience` epochs without improvement, down to
    /// `min_rate`.
    pub fn new(factor: f64, patience: usize, min_rate: f64) -> Self {
        Self {
            factor,
            patience,
            min_rate,
        }
    }
}

impl Default for Fit {
    fn default() -> Self {
        Self::new()
    }
}

impl Fit {
    /// 100 epochs of mini-batches of 32 shuffled rows, Adam at 1e-3, no
    /// regularisation, clipping, validation, weights or early stopping, seed 0, and
    /// no progress bar (turn it on with [`Fit::progress`]).
    pub fn new() -> Self {
        Self {
            epochs: 100,
            batching: Batching::MiniBatch(32),
            optimizer: Optimizer::adam(),
            learning_rate: 1e-3,
            schedule: Schedule::Constant,
            l2: 0.0,
            clip_norm: None,
            validation_split: None,
            patience: None,
            min_delta: 0.0,
            shuffle: true,
            seed: 0,
            progress: false,
            training_metrics: true,
            holdout: Holdout::Last,
            class_weights: None,
            sample_weights: None,
            monitor: Metric::Loss,
            metrics: Vec::new(),
            warmup: 0,
            plateau: None,
        }
    }

    /// Passes over the training rows.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// One step per epoch on every row.
    pub fn full_batch(mut self) -> Self {
        self.batching = Batching::Full;
        self
    }

    /// Steps on batches of `rows` rows.
    pub fn mini_batch(mut self, rows: usize) -> Self {
        self.batching = Batching::MiniBatch(rows);
        self
    }

    /// One step per row.
    pub fn stochastic(mut self) -> Self {
        self.batching = Batching::Stochastic;
        self
    }

    /// The update rule.
    pub fn optimizer(mut self, optimizer: Optimizer) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// The learning rate at the first epoch.
    pub fn learning_rate(mut self, rate: f64) -> Self {
        self.learning_rate = rate;
        self
    }

    /// How the learning rate changes over the epochs.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// L2 regularisation of the weights (not biases): the loss gains
    /// `R(w) = lambda / 2 * sum w^2`, the gradient `lambda w`.
    pub fn l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// Scales a step's gradient down to this global L2 norm when it is larger.
    pub fn clip_norm(mut self, max_norm: f64) -> Self {
        self.clip_norm = Some(max_norm);
        self
    }

    /// Holds out `fraction` of the rows for validation (`round(rows * fraction)`
    /// of them): the last ones unless [`Fit::holdout`] says otherwise.
    pub fn validation_split(mut self, fraction: f64) -> Self {
        self.validation_split = Some(fraction);
        self
    }

    /// Which rows [`Fit::validation_split`] holds out (default [`Holdout::Last`]).
    pub fn holdout(mut self, holdout: Holdout) -> Self {
        self.holdout = holdout;
        self
    }

    /// Weights the training loss and its gradient by class: a row of class `c`
    /// counts `weights[c]` times (a weighted mean over each step's rows). One weight
    /// per class of the network (2 for one bce, hinge or perceptron output), each
    /// finite and 0 or more. Multiplies with [`Fit::sample_weights`]. The epoch's
    /// measured losses and metrics stay unweighted.
    pub fn class_weights(mut self, weights: impl Into<Vec<f64>>) -> Self {
        self.class_weights = Some(weights.into());
        self
    }

    /// Weights the training loss and its gradient by row: one weight per row given
    /// to the run, before any validation split (held-out rows' weights are unused),
    /// each finite and 0 or more. All weights equal train exactly as no weights.
    ///
    /// A step computes one forward and backward pass per distinct weight among its
    /// rows, so few distinct values (class weights, a handful of levels) cost
    /// little and a different weight on every row costs a pass per row.
    pub fn sample_weights(mut self, weights: impl Into<Vec<f64>>) -> Self {
        self.sample_weights = Some(weights.into());
        self
    }

    /// What early stopping and [`Fit::reduce_on_plateau`] watch: on the validation
    /// rows when there are some, else on the training rows' end-of-epoch
    /// measurements (default [`Metric::Loss`]; lower loss, log-loss is better,
    /// higher is better for the others, [`Metric::R2`] of a regression network
    /// among them). A metric other than the loss or accuracy is measured as if
    /// given to [`Fit::metrics`].
    pub fn monitor(mut self, metric: Metric) -> Self {
        self.monitor = metric;
        self
    }

    /// Metrics measured at every epoch's end on the training rows (when
    /// [`Fit::training_metrics`] is on) and on the validation rows, kept in
    /// [`Epoch::train_metrics`](super::Epoch::train_metrics) and
    /// [`Epoch::validation_metrics`](super::Epoch::validation_metrics).
    pub fn metrics(mut self, metrics: impl Into<Vec<Metric>>) -> Self {
        self.metrics = metrics.into();
        self
    }

    /// A linear warm-up over the first `epochs` epochs: epoch `e < epochs` runs at
    /// `(e + 1) / (epochs + 1)` of the schedule's rate, so the rate climbs in equal
    /// steps and reaches the schedule's own at epoch `epochs` (default 0: none).
    pub fn warmup(mut self, epochs: usize) -> Self {
        self.warmup = epochs;
        self
    }

    /// Multiplies the learning rate by the plateau's factor whenever the
    /// [`Fit::monitor`]ed value has not improved for its patience, never below its
    /// minimum rate. Composes with the schedule and the warm-up: the rate is
    /// `max(schedule * warm-up * factor^reductions, min_rate)` once reduced.
    pub fn reduce_on_plateau(mut self, plateau: Plateau) -> Self {
        self.plateau = Some(plateau);
        self
    }

    /// Stops when the [`Fit::monitor`]ed value (by default the validation loss, or
    /// the training loss without validation data) has not improved by more than
    /// the minimum delta for `patience` epochs, and restores the weights of the
    /// best epoch.
    pub fn early_stopping(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }

    /// The improvement early stopping requires (default 0).
    pub fn min_delta(mut self, delta: f64) -> Self {
        self.min_delta = delta;
        self
    }

    /// Whether rows are shuffled each epoch (default yes).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The seed of the shuffling.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to draw a progress bar on stderr (default no; only ever on a
    /// terminal, and only with the `progress` feature).
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = show;
        self
    }

    /// Whether each epoch also measures loss and accuracy on the training rows at
    /// the epoch's end (one more forward pass; default yes).
    pub fn training_metrics(mut self, measure: bool) -> Self {
        self.training_metrics = measure;
        self
    }
}

impl Fit {
    /// The learning rate of 0-based `epoch`: the schedule's, warmed up, then
    /// reduced by reduce-on-plateau's `scale` (1 before any reduction), never below
    /// its minimum rate once reduced.
    pub(crate) fn rate(&self, epoch: usize, scale: f64) -> f64 {
        let mut rate = self.schedule.rate(self.learning_rate, epoch, self.epochs);
        if epoch < self.warmup {
            rate *= (epoch + 1) as f64 / (self.warmup + 1) as f64;
        }
        match self.plateau {
            Some(p) if scale < 1.0 => (rate * scale).max(p.min_rate),
            _ => rate,
        }
    }
}

/// Checks the settings that depend on the network: its metrics, and the weights
/// and holdout that need classes.
pub(crate) fn check_network<N: Network>(s: &Fit) -> Result<(), Error> {
    s.monitor.check::<N>()?;
    for m in &s.metrics {
        m.check::<N>()?;
    }
    let classes = Classes::<N>::count_of();
    let needs_classes = |what| Error::NoClasses {
        what,
        loss: N::LOSS,
        outputs: N::OUTPUTS,
    };
    if let Some(w) = &s.class_weights {
        let classes = classes.ok_or_else(|| needs_classes("class_weights"))?;
        if w.len() > classes {
            return Err(Error::WeightCount {
                what: "class_weights",
                expected: alloc::format!("at most one per class ({classes})"),
                found: w.len(),
            });
        }
    }
    if s.validation_split.is_some() && s.holdout == Holdout::Stratified && classes.is_none() {
        return Err(needs_classes("Holdout::Stratified"));
    }
    Ok(())
}

/// Checks every setting's range, then those the optimiser converts to the network's
/// scalar `T` as `T` holds them: a learning rate of `1e-308` is 0 in `f32` and would
/// train nothing.
pub(crate) fn check_settings<T: Real>(s: &Fit) -> Result<(), Error> {
    let bad = |setting, value: f64, expected| {
        Err(Error::InvalidSetting {
            setting,
            value,
            expected,
        })
    };
    let in_scalar = in_scalar_range::<T>;
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
    if s.epochs == 0 {
        return bad("epochs", 0.0, "at least 1");
    }
    // The rate first (the optimiser's own checks come last).
    Optimizer::Sgd.check::<T>(s.learning_rate)?;
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
    for (what, weights) in [
        ("class_weights", &s.class_weights),
        ("sample_weights", &s.sample_weights),
    ] {
        let weights = weights.as_deref().unwrap_or_default();
        if let Some(index) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
            let value = weights[index];
            return Err(Error::InvalidWeight { what, index, value });
        }
    }
    if s.warmup > 0 {
        let first = s.rate(0, 1.0);
        in_scalar("warmup", first, positive, "a first warm-up rate above 0")?;
    }
    if let Some(p) = s.plateau {
        if !(p.factor > 0.0 && p.factor < 1.0) {
            return bad("reduce_on_plateau", p.factor, "a factor in (0, 1)");
        }
        if p.patience == 0 {
            return bad("reduce_on_plateau", 0.0, "a patience of at least 1 epoch");
        }
        if !(p.min_rate >= 0.0 && p.min_rate <= s.learning_rate) {
            let expected = "a minimum rate between 0 and the learning rate";
            return bad("reduce_on_plateau", p.min_rate, expected);
        }
        zero_or_positive("reduce_on_plateau", p.min_rate)?;
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
    s.optimizer.check::<T>(s.learning_rate)
}
