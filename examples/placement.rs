//! The placement network end to end: four scores of a student (CGPA, aptitude,
//! communication, projects) predict whether the student is placed.
//!
//! Reads `examples/data/placement.csv` (60 students, a small synthetic table made
//! for this example), holds out every fifth row, trains `4 => 3 sigmoid => 2
//! sigmoid => 1 sigmoid` with bce by full-batch gradient descent (`fit` with the
//! held-out rows as validation data, a callback printing the losses every 500
//! epochs), reports the accuracies, and predicts two new students.
//!
//! The trained network is saved to `examples/models/placement.safetensors`, the file
//! the `compiled` example compiles in.
//!
//! Run: `cargo run --release --example placement`

use mlp::core::train::{Control, Rows, fit};
use mlp::prelude::*;
use std::error::Error;

network! {
    /// Predicts placement (yes/no) from four scores.
    pub struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
    }
}

const DATA: &str = include_str!("data/placement.csv");

fn main() -> Result<(), Box<dyn Error>> {
    let (rows, placed) = read(DATA)?;
    let (mean, std) = moments(&rows);
    let scale = |r: &[f32; 4]| -> [f32; 4] { std::array::from_fn(|i| (r[i] - mean[i]) / std[i]) };

    let (mut train_x, mut train_y, mut test_x, mut test_y) = (vec![], vec![], vec![], vec![]);
    for (i, (r, y)) in rows.iter().zip(&placed).enumerate() {
        let (x, t) = if i % 5 == 4 {
            (&mut test_x, &mut test_y)
        } else {
            (&mut train_x, &mut train_y)
        };
        x.push(scale(r));
        t.push(*y);
    }
    println!(
        "{} training rows, {} test rows",
        train_x.len(),
        test_x.len()
    );

    let mut net = Placement::seeded(7);
    println!(
        "epoch    0: train loss {:.4}, test loss {:.4}",
        net.loss(&train_x, &train_y)?,
        net.loss(&test_x, &test_y)?
    );
    // Plain gradient descent on every training row at once, the test rows measured
    // after every epoch.
    let settings = Fit::new()
        .epochs(3000)
        .full_batch()
        .shuffle(false)
        .optimizer(Optimizer::Sgd)
        .learning_rate(0.5)
        .progress(true);
    let history = fit(
        &mut net,
        Rows::new(&train_x, &train_y),
        Some(Rows::new(&test_x, &test_y)),
        &settings,
        |epoch, _| {
            let done = epoch.epoch + 1;
            if done % 500 == 0 {
                println!(
                    "epoch {done:4}: train loss {:.4}, test loss {:.4}",
                    epoch.train_loss.unwrap_or(f64::NAN),
                    epoch.validation_loss.unwrap_or(f64::NAN)
                );
            }
            Control::Continue
        },
    )?;
    let last = history.last().ok_or("no epoch ran")?;
    println!(
        "train accuracy {:.3}",
        last.train_accuracy.unwrap_or(f64::NAN)
    );
    println!(
        "test accuracy  {:.3}",
        last.validation_accuracy.unwrap_or(f64::NAN)
    );

    for student in [[9.2, 7.5, 6.0, 4.0], [6.1, 3.0, 5.5, 1.0]] {
        let p = net.predict(&scale(&student))[0];
        println!("scores {student:?}: placed with probability {p:.2}");
    }

    // The `compiled` example builds these weights into its binary.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/models/placement.safetensors");
    mlp::Save::save(&net, &path)?;
    println!("saved to {}", path.display());
    Ok(())
}

/// Rows of scores and their placed (1) / not placed (0) labels.
type Table = (Vec<[f32; 4]>, Vec<[f32; 1]>);

/// Parses `cgpa,aptitude,communication,projects,placed` rows after a header.
fn read(csv: &str) -> Result<Table, Box<dyn Error>> {
    let mut rows = vec![];
    let mut labels = vec![];
    for (n, line) in csv.lines().enumerate().skip(1) {
        let values: Vec<f32> = line
            .split(',')
            .map(|v| v.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("line {}: {e}", n + 1))?;
        let [a, b, c, d, y] = values[..] else {
            return Err(
                format!("line {}: expected 5 values, found {}", n + 1, values.len()).into(),
            );
        };
        rows.push([a, b, c, d]);
        labels.push([y]);
    }
    Ok((rows, labels))
}

/// Per-feature mean and standard deviation.
fn moments(rows: &[[f32; 4]]) -> ([f32; 4], [f32; 4]) {
    let n = rows.len() as f32;
    let mean: [f32; 4] = std::array::from_fn(|i| rows.iter().map(|r| r[i]).sum::<f32>() / n);
    let std = std::array::from_fn(|i| {
        (rows.iter().map(|r| (r[i] - mean[i]).powi(2)).sum::<f32>() / n).sqrt()
    });
    (mean, std)
}
