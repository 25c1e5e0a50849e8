//! Saving and loading: round trips, the file layout, every refusal, foreign
//! layouts, and saves that survive a killed process.

use mlp::core::Network;
use mlp::core::io::{self, LoadOptions, Metadata, SaveOptions};
use mlp::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

network! { struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
network! { struct Placement64 { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; scalar = f64; } }
network! { struct Other { 4 => 3 relu => 2 sigmoid => 1 sigmoid; loss = bce; } }

fn dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mlp-io-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A safetensors file from `(name, dtype, shape, f32 or f64 values)`.
fn file(
    tensors: &[(&str, Dtype, Vec<usize>, Vec<f64>)],
    metadata: Option<HashMap<String, String>>,
) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, d, _, v)| match d {
            Dtype::F64 => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            _ => v.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect(),
        })
        .collect();
    let views: Vec<(&str, TensorView)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((n, d, s, _), b)| (*n, TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, metadata).unwrap()
}

fn placement_tensors(
    prefix: impl Fn(usize) -> String,
    dtype: Dtype,
) -> Vec<(String, Dtype, Vec<usize>, Vec<f64>)> {
    let flat: Vec<f64> = (1..=26).map(|v| v as f64 / 10.0).collect();
    vec![
        (
            format!("{}.weight", prefix(0)),
            dtype,
            vec![3, 4],
            flat[0..12].to_vec(),
        ),
        (
            format!("{}.bias", prefix(0)),
            dtype,
            vec![3],
            flat[12..15].to_vec(),
        ),
        (
            format!("{}.weight", prefix(1)),
            dtype,
            vec![2, 3],
            flat[15..21].to_vec(),
        ),
        (
            format!("{}.bias", prefix(1)),
            dtype,
            vec![2],
            flat[21..23].to_vec(),
        ),
        (
            format!("{}.weight", prefix(2)),
            dtype,
            vec![1, 2],
            flat[23..25].to_vec(),
        ),
        (
            format!("{}.bias", prefix(2)),
            dtype,
            vec![1],
            flat[25..26].to_vec(),
        ),
    ]
}

fn bytes_of(t: &[(String, Dtype, Vec<usize>, Vec<f64>)]) -> Vec<u8> {
    let borrowed: Vec<(&str, Dtype, Vec<usize>, Vec<f64>)> = t
        .iter()
        .map(|(n, d, s, v)| (n.as_str(), *d, s.clone(), v.clone()))
        .collect();
    file(&borrowed, None)
}

fn expected_placement() -> Placement {
    let flat: Vec<f32> = (1..=26).map(|v| v as f32 / 10.0).collect();
    Placement::from_flat(&flat).unwrap()
}

#[test]
fn round_trips_in_f32_and_f64_through_files() {
    let d = dir();
    let net = Placement::seeded(4);
    net.save(d.join("p.safetensors")).unwrap();
    assert_eq!(Placement::load(d.join("p.safetensors")).unwrap(), net);
    let net64 = Placement64::seeded(4);
    net64.save(d.join("p64.safetensors")).unwrap();
    assert_eq!(Placement64::load(d.join("p64.safetensors")).unwrap(), net64);
    // f32 weights do not load into an f64 network.
    let err = Placement64::load(d.join("p.safetensors")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor layers.0.weight is f32; the network needs f64: load with `LoadOptions::convert_dtype()` to convert it"
    );
}

#[test]
fn the_file_holds_named_row_major_tensors_and_metadata() {
    let net = expected_placement();
    let bytes = io::to_bytes(&net, &SaveOptions::default()).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = st.names();
    names.sort();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.1.bias",
            "layers.1.weight",
            "layers.2.bias",
            "layers.2.weight"
        ]
    );
    let w = st.tensor("layers.0.weight").unwrap();
    assert_eq!((w.dtype(), w.shape()), (Dtype::F32, &[3, 4][..]));
    let values: Vec<f32> = w
        .data()
        .chunks(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(
        values,
        (1..=12).map(|v| v as f32 / 10.0).collect::<Vec<_>>()
    );
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = header.metadata().as_ref().unwrap();
    assert_eq!(
        meta["mlp.architecture"],
        "4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce"
    );
    assert!(meta.contains_key("mlp.test_input") && meta.contains_key("mlp.test_output"));
    assert_eq!(
        io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).unwrap(),
        net
    );
}

