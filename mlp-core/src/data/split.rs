//! Seeded train/test splits of rows, random or stratified by class.

use crate::error::Error;
use crate::init::Uniform;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use nalgebra::ComplexField;

/// Rows and targets split into a training and a test part.
#[derive(Clone, Debug, PartialEq)]
pub struct Split<I, T> {
    /// The training rows.
    pub train_inputs: Vec<I>,
    /// Their targets.
    pub train_targets: Vec<T>,
    /// The test rows.
    pub test_inputs: Vec<I>,
    /// Their targets.
    pub test_targets: Vec<T>,
}

pub use crate::loss::Class;

/// How many of `rows` go to the test side: `ceil(rows * test_fraction)`, as
/// scikit-learn's `train_test_split` counts, with a tolerance so that `0.7 * 10`
/// is 7 rather than 8.
fn test_count(rows: usize, test_fraction: f64) -> Result<usize, Error> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::InvalidSetting {
            setting: "test_fraction",
            value: test_fraction,
            expected: "a fraction strictly between 0 and 1",
        });
    }
    let test = ComplexField::ceil(rows as f64 * test_fraction - 1e-9).max(0.0) as usize;
    let side = if test == 0 {
        "the test"
    } else if test >= rows {
        "the training"
    } else {
        return Ok(test);
    };
    Err(Error::SplitTooSmall {
        rows,
        test_fraction,
        side,
    })
}

/// The indices of a random split of `len` rows: `(train, test)`, each in a random
/// order, with `ceil(len * test_fraction)` test rows. The same seed gives the same
/// split on every platform.
///
/// ```
/// use mlp_core::data::split_indices;
/// let (train, test) = split_indices(10, 0.3, 7)?;
/// assert_eq!((train.len(), test.len()), (7, 3));
/// assert_eq!(split_indices(10, 0.3, 7)?, (train, test));
/// # Ok::<(), mlp_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidSetting`] for a fraction outside (0, 1) and
/// [`Error::SplitTooSmall`] when one side would be empty.
pub fn split_indices(
    len: usize,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    let test = test_count(len, test_fraction)?;
    let mut order: Vec<usize> = (0..len).collect();
    Uniform::new(seed).permute(len, |i, j| order.swap(i, j));
    let train = order.split_off(test);
    Ok((train, order))
}

/// The indices of a split that keeps each class's share on both sides: of a class
/// with `n` rows, `round(n * test_fraction)` go to the test side, at least one and at
/// most `n - 1` when `n >= 2` (a class of one row stays in training). `classes[i]` is
/// row `i`'s class. Returns `(train, test)`, each in a random order; deterministic
/// for a seed.
///
/// ```
/// use mlp_core::data::stratified_indices;
/// let classes = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
/// let (train, test) = stratified_indices(&classes, 0.25, 1)?;
/// assert_eq!(test.iter().filter(|&&i| classes[i] == 1).count(), 1);
/// assert_eq!(test.iter().filter(|&&i| classes[i] == 0).count(), 2);
/// assert_eq!(train.len(), 7);
/// # Ok::<(), mlp_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidSetting`] for a fraction outside (0, 1) and
/// [`Error::SplitTooSmall`] when one side would be empty.
pub fn stratified_indices(
    classes: &[usize],
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    // Validates the fraction and that the rows can be split at all.
    test_count(classes.len(), test_fraction)?;
    // A map rather than a vector by class, so a stray large label costs nothing.
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &c) in classes.iter().enumerate() {
        members.entry(c).or_default().push(i);
    }
    let mut rng = Uniform::new(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for rows in members.values_mut() {
        let n = rows.len();
        let share = ComplexField::round(n as f64 * test_fraction) as usize;
        let take = if n >= 2 { share.clamp(1, n - 1) } else { 0 };
        rng.permute(n, |i, j| rows.swap(i, j));
        test.extend_from_slice(&rows[..take]);
        train.extend_from_slice(&rows[take..]);
    }
    if test.is_empty() || train.is_empty() {
        return Err(Error::SplitTooSmall {
            rows: classes.len(),
            test_fraction,
            side: if test.is_empty() {
                "the test"
            } else {
                "the training"
            },
        });
    }
    // Mix the classes, which were appended one after another.
    rng.permute(train.len(), |i, j| train.swap(i, j));
    rng.permute(test.len(), |i, j| test.swap(i, j));
    Ok((train, test))
}

/// Splits `inputs` and `targets` at random (see [`split_indices`]): row `i` keeps
/// its target.
///
/// ```
/// use mlp_core::data::split;
/// let x: Vec<[f32; 1]> = (0..10).map(|i| [i as f32]).collect();
/// let y: Vec<usize> = (0..10).collect();
/// let s = split(&x, &y, 0.2, 3)?;
/// assert_eq!((s.train_inputs.len(), s.test_inputs.len()), (8, 2));
/// assert!(s.test_inputs.iter().zip(&s.test_targets).all(|(x, &y)| x[0] == y as f32));
/// # Ok::<(), mlp_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::RowCountMismatch`] when the lengths differ, and those of [`split_indices`].
pub fn split<I: Clone, T: Clone>(
    inputs: &[I],
    targets: &[T],
    test_fraction: f64,
    seed: u64,
) -> Result<Split<I, T>, Error> {
    check_lengths(inputs, targets)?;
    let (train, test) = split_indices(inputs.len(), test_fraction, seed)?;
    Ok(gather(inputs, targets, &train, &test))
}

/// Splits `inputs` and `targets` keeping each class's share on both sides (see
/// [`stratified_indices`]); the class of a target is its [`Class`].
///
/// # Errors
///
/// [`Error::RowCountMismatch`] when the lengths differ, and those of
/// [`stratified_indices`].
pub fn stratified_split<I: Clone, T: Clone + Class>(
    inputs: &[I],
    targets: &[T],
    test_fraction: f64,
    seed: u64,
) -> Result<Split<I, T>, Error> {
    check_lengths(inputs, targets)?;
    let classes: Vec<usize> = targets.iter().map(Class::class).collect();
    let (train, test) = stratified_indices(&classes, test_fraction, seed)?;
    Ok(gather(inputs, targets, &train, &test))
}

fn check_lengths<I, T>(inputs: &[I], targets: &[T]) -> Result<(), Error> {
    if inputs.len() == targets.len() {
        return Ok(());
    }
    Err(Error::RowCountMismatch {
        inputs: inputs.len(),
        found: targets.len(),
        what: "target",
    })
}

fn gather<I: Clone, T: Clone>(
    inputs: &[I],
    targets: &[T],
    train: &[usize],
    test: &[usize],
) -> Split<I, T> {
    let pick = |rows: &[usize]| -> (Vec<I>, Vec<T>) {
        rows.iter()
            .map(|&i| (inputs[i].clone(), targets[i].clone()))
            .unzip()
    };
    let (train_inputs, train_targets) = pick(train);
    let (test_inputs, test_targets) = pick(test);
    Split {
        train_inputs,
        train_targets,
        test_inputs,
        test_targets,
    }
}
