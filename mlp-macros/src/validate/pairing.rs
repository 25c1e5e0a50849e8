//! The loss and the output layer fit each other (the table of DESIGN.md).

use syn::Error;

use crate::ast::{ActivationKind, Layer, LossKind, Network};
use crate::keyword::{activation_name, loss_name};

// `bce` needs a sigmoid output of any width (several outputs = multi-label):
// `=> 3 sigmoid; loss = bce` is fine, `=> 1 relu; loss = bce` is an error.
pub(super) fn check_bce_output(net: &Network, errors: &mut Vec<Error>) {
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
pub(super) fn check_cce_output(net: &Network, errors: &mut Vec<Error>) {
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
pub(super) fn check_margin_output(net: &Network, errors: &mut Vec<Error>) {
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
pub(super) fn check_regression_output(net: &Network, errors: &mut Vec<Error>) {
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
    use crate::validate::test_support::{NEURON, errors, valid};
    use quote::{format_ident, quote};

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
    fn zero_width_output_is_reported_once() {
        // The pairing checks stay silent rather than pile onto the zero width.
        for loss in ["bce", "cce", "sparse_cce", "hinge", "perceptron", "mse"] {
            let loss = format_ident!("{loss}");
            assert_eq!(errors(quote!(2 => 0 softmax; loss = #loss)), [NEURON]);
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
}
