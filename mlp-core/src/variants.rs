//! What the enums of `network!` (`network! { enum Model { Small(...), Large(...) } }`)
//! need from the runtime besides the networks themselves. (Loading picks a
//! variant with [`crate::io::VariantFile`].)
//!
//! An enum's methods that take or give rows are visitors: the enum's `visit`
//! matches on the variant and calls [`Visit::call`] with its network, whose type
//! the visitor is generic over. So each method is written once here, whatever the
//! variants, and a variant whose rows differ from the enum's fails to compile at
//! one place, the `visit` arm of that variant, instead of once per method.

#[cfg(feature = "alloc")]
use crate::error::Error;
use crate::gradients::Gradients;
use crate::network::Network;
#[cfg(feature = "alloc")]
use crate::train::{Fit, History, Train};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// Implemented by a type for itself only: `(I, O, T): SameRows<(I2, O2, T2), V, F>`
/// holds when variant `V` takes, gives and targets what the first variant `F` does.
#[diagnostic::on_unimplemented(
    message = "`{Variant}` takes, gives and targets `{Self}`, and the first variant, `{First}`, `{Rows}`",
    label = "every variant of an enum network takes, gives and targets what the first does",
    note = "the rows are (input, output, target)"
)]
pub trait SameRows<Rows, Variant, First> {}

impl<R, V, F> SameRows<R, V, F> for R {}

/// Compiles only when `N` takes, gives and targets what `First` does.
pub fn same_rows<First: Network, N: Network>()
where
    (N::Input, N::Output, N::Target):
        SameRows<(First::Input, First::Output, First::Target), N, First>,
{
}

/// A method of an enum of networks, run on the variant's network `N`: every
/// variant takes `I`, gives `O`, targets `T`, computes in `S`, and its gradients
/// convert into `G`, the enum's gradients.
pub trait Visit<I, O, T, S, G> {
    /// What the method returns.
    type Out;
    /// The method on one variant's network.
    fn call<N>(self, network: &N) -> Self::Out
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
        Gradients<N>: Into<G>;
}

/// As [`Visit`], for a method that changes the network.
pub trait VisitMut<I, O, T, S, G> {
    /// What the method returns.
    type Out;
    /// The method on one variant's network.
    fn call<N>(self, network: &mut N) -> Self::Out
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
        Gradients<N>: Into<G>;
}

/// `predict(x)`.
pub struct Predict<'a, I>(pub &'a I);

impl<I, O, T, S, G> Visit<I, O, T, S, G> for Predict<'_, I> {
    type Out = O;
    #[inline(always)]
    fn call<N>(self, network: &N) -> O
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
    {
        network.predict(self.0)
    }
}

/// `predict_batch(inputs)`.
#[cfg(feature = "alloc")]
pub struct PredictBatch<'a, I>(pub &'a [I]);

#[cfg(feature = "alloc")]
impl<I, O, T, S, G> Visit<I, O, T, S, G> for PredictBatch<'_, I> {
    type Out = Vec<O>;
    fn call<N>(self, network: &N) -> Vec<O>
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
    {
        network.predict_batch(self.0)
    }
}

/// `loss(inputs, targets)`.
#[cfg(feature = "alloc")]
pub struct Loss<'a, I, T>(pub &'a [I], pub &'a [T]);

#[cfg(feature = "alloc")]
impl<I, O, T, S, G> Visit<I, O, T, S, G> for Loss<'_, I, T> {
    type Out = Result<S, Error>;
    fn call<N>(self, network: &N) -> Result<S, Error>
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
    {
        network.loss(self.0, self.1)
    }
}

/// `gradients(inputs, targets)`, as the enum's gradients.
#[cfg(feature = "alloc")]
pub struct Gradient<'a, I, T>(pub &'a [I], pub &'a [T]);

#[cfg(feature = "alloc")]
impl<I, O, T, S, G> Visit<I, O, T, S, G> for Gradient<'_, I, T> {
    type Out = Result<G, Error>;
    fn call<N>(self, network: &N) -> Result<G, Error>
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
        Gradients<N>: Into<G>,
    {
        network.gradients(self.0, self.1).map(Into::into)
    }
}

/// `metrics::accuracy(network, inputs, targets)`.
#[cfg(feature = "alloc")]
pub struct Accuracy<'a, I, T>(pub &'a [I], pub &'a [T]);

#[cfg(feature = "alloc")]
impl<I, O, T, S, G> Visit<I, O, T, S, G> for Accuracy<'_, I, T> {
    type Out = Result<f64, Error>;
    fn call<N>(self, network: &N) -> Result<f64, Error>
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
    {
        crate::metrics::accuracy(network, self.0, self.1)
    }
}

/// `fit(inputs, targets, settings)`.
#[cfg(feature = "alloc")]
pub struct FitRows<'a, I, T>(pub &'a [I], pub &'a [T], pub &'a Fit);

#[cfg(feature = "alloc")]
impl<I, O, T, S, G> VisitMut<I, O, T, S, G> for FitRows<'_, I, T> {
    type Out = Result<History, Error>;
    fn call<N>(self, network: &mut N) -> Result<History, Error>
    where
        N: Network<Input = I, Output = O, Target = T, Scalar = S>,
    {
        network.fit(self.0, self.1, self.2)
    }
}
