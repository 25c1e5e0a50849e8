//! The margin losses for one linear output and labels -1/+1: `hinge` and `perceptron`.

use super::{Loss, PairsWith, SIGN_LABEL, TargetFault, check_each};
use crate::activation::Linear;
use crate::real::Real;
use nalgebra::SVector;

/// Hinge loss `(1/B) sum max(0, 1 - y f)`, labels -1/+1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hinge;

/// Perceptron criterion `(1/B) sum max(0, -y f)`, labels -1/+1. Its gradient is `-y`
/// wherever `y f <= 0` (a misclassified or undecided sample), so a zero network learns.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Perceptron;

macro_rules! margin_loss {
    ($loss:ty, $name:literal, $margin:expr, $active:expr) => {
        impl Loss for $loss {
            const NAME: &'static str = $name;
            type Target<T: Real, const K: usize> = [T; K];

            fn check<T: Real, const K: usize>(&self, y: &[T; K]) -> Result<(), TargetFault> {
                check_each(y, |v| v == T::one() || v == -T::one(), SIGN_LABEL)
            }

            fn value<T: Real, const K: usize>(
                &self,
                _z: &SVector<T, K>,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> T {
                let mut sum = T::zero();
                for k in 0..K {
                    sum += (T::of($margin) - y[k] * a[k]).max(T::zero());
                }
                sum
            }

            fn grad_a<T: Real, const K: usize>(
                &self,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> SVector<T, K> {
                let active: fn(T) -> bool = $active;
                SVector::from_fn(|k, _| {
                    if active(y[k] * a[k]) {
                        -y[k]
                    } else {
                        T::zero()
                    }
                })
            }

            /// The output's sign against the label's.
            fn accuracy<T: Real, const K: usize>(&self, a: &[T; K], y: &[T; K]) -> Option<f64> {
                let right = a
                    .iter()
                    .zip(y)
                    .filter(|(a, y)| (**a > T::zero()) == (**y > T::zero()))
                    .count();
                Some(right as f64 / K as f64)
            }
        }

        impl PairsWith<Linear, 1> for $loss {}
    };
}

margin_loss!(Hinge, "hinge", 1.0, |yf| yf < T::one());
margin_loss!(Perceptron, "perceptron", 0.0, |yf| yf <= T::zero());
