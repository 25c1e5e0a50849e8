//! The names of the DSL: activations, losses, options and scalars, with the
//! hints shown when a name is unknown.
//!
//! Every spelling the macro accepts or suggests lives here, so parsing,
//! validation and code generation cannot disagree about them.

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

/// Names other libraries use, matched case-insensitively, with the hint that
/// follows "unknown activation `NAME`; ".
const ACTIVATION_ALIASES: &[(&str, &str)] = &[
    ("identity", "write `linear` for the identity"),
    ("id", "write `linear` for the identity"),
    ("none", "write `linear` for no activation"),
    ("logistic", "write `sigmoid` for the logistic function"),
    ("lrelu", "did you mean `leaky_relu`?"),
    ("leaky", "did you mean `leaky_relu`?"),
    (
        "prelu",
        "learnable slopes are not available; write `leaky_relu(0.01)` for a fixed slope",
    ),
    (
        "log_softmax",
        "write `softmax`; the losses `cce` and `sparse_cce` take the logarithm themselves",
    ),
    (
        "logsoftmax",
        "write `softmax`; the losses `cce` and `sparse_cce` take the logarithm themselves",
    ),
];

/// Activations of other libraries that have no equivalent here.
const UNAVAILABLE_ACTIVATIONS: &[&str] = &[
    "swish",
    "silu",
    "mish",
    "selu",
    "celu",
    "hard_sigmoid",
    "hardsigmoid",
    "hard_swish",
    "hardswish",
    "hard_tanh",
    "hardtanh",
    "softsign",
    "relu6",
];

/// Names other libraries use for the losses, matched case-insensitively.
const LOSS_ALIASES: &[(&str, &str)] = &[
    ("cross_entropy", "cce"),
    ("crossentropy", "cce"),
    ("categorical_crossentropy", "cce"),
    ("categorical_cross_entropy", "cce"),
    ("ce", "cce"),
    ("binary_crossentropy", "bce"),
    ("binary_cross_entropy", "bce"),
    ("log_loss", "bce"),
    ("logloss", "bce"),
    ("bce_with_logits", "bce"),
    ("l2", "mse"),
    ("mean_squared_error", "mse"),
    ("squared_error", "mse"),
    ("sum_squared_error", "sse"),
    ("sum_of_squares", "sse"),
    ("l1", "mae"),
    ("mean_absolute_error", "mae"),
    ("smooth_l1", "huber"),
    ("sparse_categorical_crossentropy", "sparse_cce"),
    ("sparse_categorical_cross_entropy", "sparse_cce"),
    ("nll", "sparse_cce"),
    ("nll_loss", "sparse_cce"),
];

const SCALAR_ALIASES: &[(&str, &str)] = &[
    ("float", "f32"),
    ("float32", "f32"),
    ("single", "f32"),
    ("double", "f64"),
    ("float64", "f64"),
];

/// Option names of other libraries for the float type.
const SCALAR_OPTION_ALIASES: &[&str] = &["dtype", "type", "float", "precision", "real"];

/// The message for an activation name that is not in [`ACTIVATIONS`].
pub fn unknown_activation(word: &str) -> String {
    let lower = word.to_lowercase();
    let all = names(ACTIVATIONS);
    let hint = if let Some(name) = all.iter().find(|n| **n == lower) {
        format!("names are lowercase: write `{name}`")
    } else if let Some((_, hint)) = ACTIVATION_ALIASES.iter().find(|(a, _)| *a == lower) {
        (*hint).to_owned()
    } else if UNAVAILABLE_ACTIVATIONS.contains(&lower.as_str()) {
        return format!(
            "activation `{word}` is not available; expected one of: {}",
            all.join(", ")
        );
    } else if let Some(name) = closest(word, &all) {
        format!("did you mean `{name}`?")
    } else {
        format!("expected one of: {}", all.join(", "))
    };
    format!("unknown activation `{word}`; {hint}")
}

/// The message for a loss name that is not in [`LOSSES`].
pub fn unknown_loss(word: &str) -> String {
    let lower = word.to_lowercase();
    let all = names(LOSSES);
    let hint = if let Some(name) = all.iter().find(|n| **n == lower) {
        format!("names are lowercase: write `{name}`")
    } else if let Some((_, name)) = LOSS_ALIASES.iter().find(|(a, _)| *a == lower) {
        format!("write `{name}`")
    } else if let Some(name) = closest(word, &all) {
        format!("did you mean `{name}`?")
    } else {
        format!("expected one of: {}", all.join(", "))
    };
    format!("unknown loss `{word}`; {hint}")
}

