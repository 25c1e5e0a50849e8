//! How well a trained network does on labelled rows.

use crate::error::Error;
use crate::loss::argmax;
use crate::network::Network;
use crate::real::Real;
use alloc::vec::Vec;
use core::fmt;

/// The fraction of outputs a classifier gets right (argmax for cce and sparse_cce,
/// 0.5 for bce, the sign for hinge and perceptron); `None` for a regression loss.
pub fn accuracy<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Target],
) -> Result<Option<f64>, Error> {
    check_rows(inputs.len(), targets.len())?;
    let outputs = net.predict_batch(inputs);
    let mut right = 0.0;
    for (o, t) in outputs.iter().zip(targets) {
        match N::accuracy(o, t) {
            Some(a) => right += a,
            None => return Ok(None),
        }
    }
    Ok(Some(right / inputs.len() as f64))
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
    /// How many rows of class `truth` were predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> usize {
        self.counts[truth * self.classes + predicted]
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The fraction on the diagonal.
    pub fn accuracy(&self) -> f64 {
        let total: usize = self.counts.iter().sum();
        let right: usize = (0..self.classes).map(|c| self.count(c, c)).sum();
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
                write!(f, " {:>5}", self.count(t, p))?;
            }
        }
        Ok(())
    }
}

/// The confusion matrix of a classifier on rows with class labels (for a one-output
/// network, classes 0 and 1).
pub fn confusion_matrix<N: Network>(
    net: &N,
    inputs: &[N::Input],
    labels: &[usize],
) -> Result<ConfusionMatrix, Error> {
    check_rows(inputs.len(), labels.len())?;
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
    for (o, &t) in net.predict_batch(inputs).iter().zip(labels) {
        counts[t * classes + predicted_class::<N>(o)] += 1;
    }
    Ok(ConfusionMatrix { classes, counts })
}

/// Mean over rows and outputs of `(output - target)^2`.
pub fn mean_squared_error<N: Network>(
    net: &N,
    inputs: &[N::Input],
    targets: &[N::Output],
) -> Result<f64, Error> {
    mean_error(net, inputs, targets, |d| d * d)
}

/// Mean over rows and outputs of `|output - target|`.
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
