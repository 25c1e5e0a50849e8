//! Metrics of scores and probabilities: ROC-AUC, log-loss, R^2.

use super::check_rows;
use crate::error::Error;
use crate::real::Real;
use alloc::vec::Vec;
use nalgebra::ComplexField;

/// The area under the ROC curve of binary `labels` (0 or 1) ranked by `scores`
/// (higher means class 1): the chance that a row of class 1 scores above a row of
/// class 0, ties counting half, which is scikit-learn's `roc_auc_score` (tied scores
/// share their average rank).
///
/// # Errors
///
/// [`Error::Empty`] or [`Error::RowCountMismatch`] for the rows,
/// [`Error::LabelOutOfRange`] for a label other than 0 or 1,
/// [`Error::InvalidScore`] for a NaN or infinite score, and [`Error::OneClass`]
/// when every label is the same.
pub fn roc_auc<T: Real>(scores: &[T], labels: &[usize]) -> Result<f64, Error> {
    check_rows(scores.len(), labels.len())?;
    check_labels(labels, 2, "roc_auc")?;
    if let Some(row) = scores.iter().position(|s| !s.finite()) {
        return Err(Error::InvalidScore {
            what: "roc_auc",
            row,
            column: 0,
            value: scores[row].to_f64(),
            expected: "a finite score",
        });
    }
    let positives = labels.iter().filter(|&&l| l == 1).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        let class = usize::from(positives > 0);
        return Err(Error::OneClass {
            rows: labels.len(),
            class,
        });
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].to_f64().total_cmp(&scores[b].to_f64()));
    // Mann-Whitney U: the rank sum of the positives, each tie group at its mean rank.
    let mut positive_ranks = 0.0;
    let mut start = 0;
    while start < order.len() {
        let score = scores[order[start]].to_f64();
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| scores[i].to_f64() == score)
                .count();
        let rank = (start + 1 + end) as f64 / 2.0;
        let in_group = order[start..end]
            .iter()
            .filter(|&&i| labels[i] == 1)
            .count();
        positive_ranks += rank * in_group as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Ok((positive_ranks - p * (p + 1.0) / 2.0) / (p * n))
}

/// The mean negative log-likelihood of the true `labels` under `probabilities`,
/// scikit-learn's `log_loss`: a row of one value is the probability of class 1
/// (binary), a wider row holds one probability per class and sums to 1. Each
/// probability is clipped to `[eps, 1 - eps]` with `eps` the machine epsilon of `T`,
/// as scikit-learn does.
///
/// # Errors
///
/// [`Error::Empty`] or [`Error::RowCountMismatch`] for the rows,
/// [`Error::InvalidScore`] for a value outside `[0, 1]`, a row not as wide as the
/// first, or a row that does not sum to 1 (within `sqrt(eps)`, relative), and
/// [`Error::LabelOutOfRange`] for a label of no class.
pub fn log_loss<T: Real, R: AsRef<[T]>>(
    probabilities: &[R],
    labels: &[usize],
) -> Result<f64, Error> {
    check_rows(probabilities.len(), labels.len())?;
    let width = probabilities[0].as_ref().len();
    check_labels(labels, width.max(2), "log_loss")?;
    let eps = if core::mem::size_of::<T>() == 4 {
        f64::from(f32::EPSILON)
    } else {
        f64::EPSILON
    };
    let bad = |row, column, value, expected| Error::InvalidScore {
        what: "log_loss",
        row,
        column,
        value,
        expected,
    };
    let mut total = 0.0;
    for (row, (p, &label)) in probabilities.iter().zip(labels).enumerate() {
        let p = p.as_ref();
        if p.len() != width || width == 0 {
            let expected = "rows as wide as the first, at least 1";
            return Err(bad(row, p.len(), p.len() as f64, expected));
        }
        if let Some(column) = p
            .iter()
            .position(|v| !(v.to_f64() >= 0.0 && v.to_f64() <= 1.0))
        {
            return Err(bad(
                row,
                column,
                p[column].to_f64(),
                "a probability in [0, 1]",
            ));
        }
        let sum: f64 = p.iter().map(|v| v.to_f64()).sum();
        if width > 1 && (sum - 1.0).abs() > ComplexField::sqrt(eps) {
            return Err(bad(row, 0, sum, "a row of probabilities summing to 1"));
        }
        let chosen = match (width, label) {
            (1, 1) => p[0].to_f64(),
            (1, _) => 1.0 - p[0].to_f64(),
            (_, l) => p[l].to_f64(),
        };
        total -= ComplexField::ln(chosen.clamp(eps, 1.0 - eps));
    }
    Ok(total / labels.len() as f64)
}

/// The coefficient of determination, `1 - SS_res / SS_tot` per output column,
/// averaged over the columns with equal weight: scikit-learn's `r2_score` (its
/// default `multioutput="uniform_average"`, `force_finite=True`: a column whose
/// truth is constant scores 1 when predicted exactly, else 0).
///
/// # Errors
///
/// [`Error::Empty`] or [`Error::RowCountMismatch`] for the rows, and
/// [`Error::InvalidScore`] for a NaN or infinite value or a row not as wide as
/// the first truth row.
pub fn r2_score<T: Real, R: AsRef<[T]>>(truth: &[R], predicted: &[R]) -> Result<f64, Error> {
    check_rows(truth.len(), predicted.len())?;
    let width = truth[0].as_ref().len();
    for (what, rows) in [("r2_score truth", truth), ("r2_score predicted", predicted)] {
        for (row, r) in rows.iter().enumerate() {
            let r = r.as_ref();
            if r.len() != width {
                return Err(Error::InvalidScore {
                    what,
                    row,
                    column: r.len(),
                    value: r.len() as f64,
                    expected: "rows as wide as the first truth row",
                });
            }
            if let Some(column) = r.iter().position(|v| !v.finite()) {
                return Err(Error::InvalidScore {
                    what,
                    row,
                    column,
                    value: r[column].to_f64(),
                    expected: "a finite number",
                });
            }
        }
    }
    let n = truth.len() as f64;
    let mut sum = 0.0;
    for k in 0..width {
        let column = |rows: &[R], i: usize| rows[i].as_ref()[k].to_f64();
        let mean = (0..truth.len()).map(|i| column(truth, i)).sum::<f64>() / n;
        let (mut residual, mut total) = (0.0, 0.0);
        for i in 0..truth.len() {
            let (t, p) = (column(truth, i), column(predicted, i));
            residual += (t - p) * (t - p);
            total += (t - mean) * (t - mean);
        }
        sum += match (residual == 0.0, total == 0.0) {
            (true, _) => 1.0,
            (false, true) => 0.0,
            (false, false) => 1.0 - residual / total,
        };
    }
    Ok(sum / width.max(1) as f64)
}

/// Refuses a label that is not below `classes`, naming the metric.
fn check_labels(labels: &[usize], classes: usize, what: &'static str) -> Result<(), Error> {
    match labels.iter().position(|&l| l >= classes) {
        Some(row) => Err(Error::LabelOutOfRange {
            row,
            label: labels[row],
            classes,
            what,
        }),
        None => Ok(()),
    }
}
