//! What a training run measured, epoch by epoch.

use crate::metrics::Metric;
use alloc::vec::Vec;

/// One epoch's measurements.
#[derive(Clone, Debug, PartialEq)]
pub struct Epoch {
    /// 0-based epoch.
    pub epoch: usize,
    /// The learning rate used.
    pub learning_rate: f64,
    /// The mean loss of the epoch's steps, regularisation included.
    pub step_loss: f64,
    /// Loss on the training rows at the epoch's end (without regularisation), if
    /// measured.
    pub train_loss: Option<f64>,
    /// Accuracy on the training rows at the epoch's end, for classification losses.
    pub train_accuracy: Option<f64>,
    /// Loss on the validation rows at the epoch's end.
    pub validation_loss: Option<f64>,
    /// Accuracy on the validation rows, for classification losses.
    pub validation_accuracy: Option<f64>,
    /// Per layer (input side first), the mean over the epoch's steps of the L2 norm
    /// of the gradient of its weights and bias, before clipping: vanishing and
    /// exploding gradients show here.
    pub gradient_norms: Vec<f64>,
    /// The [`Fit::metrics`](super::Fit::metrics) on the training rows, in their
    /// order, when training metrics are measured (NaN where an output was not finite).
    pub train_metrics: Vec<(Metric, f64)>,
    /// The [`Fit::metrics`](super::Fit::metrics) on the validation rows.
    pub validation_metrics: Vec<(Metric, f64)>,
}

impl Epoch {
    /// `metric` on the training rows: the loss and accuracy fields, or a measured
    /// [`Fit::metrics`](super::Fit::metrics) one.
    pub fn train_metric(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Loss => self.train_loss,
            Metric::Accuracy => self.train_accuracy,
            _ => find(&self.train_metrics, metric),
        }
    }

    /// `metric` on the validation rows, as [`Epoch::train_metric`].
    pub fn validation_metric(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Loss => self.validation_loss,
            Metric::Accuracy => self.validation_accuracy,
            _ => find(&self.validation_metrics, metric),
        }
    }

    /// What early stopping and reduce-on-plateau watch: `metric` on the validation
    /// rows, else on the training rows, else (for the loss) the step loss.
    pub(crate) fn monitored(&self, metric: Metric) -> Option<f64> {
        self.validation_metric(metric)
            .or_else(|| self.train_metric(metric))
            .or((metric == Metric::Loss).then_some(self.step_loss))
    }
}

fn find(values: &[(Metric, f64)], metric: Metric) -> Option<f64> {
    values.iter().find(|(m, _)| *m == metric).map(|&(_, v)| v)
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every epoch ran.
    Completed,
    /// Early stopping: no improvement for the patience.
    EarlyStopping,
    /// The callback asked to stop.
    Callback,
}

/// Every epoch of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The epochs that ran.
    pub epochs: Vec<Epoch>,
    /// The epoch whose weights the network holds after early stopping.
    pub best_epoch: Option<usize>,
    /// Why the run ended.
    pub stop: Stop,
}

impl History {
    /// The last epoch, if any ran.
    pub fn last(&self) -> Option<&Epoch> {
        self.epochs.last()
    }
}
