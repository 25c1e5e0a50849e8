//! Networks as JSON (feature `json`): the same tensors, names, metadata and checks
//! as the safetensors files, in a form a person or a script can read.
//!
//! ```json
//! {
//!   "format": "mlp",
//!   "metadata": { "mlp.architecture": "2 => 1 sigmoid; loss = bce", ... },
//!   "tensors": {
//!     "layers.0.weight": { "dtype": "f32", "shape": [1, 2], "data": [0.5, -0.25] },
//!     "layers.0.bias": { "dtype": "f32", "shape": [1], "data": [0.0] }
//!   }
//! }
//! ```

use super::build::{dims, row_major};
use super::safetensors::verify;
use super::{CHECKSUM_KEY, LoadOptions, Metadata, SaveOptions, Stored, Tensors};
use crate::compiled::tensor_ids;
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The value of the `format` field.
const FORMAT: &str = "mlp";

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    #[serde(default)]
    metadata: Unique<String>,
    tensors: Unique<Tensor>,
}

#[derive(Serialize, Deserialize)]
struct Tensor {
    dtype: String,
    shape: Vec<usize>,
    data: Vec<f64>,
}

/// A JSON object whose keys are all different: a repeated tensor name or
/// metadata key is refused rather than the last copy winning.
#[derive(Serialize, Default)]
#[serde(transparent)]
struct Unique<V>(BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Unique<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = Unique<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    if entries.contains_key(&key) {
                        return Err(serde::de::Error::custom(alloc::format!(
                            "{key:?} appears twice"
                        )));
                    }
                    entries.insert(key, value);
                }
                Ok(Unique(entries))
            }
        }
        deserializer.deserialize_map(Entries(PhantomData))
    }
}

/// Little-endian bytes of `values` in `dtype`, as a safetensors file holds them:
/// the tensor's part of the checksum.
fn le_bytes(dtype: &str, values: &[f64]) -> Vec<u8> {
    match dtype {
        "f32" => values
            .iter()
            .flat_map(|&v| (v as f32).to_le_bytes())
            .collect(),
        _ => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

/// The network as a JSON document.
///
/// # Errors
///
/// As [`super::to_bytes`].
pub fn to_json<N: Network>(net: &N, options: &SaveOptions) -> Result<String, Error> {
    let mut metadata = super::saved_metadata(net, options)?;
    let names = super::saved_names::<N>(options)?;
    let tensors: BTreeMap<String, Tensor> = tensor_ids::<N>()
        .zip(names)
        .map(|(id, name)| {
            let data = row_major(net, id).iter().map(|v| v.to_f64()).collect();
            let tensor = Tensor {
                dtype: N::Scalar::NAME.into(),
                shape: dims(id.shape(N::WIDTHS)),
                data,
            };
            (name, tensor)
        })
        .collect();
    let sum = checksum(&metadata, &tensors);
    metadata.insert(CHECKSUM_KEY.into(), sum);
    let file = File {
        format: FORMAT.into(),
        metadata: Unique(metadata),
        tensors: Unique(tensors),
    };
    serde_json::to_string_pretty(&file).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })
}

fn checksum(metadata: &Metadata, tensors: &BTreeMap<String, Tensor>) -> String {
    let mut canonical: Vec<_> = tensors
        .iter()
        .map(|(name, t)| {
            let bytes = le_bytes(&t.dtype, &t.data);
            (name.as_str(), t.dtype.as_str(), t.shape.as_slice(), bytes)
        })
        .collect();
    super::safetensors::checksum(metadata, &mut canonical)
}

/// A network from a JSON document, with every check of [`super::from_bytes`].
///
/// # Errors
///
/// [`Error::CorruptFile`] for text that is not such a document, and every error of
/// [`super::from_bytes`].
pub fn from_json<N: Network>(json: &str, options: &LoadOptions) -> Result<N, Error> {
    from_json_with_metadata(json, options).map(|(net, _)| net)
}

/// A network from a JSON document, as [`from_json`], with the document's user
/// metadata (see [`super::Metadata`]).
///
/// # Errors
///
/// As [`from_json`].
pub fn from_json_with_metadata<N: Network>(
    json: &str,
    options: &LoadOptions,
) -> Result<(N, Metadata), Error> {
    let file: File = serde_json::from_str(json).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })?;
    if file.format != FORMAT {
        return Err(Error::CorruptFile {
            message: alloc::format!("format is {:?}, expected {FORMAT:?}", file.format),
        });
    }
    let metadata: Metadata = file.metadata.0;
    verify(&metadata, || checksum(&metadata, &file.tensors.0))?;
    let tensors: Tensors = file
        .tensors
        .0
        .into_iter()
        .map(|(name, t)| {
            (
                name,
                Stored {
                    dtype: t.dtype,
                    shape: t.shape,
                    values: t.data,
                },
            )
        })
        .collect();
    let net = super::build(&tensors, &metadata, options)?;
    Ok((net, super::user_metadata(metadata)))
}
