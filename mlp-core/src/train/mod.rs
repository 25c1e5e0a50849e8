//! Training: [`Fit`] says what a run does, [`Train::fit`] runs it, and a [`Trainer`]
//! runs it in parts that can be saved and resumed.
//!
//! Every setting and every row is checked before the first weight changes. A loss
//! or gradient that turns NaN or infinite stops the run with
//! [`Error::Diverged`] ([`Error::ValidationDiverged`] for the validation loss) and
//! puts back the weights and the optimiser state of the last complete epoch.
//!
//! The optimisers are the values of [`crate::optim`], usable in a loop of one's own.

mod checkpoint;
mod config;
mod epoch;
mod history;
#[cfg(feature = "progress")]
mod progress;
mod split;
mod trainer;

pub use crate::metrics::Metric;
pub use crate::optim::Optimizer;
pub use config::{Batching, Fit, Holdout, Plateau, Schedule};
pub use history::{Epoch, History, Stop};
pub use trainer::Trainer;

use crate::error::Error;
use crate::network::Network;

/// Rows of inputs with their targets.
pub struct Rows<'a, N: Network> {
    /// One input per row.
    pub inputs: &'a [N::Input],
    /// One target per row.
    pub targets: &'a [N::Target],
}

impl<N: Network> Clone for Rows<'_, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<N: Network> Copy for Rows<'_, N> {}

impl<'a, N: Network> Rows<'a, N> {
    /// The rows `inputs` with `targets`.
    pub fn new(inputs: &'a [N::Input], targets: &'a [N::Target]) -> Self {
        Self { inputs, targets }
    }

    fn len(&self) -> usize {
        self.inputs.len()
    }

    fn split_at(&self, at: usize) -> (Self, Self) {
        let (xa, xb) = self.inputs.split_at(at);
        let (ya, yb) = self.targets.split_at(at);
        (Self::new(xa, ya), Self::new(xb, yb))
    }
}

/// What a callback tells the run after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this epoch (early stopping still restores its best weights).
    Stop,
}

/// Training, for every network: `use mlp::prelude::*` brings it.
pub trait Train: Network {
    /// Trains on the rows as `settings` say and returns every epoch's measurements.
    /// Settings and rows are checked before any weight changes; a training or
    /// validation loss that turns NaN or infinite stops the run with
    /// [`Error::Diverged`] or [`Error::ValidationDiverged`] and restores the
    /// weights of the last complete epoch.
    ///
    /// # Errors
    ///
    /// As [`fit`].
    fn fit(
        &mut self,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        settings: &Fit,
    ) -> Result<History, Error> {
        fit(self, Rows::new(inputs, targets), None, settings, |_, _| {
            Control::Continue
        })
    }
}

impl<N: Network> Train for N {}

/// Trains `net` on `train` as `settings` say, validating on `validation` when
/// given (or on the split `settings` asks for), calling `callback` after every
/// epoch with its measurements and the network (to log or stop).
///
/// If `callback` panics, the panic propagates and `net` holds the weights of the
/// epoch the callback was called for, without early stopping's restore of its best
/// weights.
///
/// # Errors
///
/// As [`Trainer::new`] and [`Trainer::run`].
pub fn fit<N: Network>(
    net: &mut N,
    train: Rows<'_, N>,
    validation: Option<Rows<'_, N>>,
    settings: &Fit,
    callback: impl FnMut(&Epoch, &N) -> Control,
) -> Result<History, Error> {
    Trainer::new(settings.clone())?.run(net, train, validation, usize::MAX, callback)
}
