//! Parsing of the `network!` input into an [`ast::Network`].
//!
//! ```text
//! input      := item | body
//! item       := attrs vis 'struct' Ident '{' body '}'
//! body       := INPUT ('=>' layer)+ (';' clause)+ ';'?
//! clause     := 'loss' '=' loss | option       any order; each once, `loss` required
//! layer      := WIDTH activation ['dropout' '(' rate ')']
//! activation := sigmoid | tanh | relu | leaky_relu ['(' slope ')'] | linear | softmax
//!             | elu ['(' alpha ')'] | softplus | gelu
//! loss       := mse | sse | mae | huber ['(' delta ')'] | bce | cce | sparse_cce
//!             | hinge | perceptron
//! option     := 'scalar' '=' ('f32' | 'f64')  default f32
//!             | 'weights' '=' file            a safetensors file (or, by its `.onnx`
//!                                             extension, an ONNX model), read while compiling
//! file       := STRING | 'pytorch' '(' STRING ')'  the latter with nn.Sequential names
//! ```
//!
//! `INPUT` and `WIDTH` are integer literals, parameters (and the dropout `rate`)
//! are int or float literals with an optional leading `-`. Range checks (zero
//! widths, negative parameters, dropout rates and where dropout may go) and
//! loss/activation pairings are left to [`crate::validate`];
//! this module rejects only what cannot be represented in the AST, each time
//! at the offending token and with what to write instead.
//!
//! This module parses the two forms and the chain of layers; its submodules
//! parse one layer ([`layer`]), an activation or loss with its parameter
//! ([`function`]), the clauses after the layers ([`clause`]) and numeric
//! literals ([`number`]).

mod clause;
mod enumeration;
mod function;
mod layer;
mod number;

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Error, Ident, LitInt, Token, Visibility};

use crate::ast::{Input, Layer, Loss, Network, Scalar, ScalarKind, WeightsFile, Width};
use clause::Clauses;
use layer::{expect_after_input, expect_after_layer};

/// Parses the input of the struct and expression forms (what the tests parse).
#[cfg(test)]
pub fn parse(tokens: TokenStream) -> syn::Result<Network> {
    syn::parse2(tokens)
}

/// Parses the whole macro input, a network or an enum over several.
pub fn parse_input(tokens: TokenStream) -> syn::Result<Input> {
    syn::parse2(tokens)
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let fork = input.fork();
        let is_enum = fork.call(Attribute::parse_outer).is_ok()
            && fork.parse::<Visibility>().is_ok()
            && fork.peek(Token![enum]);
        if !is_enum {
            return Ok(Input::Network(input.parse()?));
        }
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        Ok(Input::Enum(enumeration::parse_enum(input, attrs, vis)?))
    }
}

impl Parse for Network {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![#]) || input.peek(Token![pub]) || input.peek(Token![struct]) {
            return parse_item(input);
        }
        let body: Body = input.parse()?;
        Ok(body.into_network(Vec::new(), Visibility::Inherited, None))
    }
}

/// `attrs vis 'struct' Ident '{' body '}'`
fn parse_item(input: ParseStream) -> syn::Result<Network> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    if input.peek(LitInt) {
        return Err(input.error(
            "attributes and a visibility need the item form: \
             write `struct Name { ... }` around the network",
        ));
    }
    input.parse::<Token![struct]>()?;
    let name: Ident = input.parse()?;
    let content;
    syn::braced!(content in input);
    let body: Body = content.parse()?;
    if !input.is_empty() {
        return Err(input.error(format!(
            "unexpected tokens after `struct {name} {{ ... }}`; remove them"
        )));
    }
    Ok(body.into_network(attrs, vis, Some(name)))
}

/// `INPUT ('=>' layer)+ (';' clause)+ ';'?`
struct Body {
    input: Width,
    layers: Vec<Layer>,
    loss: Loss,
    scalar: Option<Scalar>,
    weights: Option<WeightsFile>,
}

impl Body {
    fn into_network(self, attrs: Vec<Attribute>, vis: Visibility, name: Option<Ident>) -> Network {
        Network {
            attrs,
            vis,
            name,
            input: self.input,
            layers: self.layers,
            loss: self.loss,
            scalar: self.scalar.unwrap_or(Scalar {
                kind: ScalarKind::F32,
                span: Span::call_site(),
            }),
            weights: self.weights,
        }
    }
}

impl Parse for Body {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            // At the call site or the struct's `}`; `input.error` would add
            // "unexpected end of input".
            return Err(Error::new(
                input.span(),
                "a network starts with its input width, \
                 e.g. `2 => 8 tanh => 1 sigmoid; loss = bce`",
            ));
        }
        let width: Width = input.parse()?;
        expect_after_input(input, &width)?;

        let mut layers: Vec<Layer> = Vec::new();
        while input.peek(Token![=>]) {
            let arrow: Token![=>] = input.parse()?;
            if input.is_empty() || input.peek(Token![;]) || input.peek(Token![=>]) {
                return Err(Error::new(
                    arrow.span(),
                    "expected a layer after `=>`, e.g. `=> 1 sigmoid`",
                ));
            }
            let layer: Layer = input.parse()?;
            expect_after_layer(input, &layer)?;
            layers.push(layer);
        }
        let last = layers.last().expect("expect_after_input ensures a layer");

        let Clauses {
            loss,
            scalar,
            weights,
        } = Clauses::parse(input, last)?;
        Ok(Body {
            input: width,
            layers,
            loss,
            scalar,
            weights,
        })
    }
}

