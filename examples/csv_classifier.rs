//! From a CSV file to a deployed model: read the iris table, split it (stratified,
//! seeded), standardise with the training rows' statistics, fit with early
//! stopping on a stratified validation holdout, report per-class metrics, and save
//! the network and its scaler in one file. A second process (this program again,
//! as `predict`) loads both from that file and classifies one row, as a deployed
//! program would.
//!
//! Run: `cargo run --release --example csv_classifier`
//! Then: `cargo run --release --example csv_classifier -- predict target/examples-output/iris.safetensors 6.1,2.8,4.7,1.2`

use mlp::core::train::{Holdout, Metric};
use mlp::data::{Csv, Standardizer, stratified_split};
use mlp::metrics;
use mlp::prelude::*;
use std::error::Error;
use std::path::Path;
use std::process::Command;

network! {
    /// The species of an iris (three classes) from its four measurements, standardised.
    struct Iris { 4 => 8 tanh => 3 softmax; loss = sparse_cce; }
}

/// The data set, bundled with the examples (see `examples/data/README.md`).
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/iris.csv");
const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, model, row] = &args[..]
        && command == "predict"
    {
        return predict(Path::new(model), row);
    }
    std::fs::create_dir_all("target/examples-output")?;
    let model = Path::new("target/examples-output/iris.safetensors");

    // Read, split, scale, fit, evaluate, save: the whole walkthrough.
    let data = Csv::from_path(DATA)?.target("label").read::<Iris>()?;
    let split = stratified_split(&data.inputs, &data.targets, 0.2, 7)?;
    let scaler = Standardizer::fit(&split.train_inputs)?;
    let (train_x, test_x) = (
        scaler.transform(&split.train_inputs),
        scaler.transform(&split.test_inputs),
    );
    let settings = Fit::new()
        .epochs(1000)
        .learning_rate(0.01)
        .seed(1)
        .progress(true)
        .validation_split(0.2)
        .holdout(Holdout::Stratified)
        .monitor(Metric::Accuracy)
        .early_stopping(100);
    let mut net = Iris::seeded(1);
    let history = net.fit(&train_x, &split.train_targets, &settings)?;
    let report = metrics::confusion_matrix(&net, &test_x, &split.test_targets)?.report();
    net.save_with_metadata(model, scaler.to_metadata())?;

    println!(
        "{} training rows, {} test rows; {} epochs, the weights of epoch {}",
        train_x.len(),
        test_x.len(),
        history.epochs.len(),
        history.best_epoch.map_or(history.epochs.len(), |e| e + 1),
    );
    println!(
        "test accuracy {:.3}",
        metrics::accuracy(&net, &test_x, &split.test_targets)?
    );
    println!("class        precision recall f1    support");
    for (c, name) in SPECIES.iter().enumerate() {
        println!(
            "{name:<12} {:.3}     {:.3}  {:.3} {}",
            report.precision[c], report.recall[c], report.f1[c], report.support[c]
        );
    }
    println!(
        "macro        {:.3}     {:.3}  {:.3}",
        report.macro_precision(),
        report.macro_recall(),
        report.macro_f1()
    );
    println!("saved the network and its scaler to {}", model.display());

    // A fresh process: nothing but the file.
    let row = "6.1,2.8,4.7,1.2";
    let output = Command::new(std::env::current_exe()?)
        .args(["predict", &model.to_string_lossy(), row])
        .output()?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned().into());
    }
    print!("{}", String::from_utf8_lossy(&output.stdout));
    Ok(())
}

/// Loads the network and its scaler from `model` and classifies one row of four
/// comma-separated measurements.
fn predict(model: &Path, row: &str) -> Result<(), Box<dyn Error>> {
    let (net, metadata) = Iris::load_with_metadata(model)?;
    let scaler = Standardizer::<f32, 4>::from_metadata(&metadata)?;
    let values: Vec<f32> = row
        .split(',')
        .map(|v| v.trim().parse())
        .collect::<Result<_, _>>()?;
    let x = mlp::data::rows_from::<f32, 4>(&[values])?[0];
    let p = net.predict(&scaler.transform_one(&x));
    let class = metrics::predicted_class::<Iris>(&p);
    println!(
        "new process: {row} cm is {} (p = {:.3})",
        SPECIES[class], p[class]
    );
    Ok(())
}
