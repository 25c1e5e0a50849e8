//! Activation functions: the formula of each, its derivative, and how layers
//! that use it are initialised.
//!
//! Every activation is a small value type (`Sigmoid`, `LeakyRelu { slope }`, ...).
//! The elementwise ones implement [`Elementwise`] (`f` and `df`, written once over
//! [`Math`] for one sample's scalars and a batch's SIMD vectors alike); [`Softmax`]
//! couples the outputs of a layer and implements [`Activation`] directly.

mod elementwise;
mod softmax;
#[cfg(test)]
mod tests;

pub use elementwise::{Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softplus, Tanh};
pub use softmax::Softmax;

#[cfg(feature = "alloc")]
use crate::batch::Batch;
use crate::dense::Dense;
use crate::kernels;
#[cfg(feature = "alloc")]
use crate::kernels::Operand;
use crate::real::Real;
use crate::simd::Math;
use nalgebra::SVector;

/// How the weights of a layer are drawn when a network is initialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitScheme {
    /// Glorot/Xavier uniform: `U(-l, l)`, `l = sqrt(6 / (fan_in + fan_out))`.
    /// For sigmoid, tanh, linear and softmax layers.
    Glorot,
    /// He/Kaiming uniform: `U(-l, l)`, `l = sqrt(6 / fan_in)`. For the relu family.
    He,
}

/// The activation of a layer: `a = act(z)` and the backward map `dL/da -> dL/dz`.
pub trait Activation: Copy {
    /// The DSL name (`"sigmoid"`, `"leaky_relu"`, ...).
    const NAME: &'static str;
    /// How layers with this activation are initialised.
    const INIT: InitScheme;

    /// `a = act(z)` for one sample.
    fn forward<T: Real, const N: usize>(&self, z: &SVector<T, N>) -> SVector<T, N>;

    /// `z = W x + b` and `a = act(z)` for one sample: one layer's forward step.
    #[inline]
    fn dense_forward<T: Real, const IN: usize, const OUT: usize>(
        &self,
        layer: &Dense<T, IN, OUT>,
        x: &SVector<T, IN>,
    ) -> (SVector<T, OUT>, SVector<T, OUT>) {
        let z = kernels::dense_vector(layer, x);
        let a = self.forward(&z);
        (z, a)
    }

    /// `dL/dz` from `dL/da` for one sample, given the `z` and `a` of the forward pass.
    fn backward<T: Real, const N: usize>(
        &self,
        z: &SVector<T, N>,
        a: &SVector<T, N>,
        grad_a: &SVector<T, N>,
    ) -> SVector<T, N>;

    /// `a = act(z)` for every sample of a batch.
    #[cfg(feature = "alloc")]
    fn forward_batch<T: Real, const N: usize>(&self, z: &Batch<T, N>, a: &mut Batch<T, N>);

    /// Turns `dL/da` in `delta` into `dL/dz`, in place, for every sample of a batch.
    #[cfg(feature = "alloc")]
    fn backward_batch<T: Real, const N: usize>(
        &self,
        z: &Batch<T, N>,
        a: &Batch<T, N>,
        delta: &mut Batch<T, N>,
    );

    /// A layer's forward pass on a batch: `z = W x + b`, then `a = act(z)`.
    #[inline]
    #[cfg(feature = "alloc")]
    fn dense_forward_batch<T: Real, const IN: usize, const OUT: usize, X: Operand<T, IN>>(
        &self,
        layer: &Dense<T, IN, OUT>,
        x: &X,
        z: &mut Batch<T, OUT>,
        a: &mut Batch<T, OUT>,
    ) {
        kernels::dense_forward(layer, x, z);
        self.forward_batch(z, a);
    }

    /// A layer's inference on rows: `out[s] = act(W x[s] + b)`, sample-major in and
    /// out, for a layer of whole [`LANE_PAD`](crate::batch::LANE_PAD)s of units, at
    /// least two. `x` and `out` have as many rows.
    #[inline]
    #[cfg(feature = "alloc")]
    fn dense_rows<T: Real, const IN: usize, const OUT: usize>(
        &self,
        layer: &Dense<T, IN, OUT>,
        x: &[[T; IN]],
        out: &mut [[T; OUT]],
    ) {
        kernels::dense_rows(layer, &Linear, x, out);
        for row in out {
            *row = self.forward(&SVector::from(*row)).into();
        }
    }
}

/// An activation applied to each neuron on its own.
///
/// `V` is a scalar ([`Real`]) on the one-sample path and a SIMD vector of
/// samples ([`Real::Lanes`]) on the batch path: both run this one formula.
pub trait Elementwise: Copy {
    /// The DSL name.
    const NAME: &'static str;
    /// How layers with this activation are initialised.
    const INIT: InitScheme;

    /// `act(z)`.
    fn f<V: Math>(&self, z: V) -> V;

    /// `act'(z)`, given `z` and `a = act(z)` (whichever is cheaper to use).
    fn df<V: Math>(&self, z: V, a: V) -> V;
}

impl<E: Elementwise> Activation for E {
    const NAME: &'static str = E::NAME;
    const INIT: InitScheme = E::INIT;

    #[inline]
    fn forward<T: Real, const N: usize>(&self, z: &SVector<T, N>) -> SVector<T, N> {
        kernels::activate(self, z)
    }

    #[inline]
    fn dense_forward<T: Real, const IN: usize, const OUT: usize>(
        &self,
        layer: &Dense<T, IN, OUT>,
        x: &SVector<T, IN>,
    ) -> (SVector<T, OUT>, SVector<T, OUT>) {
        kernels::dense_activate(self, layer, x)
    }

    #[inline]
    fn backward<T: Real, const N: usize>(
        &self,
        z: &SVector<T, N>,
        a: &SVector<T, N>,
        grad_a: &SVector<T, N>,
    ) -> SVector<T, N> {
        SVector::from_fn(|i, _| grad_a[i] * self.df(z[i], a[i]))
    }

    #[inline]
    #[cfg(feature = "alloc")]
    fn forward_batch<T: Real, const N: usize>(&self, z: &Batch<T, N>, a: &mut Batch<T, N>) {
        kernels::activate_batch(self, z, a);
    }

    #[inline]
    #[cfg(feature = "alloc")]
    fn backward_batch<T: Real, const N: usize>(
        &self,
        z: &Batch<T, N>,
        a: &Batch<T, N>,
        delta: &mut Batch<T, N>,
    ) {
        kernels::derivative_batch(self, z, a, delta);
    }

    /// The activation runs in the product's last store: `z` is not read again.
    #[inline]
    #[cfg(feature = "alloc")]
    fn dense_forward_batch<T: Real, const IN: usize, const OUT: usize, X: Operand<T, IN>>(
        &self,
        layer: &Dense<T, IN, OUT>,
        x: &X,
        z: &mut Batch<T, OUT>,
        a: &mut Batch<T, OUT>,
    ) {
        kernels::dense_forward_activated(layer, x, self, z, a);
    }

    #[inline]
    #[cfg(feature = "alloc")]
    fn dense_rows<T: Real, const IN: usize, const OUT: usize>(
        &self,
        layer: &Dense<T, IN, OUT>,
        x: &[[T; IN]],
        out: &mut [[T; OUT]],
    ) {
        kernels::dense_rows(layer, self, x, out);
    }
}
