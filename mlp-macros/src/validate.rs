//! Semantic checks on a parsed [`Network`].
//!
//! Every rule is checked and every violation reported, so the user sees all
//! problems of a definition in one compile.

use syn::Error;

use crate::ast::{ActivationKind, Layer, LossKind, Network, Param};
use crate::keyword::{activation_name, loss_name};

/// Runs every check; all violations come back combined into one error.
pub fn validate(net: &Network) -> syn::Result<()> {
    let mut errors = Vec::new();
    check_input_width(net, &mut errors);
    check_layer_widths(net, &mut errors);
    check_leaky_relu_slope(net, &mut errors);
    check_elu_alpha(net, &mut errors);
    check_huber_delta(net, &mut errors);
    check_dropout(net, &mut errors);
    check_bce_output(net, &mut errors);
    check_cce_output(net, &mut errors);
    check_margin_output(net, &mut errors);
    check_regression_output(net, &mut errors);

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

// Dropout belongs on hidden layers, with a rate in [0, 1):
// `4 => 8 relu dropout(0.5) => 1 sigmoid` is fine; `dropout(1.0)` and dropout on the
// output layer are errors.
fn check_dropout(net: &Network, errors: &mut Vec<Error>) {
    let last = net.layers.len().saturating_sub(1);
    for (i, layer) in net.layers.iter().enumerate() {
        let Some(dropout) = &layer.dropout else {
            continue;
        };
        let rate = dropout.rate.value;
        if i == last {
            errors.push(Error::new(
                dropout.span,
                format!(
                    "dropout is for hidden layers; remove `dropout({rate})` from the output \
                     layer, or add a hidden layer to put it on"
                ),
            ));
        } else if !(rate.is_finite() && (0.0..1.0).contains(&rate)) {
            errors.push(Error::new(
                dropout.rate.span,
                "the dropout rate is the fraction of units dropped while training; use a \
                 value in [0, 1), e.g. `dropout(0.5)`",
            ));
        }
    }
}

// The input has at least one feature: `0 => 1 sigmoid` is an error.
fn check_input_width(net: &Network, errors: &mut Vec<Error>) {
    if net.input.value == 0 {
        errors.push(Error::new(
            net.input.span,
            "the input needs at least one feature; write a width of 1 or more",
        ));
    }
}

// Every layer has at least one neuron: `4 => 0 relu => 1 sigmoid` is an error.
fn check_layer_widths(net: &Network, errors: &mut Vec<Error>) {
    for layer in &net.layers {
        if layer.width.value == 0 {
            errors.push(Error::new(
                layer.width.span,
                "a layer needs at least one neuron; write a width of 1 or more",
            ));
        }
    }
}

// The slope of leaky_relu is finite and in [0, 1): `leaky_relu(0.2)` is fine,
// `leaky_relu(-0.1)` and `leaky_relu(1.5)` are errors.
fn check_leaky_relu_slope(net: &Network, errors: &mut Vec<Error>) {
    for param in activation_params(net, ActivationKind::LeakyRelu) {
        if !(param.value.is_finite() && (0.0..1.0).contains(&param.value)) {
            errors.push(Error::new(
                param.span,
                "the slope of `leaky_relu` must be in [0, 1): it is the gradient for \
                 negative inputs; write e.g. `leaky_relu(0.01)`",
            ));
        }
    }
}

// The alpha of elu is finite and positive: `elu(1.5)` is fine, `elu(0)` is an error.
fn check_elu_alpha(net: &Network, errors: &mut Vec<Error>) {
    for param in activation_params(net, ActivationKind::Elu) {
        if !positive(param) {
            errors.push(Error::new(
                param.span,
                "the alpha of `elu` must be finite and greater than 0: elu tends to -alpha \
                 for large negative inputs; write e.g. `elu(1.0)`",
            ));
        }
    }
}

// The delta of huber is finite and positive: `huber(0.5)` is fine, `huber(-1)` is an error.
fn check_huber_delta(net: &Network, errors: &mut Vec<Error>) {
    if net.loss.kind != LossKind::Huber {
        return;
    }
    if let Some(param) = &net.loss.param
        && !positive(param)
    {
        errors.push(Error::new(
            param.span,
            "the delta of `huber` must be finite and greater than 0: it is where the loss \
             turns from quadratic to linear; write e.g. `huber(1.0)`",
        ));
    }
}

// `bce` needs a sigmoid output of any width (several outputs = multi-label):
// `=> 3 sigmoid; loss = bce` is fine, `=> 1 relu; loss = bce` is an error.
fn check_bce_output(net: &Network, errors: &mut Vec<Error>) {
    let Some(output) = output_for(net, &[LossKind::Bce]) else {
        return;
    };
    if output.activation.kind == ActivationKind::Sigmoid {
        return;
    }
    let n = output.width.value;
    let alternative = if output.activation.kind == ActivationKind::Softmax && n >= 2 {
        "or use `loss = cce` for a softmax output"
    } else {
        "or use `loss = mse` for regression"
    };
    mismatch(
        net,
        format!(
            "`bce` needs a `sigmoid` output layer, found `{}`; \
             write `{n} sigmoid` as the last layer, {alternative}",
            describe(output)
        ),
        output.activation.span,
        format!("`loss = bce` needs `{n} sigmoid` here"),
        errors,
    );
}

// `cce` and `sparse_cce` need a softmax output with at least 2 outputs:
// `=> 3 softmax; loss = cce` is fine; `=> 3 sigmoid; loss = cce` and
// `=> 1 softmax; loss = sparse_cce` are errors.
fn check_cce_output(net: &Network, errors: &mut Vec<Error>) {
    let Some(output) = output_for(net, &[LossKind::Cce, LossKind::SparseCce]) else {
        return;
    };
    let loss = loss_name(net.loss.kind);
    let n = output.width.value;
    if n < 2 {
        // One output cannot be a class distribution; any activation fix would be wrong.
        errors.push(Error::new(
            output.width.span,
            format!(
                "`{loss}` needs at least 2 outputs, found {n}; \
                 for one output use `1 sigmoid` with `loss = bce`"
            ),
        ));
        return;
    }
    if output.activation.kind == ActivationKind::Softmax {
        return;
    }
    let alternative = if output.activation.kind == ActivationKind::Sigmoid {
        "or use `loss = bce` for multi-label outputs"
    } else {
        "or use `loss = mse` for regression"
    };
    mismatch(
        net,
        format!(
            "`{loss}` needs a `softmax` output layer, found `{}`; write `{n} softmax`, {alternative}",
            describe(output)
        ),
        output.activation.span,
        format!("`loss = {loss}` needs `{n} softmax` here"),
        errors,
    );
}

// `hinge` and `perceptron` need exactly one linear output, the labels being
// -1/+1: `=> 1 linear; loss = hinge` is fine, `=> 2 linear; loss = hinge` and
// `=> 1 sigmoid; loss = perceptron` are errors.
fn check_margin_output(net: &Network, errors: &mut Vec<Error>) {
    let Some(output) = output_for(net, &[LossKind::Hinge, LossKind::Perceptron]) else {
        return;
    };
    let linear = output.activation.kind == ActivationKind::Linear;
    let n = output.width.value;
    if linear && n == 1 {
        return;
    }
    let loss = loss_name(net.loss.kind);
    let alternative = if n >= 2 {
        format!(", or use `loss = cce` with `{n} softmax` for {n} classes")
    } else if output.activation.kind == ActivationKind::Sigmoid {
        ", or use `loss = bce` with the sigmoid output (labels 0/1)".to_owned()
    } else {
        String::new()
    };
    let at = if linear {
        output.width.span
    } else {
        output.activation.span
    };
    mismatch(
        net,
        format!(
            "`{loss}` needs one `linear` output (labels -1/+1), found `{}`; \
             write `1 linear` as the last layer{alternative}",
            describe(output)
        ),
        at,
        format!("`loss = {loss}` needs `1 linear` here"),
        errors,
    );
}

// The regression losses `mse`, `sse`, `mae` and `huber` accept any output but
// softmax: `=> 1 linear; loss = mse` is fine, `=> 3 softmax; loss = mse` is an error.
fn check_regression_output(net: &Network, errors: &mut Vec<Error>) {
    let regression = [LossKind::Mse, LossKind::Sse, LossKind::Mae, LossKind::Huber];
    let Some(output) = output_for(net, &regression) else {
        return;
    };
    if output.activation.kind != ActivationKind::Softmax {
        return;
    }
    let loss = loss_name(net.loss.kind);
    mismatch(
        net,
        format!(
            "`{loss}` cannot follow a `softmax` output: softmax outputs are probabilities; \
             use `loss = cce` (one-hot targets) or `loss = sparse_cce` (class indices)"
        ),
        output.activation.span,
        format!(
            "`loss = {loss}` cannot follow this `softmax`; for regression write `{} linear` here",
            output.width.value
        ),
        errors,
    );
}

/// The params written on every layer with activation `kind`.
fn activation_params(net: &Network, kind: ActivationKind) -> impl Iterator<Item = &Param> {
    net.layers
        .iter()
        .filter(move |l| l.activation.kind == kind)
        .filter_map(|l| l.activation.param.as_ref())
}

fn positive(param: &Param) -> bool {
    param.value.is_finite() && param.value > 0.0
}

/// The output layer when the loss is one of `losses` and the output is not
/// already reported for a zero width.
fn output_for<'a>(net: &'a Network, losses: &[LossKind]) -> Option<&'a Layer> {
    if !losses.contains(&net.loss.kind) {
        return None;
    }
    net.layers.last().filter(|l| l.width.value > 0)
}