#[test]
fn pytorch_sequential_keys_and_transposed_layouts() {
    let t = placement_tensors(|i| (2 * i).to_string(), Dtype::F32);
    let bytes = bytes_of(&t);
    let net: Placement = io::from_bytes(&bytes, &LoadOptions::pytorch()).unwrap();
    assert_eq!(net, expected_placement());
    // Without the rename, the keys are unknown, and the option is named.
    let err = io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file has no tensor layers.0.weight but has 0.weight, as a PyTorch nn.Sequential \
         names its layers: load it with `LoadOptions::pytorch()`"
    );

    // (in, out) storage: transpose every weight, load with the explicit option.
    let transposed: Vec<_> = t
        .iter()
        .map(|(n, d, s, v)| {
            if s.len() == 2 {
                let (r, c) = (s[0], s[1]);
                let tv: Vec<f64> = (0..r * c).map(|k| v[(k % r) * c + k / r]).collect();
                (n.clone(), *d, vec![c, r], tv)
            } else {
                (n.clone(), *d, s.clone(), v.clone())
            }
        })
        .collect();
    let bytes = bytes_of(&transposed);
    let net: Placement = io::from_bytes(&bytes, &LoadOptions::pytorch().transposed()).unwrap();
    assert_eq!(net, expected_placement());
    // Never guessed: without the option the shapes are refused.
    let err = io::from_bytes::<Placement>(&bytes, &LoadOptions::pytorch()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor 0.weight has shape [4, 3]; the network needs [3, 4]"
    );
}

#[test]
fn every_refusal_names_what_was_wrong() {
    let good = placement_tensors(|i| format!("layers.{i}"), Dtype::F32);
    let load = |t: &[(String, Dtype, Vec<usize>, Vec<f64>)]| {
        io::from_bytes::<Placement>(&bytes_of(t), &LoadOptions::default())
    };
    assert_eq!(load(&good).unwrap(), expected_placement());

    let mut missing = good.clone();
    missing.remove(3);
    assert_eq!(
        load(&missing).unwrap_err().to_string(),
        "the file has no tensor layers.1.bias"
    );

    let mut extra = good.clone();
    extra.push(("layers.3.weight".into(), Dtype::F32, vec![1, 1], vec![0.0]));
    assert_eq!(
        load(&extra).unwrap_err().to_string(),
        "the file has a tensor layers.3.weight the network has no place for"
    );

    let mut dtype = good.clone();
    dtype[2].1 = Dtype::F64;
    assert_eq!(
        load(&dtype).unwrap_err().to_string(),
        "tensor layers.1.weight is f64; the network needs f32: load with `LoadOptions::convert_dtype()` to convert it"
    );

    let mut shape = good.clone();
    shape[2] = (
        "layers.1.weight".into(),
        Dtype::F32,
        vec![3, 2],
        good[2].3.clone(),
    );
    let err = load(&shape).unwrap_err();
    assert_eq!(
        err,
        Error::WrongShape {
            tensor: "layers.1.weight".into(),
            expected: vec![2, 3],
            found: vec![3, 2]
        }
    );

    let mut nan = good.clone();
    nan[4].3[1] = f64::NAN;
    assert_eq!(
        load(&nan).unwrap_err().to_string(),
        "tensor layers.2.weight[1] is NaN; parameters must be finite"
    );
    let allowed = io::from_bytes::<Placement>(
        &bytes_of(&nan),
        &LoadOptions {
            allow_non_finite: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert!(allowed.layers.2.weight[(0, 1)].is_nan());

    let bytes = bytes_of(&good);
    for cut in [0, 7, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        let err = io::from_bytes::<Placement>(&bytes[..cut], &LoadOptions::default()).unwrap_err();
        assert!(
            matches!(err, Error::CorruptFile { .. }),
            "cut at {cut}: {err}"
        );
    }
    let mut garbage = bytes.clone();
    garbage[8] = b'!';
    assert!(matches!(
        io::from_bytes::<Placement>(&garbage, &LoadOptions::default()),
        Err(Error::CorruptFile { .. })
    ));
    let err = Placement::load(dir().join("no-such-file.safetensors")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

/// `bytes` as another tool would rewrite them: the tensors and the test vector,
/// without the architecture and the checksum.
fn foreign(bytes: &[u8]) -> Vec<u8> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let mut metadata = header.metadata().clone().unwrap();
    metadata.retain(|k, _| k.starts_with("mlp.test_"));
    safetensors::serialize(file.tensors(), Some(metadata)).unwrap()
}

#[test]
fn the_test_vector_catches_a_wrong_network() {
    // Saved from a sigmoid network, loaded as a relu one with the same shapes.
    let bytes = foreign(&io::to_bytes(&Placement::seeded(2), &SaveOptions::default()).unwrap());
    assert!(io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).is_ok());
    let err = io::from_bytes::<Other>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::TestVectorMismatch { .. }), "{err}");
    let unchecked = LoadOptions {
        check_test_vector: false,
        ..LoadOptions::default()
    };
    assert!(io::from_bytes::<Other>(&bytes, &unchecked).is_ok());
    // Without a test vector or an architecture, nothing to check.
    let bare = foreign(
        &io::to_bytes(
            &Placement::seeded(2),
            &SaveOptions {
                test_vector: false,
                ..SaveOptions::default()
            },
        )
        .unwrap(),
    );
    assert!(io::from_bytes::<Other>(&bare, &LoadOptions::default()).is_ok());
}

