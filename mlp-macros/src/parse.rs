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
//!             | 'weights' '=' STRING          a safetensors file, read while compiling
//! ```
//!
//! `INPUT` and `WIDTH` are integer literals, parameters (and the dropout `rate`)
//! are int or float literals with an optional leading `-`. Range checks (zero
//! widths, negative parameters, dropout rates and where dropout may go) and
//! loss/activation pairings are left to [`crate::validate`];
//! this module rejects only what cannot be represented in the AST, each time
//! at the offending token and with what to write instead.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Error, Ident, LitFloat, LitInt, LitStr, Token, Visibility, token};

use crate::ast::{
    Activation, ActivationKind, Dropout, Layer, Loss, Network, Param, Scalar, ScalarKind, Width,
};
use crate::keyword::{self, ParamInfo};

/// Parses the whole macro input.
pub fn parse(tokens: TokenStream) -> syn::Result<Network> {
    syn::parse2(tokens)
}

const WIDTH_MESSAGE: &str = "a layer width is a positive integer literal, e.g. `8`";

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
    weights: Option<LitStr>,
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

        let mut loss: Option<Loss> = None;
        let mut scalar: Option<Scalar> = None;
        let mut weights: Option<LitStr> = None;
        while input.parse::<Option<Token![;]>>()?.is_some() {
            if input.is_empty() {
                break;
            }
            let clause: Clause = input.parse()?;
            let done = match clause {
                Clause::Loss(keyword, value) => {
                    once(&loss, &keyword)?;
                    let done = describe_loss(&value);
                    loss = Some(value);
                    done
                }
                Clause::Scalar(keyword, value) => {
                    once(&scalar, &keyword)?;
                    let done = format!("scalar = {}", keyword::scalar_name(value.kind));
                    scalar = Some(value);
                    done
                }
                Clause::Weights(keyword, path) => {
                    once(&weights, &keyword)?;
                    let done = format!("weights = {:?}", path.value());
                    weights = Some(path);
                    done
                }
            };
            expect_after_clause(input, &done)?;
        }

        let Some(loss) = loss else {
            return Err(Error::new(
                last.activation.span,
                format!(
                    "missing `loss = ...`; add e.g. `; loss = {}` after the last layer",
                    suggested_loss(last.activation.kind)
                ),
            ));
        };
        Ok(Body {
            input: width,
            layers,
            loss,
            scalar,
            weights,
        })
    }
}

/// The loss a missing `loss` clause most likely wants, given the output.
fn suggested_loss(output: ActivationKind) -> &'static str {
    match output {
        ActivationKind::Sigmoid => "bce",
        ActivationKind::Softmax => "cce",
        _ => "mse",
    }
}

fn once<T>(seen: &Option<T>, keyword: &Ident) -> syn::Result<()> {
    match seen {
        Some(_) => Err(Error::new(
            keyword.span(),
            format!("`{keyword}` is given twice; keep one"),
        )),
        None => Ok(()),
    }
}

fn describe_layer(layer: &Layer) -> String {
    let param = if layer.activation.param.is_some() {
        "(...)"
    } else {
        ""
    };
    format!(
        "{} {}{param}",
        layer.width.value,
        keyword::activation_name(layer.activation.kind)
    )
}

fn describe_loss(loss: &Loss) -> String {
    let param = if loss.param.is_some() { "(...)" } else { "" };
    format!("loss = {}{param}", keyword::loss_name(loss.kind))
}

/// The clause keyword (`loss`, `scalar`, ...) at the head of `input`, if any.
fn peek_clause_keyword(input: ParseStream) -> Option<String> {
    let (ident, _) = input.cursor().ident()?;
    let name = ident.unraw().to_string();
    keyword::CLAUSES.contains(&name.as_str()).then_some(name)
}

