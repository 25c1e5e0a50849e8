//! A numeric literal with an optional leading `-`: the parameter of an
//! activation or loss, and the rate of dropout.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Error, LitFloat, LitInt, Token};

/// A numeric literal with an optional leading `-`, as written.
pub(super) struct Number {
    pub(super) value: f64,
    /// The literal's span, without the `-`.
    pub(super) lit_span: Span,
    /// The `-`'s span, if written.
    pub(super) minus: Option<Span>,
    pub(super) text: String,
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
    use crate::parse::test_support::ok;
    use proc_macro2::TokenStream;
    use quote::quote;

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
}