/// Run as a child process by `a_killed_saver_never_leaves_a_torn_file`: saves two
/// different networks to the path in MLP_SAVE_LOOP until killed.
#[test]
fn child_saver() {
    let Ok(path) = std::env::var("MLP_SAVE_LOOP") else {
        return;
    };
    let nets = [Placement::seeded(1), Placement::seeded(2)];
    for i in 0.. {
        nets[i % 2].save(&path).unwrap();
    }
}

#[test]
fn a_killed_saver_never_leaves_a_torn_file() {
    let path = dir().join("killed.safetensors");
    Placement::seeded(1).save(&path).unwrap();
    let exe = std::env::current_exe().unwrap();
    for round in 0..6 {
        let mut child = std::process::Command::new(&exe)
            .args(["--exact", "child_saver", "--nocapture", "--test-threads=1"])
            .env("MLP_SAVE_LOOP", &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(40 + 37 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        let loaded = Placement::load(&path).unwrap();
        assert!(loaded == Placement::seeded(1) || loaded == Placement::seeded(2));
    }
}

#[cfg(feature = "json")]
#[test]
fn json_round_trips_and_is_checked_like_safetensors() {
    use mlp::core::io::json::{from_json, to_json};
    // Edited by hand: without a checksum, the other checks speak.
    let net = Placement64::seeded(8);
    let json = to_json(&net, &SaveOptions::default()).unwrap();
    assert!(json.contains("\"layers.0.weight\"") && json.contains("\"mlp.architecture\""));
    assert_eq!(
        from_json::<Placement64>(&json, &LoadOptions::default()).unwrap(),
        net
    );
    let f32_net = Placement::seeded(8);
    let json32 = to_json(&f32_net, &SaveOptions::default()).unwrap();
    assert_eq!(
        from_json::<Placement>(&json32, &LoadOptions::default()).unwrap(),
        f32_net
    );

    let err = from_json::<Placement>(&json, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor layers.0.weight is f64; the network needs f32: load with `LoadOptions::convert_dtype()` to convert it"
    );
    let broken = without_checksum(&json).replacen(
        "\"shape\": [\n        3,\n        4\n      ]",
        "\"shape\": [\n        4,\n        3\n      ]",
        1,
    );
    assert_ne!(broken, json);
    let err = from_json::<Placement64>(&broken, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor layers.0.weight has shape [4, 3]; the network needs [3, 4]"
    );
    let err = from_json::<Other>(&json32, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::ArchitectureMismatch { .. }), "{err}");
    assert!(matches!(
        from_json::<Placement>("{", &LoadOptions::default()),
        Err(Error::CorruptFile { .. })
    ));
    assert!(matches!(
        from_json::<Placement>(
            r#"{"format": "other", "tensors": {}}"#,
            &LoadOptions::default()
        ),
        Err(Error::CorruptFile { .. })
    ));
}

#[cfg(feature = "json")]
#[test]
fn a_json_value_beyond_the_range_of_f32_is_refused_as_infinite() {
    use mlp::core::io::json::{from_json, to_json};
    let json = without_checksum(&to_json(&Placement::seeded(8), &SaveOptions::default()).unwrap());
    let weight = json.find("\"layers.0.weight\"").unwrap();
    let start = weight + json[weight..].find("\"data\": [").unwrap() + "\"data\": [".len();
    let end = start + json[start..].find(',').unwrap();
    let json = format!("{} 1e39{}", &json[..start], &json[end..]);
    let err = from_json::<Placement>(&json, &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::NonFiniteInFile { tensor, index: 0, value }
            if tensor == "layers.0.weight" && *value == f64::INFINITY),
        "{err}"
    );
}

