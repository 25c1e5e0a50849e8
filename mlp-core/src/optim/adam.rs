//! Adam and AdamW.

use super::{Optimizer, check_each};
use crate::checks::check_gradients;
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::TensorKind;
use nalgebra::ComplexField;

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
    /// As [`Momentum::step`](super::Momentum::step).
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

    pub(super) fn update(&mut self, net: &mut N, grads: &Gradients<N>) {
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
