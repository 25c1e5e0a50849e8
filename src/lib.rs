//! Small fixed-architecture neural networks, declared once with [`network!`] and
//! compiled into straight-line code over statically-sized nalgebra matrices.
//!
//! ```
//! use mlp::prelude::*;
//!
//! network! {
//!     /// Predicts placement (yes/no) from four scores.
//!     pub struct Placement {
//!         4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
//!         loss = bce;
//!     }
//! }
//!
//! assert_eq!((Placement::INPUTS, Placement::OUTPUTS, Placement::PARAMS), (4, 1, 26));
//!
//! let mut net = Placement::seeded(42);
//! let x = [[0.9, 0.8, 0.7, 0.9], [0.1, 0.3, 0.2, 0.0]];
//! let y = [[1.0], [0.0]];
//! let before = net.loss(&x, &y)?;
//! for _ in 0..100 {
//!     let grads = net.gradients(&x, &y)?;
//!     net.step(&grads, 0.5)?;
//! }
//! assert!(net.loss(&x, &y)? < before);
//! let p: [f32; 1] = net.predict(&[0.8, 0.9, 0.6, 1.0]);
//! assert!(p[0] > 0.5);
//!
//! // The expression form: an anonymous network, initialised from seed 0.
//! let xor = network!(2 => 8 tanh => 1 sigmoid; loss = bce);
//! assert_eq!(xor.predict(&[0.0, 1.0]).len(), 1);
//! # Ok::<(), mlp::Error>(())
//! ```
//!
//! [`network!`] documents the grammar (layers, activations, losses, `scalar`,
//! `dropout`, compiled-in `weights`), which losses pair with which output layers, and
//! everything a generated type offers: public `layers` of [`core::Dense`], the
//! [`Network`] trait (construction, `predict`, `loss`, `gradients`, `step` and their
//! allocation-free `*_with` forms in a [`Workspace`]), training with [`Train::fit`]
//! and model files with [`Save::save`] and [`Save::load`]. `use mlp::prelude::*`
//! brings all of it.

#![cfg_attr(not(feature = "std"), no_std)]

/// The runtime the generated code calls: layers, activations, losses, training,
/// model I/O and the [`Real`](core::Real) scalars. Everything of `mlp-core`, by the
/// path users write (a module rather than `pub use mlp_core as core`, so that rustc's
/// hints also say `mlp::core::...` instead of a crate name users cannot write).
pub mod core {
    pub use mlp_core::*;
}
#[cfg(feature = "alloc")]
pub use mlp_core::data;
#[cfg(feature = "std")]
pub use mlp_core::io::Save;
#[cfg(feature = "onnx")]
pub use mlp_core::io::onnx::Onnx;
#[cfg(feature = "alloc")]
pub use mlp_core::metrics;
#[cfg(feature = "alloc")]
pub use mlp_core::train::{Fit, History, Optimizer, Schedule, Train};
pub use mlp_core::{Error, Gradients, Network, Workspace};
#[cfg(feature = "parallel")]
pub use mlp_core::{ParallelNetwork, ParallelWorkspace};
#[doc = include_str!("network.md")]
pub use mlp_macros::network;
/// The rayon that [`ParallelNetwork`] runs on, so that a program sizes its pool
/// (`mlp::rayon::ThreadPoolBuilder`, `install`) without depending on a matching
/// version itself.
#[cfg(feature = "parallel")]
pub use rayon;

/// `use mlp::prelude::*;` brings the macro, the traits every network implements
/// ([`Network`], [`Train`] and [`Save`]), what their methods take, and
/// [`Real`](crate::core::Real), the bound of code generic over the scalar.
pub mod prelude {
    pub use crate::network;
    #[cfg(feature = "std")]
    pub use mlp_core::io::Save;
    #[cfg(feature = "onnx")]
    pub use mlp_core::io::onnx::Onnx;
    #[cfg(feature = "alloc")]
    pub use mlp_core::train::{Fit, History, Optimizer, Schedule, Train};
    pub use mlp_core::{Error, Gradients, Network, Real, Workspace};
}

/// The README's examples run as doctests, so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