/// After the input width only `=>` may follow.
fn expect_after_input(input: ParseStream, width: &Width) -> syn::Result<()> {
    const NO_LAYER: &str =
        "a network needs at least one layer after the input, e.g. `4 => 1 sigmoid`";
    if input.peek(Token![=>]) {
        Ok(())
    } else if input.is_empty() || peek_clause_keyword(input).is_some() {
        Err(Error::new(width.span, NO_LAYER))
    } else if input.peek(Token![;]) {
        Err(input.error(NO_LAYER))
    } else if input.peek(Token![->]) {
        Err(input.error("write `=>` between layers, not `->`"))
    } else if let Some((ident, _)) = input.cursor().ident() {
        Err(Error::new(
            ident.span(),
            format!(
                "the input layer has no activation; write `{} => ...` and put `{ident}` \
                 on a layer after `=>`",
                width.value
            ),
        ))
    } else {
        Err(input.error(format!(
            "expected `=>` after the input width, e.g. `{} => 3 relu`",
            width.value
        )))
    }
}

/// After a layer: `=>` and the next layer, `;` and the clauses, or the end.
fn expect_after_layer(input: ParseStream, layer: &Layer) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![=>]) || input.peek(Token![;]) {
        Ok(())
    } else if input.peek(Token![->]) {
        Err(input.error("write `=>` between layers, not `->`"))
    } else if input.peek(Token![,]) {
        Err(input.error("write `;` to end the layers, not `,`"))
    } else if let Some(name) = peek_clause_keyword(input) {
        Err(input.error(format!("expected `;` before `{name}`")))
    } else {
        Err(input.error(format!(
            "expected `=>` and another layer, or `;` and `loss = ...`, after `{}`",
            describe_layer(layer)
        )))
    }
}

/// After a clause: `;` and the next clause, or the end.
fn expect_after_clause(input: ParseStream, clause: &str) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![;]) {
        Ok(())
    } else if input.peek(Token![,]) {
        Err(input.error("write `;` between clauses, not `,`"))
    } else if let Some(name) = peek_clause_keyword(input) {
        Err(input.error(format!("expected `;` before `{name}`")))
    } else {
        Err(input.error(format!(
            "expected `;` or the end of the network after `{clause}`"
        )))
    }
}

impl Parse for Width {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![-]) {
            let minus: Token![-] = input.parse()?;
            let mut tokens = minus.into_token_stream();
            if let Some((tt, _)) = input.cursor().token_tree() {
                tokens.extend([tt]);
            }
            return Err(Error::new_spanned(tokens, WIDTH_MESSAGE));
        }
        if let Some((ident, _)) = input.cursor().ident() {
            let name = ident.unraw().to_string();
            let message = if keyword::activation(&name).is_some() {
                format!("`{name}` needs a width before it, e.g. `8 {name}`")
            } else {
                // A constant or a variable: the macro sees its name, not its value.
                format!("{WIDTH_MESSAGE}; `network!` cannot read the value of `{name}`")
            };
            return Err(Error::new(ident.span(), message));
        }
        if !input.peek(LitInt) {
            return Err(input.error(WIDTH_MESSAGE));
        }
        let lit: LitInt = input.parse()?;
        let span = lit.span();
        // `3f32` lexes as an integer with a float suffix.
        if matches!(lit.suffix(), "f32" | "f64") {
            return Err(Error::new(span, WIDTH_MESSAGE));
        }
        let value = lit.base10_parse::<usize>().map_err(|_| {
            Error::new(
                span,
                format!("layer width `{lit}` is too large; use a width that fits in a `usize`"),
            )
        })?;
        Ok(Width { value, span })
    }
}

impl Parse for Layer {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let width: Width = input.parse()?;
        if !input.peek(Ident::peek_any) || peek_clause_keyword(input).is_some() {
            let n = width.value;
            return Err(Error::new(
                width.span,
                format!("layer `{n}` needs an activation, e.g. `{n} relu` or `{n} linear`"),
            ));
        }
        let activation: Activation = input.parse()?;
        let dropout = parse_dropout(input)?;
        Ok(Layer {
            width,
            activation,
            dropout,
        })
    }
}

/// `dropout(rate)` after a layer's activation, if written.
fn parse_dropout(input: ParseStream) -> syn::Result<Option<Dropout>> {
    let Some((ident, _)) = input.cursor().ident() else {
        return Ok(None);
    };
    if ident.unraw() != keyword::DROPOUT {
        return Ok(None);
    }
    let ident = input.call(Ident::parse_any)?;
    if !input.peek(token::Paren) {
        return Err(Error::new(
            ident.span(),
            "`dropout` needs its rate, the fraction of units dropped while training, \
             e.g. `dropout(0.5)`",
        ));
    }
    let rate = parse_param_group(input, keyword::DROPOUT, Some(keyword::DROPOUT_RATE), None)?
        .expect("a parenthesised group was present");
    Ok(Some(Dropout {
        rate,
        span: ident.span(),
    }))
}

