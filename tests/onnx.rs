//! ONNX models: what PyTorch's `torch.onnx.export`, scikit-learn's MLPClassifier
//! through skl2onnx and `onnx.helper` wrote (tests/fixtures/onnx, made by
//! `python3 scripts/export_onnx.py`, whose docstring describes each file) load at
//! run time and while compiling, and reproduce the outputs the exporter and
//! onnxruntime computed; `save_onnx` writes models that load back bit for bit and
//! that onnxruntime runs to the network's outputs.
//!
//! Tolerances, absolute: 1e-6 for f32 networks against the references (PyTorch's
//! and onnxruntime's float32, scikit-learn's float64), a few units in the last place
//! of outputs below 1 after this library's f32 tanh and exp (each within a few
//! units); 1e-13 for f64 networks. Measured: at most 1.8e-7 (f32) and 2.2e-16 (f64).
#![cfg(feature = "onnx")]

use mlp::core::io::{LoadOptions, onnx};
use mlp::prelude::*;
use mlp::{Error, Onnx};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

network! {
    /// `nn.Sequential(Linear(4, 8), Tanh(), Linear(8, 6), LeakyReLU(0.2), Linear(6, 3),
    /// Softmax(dim=-1))`, float32.
    struct TanhLeaky { 4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax; loss = cce; }
}

network! {
    /// The same with its weights compiled in from the PyTorch export.
    struct CompiledTanhLeaky {
        4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax;
        loss = cce;
        weights = "fixtures/onnx/torch_tanh_leaky.onnx";
    }
}

network! {
    /// `TanhLeaky` in f64, to load the float32 export into with `convert_dtype`.
    struct TanhLeaky64 { 4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax; loss = cce; scalar = f64; }
}

network! {
    /// `nn.Sequential(Linear(3, 5), Tanh(), Linear(5, 4), Sigmoid(), Linear(4, 2)).double()`.
    struct Torch64 { 3 => 5 tanh => 4 sigmoid => 2 linear; loss = mse; scalar = f64; }
}

network! {
    /// The float64 PyTorch export compiled in.
    struct CompiledTorch64 {
        3 => 5 tanh => 4 sigmoid => 2 linear;
        loss = mse;
        scalar = f64;
        weights = "fixtures/onnx/torch_f64.onnx";
    }
}

network! {
    /// `GELU(approximate="tanh")`, `ELU(0.5)` and `Softplus()` at opset 20.
    struct TorchGelu { 3 => 6 gelu => 4 elu(0.5) => 2 softplus; loss = mse; }
}

network! {
    /// scikit-learn's `MLPClassifier(hidden_layer_sizes=(10, 6))` on iris.
    struct SklearnRelu { 4 => 10 relu => 6 relu => 3 softmax; loss = cce; }
}

network! {
    /// The same with `activation="tanh"`.
    struct SklearnTanh { 4 => 10 tanh => 6 tanh => 3 softmax; loss = cce; }
}

network! {
    /// MatMul + Add, Relu, Gemm (transB = 0, alpha 0.5, beta 2), Identity, Sigmoid.
    struct Helper { 3 => 4 relu => 2 sigmoid; loss = bce; }
}

network! {
    /// Every activation ONNX has an operator for, to save and read back.
    struct Every {
        5 => 7 sigmoid => 6 tanh => 6 relu => 5 leaky_relu(0.123456789) => 5 elu(0.7)
          => 4 softplus => 4 gelu => 4 linear => 3 softmax;
        loss = cce;
    }
}

network! {
    /// An f64 network of the activations onnxruntime computes in double.
    struct Double { 4 => 6 tanh => 5 relu => 4 sigmoid => 3 softmax; loss = cce; scalar = f64; }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/onnx/{name}"))
}

/// A fixture's `inputs`, `exporter` and `onnxruntime` rows.
struct Expected {
    inputs: Vec<Vec<f64>>,
    exporter: Vec<Vec<f64>>,
    onnxruntime: Vec<Vec<f64>>,
}

fn expected(name: &str) -> Expected {
    let text = std::fs::read_to_string(fixture(&format!("{name}.json"))).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = |key: &str| -> Vec<Vec<f64>> { serde_json::from_value(json[key].clone()).unwrap() };
    Expected {
        inputs: rows("inputs"),
        exporter: rows("exporter"),
        onnxruntime: rows("onnxruntime"),
    }
}

/// The network's outputs for `rows`, in f64.
fn outputs<N: Network>(net: &N, rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    rows.iter()
        .map(|row| {
            let x: Vec<N::Scalar> = row.iter().map(|&v| N::Scalar::of(v)).collect();
            let x = N::Input::try_from(x.as_slice()).unwrap_or_else(|_| panic!("width"));
            net.predict(&x)
                .as_ref()
                .iter()
                .map(|v| v.to_f64())
                .collect()
        })
        .collect()
}

fn max_abs_difference(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .flat_map(|(a, b)| {
            assert_eq!(a.len(), b.len());
            a.iter().zip(b).map(|(x, y)| (x - y).abs())
        })
        .fold(0.0, f64::max)
}

