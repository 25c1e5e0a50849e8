//! Saving and loading: round trips, the file layout, every refusal, foreign
//! layouts, and saves that survive a killed process.

use mlp::core::Network;
use mlp::core::io::{self, LoadOptions, SaveOptions};
use mlp::{Error, network};
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
    let mut net = Placement::zeros();
    let flat: Vec<f32> = (1..=26).map(|v| v as f32 / 10.0).collect();
    net.set_flat(&flat).unwrap();
    net
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
        "tensor layers.0.weight is f32; the network needs f64"
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
    // Without the rename, the keys are unknown.
    let err = io::from_bytes::<Placement>(&bytes, &LoadOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "the file has no tensor layers.0.weight");

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
        "tensor layers.1.weight is f64; the network needs f32"
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

#[test]
fn the_test_vector_catches_a_wrong_network() {
    // Saved from a sigmoid network, loaded as a relu one with the same shapes.
    let bytes = io::to_bytes(&Placement::seeded(2), &SaveOptions::default()).unwrap();
    let err = io::from_bytes::<Other>(&bytes, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::TestVectorMismatch { .. }), "{err}");
    println!("{err}");
    let unchecked = LoadOptions {
        check_test_vector: false,
        ..LoadOptions::default()
    };
    assert!(io::from_bytes::<Other>(&bytes, &unchecked).is_ok());
    // Without a test vector, nothing to check.
    let bare = io::to_bytes(
        &Placement::seeded(2),
        &SaveOptions {
            test_vector: false,
            ..SaveOptions::default()
        },
    )
    .unwrap();
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
        "tensor layers.0.weight is f64; the network needs f32"
    );
    let broken = json.replacen(
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
    assert!(matches!(err, Error::TestVectorMismatch { .. }), "{err}");
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

#[test]
fn a_sequential_inside_another_module_loads_with_its_prefix() {
    let t = placement_tensors(|i| format!("model.net.{}", 2 * i), Dtype::F32);
    let net: Placement = io::from_bytes(&bytes_of(&t), &LoadOptions::pytorch()).unwrap();
    assert_eq!(net, expected_placement());
    let mut mixed = placement_tensors(|i| format!("model.net.{}", 2 * i), Dtype::F32);
    mixed[0].0 = "other.0.weight".into();
    assert!(io::from_bytes::<Placement>(&bytes_of(&mixed), &LoadOptions::pytorch()).is_err());
}
