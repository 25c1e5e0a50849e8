//! Plain gradient descent and descent with momentum.

use super::{Optimizer, check_each};
use crate::checks::check_gradients;
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::network::Network;
use crate::real::Real;

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
    pub(super) fn update<N: Network>(&mut self, net: &mut N, grads: &Gradients<N>) {
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

    pub(super) fn update(&mut self, net: &mut N, grads: &Gradients<N>) {
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