impl Parse for Activation {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident = input.call(Ident::parse_any)?;
        let name = ident.unraw().to_string();
        let Some(entry) = keyword::activation(&name) else {
            return Err(Error::new(ident.span(), keyword::unknown_activation(&name)));
        };
        let suggest = match entry.kind {
            ActivationKind::Relu => Some("leaky_relu"),
            _ => None,
        };
        let param = parse_param_group(input, entry.name, entry.param, suggest)?;
        Ok(Activation {
            kind: entry.kind,
            param,
            span: ident.span(),
        })
    }
}

/// `NAME = ...` after the layers.
enum Clause {
    Loss(Ident, Loss),
    Scalar(Ident, Scalar),
    Weights(Ident, LitStr),
}

impl Parse for Clause {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![;]) {
            return Err(input.error("remove the extra `;`"));
        }
        if !input.peek(Ident::peek_any) {
            return Err(input.error(format!(
                "expected {} after `;`",
                keyword::clause_list(" = ...")
            )));
        }
        let keyword = input.call(Ident::parse_any)?;
        let name = keyword.unraw().to_string();
        match name.as_str() {
            keyword::LOSS => {
                let eq = expect_eq(input, &keyword, "mse")?;
                if !input.peek(Ident::peek_any) {
                    return Err(error_at_next(
                        input,
                        eq,
                        "expected a loss after `loss =`, e.g. `loss = mse`",
                    ));
                }
                Ok(Clause::Loss(keyword, input.parse()?))
            }
            keyword::SCALAR => {
                let eq = expect_eq(input, &keyword, "f64")?;
                if !input.peek(Ident::peek_any) {
                    return Err(error_at_next(
                        input,
                        eq,
                        format!("expected {} after `scalar =`", keyword::scalar_list()),
                    ));
                }
                Ok(Clause::Scalar(keyword, input.parse()?))
            }
            keyword::WEIGHTS => {
                let eq = expect_eq(input, &keyword, "\"model.safetensors\"")?;
                if !input.peek(LitStr) {
                    return Err(error_at_next(
                        input,
                        eq,
                        "expected the path of a safetensors file in quotes after `weights =`, \
                         e.g. `weights = \"model.safetensors\"`",
                    ));
                }
                Ok(Clause::Weights(keyword, input.parse()?))
            }
            _ => Err(Error::new(keyword.span(), keyword::unknown_option(&name))),
        }
    }
}

/// Parses the `=` after a clause keyword and returns its span.
fn expect_eq(input: ParseStream, keyword: &Ident, example: &str) -> syn::Result<Span> {
    if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        Ok(eq.span())
    } else {
        Err(error_at_next(
            input,
            keyword.span(),
            format!("expected `=` after `{keyword}`, e.g. `{keyword} = {example}`"),
        ))
    }
}

/// An error at the next token, or at `at_end` when the input is exhausted
/// (where `input.error` would point at the call site and prefix
/// "unexpected end of input").
fn error_at_next(input: ParseStream, at_end: Span, message: impl std::fmt::Display) -> Error {
    let span = if input.is_empty() {
        at_end
    } else {
        input.span()
    };
    Error::new(span, message)
}

impl Parse for Loss {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident = input.call(Ident::parse_any)?;
        let name = ident.unraw().to_string();
        let Some(entry) = keyword::loss(&name) else {
            return Err(Error::new(ident.span(), keyword::unknown_loss(&name)));
        };
        let param = parse_param_group(input, entry.name, entry.param, None)?;
        Ok(Loss {
            kind: entry.kind,
            param,
            span: ident.span(),
        })
    }
}

impl Parse for Scalar {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident = input.call(Ident::parse_any)?;
        let name = ident.unraw().to_string();
        let Some(kind) = keyword::scalar(&name) else {
            return Err(Error::new(ident.span(), keyword::unknown_scalar(&name)));
        };
        Ok(Scalar {
            kind,
            span: ident.span(),
        })
    }
}

