//! XOR, the classic problem no straight line separates, learned by `2 => 8 tanh =>
//! 1 sigmoid` with bce from a fixed seed.
//!
//! Trains with Adam on the four points (one full batch per epoch), prints the four
//! predictions and the final loss, and draws two pictures: the loss curve and the
//! decision boundary (the network's output over [-0.5, 1.5]^2, the 0.5 level as a
//! black line, and the four points).
//!
//! Run from the repository root:
//! `cargo run --release --manifest-path examples/pictures/Cargo.toml --example xor`
//! (pictures go to `target/examples-output/` under the current directory).

use mlp::prelude::*;
use plot::{Marker, Panel, Scale, Series};
use std::error::Error;

network! {
    /// Two inputs in {0, 1}; the output is the probability that exactly one is 1.
    struct Xor { 2 => 8 tanh => 1 sigmoid; loss = bce; }
}

const X: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
const Y: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];

fn main() -> Result<(), Box<dyn Error>> {
    let mut net = Xor::seeded(3);
    let settings = Fit::new()
        .epochs(500)
        .full_batch()
        .optimizer(Optimizer::adam())
        .learning_rate(0.05)
        .progress(true);
    let history = net.fit(&X, &Y, &settings)?;

    println!("2 => 8 tanh => 1 sigmoid, bce, seed 3, Adam at 0.05, 500 full-batch epochs");
    for (x, y) in X.iter().zip(&Y) {
        let p = net.predict(x)[0];
        println!("  {x:?} -> {p:.4}  (target {})", y[0]);
    }
    let first = history.epochs.first().ok_or("no epoch ran")?;
    let last = history.last().ok_or("no epoch ran")?;
    let loss = |e: &mlp::core::train::Epoch| e.train_loss.unwrap_or(e.step_loss);
    println!(
        "loss after epoch 1: {:.4}; after epoch {}: {:.5}; accuracy {:.2}",
        loss(first),
        history.epochs.len(),
        loss(last),
        last.train_accuracy.unwrap_or(f64::NAN)
    );

    let dir = plot::output_dir()?;
    let curve = dir.join("xor-loss.png");
    let points = history
        .epochs
        .iter()
        .map(|e| ((e.epoch + 1) as f64, loss(e)))
        .collect();
    plot::charts(
        &curve,
        "XOR: loss while training",
        (820, 520),
        Scale::Log,
        &[Panel::new(
            "2 => 8 tanh => 1 sigmoid, bce, Adam 0.05, full batch",
            "epoch",
            "bce loss on the four points (log scale)",
            vec![Series::line("training loss", plot::PALETTE[0], 3, points)],
        )],
    )?;

    let boundary = dir.join("xor-boundary.png");
    let markers: Vec<Marker> = X
        .iter()
        .zip(&Y)
        .map(|(x, y)| Marker {
            at: (f64::from(x[0]), f64::from(x[1])),
            color: plot::diverging(f64::from(y[0])),
            text: format!("y = {}, p = {:.2}", y[0], net.predict(x)[0]),
        })
        .collect();
    plot::probability_map(
        &boundary,
        "XOR: the output p(x1, x2), black where p = 0.5",
        -0.5..1.5,
        200,
        |a, b| f64::from(net.predict(&[a as f32, b as f32])[0]),
        &markers,
    )?;
    println!("wrote {}", curve.display());
    println!("wrote {}", boundary.display());
    Ok(())
}
