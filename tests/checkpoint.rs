//! Trainer checkpoints: 64-bit step counts, and every counter and tensor of a
//! damaged checkpoint refused by name.

use mlp::core::Network;
use mlp::core::train::{Control, Fit, Optimizer, Rows, Trainer};
use mlp::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

network! { struct Xor { 2 => 8 tanh => 1 sigmoid; loss = bce; } }

const X: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
const Y: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];
const STEPS: &str = "mlp.trainer.steps";

/// Adam on mini-batches of 2 rows, without early stopping.
fn plain() -> Fit {
    Fit::new()
        .progress(false)
        .epochs(10)
        .mini_batch(2)
        .optimizer(Optimizer::adam())
        .seed(1)
}

fn settings() -> Fit {
    plain().early_stopping(50)
}

/// Runs `epochs` more epochs of `trainer` on `net`.
fn run(trainer: &mut Trainer<Xor>, net: &mut Xor, epochs: usize) {
    trainer
        .run(net, Rows::new(&X, &Y), None, epochs, |_, _| {
            Control::Continue
        })
        .unwrap();
}

/// A trainer's checkpoint after 3 epochs of `settings`, with the network.
fn checkpoint(settings: &Fit) -> (Vec<u8>, Xor) {
    let mut net = Xor::seeded(2);
    let mut trainer = Trainer::new(settings.clone()).unwrap();
    run(&mut trainer, &mut net, 3);
    (trainer.to_bytes().unwrap(), net)
}

type Tensor = (String, Dtype, Vec<usize>, Vec<u8>);

/// `bytes` with its tensors and metadata changed by `change`.
fn edit(
    bytes: &[u8],
    change: impl FnOnce(&mut Vec<Tensor>, &mut HashMap<String, String>),
) -> Vec<u8> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut tensors: Vec<Tensor> = file
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, v.dtype(), v.shape().to_vec(), v.data().to_vec()))
        .collect();
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let mut metadata = header.metadata().clone().unwrap();
    // An edited file is a damaged one to the checksum; without a checksum it reaches
    // the checks of its fields, as a file written by another tool would.
    metadata.remove(mlp::core::io::CHECKSUM_KEY);
    change(&mut tensors, &mut metadata);
    let views: Vec<(&str, TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.as_str(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, Some(metadata)).unwrap()
}

/// `bytes` with metadata `key` set to `value`, or removed.
fn with(bytes: &[u8], key: &str, value: Option<&str>) -> Vec<u8> {
    edit(bytes, |_, metadata| match value {
        Some(v) => {
            metadata.insert(key.into(), v.into());
        }
        None => {
            metadata.remove(key);
        }
    })
}

fn steps_of(bytes: &[u8]) -> u64 {
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    header.metadata().as_ref().unwrap()[STEPS].parse().unwrap()
}

#[test]
fn step_counts_beyond_32_bits_resume_and_stay_finite() {
    let (bytes, net) = checkpoint(&settings());
    // Two rows a step, four rows an epoch.
    assert_eq!(steps_of(&bytes), 6);
    for (stored, after) in [
        (i32::MAX as u64, i32::MAX as u64 + 2),
        (1 << 32, (1 << 32) + 2),
        (1 << 60, (1 << 60) + 2),
        (u64::MAX, u64::MAX),
    ] {
        let bytes = with(&bytes, STEPS, Some(&stored.to_string()));
        let mut trainer = Trainer::<Xor>::from_bytes(&bytes, settings()).unwrap();
        let mut net = net.clone();
        run(&mut trainer, &mut net, 1);
        assert!(net.to_flat().iter().all(|p| p.is_finite()), "{stored}");
        let saved = trainer.to_bytes().unwrap();
        assert_eq!(steps_of(&saved), after);
        // Its moments are finite too: a checkpoint holding NaN would not load.
        Trainer::<Xor>::from_bytes(&saved, settings()).unwrap();
    }
}

#[test]
fn a_step_count_that_overflows_or_does_not_parse_is_refused_by_name() {
    let (bytes, _) = checkpoint(&settings());
    for value in ["18446744073709551616", "-1", "1.5", "", "0x10"] {
        let err = Trainer::<Xor>::from_bytes(&with(&bytes, STEPS, Some(value)), settings())
            .err()
            .unwrap();
        assert_eq!(
            err,
            Error::CheckpointField {
                key: STEPS,
                found: Some(value.into()),
                expected: "a count of optimizer steps".into()
            }
        );
    }
    let err = Trainer::<Xor>::from_bytes(&with(&bytes, STEPS, None), settings())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "the trainer checkpoint's mlp.trainer.steps is missing; it must be a count of optimizer steps"
    );
    let err = Trainer::<Xor>::from_bytes(&with(&bytes, STEPS, Some("2")), settings())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "the trainer checkpoint's mlp.trainer.steps is \"2\"; it must be at least the 3 \
         completed epochs"
    );
}