#[test]
fn a_sequential_inside_another_module_loads_with_its_prefix() {
    let t = placement_tensors(|i| format!("model.net.{}", 2 * i), Dtype::F32);
    let net: Placement = io::from_bytes(&bytes_of(&t), &LoadOptions::pytorch()).unwrap();
    assert_eq!(net, expected_placement());
    let mut mixed = placement_tensors(|i| format!("model.net.{}", 2 * i), Dtype::F32);
    mixed[0].0 = "other.0.weight".into();
    assert!(io::from_bytes::<Placement>(&bytes_of(&mixed), &LoadOptions::pytorch()).is_err());
}

/// Flips every bit of `bytes` one at a time and sorts the outcomes: refused,
/// loaded as the original (`same`), or loaded as something else.
fn flip_every_bit(bytes: &[u8], load: impl Fn(&[u8]) -> Option<bool>) -> [usize; 3] {
    let mut counts = [0; 3];
    let mut damaged = bytes.to_vec();
    for bit in 0..8 * bytes.len() {
        damaged[bit / 8] ^= 1 << (bit % 8);
        let outcome = match load(&damaged) {
            None => 0,
            Some(true) => 1,
            Some(false) => 2,
        };
        counts[outcome] += 1;
        damaged[bit / 8] ^= 1 << (bit % 8);
    }
    counts
}

#[test]
fn no_single_bit_flip_of_a_file_loads_as_another_network() {
    let net = Placement::seeded(4);
    let bytes = io::to_bytes(&net, &SaveOptions::default()).unwrap();
    let [refused, same, different] = flip_every_bit(&bytes, |b| {
        io::from_bytes::<Placement>(b, &LoadOptions::default())
            .ok()
            .map(|loaded| loaded == net)
    });
    println!("safetensors: {refused} refused, {same} same, {different} different");
    assert_eq!(different, 0, "{refused} refused, {same} same");
    assert!(refused > 0);
}

#[cfg(feature = "json")]
#[test]
fn no_single_bit_flip_of_a_json_document_loads_as_another_network() {
    use mlp::core::io::json::{from_json, to_json};
    let net = Placement::seeded(4);
    let json = to_json(&net, &SaveOptions::default()).unwrap();
    let [refused, same, different] = flip_every_bit(json.as_bytes(), |b| {
        let text = std::str::from_utf8(b).ok()?;
        from_json::<Placement>(text, &LoadOptions::default())
            .ok()
            .map(|loaded| loaded == net)
    });
    println!("json: {refused} refused, {same} same, {different} different");
    assert_eq!(different, 0, "{refused} refused, {same} same");
}

