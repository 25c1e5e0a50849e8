//! The enum form: one type over several networks.
//!
//! ```text
//! enum    := attrs vis 'enum' Ident '{' variant (',' variant)* ','? '}'
//! variant := attrs Ident '(' (body | Type) ')'
//! ```
//!
//! A variant holds a network declared in place, with the `body` of the struct
//! form (its own layers, loss and options), or a network type declared elsewhere.

use quote::format_ident;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Error, Ident, LitInt, Token, Type, Visibility};

use super::Body;
use crate::ast::{NetworkEnum, Variant, VariantNetwork};

/// `'enum' Ident '{' variant (',' variant)* ','? '}'` after the attributes and
/// visibility.
pub(super) fn parse_enum(
    input: ParseStream,
    attrs: Vec<Attribute>,
    vis: Visibility,
) -> syn::Result<NetworkEnum> {
    input.parse::<Token![enum]>()?;
    let name: Ident = input.parse()?;
    let content;
    syn::braced!(content in input);
    let mut variants = Vec::new();
    for variant in Punctuated::<RawVariant, Token![,]>::parse_terminated(&content)? {
        variants.push(variant.into_variant(&name, &vis));
    }
    if variants.is_empty() {
        return Err(Error::new(
            name.span(),
            format!(
                "`enum {name}` needs at least one variant, e.g. \
                 `Small(4 => 8 relu => 1 sigmoid; loss = bce)` or `Small(SmallNet)`"
            ),
        ));
    }
    if !input.is_empty() {
        return Err(input.error(format!(
            "unexpected tokens after `enum {name} {{ ... }}`; remove them"
        )));
    }
    Ok(NetworkEnum {
        attrs,
        vis,
        name,
        variants,
    })
}

/// A variant as written, before its declared network has a struct name.
struct RawVariant {
    attrs: Vec<Attribute>,
    name: Ident,
    network: RawNetwork,
}

enum RawNetwork {
    Declared(Body),
    Existing(Type),
}

impl RawVariant {
    fn into_variant(self, enum_name: &Ident, vis: &Visibility) -> Variant {
        let network = match self.network {
            RawNetwork::Existing(ty) => VariantNetwork::Existing(ty),
            RawNetwork::Declared(body) => {
                // `Model::Small` is the struct `ModelSmall`, named at the variant so
                // that errors about the struct point there.
                let struct_name =
                    format_ident!("{enum_name}{}", self.name, span = self.name.span());
                let doc = format!(" The network of [`{enum_name}::{}`].", self.name);
                let attrs = vec![syn::parse_quote!(#[doc = #doc])];
                VariantNetwork::Declared(body.into_network(attrs, vis.clone(), Some(struct_name)))
            }
        };
        Variant {
            attrs: self.attrs,
            name: self.name,
            network,
        }
    }
}

impl Parse for RawVariant {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse().map_err(|e| {
            Error::new(
                e.span(),
                "expected a variant, e.g. `Small(4 => 8 relu => 1 sigmoid; loss = bce)` \
                 or `Small(SmallNet)`",
            )
        })?;
        if !input.peek(syn::token::Paren) {
            return Err(Error::new(
                name.span(),
                format!(
                    "a variant holds a network in parentheses: write \
                     `{name}(4 => 8 relu => 1 sigmoid; loss = bce)` or `{name}(SmallNet)`"
                ),
            ));
        }
        let content;
        syn::parenthesized!(content in input);
        let network = if content.peek(LitInt) || content.is_empty() {
            RawNetwork::Declared(content.parse()?)
        } else {
            let ty: Type = content.parse()?;
            if !content.is_empty() {
                return Err(content.error(format!(
                    "a variant holds one network: a type such as `{name}(SmallNet)`, or \
                     layers starting with the input width such as \
                     `{name}(4 => 8 relu => 1 sigmoid; loss = bce)`"
                )));
            }
            RawNetwork::Existing(ty)
        };
        Ok(Self {
            attrs,
            name,
            network,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_input;
    use crate::ast::{Input, NetworkEnum, VariantNetwork};
    use proc_macro2::TokenStream;
    use quote::quote;

    fn parse_enum(tokens: TokenStream) -> syn::Result<NetworkEnum> {
        match parse_input(tokens)? {
            Input::Enum(net) => Ok(net),
            Input::Network(_) => panic!("parsed as a network"),
        }
    }

    #[test]
    fn declared_and_existing_variants() {
        let net = parse_enum(quote! {
            /// docs
            pub enum Model {
                /// small
                Small(4 => 8 relu => 1 sigmoid; loss = bce),
                Large(crate::nets::Large),
            }
        })
        .unwrap();
        assert_eq!(net.name, "Model");
        assert_eq!(net.attrs.len(), 1);
        assert_eq!(net.variants.len(), 2);
        assert_eq!(net.variants[0].attrs.len(), 1);
        let VariantNetwork::Declared(small) = &net.variants[0].network else {
            panic!("Small is declared in place");
        };
        assert_eq!(small.name.as_ref().unwrap(), "ModelSmall");
        assert_eq!(small.input.value, 4);
        assert!(matches!(small.vis, syn::Visibility::Public(_)));
        assert!(matches!(
            net.variants[1].network,
            VariantNetwork::Existing(_)
        ));
    }

    #[test]
    fn a_struct_is_no_enum() {
        let parsed = parse_input(quote!(pub struct N { 2 => 1 sigmoid; loss = bce })).unwrap();
        assert!(matches!(parsed, Input::Network(_)));
    }

    #[test]
    fn errors() {
        let message = |tokens: TokenStream| parse_enum(tokens).err().unwrap().to_string();
        assert_eq!(
            message(quote!(
                enum Model {}
            )),
            "`enum Model` needs at least one variant, e.g. \
             `Small(4 => 8 relu => 1 sigmoid; loss = bce)` or `Small(SmallNet)`"
        );
        assert_eq!(
            message(quote!(
                enum Model {
                    Small,
                }
            )),
            "a variant holds a network in parentheses: write \
             `Small(4 => 8 relu => 1 sigmoid; loss = bce)` or `Small(SmallNet)`"
        );
        assert_eq!(
            message(quote!(enum Model { Small(A B) })),
            "a variant holds one network: a type such as `Small(SmallNet)`, or layers \
             starting with the input width such as `Small(4 => 8 relu => 1 sigmoid; loss = bce)`"
        );
        assert_eq!(
            message(quote!(
                enum Model {
                    Small(),
                }
            )),
            "a network starts with its input width, e.g. `2 => 8 tanh => 1 sigmoid; loss = bce`"
        );
        assert_eq!(
            message(quote!(enum Model { Small(4 => 1 sigmoid) })),
            "missing `loss = ...`; add e.g. `; loss = bce` after the last layer"
        );
        assert_eq!(
            message(quote!(
                enum Model {
                    Small(S),
                },
                extra
            )),
            "unexpected tokens after `enum Model { ... }`; remove them"
        );
    }
}
