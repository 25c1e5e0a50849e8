//! Robust regression: the same network fitted to noisy data with a few large
//! outliers under three losses, mse, mae and huber.
//!
//! The training data are y = sin(x) + noise (standard deviation 0.1) at 200 random
//! points of [-3, 3], 14 of whose targets are pushed up by 3 to 6. Three networks
//! `1 => 32 tanh => 1 linear`, identical but for the loss, start from the same seed
//! and train with the same settings. Each is then measured against the clean
//! function sin(x) on 301 evenly spaced points. The mean squared error grows with
//! the square of a residual, so a few outliers outweigh everything else and mse
//! chases them; mae grows linearly, and huber is squared up to delta and linear
//! beyond it (delta = 0.3 here, a few times the noise, so every outlier counts
//! linearly), and both stay near sin(x). Writes one picture with the data, the
//! outliers and the three fitted curves (mse solid, mae dashed, huber dotted).
//!
//! Run from the repository root:
//! `cargo run --release --manifest-path examples/pictures/Cargo.toml --example regression`
//! (the picture goes to `target/examples-output/` under the current directory).

use mlp::core::init::Uniform;
use mlp::metrics::{mean_absolute_error, mean_squared_error};
use mlp::prelude::*;
use plot::{Mark, Panel, Scale, Series};
use std::error::Error;

network! { struct MseFit { 1 => 32 tanh => 1 linear; loss = mse; } }
network! { struct MaeFit { 1 => 32 tanh => 1 linear; loss = mae; } }
network! { struct HuberFit { 1 => 32 tanh => 1 linear; loss = huber(0.3); } }

const TRAIN_ROWS: usize = 200;
const OUTLIERS: usize = 14;
const TEST_ROWS: usize = 301;

/// A network of one input and one output trained on `[f32; 1]` targets.
trait Curve: Network<Input = [f32; 1], Output = [f32; 1], Target = [f32; 1]> {}
impl<N: Network<Input = [f32; 1], Output = [f32; 1], Target = [f32; 1]>> Curve for N {}

/// What one loss achieved.
struct Outcome {
    loss: &'static str,
    train_loss: f64,
    test_mae: f64,
    test_mse: f64,
    curve: Vec<(f64, f64)>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = Uniform::new(2024);
    let mut train_x = Vec::with_capacity(TRAIN_ROWS);
    let mut train_y = Vec::with_capacity(TRAIN_ROWS);
    for _ in 0..TRAIN_ROWS {
        let x = rng.between(-3.0, 3.0);
        train_x.push([x as f32]);
        train_y.push([(x.sin() + 0.1 * rng.normal()) as f32]);
    }
    // Outliers: distinct rows whose targets are pushed far up.
    let mut outliers = Vec::with_capacity(OUTLIERS);
    while outliers.len() < OUTLIERS {
        let row = rng.below(TRAIN_ROWS);
        if !outliers.contains(&row) {
            train_y[row][0] += rng.between(3.0, 6.0) as f32;
            outliers.push(row);
        }
    }
    let test_x: Vec<[f32; 1]> = (0..TEST_ROWS)
        .map(|i| [(-3.0 + 6.0 * i as f64 / (TEST_ROWS - 1) as f64) as f32])
        .collect();
    let test_y: Vec<[f32; 1]> = test_x.iter().map(|x| [x[0].sin()]).collect();

