//! The metrics check their rows as `loss` does, and a broken output never counts as
//! right or lands in another cell.

use mlp::core::metrics::{accuracy, confusion_matrix};
use mlp::prelude::*;

network! { struct Classes { 2 => 3 softmax; loss = sparse_cce; scalar = f64; } }
network! { struct Yes { 1 => 2 linear => 1 sigmoid; loss = bce; scalar = f64; } }
network! { struct Line { 1 => 1 linear; loss = mse; scalar = f64; } }

/// Output k has weight (k - 1) on x0: x0 > 0 is class 2, x0 < 0 class 0.
fn classes() -> Classes {
    Classes::from_weights((([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]], [0.0, 0.1, 0.0]),))
}

#[test]
fn accuracy_checks_its_rows_like_loss() {
    let net = classes();
    let x = [[2.0, 0.0], [-2.0, 0.0]];
    assert_eq!(accuracy(&net, &x, &[2, 0]).unwrap(), 1.0);
    assert_eq!(
        accuracy(&net, &[], &[]).unwrap_err(),
        Error::Empty { what: "inputs" }
    );
    assert!(matches!(
        accuracy(&net, &x, &[2]).unwrap_err(),
        Error::RowCountMismatch { .. }
    ));
    assert!(matches!(
        accuracy(&net, &x, &[2, 3]).unwrap_err(),
        Error::InvalidTarget { row: 1, .. }
    ));
    let err = accuracy(&net, &[[2.0, 0.0], [f64::NAN, 0.0]], &[2, 0]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFiniteInput {
                row: 1,
                column: 0,
                ..
            }
        ),
        "{err}"
    );
    let err = accuracy(&Line::zeros(), &[[1.0]], &[[1.0]]).unwrap_err();
    assert_eq!(err, Error::NotAClassifier { loss: "mse" });
    assert!(err.to_string().contains("mean_squared_error"), "{err}");
}

#[test]
fn a_non_finite_output_is_never_right() {
    // A finite input whose hidden units overflow to +inf and -inf: the output is
    // NaN, which a 0.5 threshold used to read as "no", right for a 0 target.
    let net = Yes::from_weights((
        ([[f64::MAX], [-f64::MAX]], [0.0, 0.0]),
        ([[1.0, 1.0]], [0.0]),
    ));
    let x = [[2.0], [0.0]];
    let out = mlp::core::Network::predict(&net, &x[0]);
    assert!(out[0].is_nan(), "{out:?}");
    assert_eq!(accuracy(&net, &x, &[[0.0], [0.0]]).unwrap(), 0.5);
    let err = confusion_matrix(&net, &x, &[0, 0]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFiniteOutput {
                row: 0,
                output: 0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn the_confusion_matrix_checks_its_rows_and_cells() {
    let net = classes();
    let x = [[2.0, 0.0], [-2.0, 0.0]];
    let m = confusion_matrix(&net, &x, &[2, 0]).unwrap();
    assert_eq!(
        (m.count(2, 2), m.count(0, 0), m.count(0, 2)),
        (Some(1), Some(1), Some(0))
    );
    // Out of range: no cell, never a neighbour's (count(0, 3) is cell (1, 0)).
    assert_eq!(
        (m.count(0, 3), m.count(3, 0), m.count(usize::MAX, 0)),
        (None, None, None)
    );
    assert_eq!(
        confusion_matrix(&net, &[], &[]).unwrap_err(),
        Error::Empty { what: "inputs" }
    );
    assert!(matches!(
        confusion_matrix(&net, &x, &[0]).unwrap_err(),
        Error::RowCountMismatch { .. }
    ));
    assert!(matches!(
        confusion_matrix(&net, &x, &[0, 3]).unwrap_err(),
        Error::InvalidTarget { row: 1, .. }
    ));
    let err = confusion_matrix(&net, &[[0.0, f64::INFINITY], [1.0, 0.0]], &[0, 0]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFiniteInput {
                row: 0,
                column: 1,
                ..
            }
        ),
        "{err}"
    );
}
