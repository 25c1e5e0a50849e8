//! The rows a run trains and validates on: the given ones or a holdout of the
//! training rows (last, random or stratified), with each training row's weight.

use super::epoch::stream;
use super::{Fit, Holdout, Rows};
use crate::data;
use crate::error::Error;
use crate::metrics::Classes;
use crate::network::Network;
use alloc::vec::Vec;
use nalgebra::ComplexField;

/// The training and validation rows of a run.
pub(crate) struct Split<'a, N: Network> {
    train: Part<'a, N>,
    validation: Option<Part<'a, N>>,
    /// Per training row, its weight; `None` when every row weighs the same.
    pub(crate) weights: Option<Vec<f64>>,
}

/// Rows as given, or gathered from a random holdout.
enum Part<'a, N: Network> {
    Given(Rows<'a, N>),
    Gathered(Vec<N::Input>, Vec<N::Target>),
}

impl<'a, N: Network> Part<'a, N> {
    fn gather(rows: Rows<'a, N>, indices: &[usize]) -> Self {
        Part::Gathered(
            indices.iter().map(|&i| rows.inputs[i]).collect(),
            indices.iter().map(|&i| rows.targets[i]).collect(),
        )
    }

    fn rows(&self) -> Rows<'_, N> {
        match self {
            Part::Given(rows) => *rows,
            Part::Gathered(x, y) => Rows::new(x, y),
        }
    }
}

impl<'a, N: Network> Split<'a, N> {
    /// The rows of `settings` over `train` (checked rows) and `validation`.
    pub(crate) fn new(
        settings: &Fit,
        train: Rows<'a, N>,
        validation: Option<Rows<'a, N>>,
    ) -> Result<Self, Error> {
        let all = train.len();
        if let Some(w) = &settings.sample_weights
            && w.len() != all
        {
            return Err(Error::WeightCount {
                what: "sample_weights",
                expected: alloc::format!("one per row given to the run ({all})"),
                found: w.len(),
            });
        }
        let (kept, held) = match (settings.validation_split, validation) {
            (Some(fraction), Some(_)) => {
                return Err(Error::InvalidSetting {
                    setting: "validation_split",
                    value: fraction,
                    expected: "no split when validation rows are given",
                });
            }
            (Some(fraction), None) => holdout(settings, train, fraction)?,
            (None, _) => ((0..all).collect(), Vec::new()),
        };
        let weights = weights(settings, train, &kept)?;
        let (train, validation) = match (settings.validation_split, settings.holdout) {
            (None, _) => (Part::Given(train), validation.map(Part::Given)),
            (Some(_), Holdout::Last) => {
                let (t, v) = train.split_at(kept.len());
                (Part::Given(t), Some(Part::Given(v)))
            }
            (Some(_), _) => (Part::gather(train, &kept), Some(Part::gather(train, &held))),
        };
        Ok(Self {
            train,
            validation,
            weights,
        })
    }

    pub(crate) fn train(&self) -> Rows<'_, N> {
        self.train.rows()
    }

    pub(crate) fn validation(&self) -> Option<Rows<'_, N>> {
        self.validation.as_ref().map(Part::rows)
    }
}

/// The indices kept for training and held out, each in the rows' order.
/// Random and stratified holdouts draw from their own stream of the run's seed, so
/// a resumed run holds out the same rows.
fn holdout<N: Network>(
    settings: &Fit,
    rows: Rows<'_, N>,
    fraction: f64,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    let n = rows.len();
    let refused = || Error::InvalidSetting {
        setting: "validation_split",
        value: fraction,
        expected: "a fraction leaving at least one row on each side",
    };
    let seed = stream(settings.seed, 0, 2);
    let mut held = match settings.holdout {
        Holdout::Last => {
            let count = ComplexField::round(n as f64 * fraction) as usize;
            (n - count.min(n)..n).collect()
        }
        Holdout::Random => {
            data::split_indices(n, fraction, seed)
                .map_err(|_| refused())?
                .1
        }
        Holdout::Stratified => {
            let labels = Classes::<N>::of("Holdout::Stratified")?.of_targets(rows.targets);
            data::stratified_indices(&labels, fraction, seed)
                .map_err(|_| refused())?
                .1
        }
    };
    if held.is_empty() || held.len() >= n {
        return Err(refused());
    }
    held.sort_unstable();
    let mut is_held = alloc::vec![false; n];
    for &i in &held {
        is_held[i] = true;
    }
    Ok(((0..n).filter(|&i| !is_held[i]).collect(), held))
}

/// The weight of each kept row: its sample weight times its class's weight;
/// `None` when the weights are all equal (the unweighted mean is then exact).
fn weights<N: Network>(
    settings: &Fit,
    rows: Rows<'_, N>,
    kept: &[usize],
) -> Result<Option<Vec<f64>>, Error> {
    let (samples, class_weights) = (&settings.sample_weights, &settings.class_weights);
    if samples.is_none() && class_weights.is_none() {
        return Ok(None);
    }
    let mut weights: Vec<f64> = match samples {
        Some(w) => kept.iter().map(|&i| w[i]).collect(),
        None => alloc::vec![1.0; kept.len()],
    };
    if let Some(per_class) = class_weights {
        let classes = Classes::<N>::of("class_weights")?;
        for (w, &row) in weights.iter_mut().zip(kept) {
            let class = classes.of_target(&rows.targets[row]);
            let Some(c) = per_class.get(class) else {
                return Err(Error::ClassOutsideWeights {
                    row,
                    class,
                    weights: per_class.len(),
                });
            };
            *w *= c;
        }
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(Error::ZeroWeights);
    }
    Ok((!weights.iter().all(|&w| w == weights[0])).then_some(weights))
}
