//! Networks through serde (feature `serde`): round trips in JSON and postcard, bit
//! for bit, alone and inside a program's own saved structure, and every refusal of
//! a model file's load as a deserialisation error that names the tensor.
#![cfg(feature = "serde")]

use mlp::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

network! { struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
network! { struct Placement64 { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; scalar = f64; } }
network! { struct Other { 4 => 3 relu => 2 sigmoid => 1 sigmoid; loss = bce; } }
// Layers large enough to be boxed, and a softmax output.
network! { struct Wide { 20 => 64 leaky_relu(0.1) => 10 softmax; loss = cce; } }

/// Every parameter's bits, so that `-0.0` and `0.0` differ.
fn bits<N: Network>(net: &N) -> Vec<u64> {
    net.to_flat().iter().map(|v| v.to_f64().to_bits()).collect()
}

/// A network whose parameters have many significant bits and include `-0.0`,
/// a subnormal and extremes of the dtype.
fn awkward<N: Network>(seed: u64) -> N {
    let mut flat = N::seeded(seed).to_flat();
    let n = flat.len();
    flat[0] = N::Scalar::of(-0.0);
    flat[1] = N::Scalar::of(if N::Scalar::NAME == "f32" {
        f64::from(f32::from_bits(1))
    } else {
        f64::from_bits(1)
    });
    flat[2] = N::Scalar::of(if N::Scalar::NAME == "f32" {
        f64::from(f32::MAX)
    } else {
        f64::MAX
    });
    flat[n - 1] = N::Scalar::of(1.0 / 3.0);
    N::from_flat(&flat).unwrap()
}

fn json_round_trip<N: Network + Serialize + for<'de> Deserialize<'de>>(net: &N) -> N {
    serde_json::from_str(&serde_json::to_string(net).unwrap()).unwrap()
}

fn postcard_round_trip<N: Network + Serialize + for<'de> Deserialize<'de>>(net: &N) -> N {
    postcard::from_bytes(&postcard::to_allocvec(net).unwrap()).unwrap()
}

#[test]
fn f32_and_f64_networks_round_trip_bit_for_bit() {
    fn check<N: Network + Serialize + for<'de> Deserialize<'de>>() {
        for seed in 0..4 {
            let net: N = awkward(seed);
            assert_eq!(
                bits(&json_round_trip(&net)),
                bits(&net),
                "{} json",
                N::Scalar::NAME
            );
            assert_eq!(
                bits(&postcard_round_trip(&net)),
                bits(&net),
                "{} postcard",
                N::Scalar::NAME
            );
        }
    }
    check::<Placement>();
    check::<Placement64>();
    check::<Wide>();
}

#[test]
fn an_anonymous_network_round_trips_too() {
    let net = network!(2 => 8 tanh => 1 sigmoid; loss = bce);
    assert_eq!(bits(&json_round_trip(&net)), bits(&net));
    assert_eq!(bits(&postcard_round_trip(&net)), bits(&net));
}

/// A program's own saved structure with networks in it.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct GameSave {
    level: u32,
    player: String,
    brain: Placement,
    rivals: Vec<Placement64>,
    scores: BTreeMap<String, f64>,
}

fn game() -> GameSave {
    GameSave {
        level: 7,
        player: "Ada".into(),
        brain: awkward(1),
        rivals: vec![awkward(2), Placement64::seeded(3)],
        scores: BTreeMap::from([("best".into(), 0.25)]),
    }
}

#[test]
fn a_game_save_holding_networks_round_trips() {
    let save = game();
    let json = serde_json::to_string_pretty(&save).unwrap();
    let back: GameSave = serde_json::from_str(&json).unwrap();
    assert_eq!(bits(&back.brain), bits(&save.brain));
    assert_eq!(back, save);
    let bytes = postcard::to_allocvec(&save).unwrap();
    let back: GameSave = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(bits(&back.rivals[0]), bits(&save.rivals[0]));
    assert_eq!(back, save);
    assert_eq!(
        back.brain.predict(&[0.8, 0.9, 0.6, 1.0]),
        save.brain.predict(&[0.8, 0.9, 0.6, 1.0])
    );
}

