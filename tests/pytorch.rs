//! PyTorch interoperability: `nn.Sequential` state dicts as
//! `safetensors.torch.save_file` writes them, and the same weights stored
//! `(in, out)`, load into the matching networks and give the outputs the reference
//! forward pass gave.
//!
//! The fixtures in tests/fixtures come from `python3 scripts/export_sequential.py`
//! (numpy and safetensors only); the script's docstring describes each file.

use mlp::core::Network;
use mlp::core::io::{self, LoadOptions};
use mlp::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

network! {
    /// `nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(),
    /// nn.Linear(6, 3), nn.Softmax(dim=-1))`.
    struct Sequential { 4 => 8 tanh => 6 relu => 3 softmax; loss = cce; }
}

network! {
    /// Linear layers at indices 0, 3, 6, 9 and 11 of an `nn.Sequential` with
    /// `nn.GELU(approximate="tanh")`, `nn.Sigmoid()` and `nn.Dropout` between them.
    struct GeluSigmoid { 3 => 6 gelu => 5 sigmoid => 4 gelu => 4 sigmoid => 2 sigmoid; loss = bce; }
}

const SEQUENTIAL: &[u8] = include_bytes!("fixtures/sequential.safetensors");
const DENSE_IN_OUT: &[u8] = include_bytes!("fixtures/dense_in_out.safetensors");
const SEQUENTIAL_EXPECTED: &str = include_str!("fixtures/sequential_expected.csv");
const GELU_SIGMOID: &[u8] = include_bytes!("fixtures/gelu_sigmoid.safetensors");
const GELU_SIGMOID_EXPECTED: &str = include_str!("fixtures/gelu_sigmoid_expected.csv");

/// The rows of an expected-output fixture: `inputs` numbers, then `outputs`.
fn rows(csv: &str, inputs: usize, outputs: usize) -> Vec<(Vec<f32>, Vec<f64>)> {
    let rows: Vec<_> = csv
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), inputs + outputs, "line {line:?}");
            let x = cells[..inputs]
                .iter()
                .map(|c| c.trim().parse::<f32>().unwrap())
                .collect();
            let y = cells[inputs..]
                .iter()
                .map(|c| c.trim().parse::<f64>().unwrap())
                .collect();
            (x, y)
        })
        .collect();
    assert!(rows.len() >= 8, "the fixture has {} rows", rows.len());
    rows
}

fn assert_close(got: &[f32], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        let g = f64::from(g);
        assert!(
            (g - w).abs() <= 1e-5 + 1e-5 * w.abs(),
            "{what}, output {k}: got {g}, expected {w}"
        );
    }
}

/// Every expected row, one sample at a time and as a batch (the rows repeated to a
/// length that is not a multiple of any SIMD width, so partial chunks run too).
fn check_outputs<N: Network<Scalar = f32>>(net: &N, csv: &str) {
    let rows = rows(csv, N::INPUTS, N::OUTPUTS);
    let input =
        |x: &[f32]| N::Input::try_from(x).unwrap_or_else(|_| panic!("{} inputs", N::INPUTS));
    for (r, (x, y)) in rows.iter().enumerate() {
        assert_close(net.predict(&input(x)).as_ref(), y, &format!("row {r}"));
    }
    let repeated: Vec<N::Input> = (0..3 * rows.len() - 3)
        .map(|i| input(&rows[i % rows.len()].0))
        .collect();
    let batch = net.predict_batch(&repeated);
    assert_eq!(batch.len(), repeated.len());
    for (i, out) in batch.iter().enumerate() {
        let r = i % rows.len();
        assert_close(
            out.as_ref(),
            &rows[r].1,
            &format!("batch sample {i} (row {r})"),
        );
    }
}

/// The file's tensors in the order `to_flat` uses: for each linear layer (keys in
/// increasing numeric order) its weight row by row, then its bias.
fn file_parameters(bytes: &[u8]) -> Vec<f32> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut modules: Vec<u64> = file
        .names()
        .iter()
        .filter_map(|n| n.strip_suffix(".weight").map(|m| m.parse().unwrap()))
        .collect();
    modules.sort_unstable();
    let mut flat = Vec::new();
    for m in modules {
        for part in ["weight", "bias"] {
            let view = file.tensor(&format!("{m}.{part}")).unwrap();
            assert_eq!(view.dtype(), Dtype::F32);
            flat.extend(
                view.data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().unwrap())),
            );
        }
    }
    flat
}

#[test]
fn a_pytorch_sequential_state_dict_loads_and_predicts_as_pytorch_does() {
    let net: Sequential = io::from_bytes(SEQUENTIAL, &LoadOptions::pytorch()).unwrap();
    // The parameters are the file's, bit for bit, weights (out, in) row by row.
    assert_eq!(net.to_flat(), file_parameters(SEQUENTIAL));
    check_outputs(&net, SEQUENTIAL_EXPECTED);
}

#[test]
fn weights_stored_in_out_load_with_the_transposed_option() {
    let net: Sequential =
        io::from_bytes(DENSE_IN_OUT, &LoadOptions::pytorch().transposed()).unwrap();
    let pytorch: Sequential = io::from_bytes(SEQUENTIAL, &LoadOptions::pytorch()).unwrap();
    assert_eq!(net, pytorch);
    check_outputs(&net, SEQUENTIAL_EXPECTED);
}

