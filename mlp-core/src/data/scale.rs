//! Feature scaling fitted on training rows: standardisation and min-max, with their
//! numbers as model metadata so a deployed program scales its inputs the same way.

use crate::error::Error;
use crate::real::{Dtype, Real};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use nalgebra::ComplexField;

/// `y = (x - offset) / scale` per column, the form of both scalers.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Affine<T, const N: usize> {
    offset: [T; N],
    scale: [T; N],
}

impl<T: Real, const N: usize> Affine<T, N> {
    /// A zero spread scales by 1, so a constant column is shifted, never divided by 0.
    fn new(offset: [T; N], spread: [T; N]) -> Self {
        Self {
            offset,
            scale: spread.map(|s| if s > T::ZERO { s } else { T::ONE }),
        }
    }

    fn forward(&self, row: &mut [T; N]) {
        for ((x, &o), &s) in row.iter_mut().zip(&self.offset).zip(&self.scale) {
            *x = (*x - o) / s;
        }
    }

    fn backward(&self, row: &mut [T; N]) {
        for ((x, &o), &s) in row.iter_mut().zip(&self.offset).zip(&self.scale) {
            *x = *x * s + o;
        }
    }
}

/// The transforms every scaler offers, written once for the three types.
macro_rules! transforms {
    () => {
        /// The rows scaled.
        pub fn transform(&self, rows: &[[T; N]]) -> Vec<[T; N]> {
            rows.iter().map(|r| self.transform_one(r)).collect()
        }

        /// One row scaled, e.g. for `net.predict(&scaler.transform_one(&x))`.
        pub fn transform_one(&self, row: &[T; N]) -> [T; N] {
            let mut row = *row;
            self.affine().forward(&mut row);
            row
        }

        /// Scales the rows where they are.
        pub fn transform_in_place(&self, rows: &mut [[T; N]]) {
            let affine = self.affine();
            rows.iter_mut().for_each(|r| affine.forward(r));
        }

        /// The rows in their original units again.
        pub fn inverse_transform(&self, rows: &[[T; N]]) -> Vec<[T; N]> {
            rows.iter().map(|r| self.inverse_transform_one(r)).collect()
        }

        /// One row in its original units again.
        pub fn inverse_transform_one(&self, row: &[T; N]) -> [T; N] {
            let mut row = *row;
            self.affine().backward(&mut row);
            row
        }

        /// Returns the rows to their original units where they are.
        pub fn inverse_transform_in_place(&self, rows: &mut [[T; N]]) {
            let affine = self.affine();
            rows.iter_mut().for_each(|r| affine.backward(r));
        }
    };
}

/// Scales each column to mean 0 and standard deviation 1, with the mean and the
/// population standard deviation of the training rows (scikit-learn's
/// `StandardScaler`). A column of zero variance is centred and left unscaled.
///
/// ```
/// use mlp_core::data::Standardizer;
/// let train = [[1.0_f64, 5.0], [3.0, 5.0]];
/// let scaler = Standardizer::fit(&train)?;
/// assert_eq!((scaler.mean(), scaler.std()), (&[2.0, 5.0], &[1.0, 0.0]));
/// assert_eq!(scaler.transform_one(&[4.0, 6.0]), [2.0, 1.0]);
/// # Ok::<(), mlp_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer<T, const N: usize> {
    mean: [T; N],
    std: [T; N],
    affine: Affine<T, N>,
}

impl<T: Real, const N: usize> Standardizer<T, N> {
    /// The mean and standard deviation of each column of `rows` (computed in `f64`,
    /// in two passes).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] without rows and [`Error::NonFiniteInput`] for a NaN or
    /// infinite value, naming its row and column.
    pub fn fit(rows: &[[T; N]]) -> Result<Self, Error> {
        check_fit_rows(rows)?;
        let n = rows.len() as f64;
        let mean: [f64; N] =
            core::array::from_fn(|c| rows.iter().map(|r| r[c].to_f64()).sum::<f64>() / n);
        let std = core::array::from_fn(|c| {
            let ss: f64 = rows
                .iter()
                .map(|r| (r[c].to_f64() - mean[c]) * (r[c].to_f64() - mean[c]))
                .sum();
            T::of(ComplexField::sqrt(ss / n))
        });
        Ok(Self::from_parts(mean.map(T::of), std))
    }

    fn from_parts(mean: [T; N], std: [T; N]) -> Self {
        Self {
            mean,
            std,
            affine: Affine::new(mean, std),
        }
    }

    /// Each column's mean over the training rows.
    pub fn mean(&self) -> &[T; N] {
        &self.mean
    }

    /// Each column's population standard deviation over the training rows (0 for a
    /// constant column, which is then only centred).
    pub fn std(&self) -> &[T; N] {
        &self.std
    }

    fn affine(&self) -> &Affine<T, N> {
        &self.affine
    }

    transforms!();

