//! Replays the committed fuzz corpora (`fuzz/corpus/load`, `fuzz/corpus/checkpoint`,
//! and with the `onnx` feature `fuzz/corpus/onnx`)
//! through the fuzz targets' code on stable Rust: every file must load or be
//! refused, never panic, and a checkpoint that loads must train, save and load
//! back as itself.
//!
//! `cargo test --features json --test fuzz_corpus -- --ignored write_seeds` writes
//! the seed files (`seed-*`) a fresh corpus starts from; `cargo fuzz cmin` later
//! renames what it keeps (`fuzz/README.md`).

#[path = "../fuzz/src/lib.rs"]
mod target;

use mlp::core::Network;
use mlp::core::io::{self, LoadOptions, SaveOptions};
use mlp::core::train::{Control, Rows, Trainer};
use safetensors::tensor::{SafeTensors, TensorView};
use std::path::PathBuf;
use target::{Small, Small64};

fn corpus_of(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn corpus() -> PathBuf {
    corpus_of("load")
}

fn files_of(target: &str) -> Vec<PathBuf> {
    let dir = corpus_of(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files
}

fn corpus_files() -> Vec<PathBuf> {
    files_of("load")
}

/// Runs `run` on every file of `target`'s corpus; fails naming each that panicked.
fn replay(target: &str, run: fn(&[u8])) {
    let mut failures = Vec::new();
    for path in &files_of(target) {
        let data = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(failures.is_empty(), "panicked on {failures:?}");
}

#[test]
fn the_corpus_loads_or_is_refused_without_panicking() {
    replay("load", target::load);
}

#[cfg(feature = "onnx")]
#[test]
fn the_onnx_corpus_loads_or_is_refused_without_panicking() {
    replay("onnx", target::onnx);
    // Some model loads into each network.
    let files = files_of("onnx");
    let loads = |ok: &dyn Fn(&[u8]) -> bool| files.iter().any(|p| ok(&std::fs::read(p).unwrap()));
    let options = LoadOptions::default();
    assert!(loads(
        &|d| io::onnx::from_bytes::<Small>(d, &options).is_ok()
    ));
    assert!(loads(
        &|d| io::onnx::from_bytes::<Small64>(d, &options).is_ok()
    ));
}

#[test]
fn the_checkpoint_corpus_loads_trains_and_round_trips_or_is_refused() {
    replay("checkpoint", target::checkpoint);
}

#[test]
fn the_checkpoint_corpus_reaches_past_the_checks() {
    // Some file loads for every optimiser, in both scalars.
    let files = files_of("checkpoint");
    for (name, settings) in target::trainer_settings() {
        let loads =
            |ok: &dyn Fn(&[u8]) -> bool| files.iter().any(|path| ok(&std::fs::read(path).unwrap()));
        assert!(
            loads(&|d| Trainer::<Small>::from_bytes(d, settings.clone()).is_ok()),
            "no f32 checkpoint for {name}"
        );
        assert!(
            loads(&|d| Trainer::<Small64>::from_bytes(d, settings.clone()).is_ok()),
            "no f64 checkpoint for {name}"
        );
    }
}

#[test]
fn the_corpus_reaches_past_the_checks() {
    // A corpus of only refused files would fuzz nothing but the header parser.
    let files = corpus_files();
    let loads = |ok: &dyn Fn(&[u8], &LoadOptions) -> bool| {
        files.iter().any(|path| {
            let data = std::fs::read(path).unwrap();
            target::options().iter().any(|options| ok(&data, options))
        })
    };
    assert!(loads(&|d, o| io::from_bytes::<Small>(d, o).is_ok()));
    assert!(loads(&|d, o| io::from_bytes::<Small64>(d, o).is_ok()));
    #[cfg(feature = "json")]
    {
        fn json(d: &[u8]) -> &str {
            std::str::from_utf8(d).unwrap_or("")
        }
        assert!(loads(
            &|d, o| io::json::from_json::<Small>(json(d), o).is_ok()
        ));
        assert!(loads(
            &|d, o| io::json::from_json::<Small64>(json(d), o).is_ok()
        ));
    }
}

/// The file `to_bytes` writes for `net`, with its tensors renamed by `rename` and,
/// with `transpose`, its weights stored `(in, out)`. Metadata (and so the test
/// vector) is kept.
fn rewritten<N: Network>(net: &N, rename: impl Fn(&str) -> String, transpose: bool) -> Vec<u8> {
    let bytes = io::to_bytes(net, &SaveOptions::default()).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let tensors: Vec<(String, safetensors::Dtype, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            let (dtype, shape, data) = (view.dtype(), view.shape().to_vec(), view.data());
            if transpose && shape.len() == 2 {
                let (r, c) = (shape[0], shape[1]);
                let size = data.len() / (r * c);
                let mut out = Vec::with_capacity(data.len());
                // Element (i, o) of the (in, out) layout is (o, i) of the (out, in) one.
                for k in 0..r * c {
                    let src = (k % r) * c + k / r;
                    out.extend_from_slice(&data[src * size..(src + 1) * size]);
                }
                (rename(&name), dtype, vec![c, r], out)
            } else {
                (rename(&name), dtype, shape, data.to_vec())
            }
        })
        .collect();
    let views: Vec<(&str, TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.as_str(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, header.metadata().clone()).unwrap()
}

/// `layers.{i}.x` as an `nn.Sequential` names it: `{2 i}.x`.
fn sequential(name: &str) -> String {
    let rest = name.strip_prefix("layers.").unwrap();
    let (i, kind) = rest.split_once('.').unwrap();
    format!("{}.{kind}", 2 * i.parse::<usize>().unwrap())
}

#[test]
#[ignore = "writes the seed files into fuzz/corpus/load, checkpoint and (with onnx) onnx"]
fn write_seeds() {
    let plain = |net: &Small, options: &SaveOptions| io::to_bytes(net, options).unwrap();
    let no_vector = SaveOptions {
        test_vector: false,
        ..SaveOptions::default()
    };
    let described = SaveOptions {
        metadata: vec![("description".into(), "a seed".into())],
        ..SaveOptions::default()
    };
    let f32_file = plain(&Small::seeded(1), &SaveOptions::default());
    let mut non_finite = Small::seeded(2);
    non_finite.layers.1.weight[(1, 0)] = f32::NAN;
    non_finite.layers.2.bias[0] = f32::INFINITY;

    let mut seeds: Vec<(String, Vec<u8>)> = vec![
        ("seed-f32".into(), f32_file.clone()),
        (
            "seed-f64".into(),
            io::to_bytes(&Small64::seeded(1), &SaveOptions::default()).unwrap(),
        ),
        (
            "seed-f32-no-test-vector".into(),
            plain(&Small::seeded(2), &no_vector),
        ),
        (
            "seed-f32-metadata".into(),
            plain(&Small::seeded(2), &described),
        ),
        (
            "seed-f32-non-finite".into(),
            plain(
                &non_finite,
                &SaveOptions {
                    allow_non_finite: true,
                    ..no_vector.clone()
                },
            ),
        ),
        (
            "seed-transposed".into(),
            rewritten(&Small::seeded(4), |n| n.to_string(), true),
        ),
        (
            "seed-pytorch".into(),
            rewritten(&Small::seeded(3), sequential, false),
        ),
        (
            "seed-pytorch-transposed".into(),
            rewritten(&Small::seeded(3), sequential, true),
        ),
        (
            "seed-pytorch-f64".into(),
            rewritten(&Small64::seeded(3), sequential, false),
        ),
        (
            // A Sequential inside another module.
            "seed-pytorch-prefixed".into(),
            rewritten(
                &Small::seeded(3),
                |n| format!("model.net.{}", sequential(n)),
                false,
            ),
        ),
    ];
    // Cut inside the length, the header and the data.
    let header_end = 8 + u64::from_le_bytes(f32_file[..8].try_into().unwrap()) as usize;
    for cut in [4, 8, header_end / 2, header_end, f32_file.len() - 1] {
        seeds.push((format!("seed-cut-{cut}"), f32_file[..cut].to_vec()));
    }
    // A header length one off either way, and past the end.
    for (name, delta) in [("short", -1i64), ("long", 1), ("huge", 1 << 40)] {
        let mut bytes = f32_file.clone();
        let n = (header_end as i64 - 8 + delta) as u64;
        bytes[..8].copy_from_slice(&n.to_le_bytes());
        seeds.push((format!("seed-header-{name}"), bytes));
    }
    // Garbled header bytes, and a tensor name swapped for a foreign one.
    let mut garbled = f32_file.clone();
    garbled[9] = b'!';
    seeds.push(("seed-garbled".into(), garbled));
    let mut renamed = f32_file.clone();
    let at = renamed
        .windows(b"layers.2.bias".len())
        .position(|w| w == b"layers.2.bias")
        .unwrap();
    renamed[at + b"layers.".len()] = b'9';
    seeds.push(("seed-foreign-name".into(), renamed));

    #[cfg(feature = "json")]
    seeds.extend(json_seeds());

    let dir = corpus();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in &seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    #[cfg(feature = "onnx")]
    {
        let dir = corpus_of("onnx");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in onnx_seeds() {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    let dir = corpus_of("checkpoint");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in checkpoint_seeds::<f32, Small>("f32")
        .into_iter()
        .chain(checkpoint_seeds::<f64, Small64>("f64"))
    {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Checkpoints of `N` for every optimiser the target loads with: before the first
/// epoch, paused after two (moments, step count and early stopping's best weights)
/// and finished.
fn checkpoint_seeds<T, N>(scalar: &str) -> Vec<(String, Vec<u8>)>
where
    T: mlp::core::real::Real,
    N: Network<Scalar = T, Input = [T; 4], Target = [T; 1]>,
{
    let (inputs, targets) = target::rows::<T>();
    let mut seeds = Vec::new();
    for (name, settings) in target::trainer_settings() {
        let mut trainer = Trainer::<N>::new(settings).unwrap();
        let mut net = N::seeded(1);
        for (epochs, stage) in [(0, "start"), (2, "paused"), (usize::MAX, "finished")] {
            let rows = Rows::new(&inputs, &targets);
            trainer
                .run(&mut net, rows, None, epochs, |_, _| Control::Continue)
                .unwrap();
            seeds.push((
                format!("seed-{scalar}-{name}-{stage}"),
                trainer.to_bytes().unwrap(),
            ));
        }
    }
    seeds
}

/// JSON documents for `from_json`: both networks, PyTorch names, and broken ones.
#[cfg(feature = "json")]
fn json_seeds() -> Vec<(String, Vec<u8>)> {
    use mlp::core::io::json::to_json;
    let f32_doc = to_json(&Small::seeded(1), &SaveOptions::default()).unwrap();
    let bare = SaveOptions {
        test_vector: false,
        ..SaveOptions::default()
    };
    let mut seeds = vec![
        ("seed-json-f32".to_string(), f32_doc.clone()),
        (
            "seed-json-f64".into(),
            to_json(&Small64::seeded(1), &SaveOptions::default()).unwrap(),
        ),
        (
            "seed-json-no-test-vector".into(),
            to_json(&Small::seeded(2), &bare).unwrap(),
        ),
        (
            "seed-json-pytorch".into(),
            f32_doc
                .replace("\"layers.0.", "\"0.")
                .replace("\"layers.1.", "\"2.")
                .replace("\"layers.2.", "\"4."),
        ),
        (
            "seed-json-short-data".into(),
            f32_doc.replacen(
                "\"shape\": [\n        1\n      ]",
                "\"shape\": [\n        2\n      ]",
                1,
            ),
        ),
        (
            "seed-json-format".into(),
            f32_doc.replacen("\"mlp\"", "\"npm\"", 1),
        ),
        (
            "seed-json-cut".into(),
            f32_doc[..f32_doc.len() / 2].to_string(),
        ),
    ];
    seeds.push(("seed-json-compact".into(), {
        let value: serde_json::Value = serde_json::from_str(&f32_doc).unwrap();
        serde_json::to_string(&value).unwrap()
    }));
    seeds
        .into_iter()
        .map(|(n, d)| (n, d.into_bytes()))
        .collect()
}

/// ONNX seeds: both networks as `save_onnx` writes them, the f32 one cut in half,
/// and the exported fixtures (PyTorch's Gemm, scikit-learn's MatMul + Add).
#[cfg(feature = "onnx")]
fn onnx_seeds() -> Vec<(String, Vec<u8>)> {
    let f32_model = io::onnx::to_bytes(&Small::seeded(1)).unwrap();
    let mut seeds = vec![
        ("seed-f32".to_string(), f32_model.clone()),
        (
            "seed-f64".to_string(),
            io::onnx::to_bytes(&Small64::seeded(1)).unwrap(),
        ),
        (
            "seed-cut".to_string(),
            f32_model[..f32_model.len() / 2].to_vec(),
        ),
    ];
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    for name in ["torch_tanh_leaky", "sklearn_mlp", "helper_matmul_add"] {
        let bytes = std::fs::read(fixtures.join(format!("{name}.onnx"))).unwrap();
        seeds.push((format!("seed-{name}"), bytes));
    }
    seeds
}