/// Loads fixture `name` into `N` and checks it against the exporter's and
/// onnxruntime's outputs; gives `N`.
fn reproduces<N: Network>(name: &str, tolerance: f64) -> N {
    let net: N = onnx::load(fixture(&format!("{name}.onnx")), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = expected(name);
    assert!(expected.inputs.len() >= 6);
    let ours = outputs(&net, &expected.inputs);
    let exporter = max_abs_difference(&ours, &expected.exporter);
    let runtime = max_abs_difference(&ours, &expected.onnxruntime);
    eprintln!(
        "{name}: max abs difference {exporter:.3e} against the exporter, {runtime:.3e} against onnxruntime"
    );
    assert!(exporter <= tolerance && runtime <= tolerance, "{name}");
    net
}

#[test]
fn pytorch_exports_reproduce_pytorch_and_onnxruntime() {
    reproduces::<TanhLeaky>("torch_tanh_leaky", 1e-6);
    reproduces::<Torch64>("torch_f64", 1e-13);
    reproduces::<TorchGelu>("torch_gelu", 1e-6);
}

#[test]
fn sklearn_exports_reproduce_predict_proba_and_onnxruntime() {
    reproduces::<SklearnRelu>("sklearn_mlp", 1e-6);
    reproduces::<SklearnTanh>("sklearn_mlp_tanh", 1e-6);
}

#[test]
fn matmul_add_float_data_and_gemm_attributes_reproduce_onnxruntime() {
    reproduces::<Helper>("helper_matmul_add", 1e-6);
}

#[test]
fn a_float32_export_loads_into_an_f64_network_only_when_converting() {
    let path = fixture("torch_tanh_leaky.onnx");
    let err = onnx::load::<TanhLeaky64>(&path, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor 0.weight is f32; the network needs f64: load with \
         `LoadOptions::convert_dtype()` to convert it"
    );
    let wide: TanhLeaky64 = onnx::load(&path, &LoadOptions::default().convert_dtype()).unwrap();
    let narrow = TanhLeaky::load_onnx(&path).unwrap();
    let widened: Vec<f64> = narrow.to_flat().iter().map(|&v| v.into()).collect();
    assert_eq!(wide.to_flat(), widened);
}

#[test]
fn compiled_in_weights_are_those_a_load_gives() {
    let loaded = TanhLeaky::load_onnx(fixture("torch_tanh_leaky.onnx")).unwrap();
    let compiled = CompiledTanhLeaky::COMPILED;
    let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(compiled.to_flat()), bits(loaded.to_flat()));
    let loaded = Torch64::load_onnx(fixture("torch_f64.onnx")).unwrap();
    let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    assert_eq!(
        bits(CompiledTorch64::COMPILED.to_flat()),
        bits(loaded.to_flat())
    );
}

#[test]
fn a_model_of_another_network_is_refused_naming_the_layer() {
    network! { struct Relu { 4 => 8 relu => 6 leaky_relu(0.2) => 3 softmax; loss = cce; } }
    network! { struct Narrow { 4 => 8 tanh => 5 leaky_relu(0.2) => 3 softmax; loss = cce; } }
    network! { struct Slope { 4 => 8 tanh => 6 leaky_relu(0.1) => 3 softmax; loss = cce; } }
    network! { struct Short { 4 => 8 tanh => 3 softmax; loss = cce; } }
    let path = fixture("torch_tanh_leaky.onnx");
    let file = "4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax";
    let difference = |e: Error| match e {
        Error::ArchitectureMismatch {
            file: f,
            difference,
            ..
        } => {
            assert_eq!(f, file);
            difference
        }
        e => panic!("{e}"),
    };
    assert_eq!(
        difference(Relu::load_onnx(&path).unwrap_err()),
        "layer 0 is tanh in the file and relu in the network"
    );
    assert_eq!(
        difference(Narrow::load_onnx(&path).unwrap_err()),
        "layer 1 is 6 wide in the file and 5 in the network"
    );
    assert_eq!(
        difference(Slope::load_onnx(&path).unwrap_err()),
        "layer 1 is leaky_relu(0.2) in the file and leaky_relu(0.1) in the network"
    );
    assert_eq!(
        difference(Short::load_onnx(&path).unwrap_err()),
        "the file has 3 layers and the network 2"
    );
}

