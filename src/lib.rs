//! Small fixed-architecture neural networks.
pub use mlp_core as core;
pub use mlp_macros::network;
