//! The names of the DSL: activations, losses, options and scalars, with the
//! hints shown when a name is unknown.
//!
//! Every spelling the macro accepts or suggests lives here, so parsing,
//! validation and code generation cannot disagree about them; the messages for
//! a name that is not among them are in [`hints`].

mod hints;

pub use hints::{unknown_activation, unknown_loss, unknown_option, unknown_scalar};

use crate::ast::{ActivationKind, LossKind, ScalarKind};

/// One accepted name: its spelling, its meaning and, when it takes a
/// parameter in parentheses, what the parameter is called and a typical value.
pub struct Entry<K> {
    pub name: &'static str,
    pub kind: K,
    pub param: Option<ParamInfo>,
}

#[derive(Clone, Copy)]
pub struct ParamInfo {
    /// What the parameter is, e.g. `slope`.
    pub name: &'static str,
    /// A typical value, written as the user would.
    pub example: &'static str,
}

const fn plain<K>(name: &'static str, kind: K) -> Entry<K> {
    Entry {
        name,
        kind,
        param: None,
    }
}

const fn with_param<K>(
    name: &'static str,
    kind: K,
    param: &'static str,
    example: &'static str,
) -> Entry<K> {
    Entry {
        name,
        kind,
        param: Some(ParamInfo {
            name: param,
            example,
        }),
    }
}

/// The activations, in the order error messages list them.
pub const ACTIVATIONS: &[Entry<ActivationKind>] = &[
    plain("sigmoid", ActivationKind::Sigmoid),
    plain("tanh", ActivationKind::Tanh),
    plain("relu", ActivationKind::Relu),
    with_param("leaky_relu", ActivationKind::LeakyRelu, "slope", "0.01"),
    plain("linear", ActivationKind::Linear),
    plain("softmax", ActivationKind::Softmax),
    with_param("elu", ActivationKind::Elu, "alpha", "1.0"),
    plain("softplus", ActivationKind::Softplus),
    plain("gelu", ActivationKind::Gelu),
];

/// The losses, in the order error messages list them.
pub const LOSSES: &[Entry<LossKind>] = &[
    plain("mse", LossKind::Mse),
    plain("sse", LossKind::Sse),
    plain("mae", LossKind::Mae),
    with_param("huber", LossKind::Huber, "delta", "1.0"),
    plain("bce", LossKind::Bce),
    plain("cce", LossKind::Cce),
    plain("sparse_cce", LossKind::SparseCce),
    plain("hinge", LossKind::Hinge),
    plain("perceptron", LossKind::Perceptron),
];

pub const SCALARS: &[Entry<ScalarKind>] =
    &[plain("f32", ScalarKind::F32), plain("f64", ScalarKind::F64)];

/// The clause that names the loss: `loss = mse`.
pub const LOSS: &str = "loss";
/// The option that picks the float type: `scalar = f64`.
pub const SCALAR: &str = "scalar";
/// The option naming a weights file compiled into the program.
pub const WEIGHTS: &str = "weights";
/// `weights = pytorch("...")`: a file with PyTorch's `nn.Sequential` tensor names.
pub const PYTORCH: &str = "pytorch";
/// The clauses that may follow the layers, in the order messages list them.
pub const CLAUSES: &[&str] = &[LOSS, SCALAR, WEIGHTS];
/// The word that may follow a layer's activation.
pub const DROPOUT: &str = "dropout";
/// What `dropout(...)` takes.
pub const DROPOUT_RATE: ParamInfo = ParamInfo {
    name: "rate",
    example: "0.5",
};

pub fn activation(name: &str) -> Option<&'static Entry<ActivationKind>> {
    ACTIVATIONS.iter().find(|e| e.name == name)
}

pub fn loss(name: &str) -> Option<&'static Entry<LossKind>> {
    LOSSES.iter().find(|e| e.name == name)
}

pub fn scalar(name: &str) -> Option<ScalarKind> {
    SCALARS.iter().find(|e| e.name == name).map(|e| e.kind)
}

/// The DSL spelling of an activation.
pub fn activation_name(kind: ActivationKind) -> &'static str {
    entry_of(ACTIVATIONS, kind).name
}

/// The DSL spelling of a loss.
pub fn loss_name(kind: LossKind) -> &'static str {
    entry_of(LOSSES, kind).name
}

/// The DSL spelling of a scalar type.
pub fn scalar_name(kind: ScalarKind) -> &'static str {
    entry_of(SCALARS, kind).name
}

fn entry_of<K: PartialEq + Copy>(table: &'static [Entry<K>], kind: K) -> &'static Entry<K> {
    table
        .iter()
        .find(|e| e.kind == kind)
        .expect("every kind has an entry in its table")
}

fn names<K>(table: &[Entry<K>]) -> Vec<&'static str> {
    table.iter().map(|e| e.name).collect()
}

/// Every clause for a message, each followed by `tail`: with `" = ..."`,
/// "`loss = ...`, `scalar = ...` or `weights = ...`".
pub fn clause_list(tail: &str) -> String {
    let quoted: Vec<String> = CLAUSES.iter().map(|c| format!("`{c}{tail}`")).collect();
    let (last, rest) = quoted.split_last().expect("there are several clauses");
    format!("{} or {last}", rest.join(", "))
}

/// The scalars for a message: "`f32` or `f64`".
pub fn scalar_list() -> String {
    let names: Vec<String> = SCALARS.iter().map(|e| format!("`{}`", e.name)).collect();
    names.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in ACTIVATIONS {
            assert_eq!(activation(e.name).unwrap().kind, e.kind);
            assert_eq!(activation_name(e.kind), e.name);
        }
        for e in LOSSES {
            assert_eq!(loss(e.name).unwrap().kind, e.kind);
            assert_eq!(loss_name(e.kind), e.name);
        }
        for e in SCALARS {
            assert_eq!(scalar(e.name), Some(e.kind));
            assert_eq!(scalar_name(e.kind), e.name);
        }
        assert!(activation("Relu").is_none());
        assert!(loss("MSE").is_none());
        assert!(scalar("F32").is_none());
    }

    #[test]
    fn params_are_declared_for_the_parametric_names_only() {
        let param = |name| activation(name).unwrap().param.unwrap().name;
        assert_eq!(param("leaky_relu"), "slope");
        assert_eq!(param("elu"), "alpha");
        assert_eq!(loss("huber").unwrap().param.unwrap().name, "delta");
        let with_params = ACTIVATIONS.iter().filter(|e| e.param.is_some()).count()
            + LOSSES.iter().filter(|e| e.param.is_some()).count();
        assert_eq!(with_params, 3);
    }
}
