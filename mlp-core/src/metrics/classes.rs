//! Per-class precision, recall and F1, and the classes of a network's targets.

use super::{ConfusionMatrix, predicted_class};
use crate::compiled::{Compiled, tensor_mut};
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::{TensorId, TensorKind};
use alloc::vec::Vec;

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

/// The class labels of a network's targets: the argmax of a cce row, the label of
/// sparse_cce, and for one bce, hinge or perceptron output class 1 for a target
/// above 0.5 (bce) or 0 (hinge, perceptron).
///
/// A target's class is the one whose confident output the loss's accuracy counts
/// as right: the outputs a network with zero weights gives for a bias of `+1` on
/// that class (and `-1` on the others), computed once per network type.
pub(crate) struct Classes<N: Network> {
    /// Per class, the network's output when it is sure of that class.
    sure: Vec<N::Output>,
}

impl<N: Network> Classes<N> {
    /// The classes of `N`'s targets, or [`Error::NoClasses`] naming `what` needs them.
    pub(crate) fn of(what: &'static str) -> Result<Self, Error> {
        let Some(classes) = Self::count_of() else {
            return Err(Error::NoClasses {
                what,
                loss: N::LOSS,
                outputs: N::OUTPUTS,
            });
        };
        let zeros = alloc::vec![N::Scalar::ZERO; N::INPUTS];
        let Ok(input) = N::Input::try_from(&zeros) else {
            unreachable!("a network's input is INPUTS scalars")
        };
        let bias = TensorId {
            layer: N::LAYERS - 1,
            kind: TensorKind::Bias,
        };
        let sure = (0..classes)
            .map(|class| {
                let mut net = N::zeros();
                let b = tensor_mut(&mut net, bias);
                for (k, b) in b.iter_mut().enumerate() {
                    // One output: its sign says the class.
                    let on = if N::OUTPUTS == 1 {
                        class == 1
                    } else {
                        k == class
                    };
                    *b = if on { N::Scalar::ONE } else { -N::Scalar::ONE };
                }
                net.predict(&input)
            })
            .collect();
        Ok(Self { sure })
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
        self.sure.len()
    }

    /// The class of one target.
    pub(crate) fn of_target(&self, target: &N::Target) -> usize {
        self.sure
            .iter()
            .position(|o| <N::Compiled as Compiled<N>>::accuracy(o, target) == Some(1.0))
            .unwrap_or(0)
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
