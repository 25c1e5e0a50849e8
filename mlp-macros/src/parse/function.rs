//! An activation or a loss by name, with its optional parameter in parentheses.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Error, Ident, LitFloat, LitInt, Token, token};

use super::number::Number;
use crate::ast::{Activation, ActivationKind, Loss, Param};
use crate::keyword::{self, ParamInfo};

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

/// The optional `(param)` after an activation or loss called `owner`.
/// `info` says whether `owner` takes a parameter; `suggest` names a similar
/// function that does, for owners that do not.
pub(super) fn parse_param_group(
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

#[cfg(test)]
mod tests {
    use crate::ast::{ActivationKind, LossKind};
    use crate::keyword;
    use crate::parse::test_support::{err, layers, ok};
    use quote::{format_ident, quote};

    const ALL_ACTIVATIONS: &str =
        "sigmoid, tanh, relu, leaky_relu, linear, softmax, elu, softplus, gelu";
    const ALL_LOSSES: &str = "mse, sse, mae, huber, bce, cce, sparse_cce, hinge, perceptron";

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
    fn raw_identifiers_are_plain_names() {
        let net = ok(quote!(2 => 1 r#sigmoid; r#loss = r#bce));
        assert_eq!(net.layers[0].activation.kind, ActivationKind::Sigmoid);
        assert_eq!(net.loss.kind, LossKind::Bce);
    }

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
}
