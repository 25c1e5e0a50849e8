//! The regression losses: `mse`, `sse`, `mae` and `huber`, over the difference
//! `d = a - y` of the output from the target. They follow any output activation
//! but softmax, always by the chain rule.

use super::{FINITE, Loss, PairsWith, TargetFault, check_each, per_output, vector};
use crate::activation::{Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softplus, Tanh};
use crate::real::Real;
use nalgebra::SVector;

/// Mean squared error: mean over all `B * K` values of `(yhat - y)^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mse;

/// Sum of squared errors, the textbook `E_total`: `(1/B) sum_s 0.5 sum_k (yhat - y)^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sse;

/// Mean absolute error over all `B * K` values; gradient `sign(yhat - y)`, 0 at 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mae;

/// Huber loss, mean over `B * K` of `0.5 d^2` if `|d| <= delta` else `delta (|d| - delta/2)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Huber {
    /// Where the loss turns from quadratic to linear; 1.0 when the DSL gives none.
    pub delta: f64,
}

impl Default for Huber {
    fn default() -> Self {
        Self { delta: 1.0 }
    }
}

macro_rules! regression_loss {
    ($loss:ty, $name:literal) => {
        impl Loss for $loss {
            const NAME: &'static str = $name;
            type Target<T: Real, const K: usize> = [T; K];

            fn check<T: Real, const K: usize>(&self, y: &[T; K]) -> Result<(), TargetFault> {
                check_each(y, |_| true, FINITE)
            }

            fn value<T: Real, const K: usize>(
                &self,
                _z: &SVector<T, K>,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> T {
                self.sample_loss(&(a - vector(y)))
            }

            fn grad_a<T: Real, const K: usize>(
                &self,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> SVector<T, K> {
                self.sample_grad(&(a - vector(y)))
            }

            fn regression_values<T: Real, const K: usize>(y: &[T; K]) -> Option<&[T]> {
                Some(y)
            }
        }

        impl<const K: usize> PairsWith<Sigmoid, K> for $loss {}
        impl<const K: usize> PairsWith<Tanh, K> for $loss {}
        impl<const K: usize> PairsWith<Relu, K> for $loss {}
        impl<const K: usize> PairsWith<LeakyRelu, K> for $loss {}
        impl<const K: usize> PairsWith<Linear, K> for $loss {}
        impl<const K: usize> PairsWith<Elu, K> for $loss {}
        impl<const K: usize> PairsWith<Softplus, K> for $loss {}
        impl<const K: usize> PairsWith<Gelu, K> for $loss {}
    };
}

regression_loss!(Mse, "mse");
regression_loss!(Sse, "sse");
regression_loss!(Mae, "mae");
regression_loss!(Huber, "huber");

impl Mse {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        d.norm_squared() * per_output::<T, K>()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        d * (T::of(2.0) * per_output::<T, K>())
    }
}

impl Sse {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        T::of(0.5) * d.norm_squared()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        *d
    }
}

impl Mae {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        d.abs().sum() * per_output::<T, K>()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        d.map(sign) * per_output::<T, K>()
    }
}

impl Huber {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        let delta = T::of(self.delta);
        d.map(|d| {
            let m = d.abs();
            if m <= delta {
                T::of(0.5) * d * d
            } else {
                delta * (m - T::of(0.5) * delta)
            }
        })
        .sum()
            * per_output::<T, K>()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        let delta = T::of(self.delta);
        d.map(|d| if d.abs() <= delta { d } else { delta * sign(d) }) * per_output::<T, K>()
    }
}

/// `sign(x)`, 0 at 0.
fn sign<T: Real>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}