/// The optional `(param)` after an activation or loss called `owner`.
/// `info` says whether `owner` takes a parameter; `suggest` names a similar
/// function that does, for owners that do not.
fn parse_param_group(
    input: ParseStream,
    owner: &str,
    info: Option<ParamInfo>,
    suggest: Option<&str>,
) -> syn::Result<Option<Param>> {
    if !input.peek(token::Paren) {
        return Ok(None);
    }
    let content;
    let paren = syn::parenthesized!(content in input);
    let group = paren.span.join();
    let Some(info) = info else {
        let message = match suggest {
            Some(other) => {
                let written = content
                    .fork()
                    .parse::<Number>()
                    .ok()
                    .map_or_else(|| "0.01".to_owned(), |n| n.text);
                format!("`{owner}` takes no parameter; did you mean `{other}({written})`?")
            }
            None => format!("`{owner}` takes no parameter; write just `{owner}`"),
        };
        return Err(Error::new(group, message));
    };
    let example = format!("`{owner}({})`", info.example);
    if content.is_empty() {
        return Err(Error::new(
            group,
            format!(
                "write the {} of `{owner}` inside the parentheses, e.g. {example}, \
                 or remove them",
                info.name
            ),
        ));
    }
    if !(content.peek(Token![-]) || content.peek(LitInt) || content.peek(LitFloat)) {
        return Err(content.error(format!(
            "the {} of `{owner}` is a number, e.g. {example}",
            info.name
        )));
    }
    let Number {
        value,
        lit_span,
        minus,
        ..
    } = content.parse()?;
    // `-0.5` is two tokens; where they cannot be joined, point at `(-0.5)`.
    let span = match minus {
        Some(minus) => minus.join(lit_span).unwrap_or(group),
        None => lit_span,
    };
    let param = Param { value, span };
    if !content.is_empty() {
        return Err(content.error(format!(
            "`{owner}` takes one parameter, the {}, e.g. {example}",
            info.name
        )));
    }
    Ok(Some(param))
}

/// A numeric literal with an optional leading `-`, as written.
struct Number {
    value: f64,
    /// The literal's span, without the `-`.
    lit_span: Span,
    /// The `-`'s span, if written.
    minus: Option<Span>,
    text: String,
}

