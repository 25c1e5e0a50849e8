//! Semantic checks on a parsed [`Network`].
//!
//! Every rule is checked and every violation reported, so the user sees all
//! problems of a definition in one compile: the ranges of widths, parameters and
//! dropout rates ([`values`]), the pairing of the loss with the output layer
//! ([`pairing`]), and the rules of compiled-in weights ([`weights`]).

mod pairing;
mod values;
mod variants;

pub use variants::validate_enum;

use syn::Error;

use crate::ast::Network;

/// Runs every check; all violations come back combined into one error.
pub fn validate(net: &Network) -> syn::Result<()> {
    let mut errors = Vec::new();
    values::check_input_width(net, &mut errors);
    values::check_layer_widths(net, &mut errors);
    values::check_leaky_relu_slope(net, &mut errors);
    values::check_elu_alpha(net, &mut errors);
    values::check_huber_delta(net, &mut errors);
    values::check_dropout(net, &mut errors);
    pairing::check_bce_output(net, &mut errors);
    pairing::check_cce_output(net, &mut errors);
    pairing::check_margin_output(net, &mut errors);
    pairing::check_regression_output(net, &mut errors);
    combined(errors)
}

/// Layers with more parameters than this live on the heap, so that large networks
/// never pass through the stack; a constant cannot hold such a layer, so this is
/// also the largest layer of compiled-in weights.
pub const INLINE_PARAMS: usize = 4096;

/// The rules of `weights = "..."` that need no file: the compiled-in network is a
/// constant of a named type, and no layer of it is larger than [`INLINE_PARAMS`].
/// Both violations are reported at once, at the path.
pub fn weights(net: &Network) -> syn::Result<()> {
    let Some(lit) = net.weights.as_ref().map(|w| &w.path) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    if net.name.is_none() {
        errors.push(Error::new(
            lit.span(),
            "compiled-in weights need a named network: write `struct Name { ... }` around it",
        ));
    }
    let widths: Vec<usize> = std::iter::once(net.input.value)
        .chain(net.layers.iter().map(|l| l.width.value))
        .collect();
    // In u128: widths are any `usize`, and their product must not overflow.
    let oversized = widths
        .windows(2)
        .map(|w| (w[0] as u128) * (w[1] as u128) + w[1] as u128)
        .enumerate()
        .find(|&(_, params)| params > INLINE_PARAMS as u128);
    if let Some((i, params)) = oversized {
        errors.push(Error::new(
            lit.span(),
            format!(
                "compiled-in weights are constants, for layers of at most {INLINE_PARAMS} \
                 parameters; layer {i} has {params}: load this network at run time with \
                 `Save::load`"
            ),
        ));
    }
    combined(errors)
}

/// `Ok` without errors, else all of them combined into one.
fn combined(errors: Vec<Error>) -> syn::Result<()> {
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            for error in errors {
                first.combine(error);
            }
            Err(first)
        }
    }
}

/// What the tests of every check validate with, and the messages several share.
#[cfg(test)]
mod test_support {
    use super::validate;
    use proc_macro2::TokenStream;

