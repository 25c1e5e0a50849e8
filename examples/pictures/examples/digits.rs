//! The pictures of the digits example (`examples/digits.rs` at the repository root):
//! its loss curves and its test confusion matrix, drawn from the CSV tables it
//! writes, so that the main example builds no plotting crate and is not trained
//! twice.
//!
//! Run from the repository root, after the digits example:
//!
//! ```sh
//! cargo run --release --example digits
//! cargo run --release --manifest-path examples/pictures/Cargo.toml --example digits
//! ```
//!
//! Reads `target/examples-output/digits-history.csv` and `digits-confusion.csv`
//! and writes `digits-loss.png` and `digits-confusion.png` beside them.

use plot::{Panel, Scale, Series, Table};
use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = plot::output_dir()?;
    let read = |name: &str| {
        Table::read(&dir.join(name)).map_err(|e| {
            format!(
                "{e}; run `cargo run --release --example digits` from the repository root first"
            )
        })
    };
    let history = read("digits-history.csv")?;
    let confusion = read("digits-confusion.csv")?;

    let epochs = history.column("epoch")?;
    let curve = |name: &str| -> Result<Vec<(f64, f64)>, Box<dyn Error>> {
        Ok(epochs.iter().copied().zip(history.column(name)?).collect())
    };
    let loss = dir.join("digits-loss.png");
    plot::charts(
        &loss,
        "digits: 64 => 64 relu => 10 softmax, sparse_cce, Adam 1e-3, batches of 32",
        (1000, 520),
        Scale::Log,
        &[
            Panel::new(
                "loss per epoch (log scale)",
                "epoch",
                "sparse_cce loss",
                vec![
                    Series::line(
                        "mean of the epoch's mini-batches",
                        plot::PALETTE[1],
                        2,
                        curve("step_loss")?,
                    ),
                    Series::line(
                        "all training rows, after the epoch",
                        plot::PALETTE[0],
                        3,
                        curve("train_loss")?,
                    ),
                ],
            ),
            Panel::new(
                "training error per epoch (log scale)",
                "epoch",
                "1 - training accuracy",
                vec![Series::line(
                    "training rows misclassified",
                    plot::PALETTE[2],
                    3,
                    // A perfect epoch has no error to draw on a log scale.
                    curve("train_accuracy")?
                        .into_iter()
                        .map(|(e, a)| (e, 1.0 - a))
                        .filter(|&(_, error)| error > 0.0)
                        .collect(),
                )],
            ),
        ],
    )?;

    // The first column is the true class; the others are the predicted ones.
    let counts: Vec<Vec<f64>> = confusion.rows.iter().map(|row| row[1..].to_vec()).collect();
    let total: f64 = counts.iter().flatten().sum();
    let right: f64 = (0..counts.len()).map(|c| counts[c][c]).sum();
    let matrix = dir.join("digits-confusion.png");
    plot::confusion_map(
        &matrix,
        &format!(
            "digits: the {total} test rows, {right} right (accuracy {:.4})",
            right / total
        ),
        &counts,
    )?;
    println!("wrote {}", loss.display());
    println!("wrote {}", matrix.display());
    Ok(())
}
