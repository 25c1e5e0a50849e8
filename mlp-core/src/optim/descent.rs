//! Plain gradient descent and descent with momentum.

use super::{Optimizer, check_each};
use crate::checks::check_gradients;
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::kernels::{LaneLoop, Lanewise, load, run, store};
use crate::network::Network;
use crate::real::Real;
use crate::simd::Math;

/// `p - lr * g`: plain descent of one parameter (or of each lane).
#[inline(always)]
pub(crate) fn descent<V: Math>(p: V, g: V, lr: V) -> V {
    p - lr * g
}

/// `W <- W - lr * dL/dW` for every parameter of `net`, unchecked.
pub(crate) fn descend<N: Network>(net: &mut N, grads: &N, lr: N::Scalar) {
    for id in tensor_ids::<N>() {
        let (p, g) = (tensor_mut(net, id), tensor(grads, id));
        run(Descend { p, g, lr });
    }
}

/// [`descent`] of one tensor.
pub(crate) struct Descend<'a, T> {
    pub(crate) p: &'a mut [T],
    pub(crate) g: &'a [T],
    pub(crate) lr: T,
}

impl<T: Real> LaneLoop for Descend<'_, T> {
    type Scalar = T;
    type Output = ();

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) {
        let (p, g, lr) = (self.p, self.g, self.lr);
        let full = p.len() / V::LANES * V::LANES;
        let lanes_lr = V::splat(lr);
        for i in (0..full).step_by(V::LANES) {
            store(descent(load::<V>(p, i), load(g, i), lanes_lr), p, i);
        }
        for i in full..p.len() {
            p[i] = descent(p[i], g[i], lr);
        }
    }
}

/// One momentum step of a parameter `p` with velocity `v` and gradient `g`: the
/// new `(p, v)`.
#[inline(always)]
fn momentum<V: Math>(p: V, v: V, g: V, lr: V, beta: V, nesterov: bool) -> (V, V) {
    let v = beta * v + g;
    (p - lr * if nesterov { g + beta * v } else { v }, v)
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
    pub(super) fn update<N: Network>(&mut self, net: &mut N, grads: &Gradients<N>) {
        descend(net, grads, N::Scalar::of(self.learning_rate));
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
            momentum(p, tensor(&*self.velocity, id)[k], g, lr, beta, nesterov).0
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
            run(MomentumStep {
                p: tensor_mut(net, id),
                v: tensor_mut(&mut *self.velocity, id),
                g: tensor(&**grads, id),
                lr,
                beta,
                nesterov,
            });
        }
    }
}

/// [`momentum`] of one tensor.
pub(crate) struct MomentumStep<'a, T> {
    pub(crate) p: &'a mut [T],
    pub(crate) v: &'a mut [T],
    pub(crate) g: &'a [T],
    pub(crate) lr: T,
    pub(crate) beta: T,
    pub(crate) nesterov: bool,
}

impl<T: Real> LaneLoop for MomentumStep<'_, T> {
    type Scalar = T;
    type Output = ();

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) {
        let (p, v, g) = (self.p, self.v, self.g);
        let (lr, beta, nesterov) = (self.lr, self.beta, self.nesterov);
        let full = p.len() / V::LANES * V::LANES;
        let (lanes_lr, lanes_beta) = (V::splat(lr), V::splat(beta));
        for i in (0..full).step_by(V::LANES) {
            let (pi, vi) = momentum::<V>(
                load(p, i),
                load(v, i),
                load(g, i),
                lanes_lr,
                lanes_beta,
                nesterov,
            );
            store(pi, p, i);
            store(vi, v, i);
        }
        for i in full..p.len() {
            (p[i], v[i]) = momentum(p[i], v[i], g[i], lr, beta, nesterov);
        }
    }
}
