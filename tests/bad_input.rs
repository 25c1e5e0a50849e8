//! A caller's bad data gives a typed error that names what was wrong, and never
//! changes the network.

use mlp::core::{Error, Network, TensorId, TensorKind};
use mlp::prelude::*;

network! { struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
network! { struct Classifier { 2 => 4 relu => 3 softmax; loss = sparse_cce; } }
network! { struct Margin { 2 => 1 linear; loss = hinge; } }
network! { struct Regressor { 2 => 3 tanh => 2 linear; loss = mse; } }

const X: [[f32; 4]; 2] = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]];
const Y: [[f32; 1]; 2] = [[0.0], [1.0]];

#[test]
fn non_finite_input_names_row_and_column() {
    let net = Placement::seeded(1);
    let mut x = X;
    x[1][2] = f32::NAN;
    let err = net.gradients(&x, &Y).unwrap_err();
    assert!(matches!(err, Error::NonFiniteInput { row: 1, column: 2, value } if value.is_nan()));
    assert_eq!(
        err.to_string(),
        "input row 1, column 2 is NaN; inputs must be finite"
    );
    x[1][2] = f32::INFINITY;
    assert!(matches!(
        net.loss(&x, &Y),
        Err(Error::NonFiniteInput {
            row: 1,
            column: 2,
            ..
        })
    ));
}

#[test]
fn bce_targets_must_be_probabilities() {
    let net = Placement::seeded(1);
    let err = net.loss(&X, &[[0.0], [1.5]]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "target row 1, column 0 is 1.5; bce expects a probability in [0, 1]"
    );
    let err = net.loss(&X, &[[f32::NEG_INFINITY], [1.0]]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "target row 0, column 0 is -inf; bce expects a finite number"
    );
}

#[test]
fn sparse_cce_labels_must_be_in_range() {
    let net = Classifier::seeded(1);
    let err = net
        .gradients(&[[0.0, 1.0], [1.0, 0.0]], &[2, 3])
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidTarget {
            row: 1,
            column: 0,
            value: 3.0,
            loss: "sparse_cce",
            expected: "a class index below the number of outputs"
        }
    );
}

#[test]
fn hinge_labels_must_be_minus_one_or_one() {
    let net = Margin::seeded(1);
    let err = net
        .loss(&[[0.0, 1.0], [1.0, 0.0]], &[[1.0], [0.0]])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "target row 1, column 0 is 0; hinge expects a label of -1 or +1"
    );
}

#[test]
fn regression_targets_must_be_finite() {
    let net = Regressor::seeded(1);
    let err = net.loss(&[[0.0, 1.0]], &[[0.5, f32::NAN]]).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidTarget {
            row: 0,
            column: 1,
            loss: "mse",
            ..
        }
    ));
}

#[test]
fn empty_and_mismatched_batches() {
    let net = Placement::seeded(1);
    assert_eq!(
        net.loss(&[], &[]).unwrap_err(),
        Error::Empty { what: "inputs" }
    );
    let err = net.gradients(&X, &Y[..1]).unwrap_err();
    assert_eq!(
        err,
        Error::RowCountMismatch {
            inputs: 2,
            found: 1,
            what: "target"
        }
    );
    assert_eq!(
        err.to_string(),
        "2 input rows but 1 target rows; give one per input row"
    );
    let mut ws = Workspace::new(4);
    let mut out = [[0.0; 1]; 3];
    let err = net.predict_batch_with(&mut ws, &X, &mut out).unwrap_err();
    assert_eq!(
        err,
        Error::RowCountMismatch {
            inputs: 2,
            found: 3,
            what: "output"
        }
    );
    assert!(net.predict_batch(&[]).is_empty());
}

#[test]
fn learning_rate_must_be_finite_and_positive() {
    let mut net = Placement::seeded(1);
    let before = net.clone();
    let g = net.gradients(&X, &Y).unwrap();
    for lr in [0.0, -0.1, f32::NAN, f32::INFINITY] {
        let err = net.step(&g, lr).unwrap_err();
        assert!(matches!(err, Error::InvalidLearningRate(_)), "{lr}: {err}");
    }
    assert_eq!(
        net.step(&g, -0.5).unwrap_err().to_string(),
        "learning rate -0.5 must be finite and positive"
    );
    assert_eq!(net, before);
}

