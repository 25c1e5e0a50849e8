//! Class and sample weights: a weighted mean in the loss and its gradient, checked
//! against finite differences; equal weights train exactly as none; bad weights
//! are typed errors.

use mlp::core::train::{Fit, Optimizer};
use mlp::prelude::*;

network! { struct Yes { 2 => 3 tanh => 1 sigmoid; loss = bce; scalar = f64; } }
network! { struct Three { 2 => 4 tanh => 3 softmax; loss = sparse_cce; scalar = f64; } }
network! { struct Line { 1 => 1 linear; loss = mse; scalar = f64; } }

const X: [[f64; 2]; 6] = [
    [0.5, -1.0],
    [1.5, 0.3],
    [-0.7, 0.8],
    [0.1, 0.1],
    [2.0, -0.4],
    [-1.2, -0.9],
];
const Y: [[f64; 1]; 6] = [[1.0], [0.0], [1.0], [0.0], [1.0], [0.0]];
const LABELS: [usize; 6] = [0, 2, 1, 1, 0, 2];

/// One full-batch plain gradient step of rate 1: the step is the gradient.
fn one_step() -> Fit {
    Fit::new()
        .epochs(1)
        .full_batch()
        .optimizer(Optimizer::Sgd)
        .learning_rate(1.0)
        .shuffle(false)
}

#[test]
fn the_weighted_gradient_matches_finite_differences() {
    let weights = [1.0, 2.0, 0.5, 3.0, 0.0, 1.5];
    let net = Yes::seeded(4);
    let mut stepped = net.clone();
    let history = stepped
        .fit(&X, &Y, &one_step().sample_weights(weights))
        .unwrap();
    let total: f64 = weights.iter().sum();
    let weighted = |n: &Yes| -> f64 {
        (0..6)
            .map(|s| weights[s] * n.loss(&X[s..=s], &Y[s..=s]).unwrap())
            .sum::<f64>()
            / total
    };
    // The step's loss is the weighted mean at the starting weights.
    assert!((history.epochs[0].step_loss - weighted(&net)).abs() < 1e-12);
    let (before, after) = (net.to_flat(), stepped.to_flat());
    let h = 1e-6;
    for p in 0..Yes::PARAMS {
        let at = |d: f64| {
            let mut v = before.clone();
            v[p] += d;
            weighted(&Yes::from_flat(&v).unwrap())
        };
        let numeric = (at(h) - at(-h)) / (2.0 * h);
        let analytic = before[p] - after[p];
        assert!(
            (numeric - analytic).abs() < 1e-7 * (1.0 + numeric.abs()),
            "parameter {p}: finite differences {numeric}, step {analytic}"
        );
    }
}

/// A step over rows that all weigh differently (one backward pass, each row's
/// delta scaled by its weight) is the weighted mean of the rows' own gradients,
/// for a fused loss (bce, sparse_cce) and a one-sample one (mse) alike.
#[test]
fn distinct_weights_step_by_the_mean_of_weighted_sample_gradients() {
    use mlp::core::__private::Compiled;
    fn check<N: Network<Scalar = f64>>(x: &[N::Input], y: &[N::Target], mini_batch: usize) {
        let weights = [0.5, 1.25, 3.0, 0.75, 2.0, 0.125];
        let total: f64 = weights.iter().sum();
        let net = N::seeded(6);
        let mut stepped = net.clone();
        let fit = one_step().mini_batch(mini_batch).sample_weights(weights);
        let history = stepped.fit(x, y, &fit).unwrap();
        let mut want = N::zeros();
        let mut loss = 0.0;
        for s in 0..x.len() {
            loss += <N::Compiled as Compiled<N>>::add_sample_gradient(
                &net,
                &x[s],
                &y[s],
                weights[s] / total,
                &mut want,
                None,
            ) * weights[s]
                / total;
        }
        let (before, after, want) = (net.to_flat(), stepped.to_flat(), want.to_flat());
        for p in 0..before.len() {
            let step = before[p] - after[p];
            assert!(
                (step - want[p]).abs() <= 1e-13 * (1.0 + want[p].abs()),
                "parameter {p}: step {step}, weighted sample gradients {}",
                want[p]
            );
        }
        assert!(
            (history.epochs[0].step_loss - loss).abs() < 1e-13,
            "{history:?}"
        );
    }
    check::<Yes>(&X, &Y, 6);
    check::<Three>(&X, &LABELS, 6);
    let (x, y): (Vec<[f64; 1]>, Vec<[f64; 1]>) =
        (0..6).map(|i| ([i as f64 / 3.0], [1.0 - i as f64])).unzip();
    check::<Line>(&x, &y, 6);
}

