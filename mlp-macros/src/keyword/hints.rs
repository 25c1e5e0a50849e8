//! The hint after "unknown activation `NAME`; " and the like: the names other
//! libraries use, the activations that have no equivalent here, and the closest
//! accepted name to a typo.

use super::{
    ACTIVATIONS, CLAUSES, LOSSES, SCALARS, clause_list, loss, names, scalar, scalar_list,
    scalar_name,
};

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
/// one edit: the optimal string alignment distance), ignoring case; `None` when
/// even the best one is more than `max(2, len / 3)` edits away. Ties go to the
/// earlier candidate.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let d = strsim::osa_distance(&word, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyword::{ACTIVATIONS, LOSSES, names};

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
