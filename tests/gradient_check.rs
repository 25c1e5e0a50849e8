//! Analytic gradients against central finite differences, in f64, for every
//! activation as a hidden layer, every valid activation/loss pairing, several
//! depths, and batches of 1, 13 (not a multiple of 8) and 300 (more than one
//! 256-sample chunk).
//!
//! Every check also runs the per-sample path (`gradients_by_sample`, the one that
//! needs no allocator) and requires it to agree with the batch kernels to 1e-10.
//!
//! The error measure is `|analytic - numeric| / max(|analytic|, |numeric|, 1e-3)`:
//! relative for every gradient above 1e-3, absolute (1e-9) below it, where the
//! finite difference itself is only good to about 1e-10.
//!
//! Relu, leaky relu and elu have a kink at 0: when a step of 1e-5 moves some
//! sample's pre-activation across it, the difference quotient is wrong, not the
//! gradient. Such a parameter is measured again with steps of 1e-6 and 1e-7, which
//! cross a kink 10 and 100 times less often; a wrong gradient fails at every step.

use mlp::core::Network;
use mlp::core::init::Uniform;
use mlp::prelude::*;

const STEPS: [f64; 3] = [1e-5, 1e-6, 1e-7];
const TOLERANCE: f64 = 1e-6;
const SEED: u64 = 7;
const BATCHES: [usize; 3] = [1, 13, 300];