#[test]
fn no_single_bit_flip_of_a_checkpoint_loads_as_another_trainer() {
    use mlp::core::train::{Control, Fit, Optimizer, Rows, Trainer};
    network! { struct Small { 2 => 3 tanh => 1 sigmoid; loss = bce; } }
    let settings = Fit::new()
        .progress(false)
        .optimizer(Optimizer::adam())
        .epochs(4)
        .early_stopping(10);
    let x = [[0.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y = [[0.0f32], [1.0], [1.0], [0.0]];
    let mut net = Small::seeded(1);
    let mut trainer = Trainer::new(settings.clone()).unwrap();
    trainer
        .run(
            &mut net,
            Rows::new(&x, &y),
            Some(Rows::new(&x, &y)),
            2,
            |_, _| Control::Continue,
        )
        .unwrap();
    let bytes = trainer.to_bytes().unwrap();
    let [refused, same, different] = flip_every_bit(&bytes, |b| {
        Trainer::<Small>::from_bytes(b, settings.clone())
            .ok()
            .map(|loaded| loaded.to_bytes().unwrap() == bytes)
    });
    println!("checkpoint: {refused} refused, {same} same, {different} different");
    assert_eq!(different, 0, "{refused} refused, {same} same");
}

#[test]
fn a_damaged_file_is_refused_by_name_with_both_checksums() {
    let path = dir().join("damaged.safetensors");
    let net = Placement::seeded(4);
    net.save(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let err = Placement::load(&path).unwrap_err();
    let Error::ChecksumMismatch {
        file,
        stored,
        computed,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(file, &path.display().to_string());
    assert_ne!(stored, computed);
    let message = err.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert!(message.contains(stored.as_str()) && message.contains(computed.as_str()));
    let err = io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(err.to_string().starts_with("bytes: "), "{err}");
}

#[test]
fn a_file_of_another_architecture_is_refused_by_layer() {
    network! { struct Leaky { 4 => 3 leaky_relu => 2 sigmoid => 1 sigmoid; loss = bce; } }
    network! { struct Leaky001 { 4 => 3 leaky_relu(0.01) dropout(0.5) => 2 sigmoid => 1 sigmoid; loss = bce; } }
    network! { struct Leaky02 { 4 => 3 leaky_relu(0.2) => 2 sigmoid => 1 sigmoid; loss = bce; } }
    network! { struct Mse { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = mse; } }
    network! { struct Huber { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = huber(0.5); } }
    let no_vector = SaveOptions {
        test_vector: false,
        ..SaveOptions::default()
    };
    let bytes = io::to_bytes(&Placement::seeded(2), &no_vector).unwrap();
    let err = io::from_bytes::<Other>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::ArchitectureMismatch { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("layer 0 is sigmoid in the file and relu in the network"),
        "{err}"
    );

    // Default parameters written or not, and dropout, do not matter.
    let leaky = io::to_bytes(&Leaky::seeded(2), &SaveOptions::default()).unwrap();
    let same: Leaky001 = io::from_bytes(&leaky, &LoadOptions::default()).unwrap();
    assert_eq!(same.to_flat(), Leaky::seeded(2).to_flat());
    let err = io::from_bytes::<Leaky02>(&leaky, &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("layer 0 is leaky_relu(0.01) in the file and leaky_relu(0.2) in the network"),
        "{err}"
    );

    let err = io::from_bytes::<Mse>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("the loss is bce in the file and mse in the network"),
        "{err}"
    );
    let huber = io::to_bytes(&Huber::seeded(2), &no_vector).unwrap();
    let err = io::from_bytes::<Mse>(&huber, &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("the loss is huber(0.5) in the file and mse in the network"),
        "{err}"
    );
    // Fine-tuning with another loss is allowed by name; activations still count.
    let options = LoadOptions::default().accept_other_loss();
    let tuned: Mse = io::from_bytes(&bytes, &options).unwrap();
    assert_eq!(tuned.to_flat(), Placement::seeded(2).to_flat());
    assert!(io::from_bytes::<Other>(&bytes, &options).is_err());
}

/// A JSON document with its checksum line removed, as edited by hand.
#[cfg(feature = "json")]
fn without_checksum(json: &str) -> String {
    let lines: Vec<&str> = json
        .lines()
        .filter(|l| !l.contains("\"mlp.checksum\""))
        .collect();
    lines.join("\n")
}

#[cfg(feature = "json")]
#[test]
fn json_documents_refuse_duplicates_and_say_what_is_wrong() {
    use mlp::core::io::json::{from_json, to_json};
    let net = Placement::seeded(8);
    let json = to_json(&net, &SaveOptions::default()).unwrap();
    let load = |s: &str| from_json::<Placement>(s, &LoadOptions::default()).unwrap_err();

    let duplicate = json.replacen(
        "\"tensors\": {",
        "\"tensors\": {\n    \"layers.0.bias\": { \"dtype\": \"f32\", \"shape\": [3], \"data\": [1, 2, 3] },",
        1,
    );
    let err = load(&duplicate);
    assert!(matches!(err, Error::CorruptFile { .. }), "{err}");
    assert!(err.to_string().contains("layers.0.bias"), "{err}");
    let duplicate = json.replacen(
        "\"metadata\": {",
        "\"metadata\": {\n    \"mlp.architecture\": \"4 => 3 relu => 2 sigmoid => 1 sigmoid; loss = bce\",",
        1,
    );
    assert!(load(&duplicate).to_string().contains("mlp.architecture"));

    let short = without_checksum(&json).replacen("\"data\": [\n", "\"data\": [\n 0.5,\n", 1);
    assert_eq!(
        load(&short).to_string(),
        "tensor layers.0.bias has shape [3] but 4 values; a [3] tensor has 3"
    );
}

#[test]
fn half_a_test_vector_is_refused() {
    let net = Placement::seeded(8);
    let mut metadata = HashMap::new();
    metadata.insert("mlp.test_input".to_string(), "0,0,0,0".to_string());
    let t: Vec<(String, Dtype, Vec<usize>, Vec<f64>)> = (0..6)
        .map(|i| {
            let id = mlp::core::TensorId::from_index(i);
            let shape = match id.shape(Placement::WIDTHS) {
                mlp::core::Shape::Matrix(r, c) => vec![r, c],
                mlp::core::Shape::Vector(n) => vec![n],
            };
            let n = shape.iter().product();
            (id.to_string(), Dtype::F32, shape, vec![0.0; n])
        })
        .collect();
    let _ = net;
    let borrowed: Vec<(&str, Dtype, Vec<usize>, Vec<f64>)> = t
        .iter()
        .map(|(n, d, s, v)| (n.as_str(), *d, s.clone(), v.clone()))
        .collect();
    let bytes = file(&borrowed, Some(metadata));
    let err = io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::CorruptFile { .. }), "{err}");
    assert!(err.to_string().contains("mlp.test_output"), "{err}");
}

#[test]
fn reserved_metadata_keys_are_refused_at_save() {
    let options = SaveOptions {
        metadata: vec![("mlp.architecture".into(), "mine".into())],
        ..SaveOptions::default()
    };
    let err = io::to_bytes(&Placement::seeded(1), &options).unwrap_err();
    assert_eq!(
        err,
        Error::ReservedMetadataKey {
            key: "mlp.architecture".into()
        }
    );
    #[cfg(feature = "json")]
    assert!(mlp::core::io::json::to_json(&Placement::seeded(1), &options).is_err());
}

#[test]
fn a_network_that_saves_always_loads() {
    let mut net = Placement::seeded(1);
    net.layers.1.weight[(1, 0)] = f32::NAN;
    let err = io::to_bytes(&net, &SaveOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::NonFiniteInFile { tensor, .. } if tensor == "layers.1.weight"),
        "{err}"
    );
    let path = dir().join("nan.safetensors");
    assert!(net.save(&path).is_err() && !path.exists());
    #[cfg(feature = "json")]
    assert!(mlp::core::io::json::to_json(&net, &SaveOptions::default()).is_err());
    let allowed = SaveOptions {
        allow_non_finite: true,
        ..SaveOptions::default()
    };
    let bytes = io::to_bytes(&net, &allowed).unwrap();
    let options = LoadOptions {
        allow_non_finite: true,
        ..LoadOptions::default()
    };
    let loaded: Placement = io::from_bytes(&bytes, &options).unwrap();
    assert!(loaded.layers.1.weight[(1, 0)].is_nan());
}

