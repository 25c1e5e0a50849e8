//! PyTorch interoperability: `nn.Sequential` state dicts as
//! `safetensors.torch.save_file` writes them, and the same weights stored
//! `(in, out)`, load into the matching networks and give the outputs the reference
//! forward pass gave.
//!
//! The fixtures in tests/fixtures come from `python3 scripts/export_sequential.py`
//! (numpy and safetensors only); the script's docstring describes each file.

use mlp::core::Network;
use mlp::core::io::{self, LoadOptions, SaveOptions};
use mlp::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::path::Path;
use std::process::Command;

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
fn sequential_keys_without_the_pytorch_option_name_the_option() {
    for bytes in [SEQUENTIAL, DENSE_IN_OUT, GELU_SIGMOID] {
        let err = io::from_bytes::<Sequential>(bytes, &LoadOptions::default()).unwrap_err();
        assert_eq!(
            err,
            Error::PytorchNames {
                missing: "layers.0.weight".into(),
                found: "0.weight".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "the file has no tensor layers.0.weight but has 0.weight, as a PyTorch \
             nn.Sequential names its layers: load it with `LoadOptions::pytorch()`"
        );
    }
    // Under a prefix too (a Sequential inside another module).
    let prefixed = state_dict(&[("model.0.weight", &[1, 4]), ("model.0.bias", &[1])]);
    network! { struct One { 4 => 1 linear; loss = mse; } }
    let err = io::from_bytes::<One>(&prefixed, &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::PytorchNames { found, .. } if found == "model.0.weight"),
        "{err:?}"
    );
    // Names of neither kind stay a missing tensor.
    let named = state_dict(&[("fc1.weight", &[1, 4]), ("fc1.bias", &[1])]);
    let err = io::from_bytes::<One>(&named, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err,
        Error::MissingTensor {
            tensor: "layers.0.weight".into()
        }
    );
}

#[test]
fn this_librarys_names_load_with_the_pytorch_option_too() {
    // `layers.` is then the prefix of a Sequential numbered 0, 1, 2: the same
    // tensors, so no hint is needed the other way round.
    let net = GeluSigmoid::seeded(7);
    let bytes = io::to_bytes(&net, &SaveOptions::default()).unwrap();
    assert_eq!(
        io::from_bytes::<GeluSigmoid>(&bytes, &LoadOptions::pytorch()).unwrap(),
        net
    );
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

network! {
    /// `nn.Sequential(Linear(5, 8), LeakyReLU(0.1), Dropout(0.2), Linear(8, 6),
    /// GELU("tanh"), Linear(6, 4), Linear(4, 7), ELU(), Dropout(0.1), Linear(7, 3),
    /// Softmax(-1))`: linear layers at 0, 3, 5, 6 and 9.
    struct Mixed {
        5 => 8 leaky_relu(0.1) dropout(0.2) => 6 gelu => 4 linear => 7 elu dropout(0.1)
          => 3 softmax;
        loss = cce;
    }
}

network! {
    /// `nn.Sequential(Linear(3, 4), Softplus(), Linear(4, 2), Sigmoid())` in f64.
    struct Soft64 { 3 => 4 softplus => 2 sigmoid; loss = bce; scalar = f64; }
}

/// The names and shapes of a safetensors file's tensors, sorted by name.
fn layout(bytes: &[u8]) -> Vec<(String, Vec<usize>)> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut layout: Vec<_> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.shape().to_vec()))
        .collect();
    layout.sort();
    layout
}

#[test]
fn saving_for_pytorch_numbers_the_linear_modules_as_nn_sequential_does() {
    let net = Mixed::seeded(3);
    let bytes = io::to_bytes(&net, &SaveOptions::pytorch()).unwrap();
    let expected: Vec<(String, Vec<usize>)> = [
        ("0.bias", vec![8]),
        ("0.weight", vec![8, 5]),
        ("3.bias", vec![6]),
        ("3.weight", vec![6, 8]),
        ("5.bias", vec![4]),
        ("5.weight", vec![4, 6]),
        ("6.bias", vec![7]),
        ("6.weight", vec![7, 4]),
        ("9.bias", vec![3]),
        ("9.weight", vec![3, 7]),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .collect();
    assert_eq!(layout(&bytes), expected);
    // The same parameters as this library's names hold, bit for bit.
    assert_eq!(file_parameters(&bytes), net.to_flat());
    // Loaded back with the PyTorch option, checksum and test vector checked.
    assert_eq!(
        io::from_bytes::<Mixed>(&bytes, &LoadOptions::pytorch()).unwrap(),
        net
    );
    let err = io::from_bytes::<Mixed>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::PytorchNames { .. }), "{err:?}");
    // The f64 network keeps its dtype; the keys follow Linear, Softplus, Linear, Sigmoid.
    let net64 = Soft64::seeded(5);
    let bytes = io::to_bytes(&net64, &SaveOptions::pytorch()).unwrap();
    let names: Vec<String> = layout(&bytes).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["0.bias", "0.weight", "2.bias", "2.weight"]);
    let file = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(file.tensor("2.weight").unwrap().dtype(), Dtype::F64);
    assert_eq!(
        io::from_bytes::<Soft64>(&bytes, &LoadOptions::pytorch()).unwrap(),
        net64
    );
}

