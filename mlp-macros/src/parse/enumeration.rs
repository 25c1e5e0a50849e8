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