#[test]
fn the_same_network_gives_the_same_bytes() {
    let net = Placement::seeded(3);
    let options = SaveOptions {
        metadata: (0..8)
            .map(|i| (format!("key{i}"), format!("\"value\" {i}")))
            .collect(),
        ..SaveOptions::default()
    };
    let first = io::to_bytes(&net, &options).unwrap();
    for _ in 0..20 {
        assert_eq!(io::to_bytes(&net, &options).unwrap(), first);
    }
    let loaded: Placement = io::from_bytes(&first, &LoadOptions::default()).unwrap();
    assert_eq!(loaded, net);
    let header = SafeTensors::read_metadata(&first).unwrap().1;
    assert_eq!(header.metadata().as_ref().unwrap()["key3"], "\"value\" 3");
}

#[test]
fn convert_dtype_loads_f64_into_f32_to_the_nearest_and_f32_into_f64_exactly() {
    // f64 into f32: each value rounded to the nearest f32, the test vector checked
    // with the f32 tolerance.
    let net64 = Placement64::seeded(6);
    let bytes = io::to_bytes(&net64, &SaveOptions::default()).unwrap();
    let err = io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err,
        Error::WrongDtype {
            tensor: "layers.0.weight".into(),
            expected: "f32".into(),
            found: "f64".into()
        }
    );
    let net: Placement = io::from_bytes(&bytes, &LoadOptions::default().convert_dtype()).unwrap();
    let rounded: Vec<f32> = net64.to_flat().iter().map(|&v| v as f32).collect();
    assert_eq!(net.to_flat(), rounded);
    // f32 into f64: exact, so the f64 network saves back the f32 file's values.
    let bytes = io::to_bytes(&net, &SaveOptions::default()).unwrap();
    let wide: Placement64 =
        io::from_bytes(&bytes, &LoadOptions::default().convert_dtype()).unwrap();
    let widened: Vec<f64> = net.to_flat().iter().map(|&v| f64::from(v)).collect();
    assert_eq!(wide.to_flat(), widened);
    // And with PyTorch's names.
    let t = placement_tensors(|i| (2 * i).to_string(), Dtype::F64);
    let options = LoadOptions::pytorch().convert_dtype();
    assert_eq!(
        io::from_bytes::<Placement>(&bytes_of(&t), &options).unwrap(),
        expected_placement()
    );
}

