//! Weights compiled in with `weights = "path"` equal the file loaded at run time,
//! and the fixtures of the compile-fail cases in `tests/ui/fail/weights/` are what
//! the generator below writes.

use mlp::core::io::{self, SaveOptions};
use mlp::prelude::*;
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype, TensorView};

network! {
    struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "../examples/models/placement.safetensors";
    }
}

network! {
    struct Relu {
        4 => 3 relu => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "ui/fail/weights/relu.safetensors";
    }
}

network! {
    /// PyTorch's `nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6),
    /// nn.ReLU(), nn.Linear(6, 3), nn.Softmax(dim=-1))` state dict, by its names.
    struct Sequential {
        4 => 8 tanh => 6 relu => 3 softmax;
        loss = cce;
        weights = pytorch("fixtures/sequential.safetensors");
    }
}

static NET: Placement = Placement::COMPILED;

#[test]
fn a_pytorch_state_dict_compiles_in_by_its_names() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sequential.safetensors"
    );
    let loaded: Sequential = io::load(path, &io::LoadOptions::pytorch()).unwrap();
    assert_eq!(Sequential::COMPILED, loaded);
}

#[test]
fn compiled_weights_equal_the_loaded_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/models/placement.safetensors"
    );
    let loaded = Placement::load(path).unwrap();
    assert_eq!(NET, loaded);
    let x = [0.3, -1.2, 0.8, 0.1];
    assert_eq!(NET.predict(&x), loaded.predict(&x));
    assert_eq!(Relu::COMPILED, Relu::seeded(1));
}

/// The fixtures by name: files of other networks, one whose test vector does
/// not match its weights, one damaged after saving, one with a NaN.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    network! { struct Leaky { 4 => 3 leaky_relu(0.2) => 2 sigmoid => 1 sigmoid; loss = bce; } }
    network! { struct Mse { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = mse; } }
    network! { struct Sigmoid { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
    let save = |bytes: Result<Vec<u8>, mlp::Error>| bytes.unwrap();
    let options = SaveOptions::default();
    let placement = save(io::to_bytes(&Sigmoid::seeded(1), &options));
    // A file without a checksum (as other tools write it) whose test output is off.
    let wrong_vector = {
        let file = SafeTensors::deserialize(&placement).unwrap();
        let (_, header) = SafeTensors::read_metadata(&placement).unwrap();
        let mut metadata = header.metadata().clone().unwrap();
        metadata.remove(io::CHECKSUM_KEY);
        metadata.insert(io::TEST_OUTPUT_KEY.into(), "0.25".into());
        safetensors::serialize(file.tensors(), Some(metadata)).unwrap()
    };
    // Another tool's file (no checksum) with a NaN in `layers.1.weight`, row-major index 1.
    let non_finite = {
        let file = SafeTensors::deserialize(&placement).unwrap();
        let nan = "layers.1.weight";
        let mut weight = file.tensor(nan).unwrap().data().to_vec();
        weight[4..8].copy_from_slice(&f32::NAN.to_le_bytes());
        let mut tensors: Vec<_> = file
            .tensors()
            .into_iter()
            .filter(|(n, _)| n != nan)
            .collect();
        tensors.push((
            nan.into(),
            TensorView::new(Dtype::F32, vec![2, 3], &weight).unwrap(),
        ));
        let (_, header) = SafeTensors::read_metadata(&placement).unwrap();
        let mut metadata = header.metadata().clone().unwrap();
        metadata.remove(io::CHECKSUM_KEY);
        safetensors::serialize(tensors, Some(metadata)).unwrap()
    };
    let mut damaged = placement.clone();
    *damaged.last_mut().unwrap() ^= 0x10;
    vec![
        ("relu", save(io::to_bytes(&Relu::seeded(1), &options))),
        ("leaky-0.2", save(io::to_bytes(&Leaky::seeded(1), &options))),
        ("mse", save(io::to_bytes(&Mse::seeded(1), &options))),
        ("wrong-test-vector", wrong_vector),
        ("damaged", damaged),
        ("non-finite", non_finite),
    ]
}

/// Rewrite the fixtures with `MLP_WRITE_FIXTURES=1 cargo test --test compiled_weights`.
#[test]
fn the_fixtures_are_what_the_generator_writes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui/fail/weights");
    for (name, bytes) in fixtures() {
        let path = format!("{dir}/{name}.safetensors");
        if std::env::var_os("MLP_WRITE_FIXTURES").is_some() {
            std::fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(
            contents(&std::fs::read(&path).unwrap()),
            contents(&bytes),
            "{path} is stale"
        );
    }
}

/// What a safetensors file holds, whatever the order of its header: the metadata
/// and each tensor's name, dtype, shape and bytes.
fn contents(bytes: &[u8]) -> impl PartialEq + std::fmt::Debug {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut tensors: Vec<_> = file
        .tensors()
        .into_iter()
        .map(|(name, v)| (name, v.dtype(), v.shape().to_vec(), v.data().to_vec()))
        .collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let metadata: std::collections::BTreeMap<_, _> = header
        .metadata()
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    (metadata, tensors)
}
