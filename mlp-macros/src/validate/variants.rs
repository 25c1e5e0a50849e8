//! The rules of the enum form across its variants: each variant's own network is
//! checked as a struct's is, then the declared networks against each other. Every
//! variant takes the input and gives the output of the first, in one scalar, with
//! the same kind of target (an array, or a class index for `sparse_cce`), so that
//! the enum's methods have one signature; and no two have one architecture, so
//! that a loaded file names one variant. (Variants of existing types are checked
//! by the compiler: the expansion requires their rows to be the first variant's.)

use syn::Error;

use super::{combined, validate, weights};
use crate::ast::{ActivationKind, LossKind, Network, NetworkEnum, Variant, VariantNetwork};
use crate::keyword::{loss_name, scalar_name};

/// Runs every check of every variant and across them, reporting all at once.
pub fn validate_enum(net: &NetworkEnum) -> syn::Result<()> {
    let mut errors = Vec::new();
    let declared: Vec<(&Variant, &Network)> = net
        .variants
        .iter()
        .filter_map(|v| match &v.network {
            VariantNetwork::Declared(n) => Some((v, n)),
            VariantNetwork::Existing(_) => None,
        })
        .collect();
    for (_, network) in &declared {
        errors.extend(validate(network).err());
        errors.extend(weights(network).err());
    }
    check_names(net, &mut errors);
    check_existing_types(net, &mut errors);
    if let Some(((first_variant, first), rest)) = declared.split_first() {
        for (variant, network) in rest {
            check_rows(net, (first_variant, first), (variant, network), &mut errors);
        }
    }
    check_architectures(&declared, &mut errors);
    combined(errors)
}

/// No variant name twice.
fn check_names(net: &NetworkEnum, errors: &mut Vec<Error>) {
    for (i, variant) in net.variants.iter().enumerate() {
        if net.variants[..i].iter().any(|v| v.name == variant.name) {
            errors.push(Error::new(
                variant.name.span(),
                format!(
                    "`{}` is a variant of `{}` already; give this one another name",
                    variant.name, net.name
                ),
            ));
        }
    }
}

