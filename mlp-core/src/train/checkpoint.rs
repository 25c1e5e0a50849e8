//! Saving a [`Trainer`] between epochs: its optimiser state (velocity, Adam's
//! moments and step count), early stopping's best weights, and its counters, as a
//! safetensors file beside the network's own.

use super::optim::State;
use super::{Fit, Trainer};
use crate::error::Error;
use crate::io::{self, LoadOptions, Metadata, Names, Stored, Tensors};
use crate::network::Network;
use alloc::string::ToString;
use alloc::vec::Vec;
#[cfg(feature = "std")]
use std::path::Path;

const EPOCH: &str = "mlp.trainer.epoch";
const WAITED: &str = "mlp.trainer.waited";
const FINISHED: &str = "mlp.trainer.finished";
const STEPS: &str = "mlp.trainer.steps";
const OPTIMIZER: &str = "mlp.trainer.optimizer";
const BEST_LOSS: &str = "mlp.trainer.best_loss";
const BEST_EPOCH: &str = "mlp.trainer.best_epoch";

impl<N: Network> Trainer<N> {
    /// The trainer's state as safetensors bytes.
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
            State::Sgd => {}
            State::Momentum { velocity, .. } => {
                tensors.extend(io::tensors_of(velocity, "velocity."))
            }
            State::Adam { m, v, steps, .. } => {
                tensors.extend(io::tensors_of(m, "m."));
                tensors.extend(io::tensors_of(v, "v."));
                metadata.insert(STEPS.into(), steps.to_string());
            }
        }
        if let Some((weights, loss, epoch)) = &self.best {
            tensors.extend(io::tensors_of(weights, "best."));
            metadata.insert(BEST_LOSS.into(), alloc::format!("{loss:e}"));
            metadata.insert(BEST_EPOCH.into(), epoch.to_string());
        }
        io::serialize::<N::Scalar>(&tensors, metadata)
    }

    /// A trainer from [`Trainer::to_bytes`], for the same `settings` (the optimiser
    /// must match the saved one).
    pub fn from_bytes(bytes: &[u8], settings: Fit) -> Result<Self, Error> {
        let mut trainer = Self::new(settings)?;
        let (tensors, metadata) = io::read(bytes)?;
        let field = |key: &str| {
            metadata.get(key).ok_or_else(|| Error::CorruptFile {
                message: alloc::format!("no {key} in the trainer file"),
            })
        };
        let number = |key: &str| -> Result<usize, Error> {
            field(key)?.parse().map_err(|_| Error::CorruptFile {
                message: alloc::format!("{key} is not a count"),
            })
        };
        if field(io::ARCHITECTURE_KEY)? != N::ARCHITECTURE {
            return Err(Error::CorruptFile {
                message: alloc::format!(
                    "the trainer was saved for `{}`",
                    field(io::ARCHITECTURE_KEY)?
                ),
            });
        }
        let optimizer = alloc::format!("{:?}", trainer.settings.optimizer);
        if *field(OPTIMIZER)? != optimizer {
            return Err(Error::InvalidSetting {
                setting: "optimizer",
                value: f64::NAN,
                expected: "the optimizer the trainer was saved with",
            });
        }
        trainer.epoch = number(EPOCH)?;
        trainer.waited = number(WAITED)?;
        trainer.finished = field(FINISHED)? == "true";
        let part = |prefix: &str| -> Result<N, Error> {
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
            };
            io::build(&tensors, &Metadata::new(), &options)
        };
        match &mut trainer.optimizer {
            State::Sgd => {}
            State::Momentum { velocity, .. } => *velocity = part("velocity.")?,
            State::Adam { m, v, steps, .. } => {
                *m = part("m.")?;
                *v = part("v.")?;
                *steps = number(STEPS)? as i32;
            }
        }
        if metadata.contains_key(BEST_EPOCH) {
            let loss = field(BEST_LOSS)?.parse().map_err(|_| Error::CorruptFile {
                message: "the best loss is not a number".into(),
            })?;
            trainer.best = Some((part("best.")?, loss, number(BEST_EPOCH)?));
        }
        Ok(trainer)
    }

    /// Saves the trainer's state to `path`, atomically.
    #[cfg(feature = "std")]
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        io::write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Loads a trainer saved by [`Trainer::save`], for the same `settings`.
    #[cfg(feature = "std")]
    pub fn load(path: impl AsRef<Path>, settings: Fit) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_bytes(&bytes, settings)
    }
}