/// A row of weight 0 adds nothing to a step, even one whose loss is 1e200: the step is
/// the one over the other rows alone.
#[test]
fn a_row_of_weight_zero_contributes_nothing() {
    let (x, y) = ([[1.0], [1e100], [-0.5]], [[2.0], [0.0], [1.0]]);
    let mut weighted = Line::seeded(3);
    let history = weighted
        .fit(&x, &y, &one_step().sample_weights([1.0, 0.0, 3.0]))
        .unwrap();
    let mut without = Line::seeded(3);
    let expected = without
        .fit(
            &[x[0], x[2]],
            &[y[0], y[2]],
            &one_step().sample_weights([1.0, 3.0]),
        )
        .unwrap();
    assert_eq!(weighted.to_flat(), without.to_flat());
    assert!(weighted.to_flat().iter().all(|v| v.is_finite()));
    assert_eq!(history.epochs[0].step_loss, expected.epochs[0].step_loss);
}

#[test]
fn class_weights_are_sample_weights_by_class() {
    let per_class = [1.0, 2.5, 0.25];
    let by_row: Vec<f64> = LABELS.iter().map(|&c| per_class[c]).collect();
    let settings = Fit::new().epochs(20).mini_batch(4).learning_rate(0.05);
    let (mut a, mut b) = (Three::seeded(2), Three::seeded(2));
    let ha = a
        .fit(&X, &LABELS, &settings.clone().class_weights(per_class))
        .unwrap();
    let hb = b
        .fit(&X, &LABELS, &settings.sample_weights(by_row))
        .unwrap();
    assert_eq!(a.to_flat(), b.to_flat());
    assert_eq!(ha, hb);
    // And they change training.
    let mut plain = Three::seeded(2);
    plain
        .fit(
            &X,
            &LABELS,
            &Fit::new().epochs(20).mini_batch(4).learning_rate(0.05),
        )
        .unwrap();
    assert_ne!(plain.to_flat(), a.to_flat());
}

#[test]
fn equal_weights_train_exactly_as_none() {
    let settings = Fit::new()
        .epochs(30)
        .mini_batch(4)
        .learning_rate(0.1)
        .seed(5);
    let (mut a, mut b, mut c) = (Yes::seeded(1), Yes::seeded(1), Yes::seeded(1));
    let plain = a.fit(&X, &Y, &settings).unwrap();
    let equal = b
        .fit(&X, &Y, &settings.clone().sample_weights([0.3; 6]))
        .unwrap();
    let classes = c.fit(&X, &Y, &settings.class_weights([2.0, 2.0])).unwrap();
    assert_eq!(a.to_flat(), b.to_flat());
    assert_eq!(a.to_flat(), c.to_flat());
    assert_eq!(plain, equal);
    assert_eq!(plain, classes);
}

#[test]
fn bad_weights_are_typed_errors() {
    let fit = |s: Fit| Yes::seeded(1).fit(&X, &Y, &s.epochs(1)).unwrap_err();
    assert_eq!(
        fit(Fit::new().sample_weights([1.0, -1.0, 1.0, 1.0, 1.0, 1.0])),
        Error::InvalidWeight {
            what: "sample_weights",
            index: 1,
            value: -1.0
        }
    );
    assert!(matches!(
        fit(Fit::new().class_weights([1.0, f64::NAN])),
        Error::InvalidWeight {
            what: "class_weights",
            index: 1,
            ..
        }
    ));
    let e = fit(Fit::new().sample_weights([1.0; 5]));
    assert!(matches!(
        e,
        Error::WeightCount {
            what: "sample_weights",
            found: 5,
            ..
        }
    ));
    assert!(
        e.to_string().contains("one per row given to the run (6)"),
        "{e}"
    );
    assert!(matches!(
        fit(Fit::new().class_weights([1.0; 3])),
        Error::WeightCount {
            what: "class_weights",
            found: 3,
            ..
        }
    ));
    // Row 0 is class 1; one weight covers class 0 only.
    assert_eq!(
        fit(Fit::new().class_weights([1.0])),
        Error::ClassOutsideWeights {
            row: 0,
            class: 1,
            weights: 1
        }
    );
    assert_eq!(fit(Fit::new().sample_weights([0.0; 6])), Error::ZeroWeights);
    let e = Line::seeded(1)
        .fit(&[[1.0]], &[[2.0]], &Fit::new().class_weights([1.0]))
        .unwrap_err();
    assert!(matches!(
        e,
        Error::NoClasses {
            what: "class_weights",
            loss: "mse",
            ..
        }
    ));
}
