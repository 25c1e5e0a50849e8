//! What a training run does: epochs, batching, optimiser, schedule, regularisation,
//! clipping, validation and early stopping.

use crate::checks::in_scalar_range;
use crate::error::Error;
use crate::optim::Optimizer;
use crate::real::Real;
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
}

impl Default for Fit {
    fn default() -> Self {
        Self::new()
    }
}

impl Fit {
    /// 100 epochs of mini-batches of 32 shuffled rows, Adam at 1e-3, no
    /// regularisation, clipping, validation or early stopping, seed 0, a progress
    /// bar when stderr is a terminal.
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
            progress: true,
            training_metrics: true,
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

    /// Holds out the last `fraction` of the rows (before shuffling) for validation.
    /// For a random holdout, shuffle the rows first with [`crate::data::shuffle`].
    pub fn validation_split(mut self, fraction: f64) -> Self {
        self.validation_split = Some(fraction);
        self
    }

    /// Stops when the validation loss (the training loss without validation data)
    /// has not improved by more than the minimum delta for `patience` epochs, and
    /// restores the weights of the best epoch.
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

    /// Whether to draw a progress bar (only ever on a terminal, and only with the
    /// `progress` feature).
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
