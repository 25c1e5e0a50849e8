//! [`Trainer`]: a training run that can pause after any epoch, be saved, and go on.

use super::config::{check_network, check_settings};
use super::epoch::{Buffers, evaluate, stream};
use super::split::Split;
use super::{Batching, Control, Epoch, Fit, History, Rows, Stop};
use crate::checks::{check_batch, parameters_finite};
use crate::error::Error;
use crate::metrics::{Measure, Metric};
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
    /// Early stopping: the best weights, their monitored value and epoch.
    pub(crate) best: Option<(N, f64, usize)>,
    /// Early stopping: epochs since the best one.
    pub(crate) waited: usize,
    pub(crate) finished: bool,
    /// Reduce-on-plateau's state.
    pub(crate) plateau: PlateauState,
}

/// Reduce-on-plateau: the factor its reductions have reached, the best monitored
/// value and the epochs since it (or since the last reduction).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PlateauState {
    pub(crate) scale: f64,
    pub(crate) best: Option<f64>,
    pub(crate) waited: usize,
}

/// Whether `value` improves on `best` by more than `delta` in `metric`'s direction
/// (a NaN value never does).
fn improves(metric: Metric, value: f64, best: f64, delta: f64) -> bool {
    if metric.higher_is_better() {
        value > best + delta
    } else {
        value < best - delta
    }
}

