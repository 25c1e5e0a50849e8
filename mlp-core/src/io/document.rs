//! A network as a document of serde values: the format a JSON file holds
//! ([`super::json`]) and what a network's `Serialize` writes ([`super::serde_network`]).
//! The same tensors, names, metadata and checksum as a safetensors file, and the
//! same checks on the way back.

use super::build::{dims, row_major};
use super::safetensors::verify;
use super::{CHECKSUM_KEY, LoadOptions, Metadata, SaveOptions, Stored, Tensors};
use crate::compiled::tensor_ids;
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The value of the `format` field.
const FORMAT: &str = "mlp";

/// `{ "format": "mlp", "metadata": {...}, "tensors": { name: tensor, ... } }`.
#[derive(Serialize, Deserialize)]
pub(crate) struct Document {
    format: String,
    #[serde(default)]
    metadata: Unique<String>,
    tensors: Unique<Tensor>,
}

#[derive(Serialize, Deserialize)]
struct Tensor {
    dtype: String,
    shape: Vec<usize>,
    /// Row-major values; an f32 is exact in an f64, so both dtypes round-trip.
    data: Vec<f64>,
}

/// A map whose keys are all different: a repeated tensor name or metadata key is
/// refused rather than the last copy winning.
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

impl Document {
    /// The document of `net`, refusing what [`super::to_bytes`] refuses.
    pub(crate) fn of<N: Network>(net: &N, options: &SaveOptions) -> Result<Self, Error> {
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
        Ok(Self {
            format: FORMAT.into(),
            metadata: Unique(metadata),
            tensors: Unique(tensors),
        })
    }

    /// The network the document holds, with its user metadata, after every check
    /// of [`super::from_bytes`].
    pub(crate) fn network<N: Network>(self, options: &LoadOptions) -> Result<(N, Metadata), Error> {
        if self.format != FORMAT {
            return Err(Error::CorruptFile {
                message: alloc::format!("format is {:?}, expected {FORMAT:?}", self.format),
            });
        }
        let metadata: Metadata = self.metadata.0;
        verify(&metadata, || checksum(&metadata, &self.tensors.0))?;
        let tensors: Tensors = self
            .tensors
            .0
            .into_iter()
            .map(|(name, t)| {
                let stored = Stored {
                    dtype: t.dtype,
                    shape: t.shape,
                    values: t.data,
                };
                (name, stored)
            })
            .collect();
        let net = super::build(&tensors, &metadata, options)?;
        Ok((net, super::user_metadata(metadata)))
    }
}
