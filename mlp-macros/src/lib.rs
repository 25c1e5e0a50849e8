//! The `network!` procedural macro of `mlp`.
//!
//! Use it through the `mlp` crate: `use mlp::network;`. The pipeline is
//! [`parse`] (tokens to [`ast::Network`]), [`validate`] (every rule of the DSL,
//! all errors reported at once) and [`expand`] (the network type and its code).

mod ast;
mod expand;
mod fallback;
mod keyword;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// Declares a fixed-architecture neural network; see the `mlp` crate for the grammar.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    expand::network(input.into()).into()
}
