//! Data for a network: rows from nalgebra matrices and nested vectors, for the batch
//! and training methods (which take slices of arrays); rows and targets read from CSV
//! files ([`Csv`], feature `csv`); seeded train/test splits, random or stratified; and
//! feature scalers fitted on training rows, saved as model metadata.

use crate::error::Error;
use crate::init::Uniform;
use crate::real::Real;
use alloc::vec::Vec;
use nalgebra::{Dim, Matrix, RawStorage};

#[cfg(feature = "csv")]
mod csv;
mod scale;
mod split;

#[cfg(feature = "csv")]
pub use self::csv::{Classes, Column, Csv, CsvTarget, Dataset};
pub use scale::{MinMaxScaler, Scaler, Standardizer};
pub use split::{Class, Split, split, split_indices, stratified_indices, stratified_split};

/// The rows of `matrix` (one sample per row) as arrays of `N` columns, checking the
/// column count.
///
/// # Errors
///
/// [`Error::ColumnCount`] when the matrix does not have `N` columns.
///
/// ```
/// use mlp_core::data::rows;
/// use mlp_core::nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(2, 3, &[1.0_f32, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let r: Vec<[f32; 3]> = rows(&x)?;
/// assert_eq!(r, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// assert!(rows::<f32, 4, _, _, _>(&x).is_err());
/// # Ok::<(), mlp_core::Error>(())
/// ```
pub fn rows<T, const N: usize, R, C, S>(matrix: &Matrix<T, R, C, S>) -> Result<Vec<[T; N]>, Error>
where
    T: Real,
    R: Dim,
    C: Dim,
    S: RawStorage<T, R, C>,
{
    if matrix.ncols() != N {
        return Err(Error::ColumnCount {
            expected: N,
            found: matrix.ncols(),
        });
    }
    Ok((0..matrix.nrows())
        .map(|r| core::array::from_fn(|c| matrix[(r, c)]))
        .collect())
}

/// Rows of `N` values from rows of any length (`Vec<Vec<f32>>`, `&[&[f32]]`,
/// `&[Vec<f64>]`), checking each row's width.
///
/// ```
/// use mlp_core::data::rows_from;
/// let nested = vec![vec![1.0_f32, 2.0], vec![3.0, 4.0]];
/// let r: Vec<[f32; 2]> = rows_from(&nested)?;
/// assert_eq!(r, [[1.0, 2.0], [3.0, 4.0]]);
/// let e = rows_from::<f32, 2>(&[&[1.0_f32, 2.0][..], &[3.0]]).unwrap_err();
/// assert_eq!(e.to_string(), "row 1 has 1 values; the rows need 2");
/// # Ok::<(), mlp_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::RowWidth`] naming the first row that has not `N` values.
pub fn rows_from<T: Copy, const N: usize>(rows: &[impl AsRef<[T]>]) -> Result<Vec<[T; N]>, Error> {
    rows.iter()
        .enumerate()
        .map(|(row, r)| {
            let r = r.as_ref();
            <[T; N]>::try_from(r).map_err(|_| Error::RowWidth {
                row,
                expected: N,
                found: r.len(),
            })
        })
        .collect()
}

/// Shuffles `inputs` and `targets` by the same permutation (Fisher-Yates, drawn from
/// `seed`): row `i` keeps its target. Shuffle before `Fit::validation_split`, which
/// holds out the last rows, to hold out a random fraction instead.
///
/// ```
/// use mlp_core::data::shuffle;
/// let mut x = [[0.0_f32], [1.0], [2.0], [3.0], [4.0]];
/// let mut y = [0_usize, 1, 2, 3, 4];
/// shuffle(&mut x, &mut y, 7)?;
/// assert!(x.iter().zip(&y).all(|(x, &y)| x[0] == y as f32));
/// assert_ne!(y, [0, 1, 2, 3, 4]);
/// # Ok::<(), mlp_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::RowCountMismatch`] if the lengths differ; nothing moves then.
pub fn shuffle<I, T>(inputs: &mut [I], targets: &mut [T], seed: u64) -> Result<(), Error> {
    if targets.len() != inputs.len() {
        return Err(Error::RowCountMismatch {
            inputs: inputs.len(),
            found: targets.len(),
            what: "target",
        });
    }
    Uniform::new(seed).permute(inputs.len(), |i, j| {
        inputs.swap(i, j);
        targets.swap(i, j);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_permutes_rows_with_their_targets_by_seed() {
        let rows: Vec<[f64; 1]> = (0..1000).map(|i| [f64::from(i)]).collect();
        let labels: Vec<u32> = (0..1000).collect();
        let (mut x, mut y) = (rows.clone(), labels.clone());
        shuffle(&mut x, &mut y, 3).unwrap();
        assert!(x.iter().zip(&y).all(|(x, &y)| x[0] == f64::from(y)));
        // Most rows move; the last 100 rows are a mix from everywhere.
        assert!(y.iter().zip(&labels).filter(|(a, b)| a == b).count() < 10);
        assert!(y[900..].iter().filter(|&&v| v < 900).count() > 50);
        let mut sorted = y.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, labels);
        let (mut x2, mut y2) = (rows.clone(), labels.clone());
        shuffle(&mut x2, &mut y2, 3).unwrap();
        assert_eq!(y2, y);
        shuffle(&mut x2, &mut y2, 3).unwrap();
        assert_ne!(y2, y);
        let mut short = labels[..10].to_vec();
        let mut x3 = rows.clone();
        assert!(shuffle(&mut x3, &mut short, 1).is_err());
        assert_eq!((x3, short), (rows, labels[..10].to_vec()));
    }
}
