//! Optimisers as values: [`Sgd`], [`Momentum`] and [`Adam`] (AdamW with a weight
//! decay), each holding its hyperparameters and its state in public fields.
//! [`crate::train`] runs exactly these; a hand-written loop uses them the same way:
//!
//! ```
//! use mlp::prelude::*;
//! use mlp::core::optim::Adam;
//!
//! network! { struct Xor { 2 => 8 tanh => 1 sigmoid; loss = bce; } }
//!
//! let x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
//! let y = [[0.0], [1.0], [1.0], [0.0]];
//! let mut net = Xor::seeded(1);
//! let mut opt = Adam::new(&net);
//! let schedule = Schedule::Cosine { min_rate: 1e-3 };
//! let mut ws = Workspace::new(x.len());
//! let mut grads = Gradients::zeros();
//! let epochs = 500;
//! for epoch in 0..epochs {
//!     opt.learning_rate = schedule.rate(0.05, epoch, epochs);
//!     net.gradients_with(&mut ws, &x, &y, &mut grads)?;
//!     opt.step(&mut net, &grads)?;
//! }
//! assert!(net.loss(&x, &y)? < 0.05);
//! assert_eq!(opt.steps, 500);
//! # Ok::<(), mlp::Error>(())
//! ```

use crate::checks::{check_gradients, in_scalar_range};
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::{TensorId, TensorKind, row_major_index};
use nalgebra::ComplexField;

/// The update rule, as [`crate::train::Fit`] names it; [`AnyOptimizer::new`] makes
/// the optimiser it describes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    /// `w <- w - lr g`.
    Sgd,
    /// Heavy-ball momentum as PyTorch's SGD has it: `v <- beta v + g`, then
    /// `w <- w - lr v`, or with `nesterov` `w <- w - lr (g + beta v)` (Sutskever et
    /// al., 2013).
    Momentum {
        /// The momentum coefficient, in [0, 1).
        beta: f64,
        /// Nesterov's look-ahead form.
        nesterov: bool,
    },
    /// Adam (Kingma and Ba, 2015) with bias correction.
    Adam {
        /// Decay of the first moment, in [0, 1).
        beta1: f64,
        /// Decay of the second moment, in [0, 1).
        beta2: f64,
        /// Added to the root of the second moment.
        epsilon: f64,
    },
    /// AdamW (Loshchilov and Hutter, 2019): Adam plus decoupled weight decay
    /// `w <- w - lr decay w`, applied to weights, not biases.
    AdamW {
        /// Decay of the first moment, in [0, 1).
        beta1: f64,
        /// Decay of the second moment, in [0, 1).
        beta2: f64,
        /// Added to the root of the second moment.
        epsilon: f64,
        /// The decoupled weight decay.
        weight_decay: f64,
    },
}

impl Optimizer {
    /// Momentum 0.9.
    pub const fn momentum() -> Self {
        Optimizer::Momentum {
            beta: 0.9,
            nesterov: false,
        }
    }

    /// Nesterov momentum 0.9.
    pub const fn nesterov() -> Self {
        Optimizer::Momentum {
            beta: 0.9,
            nesterov: true,
        }
    }

    /// Adam with the usual 0.9, 0.999, 1e-8.
    pub const fn adam() -> Self {
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }

    /// AdamW with 0.9, 0.999, 1e-8 and weight decay 0.01.
    pub const fn adamw() -> Self {
        Optimizer::AdamW {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.01,
        }
    }

    /// Checks the hyperparameters with `learning_rate`, as the scalar `T` holds them.
    pub(crate) fn check<T: Real>(&self, learning_rate: f64) -> Result<(), Error> {
        let bad = |setting, value, expected| {
            Err(Error::InvalidSetting {
                setting,
                value,
                expected,
            })
        };
        let positive: fn(T) -> bool = |v| v.finite() && v > T::ZERO;
        let above_zero = "a finite number above 0";
        // A value in [0, 1) as f64 must stay below 1 as T.
        let unit = |setting, value: f64| {
            if (0.0..1.0).contains(&value) {
                in_scalar_range::<T>(setting, value, |v| v < T::ONE, "a value below 1")
            } else {
                bad(setting, value, "a value in [0, 1)")
            }
        };
        if !(learning_rate.is_finite() && learning_rate > 0.0) {
            return bad("learning_rate", learning_rate, above_zero);
        }
        in_scalar_range::<T>("learning_rate", learning_rate, positive, above_zero)?;
        match *self {
            Optimizer::Sgd => Ok(()),
            Optimizer::Momentum { beta, .. } => unit("momentum", beta),
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay: 0.0,
            }
            .check::<T>(learning_rate),
            Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                if !(epsilon.is_finite() && epsilon > 0.0) {
                    return bad("epsilon", epsilon, above_zero);
                }
                in_scalar_range::<T>("epsilon", epsilon, positive, above_zero)?;
                if !(weight_decay.is_finite()
                    && weight_decay >= 0.0
                    && weight_decay * learning_rate < 1.0)
                {
                    return bad(
                        "weight_decay",
                        weight_decay,
                        "0 or more, with weight_decay * learning_rate below 1",
                    );
                }
                if weight_decay == 0.0 {
                    return Ok(());
                }
                in_scalar_range::<T>(
                    "weight_decay",
                    weight_decay,
                    positive,
                    "0 or a finite number above 0",
                )
            }
        }
    }
}

