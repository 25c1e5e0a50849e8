//! How well a trained network does on labelled rows: accuracy, the confusion
//! matrix with per-class precision, recall and F1, ROC-AUC, log-loss, R^2 and
//! the mean errors. The values follow scikit-learn's definitions.

use crate::checks::{all_finite, check_batch, check_inputs};
use crate::compiled::Compiled;
use crate::error::Error;
use crate::loss::argmax;
use crate::network::Network;
use crate::real::Real;
use alloc::vec::Vec;
use core::fmt;

mod classes;
mod metric;
mod scores;

pub use classes::ClassReport;
pub(crate) use classes::Classes;
pub(crate) use metric::Measure;
pub use metric::Metric;
pub use scores::{log_loss, r2_score, roc_auc};

/// The fraction of outputs a classifier gets right (argmax for cce and sparse_cce,
/// 0.5 for bce, the sign for hinge and perceptron).
///
/// The rows are checked as [`Network::loss`] checks them (non-empty, equal counts,
/// finite inputs, targets valid for the loss); a regression network gets
/// [`Error::NotAClassifier`]. An output that is NaN or infinite (weights too large
/// for the input) counts as wrong.
///
/// # Errors
///
/// The errors of [`Network::loss`], and [`Error::NotAClassifier`] for a regression loss.
pub fn accuracy<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Target],
) -> Result<f64, Error> {
    check_batch::<N>(inputs, targets)?;
    // Regression losses have no accuracy whatever the output.
    if <N::Compiled as Compiled<N>>::accuracy(&N::Output::default(), &targets[0]).is_none() {
        return Err(Error::NotAClassifier { loss: N::LOSS });
    }
    let outputs = net.predict_batch(inputs);
    let right: f64 = outputs
        .iter()
        .zip(targets)
        .filter_map(|(o, t)| correct::<N>(o, t))
        .sum();
    Ok(right / inputs.len() as f64)
}

/// The loss's accuracy of one output, 0 for a non-finite output (whose argmax or
/// threshold would be an accident of NaN comparisons).
pub(crate) fn correct<N: Network>(output: &N::Output, target: &N::Target) -> Option<f64> {
    let a = <N::Compiled as Compiled<N>>::accuracy(output, target)?;
    Some(if all_finite(output.as_ref()) { a } else { 0.0 })
}

/// The class a network's output stands for: the largest output, or for one output
/// whether it is above the decision threshold (0 for hinge and perceptron, 0.5
/// otherwise).
pub fn predicted_class<N: Network>(output: &N::Output) -> usize {
    let o = output.as_ref();
    if o.len() == 1 {
        let threshold = if matches!(N::LOSS, "hinge" | "perceptron") {
            0.0
        } else {
            0.5
        };
        usize::from(o[0].to_f64() > threshold)
    } else {
        argmax(o)
    }
}

/// Counts of (true class, predicted class) pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    counts: Vec<usize>,
}

impl ConfusionMatrix {
    /// How many rows of class `truth` were predicted as `predicted`; `None` when
    /// either is not one of the matrix's classes.
    pub fn count(&self, truth: usize, predicted: usize) -> Option<usize> {
        (truth < self.classes && predicted < self.classes).then(|| self.cell(truth, predicted))
    }

    fn cell(&self, truth: usize, predicted: usize) -> usize {
        self.counts[truth * self.classes + predicted]
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The fraction on the diagonal.
    pub fn accuracy(&self) -> f64 {
        let total: usize = self.counts.iter().sum();
        let right: usize = (0..self.classes).map(|c| self.cell(c, c)).sum();
        right as f64 / total.max(1) as f64
    }
}

impl fmt::Display for ConfusionMatrix {
    /// Rows are true classes, columns predicted ones.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "true\\pred")?;
        for c in 0..self.classes {
            write!(f, " {c:>5}")?;
        }
        for t in 0..self.classes {
            write!(f, "\n{t:>9}")?;
            for p in 0..self.classes {
                write!(f, " {:>5}", self.cell(t, p))?;
            }
        }
        Ok(())
    }
}

/// The confusion matrix of a classifier on rows with class labels (for a one-output
/// network, classes 0 and 1).
///
/// The rows are checked first (non-empty, equal counts, finite inputs, labels below
/// the number of classes); a row whose output is NaN or infinite names no class and
/// gives [`Error::NonFiniteOutput`].
///
/// # Errors
///
/// [`Error::Empty`], [`Error::RowCountMismatch`] or [`Error::NonFiniteInput`] for the rows,
/// [`Error::InvalidTarget`] for a label that is no class, and [`Error::NonFiniteOutput`]
/// for a NaN or infinite output.
pub fn confusion_matrix<N: Network>(
    net: &N,
    inputs: &[N::Input],
    labels: &[usize],
) -> Result<ConfusionMatrix, Error> {
    check_rows(inputs.len(), labels.len())?;
    check_inputs::<N>(inputs)?;
    let classes = N::OUTPUTS.max(2);
    if let Some((row, &label)) = labels.iter().enumerate().find(|(_, l)| **l >= classes) {
        return Err(Error::InvalidTarget {
            row,
            column: 0,
            value: label as f64,
            loss: N::LOSS,
            expected: "a class index below the number of classes",
        });
    }
    let mut counts = alloc::vec![0; classes * classes];
    for (row, (o, &t)) in net.predict_batch(inputs).iter().zip(labels).enumerate() {
        if let Some(output) = o.as_ref().iter().position(|v| !v.finite()) {
            return Err(Error::NonFiniteOutput {
                row,
                output,
                value: o.as_ref()[output].to_f64(),
            });
        }
        counts[t * classes + predicted_class::<N>(o)] += 1;
    }
    Ok(ConfusionMatrix { classes, counts })
}

/// Mean over rows and outputs of `(output - target)^2`.
///
/// # Errors
///
/// [`Error::Empty`] for no rows and [`Error::RowCountMismatch`] when there are not as many
/// target rows as input rows.
pub fn mean_squared_error<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Output],
) -> Result<f64, Error> {
    mean_error(net, inputs, targets, |d| d * d)
}

/// Mean over rows and outputs of `|output - target|`.
///
/// # Errors
///
/// As [`mean_squared_error`].
pub fn mean_absolute_error<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Output],
) -> Result<f64, Error> {
    mean_error(net, inputs, targets, f64::abs)
}

fn mean_error<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Output],
    error: impl Fn(f64) -> f64,
) -> Result<f64, Error> {
    check_rows(inputs.len(), targets.len())?;
    let mut sum = 0.0;
    for (o, t) in net.predict_batch(inputs).iter().zip(targets) {
        for (o, t) in o.as_ref().iter().zip(t.as_ref()) {
            sum += error(o.to_f64() - t.to_f64());
        }
    }
    Ok(sum / (inputs.len() * N::OUTPUTS) as f64)
}

fn check_rows(inputs: usize, targets: usize) -> Result<(), Error> {
    if inputs == 0 {
        return Err(Error::Empty { what: "inputs" });
    }
    if targets != inputs {
        return Err(Error::RowCountMismatch {
            inputs,
            found: targets,
            what: "target",
        });
    }
    Ok(())
}
