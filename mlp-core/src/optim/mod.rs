//! Optimisers as values: [`Sgd`], [`Momentum`] and [`Adam`] (AdamW with a weight
//! decay), each holding its hyperparameters and its state in public fields.
//! [`crate::train`] runs exactly these, and a hand-written loop uses them the same
//! way: `opt.learning_rate = schedule.rate(..)` per epoch, then
//! `net.gradients_with(&mut ws, x, y, &mut grads)?` and `opt.step(&mut net, &grads)?`
//! per batch. The README's *Training* section has that loop as a doctest of the
//! `mlp` crate (a network needs the `network!` macro, which this crate cannot use).

mod adam;
mod descent;
mod settings;

pub use adam::Adam;
// For the tests of the x86 kernels' math (`kernels/x86/math/tests.rs`).
#[cfg(all(test, target_arch = "x86_64", feature = "std"))]
pub(crate) use adam::{AdamScalars, AdamStep};
#[cfg(all(test, target_arch = "x86_64", feature = "std"))]
pub(crate) use descent::{Descend, MomentumStep};
pub use descent::{Momentum, Sgd};
pub(crate) use descent::{descend, descent};
pub use settings::Optimizer;

use crate::compiled::{tensor, tensor_ids};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::{TensorId, row_major_index};

/// Checks that `next(tensor, index, p, g)`, the value a step would give parameter
/// `p` with gradient `g`, is finite everywhere, naming the first that is not.
pub(crate) fn check_each<N: Network>(
    net: &N,
    grads: &Gradients<N>,
    learning_rate: N::Scalar,
    mut next: impl FnMut(TensorId, usize, N::Scalar, N::Scalar) -> N::Scalar,
) -> Result<(), Error> {
    for id in tensor_ids::<N>() {
        let (p, g) = (tensor(net, id), tensor(&**grads, id));
        if let Some(k) = (0..p.len()).find(|&k| !next(id, k, p[k], g[k]).finite()) {
            return Err(Error::NonFiniteStep {
                tensor: id,
                index: row_major_index(id.shape(N::WIDTHS), k),
                value: p[k].to_f64(),
                gradient: g[k].to_f64(),
                learning_rate: learning_rate.to_f64(),
            });
        }
    }
    Ok(())
}

/// Any of the optimisers: what a [`crate::train::Trainer`] holds and checkpoints.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyOptimizer<N> {
    /// Plain descent.
    Sgd(Sgd),
    /// Descent with momentum.
    Momentum(Momentum<N>),
    /// Adam or AdamW.
    Adam(Adam<N>),
}

impl<N: Network> AnyOptimizer<N> {
    /// The optimiser `settings` describe, at `learning_rate`, with its state at rest.
    pub fn new(settings: Optimizer, learning_rate: f64) -> Self {
        match settings {
            Optimizer::Sgd => AnyOptimizer::Sgd(Sgd::new(learning_rate)),
            Optimizer::Momentum { beta, nesterov } => AnyOptimizer::Momentum(Momentum {
                learning_rate,
                beta,
                nesterov,
                velocity: Gradients::zeros(),
            }),
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => Self::new(
                Optimizer::AdamW {
                    beta1,
                    beta2,
                    epsilon,
                    weight_decay: 0.0,
                },
                learning_rate,
            ),
            Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => AnyOptimizer::Adam(Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
                weight_decay,
                m: Gradients::zeros(),
                v: Gradients::zeros(),
                steps: 0,
            }),
        }
    }

    /// The step size.
    pub fn learning_rate(&self) -> f64 {
        match self {
            AnyOptimizer::Sgd(o) => o.learning_rate,
            AnyOptimizer::Momentum(o) => o.learning_rate,
            AnyOptimizer::Adam(o) => o.learning_rate,
        }
    }

    /// Sets the step size (a schedule does, every epoch).
    pub fn set_learning_rate(&mut self, rate: f64) {
        match self {
            AnyOptimizer::Sgd(o) => o.learning_rate = rate,
            AnyOptimizer::Momentum(o) => o.learning_rate = rate,
            AnyOptimizer::Adam(o) => o.learning_rate = rate,
        }
    }

    /// One step along `grads`, checked first as each optimiser's `step` is.
    ///
    /// # Errors
    ///
    /// As [`Sgd::step`], [`Momentum::step`] or [`Adam::step`].
    pub fn step(&mut self, net: &mut N, grads: &Gradients<N>) -> Result<(), Error> {
        match self {
            AnyOptimizer::Sgd(o) => o.step(net, grads),
            AnyOptimizer::Momentum(o) => o.step(net, grads),
            AnyOptimizer::Adam(o) => o.step(net, grads),
        }
    }

    #[cfg(feature = "alloc")]
    /// The step without its checks, for the trainer, which checks the gradients
    /// itself and rolls a diverged epoch back.
    pub(crate) fn update(&mut self, net: &mut N, grads: &Gradients<N>) {
        match self {
            AnyOptimizer::Sgd(o) => o.update(net, grads),
            AnyOptimizer::Momentum(o) => o.update(net, grads),
            AnyOptimizer::Adam(o) => o.update(net, grads),
        }
    }

    #[cfg(feature = "alloc")]
    /// Copies `source` into this optimiser's buffers when both are of one kind, so
    /// the trainer's per-epoch snapshot allocates nothing.
    pub(crate) fn copy_from(&mut self, source: &Self) {
        match (&mut *self, source) {
            (AnyOptimizer::Momentum(a), AnyOptimizer::Momentum(b)) => {
                a.velocity.clone_from(&b.velocity);
                (a.learning_rate, a.beta, a.nesterov) = (b.learning_rate, b.beta, b.nesterov);
            }
            (AnyOptimizer::Adam(a), AnyOptimizer::Adam(b)) => {
                a.m.clone_from(&b.m);
                a.v.clone_from(&b.v);
                (a.learning_rate, a.beta1, a.beta2) = (b.learning_rate, b.beta1, b.beta2);
                (a.epsilon, a.weight_decay, a.steps) = (b.epsilon, b.weight_decay, b.steps);
            }
            (this, source) => *this = source.clone(),
        }
    }
}