/// Plain gradient descent: [`Network::step`] at `learning_rate`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// The step size.
    pub learning_rate: f64,
}

impl Sgd {
    /// Descent at `learning_rate`.
    pub fn new(learning_rate: f64) -> Self {
        Self { learning_rate }
    }

    /// One step along `grads`; nothing changes when a value is wrong.
    ///
    /// # Errors
    ///
    /// As [`Network::step`], and [`Error::SettingOutOfScalarRange`] for a rate the
    /// network's scalar cannot hold.
    pub fn step<N: Network>(&mut self, net: &mut N, grads: &Gradients<N>) -> Result<(), Error> {
        Optimizer::Sgd.check::<N::Scalar>(self.learning_rate)?;
        net.step(grads, N::Scalar::of(self.learning_rate))
    }

    #[cfg(feature = "alloc")]
    fn update<N: Network>(&mut self, net: &mut N, grads: &Gradients<N>) {
        let lr = N::Scalar::of(self.learning_rate);
        for id in tensor_ids::<N>() {
            for (p, &g) in tensor_mut(net, id).iter_mut().zip(tensor(&**grads, id)) {
                *p -= lr * g;
            }
        }
    }
}

/// Gradient descent with momentum (see [`Optimizer::Momentum`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Momentum<N> {
    /// The step size.
    pub learning_rate: f64,
    /// The momentum coefficient, in [0, 1).
    pub beta: f64,
    /// Nesterov's look-ahead form.
    pub nesterov: bool,
    /// The running velocity, shaped like the network.
    pub velocity: Gradients<N>,
}

impl<N: Network> Momentum<N> {
    /// Momentum 0.9 at rate 0.01, at rest, for networks like `net`.
    pub fn new(net: &N) -> Self {
        let _ = net;
        Self {
            learning_rate: 0.01,
            beta: 0.9,
            nesterov: false,
            velocity: Gradients::zeros(),
        }
    }

    /// One step along `grads`. The hyperparameters and every gradient are checked,
    /// and the new parameters computed, before anything changes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSetting`] or [`Error::SettingOutOfScalarRange`] naming the
    /// hyperparameter, [`Error::NonFiniteGradient`], and [`Error::NonFiniteStep`]
    /// for a step that would overflow a parameter.
    pub fn step(&mut self, net: &mut N, grads: &Gradients<N>) -> Result<(), Error> {
        self.settings().check::<N::Scalar>(self.learning_rate)?;
        check_gradients(&**grads)?;
        let (lr, beta, nesterov) = self.scalars();
        check_each(net, grads, lr, |id, k, p, g| {
            let v = beta * tensor(&*self.velocity, id)[k] + g;
            p - lr * if nesterov { g + beta * v } else { v }
        })?;
        self.update(net, grads);
        Ok(())
    }

    fn settings(&self) -> Optimizer {
        Optimizer::Momentum {
            beta: self.beta,
            nesterov: self.nesterov,
        }
    }

    fn scalars(&self) -> (N::Scalar, N::Scalar, bool) {
        let of = N::Scalar::of;
        (of(self.learning_rate), of(self.beta), self.nesterov)
    }

    fn update(&mut self, net: &mut N, grads: &Gradients<N>) {
        let (lr, beta, nesterov) = self.scalars();
        for id in tensor_ids::<N>() {
            let p = tensor_mut(net, id);
            let v = tensor_mut(&mut *self.velocity, id);
            for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(tensor(&**grads, id)) {
                *v = beta * *v + g;
                *p -= lr * if nesterov { g + beta * *v } else { *v };
            }
        }
    }
}