/// Serialized, a network is the JSON module's model document: the same names,
/// metadata and checksum, so one reads what the other writes.
#[cfg(feature = "json")]
#[test]
fn the_serialized_form_is_the_json_model_document() {
    use mlp::core::io::json::{from_json, to_json};
    use mlp::core::io::{LoadOptions, SaveOptions};
    let net: Placement64 = awkward(5);
    let serialized: serde_json::Value = serde_json::to_value(&net).unwrap();
    let document: serde_json::Value =
        serde_json::from_str(&to_json(&net, &SaveOptions::default()).unwrap()).unwrap();
    assert_eq!(serialized, document);
    let loaded: Placement64 = from_json(
        &serde_json::to_string(&net).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(bits(&loaded), bits(&net));
    let read: Placement64 = serde_json::from_value(document).unwrap();
    assert_eq!(bits(&read), bits(&net));
    for key in [
        "mlp.architecture",
        "mlp.checksum",
        "mlp.test_input",
        "mlp.test_output",
    ] {
        assert!(serialized["metadata"][key].is_string(), "no {key}");
    }
    assert_eq!(
        serialized["tensors"]["layers.1.weight"]["shape"],
        serde_json::json!([2, 3])
    );
}

/// The document's layout, to edit what a program might receive.
#[derive(Serialize, Deserialize)]
struct Document {
    format: String,
    metadata: BTreeMap<String, String>,
    tensors: BTreeMap<String, Tensor>,
}

#[derive(Serialize, Deserialize)]
struct Tensor {
    dtype: String,
    shape: Vec<usize>,
    data: Vec<f64>,
}

/// `net`'s document changed by `edit`, without its checksum (as a file of another
/// tool, so that the checks behind the checksum speak), in JSON and postcard.
fn edited<N: Serialize>(net: &N, edit: impl Fn(&mut Document)) -> (String, Vec<u8>) {
    let mut document: Document =
        serde_json::from_value(serde_json::to_value(net).unwrap()).unwrap();
    document.metadata.remove("mlp.checksum");
    edit(&mut document);
    (
        serde_json::to_string(&document).unwrap(),
        postcard::to_allocvec(&document).unwrap(),
    )
}

/// The error of reading `json` and `bytes` as `N`, which must be the same.
fn refusal<N: for<'de> Deserialize<'de>>((json, bytes): &(String, Vec<u8>)) -> String {
    let from_json = serde_json::from_str::<N>(json)
        .err()
        .expect("JSON refused")
        .to_string();
    let from_postcard = postcard::from_bytes::<N>(bytes)
        .err()
        .expect("postcard refused");
    // postcard's errors carry no message of their own: it says only that a value
    // was refused, so the message is checked through JSON.
    assert_eq!(from_postcard, postcard::Error::SerdeDeCustom);
    from_json
}

/// The control of the edits below: a document without its checksum and
/// otherwise untouched loads, so what they refuse is their edit.
#[test]
fn an_unedited_document_without_its_checksum_loads() {
    for net in [Placement::seeded(1), awkward(2)] {
        let (json, bytes) = edited(&net, |_| {});
        assert_eq!(
            bits(&serde_json::from_str::<Placement>(&json).unwrap()),
            bits(&net)
        );
        assert_eq!(
            bits(&postcard::from_bytes::<Placement>(&bytes).unwrap()),
            bits(&net)
        );
    }
    let net: Placement64 = awkward(3);
    let (_, bytes) = edited(&net, |_| {});
    assert_eq!(
        bits(&postcard::from_bytes::<Placement64>(&bytes).unwrap()),
        bits(&net)
    );
}

#[test]
fn another_architecture_is_refused_saying_which_layer_differs() {
    let net = Placement::seeded(1);
    let err = serde_json::from_str::<Other>(&serde_json::to_string(&net).unwrap()).unwrap_err();
    assert!(
        err.to_string().contains(
            "the file holds `4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce`, not `4 => 3 relu => 2 sigmoid => 1 sigmoid; loss = bce`: layer 0 is sigmoid in the file and relu in the network"
        ),
        "{err}"
    );
    let bytes = postcard::to_allocvec(&net).unwrap();
    assert!(postcard::from_bytes::<Other>(&bytes).is_err());
    // The other dtype is another network too.
    let err =
        serde_json::from_str::<Placement64>(&serde_json::to_string(&net).unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .contains("tensor layers.0.weight is f32; the network needs f64"),
        "{err}"
    );
}

#[test]
fn a_wrong_shape_is_refused_naming_the_tensor() {
    let edits = edited(&Placement::seeded(1), |d| {
        d.tensors.get_mut("layers.1.weight").unwrap().shape = vec![3, 2];
    });
    let err = refusal::<Placement>(&edits);
    assert!(
        err.starts_with("tensor layers.1.weight has shape [3, 2]; the network needs [2, 3]"),
        "{err}"
    );
    let edits = edited(&Placement::seeded(1), |d| {
        d.tensors.get_mut("layers.2.bias").unwrap().data.push(0.5);
    });
    let err = refusal::<Placement>(&edits);
    assert!(err.contains("layers.2.bias"), "{err}");
}

#[test]
fn a_missing_or_extra_tensor_is_refused_by_name() {
    let edits = edited(&Placement::seeded(1), |d| {
        d.tensors.remove("layers.2.bias");
    });
    assert!(refusal::<Placement>(&edits).starts_with("the file has no tensor layers.2.bias"));
    let edits = edited(&Placement::seeded(1), |d| {
        let extra = d.tensors["layers.2.bias"].data.clone();
        d.tensors.insert(
            "layers.3.bias".into(),
            Tensor {
                dtype: "f32".into(),
                shape: vec![1],
                data: extra,
            },
        );
    });
    let err = refusal::<Placement>(&edits);
    assert!(err.contains("layers.3.bias"), "{err}");
}

#[test]
fn non_finite_parameters_are_refused_both_ways() {
    let mut net = Placement64::seeded(1);
    // Row 1, column 0: index 4 in row-major order.
    net.layers.0.weight[(1, 0)] = f64::NAN;
    let err = serde_json::to_string(&net).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("tensor layers.0.weight[4] is NaN"),
        "{err}"
    );
    assert!(postcard::to_allocvec(&net).is_err());

    // A document holding one (postcard can; JSON has no NaN, so it holds `null`).
    let edits = edited(&Placement64::seeded(1), |d| {
        d.tensors.get_mut("layers.1.bias").unwrap().data[1] = f64::INFINITY;
    });
    let err = postcard::from_bytes::<Placement64>(&edits.1).unwrap_err();
    assert_eq!(err, postcard::Error::SerdeDeCustom);
    let mut document: Document = postcard::from_bytes(&edits.1).unwrap();
    document.tensors.get_mut("layers.1.bias").unwrap().data[1] = 1e300;
    let err = serde_json::from_str::<Placement>(
        &serde_json::to_string(&Document {
            tensors: document
                .tensors
                .into_iter()
                .map(|(k, t)| {
                    (
                        k,
                        Tensor {
                            dtype: "f32".into(),
                            ..t
                        },
                    )
                })
                .collect(),
            ..document
        })
        .unwrap(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("layers.1.bias"), "{err}");
}

#[test]
fn a_changed_value_fails_the_checksum() {
    let net = Placement64::seeded(1);
    let mut value = serde_json::to_value(&net).unwrap();
    value["tensors"]["layers.0.bias"]["data"][0] = serde_json::json!(0.125);
    let err = serde_json::from_value::<Placement64>(value).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn truncated_input_is_an_error_never_a_panic() {
    let save = game();
    let json = serde_json::to_string(&save).unwrap();
    for end in 0..json.len() {
        assert!(
            serde_json::from_str::<GameSave>(&json[..end]).is_err(),
            "JSON cut at {end}"
        );
    }
    let bytes = postcard::to_allocvec(&save).unwrap();
    for end in 0..bytes.len() {
        assert!(
            postcard::from_bytes::<GameSave>(&bytes[..end]).is_err(),
            "postcard cut at {end}"
        );
    }
}

/// Every byte of a postcard save changed three ways: refused, or (where the change
/// only renames the checksum's key, which leaves a document without a checksum)
/// the same parameters; never other parameters, never a panic.
#[test]
fn corrupted_bytes_never_load_as_other_parameters() {
    let net: Placement64 = awkward(1);
    let bytes = postcard::to_allocvec(&net).unwrap();
    let mut accepted = 0;
    for at in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut corrupted = bytes.clone();
            corrupted[at] ^= flip;
            if let Ok(loaded) = postcard::from_bytes::<Placement64>(&corrupted) {
                assert_eq!(bits(&loaded), bits(&net), "byte {at} ^ {flip:#x}");
                accepted += 1;
            }
        }
    }
    assert!(
        accepted < 3 * "mlp.checksum".len(),
        "{accepted} corrupted saves loaded"
    );
}
