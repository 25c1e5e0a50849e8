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

mod sklearn {
    //! Values from scikit-learn 1.9.1 on fixed inputs; each test names the call.
    use mlp::core::metrics::{ConfusionMatrix, log_loss, r2_score, roc_auc};
    use mlp::prelude::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    fn all_close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).for_each(|(a, b)| close(*a, *b));
    }

    #[test]
    fn precision_recall_f1_per_class_and_macro() {
        let truth = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2];
        let predicted = [0, 2, 2, 2, 1, 0, 1, 1, 1, 2];
        let r = ConfusionMatrix::from_labels(&truth, &predicted, 3)
            .unwrap()
            .report();
        // precision_recall_fscore_support(truth, predicted, zero_division=0)
        all_close(&r.precision, &[1.0, 0.5, 0.75]);
        all_close(&r.recall, &[0.6666666666666666, 0.6666666666666666, 0.75]);
        all_close(&r.f1, &[0.8, 0.5714285714285714, 0.75]);
        assert_eq!(r.support, [3, 3, 4]);
        // precision_recall_fscore_support(truth, predicted, average="macro", zero_division=0)
        close(r.macro_precision(), 0.75);
        close(r.macro_recall(), 0.6944444444444443);
        close(r.macro_f1(), 0.7071428571428572);
    }

    #[test]
    fn a_class_never_predicted_has_precision_zero() {
        let r = ConfusionMatrix::from_labels(&[0, 1, 2, 2, 0], &[0, 0, 2, 2, 0], 3)
            .unwrap()
            .report();
        // precision_recall_fscore_support([0,1,2,2,0], [0,0,2,2,0], zero_division=0)
        all_close(&r.precision, &[0.6666666666666666, 0.0, 1.0]);
        all_close(&r.recall, &[1.0, 0.0, 1.0]);
        all_close(&r.f1, &[0.8, 0.0, 1.0]);
        // ... average="macro"
        close(r.macro_precision(), 0.5555555555555555);
        close(r.macro_recall(), 0.6666666666666666);
        close(r.macro_f1(), 0.6);
        assert_eq!(
            ConfusionMatrix::from_labels(&[0, 3], &[0, 0], 3).unwrap_err(),
            Error::LabelOutOfRange {
                row: 1,
                label: 3,
                classes: 3,
                what: "the confusion matrix"
            }
        );
    }

    #[test]
    fn roc_auc_gives_ties_their_average_rank() {
        let scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.4];
        // roc_auc_score([0,0,1,1,1,1,0,0], [0.1,0.4,0.35,0.8,0.4,0.9,0.2,0.4])
        close(roc_auc(&scores, &[0, 0, 1, 1, 1, 1, 0, 0]).unwrap(), 0.8125);
        assert_eq!(
            roc_auc(&[0.2f32, 0.7], &[1, 1]).unwrap_err(),
            Error::OneClass { rows: 2, class: 1 }
        );
        assert!(matches!(
            roc_auc(&[0.2, f64::NAN], &[0, 1]).unwrap_err(),
            Error::InvalidScore { row: 1, .. }
        ));
        assert!(matches!(
            roc_auc(&[0.2, 0.3], &[0, 2]).unwrap_err(),
            Error::LabelOutOfRange {
                row: 1,
                label: 2,
                ..
            }
        ));
    }

    #[test]
    fn log_loss_binary_multiclass_and_clipped() {
        // log_loss([0,1,1,0], [0.1,0.9,0.8,0.35])
        let binary = [[0.1], [0.9], [0.8], [0.35]];
        close(
            log_loss(&binary, &[0, 1, 1, 0]).unwrap(),
            0.21616187468057912,
        );
        // log_loss([0,2,1], [[0.7,0.2,0.1],[0.1,0.1,0.8],[0.3,0.4,0.3]])
        let rows = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]];
        close(log_loss(&rows, &[0, 2, 1]).unwrap(), 0.49870307570903244);
        // log_loss([1,0], [1.0,0.0]): clipped to [eps, 1 - eps]
        close(
            log_loss(&[[1.0], [0.0]], &[1, 0]).unwrap(),
            2.220446049250313e-16,
        );
        assert!(matches!(
            log_loss(&[[0.5, 0.6]], &[0]).unwrap_err(),
            Error::InvalidScore { row: 0, .. }
        ));
        assert!(matches!(
            log_loss(&[[1.5]], &[0]).unwrap_err(),
            Error::InvalidScore {
                row: 0,
                column: 0,
                ..
            }
        ));
    }

    #[test]
    fn r2_single_multi_output_and_constant_truth() {
        // r2_score([3,-0.5,2,7], [2.5,0.0,2,8])
        let (t, p) = ([[3.0], [-0.5], [2.0], [7.0]], [[2.5], [0.0], [2.0], [8.0]]);
        close(r2_score(&t, &p).unwrap(), 0.9486081370449679);
        // r2_score([[0.5,1],[-1,1],[7,-6]], [[0,2],[-1,2],[8,-5]])
        let t = [[0.5, 1.0], [-1.0, 1.0], [7.0, -6.0]];
        let p = [[0.0, 2.0], [-1.0, 2.0], [8.0, -5.0]];
        close(r2_score(&t, &p).unwrap(), 0.9368005266622779);
        // r2_score([2,2,2], [2,2,2.5])
        close(
            r2_score(&[[2.0], [2.0], [2.0]], &[[2.0], [2.0], [2.5]]).unwrap(),
            0.0,
        );
        assert!(matches!(
            r2_score(&[[1.0]], &[[f64::INFINITY]]).unwrap_err(),
            Error::InvalidScore { row: 0, .. }
        ));
    }
}
