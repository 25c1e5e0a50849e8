//! Saving a [`Trainer`] between epochs: its optimiser state (velocity, Adam's
//! moments and step count), early stopping's best weights, and its counters, as a
//! safetensors file beside the network's own.

use super::{Fit, Trainer};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::io::{self, LoadOptions, Metadata, Names, Stored, Tensors};
use crate::network::Network;
use crate::optim::AnyOptimizer;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::str::FromStr;
#[cfg(feature = "std")]
use std::path::Path;

const EPOCH: &str = "mlp.trainer.epoch";
const WAITED: &str = "mlp.trainer.waited";
const FINISHED: &str = "mlp.trainer.finished";
const STEPS: &str = "mlp.trainer.steps";
const OPTIMIZER: &str = "mlp.trainer.optimizer";
const BEST_LOSS: &str = "mlp.trainer.best_loss";
const BEST_EPOCH: &str = "mlp.trainer.best_epoch";
const PLATEAU_SCALE: &str = "mlp.trainer.plateau_scale";
const PLATEAU_WAITED: &str = "mlp.trainer.plateau_waited";
const PLATEAU_BEST: &str = "mlp.trainer.plateau_best";

impl<N: Network> Trainer<N> {
    /// The trainer's state as safetensors bytes.
    ///
    /// # Errors
    ///
    /// [`Error::CorruptFile`] if the state cannot be serialised.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut tensors = Vec::new();
        let mut metadata = Metadata::new();
        metadata.insert(
            io::ARCHITECTURE_KEY.to_string(),
            N::ARCHITECTURE.to_string(),
        );
        metadata.insert(EPOCH.into(), self.epoch.to_string());
        metadata.insert(WAITED.into(), self.waited.to_string());
        metadata.insert(FINISHED.into(), self.finished.to_string());
        metadata.insert(
            OPTIMIZER.into(),
            alloc::format!("{:?}", self.settings.optimizer),
        );
        match &self.optimizer {
            AnyOptimizer::Sgd(_) => {}
            AnyOptimizer::Momentum(o) => tensors.extend(io::tensors_of(&*o.velocity, "velocity.")),
            AnyOptimizer::Adam(o) => {
                tensors.extend(io::tensors_of(&*o.m, "m."));
                tensors.extend(io::tensors_of(&*o.v, "v."));
                metadata.insert(STEPS.into(), o.steps.to_string());
            }
        }
        if let Some((weights, loss, epoch)) = &self.best {
            tensors.extend(io::tensors_of(weights, "best."));
            metadata.insert(BEST_LOSS.into(), alloc::format!("{loss:e}"));
            metadata.insert(BEST_EPOCH.into(), epoch.to_string());
        }
        if self.settings.plateau.is_some() {
            let p = &self.plateau;
            metadata.insert(PLATEAU_SCALE.into(), alloc::format!("{:e}", p.scale));
            metadata.insert(PLATEAU_WAITED.into(), p.waited.to_string());
            if let Some(best) = p.best {
                metadata.insert(PLATEAU_BEST.into(), alloc::format!("{best:e}"));
            }
        }
        io::serialize::<N::Scalar>(&tensors, metadata)
    }

    /// A trainer from [`Trainer::to_bytes`], for the same `settings` (the optimiser
    /// must match the saved one). Every counter is checked: a missing, unreadable or
    /// impossible one is refused by its key, a wrong tensor by its full name.
    ///
    /// # Errors
    ///
    /// The settings errors of [`Trainer::new`], the file errors of
    /// [`crate::io::from_bytes`], [`Error::ArchitectureMismatch`] for a checkpoint of
    /// another network, [`Error::CheckpointField`] for a missing, unreadable or
    /// impossible counter, and [`Error::InvalidSetting`] when `settings` has another
    /// optimiser than the saved one.
    pub fn from_bytes(bytes: &[u8], settings: Fit) -> Result<Self, Error> {
        let mut trainer = Self::new(settings)?;
        trainer.restore(bytes)?;
        Ok(trainer)
    }

    /// The state of [`Trainer::from_bytes`] read into a new trainer. A function of
    /// its own, returning no trainer: a debug build keeps every `Result<Self, _>`
    /// a frame builds apart, one trainer each.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let trainer = self;
        let (tensors, metadata) = io::read(bytes)?;
        let fields = Fields(&metadata);
        let architecture = fields.get(io::ARCHITECTURE_KEY, "the network's architecture")?;
        io::architecture::check(architecture, N::ARCHITECTURE, true)?;
        let optimizer = alloc::format!("{:?}", trainer.settings.optimizer);
        if fields.get(OPTIMIZER, "the optimizer's settings")? != optimizer {
            return Err(Error::InvalidSetting {
                setting: "optimizer",
                value: f64::NAN,
                expected: "the optimizer the trainer was saved with",
            });
        }

        let epochs = trainer.settings.epochs;
        let epoch: usize = fields.parse(EPOCH, "a count of completed epochs")?;
        if epoch > epochs {
            return Err(fields.out_of_range(
                EPOCH,
                alloc::format!("at most the {epochs} epochs of the settings it is loaded with"),
            ));
        }
        let waited: usize = fields.parse(WAITED, "a count of epochs")?;
        let finished: bool = fields.parse(FINISHED, "true or false")?;
        let best = if metadata.contains_key(BEST_EPOCH) || metadata.contains_key(BEST_LOSS) {
            let best_epoch: usize = fields.parse(BEST_EPOCH, "a 0-based epoch")?;
            // The best epoch is a completed one, and early stopping waited only since.
            if best_epoch >= epoch {
                return Err(fields.out_of_range(
                    BEST_EPOCH,
                    alloc::format!("below the {epoch} completed epochs"),
                ));
            }
            if waited > epoch - 1 - best_epoch {
                return Err(fields.out_of_range(
                    WAITED,
                    alloc::format!(
                        "at most {}, the epochs completed since the best one",
                        epoch - 1 - best_epoch
                    ),
                ));
            }
            let loss: f64 = fields.parse(BEST_LOSS, "a finite number")?;
            if !loss.is_finite() {
                return Err(fields.out_of_range(BEST_LOSS, "a finite number".into()));
            }
            Some((best_epoch, loss))
        } else {
            if waited != 0 {
                return Err(fields.out_of_range(
                    WAITED,
                    "0: early stopping counts only after a best epoch".into(),
                ));
            }
            None
        };

        let mut prefixes = Vec::new();
        let mut part = |prefix: &'static str| -> Result<N, Error> {
            prefixes.push(prefix);
            let tensors: Tensors = tensors
                .iter()
                .filter_map(|(name, t)| {
                    let stored = Stored {
                        dtype: t.dtype.clone(),
                        shape: t.shape.clone(),
                        values: t.values.clone(),
                    };
                    name.strip_prefix(prefix).map(|n| (n.to_string(), stored))
                })
                .collect();
            let options = LoadOptions {
                names: Names::Mlp,
                transposed: false,
                allow_non_finite: false,
                check_test_vector: false,
                accept_other_loss: false,
                convert_dtype: false,
            };
            io::build(&tensors, &Metadata::new(), &options).map_err(|e| full_name(e, prefix))
        };
        match &mut trainer.optimizer {
            AnyOptimizer::Sgd(_) => {}
            AnyOptimizer::Momentum(o) => o.velocity = Gradients::of(part("velocity.")?),
            AnyOptimizer::Adam(o) => {
                o.m = Gradients::of(part("m.")?);
                o.v = Gradients::of(part("v.")?);
                // Averages of squared gradients: a negative one would make steps NaN.
                for (name, t) in tensors.iter().filter(|(n, _)| n.starts_with("v.")) {
                    if let Some(index) = t.values.iter().position(|&x| x < 0.0) {
                        return Err(Error::CorruptFile {
                            message: alloc::format!(
                                "{name}[{index}] holds {}; Adam's second moments are never \
                                 negative",
                                t.values[index]
                            ),
                        });
                    }
                }
                o.steps = fields.parse(STEPS, "a count of optimizer steps")?;
                // Every completed epoch took at least one step.
                if o.steps < epoch as u64 {
                    return Err(fields.out_of_range(
                        STEPS,
                        alloc::format!("at least the {epoch} completed epochs"),
                    ));
                }
            }
        }
        if let Some((best_epoch, loss)) = best {
            trainer.best = Some((part("best.")?, loss, best_epoch));
        }
        if let Some(stray) = tensors
            .keys()
            .find(|name| !prefixes.iter().any(|p| name.starts_with(p)))
        {
            return Err(Error::UnexpectedTensor {
                tensor: stray.clone(),
            });
        }
        if trainer.settings.plateau.is_some() {
            let scale: f64 = fields.parse(PLATEAU_SCALE, "a factor in (0, 1]")?;
            if !(scale > 0.0 && scale <= 1.0) {
                return Err(fields.out_of_range(PLATEAU_SCALE, "a factor in (0, 1]".into()));
            }
            trainer.plateau.scale = scale;
            trainer.plateau.waited = fields.parse(PLATEAU_WAITED, "a count of epochs")?;
            if metadata.contains_key(PLATEAU_BEST) {
                trainer.plateau.best = Some(fields.parse(PLATEAU_BEST, "a number")?);
            }
        }
        trainer.epoch = epoch;
        trainer.waited = waited;
        trainer.finished = finished;
        Ok(())
    }

    /// Saves the trainer's state to `path`, atomically.
    ///
    /// # Errors
    ///
    /// As [`Trainer::to_bytes`], and [`Error::Io`], [`Error::IsDirectory`] or
    /// [`Error::DanglingLink`] when the file cannot be written.
    #[cfg(feature = "std")]
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        io::write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Loads a trainer saved by [`Trainer::save`], for the same `settings`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, and every error of
    /// [`Trainer::from_bytes`], naming the file.
    #[cfg(feature = "std")]
    pub fn load(path: impl AsRef<Path>, settings: Fit) -> Result<Self, Error> {
        let path = path.as_ref();
        Self::from_bytes(&io::read_file(path)?, settings).map_err(|e| io::in_file(e, path))
    }
}