#[test]
fn an_in_out_file_without_the_option_is_refused_never_guessed() {
    let err = io::from_bytes::<Sequential>(DENSE_IN_OUT, &LoadOptions::pytorch()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::WrongShape { tensor, expected, found }
                if tensor == "0.weight" && expected == &[8, 4] && found == &[4, 8]
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "tensor 0.weight has shape [4, 8]; the network needs [8, 4]"
    );
    // And the other way round: an (out, in) file asked to be transposed.
    let err =
        io::from_bytes::<Sequential>(SEQUENTIAL, &LoadOptions::pytorch().transposed()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::WrongShape { tensor, expected, found }
                if tensor == "0.weight" && expected == &[4, 8] && found == &[8, 4]
        ),
        "{err:?}"
    );
}

#[test]
fn sequential_keys_need_the_pytorch_names() {
    for bytes in [SEQUENTIAL, DENSE_IN_OUT] {
        let err = io::from_bytes::<Sequential>(bytes, &LoadOptions::default()).unwrap_err();
        assert!(
            matches!(&err, Error::MissingTensor { tensor } if tensor == "layers.0.weight"),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "the file has no tensor layers.0.weight");
    }
    let err = io::from_bytes::<GeluSigmoid>(GELU_SIGMOID, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::MissingTensor { .. }), "{err:?}");
}

#[test]
fn gelu_and_sigmoid_with_gaps_and_two_digit_indices_in_the_keys() {
    // Keys 0, 3, 6, 9, 11: dropout modules leave gaps, and 11 sorts after 9.
    let file = SafeTensors::deserialize(GELU_SIGMOID).unwrap();
    let mut names = file.names();
    names.sort();
    assert_eq!(
        names,
        [
            "0.bias",
            "0.weight",
            "11.bias",
            "11.weight",
            "3.bias",
            "3.weight",
            "6.bias",
            "6.weight",
            "9.bias",
            "9.weight"
        ]
    );
    let net: GeluSigmoid = io::from_bytes(GELU_SIGMOID, &LoadOptions::pytorch()).unwrap();
    assert_eq!(net.to_flat(), file_parameters(GELU_SIGMOID));
    check_outputs(&net, GELU_SIGMOID_EXPECTED);
}

#[test]
fn a_state_dict_of_another_architecture_is_refused() {
    // Three linear layers in the file, five in the network.
    let err = io::from_bytes::<GeluSigmoid>(SEQUENTIAL, &LoadOptions::pytorch()).unwrap_err();
    assert_eq!(
        err,
        Error::LayerCount {
            expected: 5,
            found: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "the file holds 3 numbered linear layers ({n}.weight); the network has 5"
    );
    // Five in the file, three in the network.
    let err = io::from_bytes::<Sequential>(GELU_SIGMOID, &LoadOptions::pytorch()).unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedTensor { tensor } if tensor == "11.bias"),
        "{err:?}"
    );
}

/// A state dict of f32 zeros with these names and shapes, as safetensors bytes.
fn state_dict(tensors: &[(&str, &[usize])]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, shape)| vec![0; 4 * shape.iter().product::<usize>()])
        .collect();
    let views: Vec<(&str, TensorView)> = tensors
        .iter()
        .zip(&data)
        .map(|((name, shape), bytes)| {
            (
                *name,
                TensorView::new(Dtype::F32, shape.to_vec(), bytes).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

#[test]
fn normalisation_modules_are_named_not_mistaken_for_layers() {
    network! { struct Small { 4 => 8 relu => 1 sigmoid; loss = bce; } }
    // nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    let batch_norm = state_dict(&[
        ("0.weight", &[8, 4]),
        ("0.bias", &[8]),
        ("1.weight", &[8]),
        ("1.bias", &[8]),
        ("1.running_mean", &[8]),
        ("1.running_var", &[8]),
        ("3.weight", &[1, 8]),
        ("3.bias", &[1]),
    ]);
    let err = io::from_bytes::<Small>(&batch_norm, &LoadOptions::pytorch()).unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedModule { module, .. } if module == "1"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "module 1 of the file is not a linear layer (it has 1.running_mean); these networks \
         have only linear layers and activations: fold it into the linear layer next to it \
         before saving"
    );
    // nn.LayerNorm(8) in the same place, inside another module.
    let layer_norm = state_dict(&[
        ("net.0.weight", &[8, 4]),
        ("net.0.bias", &[8]),
        ("net.1.weight", &[8]),
        ("net.1.bias", &[8]),
        ("net.3.weight", &[1, 8]),
        ("net.3.bias", &[1]),
    ]);
    let err = io::from_bytes::<Small>(&layer_norm, &LoadOptions::pytorch()).unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedModule { module, evidence } if module == "net.1" && evidence == "its weight has shape [8]"),
        "{err:?}"
    );
    // Without them the same file loads.
    let linear_only = state_dict(&[
        ("0.weight", &[8, 4]),
        ("0.bias", &[8]),
        ("3.weight", &[1, 8]),
        ("3.bias", &[1]),
    ]);
    let net: Small = io::from_bytes(&linear_only, &LoadOptions::pytorch()).unwrap();
    assert_eq!(net, Small::zeros());
}

#[test]
fn a_module_number_pytorch_does_not_write_is_named_as_it_is() {
    network! { struct Small { 4 => 8 relu => 1 sigmoid; loss = bce; } }
    for key in ["00", "+0", "01"] {
        let weight = format!("{key}.weight");
        let bias = format!("{key}.bias");
        let file = state_dict(&[
            (&weight, &[8, 4]),
            (&bias, &[8]),
            ("2.weight", &[1, 8]),
            ("2.bias", &[1]),
        ]);
        let err = io::from_bytes::<Small>(&file, &LoadOptions::pytorch()).unwrap_err();
        assert_eq!(err, Error::UnexpectedTensor { tensor: weight }, "{key}");
    }
}
