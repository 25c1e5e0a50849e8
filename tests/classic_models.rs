//! Networks without a hidden layer are the classic linear models; trained by
//! gradient descent they must reach the solutions known in closed form.

use mlp::prelude::*;

/// Full-batch gradient descent for `epochs` steps of `lr`.
macro_rules! train {
    ($net:expr, $x:expr, $y:expr, $lr:expr, $epochs:expr) => {
        for _ in 0..$epochs {
            let g = $net.gradients($x, $y).unwrap();
            $net.step(&g, $lr).unwrap();
        }
    };
}

#[test]
fn linear_regression_matches_least_squares() {
    network! { struct Line { 2 => 1 linear; loss = mse; scalar = f64; } }
    // y = 3 x0 - 2 x1 + 1 plus fixed noise; the least-squares fit comes from the
    // normal equations.
    let x: Vec<[f64; 2]> = (0..20)
        .map(|i| [i as f64 / 10.0, ((i * 7) % 11) as f64 / 5.0])
        .collect();
    let noise = |i: usize| ((i * 37) % 17) as f64 / 17.0 - 0.5;
    let y: Vec<[f64; 1]> = x
        .iter()
        .enumerate()
        .map(|(i, r)| [3.0 * r[0] - 2.0 * r[1] + 1.0 + 0.1 * noise(i)])
        .collect();
    let design = nalgebra::DMatrix::from_fn(20, 3, |i, j| if j < 2 { x[i][j] } else { 1.0 });
    let target = nalgebra::DVector::from_fn(20, |i, _| y[i][0]);
    let exact = (design.transpose() * &design).try_inverse().unwrap() * design.transpose() * target;

    let mut net = Line::zeros();
    train!(net, &x, &y, 0.1, 20_000);
    let (w, b) = (&net.layers.0.weight, net.layers.0.bias[0]);
    println!(
        "gradient descent: w = ({:.6}, {:.6}), b = {b:.6}; normal equations: {exact:.6}",
        w[0], w[1]
    );
    assert!((w[0] - exact[0]).abs() < 1e-6);
    assert!((w[1] - exact[1]).abs() < 1e-6);
    assert!((b - exact[2]).abs() < 1e-6);
}

#[test]
fn logistic_regression_reaches_the_maximum_likelihood_estimate() {
    network! { struct Logistic { 1 => 1 sigmoid; loss = bce; scalar = f64; } }
    // At x = 0 one of four samples is positive, at x = 1 three of four: the MLE has
    // sigmoid(b) = 1/4 and sigmoid(w + b) = 3/4, so b = -ln 3 and w = 2 ln 3.
    let x = [[0.0], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0]];
    let y = [[1.0], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [0.0]];
    let mut net = Logistic::zeros();
    train!(net, &x, &y, 2.0, 5_000);
    let (w, b) = (net.layers.0.weight[0], net.layers.0.bias[0]);
    let ln3 = 3.0_f64.ln();
    println!(
        "w = {w:.9} (2 ln 3 = {:.9}), b = {b:.9} (-ln 3 = {:.9})",
        2.0 * ln3,
        -ln3
    );
    assert!((w - 2.0 * ln3).abs() < 1e-9);
    assert!((b + ln3).abs() < 1e-9);
}

#[test]
fn softmax_regression_reaches_the_class_frequencies() {
    network! { struct Softmax3 { 2 => 3 softmax; loss = sparse_cce; scalar = f64; } }
    network! { struct Softmax3OneHot { 2 => 3 softmax; loss = cce; scalar = f64; } }
    // One-hot inputs: the maximum-likelihood probabilities at each input are the
    // class frequencies seen there: (2, 1, 1)/4 at the first, (1, 1, 2)/4 at the second.
    let x = [
        [1.0, 0.0],
        [1.0, 0.0],
        [1.0, 0.0],
        [1.0, 0.0],
        [0.0, 1.0],
        [0.0, 1.0],
        [0.0, 1.0],
        [0.0, 1.0],
    ];
    let labels = [0, 0, 1, 2, 0, 1, 2, 2];
    let one_hot: Vec<[f64; 3]> = labels
        .iter()
        .map(|&c| core::array::from_fn(|k| if k == c { 1.0 } else { 0.0 }))
        .collect();
    let expected = [[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]];

    let mut sparse = Softmax3::zeros();
    train!(sparse, &x, &labels, 1.0, 5_000);
    let mut dense = Softmax3OneHot::zeros();
    train!(dense, &x, &one_hot, 1.0, 5_000);
    for (row, want) in [[1.0, 0.0], [0.0, 1.0]].iter().zip(expected) {
        let (p, q) = (sparse.predict(row), dense.predict(row));
        println!("x = {row:?}: sparse_cce {p:.6?}, cce {q:.6?}, frequencies {want:?}");
        for k in 0..3 {
            assert!((p[k] - want[k]).abs() < 1e-6);
            assert!((q[k] - want[k]).abs() < 1e-6);
        }
    }
}

