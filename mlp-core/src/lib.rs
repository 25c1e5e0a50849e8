//! Runtime of `mlp`: activations, losses, kernels, initialisation and the
//! [`Network`] trait every `network!` type implements.
//!
//! Users depend on the `mlp` crate, which re-exports this one.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod activation;
pub mod batch;
pub mod dense;
pub mod error;
pub mod init;
pub mod kernels;
pub mod loss;
pub mod network;
pub mod real;
pub mod tensor;

pub use activation::{
    Activation, Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Softplus, Tanh,
};
pub use dense::Dense;
pub use error::Error;
pub use loss::{Bce, Cce, Hinge, Huber, Loss, Mae, Mse, PairsWith, Perceptron, SparseCce, Sse};
pub use network::{Gradients, Network, Workspace};
pub use real::Real;
pub use tensor::{Shape, TensorId, TensorKind};