fn describe(layer: &Layer) -> String {
    format!(
        "{} {}",
        layer.width.value,
        activation_name(layer.activation.kind)
    )
}

/// A loss that does not fit the output layer: the main error at the loss
/// name, and a short one at the output so both tokens are highlighted.
fn mismatch(
    net: &Network,
    message: String,
    output_span: proc_macro2::Span,
    output_message: String,
    errors: &mut Vec<Error>,
) {
    errors.push(Error::new(net.loss.span, message));
    errors.push(Error::new(output_span, output_message));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;
    use quote::{format_ident, quote};

    /// Every validation message for `tokens`, in order; empty when valid.
    fn errors(tokens: TokenStream) -> Vec<String> {
        let net = match crate::parse::parse(tokens.clone()) {
            Ok(net) => net,
            Err(e) => panic!("`{tokens}` should parse, got: {e}"),
        };
        match validate(&net) {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn valid(tokens: TokenStream) {
        let found = errors(tokens.clone());
        assert!(
            found.is_empty(),
            "`{tokens}` should be valid, got: {found:?}"
        );
    }

    const SLOPE: &str = "the slope of `leaky_relu` must be in [0, 1): it is the gradient for \
                         negative inputs; write e.g. `leaky_relu(0.01)`";
    const ALPHA: &str = "the alpha of `elu` must be finite and greater than 0: elu tends to \
                         -alpha for large negative inputs; write e.g. `elu(1.0)`";
    const DELTA: &str = "the delta of `huber` must be finite and greater than 0: it is where \
                         the loss turns from quadratic to linear; write e.g. `huber(1.0)`";
    const NEURON: &str = "a layer needs at least one neuron; write a width of 1 or more";
    const FEATURE: &str = "the input needs at least one feature; write a width of 1 or more";

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
    fn dropout_on_hidden_layers_only_with_a_rate_below_one() {
        valid(quote!(2 => 8 relu dropout(0.5) => 4 tanh dropout(0) => 1 sigmoid; loss = bce));
        assert_eq!(
            errors(quote!(2 => 8 relu dropout(1.0) => 1 sigmoid dropout(0.5); loss = bce)),
            [
                "the dropout rate is the fraction of units dropped while training; use a value \
                 in [0, 1), e.g. `dropout(0.5)`",
                "dropout is for hidden layers; remove `dropout(0.5)` from the output layer, or \
                 add a hidden layer to put it on",
            ]
        );
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
    fn every_fitting_pair_is_valid() {
        valid(quote!(2 => 1 sigmoid; loss = bce));
        valid(quote!(2 => 5 sigmoid; loss = bce));
        for loss in ["cce", "sparse_cce"] {
            let loss = format_ident!("{loss}");
            valid(quote!(2 => 2 softmax; loss = #loss));
            valid(quote!(2 => 10 softmax; loss = #loss));
        }
        for loss in ["hinge", "perceptron"] {
            let loss = format_ident!("{loss}");
            valid(quote!(2 => 8 relu => 1 linear; loss = #loss));
        }
        for loss in ["mse", "sse", "mae", "huber"] {
            let loss = format_ident!("{loss}");
            for act in [
                "sigmoid",
                "tanh",
                "relu",
                "leaky_relu",
                "linear",
                "elu",
                "softplus",
                "gelu",
            ] {
                let act = format_ident!("{act}");
                valid(quote!(2 => 1 #act; loss = #loss));
                valid(quote!(2 => 3 #act; loss = #loss));
            }
        }
    }

    #[test]
    fn softmax_on_a_hidden_layer_is_allowed() {
        valid(quote!(2 => 4 softmax => 1 linear; loss = mse));
        valid(quote!(2 => 4 softmax => 1 sigmoid; loss = bce));
    }

    #[test]
    fn zero_widths() {
        assert_eq!(errors(quote!(0 => 1 sigmoid; loss = bce)), [FEATURE]);
        assert_eq!(
            errors(quote!(2 => 0 relu => 1 sigmoid; loss = bce)),
            [NEURON]
        );
        assert_eq!(
            errors(quote!(0 => 0 relu => 0 tanh => 1 sigmoid; loss = bce)),
            [FEATURE, NEURON, NEURON]
        );
    }

    #[test]
    fn zero_width_output_is_reported_once() {
        // The pairing checks stay silent rather than pile onto the zero width.
        for loss in ["bce", "cce", "sparse_cce", "hinge", "perceptron", "mse"] {
            let loss = format_ident!("{loss}");
            assert_eq!(errors(quote!(2 => 0 softmax; loss = #loss)), [NEURON]);
        }
    }

    #[test]
    fn leaky_relu_slope() {
        for slope in [
            quote!(0),
            quote!(0.0),
            quote!(0.01),
            quote!(0.5),
            quote!(0.999),
        ] {
            valid(quote!(2 => 4 leaky_relu(#slope) => 1 linear; loss = mse));
        }
        valid(quote!(2 => 4 leaky_relu => 1 linear; loss = mse));
        for slope in [
            quote!(-0.1),
            quote!(1),
            quote!(1.0),
            quote!(2.5),
            quote!(1e999),
        ] {
            assert_eq!(
                errors(quote!(2 => 4 leaky_relu(#slope) => 1 linear; loss = mse)),
                [SLOPE]
            );
        }
    }

    #[test]
    fn elu_alpha() {
        for alpha in [quote!(1), quote!(1.0), quote!(0.1), quote!(1e-6)] {
            valid(quote!(2 => 4 elu(#alpha) => 1 linear; loss = mse));
        }
        valid(quote!(2 => 4 elu => 1 linear; loss = mse));
        for alpha in [quote!(0), quote!(0.0), quote!(-1.0), quote!(1e999)] {
            assert_eq!(
                errors(quote!(2 => 4 elu(#alpha) => 1 linear; loss = mse)),
                [ALPHA]
            );
        }
    }

    #[test]
    fn huber_delta() {
        for delta in [quote!(1), quote!(0.5), quote!(100.0)] {
            valid(quote!(2 => 1 linear; loss = huber(#delta)));
        }
        valid(quote!(2 => 1 linear; loss = huber));
        for delta in [quote!(0), quote!(-1), quote!(-0.5), quote!(1e999)] {
            assert_eq!(errors(quote!(2 => 1 linear; loss = huber(#delta))), [DELTA]);
        }
    }

    #[test]
    fn bce_needs_sigmoid() {
        assert_eq!(
            errors(quote!(2 => 1 relu; loss = bce)),
            [
                "`bce` needs a `sigmoid` output layer, found `1 relu`; write `1 sigmoid` as the \
                 last layer, or use `loss = mse` for regression",
                "`loss = bce` needs `1 sigmoid` here",
            ]
        );
        assert_eq!(
            errors(quote!(2 => 3 softmax; loss = bce)),
            [
                "`bce` needs a `sigmoid` output layer, found `3 softmax`; write `3 sigmoid` as \
                 the last layer, or use `loss = cce` for a softmax output",
                "`loss = bce` needs `3 sigmoid` here",
            ]
        );
        assert_eq!(
            errors(quote!(2 => 1 linear; loss = bce))[0],
            "`bce` needs a `sigmoid` output layer, found `1 linear`; write `1 sigmoid` as the \
             last layer, or use `loss = mse` for regression"
        );
    }

    #[test]
    fn cce_needs_softmax() {
        for loss in ["cce", "sparse_cce"] {
            let ident = format_ident!("{loss}");
            assert_eq!(
                errors(quote!(2 => 3 sigmoid; loss = #ident)),
                [
                    format!(
                        "`{loss}` needs a `softmax` output layer, found `3 sigmoid`; \
                         write `3 softmax`, or use `loss = bce` for multi-label outputs"
                    ),
                    format!("`loss = {loss}` needs `3 softmax` here"),
                ]
            );
            assert_eq!(
                errors(quote!(2 => 4 linear; loss = #ident)),
                [
                    format!(
                        "`{loss}` needs a `softmax` output layer, found `4 linear`; \
                         write `4 softmax`, or use `loss = mse` for regression"
                    ),
                    format!("`loss = {loss}` needs `4 softmax` here"),
                ]
            );
        }
    }

    #[test]
    fn cce_needs_two_outputs() {
        for loss in ["cce", "sparse_cce"] {
            let ident = format_ident!("{loss}");
            let message = format!(
                "`{loss}` needs at least 2 outputs, found 1; \
                 for one output use `1 sigmoid` with `loss = bce`"
            );
            assert_eq!(
                errors(quote!(2 => 1 softmax; loss = #ident)),
                [message.as_str()]
            );
            // The width is the problem; `1 softmax` would not help.
            assert_eq!(
                errors(quote!(2 => 1 relu; loss = #ident)),
                [message.as_str()]
            );
        }
    }

    #[test]
    fn margin_losses_need_one_linear_output() {
        for loss in ["hinge", "perceptron"] {
            let ident = format_ident!("{loss}");
            assert_eq!(
                errors(quote!(2 => 2 linear; loss = #ident)),
                [
                    format!(
                        "`{loss}` needs one `linear` output (labels -1/+1), found `2 linear`; \
                         write `1 linear` as the last layer, or use `loss = cce` with \
                         `2 softmax` for 2 classes"
                    ),
                    format!("`loss = {loss}` needs `1 linear` here"),
                ]
            );
            assert_eq!(
                errors(quote!(2 => 1 sigmoid; loss = #ident)),
                [
                    format!(
                        "`{loss}` needs one `linear` output (labels -1/+1), found `1 sigmoid`; \
                         write `1 linear` as the last layer, or use `loss = bce` with the \
                         sigmoid output (labels 0/1)"
                    ),
                    format!("`loss = {loss}` needs `1 linear` here"),
                ]
            );
            assert_eq!(
                errors(quote!(2 => 1 tanh; loss = #ident)),
                [
                    format!(
                        "`{loss}` needs one `linear` output (labels -1/+1), found `1 tanh`; \
                         write `1 linear` as the last layer"
                    ),
                    format!("`loss = {loss}` needs `1 linear` here"),
                ]
            );
            assert_eq!(
                errors(quote!(2 => 3 softmax; loss = #ident))[0],
                format!(
                    "`{loss}` needs one `linear` output (labels -1/+1), found `3 softmax`; \
                     write `1 linear` as the last layer, or use `loss = cce` with \
                     `3 softmax` for 3 classes"
                )
            );
        }
    }

    #[test]
    fn regression_losses_reject_softmax() {
        for loss in ["mse", "sse", "mae", "huber"] {
            let ident = format_ident!("{loss}");
            assert_eq!(
                errors(quote!(2 => 3 softmax; loss = #ident)),
                [
                    format!(
                        "`{loss}` cannot follow a `softmax` output: softmax outputs are \
                         probabilities; use `loss = cce` (one-hot targets) or \
                         `loss = sparse_cce` (class indices)"
                    ),
                    format!(
                        "`loss = {loss}` cannot follow this `softmax`; for regression \
                         write `3 linear` here"
                    ),
                ]
            );
        }
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
}