#[cfg(feature = "json")]
#[test]
fn json_documents_take_the_pytorch_names_too() {
    use mlp::core::io::json::{from_json, to_json};
    let net = Mixed::seeded(4);
    let json = to_json(&net, &SaveOptions::pytorch()).unwrap();
    assert!(
        json.contains("\"9.weight\"") && !json.contains("layers."),
        "{json}"
    );
    assert_eq!(
        from_json::<Mixed>(&json, &LoadOptions::pytorch()).unwrap(),
        net
    );
}

/// `python3`, or `$MLP_PYTHON`, if it runs and has numpy; otherwise why not.
fn python_with_numpy() -> Result<String, String> {
    let python = std::env::var("MLP_PYTHON").unwrap_or_else(|_| "python3".into());
    match Command::new(&python).args(["-c", "import numpy"]).output() {
        Ok(out) if out.status.success() => Ok(python),
        Ok(out) => Err(format!(
            "`{python}` has no numpy ({})",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        )),
        Err(e) => Err(format!("`{python}` cannot be run ({e})")),
    }
}

/// Runs scripts/check_sequential.py with `args`: its stdout, or its output as the
/// error when it fails.
fn check_sequential(python: &str, args: &[&Path]) -> Result<String, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check_sequential.py");
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.success() {
        true => Ok(stdout),
        false => Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr))),
    }
}

/// `rows` inputs of `width` values in [-3, 3] from a fixed sequence.
fn inputs(rows: usize, width: usize) -> Vec<Vec<f32>> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..rows)
        .map(|_| {
            (0..width)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 40) as f32 / (1u64 << 24) as f32) * 6.0 - 3.0
                })
                .collect()
        })
        .collect()
}

/// The largest difference between `net`'s outputs and the script's forward pass
/// of `file` on `rows`, and on how many rows their argmax agrees.
fn compare_with_numpy<N: Network<Scalar = f32>>(
    python: &str,
    net: &N,
    file: &Path,
    architecture: Option<&str>,
    rows: &[Vec<f32>],
) -> (f64, usize) {
    let csv = file.with_extension("inputs.csv");
    let lines: Vec<String> = rows
        .iter()
        .map(|r| r.iter().map(f32::to_string).collect::<Vec<_>>().join(","))
        .collect();
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let mut args = vec![file, Path::new("--predict"), &csv];
    if let Some(architecture) = architecture {
        args.extend([Path::new("--architecture"), Path::new(architecture)]);
    }
    let out = check_sequential(python, &args).unwrap();
    let theirs: Vec<Vec<f64>> = out
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(theirs.len(), rows.len());
    let argmax = |v: &[f64]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
    let (mut max_diff, mut agree) = (0.0f64, 0);
    for (row, their) in rows.iter().zip(&theirs) {
        let x = N::Input::try_from(row.as_slice()).unwrap_or_else(|_| panic!("width"));
        let ours: Vec<f64> = net.predict(&x).as_ref().iter().map(|&v| v.into()).collect();
        for (a, b) in ours.iter().zip(their) {
            max_diff = max_diff.max((a - b).abs());
        }
        agree += usize::from(argmax(&ours) == argmax(their));
    }
    (max_diff, agree)
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "WASI runs no processes (python3)")]
fn the_numpy_check_runs_a_file_saved_for_pytorch_as_pytorch_would() {
    let python = match python_with_numpy() {
        Ok(python) => python,
        Err(why) => {
            eprintln!(
                "skipped: {why}; `pip install numpy` (or set MLP_PYTHON) to run \
                 scripts/check_sequential.py"
            );
            return;
        }
    };
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pytorch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mixed = dir.join("mixed.safetensors");
    let soft64 = dir.join("soft64.safetensors");
    let net = Mixed::seeded(11);
    io::save(&net, &mixed, &SaveOptions::pytorch()).unwrap();
    io::save(&Soft64::seeded(12), &soft64, &SaveOptions::pytorch()).unwrap();
    for file in [&mixed, &soft64] {
        let out = check_sequential(&python, &[file]).unwrap();
        assert!(out.contains("max abs difference"), "{out}");
        eprintln!("{}", out.trim());
    }
    // The script checks the keys: this library's names are not a Sequential's.
    let own = dir.join("own.safetensors");
    io::save(&net, &own, &SaveOptions::default()).unwrap();
    let err = check_sequential(&python, &[&own]).unwrap_err();
    assert!(
        err.contains("not those of the matching nn.Sequential"),
        "{err}"
    );

    // Both ways on 300 inputs: this library's save into the numpy forward pass,
    // and PyTorch's state dict (the fixture) into this library.
    let rows = inputs(300, Mixed::INPUTS);
    let (diff, agree) = compare_with_numpy(&python, &net, &mixed, None, &rows);
    eprintln!(
        "mlp -> PyTorch layout -> numpy: max abs difference {diff:.3e}, argmax agrees on {agree}/300"
    );
    assert!(diff < 1e-5 && agree == rows.len(), "{diff} {agree}");

    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sequential.safetensors");
    let loaded: Sequential = io::load(&fixture, &LoadOptions::pytorch()).unwrap();
    let rows = inputs(300, Sequential::INPUTS);
    let copy = dir.join("sequential.safetensors");
    std::fs::copy(&fixture, &copy).unwrap();
    let (diff, agree) = compare_with_numpy(
        &python,
        &loaded,
        &copy,
        Some(Sequential::ARCHITECTURE),
        &rows,
    );
    eprintln!(
        "PyTorch state dict -> mlp vs numpy: max abs difference {diff:.3e}, argmax agrees on {agree}/300"
    );
    assert!(diff < 1e-5 && agree == rows.len(), "{diff} {agree}");
    std::fs::remove_dir_all(&dir).unwrap();
}