/// Linearly separable points with -1/+1 labels.
const SEPARABLE_X: [[f64; 2]; 6] = [
    [2.0, 1.0],
    [1.5, 2.0],
    [3.0, 2.5],
    [-1.0, -0.5],
    [-2.0, 1.0],
    [0.5, -2.0],
];
const SEPARABLE_Y: [[f64; 1]; 6] = [[1.0], [1.0], [1.0], [-1.0], [-1.0], [-1.0]];

network! { struct Linear2 { 2 => 1 linear; loss = perceptron; scalar = f64; } }
network! { struct Svm2 { 2 => 1 linear; loss = hinge; scalar = f64; } }

#[test]
fn perceptron_step_is_rosenblatts_update() {
    // From zero weights every sample is undecided, so one stochastic step of rate 1
    // on (x, y) is Rosenblatt's update: w = y x, b = y.
    let mut net = Linear2::zeros();
    let g = net.gradients(&[SEPARABLE_X[3]], &[SEPARABLE_Y[3]]).unwrap();
    net.step(&g, 1.0).unwrap();
    assert_eq!(net.layers.0.weight.as_slice(), &[1.0, 0.5]);
    assert_eq!(net.layers.0.bias[0], -1.0);
}

#[test]
fn perceptron_separates_separable_data() {
    let mut net = Linear2::zeros();
    let mut epochs = 0;
    // Stochastic passes until an epoch makes no mistake (the perceptron convergence theorem).
    loop {
        let mut mistakes = 0;
        for (x, y) in SEPARABLE_X.iter().zip(&SEPARABLE_Y) {
            if net.predict(x)[0] * y[0] <= 0.0 {
                mistakes += 1;
            }
            let g = net.gradients(&[*x], &[*y]).unwrap();
            net.step(&g, 1.0).unwrap();
        }
        epochs += 1;
        if mistakes == 0 {
            break;
        }
        assert!(epochs < 100, "no convergence");
    }
    println!("perceptron separated the data after {epochs} epochs");
    assert_eq!(net.loss(&SEPARABLE_X, &SEPARABLE_Y).unwrap(), 0.0);
}

#[test]
fn hinge_step_from_zero_and_margins_after_training() {
    // At zero weights every margin is 0 < 1, so dL/dw = -(1/6) sum y x and
    // dL/db = -(1/6) sum y = 0.
    let net = Svm2::zeros();
    let g = net.gradients(&SEPARABLE_X, &SEPARABLE_Y).unwrap();
    let expected = [
        -(2.0 + 1.5 + 3.0 + 1.0 + 2.0 - 0.5) / 6.0,
        -(1.0 + 2.0 + 2.5 + 0.5 - 1.0 + 2.0) / 6.0,
    ];
    assert!((g.layers.0.weight[0] - expected[0]).abs() < 1e-12);
    assert!((g.layers.0.weight[1] - expected[1]).abs() < 1e-12);
    assert!(g.layers.0.bias[0].abs() < 1e-15);

    let mut net = Svm2::zeros();
    train!(net, &SEPARABLE_X, &SEPARABLE_Y, 0.1, 2_000);
    let loss = net.loss(&SEPARABLE_X, &SEPARABLE_Y).unwrap();
    let margins: Vec<f64> = SEPARABLE_X
        .iter()
        .zip(&SEPARABLE_Y)
        .map(|(x, y)| net.predict(x)[0] * y[0])
        .collect();
    println!("hinge loss {loss}, margins {margins:.3?}");
    assert_eq!(loss, 0.0);
    assert!(margins.iter().all(|&m| m >= 1.0));
}
