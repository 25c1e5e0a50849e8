//! The `network!` procedural macro of `mlp`.
//!
//! Use it through the `mlp` crate: `use mlp::network;`. The pipeline is
//! `parse` (tokens to `ast::Network`), `validate` (every rule of the DSL,
//! all errors reported at once) and `expand` (the network type and its code).

mod ast;
mod expand;
mod fallback;
mod keyword;
mod parse;
mod validate;
mod weights;

use proc_macro::TokenStream;

/// Defined in `mlp-macros` and used through `mlp` as `mlp::network!`, whose page
/// documents the grammar and the generated API; the code it generates refers to
/// `::mlp`.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    // A `weights = "path"` is relative to the invoking file, as with `include_bytes!`.
    let file = proc_macro::Span::call_site().local_file();
    let base = file.as_deref().and_then(std::path::Path::parent);
    expand::network(input.into(), base).into()
}