/// The message for a clause name after the layers that is neither `loss`
/// nor an option. Reserved options get their own message.
pub fn unknown_option(word: &str) -> String {
    let lower = word.to_lowercase();
    let hint = if let Some(name) = CLAUSES.iter().find(|n| **n == lower) {
        format!("names are lowercase: write `{name}`")
    } else if let Some(name) = loss(&lower).map(|e| e.name) {
        format!("write `loss = {name}`")
    } else if let Some(name) = scalar(&lower).map(scalar_name) {
        format!("write `scalar = {name}`")
    } else if SCALAR_OPTION_ALIASES.contains(&lower.as_str()) {
        "write `scalar = f32` or `scalar = f64` to choose the float type".to_owned()
    } else if let Some(name) = closest(word, CLAUSES) {
        format!("did you mean `{name}`?")
    } else {
        format!("expected {}", clause_list(""))
    };
    format!("unknown option `{word}`; {hint}")
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

/// The message for a scalar type that is not in [`SCALARS`].
pub fn unknown_scalar(word: &str) -> String {
    let lower = word.to_lowercase();
    let hint = if let Some(name) = SCALARS.iter().map(|e| e.name).find(|n| *n == lower) {
        format!("names are lowercase: write `{name}`")
    } else if let Some((_, name)) = SCALAR_ALIASES.iter().find(|(a, _)| *a == lower) {
        format!("write `{name}`")
    } else {
        // No fuzzy match: `f16` is as close to `f32` as to `f64`, and neither is meant.
        format!("expected {}", scalar_list())
    };
    format!("unknown scalar `{word}`; {hint}")
}

/// The candidate closest to `word` by edit distance (adjacent swaps count as
/// one edit), ignoring case; `None` when even the best one is more than
/// `max(2, len / 3)` edits away. Ties go to the earlier candidate.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    let limit = (word.len() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let c: Vec<char> = candidate.to_lowercase().chars().collect();
        let d = edit_distance(&word, &c);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance: Levenshtein plus transpositions of
/// adjacent characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        edit_distance(&a, &b)
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(dist("", ""), 0);
        assert_eq!(dist("abc", ""), 3);
        assert_eq!(dist("", "abc"), 3);
        assert_eq!(dist("sigmoid", "sigmoid"), 0);
        assert_eq!(dist("sigmod", "sigmoid"), 1);
        assert_eq!(dist("kitten", "sitting"), 3);
        // One swap of adjacent letters is one edit.
        assert_eq!(dist("rleu", "relu"), 1);
        assert_eq!(dist("tnah", "tanh"), 1);
    }

    #[test]
    fn closest_finds_typos() {
        let acts = names(ACTIVATIONS);
        assert_eq!(closest("sigmod", &acts), Some("sigmoid"));
        assert_eq!(closest("rleu", &acts), Some("relu"));
        assert_eq!(closest("tahn", &acts), Some("tanh"));
        assert_eq!(closest("leakyrelu", &acts), Some("leaky_relu"));
        assert_eq!(closest("leaky_rlu", &acts), Some("leaky_relu"));
        assert_eq!(closest("softmx", &acts), Some("softmax"));
        assert_eq!(closest("soft_max", &acts), Some("softmax"));
        assert_eq!(closest("softpuls", &acts), Some("softplus"));
        assert_eq!(closest("gelus", &acts), Some("gelu"));
        assert_eq!(closest("lineer", &acts), Some("linear"));
        let losses = names(LOSSES);
        assert_eq!(closest("msee", &losses), Some("mse"));
        assert_eq!(closest("hubr", &losses), Some("huber"));
        assert_eq!(closest("sparse_ce", &losses), Some("sparse_cce"));
        assert_eq!(closest("perceptorn", &losses), Some("perceptron"));
    }

    #[test]
    fn closest_ignores_case() {
        assert_eq!(closest("SIGMOD", &["sigmoid"]), Some("sigmoid"));
        assert_eq!(closest("sigmod", &["SIGMOID"]), Some("SIGMOID"));
    }

    #[test]
    fn closest_limit_is_max_of_two_and_a_third_of_the_length() {
        // Short words: up to 2 edits.
        assert_eq!(closest("ab", &["abcd"]), Some("abcd"));
        assert_eq!(closest("ab", &["abcde"]), None);
        // 12 letters: up to 4 edits.
        assert_eq!(
            closest("abcdefghijkl", &["abcdefghwxyz"]),
            Some("abcdefghwxyz")
        );
        assert_eq!(closest("abcdefghijkl", &["abcdefgvwxyz"]), None);
        assert_eq!(closest("foo", &names(ACTIVATIONS)), None);
        assert_eq!(closest("anything", &[]), None);
    }

    #[test]
    fn closest_prefers_the_nearest_then_the_first() {
        assert_eq!(closest("relu", &["elu", "relu"]), Some("relu"));
        assert_eq!(closest("xelu", &["relu", "elu"]), Some("relu"));
        assert_eq!(closest("xelu", &["elu", "relu"]), Some("elu"));
    }

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

    #[test]
    fn unknown_activation_messages() {
        assert_eq!(
            unknown_activation("sigmod"),
            "unknown activation `sigmod`; did you mean `sigmoid`?"
        );
        assert_eq!(
            unknown_activation("identity"),
            "unknown activation `identity`; write `linear` for the identity"
        );
        assert_eq!(
            unknown_activation("None"),
            "unknown activation `None`; write `linear` for no activation"
        );
        assert_eq!(
            unknown_activation("logistic"),
            "unknown activation `logistic`; write `sigmoid` for the logistic function"
        );
        assert_eq!(
            unknown_activation("swish"),
            "activation `swish` is not available; expected one of: \
             sigmoid, tanh, relu, leaky_relu, linear, softmax, elu, softplus, gelu"
        );
        assert_eq!(
            unknown_activation("SiLU"),
            "activation `SiLU` is not available; expected one of: \
             sigmoid, tanh, relu, leaky_relu, linear, softmax, elu, softplus, gelu"
        );
        // `selu` is one edit from `elu` but a different function.
        assert!(unknown_activation("selu").contains("is not available"));
        assert_eq!(
            unknown_activation("ReLU"),
            "unknown activation `ReLU`; names are lowercase: write `relu`"
        );
        assert_eq!(
            unknown_activation("Leaky_Relu"),
            "unknown activation `Leaky_Relu`; names are lowercase: write `leaky_relu`"
        );
        assert_eq!(
            unknown_activation("lrelu"),
            "unknown activation `lrelu`; did you mean `leaky_relu`?"
        );
        assert_eq!(
            unknown_activation("foo"),
            "unknown activation `foo`; expected one of: \
             sigmoid, tanh, relu, leaky_relu, linear, softmax, elu, softplus, gelu"
        );
    }

    #[test]
    fn unknown_loss_messages() {
        for (alias, name) in [
            ("cross_entropy", "cce"),
            ("categorical_crossentropy", "cce"),
            ("ce", "cce"),
            ("binary_crossentropy", "bce"),
            ("log_loss", "bce"),
            ("bce_with_logits", "bce"),
            ("l2", "mse"),
            ("L2", "mse"),
            ("mean_squared_error", "mse"),
            ("l1", "mae"),
            ("mean_absolute_error", "mae"),
            ("smooth_l1", "huber"),
            ("sparse_categorical_crossentropy", "sparse_cce"),
            ("nll", "sparse_cce"),
        ] {
            assert_eq!(
                unknown_loss(alias),
                format!("unknown loss `{alias}`; write `{name}`")
            );
        }
        assert_eq!(
            unknown_loss("MSE"),
            "unknown loss `MSE`; names are lowercase: write `mse`"
        );
        assert_eq!(
            unknown_loss("hubber"),
            "unknown loss `hubber`; did you mean `huber`?"
        );
        assert_eq!(
            unknown_loss("quux"),
            "unknown loss `quux`; expected one of: \
             mse, sse, mae, huber, bce, cce, sparse_cce, hinge, perceptron"
        );
    }

    #[test]
    fn unknown_option_messages() {
        assert_eq!(
            unknown_option("scaler"),
            "unknown option `scaler`; did you mean `scalar`?"
        );
        assert_eq!(
            unknown_option("los"),
            "unknown option `los`; did you mean `loss`?"
        );
        assert_eq!(
            unknown_option("Scalar"),
            "unknown option `Scalar`; names are lowercase: write `scalar`"
        );
        assert_eq!(
            unknown_option("dtype"),
            "unknown option `dtype`; write `scalar = f32` or `scalar = f64` to choose the float type"
        );
        assert_eq!(
            unknown_option("bce"),
            "unknown option `bce`; write `loss = bce`"
        );
        assert_eq!(
            unknown_option("F64"),
            "unknown option `F64`; write `scalar = f64`"
        );
        assert_eq!(
            unknown_option("epochs"),
            "unknown option `epochs`; expected `loss`, `scalar` or `weights`"
        );
    }

    #[test]
    fn unknown_scalar_messages() {
        assert_eq!(
            unknown_scalar("f16"),
            "unknown scalar `f16`; expected `f32` or `f64`"
        );
        assert_eq!(
            unknown_scalar("i32"),
            "unknown scalar `i32`; expected `f32` or `f64`"
        );
        assert_eq!(
            unknown_scalar("double"),
            "unknown scalar `double`; write `f64`"
        );
        assert_eq!(
            unknown_scalar("float"),
            "unknown scalar `float`; write `f32`"
        );
        assert_eq!(
            unknown_scalar("F64"),
            "unknown scalar `F64`; names are lowercase: write `f64`"
        );
    }
}
