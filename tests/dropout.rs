//! Dropout: inverted masks while training, identity at inference, exact gradients
//! for a given mask.

use mlp::core::Network;
use mlp::core::init::Uniform;
use mlp::prelude::*;

network! { struct Dropped { 3 => 16 tanh dropout(0.5) => 8 relu dropout(0.2) => 2 linear; loss = mse; scalar = f64; } }
network! { struct Plain { 3 => 16 tanh => 8 relu => 2 linear; loss = mse; scalar = f64; } }

fn data(n: usize) -> (Vec<[f64; 3]>, Vec<[f64; 2]>) {
    let mut rng = Uniform::new(9);
    let x = (0..n)
        .map(|_| core::array::from_fn(|_| rng.between(-1.0, 1.0)))
        .collect();
    let y = (0..n)
        .map(|_| core::array::from_fn(|_| rng.between(-1.0, 1.0)))
        .collect();
    (x, y)
}

fn with_random_biases(mut net: Dropped) -> Dropped {
    let mut rng = Uniform::new(4);
    let mut draw = |b: &mut f64| *b = rng.between(-0.5, 0.5);
    net.layers.0.bias.iter_mut().for_each(&mut draw);
    net.layers.1.bias.iter_mut().for_each(&mut draw);
    net.layers.2.bias.iter_mut().for_each(&mut draw);
    net
}

#[test]
fn inference_and_evaluation_ignore_dropout() {
    let dropped = Dropped::seeded(1);
    let plain = Plain::from_flat(&dropped.to_flat()).unwrap();
    let (x, y) = data(20);
    assert_eq!(dropped.predict_batch(&x), plain.predict_batch(&x));
    assert_eq!(dropped.loss(&x, &y).unwrap(), plain.loss(&x, &y).unwrap());
    assert_eq!(
        dropped.gradients(&x, &y).unwrap().to_flat(),
        plain.gradients(&x, &y).unwrap().to_flat()
    );
}

/// Checks a training gradient, computed in the workspace `ws(seed)` makes (in
/// training mode, masks drawn from `seed`), against finite differences of its own
/// loss under the same masks (the same seed every time), and that another mask
/// gives another gradient.
fn check_under_fixed_masks(path: &str, ws: impl Fn(u64) -> Workspace<Dropped>) {
    let net = with_random_biases(Dropped::seeded(2));
    let (x, y) = data(13);
    let gradient = |net: &Dropped, grads: &mut Gradients<Dropped>, seed| {
        net.gradients_with(&mut ws(seed), &x, &y, grads).unwrap()
    };
    let mut grads = Gradients::zeros();
    let l = gradient(&net, &mut grads, 77);
    assert!(l < net.loss(&x, &y).unwrap() * 10.0);
    let (params, analytic) = (net.to_flat(), grads.to_flat());
    let mut worst = 0.0_f64;
    for (k, &analytic) in analytic.iter().enumerate() {
        let h = 1e-6;
        let loss = |delta: f64| {
            let mut p = params.clone();
            p[k] += delta;
            gradient(
                &Dropped::from_flat(&p).unwrap(),
                &mut Gradients::zeros(),
                77,
            )
        };
        let numeric = (loss(h) - loss(-h)) / (2.0 * h);
        worst = worst.max((analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(1e-3));
    }
    println!("{path}: dropout gradient check: max error {worst:.2e}");
    assert!(worst < 1e-6, "{path}: {worst:e}");
    let mut other = Gradients::zeros();
    gradient(&net, &mut other, 78);
    assert_ne!(
        other.to_flat(),
        grads.to_flat(),
        "{path}: the mask changed nothing"
    );
}

#[test]
fn training_gradients_match_finite_differences_under_the_same_masks() {
    check_under_fixed_masks("batch", |seed| Workspace::new(16).dropout(seed));
}

#[test]
fn per_sample_training_gradients_match_finite_differences_under_the_same_masks() {
    check_under_fixed_masks("by sample", |seed| Workspace::by_sample().dropout(seed));
}

#[test]
fn masks_drop_about_the_rate_and_keep_the_expected_activation() {
    // With zero targets and a linear last layer, the first hidden layer's dropped
    // fraction shows in how many of its weight gradients are exactly zero per row.
    network! { struct Wide { 1 => 2000 linear dropout(0.3) => 1 linear; loss = sse; scalar = f64; } }
    let mut net = Wide::zeros();
    net.layers.0.bias.fill(1.0);
    net.layers.1.weight.fill(1.0);
    let mut ws = Workspace::new(1).dropout(5);
    let mut g = Gradients::zeros();
    let loss: f64 = net
        .gradients_with(&mut ws, &[[0.0]], &[[0.0]], &mut g)
        .unwrap();
    // Output = sum of kept units / 0.7: its expectation is 2000.
    let output = (2.0 * loss).sqrt();
    let dropped = g.layers.1.weight.iter().filter(|w| **w == 0.0).count();
    println!("dropped {dropped} of 2000, output {output:.1}");
    assert!((500..700).contains(&dropped), "{dropped}");
    assert!((output - 2000.0).abs() < 100.0, "{output}");
}

#[test]
fn fit_trains_a_network_with_dropout() {
    let (x, y) = data(64);
    let mut net = Dropped::seeded(3);
    let before = net.loss(&x, &y).unwrap();
    let history = net
        .fit(
            &x,
            &y,
            &mlp::Fit::new()
                .epochs(30)
                .progress(false)
                .learning_rate(0.01),
        )
        .unwrap();
    assert!(net.loss(&x, &y).unwrap() < before);
    assert_eq!(history.epochs.len(), 30);
}