impl<N: Network> Trainer<N> {
    /// A run of `settings` at epoch 0; the settings are checked here.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSetting`] or [`Error::SettingOutOfScalarRange`] naming the
    /// setting, [`Error::InvalidWeight`] for a negative or non-finite weight,
    /// [`Error::WeightCount`] for more class weights than classes,
    /// [`Error::NoClasses`] for class weights or a stratified holdout of a network
    /// without classes, and [`Error::MetricNotApplicable`] for a metric the network
    /// cannot be measured by.
    pub fn new(settings: Fit) -> Result<Self, Error> {
        check_settings::<N::Scalar>(&settings)?;
        check_network::<N>(&settings)?;
        let optimizer = AnyOptimizer::new(settings.optimizer, settings.learning_rate);
        Ok(Self {
            settings,
            epoch: 0,
            optimizer,
            best: None,
            waited: 0,
            finished: false,
            plateau: PlateauState {
                scale: 1.0,
                best: None,
                waited: 0,
            },
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
    /// or comes with validation rows, or a monitored metric with nothing to measure
    /// it on, [`Error::WeightCount`] for sample weights not one per row,
    /// [`Error::ClassOutsideWeights`] for a row whose class has no class weight,
    /// [`Error::ZeroWeights`] when every training row weighs 0, [`Error::OneClass`]
    /// for ROC-AUC on rows of one class, and [`Error::Diverged`] or
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
        check_batch::<N>(train.inputs, train.targets)?;
        if let Some(v) = validation {
            check_batch::<N>(v.inputs, v.targets)?;
        }
        let split = Split::new(&settings, train, validation)?;
        let (train, validation) = (split.train(), split.validation());
        let weights = split.weights.as_deref();
        // The loss and accuracy have fields of their own; another monitor is measured.
        let mut measured = settings.metrics.clone();
        let monitor = settings.monitor;
        if !matches!(monitor, Metric::Loss | Metric::Accuracy) && !measured.contains(&monitor) {
            measured.push(monitor);
        }
        let measure = Measure::<N>::new(&measured)?;
        let train_labels = if settings.training_metrics {
            measure.labels(train.targets)?
        } else {
            None
        };
        let validation_labels = match validation {
            Some(v) => measure.labels(v.targets)?,
            None => None,
        };
        if settings.monitor != Metric::Loss && validation.is_none() && !settings.training_metrics {
            return Err(Error::InvalidSetting {
                setting: "monitor",
                value: f64::NAN,
                expected: "validation rows or training_metrics(true) to measure it on",
            });
        }
        let sides = Sides {
            train,
            validation,
            weights,
            measure: &measure,
            train_labels: train_labels.as_deref(),
            validation_labels: validation_labels.as_deref(),
        };
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
            let record = match self.epoch_of(net, &mut buffers, &sides) {
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
            self.reduce_on_plateau(&record);
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
        sides: &Sides<'_, N>,
    ) -> Result<Epoch, Error> {
        let (train, validation) = (sides.train, sides.validation);
        let (settings, epoch) = (&self.settings, self.epoch);
        let rate = settings.rate(epoch, self.plateau.scale);
        self.optimizer.set_learning_rate(rate);
        let shuffle = settings.shuffle.then(|| stream(settings.seed, epoch, 0));
        // Dropout masks come from their own stream, so shuffling does not depend on them.
        let masks = stream(settings.seed, epoch, 1);
        let steps = buffers.steps(
            net,
            &mut self.optimizer,
            settings,
            train,
            sides.weights,
            shuffle,
            masks,
        );
        let (step_loss, gradient_norms) = steps.map_err(|loss| Error::Diverged { epoch, loss })?;
        if !parameters_finite(net) {
            let loss = f64::NAN;
            return Err(Error::Diverged { epoch, loss });
        }
        let mut outputs = Vec::new();
        let mut side = |rows: Rows<'_, N>, labels: Option<&[usize]>| {
            outputs.clear();
            let measuring = !sides.measure.is_empty();
            let (l, a) = evaluate(net, buffers, rows, measuring.then_some(&mut outputs));
            let metrics = match measuring {
                true => sides.measure.measure(&outputs, rows.targets, labels, l, a),
                false => Vec::new(),
            };
            (Some(l), a, metrics)
        };
        let (train_loss, train_accuracy, train_metrics) = if settings.training_metrics {
            side(train, sides.train_labels)
        } else {
            (None, None, Vec::new())
        };
        let (validation_loss, validation_accuracy, validation_metrics) = match validation {
            Some(v) => side(v, sides.validation_labels),
            None => (None, None, Vec::new()),
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
            train_metrics,
            validation_metrics,
        })
    }

    /// Early stopping's verdict on a completed epoch: keeps the best weights and
    /// says whether patience has run out.
    fn early_stopping(&mut self, net: &N, record: &Epoch) -> bool {
        let Some(patience) = self.settings.patience else {
            return false;
        };
        let metric = self.settings.monitor;
        let monitored = record.monitored(metric).unwrap_or(f64::NAN);
        let delta = self.settings.min_delta;
        match &mut self.best {
            Some((_, loss, _)) if !improves(metric, monitored, *loss, delta) => self.waited += 1,
            Some((weights, loss, best)) => {
                weights.clone_from(net);
                (*loss, *best) = (monitored, record.epoch);
                self.waited = 0;
            }
            None if monitored.is_nan() => self.waited += 1,
            None => {
                self.best = Some((net.clone(), monitored, record.epoch));
                self.waited = 0;
            }
        }
        self.waited >= patience
    }

    /// Reduce-on-plateau's verdict on a completed epoch: after its patience without
    /// improvement, one more reduction of the rate for the epochs that follow.
    fn reduce_on_plateau(&mut self, record: &Epoch) {
        let Some(plateau) = self.settings.plateau else {
            return;
        };
        let metric = self.settings.monitor;
        let monitored = record.monitored(metric).unwrap_or(f64::NAN);
        let state = &mut self.plateau;
        match state.best {
            Some(best) if !improves(metric, monitored, best, 0.0) => state.waited += 1,
            None if monitored.is_nan() => state.waited += 1,
            _ => {
                state.best = Some(monitored);
                state.waited = 0;
            }
        }
        if state.waited >= plateau.patience {
            state.scale *= plateau.factor;
            state.waited = 0;
        }
    }
}

/// What every epoch of a run reads: its rows, their weights and labels, and the
/// metrics to measure.
struct Sides<'a, N: Network> {
    train: Rows<'a, N>,
    validation: Option<Rows<'a, N>>,
    weights: Option<&'a [f64]>,
    measure: &'a Measure<N>,
    train_labels: Option<&'a [usize]>,
    validation_labels: Option<&'a [usize]>,
}