    /// The scaler as metadata entries to save with a model: `scaler.kind`
    /// (`standard`), `scaler.dtype`, `scaler.width`, `scaler.mean` and `scaler.std`,
    /// the numbers comma-separated in their shortest exact form.
    pub fn to_metadata(&self) -> Vec<(String, String)> {
        metadata::<T, N>(STANDARD, [("mean", &self.mean), ("std", &self.std)])
    }

    /// The scaler [`Standardizer::to_metadata`] wrote, bit for bit.
    ///
    /// # Errors
    ///
    /// [`Error::ScalerMetadata`] naming the key that is missing, malformed, of
    /// another scaler kind, scalar type or width.
    pub fn from_metadata(metadata: &BTreeMap<String, String>) -> Result<Self, Error> {
        check_header::<T, N>(metadata, STANDARD)?;
        let std = numbers::<T, N>(metadata, "std")?;
        if let Some(s) = std.iter().find(|s| **s < T::ZERO) {
            return Err(malformed::<T, N>(
                "std",
                metadata,
                &format!("not negative ({s})"),
            ));
        }
        Ok(Self::from_parts(numbers(metadata, "mean")?, std))
    }
}

/// Scales each column to [0, 1] by the minimum and maximum of the training rows
/// (scikit-learn's `MinMaxScaler`); rows outside the training range go outside
/// [0, 1]. A constant column is shifted to 0 and left unscaled.
///
/// ```
/// use mlp_core::data::MinMaxScaler;
/// let scaler = MinMaxScaler::fit(&[[2.0_f32, 1.0], [6.0, 1.0]])?;
/// assert_eq!(scaler.transform_one(&[3.0, 1.0]), [0.25, 0.0]);
/// assert_eq!(scaler.inverse_transform_one(&[0.25, 0.0]), [3.0, 1.0]);
/// # Ok::<(), mlp_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinMaxScaler<T, const N: usize> {
    min: [T; N],
    max: [T; N],
    affine: Affine<T, N>,
}

impl<T: Real, const N: usize> MinMaxScaler<T, N> {
    /// The minimum and maximum of each column of `rows`.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] without rows and [`Error::NonFiniteInput`] for a NaN or
    /// infinite value, naming its row and column.
    pub fn fit(rows: &[[T; N]]) -> Result<Self, Error> {
        check_fit_rows(rows)?;
        let fold = |pick: fn(T, T) -> T| -> [T; N] {
            core::array::from_fn(|c| rows.iter().map(|r| r[c]).reduce(pick).unwrap_or(T::ZERO))
        };
        let min = fold(|a, b| if b < a { b } else { a });
        let max = fold(|a, b| if b > a { b } else { a });
        Ok(Self::from_parts(min, max))
    }

    fn from_parts(min: [T; N], max: [T; N]) -> Self {
        Self {
            min,
            max,
            affine: Affine::new(min, core::array::from_fn(|c| max[c] - min[c])),
        }
    }

    /// Each column's minimum over the training rows.
    pub fn min(&self) -> &[T; N] {
        &self.min
    }

    /// Each column's maximum over the training rows.
    pub fn max(&self) -> &[T; N] {
        &self.max
    }

    fn affine(&self) -> &Affine<T, N> {
        &self.affine
    }

    transforms!();

    /// The scaler as metadata entries to save with a model: `scaler.kind`
    /// (`min_max`), `scaler.dtype`, `scaler.width`, `scaler.min` and `scaler.max`,
    /// the numbers comma-separated in their shortest exact form.
    pub fn to_metadata(&self) -> Vec<(String, String)> {
        metadata::<T, N>(MIN_MAX, [("min", &self.min), ("max", &self.max)])
    }

    /// The scaler [`MinMaxScaler::to_metadata`] wrote, bit for bit.
    ///
    /// # Errors
    ///
    /// [`Error::ScalerMetadata`] naming the key that is missing, malformed, of
    /// another scaler kind, scalar type or width.
    pub fn from_metadata(metadata: &BTreeMap<String, String>) -> Result<Self, Error> {
        check_header::<T, N>(metadata, MIN_MAX)?;
        let (min, max) = (numbers::<T, N>(metadata, "min")?, numbers(metadata, "max")?);
        if (0..N).any(|c| max[c] < min[c]) {
            return Err(malformed::<T, N>(
                "max",
                metadata,
                "no smaller than scaler.min",
            ));
        }
        Ok(Self::from_parts(min, max))
    }
}

/// Either scaler, for a program that saves or loads whichever was chosen.
///
/// ```
/// use mlp_core::data::{Scaler, Standardizer};
/// let train = [[1.0_f32], [3.0]];
/// let scaler = Scaler::from(Standardizer::fit(&train)?);
/// let saved: std::collections::BTreeMap<_, _> = scaler.to_metadata().into_iter().collect();
/// let loaded = Scaler::<f32, 1>::from_metadata(&saved)?;
/// assert_eq!(loaded, scaler);
/// assert_eq!(loaded.transform_one(&[3.0]), [1.0]);
/// # Ok::<(), mlp_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scaler<T, const N: usize> {
    /// Mean 0, standard deviation 1.
    Standard(Standardizer<T, N>),
    /// To [0, 1].
    MinMax(MinMaxScaler<T, N>),
}