    /// Every validation message for `tokens`, in order; empty when valid.
    pub(super) fn errors(tokens: TokenStream) -> Vec<String> {
        let net = match crate::parse::parse(tokens.clone()) {
            Ok(net) => net,
            Err(e) => panic!("`{tokens}` should parse, got: {e}"),
        };
        match validate(&net) {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    pub(super) fn valid(tokens: TokenStream) {
        let found = errors(tokens.clone());
        assert!(
            found.is_empty(),
            "`{tokens}` should be valid, got: {found:?}"
        );
    }

    pub(super) const SLOPE: &str = "the slope of `leaky_relu` must be in [0, 1): it is the gradient for \
                         negative inputs; write e.g. `leaky_relu(0.01)`";
    pub(super) const ALPHA: &str = "the alpha of `elu` must be finite and greater than 0: elu tends to \
                         -alpha for large negative inputs; write e.g. `elu(1.0)`";
    pub(super) const DELTA: &str = "the delta of `huber` must be finite and greater than 0: it is where \
                         the loss turns from quadratic to linear; write e.g. `huber(1.0)`";
    pub(super) const NEURON: &str = "a layer needs at least one neuron; write a width of 1 or more";
    pub(super) const FEATURE: &str =
        "the input needs at least one feature; write a width of 1 or more";
}

#[cfg(test)]
mod tests {
    use super::test_support::{ALPHA, DELTA, FEATURE, NEURON, SLOPE, errors, valid};
    use quote::quote;

    #[test]
    fn the_examples_are_valid() {
        valid(quote! {
            /// docs
            #[allow(dead_code)]
            pub struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; }
        });
        valid(quote!(2 => 8 tanh => 1 sigmoid; loss = bce));
        valid(quote!(2 => 4 leaky_relu(0.2) => 3 softmax; loss = cce; scalar = f64;));
        valid(quote!(1 => 16 elu(1.5) => 1 linear; loss = huber(0.5)));
    }

    #[test]
    fn derives_of_generated_impls_are_valid() {
        valid(quote! {
            #[derive(Debug, Hash, Clone)]
            #[derive(PartialEq, Default)]
            struct Net { 2 => 1 linear; loss = mse; }
        });
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let found = errors(quote!(
            0 => 0 leaky_relu(1.5) => 4 elu(-1) => 3 softmax; loss = huber(0)
        ));
        assert_eq!(found.len(), 7, "{found:?}");
        assert_eq!(found[..5], [FEATURE, NEURON, SLOPE, ALPHA, DELTA]);
        assert!(found[5].starts_with("`huber` cannot follow a `softmax` output"));
        assert!(found[6].starts_with("`loss = huber` cannot follow this `softmax`"));
    }

    /// The messages of [`super::weights`] for `tokens`; empty when it accepts them.
    fn weights_errors(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let net = crate::parse::parse(tokens).expect("parses");
        match super::weights(&net) {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    const UNNAMED: &str =
        "compiled-in weights need a named network: write `struct Name { ... }` around it";

    fn too_large(layer: usize, params: u128) -> String {
        format!(
            "compiled-in weights are constants, for layers of at most 4096 parameters; \
             layer {layer} has {params}: load this network at run time with `Save::load`"
        )
    }

    #[test]
    fn compiled_weights_need_a_named_network() {
        assert_eq!(
            weights_errors(quote!(4 => 1 sigmoid; loss = bce; weights = "m.safetensors")),
            [UNNAMED]
        );
        assert!(
            weights_errors(
                quote!(struct N { 4 => 1 sigmoid; loss = bce; weights = "m.safetensors" })
            )
            .is_empty()
        );
        // Without weights the expression form is fine.
        assert!(weights_errors(quote!(4 => 1 sigmoid; loss = bce)).is_empty());
    }

    #[test]
    fn compiled_weights_have_layers_of_at_most_inline_params() {
        assert_eq!(super::INLINE_PARAMS, 4096);
        // 63 * 64 + 64 = 4096 fits; 64 * 64 + 64 = 4160 does not.
        assert!(
            weights_errors(
                quote!(struct N { 63 => 64 relu => 1 linear; loss = mse; weights = "m" })
            )
            .is_empty()
        );
        assert_eq!(
            weights_errors(
                quote!(struct N { 2 => 64 relu => 64 relu => 64 relu; loss = mse; weights = "m" })
            ),
            [too_large(1, 4160)]
        );
        // Only compiled-in weights are limited.
        assert!(
            weights_errors(quote!(struct N { 784 => 128 relu => 10 softmax; loss = cce }))
                .is_empty()
        );
        // Widths whose product overflows `usize` are counted exactly, not wrapped.
        assert_eq!(
            weights_errors(
                quote!(struct N { 18446744073709551615 => 2 linear; loss = mse; weights = "m" })
            ),
            [too_large(0, 36893488147419103232)]
        );
    }

    #[test]
    fn both_weights_rules_are_reported_at_once() {
        assert_eq!(
            weights_errors(quote!(784 => 128 relu => 10 softmax; loss = cce; weights = "m")),
            [UNNAMED.to_owned(), too_large(0, 100480)]
        );
    }
}
