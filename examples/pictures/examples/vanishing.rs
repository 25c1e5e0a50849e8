//! Vanishing gradients: a deep sigmoid network against the same depth with relu.
//!
//! Both networks are `8 => 16 => 16 => 16 => 16 => 16 => 16 => 16 => 1 sigmoid`
//! (seven hidden layers) with bce, one with sigmoid hidden layers (Glorot
//! initialisation), the other with relu (He initialisation, chosen automatically
//! for relu layers). They learn the same simple task, whether a point of 8
//! standard normal coordinates lies inside the ball holding half of them, with
//! plain SGD from the same settings.
//!
//! A sigmoid's slope is at most 1/4, so backpropagation multiplies the gradient
//! by a small factor at every sigmoid layer and the layers nearest the input get
//! gradients orders of magnitude smaller than the last one: they barely move. A
//! relu passes gradients through unchanged where it is active. The example prints
//! each layer's gradient norm (the mean over an epoch's steps of the L2 norm of
//! the layer's weight and bias gradient, as [`mlp::History`] records it) at the
//! first and last epoch for both networks, with their accuracies, and writes a
//! picture of every layer's gradient norm over the epochs on a log scale.
//!
//! Run from the repository root:
//! `cargo run --release --manifest-path examples/pictures/Cargo.toml --example vanishing`
//! (the picture goes to `target/examples-output/` under the current directory).

use mlp::core::init::Uniform;
use mlp::core::train::Epoch;
use mlp::metrics::accuracy;
use mlp::prelude::*;
use plot::{Panel, Scale, Series};
use std::error::Error;

network! {
    /// Seven sigmoid hidden layers.
    struct DeepSigmoid {
        8 => 16 sigmoid => 16 sigmoid => 16 sigmoid => 16 sigmoid => 16 sigmoid
          => 16 sigmoid => 16 sigmoid => 1 sigmoid;
        loss = bce;
    }
}

network! {
    /// The same depth with relu hidden layers.
    struct DeepRelu {
        8 => 16 relu => 16 relu => 16 relu => 16 relu => 16 relu
          => 16 relu => 16 relu => 1 sigmoid;
        loss = bce;
    }
}

const TRAIN_ROWS: usize = 2000;
const TEST_ROWS: usize = 1000;
const EPOCHS: usize = 60;
/// The squared radius of the ball holding half of an 8-dimensional standard
/// normal: the median of a chi-squared distribution with 8 degrees of freedom.
const MEDIAN_SQUARED_RADIUS: f64 = 7.344;

/// A deep classifier of 8 inputs with one probability out.
trait Deep: Network<Input = [f32; 8], Output = [f32; 1], Target = [f32; 1]> {}
impl<N: Network<Input = [f32; 8], Output = [f32; 1], Target = [f32; 1]>> Deep for N {}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = Uniform::new(7);
    let (train_x, train_y) = ball(&mut rng, TRAIN_ROWS);
    let (test_x, test_y) = ball(&mut rng, TEST_ROWS);
    let data = Data {
        train_x,
        train_y,
        test_x,
        test_y,
    };
    let inside = data.train_y.iter().filter(|y| y[0] > 0.5).count();
    println!(
        "task: is a standard normal point of 8 coordinates inside the ball holding half of them? \
         {TRAIN_ROWS} training rows ({inside} inside), {TEST_ROWS} test rows"
    );
    let settings = Fit::new()
        .epochs(EPOCHS)
        .mini_batch(32)
        .optimizer(Optimizer::Sgd)
        .learning_rate(0.1)
        .seed(3)
        .progress(true);
    println!(
        "8 => 7 x 16 hidden => 1 sigmoid, bce, seed 1, SGD 0.1, batches of 32, {EPOCHS} epochs"
    );

    let sigmoid = run(DeepSigmoid::seeded(1), "sigmoid", &data, &settings)?;
    let relu = run(DeepRelu::seeded(1), "relu", &data, &settings)?;

    let path = plot::output_dir()?.join("vanishing-gradients.png");
    let layers = DeepSigmoid::LAYERS;
    // One legend (the colours are the same on both sides), where the relu panel
    // has room for it.
    let panel = |name: &str, history: &History, legend: bool| {
        let series = (0..layers)
            .map(|layer| {
                let label = if legend {
                    layer_name(layer, layers)
                } else {
                    String::new()
                };
                let color = plot::sequential(layer as f64 / (layers - 1) as f64);
                let points = history
                    .epochs
                    .iter()
                    .map(|e| ((e.epoch + 1) as f64, e.gradient_norms[layer]))
                    .collect();
                Series::line(&label, color, 2, points)
            })
            .collect();
        let ratio = history.last().map_or(f64::NAN, first_to_last);
        Panel::new(
            &format!(
                "{name} hidden layers: layer 1 / output layer = {}",
                short(ratio)
            ),
            "epoch",
            "mean gradient norm per step (log scale)",
            series,
        )
        .legend_at(plot::SeriesLabelPosition::LowerRight)
    };
    plot::charts(
        &path,
        "Gradient norm of each layer while training: 8 layers (7 hidden), same task and settings",
        (1300, 620),
        Scale::Log,
        &[
            panel("sigmoid", &sigmoid, false),
            panel("relu", &relu, true),
        ],
    )?;
    println!();
    println!("wrote {}", path.display());
    Ok(())
}

