//! Rows from nalgebra matrices, for the batch and training methods (which take
//! slices of arrays).

use crate::error::Error;
use crate::real::Real;
use alloc::vec::Vec;
use nalgebra::{Dim, Matrix, RawStorage};

/// The rows of `matrix` (one sample per row) as arrays of `N` columns, checking the
/// column count.
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
