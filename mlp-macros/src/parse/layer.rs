//! One layer, `WIDTH activation ['dropout' '(' rate ')']`, the input width, and
//! what may follow each.

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Error, Ident, LitInt, Token, token};

use super::clause::peek_clause_keyword;
use super::function::parse_param_group;
use crate::ast::{Activation, Dropout, Layer, Width};
use crate::keyword;

const WIDTH_MESSAGE: &str = "a layer width is a positive integer literal, e.g. `8`";

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

/// After the input width only `=>` may follow.
pub(super) fn expect_after_input(input: ParseStream, width: &Width) -> syn::Result<()> {
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
pub(super) fn expect_after_layer(input: ParseStream, layer: &Layer) -> syn::Result<()> {
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

#[cfg(test)]
mod tests {
    use crate::ast::ActivationKind;
    use crate::parse::test_support::{err, ok};
    use quote::quote;

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
    fn many_layers() {
        let net = ok(quote!(
            8 => 16 relu => 16 gelu => 8 softplus => 8 tanh => 4 softmax => 1 sigmoid;
            loss = bce
        ));
        assert_eq!(net.layers.len(), 6);
        assert_eq!(net.layers[5].activation.kind, ActivationKind::Sigmoid);
    }

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
}