/// Training and test rows.
struct Data {
    train_x: Vec<[f32; 8]>,
    train_y: Vec<[f32; 1]>,
    test_x: Vec<[f32; 8]>,
    test_y: Vec<[f32; 1]>,
}

/// Trains `net`, prints its gradient norms at the first and last epoch and its
/// accuracy, and returns its history.
fn run<N: Deep>(
    mut net: N,
    name: &str,
    data: &Data,
    settings: &Fit,
) -> Result<History, Box<dyn Error>> {
    let history = net.fit(&data.train_x, &data.train_y, settings)?;
    let (first, last) = match (history.epochs.first(), history.last()) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err("no epoch ran".into()),
    };
    println!();
    println!("{name} hidden layers, gradient norm per layer:");
    println!(
        "  {:<20} {:>9}   {:>9}",
        "",
        "epoch 1",
        format!("epoch {}", last.epoch + 1)
    );
    let layers = first.gradient_norms.len();
    for (layer, (a, b)) in first
        .gradient_norms
        .iter()
        .zip(&last.gradient_norms)
        .enumerate()
    {
        println!("  {:<20} {a:>9.3e}   {b:>9.3e}", layer_name(layer, layers));
    }
    println!(
        "  layer 1 / output layer: {} at epoch 1, {} at epoch {}",
        short(first_to_last(first)),
        short(first_to_last(last)),
        last.epoch + 1
    );
    println!(
        "  training loss {:.4}, training accuracy {:.3}, test accuracy {:.3}",
        last.train_loss.unwrap_or(last.step_loss),
        last.train_accuracy.unwrap_or(f64::NAN),
        accuracy(&net, &data.test_x, &data.test_y)?
    );
    Ok(history)
}

/// "layer 1 (input side)", "layer 2", ..., "layer 8 (output)".
fn layer_name(layer: usize, layers: usize) -> String {
    match layer {
        0 => "layer 1 (input side)".to_string(),
        l if l + 1 == layers => format!("layer {} (output)", l + 1),
        l => format!("layer {}", l + 1),
    }
}

/// A ratio, briefly: 9.0e-5, 0.35, 12.11.
fn short(ratio: f64) -> String {
    if ratio < 0.01 {
        format!("{ratio:.1e}")
    } else {
        format!("{ratio:.2}")
    }
}

/// The first layer's gradient norm over the output layer's.
fn first_to_last(epoch: &Epoch) -> f64 {
    match (epoch.gradient_norms.first(), epoch.gradient_norms.last()) {
        (Some(first), Some(last)) => first / last,
        _ => f64::NAN,
    }
}

/// `rows` standard normal points of 8 coordinates, labelled 1 inside the ball that
/// holds half of them and 0 outside.
fn ball(rng: &mut Uniform, rows: usize) -> (Vec<[f32; 8]>, Vec<[f32; 1]>) {
    let mut x = Vec::with_capacity(rows);
    let mut y = Vec::with_capacity(rows);
    for _ in 0..rows {
        let point: [f64; 8] = std::array::from_fn(|_| rng.normal());
        let squared: f64 = point.iter().map(|v| v * v).sum();
        x.push(point.map(|v| v as f32));
        y.push([if squared < MEDIAN_SQUARED_RADIUS {
            1.0
        } else {
            0.0
        }]);
    }
    (x, y)
}