impl Parse for Number {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let minus: Option<Token![-]> = input.parse()?;
        let (value, lit_span, lit_text) = if input.peek(LitFloat) {
            let lit: LitFloat = input.parse()?;
            (lit.base10_parse::<f64>()?, lit.span(), lit.to_string())
        } else if input.peek(LitInt) {
            let lit: LitInt = input.parse()?;
            let value = lit
                .base10_digits()
                .parse::<f64>()
                .map_err(|e| Error::new(lit.span(), e))?;
            (value, lit.span(), lit.to_string())
        } else {
            // Inside parentheses the end of input is the `)`, a fine place
            // to point at.
            return Err(Error::new(input.span(), "expected a number, e.g. `0.01`"));
        };
        Ok(match minus {
            Some(minus) => Number {
                value: -value,
                lit_span,
                minus: Some(minus.span),
                text: format!("-{lit_text}"),
            },
            None => Number {
                value,
                lit_span,
                minus: None,
                text: lit_text,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::LossKind;
    use quote::{format_ident, quote};

    fn ok(tokens: TokenStream) -> Network {
        match parse(tokens.clone()) {
            Ok(net) => net,
            Err(e) => panic!("`{tokens}` should parse, got: {e}"),
        }
    }

    fn err(tokens: TokenStream) -> String {
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

    fn layers(net: &Network) -> Vec<(usize, ActivationKind)> {
        net.layers
            .iter()
            .map(|l| (l.width.value, l.activation.kind))
            .collect()
    }

    const ALL_ACTIVATIONS: &str =
        "sigmoid, tanh, relu, leaky_relu, linear, softmax, elu, softplus, gelu";
    const ALL_LOSSES: &str = "mse, sse, mae, huber, bce, cce, sparse_cce, hinge, perceptron";

    // Valid inputs.

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
    fn every_activation() {
        for entry in keyword::ACTIVATIONS {
            let name = format_ident!("{}", entry.name);
            let net = ok(quote!(3 => 5 #name => 1 linear; loss = mse));
            assert_eq!(net.layers[0].activation.kind, entry.kind);
            assert!(net.layers[0].activation.param.is_none());
        }
    }

    #[test]
    fn every_loss() {
        for entry in keyword::LOSSES {
            let name = format_ident!("{}", entry.name);
            let net = ok(quote!(3 => 1 linear; loss = #name));
            assert_eq!(net.loss.kind, entry.kind);
            assert!(net.loss.param.is_none());
        }
    }

    #[test]
    fn activation_params() {
        let net = ok(quote!(2 => 4 leaky_relu(0.2) => 4 elu(1.5) => 3 softmax; loss = cce));
        assert_eq!(
            layers(&net),
            [
                (4, ActivationKind::LeakyRelu),
                (4, ActivationKind::Elu),
                (3, ActivationKind::Softmax)
            ]
        );
        assert_eq!(net.layers[0].activation.param.unwrap().value, 0.2);
        assert_eq!(net.layers[1].activation.param.unwrap().value, 1.5);
        assert!(net.layers[2].activation.param.is_none());
    }

    #[test]
    fn loss_param() {
        let net = ok(quote!(1 => 16 elu(1.5) => 1 linear; loss = huber(0.5)));
        assert_eq!(net.loss.kind, LossKind::Huber);
        assert_eq!(net.loss.param.unwrap().value, 0.5);
        let net = ok(quote!(1 => 1 linear; loss = huber));
        assert!(net.loss.param.is_none());
    }

    #[test]
    fn params_accept_ints_floats_suffixes_and_a_minus() {
        let param = |tokens: TokenStream| {
            let net = ok(quote!(1 => 2 leaky_relu(#tokens) => 1 linear; loss = mse));
            net.layers[0].activation.param.unwrap().value
        };
        assert_eq!(param(quote!(0)), 0.0);
        assert_eq!(param(quote!(2)), 2.0);
        assert_eq!(param(quote!(0.25)), 0.25);
        assert_eq!(param(quote!(1e-2)), 0.01);
        assert_eq!(param(quote!(0.5f32)), 0.5);
        assert_eq!(param(quote!(3u8)), 3.0);
        assert_eq!(param(quote!(-0.1)), -0.1);
        assert_eq!(param(quote!(-3)), -3.0);
        assert_eq!(param(quote!(1_000.5)), 1000.5);
        assert!(param(quote!(1e999)).is_infinite());
        let net = ok(quote!(1 => 1 linear; loss = huber(-2)));
        assert_eq!(net.loss.param.unwrap().value, -2.0);
    }

    #[test]
    fn scalar_option() {
        let net = ok(quote!(2 => 4 leaky_relu(0.2) => 3 softmax; loss = cce; scalar = f64;));
        assert_eq!(net.scalar.kind, ScalarKind::F64);
        let net = ok(quote!(2 => 3 softmax; loss = cce; scalar = f32));
        assert_eq!(net.scalar.kind, ScalarKind::F32);
    }

    #[test]
    fn options_may_come_before_the_loss() {
        let net = ok(quote!(2 => 1 linear; scalar = f64; loss = mse));
        assert_eq!(net.scalar.kind, ScalarKind::F64);
        assert_eq!(net.loss.kind, LossKind::Mse);
    }

    #[test]
    fn widths_accept_integer_suffixes_and_zero() {
        let net = ok(quote!(4usize => 3u32 relu => 1 sigmoid; loss = bce));
        assert_eq!(net.input.value, 4);
        assert_eq!(net.layers[0].width.value, 3);
        // Zero is reported by validation, with a better message.
        let net = ok(quote!(0 => 0 relu => 1 sigmoid; loss = bce));
        assert_eq!(net.input.value, 0);
        assert_eq!(net.layers[0].width.value, 0);
    }

    #[test]
    fn raw_identifiers_are_plain_names() {
        let net = ok(quote!(2 => 1 r#sigmoid; r#loss = r#bce));
        assert_eq!(net.layers[0].activation.kind, ActivationKind::Sigmoid);
        assert_eq!(net.loss.kind, LossKind::Bce);
    }

    #[test]
    fn many_layers() {
        let net = ok(quote!(
            8 => 16 relu => 16 gelu => 8 softplus => 8 tanh => 4 softmax => 1 sigmoid;
            loss = bce
        ));
        assert_eq!(net.layers.len(), 6);
        assert_eq!(net.layers[5].activation.kind, ActivationKind::Sigmoid);
    }

    // Names.

    #[test]
    fn unknown_activation() {
        assert_eq!(
            err(quote!(2 => 3 sigmod; loss = bce)),
            "unknown activation `sigmod`; did you mean `sigmoid`?"
        );
        assert_eq!(
            err(quote!(2 => 3 identity; loss = mse)),
            "unknown activation `identity`; write `linear` for the identity"
        );
        assert_eq!(
            err(quote!(2 => 3 ReLU => 1 linear; loss = mse)),
            "unknown activation `ReLU`; names are lowercase: write `relu`"
        );
        assert_eq!(
            err(quote!(2 => 3 swish => 1 linear; loss = mse)),
            format!("activation `swish` is not available; expected one of: {ALL_ACTIVATIONS}")
        );
        assert_eq!(
            err(quote!(2 => 3 foo; loss = mse)),
            format!("unknown activation `foo`; expected one of: {ALL_ACTIVATIONS}")
        );
        // Keywords are names too.
        assert_eq!(
            err(quote!(2 => 3 type; loss = mse)),
            format!("unknown activation `type`; expected one of: {ALL_ACTIVATIONS}")
        );
    }

    #[test]
    fn unknown_loss() {
        assert_eq!(
            err(quote!(2 => 1 sigmoid; loss = bec)),
            "unknown loss `bec`; did you mean `bce`?"
        );
        assert_eq!(
            err(quote!(2 => 3 softmax; loss = cross_entropy)),
            "unknown loss `cross_entropy`; write `cce`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = smooth_l1(1.0))),
            "unknown loss `smooth_l1`; write `huber`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = quux)),
            format!("unknown loss `quux`; expected one of: {ALL_LOSSES}")
        );
    }

    #[test]
    fn unknown_option() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scaler = f64)),
            "unknown option `scaler`; did you mean `scalar`?"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; epochs = 10)),
            "unknown option `epochs`; expected `loss`, `scalar` or `weights`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; los = mse)),
            "unknown option `los`; did you mean `loss`?"
        );
        assert_eq!(
            err(quote!(2 => 1 sigmoid; bce)),
            "unknown option `bce`; write `loss = bce`"
        );
        let net = ok(quote!(2 => 1 linear; loss = mse; weights = "w.safetensors"));
        assert_eq!(net.weights.unwrap().value(), "w.safetensors");
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; weights = w)),
            "expected the path of a safetensors file in quotes after `weights =`, e.g. \
             `weights = \"model.safetensors\"`"
        );
    }

    #[test]
    fn unknown_scalar() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = f16)),
            "unknown scalar `f16`; expected `f32` or `f64`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = double)),
            "unknown scalar `double`; write `f64`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = 64)),
            "expected `f32` or `f64` after `scalar =`"
        );
    }