#[test]
fn a_non_finite_gradient_takes_no_step() {
    let mut net = Placement::seeded(1);
    let before = net.clone();
    let mut g = net.gradients(&X, &Y).unwrap();
    g.layers.1.weight[(1, 2)] = f32::NAN;
    let err = net.step(&g, 0.1).unwrap_err();
    let tensor = TensorId {
        layer: 1,
        kind: TensorKind::Weight,
    };
    // Row-major index of (1, 2) in a (2, 3) weight.
    assert!(matches!(err, Error::NonFiniteGradient { tensor: t, index: 5, .. } if t == tensor));
    assert_eq!(
        err.to_string(),
        "gradient of layers.1.weight[5] is NaN; no step was taken"
    );
    assert_eq!(net, before);
}

#[test]
fn failed_training_steps_leave_the_network_unchanged() {
    let mut net = Placement::seeded(1);
    let before = net.clone();
    let mut ws = Workspace::new(8);
    let mut grads = Gradients::zeros();
    let bad_targets = [[0.0], [2.0]];
    assert!(
        net.gradients_with(&mut ws, &X, &bad_targets, &mut grads)
            .and_then(|loss| net.step(&grads, 0.1).map(|()| loss))
            .is_err()
    );
    assert!(
        net.gradients_with(&mut ws, &X, &Y, &mut grads)
            .and_then(|loss| net.step(&grads, f32::NAN).map(|()| loss))
            .is_err()
    );
    assert_eq!(net, before);
    let loss = net
        .gradients_with(&mut ws, &X, &Y, &mut grads)
        .and_then(|loss| net.step(&grads, 0.5).map(|()| loss))
        .unwrap();
    assert!(net.loss(&X, &Y).unwrap() < loss);
}

#[test]
fn per_sample_methods_check_rows_like_the_batch_ones() {
    let net = Placement::seeded(1);
    let mut x = X;
    x[1][3] = f32::NEG_INFINITY;
    let mut grads = net.gradients(&X, &Y).unwrap();
    let kept = grads.clone();
    let err = net
        .gradients_with(&mut Workspace::by_sample(), &x, &Y, &mut grads)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFiniteInput {
                row: 1,
                column: 3,
                ..
            }
        ),
        "{err}"
    );
    let err = net
        .loss_with(&mut Workspace::by_sample(), &X, &[[0.0], [2.0]])
        .unwrap_err();
    assert!(matches!(err, Error::InvalidTarget { row: 1, .. }), "{err}");
    let err = net
        .gradients_with(&mut Workspace::by_sample(), &X, &Y[..1], &mut grads)
        .unwrap_err();
    assert!(matches!(err, Error::RowCountMismatch { .. }), "{err}");
    let err = net
        .gradients_with(&mut Workspace::by_sample(), &[], &[], &mut grads)
        .unwrap_err();
    assert!(matches!(err, Error::Empty { .. }), "{err}");
    assert_eq!(
        grads, kept,
        "a refused batch left the gradient buffer as it was"
    );
}

#[test]
fn flat_parameters_are_checked() {
    let net = Placement::seeded(1);
    let mut flat = net.to_flat();
    assert_eq!(flat.len(), Placement::PARAMS);
    assert_eq!(
        Placement::from_flat(&flat[1..]).unwrap_err(),
        Error::ParameterCount {
            expected: 26,
            found: 25
        }
    );
    flat[0] = 9.0;
    // Flat index 20 is past layers.0 (12 weights, 3 biases): layers.1.weight[5].
    flat[20] = f32::NAN;
    let err = Placement::from_flat(&flat).unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter layers.1.weight[5] is NaN; parameters must be finite"
    );
}

#[test]
fn flat_layout_is_row_major_weights_then_bias() {
    let net = Placement::from_weights((
        (
            [
                [1.0, 2.0, 3.0, 4.0],
                [5.0, 6.0, 7.0, 8.0],
                [9.0, 10.0, 11.0, 12.0],
            ],
            [13.0, 14.0, 15.0],
        ),
        ([[16.0, 17.0, 18.0], [19.0, 20.0, 21.0]], [22.0, 23.0]),
        ([[24.0, 25.0]], [26.0]),
    ));
    let flat = net.to_flat();
    let expected: Vec<f32> = (1..=26).map(|v| v as f32).collect();
    assert_eq!(flat, expected);
    assert_eq!(Placement::from_flat(&flat).unwrap(), net);
}