/// No existing type twice: the enum converts from each variant's network, and a
/// loaded file could not tell the two apart.
fn check_existing_types(net: &NetworkEnum, errors: &mut Vec<Error>) {
    let existing: Vec<(&Variant, &syn::Type, String)> = net
        .variants
        .iter()
        .filter_map(|v| match &v.network {
            VariantNetwork::Existing(ty) => Some((v, ty, quote::quote!(#ty).to_string())),
            VariantNetwork::Declared(_) => None,
        })
        .collect();
    for (i, (variant, written, ty)) in existing.iter().enumerate() {
        if let Some((earlier, ..)) = existing[..i].iter().find(|(_, _, t)| t == ty) {
            errors.push(Error::new_spanned(
                written,
                format!(
                    "`{}` holds the network type of `{}`, so a loaded file could not tell \
                     them apart; keep one",
                    variant.name, earlier.name
                ),
            ));
        }
    }
}

/// `variant` takes and gives the rows of `first`: input and output widths, scalar
/// and target kind.
fn check_rows(
    net: &NetworkEnum,
    (first_variant, first): (&Variant, &Network),
    (variant, network): (&Variant, &Network),
    errors: &mut Vec<Error>,
) {
    let (a, b, name) = (&first_variant.name, &variant.name, &net.name);
    if network.input.value != first.input.value {
        errors.push(Error::new(
            network.input.span,
            format!(
                "`{b}` takes {} inputs and `{a}` {}: every variant of `{name}` takes the \
                 input of the first; write `{} => ...`",
                network.input.value, first.input.value, first.input.value
            ),
        ));
    }
    let (out, first_out) = (output(network), output(first));
    if out.value != first_out.value {
        errors.push(Error::new(
            out.span,
            format!(
                "`{b}` gives {} outputs and `{a}` {}: every variant of `{name}` gives the \
                 output of the first; make the last layer {} wide",
                out.value, first_out.value, first_out.value
            ),
        ));
    }
    if network.scalar.kind != first.scalar.kind {
        let want = scalar_name(first.scalar.kind);
        errors.push(Error::new(
            variant.name.span(),
            format!(
                "`{b}` computes in {} and `{a}` in {want}: every variant of `{name}` uses \
                 the scalar of the first; write `scalar = {want}` in `{b}`",
                scalar_name(network.scalar.kind)
            ),
        ));
    }
    let sparse = |n: &Network| n.loss.kind == LossKind::SparseCce;
    if sparse(network) != sparse(first) {
        let target = |n: &Network| match sparse(n) {
            true => "class indices".to_string(),
            false => format!("arrays of {} values", output(n).value),
        };
        let suggestion = match sparse(first) {
            true => "sparse_cce",
            false => "cce",
        };
        errors.push(Error::new(
            network.loss.span,
            format!(
                "`{b}` takes {} as targets (`{}`) and `{a}` {} (`{}`): every variant of \
                 `{name}` takes the targets of the first; write `loss = {suggestion}`",
                target(network),
                loss_name(network.loss.kind),
                target(first),
                loss_name(first.loss.kind)
            ),
        ));
    }
}

/// The output layer's width.
fn output(net: &Network) -> crate::ast::Width {
    net.layers
        .last()
        .expect("a parsed network has a layer")
        .width
}

/// No two declared variants with one architecture, as a load compares them
/// (widths, activations with their parameters, the loss; not dropout).
fn check_architectures(declared: &[(&Variant, &Network)], errors: &mut Vec<Error>) {
    for (i, (variant, network)) in declared.iter().enumerate() {
        let same = declared[..i]
            .iter()
            .find(|(_, earlier)| architecture(earlier) == architecture(network));
        if let Some((earlier, _)) = same {
            errors.push(Error::new(
                variant.name.span(),
                format!(
                    "`{}` has the architecture of `{}`, so a loaded file could not tell \
                     them apart; make them differ or keep one",
                    variant.name, earlier.name
                ),
            ));
        }
    }
}

/// A network's architecture with the DSL's defaults filled in.
fn architecture(net: &Network) -> (usize, Vec<(usize, ActivationKind, u64)>, LossKind, u64) {
    let default = |kind: ActivationKind| match kind {
        ActivationKind::LeakyRelu => 0.01,
        ActivationKind::Elu => 1.0,
        _ => 0.0,
    };
    let layers = net
        .layers
        .iter()
        .map(|l| {
            let kind = l.activation.kind;
            let param = l.activation.param.map_or(default(kind), |p| p.value);
            (l.width.value, kind, param.to_bits())
        })
        .collect();
    let delta = match net.loss.kind {
        LossKind::Huber => net.loss.param.map_or(1.0, |p| p.value),
        _ => 0.0,
    };
    (net.input.value, layers, net.loss.kind, delta.to_bits())
}

#[cfg(test)]
mod tests {
    use super::validate_enum;
    use crate::ast::Input;
    use crate::parse::parse_input;
    use proc_macro2::TokenStream;
    use quote::quote;

    fn errors(tokens: TokenStream) -> Vec<String> {
        let Ok(Input::Enum(net)) = parse_input(tokens) else {
            panic!("not an enum");
        };
        match validate_enum(&net) {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn variants_of_the_same_rows_and_other_architectures_pass() {
        assert!(
            errors(quote!(enum M {
                A(4 => 8 relu => 1 sigmoid; loss = bce),
                B(4 => 8 relu => 1 sigmoid; loss = mse),
                C(4 => 8 leaky_relu(0.2) => 1 sigmoid; loss = bce),
                D(Existing),
            }))
            .is_empty()
        );
    }

    #[test]
    fn an_existing_type_twice() {
        assert_eq!(
            errors(quote!(
                enum M {
                    A(nets::Net),
                    B(Other),
                    C(nets::Net),
                }
            )),
            [
                "`C` holds the network type of `A`, so a loaded file could not tell them apart; keep one"
            ]
        );
    }

    #[test]
    fn every_mismatch_at_once() {
        assert_eq!(
            errors(quote!(enum M {
                A(4 => 8 relu => 2 softmax; loss = cce),
                A(5 => 8 relu => 3 softmax; loss = sparse_cce; scalar = f64),
                C(4 => 8 relu => 2 softmax; loss = cce; scalar = f32),
                D(4 => 8 relu => 2 relu; loss = bce),
            })),
            [
                "`bce` needs a `sigmoid` output layer, found `2 relu`; write `2 sigmoid` \
                 as the last layer, or use `loss = mse` for regression",
                "`loss = bce` needs `2 sigmoid` here",
                "`A` is a variant of `M` already; give this one another name",
                "`A` takes 5 inputs and `A` 4: every variant of `M` takes the input of the \
                 first; write `4 => ...`",
                "`A` gives 3 outputs and `A` 2: every variant of `M` gives the output of the \
                 first; make the last layer 2 wide",
                "`A` computes in f64 and `A` in f32: every variant of `M` uses the scalar of \
                 the first; write `scalar = f32` in `A`",
                "`A` takes class indices as targets (`sparse_cce`) and `A` arrays of 2 values \
                 (`cce`): every variant of `M` takes the targets of the first; write `loss = cce`",
                "`C` has the architecture of `A`, so a loaded file could not tell them apart; \
                 make them differ or keep one",
            ]
        );
    }
}