#[test]
fn every_counter_is_refused_by_name_when_missing_unreadable_or_impossible() {
    let (bytes, _) = checkpoint(&settings());
    // After 3 epochs: epoch 3, best epoch 2 (the loss still falls), waited 0.
    let cases: &[(&'static str, Option<&str>, &str)] = &[
        ("mlp.trainer.epoch", None, "a count of completed epochs"),
        (
            "mlp.trainer.epoch",
            Some("three"),
            "a count of completed epochs",
        ),
        (
            "mlp.trainer.epoch",
            Some("11"),
            "at most the 10 epochs of the settings it is loaded with",
        ),
        ("mlp.trainer.waited", Some("-1"), "a count of epochs"),
        (
            "mlp.trainer.waited",
            Some("1"),
            "at most 0, the epochs completed since the best one",
        ),
        ("mlp.trainer.finished", Some("yes"), "true or false"),
        ("mlp.trainer.finished", None, "true or false"),
        (
            "mlp.trainer.best_epoch",
            Some("3"),
            "below the 3 completed epochs",
        ),
        ("mlp.trainer.best_epoch", None, "a 0-based epoch"),
        ("mlp.trainer.best_loss", None, "a finite number"),
        ("mlp.trainer.best_loss", Some("NaN"), "a finite number"),
        ("mlp.trainer.best_loss", Some("inf"), "a finite number"),
        ("mlp.trainer.best_loss", Some("low"), "a finite number"),
    ];
    for &(key, value, expected) in cases {
        let err = Trainer::<Xor>::from_bytes(&with(&bytes, key, value), settings())
            .err()
            .unwrap();
        assert_eq!(
            err,
            Error::CheckpointField {
                key,
                found: value.map(Into::into),
                expected: expected.into()
            },
            "{key} = {value:?}"
        );
    }
    // Without early stopping nothing is waited for.
    let (bytes, _) = checkpoint(&plain());
    let err = Trainer::<Xor>::from_bytes(&with(&bytes, "mlp.trainer.waited", Some("1")), plain())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "the trainer checkpoint's mlp.trainer.waited is \"1\"; it must be 0: early stopping \
         counts only after a best epoch"
    );
}

#[test]
fn a_wrong_tensor_is_named_by_its_full_name_in_the_checkpoint() {
    let (bytes, _) = checkpoint(&settings());
    let without = edit(&bytes, |tensors, _| {
        tensors.retain(|t| t.0 != "v.layers.1.bias")
    });
    let err = Trainer::<Xor>::from_bytes(&without, settings())
        .err()
        .unwrap();
    assert_eq!(
        err,
        Error::MissingTensor {
            tensor: "v.layers.1.bias".into()
        }
    );
    let reshaped = edit(&bytes, |tensors, _| {
        let t = tensors
            .iter_mut()
            .find(|t| t.0 == "best.layers.0.weight")
            .unwrap();
        t.2 = vec![2, 8];
    });
    let err = Trainer::<Xor>::from_bytes(&reshaped, settings())
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::WrongShape { tensor, .. } if tensor == "best.layers.0.weight"),
        "{err:?}"
    );
    // A tensor no part of the trainer has, with or without a known prefix.
    for stray in ["m.layers.2.weight", "velocity.layers.0.bias"] {
        let extra = edit(&bytes, |tensors, _| {
            let copy = tensors
                .iter()
                .find(|t| t.0 == "m.layers.0.bias")
                .unwrap()
                .clone();
            tensors.push((stray.into(), copy.1, copy.2, copy.3));
        });
        let err = Trainer::<Xor>::from_bytes(&extra, settings())
            .err()
            .unwrap();
        assert_eq!(
            err,
            Error::UnexpectedTensor {
                tensor: stray.into()
            }
        );
    }
    // A second moment below 0 would make every later step NaN.
    let negative = edit(&bytes, |tensors, _| {
        // Row 1, column 1 of the (8, 2) matrix: element 3 in the file's row-major order.
        let t = tensors
            .iter_mut()
            .find(|t| t.0 == "v.layers.0.weight")
            .unwrap();
        t.3[12..16].copy_from_slice(&(-1.0f32).to_le_bytes());
    });
    let err = Trainer::<Xor>::from_bytes(&negative, settings())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "not a valid model file: v.layers.0.weight[3] holds -1; Adam's second moments are never \
         negative"
    );
}

network! { struct XorRelu { 2 => 8 relu => 1 sigmoid; loss = bce; } }

#[test]
fn a_checkpoint_of_another_network_or_a_damaged_one_is_refused_naming_the_file() {
    let (bytes, _) = checkpoint(&settings());
    let err = Trainer::<XorRelu>::from_bytes(&bytes, settings())
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::ArchitectureMismatch { difference, .. }
            if difference == "layer 0 is tanh in the file and relu in the network"),
        "{err}"
    );

    let dir = std::env::temp_dir().join(format!("mlp-checkpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trainer.safetensors");
    let mut damaged = bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    std::fs::write(&path, &damaged).unwrap();
    let err = Trainer::<Xor>::load(&path, settings()).err().unwrap();
    assert!(
        matches!(&err, Error::ChecksumMismatch { file, .. } if *file == path.display().to_string()),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
