//! What the macro emits when validation fails: the errors, plus a stand-in for the
//! network so that code using it does not add errors of its own.

use crate::ast::Network;
use proc_macro2::TokenStream;
use quote::quote;

/// The errors as `compile_error!`s, and an empty struct of the declared name (item
/// form) or a diverging expression (expression form).
pub fn expand(net: &Network, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    match &net.name {
        Some(name) => {
            let (attrs, vis) = (&net.attrs, &net.vis);
            let docs = attrs.iter().filter(|a| a.path().is_ident("doc"));
            quote! {
                #errors
                #(#docs)*
                #vis struct #name {}
            }
        }
        None => quote! {{
            #errors
            ::core::unreachable!()
        }},
    }
}