/// The largest error over every parameter of `net`. On the way, checks that the
/// per-sample path (one sample at a time on the stack, as without an allocator)
/// gives the batch kernels' loss and gradients.
fn max_error<N: Network<Scalar = f64>>(net: &N, x: &[N::Input], y: &[N::Target]) -> f64 {
    let grads = net.gradients(x, y).expect("valid data");
    assert!(grads.norm() > 1e-6, "vacuous check: the gradient is zero");
    let mut by_sample = Gradients::zeros();
    let loss = net
        .gradients_with(&mut Workspace::by_sample(), x, y, &mut by_sample)
        .unwrap();
    let batch_loss = net.loss(x, y).unwrap();
    for other in [
        batch_loss,
        net.loss_with(&mut Workspace::by_sample(), x, y).unwrap(),
    ] {
        assert!(
            (loss - other).abs() <= 1e-12 * other.abs().max(1.0),
            "{loss} vs {other}"
        );
    }
    let (analytic, by_sample) = (grads.to_flat(), by_sample.to_flat());
    let mut sample_error = 0.0_f64;
    for (a, b) in analytic.iter().zip(&by_sample) {
        sample_error = sample_error.max((a - b).abs() / a.abs().max(b.abs()).max(1e-3));
    }
    println!("  per-sample path: max difference from the batch gradient {sample_error:.2e}");
    assert!(
        sample_error < 1e-10,
        "per-sample gradient differs by {sample_error:e}"
    );
    let params = net.to_flat();
    let mut worst = 0.0_f64;
    for (k, &analytic) in analytic.iter().enumerate() {
        let mut err = f64::INFINITY;
        for h in STEPS {
            let numeric = difference_quotient::<N>(&params, x, y, k, h);
            err = err.min((analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(1e-3));
            if err < TOLERANCE {
                break;
            }
        }
        worst = worst.max(err);
    }
    worst
}

/// `(L(p + h) - L(p - h)) / 2h` for flat parameter `k` of `params`.
fn difference_quotient<N: Network<Scalar = f64>>(
    params: &[f64],
    x: &[N::Input],
    y: &[N::Target],
    k: usize,
    h: f64,
) -> f64 {
    let loss = |delta: f64| {
        let mut p = params.to_vec();
        p[k] += delta;
        N::from_flat(&p).unwrap().loss(x, y).unwrap()
    };
    (loss(h) - loss(-h)) / (2.0 * h)
}

/// Seeded networks start with zero biases; random ones make the check cover them
/// and keep relu pre-activations off exactly 0 (where relu'(0) = 0 by convention
/// but the difference quotient sees half the slope).
fn with_random_biases<N: Network<Scalar = f64>>(net: N, rng: &mut Uniform) -> N {
    let mut flat = net.to_flat();
    let mut offset = 0;
    for w in N::WIDTHS.windows(2) {
        offset += w[0] * w[1];
        for b in &mut flat[offset..offset + w[1]] {
            *b = rng.between(-0.5, 0.5);
        }
        offset += w[1];
    }
    N::from_flat(&flat).unwrap()
}

/// `n` input rows of `N`, each value in [-2, 2).
fn inputs<N: Network<Scalar = f64>>(n: usize, rng: &mut Uniform) -> Vec<N::Input> {
    (0..n)
        .map(|_| {
            let row: Vec<f64> = (0..N::INPUTS).map(|_| rng.between(-2.0, 2.0)).collect();
            N::Input::try_from(&row[..]).unwrap_or_else(|_| unreachable!("INPUTS values"))
        })
        .collect()
}

/// Any real targets.
fn regression<const K: usize>(n: usize, rng: &mut Uniform) -> Vec<[f64; K]> {
    (0..n)
        .map(|_| core::array::from_fn(|_| rng.between(-1.0, 1.5)))
        .collect()
}

/// Probabilities, each output on its own (bce).
fn probability<const K: usize>(n: usize, rng: &mut Uniform) -> Vec<[f64; K]> {
    (0..n)
        .map(|_| core::array::from_fn(|_| rng.unit()))
        .collect()
}

/// Soft labels summing to 1 (cce).
fn distribution<const K: usize>(n: usize, rng: &mut Uniform) -> Vec<[f64; K]> {
    (0..n)
        .map(|_| {
            let raw: [f64; K] = core::array::from_fn(|_| rng.unit() + 0.05);
            let sum: f64 = raw.iter().sum();
            raw.map(|v| v / sum)
        })
        .collect()
}

/// One-hot labels (cce).
fn one_hot<const K: usize>(n: usize, rng: &mut Uniform) -> Vec<[f64; K]> {
    (0..n)
        .map(|_| {
            let c = (rng.unit() * K as f64) as usize;
            core::array::from_fn(|k| if k == c { 1.0 } else { 0.0 })
        })
        .collect()
}

/// -1/+1 labels (hinge, perceptron).
fn sign<const K: usize>(n: usize, rng: &mut Uniform) -> Vec<[f64; K]> {
    (0..n)
        .map(|_| core::array::from_fn(|_| if rng.unit() < 0.5 { -1.0 } else { 1.0 }))
        .collect()
}

/// Checks `N` on every batch size, with targets from `targets(batch, rng)`.
fn check_network<N: Network<Scalar = f64>>(
    dsl: &str,
    mut targets: impl FnMut(usize, &mut Uniform) -> Vec<N::Target>,
) {
    let mut rng = Uniform::new(SEED);
    for &batch in &BATCHES {
        let net = with_random_biases(N::seeded(batch as u64), &mut rng);
        let x = inputs::<N>(batch, &mut rng);
        let y = targets(batch, &mut rng);
        let err = max_error(&net, &x, &y);
        println!("{dsl}: batch {batch}: max error {err:.2e}");
        assert!(err < TOLERANCE, "batch {batch}: error {err:e}");
    }
}

/// `check!(test_name, targets, DSL)`: declares the network in f64 and checks it on
/// every batch size, with targets from the named generator (`classes`: class
/// indices below the output width).
macro_rules! check {
    ($test:ident, classes, $($dsl:tt)*) => {
        check!(@ $test, |n, rng: &mut Uniform| {
            (0..n).map(|_| (rng.unit() * Net::OUTPUTS as f64) as usize).collect()
        }, $($dsl)*);
    };
    ($test:ident, $targets:ident, $($dsl:tt)*) => {
        check!(@ $test, $targets, $($dsl)*);
    };
    (@ $test:ident, $targets:expr, $($dsl:tt)*) => {
        #[test]
        fn $test() {
            network! { struct Net { $($dsl)*; scalar = f64; } }
            check_network::<Net>(stringify!($($dsl)*), $targets);
        }
    };
}

// Every activation as a hidden layer (two of them, so its backward pass feeds another).
check!(hidden_sigmoid, regression, 3 => 5 sigmoid => 4 sigmoid => 2 linear; loss = mse);
check!(hidden_tanh, regression, 3 => 5 tanh => 4 tanh => 2 linear; loss = mse);
check!(hidden_relu, regression, 3 => 5 relu => 4 relu => 2 linear; loss = mse);
check!(hidden_leaky_relu, regression, 3 => 5 leaky_relu => 4 leaky_relu => 2 linear; loss = mse);
check!(hidden_leaky_relu_slope, regression, 3 => 5 leaky_relu(0.3) => 4 leaky_relu(0.1) => 2 linear; loss = mse);
check!(hidden_linear, regression, 3 => 5 linear => 4 linear => 2 linear; loss = mse);
check!(hidden_softmax, regression, 3 => 5 softmax => 4 tanh => 2 linear; loss = mse);
check!(hidden_elu, regression, 3 => 5 elu => 4 elu => 2 linear; loss = mse);
check!(hidden_elu_alpha, regression, 3 => 5 elu(0.5) => 4 elu(2.0) => 2 linear; loss = mse);
check!(hidden_softplus, regression, 3 => 5 softplus => 4 softplus => 2 linear; loss = mse);
check!(hidden_gelu, regression, 3 => 5 gelu => 4 gelu => 2 linear; loss = mse);

// Every valid pairing of loss and output activation.
macro_rules! regression_pairings {
    ($($loss_test:ident: $loss:tt => [$($test:ident: $act:ident),*];)*) => {$($(
        check!($test, regression, 3 => 4 tanh => 2 $act; loss = $loss);
    )*)*};
}

regression_pairings! {
    mse: mse => [mse_sigmoid: sigmoid, mse_tanh: tanh, mse_relu: relu, mse_leaky_relu: leaky_relu,
                 mse_linear: linear, mse_elu: elu, mse_softplus: softplus, mse_gelu: gelu];
    sse: sse => [sse_sigmoid: sigmoid, sse_tanh: tanh, sse_relu: relu, sse_leaky_relu: leaky_relu,
                 sse_linear: linear, sse_elu: elu, sse_softplus: softplus, sse_gelu: gelu];
    mae: mae => [mae_sigmoid: sigmoid, mae_tanh: tanh, mae_relu: relu, mae_leaky_relu: leaky_relu,
                 mae_linear: linear, mae_elu: elu, mae_softplus: softplus, mae_gelu: gelu];
    huber: huber => [huber_sigmoid: sigmoid, huber_tanh: tanh, huber_relu: relu,
                     huber_leaky_relu: leaky_relu, huber_linear: linear, huber_elu: elu,
                     huber_softplus: softplus, huber_gelu: gelu];
}

check!(huber_small_delta, regression, 3 => 4 tanh => 2 linear; loss = huber(0.3));
check!(bce_sigmoid, probability, 3 => 4 tanh => 1 sigmoid; loss = bce);
check!(bce_sigmoid_multi_label, probability, 3 => 4 tanh => 3 sigmoid; loss = bce);
check!(cce_softmax_soft_labels, distribution, 3 => 4 tanh => 4 softmax; loss = cce);
check!(cce_softmax_one_hot, one_hot, 3 => 4 tanh => 3 softmax; loss = cce);
check!(cce_softmax_two, one_hot, 3 => 4 relu => 2 softmax; loss = cce);
check!(sparse_cce_softmax, classes, 3 => 4 tanh => 3 softmax; loss = sparse_cce);
check!(hinge_linear, sign, 3 => 4 tanh => 1 linear; loss = hinge);
check!(perceptron_linear, sign, 3 => 4 tanh => 1 linear; loss = perceptron);

// Depths: no hidden layer, one, four.
check!(depth_0_bce, probability, 3 => 2 sigmoid; loss = bce);
check!(depth_0_cce, one_hot, 3 => 3 softmax; loss = cce);
check!(depth_0_mse, regression, 3 => 2 linear; loss = mse);
check!(depth_1_sse, regression, 3 => 6 sigmoid => 2 sigmoid; loss = sse);
check!(depth_4_mixed, regression, 3 => 5 tanh => 4 relu => 4 gelu => 3 elu => 2 linear; loss = mse);
check!(depth_4_classifier, classes, 3 => 6 softplus => 5 leaky_relu => 5 sigmoid => 4 tanh => 3 softmax; loss = sparse_cce);