/// A checkpoint's metadata, read field by field.
struct Fields<'a>(&'a Metadata);

impl Fields<'_> {
    /// The value of `key`, which must be there and be `expected`.
    fn get(&self, key: &'static str, expected: &str) -> Result<&str, Error> {
        self.0
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| Error::CheckpointField {
                key,
                found: None,
                expected: expected.into(),
            })
    }

    /// The value of `key` parsed, refused as not `expected` when it does not parse.
    fn parse<T: FromStr>(&self, key: &'static str, expected: &str) -> Result<T, Error> {
        let value = self.get(key, expected)?;
        value.parse().map_err(|_| Error::CheckpointField {
            key,
            found: Some(value.into()),
            expected: expected.into(),
        })
    }

    /// The refusal of the value of `key`, which parsed but is not `expected`.
    fn out_of_range(&self, key: &'static str, expected: String) -> Error {
        Error::CheckpointField {
            key,
            found: self.0.get(key).cloned(),
            expected,
        }
    }
}

/// `error` naming the tensor by its full name in the checkpoint, `prefix` included.
fn full_name(mut error: Error, prefix: &str) -> Error {
    match &mut error {
        Error::MissingTensor { tensor }
        | Error::UnexpectedTensor { tensor }
        | Error::WrongDtype { tensor, .. }
        | Error::WrongShape { tensor, .. }
        | Error::NonFiniteInFile { tensor, .. } => tensor.insert_str(0, prefix),
        _ => {}
    }
    error
}
