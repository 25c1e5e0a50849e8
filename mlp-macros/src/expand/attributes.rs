//! The user's attributes on a `network!` item, as the generated struct carries them.

use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Path, Token};

/// The traits the expansion implements itself, with the `core` module of each.
const GENERATED_IMPLS: [(&str, &str); 4] = [
    ("clone", "Clone"),
    ("fmt", "Debug"),
    ("cmp", "PartialEq"),
    ("default", "Default"),
];

/// The item's attributes as the struct carries them. A derive of a trait the
/// expansion implements itself would conflict with that impl, so it is dropped:
/// `#[derive(Clone, Hash)]` becomes `#[derive(Hash)]`, `#[derive(Debug)]` goes away.
/// Every other attribute, and a derive that is not a list of paths, passes through
/// for rustc to judge.
pub(super) fn struct_attributes(attrs: &[Attribute]) -> Vec<Attribute> {
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs {
        let paths = match &attr.meta {
            Meta::List(list) if list.path.is_ident("derive") => {
                list.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
            }
            _ => {
                kept.push(attr.clone());
                continue;
            }
        };
        let Ok(paths) = paths else {
            kept.push(attr.clone());
            continue;
        };
        if !paths.iter().any(is_generated_impl) {
            kept.push(attr.clone());
            continue;
        }
        let others: Vec<&Path> = paths.iter().filter(|p| !is_generated_impl(p)).collect();
        if !others.is_empty() {
            let mut attr = attr.clone();
            if let Meta::List(list) = &mut attr.meta {
                list.tokens = quote!(#(#others),*);
            }
            kept.push(attr);
        }
    }
    kept
}

/// Whether a derive names one of [`GENERATED_IMPLS`]: `Clone`, or its full path
/// `std::clone::Clone` / `::core::clone::Clone`.
fn is_generated_impl(path: &Path) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    GENERATED_IMPLS
        .iter()
        .any(|(module, name)| match segments.as_slice() {
            [only] => path.leading_colon.is_none() && only == name,
            [krate, m, n] => (krate == "std" || krate == "core") && m == module && n == name,
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::network;
    use crate::parse;
    use proc_macro2::TokenStream;

    /// The attributes the struct of `item` gets, as text.
    fn emitted(item: TokenStream) -> Vec<String> {
        let net = parse::parse(item).expect("the item parses");
        struct_attributes(&net.attrs)
            .iter()
            .map(|a| quote!(#a).to_string())
            .collect()
    }

    #[test]
    fn derives_of_generated_impls_are_dropped() {
        let attrs = emitted(quote! {
            #[derive(Clone, Debug, PartialEq, Default)]
            #[derive(std::clone::Clone, ::core::fmt::Debug, core::cmp::PartialEq)]
            struct Net { 2 => 1 linear; loss = mse }
        });
        assert!(attrs.is_empty(), "{attrs:?}");
    }

    #[test]
    fn other_derives_in_the_same_attribute_are_kept_in_order() {
        let attrs = emitted(quote! {
            #[derive(Copy, Clone, Hash, Debug)]
            struct Net { 2 => 1 linear; loss = mse }
        });
        assert_eq!(attrs, ["# [derive (Copy , Hash)]"]);
    }

    #[test]
    fn other_attributes_and_derives_pass_through_untouched() {
        let attrs = emitted(quote! {
            /// Docs.
            #[derive(Hash)]
            #[allow(dead_code)]
            #[derive(my::Clone, Clone::Clone)]
            #[derive(3)]
            #[derive]
            #[cfg_attr(test, derive(Debug))]
            struct Net { 2 => 1 linear; loss = mse }
        });
        assert_eq!(
            attrs,
            [
                "# [doc = r\" Docs.\"]",
                "# [derive (Hash)]",
                "# [allow (dead_code)]",
                "# [derive (my :: Clone , Clone :: Clone)]",
                "# [derive (3)]",
                "# [derive]",
                "# [cfg_attr (test , derive (Debug))]",
            ]
        );
    }

    #[test]
    fn a_derive_of_a_generated_impl_expands_without_errors() {
        let tokens = network(
            quote! {
                #[derive(Clone, Debug)]
                struct Net { 2 => 1 linear; loss = mse }
            },
            None,
        )
        .to_string();
        assert!(!tokens.contains("compile_error"), "{tokens}");
        // Only the expansion's own derive is left.
        assert_eq!(tokens.matches("derive").count(), 1, "{tokens}");
        assert!(!tokens.contains("derive (Clone"), "{tokens}");
    }
}
