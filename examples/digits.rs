//! Handwritten digits: 8x8 images (pixel counts 0..16, 64 features) of the digits 0
//! to 9, classified by a `64 => 64 relu => 10 softmax` network with `sparse_cce`.
//!
//! Shows training on a real data set of 1797 images with the project's evaluation
//! protocol (every fifth row is a test row; features standardised with the training
//! rows' mean and standard deviation): Adam on shuffled mini-batches of 32 with a
//! little L2, stopped when the training loss has not improved by 1e-4 for 10 epochs
//! (the rule scikit-learn's `MLPClassifier` uses), with a progress bar on a
//! terminal, or a line every 10 epochs from a callback when the output goes
//! elsewhere. It then prints the training time, train and test
//! accuracy, the test set's confusion matrix and a few test digits with their
//! predictions, made by the network saved to
//! `target/examples-output/digits.safetensors` and loaded back. The data
//! (`examples/data/digits.csv`) are built into the binary.
//!
//! It also writes the loss curves (`digits-history.csv`: per epoch the mean loss of
//! the mini-batches, the loss and the accuracy on all training rows) and the test
//! confusion matrix (`digits-confusion.csv`) to `target/examples-output/`;
//! `cargo run --release --manifest-path examples/pictures/Cargo.toml --example digits`
//! then draws them, so this example needs no plotting crate.
//!
//! Every training row is fitted. A plain `validation_split` would hold out the last
//! 20% of the training rows, which are harder than the rest (a network scores about
//! 0.88 on them against about 0.96 on the test rows), so early stopping on them
//! stops too soon; `mlp::core::data::shuffle` before the split makes the holdout
//! random, but the fit then sees only 80% of the rows.
//!
//! Run: `cargo run --release --example digits`

#[path = "common/mod.rs"]
mod common;

use mlp::core::train::{Control, Rows, fit};
use mlp::metrics;
use mlp::prelude::*;
use std::error::Error;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

network! {
    /// Classifies an 8x8 image of a handwritten digit.
    struct Digits {
        64 => 64 relu => 10 softmax;
        loss = sparse_cce;
    }
}

const DATA: &str = include_str!("data/digits.csv");

fn main() -> Result<(), Box<dyn Error>> {
    let (images, labels) = common::read_csv::<64>(DATA)?;
    let (raw_train_x, raw_test_x) = common::split(&images);
    let (train_y, test_y) = common::split(&labels);
    let scaler = common::Standardiser::fit(&raw_train_x);
    let (mut train_x, mut test_x) = (raw_train_x, raw_test_x.clone());
    scaler.apply_all(&mut train_x);
    scaler.apply_all(&mut test_x);
    println!(
        "digits: {} training rows, {} test rows",
        train_x.len(),
        test_x.len()
    );

    let settings = Fit::new()
        .epochs(500)
        .mini_batch(32)
        .optimizer(Optimizer::adam())
        .learning_rate(1e-3)
        .l2(1e-4)
        .early_stopping(10)
        .min_delta(1e-4)
        .seed(7)
        .progress(true);
    // The progress bar shows on a terminal; elsewhere, log every 10 epochs.
    let log = !std::io::stderr().is_terminal();
    let mut net = Digits::seeded(7);
    let start = Instant::now();
    let history = fit(
        &mut net,
        Rows::new(&train_x, &train_y),
        None,
        &settings,
        |e, _| {
            if log && e.epoch % 10 == 0 {
                println!(
                    "epoch {:3}: train loss {:.4}, train accuracy {:.4}",
                    e.epoch,
                    e.train_loss.unwrap_or(e.step_loss),
                    e.train_accuracy.unwrap_or(f64::NAN),
                );
            }
            Control::Continue
        },
    )?;
    let elapsed = start.elapsed();
    println!(
        "trained {} epochs ({:?}, weights of epoch {}) in {:.3} s",
        history.epochs.len(),
        history.stop,
        history.best_epoch.unwrap_or(history.epochs.len() - 1),
        elapsed.as_secs_f64()
    );

    let train_accuracy = metrics::accuracy(&net, &train_x, &train_y)?;
    let test_accuracy = metrics::accuracy(&net, &test_x, &test_y)?;
    println!("train accuracy {train_accuracy:.4}");
    println!("test accuracy  {test_accuracy:.4}");
    println!("confusion matrix of the test rows (rows: true digit, columns: predicted):");
    let confusion = metrics::confusion_matrix(&net, &test_x, &test_y)?;
    println!("{confusion}");

    // What examples/pictures draws, as CSV tables.
    let out = Path::new("target/examples-output");
    std::fs::create_dir_all(out)?;
    let mut curves = String::from("epoch,step_loss,train_loss,train_accuracy\n");
    for e in &history.epochs {
        let (loss, accuracy) = (e.train_loss, e.train_accuracy);
        writeln!(
            curves,
            "{},{},{},{}",
            e.epoch + 1,
            e.step_loss,
            loss.unwrap_or(f64::NAN),
            accuracy.unwrap_or(f64::NAN)
        )?;
    }
    let classes = confusion.classes();
    let mut matrix = String::from("true");
    for p in 0..classes {
        write!(matrix, ",{p}")?;
    }
    for t in 0..classes {
        write!(matrix, "\n{t}")?;
        for p in 0..classes {
            write!(matrix, ",{}", confusion.count(t, p).unwrap_or(0))?;
        }
    }
    matrix.push('\n');
    for (name, table) in [
        ("digits-history.csv", curves),
        ("digits-confusion.csv", matrix),
    ] {
        std::fs::write(out.join(name), table)?;
        println!("wrote {}", out.join(name).display());
    }

    // Save the trained network and load it back: the predictions below come from
    // the loaded copy (its stored test vector is checked on loading).
    let path = out.join("digits.safetensors");
    net.save(&path)?;
    let net = Digits::load(&path)?;
    println!("saved to {} and loaded back", path.display());

    println!("a few test digits:");
    let shown = [0, 1, 2, 3, 4];
    for row in 0..8 {
        let line: Vec<String> = shown
            .iter()
            .map(|&i| {
                (0..8)
                    .map(|col| shade(raw_test_x[i][row * 8 + col]))
                    .collect()
            })
            .collect();
        println!("  {}", line.join("   "));
    }
    for &i in &shown {
        let p = net.predict(&test_x[i]);
        let predicted = metrics::predicted_class::<Digits>(&p);
        println!(
            "  test row {i}: predicted {predicted} (p = {:.3}), truly {}",
            p[predicted], test_y[i]
        );
    }
    Ok(())
}

/// A character as dark as a pixel count of 0..16.
fn shade(count: f32) -> char {
    const SHADES: [char; 5] = [' ', '.', ':', '+', '#'];
    SHADES[((count / 16.0 * 4.0).round() as usize).min(4)]
}
