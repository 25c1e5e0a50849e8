//! What the fuzz targets do with each input: `load` in [`load`], `checkpoint` in
//! [`checkpoint`], `onnx` in [`onnx`]. The corpus replay test (`tests/fuzz_corpus.rs` in the main crate)
//! includes this file as a module, so the replay runs exactly the fuzzed code.

use mlp::core::io::{self, LoadOptions};
use mlp::core::real::Real;
use mlp::core::train::{Control, Rows, Trainer};
use mlp::prelude::*;
use safetensors::SafeTensors;
use std::collections::BTreeMap;

mlp::network! {
    /// The f32 network the loaders are fuzzed against.
    pub struct Small { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; }
}

mlp::network! {
    /// The same layout in f64.
    pub struct Small64 { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; scalar = f64; }
}

/// Every way the target loads its input.
pub fn options() -> Vec<LoadOptions> {
    vec![
        LoadOptions::default(),
        LoadOptions::default().transposed(),
        LoadOptions::pytorch(),
        LoadOptions::pytorch().transposed(),
        LoadOptions {
            allow_non_finite: true,
            ..LoadOptions::default()
        },
        LoadOptions {
            allow_non_finite: true,
            check_test_vector: false,
            ..LoadOptions::pytorch().transposed()
        },
    ]
}

/// Loads `data` as both networks with every option: as a safetensors file and,
/// when it is UTF-8 and the `json` feature is on, as a JSON document. Errors are
/// expected; only a panic, a crash or a runaway allocation is a bug.
pub fn load(data: &[u8]) {
    for options in &options() {
        let _ = io::from_bytes::<Small>(data, options);
        let _ = io::from_bytes::<Small64>(data, options);
    }
    #[cfg(feature = "json")]
    if let Ok(text) = core::str::from_utf8(data) {
        for options in &options() {
            let _ = io::json::from_json::<Small>(text, options);
            let _ = io::json::from_json::<Small64>(text, options);
        }
    }
}

/// Loads `data` as an ONNX model into both networks, as stored and converting
/// the dtype, and with non-finite values allowed. Errors are expected; only a
/// panic, a crash or a runaway allocation is a bug.
#[cfg(feature = "onnx")]
pub fn onnx(data: &[u8]) {
    let converting = LoadOptions::default().convert_dtype();
    let non_finite = LoadOptions {
        allow_non_finite: true,
        ..LoadOptions::default()
    };
    for options in [&LoadOptions::default(), &converting, &non_finite] {
        let _ = io::onnx::from_bytes::<Small>(data, options);
        let _ = io::onnx::from_bytes::<Small64>(data, options);
    }
}

/// The settings checkpoints are loaded with, one per optimiser (a checkpoint loads
/// only for the optimiser it was saved with), named: early stopping on a validation
/// split, so a checkpoint can carry best weights too.
pub fn trainer_settings() -> Vec<(&'static str, Fit)> {
    let base = Fit::new()
        .epochs(4)
        .mini_batch(3)
        .learning_rate(0.1)
        .validation_split(0.25)
        .early_stopping(2)
        .progress(false)
        .seed(7);
    [
        ("sgd", Optimizer::Sgd),
        ("nesterov", Optimizer::nesterov()),
        ("adam", Optimizer::adam()),
        ("adamw", Optimizer::adamw()),
    ]
    .into_iter()
    .map(|(name, optimizer)| (name, base.clone().optimizer(optimizer)))
    .collect()
}

/// The rows a loaded trainer trains on: four inputs of [`Small`]'s shape and their
/// targets.
pub fn rows<T: Real>() -> ([[T; 4]; 4], [[T; 1]; 4]) {
    let inputs = [
        [0.9, 0.8, 0.7, 0.9],
        [0.1, 0.3, 0.2, 0.0],
        [0.6, 0.2, 0.9, 0.4],
        [0.0, 0.7, 0.1, 0.5],
    ];
    let targets = [1.0, 0.0, 1.0, 0.0];
    (
        inputs.map(|row| row.map(T::of)),
        targets.map(|y| [T::of(y)]),
    )
}

/// Loads `data` as a trainer of `N` with each of [`trainer_settings`]; when it
/// loads, runs one epoch on the fixed rows, saves it and loads the saved bytes,
/// which must succeed and save to the same bytes. Refusals and training errors
/// are expected; a panic, a trainer that loads but cannot be saved, or a saved
/// trainer that does not load back as itself is a bug.
pub fn round_trip<T: Real, N: Network<Scalar = T, Input = [T; 4], Target = [T; 1]>>(data: &[u8]) {
    let (inputs, targets) = rows::<T>();
    for (_, settings) in trainer_settings() {
        let Ok(mut trainer) = Trainer::<N>::from_bytes(data, settings.clone()) else {
            continue;
        };
        let mut net = N::seeded(1);
        let rows = Rows::new(&inputs, &targets);
        let _ = trainer.run(&mut net, rows, None, 1, |_, _| Control::Continue);
        let saved = trainer
            .to_bytes()
            .unwrap_or_else(|e| panic!("a trainer that loaded does not save: {e}"));
        let again = Trainer::<N>::from_bytes(&saved, settings)
            .unwrap_or_else(|e| panic!("a saved trainer does not load: {e}"));
        let resaved = again.to_bytes().expect("a loaded trainer saves");
        assert!(
            contents(&resaved) == contents(&saved),
            "a saved trainer loads as a different one: {:?} became {:?}",
            contents(&saved),
            contents(&resaved)
        );
    }
}

/// A tensor as saved: name, dtype, shape and bytes.
type Tensor = (String, safetensors::Dtype, Vec<usize>, Vec<u8>);

/// What safetensors bytes hold, whatever order the header lists it in: the
/// metadata and the tensors by name.
fn contents(bytes: &[u8]) -> (BTreeMap<String, String>, Vec<Tensor>) {
    let (_, header) = SafeTensors::read_metadata(bytes).expect("saved bytes parse");
    let metadata = header.metadata().clone().unwrap_or_default();
    let file = SafeTensors::deserialize(bytes).expect("saved bytes parse");
    let mut tensors: Vec<Tensor> = file
        .tensors()
        .into_iter()
        .map(|(name, t)| (name, t.dtype(), t.shape().to_vec(), t.data().to_vec()))
        .collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    (metadata.into_iter().collect(), tensors)
}

/// Untrusted bytes as checkpoints of both networks.
pub fn checkpoint(data: &[u8]) {
    round_trip::<f32, Small>(data);
    round_trip::<f64, Small64>(data);
}