#[test]
fn a_step_to_a_non_finite_parameter_is_refused() {
    let mut net = Placement::seeded(1);
    let before = net.clone();
    let mut g = net.gradients(&X, &Y).unwrap();
    // The gradient and the rate are finite, but lr * g overflows.
    g.layers.0.weight[(1, 2)] = 2.0;
    let err = net.step(&g, f32::MAX).unwrap_err();
    assert!(matches!(err, Error::NonFiniteStep { .. }), "{err}");
    assert!(err.to_string().contains("no step was taken"), "{err}");
    assert_eq!(net, before);
    // The last parameter alone overflows: nothing before it changes either.
    let mut g = Gradients::<Placement>::zeros();
    g.layers.2.bias[0] = -1.0;
    net.layers.2.bias[0] = f32::MAX;
    let before = net.clone();
    let err = net.step(&g, f32::MAX).unwrap_err();
    let tensor = TensorId {
        layer: 2,
        kind: TensorKind::Bias,
    };
    assert!(
        matches!(err, Error::NonFiniteStep { tensor: t, index: 0, gradient, .. } if t == tensor && gradient == -1.0),
        "{err}"
    );
    assert_eq!(net, before);
}

#[test]
fn settings_are_checked_as_the_network_scalar_holds_them() {
    use mlp::core::train::{Fit, Optimizer, Schedule};
    let quiet = || Fit::new().progress(false).epochs(3);
    let cases = [
        (quiet().learning_rate(1e-308), "learning_rate"),
        (quiet().learning_rate(1e300), "learning_rate"),
        (
            quiet().schedule(Schedule::Step {
                every: 1,
                gamma: 1e-30,
            }),
            "schedule",
        ),
        (
            quiet().schedule(Schedule::Cosine { min_rate: 1e-300 }),
            "schedule",
        ),
        (quiet().l2(1e-300), "l2"),
        (quiet().clip_norm(1e-300), "clip_norm"),
        (
            quiet().optimizer(Optimizer::Momentum {
                beta: 1.0 - 1e-12,
                nesterov: false,
            }),
            "momentum",
        ),
        (
            quiet().optimizer(Optimizer::Adam {
                beta1: 0.9,
                beta2: 1.0 - 1e-12,
                epsilon: 1e-8,
            }),
            "beta2",
        ),
        (
            quiet().optimizer(Optimizer::Adam {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-50,
            }),
            "epsilon",
        ),
        (
            quiet().optimizer(Optimizer::AdamW {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-8,
                weight_decay: 1e-300,
            }),
            "weight_decay",
        ),
    ];
    for (settings, name) in cases {
        let mut net = Placement::seeded(1);
        let before = net.clone();
        let err = net.fit(&X, &Y, &settings).unwrap_err();
        assert!(
            matches!(err, Error::SettingOutOfScalarRange { setting, scalar: "f32", .. } if setting == name),
            "{name}: {err}"
        );
        assert_eq!(net, before);
    }
    // An f64 network holds these values.
    network! { struct Wide { 4 => 1 sigmoid; loss = bce; scalar = f64; } }
    assert!(
        mlp::core::train::Trainer::<Wide>::new(quiet().learning_rate(1e-308).l2(1e-300)).is_ok()
    );
    let err = Placement::seeded(1)
        .fit(&X, &Y, &quiet().learning_rate(1e-308))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "learning_rate = 1e-308 becomes 0.0 in the network's f32; use a finite number above 0 that f32 can hold"
    );
}

#[test]
fn cce_targets_must_be_probability_rows() {
    network! { struct Soft { 2 => 3 softmax; loss = cce; } }
    let net = Soft::seeded(1);
    let x = [[0.1, 0.2], [0.3, 0.4]];
    let ok = [0.2, 0.3, 0.5];
    assert!(net.loss(&x, &[ok, [0.0, 1.0, 0.0]]).is_ok());
    let cases: [([f32; 3], usize); 5] = [
        ([1.0, 1.0, 1.0], 1),
        ([0.0, 0.0, 0.0], 2),
        ([0.5, 0.5, 0.1], 2),
        ([0.5, 0.4, 0.0], 2),
        ([1.5, -0.5, 0.0], 0),
    ];
    for (row, column) in cases {
        let err = net.loss(&x, &[ok, row]).unwrap_err();
        assert!(
            matches!(err, Error::InvalidTarget { row: 1, column: c, loss: "cce", .. } if c == column),
            "{row:?}: {err}"
        );
    }
    assert!(net.loss(&x, &[ok, [-0.1, 0.6, 0.5]]).is_err());
    assert_eq!(
        net.loss(&x, &[ok, [1.0, 1.0, 1.0]])
            .unwrap_err()
            .to_string(),
        "target row 1, column 1 is 1; cce expects a row of probabilities summing to 1 (within 1e-4)"
    );
    // Soft labels rounded in f32 are within the tolerance.
    assert!(
        net.loss(&x, &[ok, [0.1; 3].map(|v: f32| v + 0.233_333_33)])
            .is_ok()
    );
}
