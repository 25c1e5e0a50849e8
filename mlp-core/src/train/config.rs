//! What a training run does: epochs, batching, optimiser, schedule, regularisation,
//! clipping, validation and early stopping.

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

/// The update rule applied to the gradient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    /// `w <- w - lr g`.
    Sgd,
    /// Heavy-ball momentum as PyTorch's SGD has it: `v <- beta v + g`, then
    /// `w <- w - lr v`, or with `nesterov` `w <- w - lr (g + beta v)` (Sutskever et
    /// al., 2013).
    Momentum {
        /// The momentum coefficient, in [0, 1).
        beta: f64,
        /// Nesterov's look-ahead form.
        nesterov: bool,
    },
    /// Adam (Kingma and Ba, 2015) with bias correction.
    Adam {
        /// Decay of the first moment, in [0, 1).
        beta1: f64,
        /// Decay of the second moment, in [0, 1).
        beta2: f64,
        /// Added to the root of the second moment.
        epsilon: f64,
    },
    /// AdamW (Loshchilov and Hutter, 2019): Adam plus decoupled weight decay
    /// `w <- w - lr decay w`, applied to weights, not biases.
    AdamW {
        /// Decay of the first moment, in [0, 1).
        beta1: f64,
        /// Decay of the second moment, in [0, 1).
        beta2: f64,
        /// Added to the root of the second moment.
        epsilon: f64,
        /// The decoupled weight decay.
        weight_decay: f64,
    },
}

impl Optimizer {
    /// Momentum 0.9.
    pub const fn momentum() -> Self {
        Optimizer::Momentum {
            beta: 0.9,
            nesterov: false,
        }
    }

    /// Nesterov momentum 0.9.
    pub const fn nesterov() -> Self {
        Optimizer::Momentum {
            beta: 0.9,
            nesterov: true,
        }
    }

    /// Adam with the usual 0.9, 0.999, 1e-8.
    pub const fn adam() -> Self {
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }

    /// AdamW with 0.9, 0.999, 1e-8 and weight decay 0.01.
    pub const fn adamw() -> Self {
        Optimizer::AdamW {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.01,
        }
    }
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