    // Layers.

    #[test]
    fn activation_on_the_input() {
        assert_eq!(
            err(quote!(4 relu => 3 sigmoid; loss = bce)),
            "the input layer has no activation; write `4 => ...` and put `relu` on a layer after `=>`"
        );
    }

    #[test]
    fn layer_without_activation() {
        let message = "layer `3` needs an activation, e.g. `3 relu` or `3 linear`";
        assert_eq!(err(quote!(4 => 3 => 1 sigmoid; loss = bce)), message);
        assert_eq!(err(quote!(4 => 3; loss = mse)), message);
        assert_eq!(err(quote!(4 => 3)), message);
        assert_eq!(err(quote!(4 => 3 loss = mse)), message);
        assert_eq!(err(quote!(4 => 1 sigmoid => 3)), message);
    }

    #[test]
    fn width_not_a_positive_integer_literal() {
        let message = "a layer width is a positive integer literal, e.g. `8`";
        assert_eq!(err(quote!(4 => 3.5 relu => 1 sigmoid; loss = bce)), message);
        assert_eq!(err(quote!(4 => -2 relu => 1 sigmoid; loss = bce)), message);
        assert_eq!(
            err(quote!(4 => 3f32 relu => 1 sigmoid; loss = bce)),
            message
        );
        assert_eq!(err(quote!(4 => "3" relu => 1 sigmoid; loss = bce)), message);
        assert_eq!(err(quote!(-4 => 1 sigmoid; loss = bce)), message);
        assert_eq!(err(quote!(4.0 => 1 sigmoid; loss = bce)), message);
    }