#[test]
fn convert_dtype_refuses_values_beyond_f32_and_keeps_the_other_refusals() {
    let load = |t: &[(String, Dtype, Vec<usize>, Vec<f64>)], options: &LoadOptions| {
        io::from_bytes::<Placement>(&bytes_of(t), options)
    };
    let convert = LoadOptions::default().convert_dtype();
    let good = placement_tensors(|i| format!("layers.{i}"), Dtype::F64);
    let mut huge = good.clone();
    huge[2].3[4] = -1e39;
    let err = load(&huge, &convert).unwrap_err();
    assert_eq!(
        err,
        Error::DtypeOverflow {
            tensor: "layers.1.weight".into(),
            index: 4,
            value: -1e39,
            dtype: "f32"
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor layers.1.weight[4] is -1e39, beyond the range of f32, so it cannot be \
         converted; load the file into a network of the file's dtype"
    );
    // Refused even where non-finite values are allowed: it is finite in the file.
    let anything = LoadOptions {
        allow_non_finite: true,
        ..convert.clone()
    };
    assert!(matches!(
        load(&huge, &anything),
        Err(Error::DtypeOverflow { .. })
    ));
    // The largest f32 and a value below the smallest subnormal convert (to zero).
    let mut edges = good.clone();
    edges[0].3[0] = f64::from(f32::MAX);
    edges[0].3[1] = 1e-50;
    let net = load(&edges, &convert).unwrap();
    assert_eq!(net.to_flat()[..2], [f32::MAX, 0.0]);
    // A NaN stays a NaN in the file.
    let mut nan = good.clone();
    nan[1].3[0] = f64::NAN;
    assert!(matches!(
        load(&nan, &convert),
        Err(Error::NonFiniteInFile { index: 0, .. })
    ));
    // Only floats convert; the message names no option for them.
    let mut ints = good.clone();
    ints[0].1 = Dtype::I32;
    let err = load(&ints, &convert).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor layers.0.weight is i32; the network needs f32"
    );
}