    let settings = Fit::new()
        .epochs(1000)
        .mini_batch(32)
        .optimizer(Optimizer::adam())
        .learning_rate(0.01)
        .schedule(Schedule::Cosine { min_rate: 1e-4 })
        .seed(5)
        .progress(true);
    println!(
        "{TRAIN_ROWS} training rows of sin(x) + noise on [-3, 3], {OUTLIERS} of them outliers \
         (+3 to +6); {TEST_ROWS} clean test points of sin(x)"
    );
    println!(
        "1 => 32 tanh => 1 linear, seed 1, Adam 0.01 with cosine decay, batches of 32, 1000 epochs"
    );
    let seed = 1;
    let outcomes = [
        train(
            MseFit::seeded(seed),
            "mse",
            &train_x,
            &train_y,
            &test_x,
            &test_y,
            &settings,
        )?,
        train(
            MaeFit::seeded(seed),
            "mae",
            &train_x,
            &train_y,
            &test_x,
            &test_y,
            &settings,
        )?,
        train(
            HuberFit::seeded(seed),
            "huber(0.3)",
            &train_x,
            &train_y,
            &test_x,
            &test_y,
            &settings,
        )?,
    ];
    println!();
    println!("loss         final training loss   test mean abs error   test mean sq error");
    for o in &outcomes {
        println!(
            "{:<12} {:>19.4}   {:>19.4}   {:>18.4}",
            o.loss, o.train_loss, o.test_mae, o.test_mse
        );
    }

    let path = plot::output_dir()?.join("regression.png");
    let point = |x: &[f32; 1], y: &[f32; 1]| (f64::from(x[0]), f64::from(y[0]));
    let inliers = (0..TRAIN_ROWS)
        .filter(|i| !outliers.contains(i))
        .map(|i| point(&train_x[i], &train_y[i]))
        .collect();
    let outlying = outliers
        .iter()
        .map(|&i| point(&train_x[i], &train_y[i]))
        .collect();
    let truth = test_x
        .iter()
        .zip(&test_y)
        .map(|(x, y)| point(x, y))
        .collect();
    let gray = plot::RGBColor(150, 150, 150);
    let mut series = vec![
        Series::dots("training data", gray, 3, inliers),
        Series::dots("outliers", plot::PALETTE[3], 5, outlying).with_mark(Mark::Cross(6)),
    ];
    // The truth thin and under the fits, which show where they leave it.
    let black = plot::RGBColor(0, 0, 0);
    series.push(Series::line("sin(x), the truth", black, 1, truth));
    // mae and huber fit nearly the same curve: a solid, a dashed and a dotted line
    // in three colours keep each visible where another runs over it.
    let styles = [
        (plot::PALETTE[1], Mark::Line(3)),
        (plot::PALETTE[0], Mark::Dashed(3)),
        (plot::PALETTE[2], Mark::Dotted(2)),
    ];
    for (o, (color, mark)) in outcomes.iter().zip(styles) {
        let label = format!("{} fit (test MAE {:.3})", o.loss, o.test_mae);
        series.push(Series::line(&label, color, 3, o.curve.clone()).with_mark(mark));
    }
    plot::charts(
        &path,
        "1 => 32 tanh => 1 linear fitted with three losses",
        (1000, 640),
        Scale::Linear,
        &[Panel::new(
            "outliers pull the mse fit up; mae and huber stay near sin(x)",
            "x",
            "y",
            series,
        )
        .include_y(-3.2)
        .legend_at(plot::SeriesLabelPosition::LowerRight)],
    )?;
    println!();
    println!("wrote {}", path.display());
    Ok(())
}

/// Trains `net` and measures it on the clean test points.
fn train<N: Curve>(
    mut net: N,
    loss: &'static str,
    train_x: &[[f32; 1]],
    train_y: &[[f32; 1]],
    test_x: &[[f32; 1]],
    test_y: &[[f32; 1]],
    settings: &Fit,
) -> Result<Outcome, Box<dyn Error>> {
    let history = net.fit(train_x, train_y, settings)?;
    let last = history.last().ok_or("no epoch ran")?;
    let curve = test_x
        .iter()
        .map(|x| (f64::from(x[0]), f64::from(net.predict(x)[0])))
        .collect();
    Ok(Outcome {
        loss,
        train_loss: last.train_loss.unwrap_or(last.step_loss),
        test_mae: mean_absolute_error(&net, test_x, test_y)?,
        test_mse: mean_squared_error(&net, test_x, test_y)?,
        curve,
    })
}
