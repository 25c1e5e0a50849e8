//! [`Trainer`]: a training run that can pause after any epoch, be saved, and go on.

use super::config::check_settings;
use super::epoch::{Buffers, evaluate, split, stream};
use super::{Batching, Control, Epoch, Fit, History, Rows, Stop};
use crate::checks::{check_batch, parameters_finite};
use crate::error::Error;
use crate::network::Network;
use crate::optim::AnyOptimizer;
use alloc::vec::Vec;

/// A training run that can stop after any epoch, be saved with its optimiser
/// state, and go on later with exactly the result of an uninterrupted run.
///
/// Shuffles and dropout masks of epoch `e` are drawn from generators seeded by the
/// settings' seed and `e`, so a resumed run draws what the uninterrupted one would.
pub struct Trainer<N: Network> {
    pub(crate) settings: Fit,
    /// Epochs completed.
    pub(crate) epoch: usize,
    pub(crate) optimizer: AnyOptimizer<N>,
    /// Early stopping: the best weights, their monitored loss and epoch.
    pub(crate) best: Option<(N, f64, usize)>,
    /// Early stopping: epochs since the best one.
    pub(crate) waited: usize,
    pub(crate) finished: bool,
}

impl<N: Network> Trainer<N> {
    /// A run of `settings` at epoch 0; the settings are checked here.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSetting`] or [`Error::SettingOutOfScalarRange`] naming the setting.
    pub fn new(settings: Fit) -> Result<Self, Error> {
        check_settings::<N::Scalar>(&settings)?;
        let optimizer = AnyOptimizer::new(settings.optimizer, settings.learning_rate);
        Ok(Self {
            settings,
            epoch: 0,
            optimizer,
            best: None,
            waited: 0,
            finished: false,
        })
    }

    /// The run's settings.
    pub fn settings(&self) -> &Fit {
        &self.settings
    }

    /// The optimiser with its state (velocity, Adam's moments and step count).
    pub fn optimizer(&self) -> &AnyOptimizer<N> {
        &self.optimizer
    }

