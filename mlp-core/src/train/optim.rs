//! The optimisers' state and update rules, applied tensor by tensor.

use super::config::Optimizer;
use crate::network::Network;
use crate::real::Real;
use nalgebra::ComplexField;

/// An optimiser with its state (velocity, moments), shaped like the network.
pub(crate) enum State<N> {
    Sgd,
    Momentum {
        velocity: N,
        beta: f64,
        nesterov: bool,
    },
    Adam {
        m: N,
        v: N,
        steps: u64,
        beta1: f64,
        beta2: f64,
        epsilon: f64,
        weight_decay: f64,
    },
}

// By hand, so that `clone_from` copies the moments into the existing buffers: the
// trainer snapshots the state every epoch to roll back a diverged one.
impl<N: Clone> Clone for State<N> {
    fn clone(&self) -> Self {
        match self {
            State::Sgd => State::Sgd,
            State::Momentum {
                velocity,
                beta,
                nesterov,
            } => State::Momentum {
                velocity: velocity.clone(),
                beta: *beta,
                nesterov: *nesterov,
            },
            State::Adam {
                m,
                v,
                steps,
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => State::Adam {
                m: m.clone(),
                v: v.clone(),
                steps: *steps,
                beta1: *beta1,
                beta2: *beta2,
                epsilon: *epsilon,
                weight_decay: *weight_decay,
            },
        }
    }

    fn clone_from(&mut self, source: &Self) {
        match (&mut *self, source) {
            (
                State::Momentum {
                    velocity,
                    beta,
                    nesterov,
                },
                State::Momentum {
                    velocity: from,
                    beta: b,
                    nesterov: n,
                },
            ) => {
                velocity.clone_from(from);
                (*beta, *nesterov) = (*b, *n);
            }
            (
                State::Adam {
                    m,
                    v,
                    steps,
                    beta1,
                    beta2,
                    epsilon,
                    weight_decay,
                },
                State::Adam {
                    m: from_m,
                    v: from_v,
                    steps: s,
                    beta1: b1,
                    beta2: b2,
                    epsilon: e,
                    weight_decay: w,
                },
            ) => {
                m.clone_from(from_m);
                v.clone_from(from_v);
                (*steps, *beta1, *beta2, *epsilon, *weight_decay) = (*s, *b1, *b2, *e, *w);
            }
            (this, source) => *this = source.clone(),
        }
    }
}

impl<N: Network> State<N> {
    pub(crate) fn new(optimizer: Optimizer) -> Self {
        match optimizer {
            Optimizer::Sgd => State::Sgd,
            Optimizer::Momentum { beta, nesterov } => State::Momentum {
                velocity: N::zeros(),
                beta,
                nesterov,
            },
            // Adam is AdamW without decay.
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => Self::new(Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay: 0.0,
            }),
            Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => State::Adam {
                m: N::zeros(),
                v: N::zeros(),
                steps: 0,
                beta1,
                beta2,
                epsilon,
                weight_decay,
            },
        }
    }

    /// Moves `net` along `grads` at rate `rate`.
    pub(crate) fn update(&mut self, net: &mut N, grads: &N, rate: f64) {
        let lr = N::Scalar::of(rate);
        match self {
            State::Sgd => {
                for t in 0..2 * N::layers() {
                    for (p, &g) in net.tensor_mut(t).iter_mut().zip(grads.tensor(t)) {
                        *p -= lr * g;
                    }
                }
            }
            State::Momentum {
                velocity,
                beta,
                nesterov,
            } => {
                let beta = N::Scalar::of(*beta);
                for t in 0..2 * N::layers() {
                    let (p, v, g) = (net.tensor_mut(t), velocity.tensor_mut(t), grads.tensor(t));
                    for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g) {
                        *v = beta * *v + g;
                        *p -= lr * if *nesterov { g + beta * *v } else { *v };
                    }
                }
            }
            State::Adam {
                m,
                v,
                steps,
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => {
                // As f64 the count is exact up to 2^53 and rounds by a relative 2^-53
                // beyond, which moves beta^t by about an ulp; at u64::MAX, where the
                // count saturates, beta^t is 0 for every beta below 1.
                *steps = steps.saturating_add(1);
                let t = *steps as f64;
                let correction1 = 1.0 - ComplexField::powf(*beta1, t);
                let correction2 = 1.0 - ComplexField::powf(*beta2, t);
                // lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), epsilon scaled to match.
                let step = N::Scalar::of(rate * ComplexField::sqrt(correction2) / correction1);
                let eps = N::Scalar::of(*epsilon * ComplexField::sqrt(correction2));
                let (b1, b2) = (N::Scalar::of(*beta1), N::Scalar::of(*beta2));
                let (c1, c2) = (N::Scalar::ONE - b1, N::Scalar::ONE - b2);
                let decay = N::Scalar::ONE - N::Scalar::of(rate * *weight_decay);
                for t in 0..2 * N::layers() {
                    let is_weight = t % 2 == 0;
                    let (p, m, v, g) = (
                        net.tensor_mut(t),
                        m.tensor_mut(t),
                        v.tensor_mut(t),
                        grads.tensor(t),
                    );
                    for (((p, m), v), &g) in p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g)
                    {
                        *m = b1 * *m + c1 * g;
                        *v = b2 * *v + c2 * g * g;
                        if is_weight {
                            *p *= decay;
                        }
                        *p -= step * *m / (nalgebra::ComplexField::sqrt(*v) + eps);
                    }
                }
            }
        }
    }
}
