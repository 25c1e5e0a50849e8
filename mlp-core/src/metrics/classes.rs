//! Per-class precision, recall and F1, and the classes of a network's targets.

use super::{ConfusionMatrix, predicted_class};
use crate::error::Error;
use crate::loss::Class;
use crate::network::Network;
use alloc::vec::Vec;
use core::marker::PhantomData;

/// Precision, recall and F1 of each class, as scikit-learn's
/// `precision_recall_fscore_support(..., zero_division=0)` gives them: a class never
/// predicted has precision 0, a class absent from the truth recall 0, and F1 is 0
/// when precision and recall are.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassReport {
    /// Per class, `tp / (tp + fp)`.
    pub precision: Vec<f64>,
    /// Per class, `tp / (tp + fn)`.
    pub recall: Vec<f64>,
    /// Per class, `2 tp / (2 tp + fp + fn)`.
    pub f1: Vec<f64>,
    /// Per class, its rows in the truth.
    pub support: Vec<usize>,
    /// Per class, whether it is in the truth or the predictions.
    seen: Vec<bool>,
}

impl ClassReport {
    /// The mean precision over the classes seen in the truth or the predictions
    /// (scikit-learn's `average="macro"` without `labels`).
    pub fn macro_precision(&self) -> f64 {
        self.macro_of(&self.precision)
    }

    /// The mean recall over the classes seen, as [`ClassReport::macro_precision`].
    pub fn macro_recall(&self) -> f64 {
        self.macro_of(&self.recall)
    }

    /// The mean F1 over the classes seen, as [`ClassReport::macro_precision`].
    pub fn macro_f1(&self) -> f64 {
        self.macro_of(&self.f1)
    }

    fn macro_of(&self, values: &[f64]) -> f64 {
        let (sum, n) = values
            .iter()
            .zip(&self.seen)
            .filter(|(_, seen)| **seen)
            .fold((0.0, 0usize), |(s, n), (v, _)| (s + v, n + 1));
        sum / n.max(1) as f64
    }
}

impl ConfusionMatrix {
    /// The matrix of true and predicted class labels, each below `classes`.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no rows, [`Error::RowCountMismatch`] when the two
    /// counts differ, and [`Error::LabelOutOfRange`] for a label of no class.
    pub fn from_labels(
        truth: &[usize],
        predicted: &[usize],
        classes: usize,
    ) -> Result<Self, Error> {
        super::check_rows(truth.len(), predicted.len())?;
        let mut counts = alloc::vec![0; classes * classes];
        for (row, (&t, &p)) in truth.iter().zip(predicted).enumerate() {
            if let Some(label) = [t, p].into_iter().find(|&l| l >= classes) {
                let what = "the confusion matrix";
                return Err(Error::LabelOutOfRange {
                    row,
                    label,
                    classes,
                    what,
                });
            }
            counts[t * classes + p] += 1;
        }
        Ok(Self { classes, counts })
    }

    /// Precision, recall and F1 of every class.
    pub fn report(&self) -> ClassReport {
        let n = self.classes;
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let mut report = ClassReport {
            precision: Vec::with_capacity(n),
            recall: Vec::with_capacity(n),
            f1: Vec::with_capacity(n),
            support: Vec::with_capacity(n),
            seen: Vec::with_capacity(n),
        };
        for c in 0..n {
            let tp = self.cell(c, c);
            let predicted: usize = (0..n).map(|t| self.cell(t, c)).sum();
            let support: usize = (0..n).map(|p| self.cell(c, p)).sum();
            report.precision.push(ratio(tp, predicted));
            report.recall.push(ratio(tp, support));
            report.f1.push(ratio(2 * tp, predicted + support));
            report.support.push(support);
            report.seen.push(predicted + support > 0);
        }
        report
    }
}

/// The classes of a network's targets, when its loss has them (cce, sparse_cce,
/// and one bce, hinge or perceptron output): each target's [`Class`].
pub(crate) struct Classes<N: Network> {
    count: usize,
    network: PhantomData<N>,
}

impl<N: Network> Classes<N> {
    /// The classes of `N`'s targets, or [`Error::NoClasses`] naming `what` needs them.
    pub(crate) fn of(what: &'static str) -> Result<Self, Error> {
        let Some(count) = Self::count_of() else {
            return Err(Error::NoClasses {
                what,
                loss: N::LOSS,
                outputs: N::OUTPUTS,
            });
        };
        Ok(Self {
            count,
            network: PhantomData,
        })
    }

    /// The number of classes of `N`'s targets, if they are classes.
    pub(crate) fn count_of() -> Option<usize> {
        match (N::LOSS, N::OUTPUTS) {
            ("cce" | "sparse_cce", k) => Some(k),
            ("bce" | "hinge" | "perceptron", 1) => Some(2),
            _ => None,
        }
    }

    /// The number of classes.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The class of one target.
    pub(crate) fn of_target(&self, target: &N::Target) -> usize {
        target.class()
    }

    /// The class of every target.
    pub(crate) fn of_targets(&self, targets: &[N::Target]) -> Vec<usize> {
        targets.iter().map(|t| self.of_target(t)).collect()
    }

    /// The class a network's output names.
    pub(crate) fn of_output(output: &N::Output) -> usize {
        predicted_class::<N>(output)
    }
}
