//! Helpers shared by the examples: reading a labelled CSV table, the project's
//! train/test split and standardisation.
//!
//! Include it from an example with
//!
//! ```ignore
//! #[path = "common/mod.rs"]
//! mod common;
//! ```
//!
//! The evaluation protocol (see `examples/data/README.md`): the test rows are those
//! whose 0-based index `i` has `i % 5 == 4`, the rest are the training rows, and
//! features are standardised with the training rows' mean and standard deviation.

// Each example uses only some of these helpers.
#![allow(dead_code)]

use std::fmt;

/// A line of a CSV table that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvError {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Reads a CSV table with a header line and rows of `N` numeric features followed
/// by an integer class label in the last column. Blank lines are skipped.
///
/// Returns the feature rows and their labels, or the first line that is not
/// `N + 1` comma-separated values, has a feature that is not a finite number, or a
/// label that is not a non-negative integer.
pub fn read_csv<const N: usize>(csv: &str) -> Result<(Vec<[f32; N]>, Vec<usize>), CsvError> {
    let mut lines = csv.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or("");
    let columns = header.split(',').count();
    if columns != N + 1 {
        return Err(CsvError {
            line: 1,
            message: format!(
                "the header has {columns} columns, expected {} ({N} features and a label)",
                N + 1
            ),
        });
    }

    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (index, line) in lines {
        let number = index + 1;
        let error = |message: String| CsvError {
            line: number,
            message,
        };
        if line.trim().is_empty() {
            continue;
        }
        let values: Vec<&str> = line.split(',').map(str::trim).collect();
        if values.len() != N + 1 {
            return Err(error(format!(
                "expected {} values, found {}",
                N + 1,
                values.len()
            )));
        }
        let mut row = [0.0_f32; N];
        for (column, (slot, text)) in row.iter_mut().zip(&values).enumerate() {
            *slot = text
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    error(format!(
                        "column {} is {text:?}, expected a finite number",
                        column + 1
                    ))
                })?;
        }
        let label = values[N].parse::<usize>().map_err(|_| {
            error(format!(
                "the label is {:?}, expected a non-negative integer",
                values[N]
            ))
        })?;
        rows.push(row);
        labels.push(label);
    }
    Ok((rows, labels))
}

/// Whether the row at 0-based `index` belongs to the test set (`index % 5 == 4`).
pub fn is_test_row(index: usize) -> bool {
    index % 5 == 4
}

/// Splits `items` by the protocol into (training, test), keeping their order.
/// Call it on the features and on the labels alike.
pub fn split<T: Clone>(items: &[T]) -> (Vec<T>, Vec<T>) {
    let mut train = Vec::new();
    let mut test = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if is_test_row(i) {
            test.push(item.clone());
        } else {
            train.push(item.clone());
        }
    }
    (train, test)
}

/// Per-feature standardisation `(x - mean) / std`, fitted on the training rows and
/// then applied to every row, training and test alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standardiser<const N: usize> {
    /// Mean of each feature over the rows it was fitted on.
    pub mean: [f32; N],
    /// Population standard deviation of each feature, 1 where a feature is constant.
    pub std: [f32; N],
}

impl<const N: usize> Standardiser<N> {
    /// Measures the mean and standard deviation of each feature of `rows`.
    pub fn fit(rows: &[[f32; N]]) -> Self {
        let n = rows.len().max(1) as f64;
        let mean: [f64; N] =
            std::array::from_fn(|j| rows.iter().map(|r| f64::from(r[j])).sum::<f64>() / n);
        let std = std::array::from_fn(|j| {
            let variance = rows
                .iter()
                .map(|r| (f64::from(r[j]) - mean[j]).powi(2))
                .sum::<f64>()
                / n;
            let std = variance.sqrt() as f32;
            if std > 0.0 { std } else { 1.0 }
        });
        Self {
            mean: mean.map(|m| m as f32),
            std,
        }
    }

    /// One row, standardised.
    pub fn apply(&self, row: &[f32; N]) -> [f32; N] {
        std::array::from_fn(|j| (row[j] - self.mean[j]) / self.std[j])
    }

    /// Standardises every row in place.
    pub fn apply_all(&self, rows: &mut [[f32; N]]) {
        for row in rows {
            *row = self.apply(row);
        }
    }
}