/// What the tests of every submodule parse with.
#[cfg(test)]
mod test_support {
    use super::parse;
    use crate::ast::{ActivationKind, Network};
    use proc_macro2::TokenStream;

    pub(super) fn ok(tokens: TokenStream) -> Network {
        match parse(tokens.clone()) {
            Ok(net) => net,
            Err(e) => panic!("`{tokens}` should parse, got: {e}"),
        }
    }

    pub(super) fn err(tokens: TokenStream) -> String {
        match parse(tokens.clone()) {
            Ok(_) => panic!("`{tokens}` should not parse"),
            Err(e) => {
                assert_eq!(
                    e.clone().into_iter().count(),
                    1,
                    "one parse error at a time"
                );
                e.to_string()
            }
        }
    }

    pub(super) fn layers(net: &Network) -> Vec<(usize, ActivationKind)> {
        net.layers
            .iter()
            .map(|l| (l.width.value, l.activation.kind))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{err, layers, ok};
    use crate::ast::{ActivationKind, LossKind, ScalarKind};
    use quote::quote;
    use syn::Visibility;

    #[test]
    fn expression_form() {
        let net = ok(quote!(2 => 8 tanh => 1 sigmoid; loss = bce));
        assert!(net.attrs.is_empty());
        assert!(matches!(net.vis, Visibility::Inherited));
        assert!(net.name.is_none());
        assert_eq!(net.input.value, 2);
        assert_eq!(
            layers(&net),
            [(8, ActivationKind::Tanh), (1, ActivationKind::Sigmoid)]
        );
        assert!(net.layers.iter().all(|l| l.activation.param.is_none()));
        assert_eq!(net.loss.kind, LossKind::Bce);
        assert!(net.loss.param.is_none());
        assert_eq!(net.scalar.kind, ScalarKind::F32);
    }

    #[test]
    fn item_form_keeps_docs_attributes_and_visibility() {
        let net = ok(quote! {
            /// docs
            #[derive(Debug)]
            pub struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; }
        });
        assert_eq!(net.attrs.len(), 2);
        assert!(net.attrs[0].path().is_ident("doc"));
        assert!(net.attrs[1].path().is_ident("derive"));
        assert!(matches!(net.vis, Visibility::Public(_)));
        assert_eq!(net.name.as_ref().unwrap(), "Placement");
        assert_eq!(net.input.value, 4);
        assert_eq!(
            layers(&net),
            [
                (3, ActivationKind::Sigmoid),
                (2, ActivationKind::Sigmoid),
                (1, ActivationKind::Sigmoid)
            ]
        );
        assert_eq!(net.loss.kind, LossKind::Bce);
    }

    #[test]
    fn item_form_without_attributes_or_visibility() {
        let net = ok(quote!(struct Xor { 2 => 2 tanh => 1 sigmoid; loss = bce }));
        assert!(net.attrs.is_empty());
        assert!(matches!(net.vis, Visibility::Inherited));
        assert_eq!(net.name.as_ref().unwrap(), "Xor");
    }

    #[test]
    fn item_form_with_restricted_visibility() {
        let net = ok(quote!(pub(crate) struct Net { 1 => 1 linear; loss = mse }));
        assert!(matches!(net.vis, Visibility::Restricted(_)));
    }

    #[test]
    fn item_form_with_attribute_only() {
        let net = ok(quote!(#[allow(dead_code)] struct Net { 1 => 1 linear; loss = mse }));
        assert_eq!(net.attrs.len(), 1);
        assert!(matches!(net.vis, Visibility::Inherited));
    }

    #[test]
    fn trailing_semicolon_is_optional() {
        for tokens in [
            quote!(2 => 1 sigmoid; loss = bce),
            quote!(2 => 1 sigmoid; loss = bce;),
            quote!(2 => 1 sigmoid; loss = bce; scalar = f64),
            quote!(2 => 1 sigmoid; loss = bce; scalar = f64;),
            quote!(struct N { 2 => 1 sigmoid; loss = bce }),
            quote!(struct N { 2 => 1 sigmoid; loss = bce; }),
        ] {
            ok(tokens);
        }
    }

    #[test]
    fn empty_input() {
        let message =
            "a network starts with its input width, e.g. `2 => 8 tanh => 1 sigmoid; loss = bce`";
        assert_eq!(err(quote!()), message);
        assert_eq!(
            err(quote!(
                struct N {}
            )),
            message
        );
    }

    #[test]
    fn item_form_errors() {
        assert_eq!(
            err(quote!(pub Net { 2 => 1 linear; loss = mse })),
            "expected `struct`"
        );
        assert_eq!(
            err(quote!(#[derive(Debug)] 2 => 1 linear; loss = mse)),
            "attributes and a visibility need the item form: \
             write `struct Name { ... }` around the network"
        );
        assert_eq!(
            err(quote!(struct { 2 => 1 linear; loss = mse })),
            "expected identifier"
        );
        assert_eq!(
            err(quote!(struct Net ( 2 => 1 linear; loss = mse ))),
            "expected curly braces"
        );
        assert_eq!(
            err(quote!(struct Net { 2 => 1 linear; loss = mse };)),
            "unexpected tokens after `struct Net { ... }`; remove them"
        );
    }
}