    /// Epochs completed so far.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Whether the run has ended (all epochs, early stopping, or a callback's stop).
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Runs at most `epochs` more epochs of training. When the run ends (its last
    /// epoch, early stopping or the callback's [`Control::Stop`]) early stopping's
    /// best weights are restored; when it only pauses after `epochs`, the network
    /// keeps its current weights and the trainer can be saved and resumed.
    ///
    /// On [`Error::Diverged`] or [`Error::ValidationDiverged`] the network and the
    /// trainer (optimiser state, early stopping, epoch count) are as they were after
    /// the last complete epoch, so [`Trainer::to_bytes`] gives the same bytes as
    /// before the failing epoch.
    ///
    /// If `callback` panics, the panic propagates and the pair is as if the run had
    /// paused after the epoch the callback was called for: the network holds that
    /// epoch's weights (early stopping's best weights are not restored), and the
    /// trainer counts the epoch as complete, with its optimiser state and early
    /// stopping's verdict on it. Calling `run` again goes on from there (and ends at
    /// once, restoring the best weights, if early stopping had run out).
    ///
    /// # Errors
    ///
    /// The row errors of [`Network::loss`] (for the training and the validation rows),
    /// [`Error::InvalidSetting`] for a `validation_split` that leaves no row on a side
    /// or comes with validation rows, and [`Error::Diverged`] or
    /// [`Error::ValidationDiverged`] naming the epoch, with the state described above.
    pub fn run(
        &mut self,
        net: &mut N,
        train: Rows<'_, N>,
        validation: Option<Rows<'_, N>>,
        epochs: usize,
        mut callback: impl FnMut(&Epoch, &N) -> Control,
    ) -> Result<History, Error> {
        let settings = self.settings.clone();
        let (train, validation) = split(&settings, train, validation)?;
        check_batch::<N>(train.inputs, train.targets)?;
        if let Some(v) = validation {
            check_batch::<N>(v.inputs, v.targets)?;
        }
        let mut history = History {
            epochs: Vec::new(),
            best_epoch: None,
            stop: Stop::Completed,
        };
        if self.finished {
            return Ok(history);
        }

        let rows = train.len();
        let batch = match settings.batching {
            Batching::Full => rows,
            Batching::MiniBatch(n) => n.min(rows),
            Batching::Stochastic => 1,
        };
        let mut buffers = Buffers::<N>::new(rows, batch);
        // The network and optimiser after the last complete epoch, put back when an
        // epoch diverges; refreshed in place each epoch, so a run allocates them once.
        let mut last_good = (net.clone(), self.optimizer.clone());
        #[cfg(feature = "progress")]
        let bar = super::progress::Bar::new(settings.progress, settings.epochs);
        #[cfg(feature = "progress")]
        bar.skip(self.epoch);

        let end = settings.epochs.min(self.epoch.saturating_add(epochs));
        // A trainer whose early stopping ran out (its callback panicked before the run
        // could end) ends now, as the uninterrupted run did.
        let mut ended = settings.patience.is_some_and(|p| self.waited >= p);
        if ended {
            history.stop = Stop::EarlyStopping;
        }
        while !ended && self.epoch < end {
            let record = match self.epoch_of(net, &mut buffers, train, validation) {
                Ok(record) => record,
                Err(error) => {
                    *net = last_good.0;
                    self.optimizer = last_good.1;
                    return Err(error);
                }
            };
            last_good.0.clone_from(net);
            last_good.1.copy_from(&self.optimizer);
            self.epoch += 1;
            // Early stopping sees the epoch before the callback does, so a callback
            // that panics leaves a trainer that has completed this epoch.
            if self.early_stopping(net, &record) {
                history.stop = Stop::EarlyStopping;
                ended = true;
            }
            #[cfg(feature = "progress")]
            bar.epoch(&record);
            let control = callback(&record, net);
            history.epochs.push(record);
            if !ended && control == Control::Stop {
                history.stop = Stop::Callback;
                ended = true;
            }
        }
        #[cfg(feature = "progress")]
        bar.finish();
        if ended || self.epoch >= settings.epochs {
            self.finished = true;
            if let Some((weights, _, epoch)) = &self.best {
                net.clone_from(weights);
                history.best_epoch = Some(*epoch);
            }
        }
        Ok(history)
    }

    /// One epoch: its steps, then its measurements. A divergence is an error; the
    /// caller puts the last complete epoch back.
    fn epoch_of(
        &mut self,
        net: &mut N,
        buffers: &mut Buffers<N>,
        train: Rows<'_, N>,
        validation: Option<Rows<'_, N>>,
    ) -> Result<Epoch, Error> {
        let (settings, epoch) = (&self.settings, self.epoch);
        let rate = settings
            .schedule
            .rate(settings.learning_rate, epoch, settings.epochs);
        self.optimizer.set_learning_rate(rate);
        let shuffle = settings.shuffle.then(|| stream(settings.seed, epoch, 0));
        // Dropout masks come from their own stream, so shuffling does not depend on them.
        let masks = stream(settings.seed, epoch, 1);
        let steps = buffers.steps(net, &mut self.optimizer, settings, train, shuffle, masks);
        let (step_loss, gradient_norms) = steps.map_err(|loss| Error::Diverged { epoch, loss })?;
        if !parameters_finite(net) {
            let loss = f64::NAN;
            return Err(Error::Diverged { epoch, loss });
        }
        let (train_loss, train_accuracy) = if settings.training_metrics {
            let (l, a) = evaluate(net, buffers, train);
            (Some(l), a)
        } else {
            (None, None)
        };
        let (validation_loss, validation_accuracy) = match validation {
            Some(v) => {
                let (l, a) = evaluate(net, buffers, v);
                (Some(l), a)
            }
            None => (None, None),
        };
        if !step_loss.is_finite() || train_loss.is_some_and(|l| !l.is_finite()) {
            return Err(Error::Diverged {
                epoch,
                loss: step_loss,
            });
        }
        if let Some(loss) = validation_loss.filter(|l| !l.is_finite()) {
            return Err(Error::ValidationDiverged { epoch, loss });
        }
        Ok(Epoch {
            epoch,
            learning_rate: rate,
            step_loss,
            train_loss,
            train_accuracy,
            validation_loss,
            validation_accuracy,
            gradient_norms,
        })
    }

    /// Early stopping's verdict on a completed epoch: keeps the best weights and
    /// says whether patience has run out.
    fn early_stopping(&mut self, net: &N, record: &Epoch) -> bool {
        let Some(patience) = self.settings.patience else {
            return false;
        };
        let monitored = record
            .validation_loss
            .or(record.train_loss)
            .unwrap_or(record.step_loss);
        match &mut self.best {
            Some((_, loss, _)) if monitored >= *loss - self.settings.min_delta => self.waited += 1,
            Some((weights, loss, best)) => {
                weights.clone_from(net);
                (*loss, *best) = (monitored, record.epoch);
                self.waited = 0;
            }
            None => {
                self.best = Some((net.clone(), monitored, record.epoch));
                self.waited = 0;
            }
        }
        self.waited >= patience
    }
}