#[test]
fn truncated_and_garbage_bytes_are_errors_never_panics() {
    let bytes = std::fs::read(fixture("sklearn_mlp.onnx")).unwrap();
    let whole = SklearnRelu::load_onnx(fixture("sklearn_mlp.onnx")).unwrap();
    // A protobuf cut between two fields is a shorter valid message: a prefix that
    // still holds the whole graph (and lacks only fields after it, such as the
    // opsets) is the same network; every other prefix is an error.
    let mut refused = 0;
    for end in 0..bytes.len() {
        match onnx::from_bytes::<SklearnRelu>(&bytes[..end], &LoadOptions::default()) {
            Ok(net) => assert_eq!(net, whole, "{end} bytes"),
            Err(_) => refused += 1,
        }
    }
    eprintln!("{refused} of {} prefixes refused", bytes.len());
    assert!(refused > bytes.len() * 9 / 10, "{refused}");
    let err = onnx::from_bytes::<SklearnRelu>(&bytes[..bytes.len() / 2], &LoadOptions::default())
        .unwrap_err();
    assert!(
        matches!(&err, Error::CorruptFile { message } if message.starts_with("not an ONNX model (")),
        "{err}"
    );
    // Flipped bytes give an error or, where the damage stays within a value, a
    // network; never a panic. `MLP_ONNX_MUTATIONS` runs more than 2000.
    let mutations = std::env::var("MLP_ONNX_MUTATIONS").map_or(2000, |n| n.parse().unwrap());
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..mutations {
        let mut damaged = bytes.clone();
        for _ in 0..3 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % damaged.len() as u64) as usize;
            damaged[at] ^= (state >> 32) as u8 | 1;
        }
        let _ = onnx::from_bytes::<SklearnRelu>(&damaged, &LoadOptions::default());
    }
    // A safetensors file is no ONNX model.
    let dir = temp_dir("garbage");
    let net = SklearnRelu::seeded(1);
    net.save(dir.join("net.safetensors")).unwrap();
    assert!(SklearnRelu::load_onnx(dir.join("net.safetensors")).is_err());
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("onnx-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn saved_models_load_back_bit_for_bit() {
    let dir = temp_dir("round-trip");
    let every = Every::seeded(5);
    every.save_onnx(dir.join("every.onnx")).unwrap();
    let back = Every::load_onnx(dir.join("every.onnx")).unwrap();
    let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(back.to_flat()), bits(every.to_flat()));
    let double = Double::seeded(6);
    let bytes = onnx::to_bytes(&double).unwrap();
    let back: Double = onnx::from_bytes(&bytes, &LoadOptions::default()).unwrap();
    let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(back.to_flat()), bits(double.to_flat()));
    // The same network saves to the same bytes.
    assert_eq!(onnx::to_bytes(&double).unwrap(), bytes);
}

#[test]
fn a_non_finite_parameter_is_not_saved() {
    let mut net = Helper::seeded(1);
    net.layers.1.bias[1] = f32::NAN;
    let err = onnx::to_bytes(&net).unwrap_err();
    assert!(
        matches!(&err, Error::NonFiniteInFile { tensor, index: 1, .. } if tensor == "layers.1.bias"),
        "{err}"
    );
}

/// `python3` (or `$MLP_PYTHON`) if it has onnxruntime; otherwise why not. Under
/// `CI=true` a missing onnxruntime fails the test: `.ci/run` installs it.
fn python_with_onnxruntime() -> Option<String> {
    let python = std::env::var("MLP_PYTHON").unwrap_or_else(|_| "python3".into());
    let why = match Command::new(&python)
        .args(["-c", "import onnxruntime, numpy"])
        .output()
    {
        Ok(out) if out.status.success() => return Some(python),
        Ok(out) => format!(
            "`{python}` has no onnxruntime ({})",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ),
        Err(e) => format!("`{python}` cannot be run ({e})"),
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why}; CI installs it (.ci/run)"
    );
    eprintln!(
        "skipped: {why}; `pip install onnxruntime numpy` (or set MLP_PYTHON) to run \
         scripts/check_onnx.py"
    );
    None
}

/// onnxruntime's outputs of the model at `path` for `rows`.
fn onnxruntime(python: &str, path: &Path, rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check_onnx.py");
    let mut child = Command::new(python)
        .arg(script)
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

/// 200 rows of `width` values in (-3, 3), from a fixed seed.
fn rows(width: usize) -> Vec<Vec<f64>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..200)
        .map(|_| {
            (0..width)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // f32 values, so both sides see the same input.
                    f64::from(((state >> 11) as f64 / (1u64 << 53) as f64 * 6.0 - 3.0) as f32)
                })
                .collect()
        })
        .collect()
}

#[test]
fn onnxruntime_runs_saved_models_to_the_networks_outputs() {
    let Some(python) = python_with_onnxruntime() else {
        return;
    };
    let dir = temp_dir("onnxruntime");
    let every = Every::seeded(5);
    every.save_onnx(dir.join("every.onnx")).unwrap();
    let x = rows(Every::INPUTS);
    let f32_diff = max_abs_difference(
        &outputs(&every, &x),
        &onnxruntime(&python, &dir.join("every.onnx"), &x),
    );
    let double = Double::seeded(6);
    double.save_onnx(dir.join("double.onnx")).unwrap();
    let x = rows(Double::INPUTS);
    let f64_diff = max_abs_difference(
        &outputs(&double, &x),
        &onnxruntime(&python, &dir.join("double.onnx"), &x),
    );
    eprintln!(
        "save_onnx -> onnxruntime, 200 rows: max abs difference {f32_diff:.3e} (f32, every \
         activation), {f64_diff:.3e} (f64)"
    );
    assert!(
        f32_diff <= 1e-6 && f64_diff <= 1e-13,
        "{f32_diff} {f64_diff}"
    );
}
