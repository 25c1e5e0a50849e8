//! [`Optimizer`]: an update rule and its hyperparameters, as settings name them.

use crate::checks::in_scalar_range;
use crate::error::Error;
use crate::real::Real;

/// The update rule, as [`crate::train::Fit`] names it; [`AnyOptimizer::new`](super::AnyOptimizer::new) makes
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