/// Adam, and AdamW when `weight_decay` is above 0 (see [`Optimizer::AdamW`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<N> {
    /// The step size.
    pub learning_rate: f64,
    /// Decay of the first moment, in [0, 1).
    pub beta1: f64,
    /// Decay of the second moment, in [0, 1).
    pub beta2: f64,
    /// Added to the root of the second moment.
    pub epsilon: f64,
    /// Decoupled weight decay, of weights only; 0 for Adam.
    pub weight_decay: f64,
    /// The first moments, shaped like the network.
    pub m: Gradients<N>,
    /// The second moments, shaped like the network.
    pub v: Gradients<N>,
    /// Steps taken; the bias correction of step `t` uses `beta^t`.
    pub steps: u64,
}

/// The scalars of one Adam step: `(step size, epsilon, beta1, beta2, decay)`.
type AdamScalars<T> = (T, T, T, T, T);

impl<N: Network> Adam<N> {
    /// Adam with 0.9, 0.999, 1e-8 at rate 0.001, no steps taken, for networks like
    /// `net`.
    pub fn new(net: &N) -> Self {
        let _ = net;
        Self {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            m: Gradients::zeros(),
            v: Gradients::zeros(),
            steps: 0,
        }
    }

    /// One step along `grads`. The hyperparameters and every gradient are checked,
    /// and the new parameters computed, before anything changes.
    ///
    /// # Errors
    ///
    /// As [`Momentum::step`].
    pub fn step(&mut self, net: &mut N, grads: &Gradients<N>) -> Result<(), Error> {
        self.settings().check::<N::Scalar>(self.learning_rate)?;
        check_gradients(&**grads)?;
        let (step, eps, b1, b2, decay) = self.scalars(self.steps.saturating_add(1));
        let one = N::Scalar::ONE;
        check_each(net, grads, step, |id, k, p, g| {
            let m = b1 * tensor(&*self.m, id)[k] + (one - b1) * g;
            let v = b2 * tensor(&*self.v, id)[k] + (one - b2) * g * g;
            let p = if id.kind == TensorKind::Weight {
                p * decay
            } else {
                p
            };
            p - step * m / (ComplexField::sqrt(v) + eps)
        })?;
        self.update(net, grads);
        Ok(())
    }

    fn settings(&self) -> Optimizer {
        Optimizer::AdamW {
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
            weight_decay: self.weight_decay,
        }
    }

    /// The scalars of step number `t` (from 1).
    fn scalars(&self, t: u64) -> AdamScalars<N::Scalar> {
        // As f64 the count is exact up to 2^53 and rounds by a relative 2^-53
        // beyond, which moves beta^t by about an ulp; at u64::MAX, where the count
        // saturates, beta^t is 0 for every beta below 1.
        let t = t as f64;
        let correction1 = 1.0 - ComplexField::powf(self.beta1, t);
        let correction2 = 1.0 - ComplexField::powf(self.beta2, t);
        let of = N::Scalar::of;
        (
            // lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), epsilon scaled to match.
            of(self.learning_rate * ComplexField::sqrt(correction2) / correction1),
            of(self.epsilon * ComplexField::sqrt(correction2)),
            of(self.beta1),
            of(self.beta2),
            N::Scalar::ONE - of(self.learning_rate * self.weight_decay),
        )
    }

    fn update(&mut self, net: &mut N, grads: &Gradients<N>) {
        self.steps = self.steps.saturating_add(1);
        let (step, eps, b1, b2, decay) = self.scalars(self.steps);
        let (c1, c2) = (N::Scalar::ONE - b1, N::Scalar::ONE - b2);
        for id in tensor_ids::<N>() {
            let is_weight = id.kind == TensorKind::Weight;
            let (p, m, v, g) = (
                tensor_mut(net, id),
                tensor_mut(&mut *self.m, id),
                tensor_mut(&mut *self.v, id),
                tensor(&**grads, id),
            );
            for (((p, m), v), &g) in p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
                *m = b1 * *m + c1 * g;
                *v = b2 * *v + c2 * g * g;
                if is_weight {
                    *p *= decay;
                }
                *p -= step * *m / (ComplexField::sqrt(*v) + eps);
            }
        }
    }
}

/// Checks that `next(tensor, index, p, g)`, the value a step would give parameter
/// `p` with gradient `g`, is finite everywhere, naming the first that is not.
fn check_each<N: Network>(
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