impl<T: Real, const N: usize> Scaler<T, N> {
    fn affine(&self) -> &Affine<T, N> {
        match self {
            Self::Standard(s) => s.affine(),
            Self::MinMax(s) => s.affine(),
        }
    }

    transforms!();

    /// The scaler's metadata entries (see [`Standardizer::to_metadata`] and
    /// [`MinMaxScaler::to_metadata`]).
    pub fn to_metadata(&self) -> Vec<(String, String)> {
        match self {
            Self::Standard(s) => s.to_metadata(),
            Self::MinMax(s) => s.to_metadata(),
        }
    }

    /// The scaler of either kind, as `scaler.kind` says.
    ///
    /// # Errors
    ///
    /// [`Error::ScalerMetadata`] naming the key that is missing or malformed.
    pub fn from_metadata(metadata: &BTreeMap<String, String>) -> Result<Self, Error> {
        match metadata.get(KIND).map(String::as_str) {
            Some(MIN_MAX) => MinMaxScaler::from_metadata(metadata).map(Self::MinMax),
            _ => Standardizer::from_metadata(metadata).map(Self::Standard),
        }
    }
}

impl<T, const N: usize> From<Standardizer<T, N>> for Scaler<T, N> {
    fn from(s: Standardizer<T, N>) -> Self {
        Self::Standard(s)
    }
}

impl<T, const N: usize> From<MinMaxScaler<T, N>> for Scaler<T, N> {
    fn from(s: MinMaxScaler<T, N>) -> Self {
        Self::MinMax(s)
    }
}

const KIND: &str = "scaler.kind";
const STANDARD: &str = "standard";
const MIN_MAX: &str = "min_max";

fn check_fit_rows<T: Real, const N: usize>(rows: &[[T; N]]) -> Result<(), Error> {
    if rows.is_empty() {
        return Err(Error::Empty { what: "rows" });
    }
    for (row, r) in rows.iter().enumerate() {
        if let Some(column) = r.iter().position(|v| !v.finite()) {
            return Err(Error::NonFiniteInput {
                row,
                column,
                value: r[column].to_f64(),
            });
        }
    }
    Ok(())
}

fn metadata<T: Real, const N: usize>(
    kind: &str,
    arrays: [(&str, &[T; N]); 2],
) -> Vec<(String, String)> {
    let mut entries = Vec::from([
        (KIND.to_string(), kind.to_string()),
        ("scaler.dtype".to_string(), T::NAME.to_string()),
        ("scaler.width".to_string(), N.to_string()),
    ]);
    for (name, values) in arrays {
        // `{:?}` is the shortest text that parses back to the same float.
        let text: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        entries.push((format!("scaler.{name}"), text.join(",")));
    }
    entries
}

fn refuse(key: &str, metadata: &BTreeMap<String, String>, expected: String) -> Error {
    Error::ScalerMetadata {
        key: key.to_string(),
        found: metadata.get(key).cloned(),
        expected,
    }
}

fn malformed<T: Real, const N: usize>(
    name: &str,
    metadata: &BTreeMap<String, String>,
    also: &str,
) -> Error {
    refuse(
        &format!("scaler.{name}"),
        metadata,
        format!("{N} comma-separated finite {} numbers, {also}", T::NAME),
    )
}

fn check_header<T: Real, const N: usize>(
    metadata: &BTreeMap<String, String>,
    kind: &str,
) -> Result<(), Error> {
    let expect = |key: &str, value: &str, what: &str| match metadata.get(key) {
        Some(v) if v == value => Ok(()),
        _ => Err(refuse(key, metadata, format!("{value} ({what})"))),
    };
    expect(KIND, kind, "the kind of scaler loading it")?;
    expect(
        "scaler.dtype",
        T::NAME,
        "the scalar of the scaler loading it",
    )?;
    expect(
        "scaler.width",
        &N.to_string(),
        "the width of the scaler loading it",
    )
}

fn numbers<T: Real, const N: usize>(
    metadata: &BTreeMap<String, String>,
    name: &str,
) -> Result<[T; N], Error> {
    let bad = || malformed::<T, N>(name, metadata, "as the scaler wrote them");
    let text = metadata.get(&format!("scaler.{name}")).ok_or_else(bad)?;
    let values: Vec<T> = text
        .split(',')
        .map(|v| parse::<T>(v).filter(|v| v.finite()))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    values.try_into().map_err(|_| bad())
}

/// A number parsed in the scalar's own type, so an `f32` is rounded once.
pub(crate) fn parse<T: Real>(text: &str) -> Option<T> {
    match T::DTYPE {
        Dtype::F32 => text.parse::<f32>().ok().map(|v| T::of(f64::from(v))),
        Dtype::F64 => text.parse::<f64>().ok().map(T::of),
    }
}