#[test]
fn user_metadata_is_read_back_with_the_network() {
    let d = dir();
    let net = Placement::seeded(9);
    let scaler = vec![
        ("scaler.mean".to_string(), "0.5,1,2,3".to_string()),
        ("scaler.scale".to_string(), "1,1,2,2".to_string()),
    ];
    let options = SaveOptions::default()
        .with_metadata(scaler.clone())
        .with_metadata([("version", "3")]);
    let path = d.join("with-metadata.safetensors");
    io::save(&net, &path, &options).unwrap();
    let (loaded, metadata): (Placement, Metadata) =
        io::load_with_metadata(&path, &LoadOptions::default()).unwrap();
    assert_eq!(loaded, net);
    let mut expected: Metadata = scaler.into_iter().collect();
    expected.insert("version".into(), "3".into());
    assert_eq!(metadata, expected);
    // The bytes twin, and the `Save` methods.
    let bytes = std::fs::read(&path).unwrap();
    let (_, from_bytes) =
        io::from_bytes_with_metadata::<Placement>(&bytes, &LoadOptions::default()).unwrap();
    assert_eq!(from_bytes, expected);
    let sugar = d.join("sugar.safetensors");
    net.save_with_metadata(&sugar, [("version", "3")]).unwrap();
    let (again, metadata) = Placement::load_with_metadata(&sugar).unwrap();
    assert_eq!((again, metadata["version"].as_str()), (net.clone(), "3"));
    assert_eq!(metadata.len(), 1);
    // And a JSON document.
    #[cfg(feature = "json")]
    {
        use mlp::core::io::json::{from_json_with_metadata, to_json};
        let json = to_json(&net, &options).unwrap();
        let (again, metadata) =
            from_json_with_metadata::<Placement>(&json, &LoadOptions::default()).unwrap();
        assert_eq!((again, metadata), (net.clone(), expected.clone()));
    }
    // A file without any: empty.
    net.save(d.join("plain.safetensors")).unwrap();
    let (_, none) = Placement::load_with_metadata(d.join("plain.safetensors")).unwrap();
    assert!(none.is_empty());
}

#[test]
fn the_checksum_covers_user_metadata_and_keys_are_given_once() {
    let options = SaveOptions::default().with_metadata([("scaler.mean", "0.25")]);
    let bytes = io::to_bytes(&Placement::seeded(2), &options).unwrap();
    // The same length, another value: only the checksum can tell.
    let at = bytes
        .windows(4)
        .position(|w| w == b"0.25")
        .expect("the value is in the header");
    let mut edited = bytes.clone();
    edited[at + 3] = b'6';
    let err =
        io::from_bytes_with_metadata::<Placement>(&edited, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::ChecksumMismatch { .. }), "{err:?}");
    // A key given twice is refused rather than one value silently kept.
    let twice = options.with_metadata([("scaler.mean", "0.5")]);
    let err = io::to_bytes(&Placement::seeded(2), &twice).unwrap_err();
    assert_eq!(
        err,
        Error::DuplicateMetadataKey {
            key: "scaler.mean".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "metadata key scaler.mean is given twice; a file holds one value per key"
    );
    // A PyTorch file's own metadata comes back as it is.
    let mut pt = HashMap::new();
    pt.insert("format".to_string(), "pt".to_string());
    let t = placement_tensors(|i| (2 * i).to_string(), Dtype::F32);
    let borrowed: Vec<(&str, Dtype, Vec<usize>, Vec<f64>)> = t
        .iter()
        .map(|(n, d, s, v)| (n.as_str(), *d, s.clone(), v.clone()))
        .collect();
    let (_, metadata) = io::from_bytes_with_metadata::<Placement>(
        &file(&borrowed, Some(pt)),
        &LoadOptions::pytorch(),
    )
    .unwrap();
    assert_eq!(
        metadata.into_iter().collect::<Vec<_>>(),
        [("format".into(), "pt".into())]
    );
}
