//! mlp in a web page. Two networks behind plain `extern "C"` exports that
//! `www/demo.js` calls on the module built for `wasm32-unknown-unknown` (numbers
//! in, numbers out, so no bindings generator is needed):
//!
//! - exclusive or, `2 => 8 tanh => 1 sigmoid`, trained in the page with Adam from a
//!   fixed seed ([`xor_train`], then [`xor_predict`]);
//! - the placement network, `4 => 3 sigmoid => 2 sigmoid => 1 sigmoid` with bce,
//!   its trained weights (`examples/models/placement.safetensors`) compiled in
//!   ([`placement_predict`] takes a student's four raw scores).
//!
//! The same functions, built natively, give the numbers the browser test checks
//! the page's against (`src/bin/expected.rs`).

use mlp::prelude::*;
use std::sync::Mutex;

network! {
    /// Exclusive or.
    pub struct Xor { 2 => 8 tanh => 1 sigmoid; loss = bce; }
}

network! {
    /// Whether a student is placed, from four standardised scores (CGPA, aptitude,
    /// communication, projects), with the weights the `placement` example trained.
    pub struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "../../models/placement.safetensors";
    }
}

/// The four rows of exclusive or and their targets.
pub const XOR_X: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// `a xor b` for each row of [`XOR_X`].
pub const XOR_Y: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];

/// A fresh network from `seed`, trained on exclusive or for `epochs` full-batch
/// Adam steps; the training loss after the last one.
pub fn train_xor(seed: u64, epochs: usize) -> Result<(Xor, f32), mlp::Error> {
    let mut net = Xor::seeded(seed);
    let settings = Fit::new()
        .epochs(epochs)
        .full_batch()
        .optimizer(Optimizer::adam())
        .learning_rate(0.05)
        .progress(false);
    net.fit(&XOR_X, &XOR_Y, &settings)?;
    let loss = net.loss(&XOR_X, &XOR_Y)?;
    Ok((net, loss))
}

/// Each score's mean and standard deviation over the table the placement network
/// was trained on: its inputs are scores standardised by these, as in training.
fn placement_moments() -> ([f32; 4], [f32; 4]) {
    let rows: Vec<[f32; 4]> = include_str!("../../data/placement.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let mut v = line
                .split(',')
                .map(|x| x.trim().parse().unwrap_or(f32::NAN));
            std::array::from_fn(|_| v.next().unwrap_or(f32::NAN))
        })
        .collect();
    let n = rows.len() as f32;
    let mean: [f32; 4] = std::array::from_fn(|i| rows.iter().map(|r| r[i]).sum::<f32>() / n);
    let std = std::array::from_fn(|i| {
        (rows.iter().map(|r| (r[i] - mean[i]).powi(2)).sum::<f32>() / n).sqrt()
    });
    (mean, std)
}

/// The probability that a student with these raw scores is placed.
pub fn placement(scores: [f32; 4]) -> f32 {
    let (mean, std) = placement_moments();
    let x = std::array::from_fn(|i| (scores[i] - mean[i]) / std[i]);
    Placement::COMPILED.predict(&x)[0]
}

/// The network [`xor_train`] trained last, which [`xor_predict`] uses.
static XOR: Mutex<Option<Xor>> = Mutex::new(None);

/// Trains exclusive or from `seed` for `epochs` epochs and keeps the network for
/// [`xor_predict`]; returns the training loss, or NaN if training failed.
#[unsafe(no_mangle)]
pub extern "C" fn xor_train(seed: u32, epochs: u32) -> f32 {
    match train_xor(u64::from(seed), epochs as usize) {
        Ok((net, loss)) => {
            *XOR.lock().unwrap_or_else(|e| e.into_inner()) = Some(net);
            loss
        }
        Err(_) => f32::NAN,
    }
}

/// The trained network's output for `(a, b)`; NaN before [`xor_train`].
#[unsafe(no_mangle)]
pub extern "C" fn xor_predict(a: f32, b: f32) -> f32 {
    match &*XOR.lock().unwrap_or_else(|e| e.into_inner()) {
        Some(net) => net.predict(&[a, b])[0],
        None => f32::NAN,
    }
}

/// [`placement`] for the scores `cgpa`, `aptitude`, `communication`, `projects`.
#[unsafe(no_mangle)]
pub extern "C" fn placement_predict(
    cgpa: f32,
    aptitude: f32,
    communication: f32,
    projects: f32,
) -> f32 {
    placement([cgpa, aptitude, communication, projects])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_is_learned_and_kept_for_prediction() {
        assert!(xor_predict(0.0, 1.0).is_nan(), "nothing trained yet");
        let loss = xor_train(1, 500);
        assert!(loss < 0.05, "loss {loss}");
        for (x, y) in XOR_X.iter().zip(XOR_Y) {
            let p = xor_predict(x[0], x[1]);
            assert!((p - y[0]).abs() < 0.1, "{x:?}: {p}");
        }
    }

    #[test]
    fn placement_predicts_as_the_compiled_example_does() {
        // A strong student and a weak one, as in `examples/compiled.rs`.
        let (strong, weak) = (
            placement([9.2, 7.5, 6.0, 4.0]),
            placement([6.1, 3.0, 5.5, 1.0]),
        );
        assert!(strong > 0.5 && weak < 0.5, "{strong} {weak}");
    }
}
