//! Adam and AdamW.

use super::{Optimizer, check_each};
use crate::checks::check_gradients;
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::kernels::{LaneLoop, Lanewise, load, run, store};
use crate::network::Network;
use crate::real::Real;
use crate::simd::Math;
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

/// The scalars of one Adam step, in a scalar or in every lane of a vector.
#[derive(Clone, Copy)]
pub(crate) struct AdamScalars<V> {
    /// The step size with the bias corrections.
    pub(crate) step: V,
    /// Epsilon, scaled as the step size is.
    pub(crate) epsilon: V,
    pub(crate) beta1: V,
    pub(crate) beta2: V,
    /// `1 - beta1` and `1 - beta2`.
    pub(crate) rest1: V,
    pub(crate) rest2: V,
    /// The factor of weight decay, `1 - lr * weight_decay`.
    pub(crate) decay: V,
}

impl<T: Real> AdamScalars<T> {
    /// The same scalars in every lane of `V`.
    #[inline(always)]
    fn lanes<V: Lanewise<T>>(&self) -> AdamScalars<V> {
        AdamScalars {
            step: V::splat(self.step),
            epsilon: V::splat(self.epsilon),
            beta1: V::splat(self.beta1),
            beta2: V::splat(self.beta2),
            rest1: V::splat(self.rest1),
            rest2: V::splat(self.rest2),
            decay: V::splat(self.decay),
        }
    }
}

/// One Adam step of a parameter `p` with moments `m`, `v` and gradient `g`; a
/// weight (`decays`) also decays. The new `(p, m, v)`.
#[inline(always)]
fn adam<V: Math>(p: V, m: V, v: V, g: V, s: &AdamScalars<V>, decays: bool) -> (V, V, V) {
    let m = s.beta1 * m + s.rest1 * g;
    let v = s.beta2 * v + s.rest2 * g * g;
    let p = if decays { p * s.decay } else { p };
    (p - s.step * m / (V::sqrt(v) + s.epsilon), m, v)
}

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
        let s = self.scalars(self.steps.saturating_add(1));
        check_each(net, grads, s.step, |id, k, p, g| {
            let (m, v) = (tensor(&*self.m, id)[k], tensor(&*self.v, id)[k]);
            adam(p, m, v, g, &s, id.kind == TensorKind::Weight).0
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
        let (beta1, beta2) = (of(self.beta1), of(self.beta2));
        AdamScalars {
            // lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), epsilon scaled to match.
            step: of(self.learning_rate * ComplexField::sqrt(correction2) / correction1),
            epsilon: of(self.epsilon * ComplexField::sqrt(correction2)),
            beta1,
            beta2,
            rest1: N::Scalar::ONE - beta1,
            rest2: N::Scalar::ONE - beta2,
            decay: N::Scalar::ONE - of(self.learning_rate * self.weight_decay),
        }
    }

    pub(super) fn update(&mut self, net: &mut N, grads: &Gradients<N>) {
        self.steps = self.steps.saturating_add(1);
        let scalars = self.scalars(self.steps);
        for id in tensor_ids::<N>() {
            run(AdamStep {
                p: tensor_mut(net, id),
                m: tensor_mut(&mut *self.m, id),
                v: tensor_mut(&mut *self.v, id),
                g: tensor(&**grads, id),
                scalars,
                decays: id.kind == TensorKind::Weight,
            });
        }
    }
}

/// [`adam`] of one tensor.
pub(crate) struct AdamStep<'a, T> {
    pub(crate) p: &'a mut [T],
    pub(crate) m: &'a mut [T],
    pub(crate) v: &'a mut [T],
    pub(crate) g: &'a [T],
    pub(crate) scalars: AdamScalars<T>,
    pub(crate) decays: bool,
}

impl<T: Real> LaneLoop for AdamStep<'_, T> {
    type Scalar = T;
    type Output = ();

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) {
        let (p, m, v, g) = (self.p, self.m, self.v, self.g);
        let (s, decays) = (&self.scalars, self.decays);
        let full = p.len() / V::LANES * V::LANES;
        let lanes = s.lanes::<V>();
        for i in (0..full).step_by(V::LANES) {
            let (pi, mi, vi) = adam::<V>(
                load(p, i),
                load(m, i),
                load(v, i),
                load(g, i),
                &lanes,
                decays,
            );
            store(pi, p, i);
            store(mi, m, i);
            store(vi, v, i);
        }
        for i in full..p.len() {
            (p[i], m[i], v[i]) = adam(p[i], m[i], v[i], g[i], s, decays);
        }
    }
}
