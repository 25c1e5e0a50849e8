//! Widths, parameters and dropout rates in their ranges.

use syn::Error;

use crate::ast::{ActivationKind, LossKind, Network, Param};

// The input has at least one feature: `0 => 1 sigmoid` is an error.
pub(super) fn check_input_width(net: &Network, errors: &mut Vec<Error>) {
    if net.input.value == 0 {
        errors.push(Error::new(
            net.input.span,
            "the input needs at least one feature; write a width of 1 or more",
        ));
    }
}

// Every layer has at least one neuron: `4 => 0 relu => 1 sigmoid` is an error.
pub(super) fn check_layer_widths(net: &Network, errors: &mut Vec<Error>) {
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
pub(super) fn check_leaky_relu_slope(net: &Network, errors: &mut Vec<Error>) {
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
pub(super) fn check_elu_alpha(net: &Network, errors: &mut Vec<Error>) {
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
pub(super) fn check_huber_delta(net: &Network, errors: &mut Vec<Error>) {
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

// Dropout belongs on hidden layers, with a rate in [0, 1):
// `4 => 8 relu dropout(0.5) => 1 sigmoid` is fine; `dropout(1.0)` and dropout on the
// output layer are errors.
pub(super) fn check_dropout(net: &Network, errors: &mut Vec<Error>) {
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

#[cfg(test)]
mod tests {
    use crate::validate::test_support::{ALPHA, DELTA, FEATURE, NEURON, SLOPE, errors, valid};
    use quote::quote;

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
}
