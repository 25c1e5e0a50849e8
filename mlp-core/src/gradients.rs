//! [`Gradients`]: the derivative of a loss with respect to every parameter.

use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::network::Network;
use crate::real::Real;
use core::ops::{Deref, DerefMut};

/// The gradient of a loss with respect to every parameter of network `N`, with the
/// network's own shapes: `grads.layers.0.weight` is `dL/dW_0`, in the layout of the
/// network's parameters. Made by [`Network::gradients`], or zeroed once with
/// [`Gradients::zeros`] and filled by [`Network::gradients_with`]; read by
/// [`Network::step`] and the optimisers in [`crate::optim`].
///
/// A distinct type, so that a network cannot be passed where its gradient is meant.
#[derive(Debug, PartialEq)]
pub struct Gradients<N>(N);

// By hand, so that `clone_from` copies into the existing buffers as the network's
// own does (the trainer snapshots optimiser state every epoch).
impl<N: Clone> Clone for Gradients<N> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }

    fn clone_from(&mut self, source: &Self) {
        self.0.clone_from(&source.0);
    }
}

impl<N: Network> Gradients<N> {
    /// A gradient of zeros.
    pub fn zeros() -> Self {
        Self(N::zeros())
    }

    /// The Euclidean norm of every value taken together (the global norm).
    pub fn norm(&self) -> N::Scalar {
        let mut sum = N::Scalar::ZERO;
        for id in tensor_ids::<N>() {
            for &g in tensor(&self.0, id) {
                sum += g * g;
            }
        }
        nalgebra::ComplexField::sqrt(sum)
    }

    /// The values of `values`, a network-shaped buffer.
    #[cfg(feature = "alloc")]
    pub(crate) fn of(values: N) -> Self {
        Self(values)
    }

    /// Sets every value to zero.
    pub(crate) fn clear(&mut self) {
        for id in tensor_ids::<N>() {
            tensor_mut(&mut self.0, id).fill(N::Scalar::ZERO);
        }
    }
}

impl<N> Deref for Gradients<N> {
    type Target = N;
    fn deref(&self) -> &N {
        &self.0
    }
}

impl<N> DerefMut for Gradients<N> {
    fn deref_mut(&mut self) -> &mut N {
        &mut self.0
    }
}
