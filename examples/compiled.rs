//! Weights compiled into the program: the placement network trained and saved by the
//! `placement` example (`examples/models/placement.safetensors`) is read and checked
//! while this program compiles, and lives in it as a constant. Predicting needs no
//! file, no parsing and no allocation.
//!
//! The flow: `cargo run --release --example placement` (train, save), then
//! `cargo run --release --example compiled` (compile in, predict). A file whose shapes
//! or dtype do not fit the declaration is a compile error at the path.

use mlp::prelude::*;
use std::error::Error;

network! {
    /// The placement network with its trained weights built in.
    pub struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "models/placement.safetensors";
    }
}

/// Ready before `main` runs: a constant, like any other.
static NET: Placement = Placement::COMPILED;

const DATA: &str = include_str!("data/placement.csv");

fn main() -> Result<(), Box<dyn Error>> {
    // The same standardisation as the training run: each score's mean and standard
    // deviation over the table.
    let rows: Vec<[f32; 4]> = DATA
        .lines()
        .skip(1)
        .map(|line| {
            let v: Vec<f32> = line
                .split(',')
                .map(|x| x.trim().parse().expect("numbers"))
                .collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect();
    let n = rows.len() as f32;
    let mean: [f32; 4] = std::array::from_fn(|i| rows.iter().map(|r| r[i]).sum::<f32>() / n);
    let std: [f32; 4] = std::array::from_fn(|i| {
        (rows.iter().map(|r| (r[i] - mean[i]).powi(2)).sum::<f32>() / n).sqrt()
    });
    let scale = |r: &[f32; 4]| -> [f32; 4] { std::array::from_fn(|i| (r[i] - mean[i]) / std[i]) };

    let loaded = Placement::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/models/placement.safetensors"
    ))?;
    for student in [
        [9.2, 7.5, 6.0, 4.0],
        [6.1, 3.0, 5.5, 1.0],
        [7.8, 6.0, 6.5, 2.0],
    ] {
        let p = NET.predict(&scale(&student))[0];
        assert_eq!(p, loaded.predict(&scale(&student))[0]);
        println!("scores {student:?}: placed with probability {p:.3}");
    }
    println!(
        "the compiled-in network equals the file loaded at run time: {}",
        loaded == NET
    );
    Ok(())
}
