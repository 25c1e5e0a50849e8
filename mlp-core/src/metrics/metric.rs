//! The metrics a training run measures per epoch ([`crate::train::Fit::metrics`]).

use super::ConfusionMatrix;
use super::classes::Classes;
use super::scores::{log_loss, r2_score, roc_auc};
use crate::compiled::Compiled;
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use alloc::vec::Vec;

/// A measurement of a network on labelled rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// The network's own loss (unweighted, without regularisation).
    Loss,
    /// The loss's accuracy ([`crate::metrics::accuracy`]).
    Accuracy,
    /// Macro-averaged precision ([`crate::metrics::ClassReport::macro_precision`]).
    Precision,
    /// Macro-averaged recall.
    Recall,
    /// Macro-averaged F1.
    F1,
    /// ROC-AUC ([`crate::metrics::roc_auc`]) of a two-class network's score for
    /// class 1: its one output, or its second softmax output.
    RocAuc,
    /// Log-loss ([`crate::metrics::log_loss`]) of a bce network's one output or a
    /// softmax network's outputs.
    LogLoss,
    /// R^2 ([`crate::metrics::r2_score`]) of a regression network's outputs against
    /// its targets, averaged over the outputs (scikit-learn's
    /// `multioutput="uniform_average"`).
    R2,
}

impl Metric {
    /// The metric's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Loss => "loss",
            Metric::Accuracy => "accuracy",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::F1 => "f1",
            Metric::RocAuc => "roc_auc",
            Metric::LogLoss => "log_loss",
            Metric::R2 => "r2",
        }
    }

    /// Whether a larger value is better (all but the loss and the log-loss).
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Metric::Loss | Metric::LogLoss)
    }

    /// Whether network `N` can be measured by this metric.
    ///
    /// # Errors
    ///
    /// [`Error::MetricNotApplicable`] saying which networks it applies to.
    pub fn check<N: Network>(self) -> Result<(), Error> {
        let (loss, outputs) = (N::LOSS, N::OUTPUTS);
        let classes = Classes::<N>::count_of();
        let reason = match self {
            Metric::Loss => return Ok(()),
            Metric::Accuracy if loss_is_regression(loss) => {
                "accuracy needs a classification loss (bce, cce, sparse_cce, hinge, perceptron)"
            }
            Metric::Precision | Metric::Recall | Metric::F1 if classes.is_none() => {
                "it needs class-label targets (sparse_cce, cce, or one bce, hinge or perceptron output)"
            }
            Metric::RocAuc if classes != Some(2) => {
                "it needs two classes: one bce, hinge or perceptron output, or two softmax outputs"
            }
            Metric::LogLoss
                if !(matches!(loss, "cce" | "sparse_cce") || (loss, outputs) == ("bce", 1)) =>
            {
                "it needs probabilities: one bce output or softmax outputs"
            }
            Metric::R2 if !loss_is_regression(loss) => {
                "it needs a regression loss (mse, sse, mae, huber)"
            }
            _ => return Ok(()),
        };
        Err(Error::MetricNotApplicable {
            metric: self.name(),
            loss,
            outputs,
            reason,
        })
    }
}

fn loss_is_regression(loss: &str) -> bool {
    matches!(loss, "mse" | "sse" | "mae" | "huber")
}

/// The class metrics of a run's rows, prepared once: the rows' labels.
pub(crate) struct Measure<N: Network> {
    metrics: Vec<Metric>,
    classes: Option<Classes<N>>,
}

impl<N: Network> Measure<N> {
    /// The measurements of `metrics` (each checked for `N`).
    pub(crate) fn new(metrics: &[Metric]) -> Result<Self, Error> {
        for m in metrics {
            m.check::<N>()?;
        }
        let needs_classes = metrics
            .iter()
            .any(|m| !matches!(m, Metric::Loss | Metric::Accuracy | Metric::R2));
        let classes = if needs_classes {
            Some(Classes::of("the class metrics")?)
        } else {
            None
        };
        Ok(Self {
            metrics: metrics.to_vec(),
            classes,
        })
    }

    /// Whether there is nothing to measure.
    pub(crate) fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// The labels of `targets`, checked for what the metrics need (ROC-AUC both
    /// classes), or nothing when no metric reads labels.
    pub(crate) fn labels(&self, targets: &[N::Target]) -> Result<Option<Vec<usize>>, Error> {
        let Some(classes) = &self.classes else {
            return Ok(None);
        };
        let labels = classes.of_targets(targets);
        if self.metrics.contains(&Metric::RocAuc) {
            let ones = labels.iter().filter(|&&l| l == 1).count();
            if ones == 0 || ones == labels.len() {
                return Err(Error::OneClass {
                    rows: labels.len(),
                    class: usize::from(ones > 0),
                });
            }
        }
        Ok(Some(labels))
    }

    /// Every metric on one side's outputs for its `targets`; `loss` and `accuracy`
    /// are the epoch's. A metric that cannot be computed from these outputs (NaN)
    /// is NaN.
    pub(crate) fn measure(
        &self,
        outputs: &[N::Output],
        targets: &[N::Target],
        labels: Option<&[usize]>,
        loss: f64,
        accuracy: Option<f64>,
    ) -> Vec<(Metric, f64)> {
        let report = labels.and_then(|labels| {
            let classes = self.classes.as_ref()?.count();
            let predicted: Vec<usize> = outputs.iter().map(Classes::<N>::of_output).collect();
            ConfusionMatrix::from_labels(labels, &predicted, classes)
                .ok()
                .map(|m| m.report())
        });
        let value = |m: Metric| -> Option<f64> {
            match m {
                Metric::Loss => Some(loss),
                Metric::Accuracy => accuracy,
                Metric::Precision => report.as_ref().map(|r| r.macro_precision()),
                Metric::Recall => report.as_ref().map(|r| r.macro_recall()),
                Metric::F1 => report.as_ref().map(|r| r.macro_f1()),
                Metric::RocAuc => {
                    let column = N::OUTPUTS - 1;
                    let scores: Vec<f64> = outputs
                        .iter()
                        .map(|o| o.as_ref()[column].to_f64())
                        .collect();
                    roc_auc(&scores, labels?).ok()
                }
                Metric::LogLoss => log_loss(outputs, labels?).ok(),
                Metric::R2 => {
                    let truth = targets
                        .iter()
                        .map(<N::Compiled as Compiled<N>>::regression_target)
                        .collect::<Option<Vec<_>>>()?;
                    let predicted: Vec<&[N::Scalar]> = outputs.iter().map(|o| o.as_ref()).collect();
                    r2_score(&truth, &predicted).ok()
                }
            }
        };
        self.metrics
            .iter()
            .map(|&m| (m, value(m).unwrap_or(f64::NAN)))
            .collect()
    }
}
