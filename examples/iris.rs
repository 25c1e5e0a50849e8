//! Fisher's iris flowers: four measurements in cm (sepal length and width, petal
//! length and width) predict the species, one of three.
//!
//! Shows the whole workflow on a small real data set: reading a CSV, the project's
//! evaluation protocol (every fifth row is a test row, features standardised with
//! the training rows' mean and standard deviation), training a `4 => 8 tanh => 3
//! softmax` network with `sparse_cce` by Adam on mini-batches, logging every 25th
//! epoch from a callback, then accuracy, the test set's confusion matrix and a few
//! predictions. The data (`examples/data/iris.csv`) are built into the binary.
//!
//! Run: `cargo run --release --example iris`

#[path = "common/mod.rs"]
mod common;

use mlp::core::train::{Control, Rows, fit};
use mlp::metrics;
use mlp::prelude::*;
use std::error::Error;
use std::time::Instant;

network! {
    /// Predicts the species of an iris from four standardised measurements.
    struct Iris {
        4 => 8 tanh => 3 softmax;
        loss = sparse_cce;
    }
}

const DATA: &str = include_str!("data/iris.csv");
const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];
const EPOCHS: usize = 200;

fn main() -> Result<(), Box<dyn Error>> {
    let (features, labels) = common::read_csv::<4>(DATA)?;
    let (mut train_x, mut test_x) = common::split(&features);
    let (train_y, test_y) = common::split(&labels);
    let scaler = common::Standardiser::fit(&train_x);
    scaler.apply_all(&mut train_x);
    scaler.apply_all(&mut test_x);
    println!(
        "iris: {} training rows, {} test rows",
        train_x.len(),
        test_x.len()
    );

    // The rows are sorted by species, so a validation split from the end of the
    // training rows would hold out only virginica: train for a fixed number of
    // epochs instead.
    let settings = Fit::new()
        .epochs(EPOCHS)
        .mini_batch(16)
        .optimizer(Optimizer::adam())
        .learning_rate(0.01)
        .seed(1)
        .progress(true);
    let mut net = Iris::seeded(7);
    let start = Instant::now();
    let history = fit(
        &mut net,
        Rows::new(&train_x, &train_y),
        None,
        &settings,
        |e, _| {
            if e.epoch % 25 == 0 || e.epoch + 1 == EPOCHS {
                println!(
                    "epoch {:3}: train loss {:.4}, train accuracy {:.3}",
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
        "trained {} epochs in {:.3} s",
        history.epochs.len(),
        elapsed.as_secs_f64()
    );

    let train_accuracy = metrics::accuracy(&net, &train_x, &train_y)?;
    let test_accuracy = metrics::accuracy(&net, &test_x, &test_y)?;
    println!("train accuracy {train_accuracy:.4}");
    println!("test accuracy  {test_accuracy:.4}");
    println!("confusion matrix of the test rows (0 setosa, 1 versicolor, 2 virginica):");
    println!("{}", metrics::confusion_matrix(&net, &test_x, &test_y)?);

    println!("a few test rows:");
    let raw_test: Vec<[f32; 4]> = common::split(&features).1;
    for i in [0, 7, 14, 21, 28] {
        let p = net.predict(&test_x[i]);
        let predicted = metrics::predicted_class::<Iris>(&p);
        println!(
            "  {:?} cm: {} (p = {:.2}), truly {}",
            raw_test[i], SPECIES[predicted], p[predicted], SPECIES[test_y[i]]
        );
    }
    Ok(())
}
