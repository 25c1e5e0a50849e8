//! What the macro emits when validation fails: the errors, and nothing that could
//! add errors of its own to the user's code.

use crate::ast::Network;
use proc_macro2::TokenStream;
use quote::quote;

/// The errors as `compile_error!`s. In the item form nothing else: rustc then
/// reports no further error for uses of the missing type. In the expression form
/// the last error is the block's value, an expression of the error type, which
/// silences type errors in the code that uses it.
pub fn expand(net: &Network, errors: syn::Error) -> TokenStream {
    let mut errors: Vec<TokenStream> = errors.into_iter().map(|e| e.to_compile_error()).collect();
    if net.name.is_some() {
        return quote!(#(#errors)*);
    }
    let last = errors.pop();
    quote! {{
        #(#errors)*
        (#last)
    }}
}