    #[test]
    fn width_named_by_a_constant() {
        assert_eq!(
            err(quote!(4 => HIDDEN relu => 1 sigmoid; loss = bce)),
            "a layer width is a positive integer literal, e.g. `8`; \
             `network!` cannot read the value of `HIDDEN`"
        );
        assert_eq!(
            err(quote!(x => 1 sigmoid; loss = bce)),
            "a layer width is a positive integer literal, e.g. `8`; \
             `network!` cannot read the value of `x`"
        );
    }

    #[test]
    fn width_left_out() {
        assert_eq!(
            err(quote!(4 => relu => 1 sigmoid; loss = bce)),
            "`relu` needs a width before it, e.g. `8 relu`"
        );
        assert_eq!(
            err(quote!(4 => 8 relu => sigmoid; loss = bce)),
            "`sigmoid` needs a width before it, e.g. `8 sigmoid`"
        );
    }

    #[test]
    fn width_too_large() {
        assert_eq!(
            err(quote!(4 => 99999999999999999999999 relu => 1 sigmoid; loss = bce)),
            "layer width `99999999999999999999999` is too large; use a width that fits in a `usize`"
        );
    }

    #[test]
    fn no_layer() {
        let message = "a network needs at least one layer after the input, e.g. `4 => 1 sigmoid`";
        assert_eq!(err(quote!(4; loss = mse)), message);
        assert_eq!(err(quote!(4)), message);
        assert_eq!(err(quote!(4 loss = mse)), message);
        assert_eq!(err(quote!(struct N { 4; loss = mse })), message);
    }

    #[test]
    fn nothing_after_an_arrow() {
        let message = "expected a layer after `=>`, e.g. `=> 1 sigmoid`";
        assert_eq!(err(quote!(4 =>)), message);
        assert_eq!(err(quote!(4 => ; loss = mse)), message);
        assert_eq!(err(quote!(4 => 1 sigmoid =>; loss = bce)), message);
        assert_eq!(err(quote!(4 => => 1 sigmoid; loss = bce)), message);
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
    fn parameter_on_a_function_without_one() {
        assert_eq!(
            err(quote!(2 => 3 relu(0.1) => 1 sigmoid; loss = bce)),
            "`relu` takes no parameter; did you mean `leaky_relu(0.1)`?"
        );
        assert_eq!(
            err(quote!(2 => 3 relu(-0.5) => 1 sigmoid; loss = bce)),
            "`relu` takes no parameter; did you mean `leaky_relu(-0.5)`?"
        );
        assert_eq!(
            err(quote!(2 => 3 relu() => 1 sigmoid; loss = bce)),
            "`relu` takes no parameter; did you mean `leaky_relu(0.01)`?"
        );
        assert_eq!(
            err(quote!(2 => 3 sigmoid(2) => 1 sigmoid; loss = bce)),
            "`sigmoid` takes no parameter; write just `sigmoid`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse(2))),
            "`mse` takes no parameter; write just `mse`"
        );
    }

    #[test]
    fn malformed_parameter() {
        assert_eq!(
            err(quote!(2 => 3 leaky_relu() => 1 sigmoid; loss = bce)),
            "write the slope of `leaky_relu` inside the parentheses, e.g. `leaky_relu(0.01)`, \
             or remove them"
        );
        assert_eq!(
            err(quote!(2 => 3 elu(a) => 1 sigmoid; loss = bce)),
            "the alpha of `elu` is a number, e.g. `elu(1.0)`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = huber(0.5, 1))),
            "`huber` takes one parameter, the delta, e.g. `huber(1.0)`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = huber(-))),
            "expected a number, e.g. `0.01`"
        );
    }

    #[test]
    fn dropout_after_an_activation() {
        let net =
            ok(quote!(2 => 8 relu dropout(0.25) => 4 tanh dropout(0) => 1 sigmoid; loss = bce));
        let rates: Vec<Option<f64>> = net
            .layers
            .iter()
            .map(|l| l.dropout.as_ref().map(|d| d.rate.value))
            .collect();
        assert_eq!(rates, [Some(0.25), Some(0.0), None]);
        assert_eq!(
            err(quote!(2 => 8 relu dropout => 1 sigmoid; loss = bce)),
            "`dropout` needs its rate, the fraction of units dropped while training, e.g. `dropout(0.5)`"
        );
        assert_eq!(
            err(quote!(2 => 8 relu dropout() => 1 sigmoid; loss = bce)),
            "write the rate of `dropout` inside the parentheses, e.g. `dropout(0.5)`, or remove them"
        );
    }

    #[test]
    fn stray_tokens_after_a_layer() {
        assert_eq!(
            err(quote!(2 => 8 relu -> 1 sigmoid; loss = bce)),
            "write `=>` between layers, not `->`"
        );
        assert_eq!(
            err(quote!(2 -> 1 sigmoid; loss = bce)),
            "write `=>` between layers, not `->`"
        );
        assert_eq!(
            err(quote!(2 => 1 sigmoid, loss = bce)),
            "write `;` to end the layers, not `,`"
        );
        assert_eq!(
            err(quote!(2 => 1 sigmoid loss = bce)),
            "expected `;` before `loss`"
        );
        assert_eq!(
            err(quote!(2 => 8 relu 1 sigmoid; loss = bce)),
            "expected `=>` and another layer, or `;` and `loss = ...`, after `8 relu`"
        );
        assert_eq!(
            err(quote!(2 => 8 leaky_relu(0.1) sigmoid; loss = bce)),
            "expected `=>` and another layer, or `;` and `loss = ...`, after `8 leaky_relu(...)`"
        );
        assert_eq!(
            err(quote!(2 (relu) => 1 sigmoid; loss = bce)),
            "expected `=>` after the input width, e.g. `2 => 3 relu`"
        );
    }

    // Clauses.

    #[test]
    fn missing_loss_suggests_one_that_fits_the_output() {
        for (output, loss) in [
            (quote!(1 sigmoid), "bce"),
            (quote!(3 softmax), "cce"),
            (quote!(1 linear), "mse"),
            (quote!(1 tanh), "mse"),
        ] {
            let message =
                format!("missing `loss = ...`; add e.g. `; loss = {loss}` after the last layer");
            assert_eq!(err(quote!(2 => 4 relu => #output)), message);
            assert_eq!(err(quote!(2 => 4 relu => #output;)), message);
            assert_eq!(err(quote!(2 => 4 relu => #output; scalar = f64)), message);
            assert_eq!(err(quote!(struct N { 2 => #output })), message);
        }
    }

    #[test]
    fn repeated_clauses() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; loss = mae)),
            "`loss` is given twice; keep one"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = f64; scalar = f32)),
            "`scalar` is given twice; keep one"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; scalar = f64; loss = mse; scalar = f64)),
            "`scalar` is given twice; keep one"
        );
    }

    #[test]
    fn malformed_clauses() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss mse)),
            "expected `=` after `loss`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss: mse)),
            "expected `=` after `loss`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar f64)),
            "expected `=` after `scalar`, e.g. `scalar = f64`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = )),
            "expected a loss after `loss =`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = ; scalar = f64)),
            "expected a loss after `loss =`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear;; loss = mse)),
            "remove the extra `;`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; 3)),
            "expected `loss = ...`, `scalar = ...` or `weights = ...` after `;`"
        );
    }

    #[test]
    fn missing_semicolon_between_clauses() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse scalar = f64)),
            "expected `;` before `scalar`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; scalar = f64 loss = mse)),
            "expected `;` before `loss`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse, scalar = f64)),
            "write `;` between clauses, not `,`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse extra)),
            "expected `;` or the end of the network after `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = huber(1.0) 7)),
            "expected `;` or the end of the network after `loss = huber(...)`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = f64 => 3)),
            "expected `;` or the end of the network after `scalar = f64`"
        );
    }

    // Item form.

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
