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

use super::{
    ARCHITECTURE_KEY, LoadOptions, Metadata, SaveOptions, Stored, TEST_INPUT_KEY, TEST_OUTPUT_KEY,
    Tensors,
};
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::TensorId;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The value of the `format` field.
const FORMAT: &str = "mlp";

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    tensors: BTreeMap<String, Tensor>,
}

#[derive(Serialize, Deserialize)]
struct Tensor {
    dtype: String,
    shape: Vec<usize>,
    data: Vec<f64>,
}

/// The network as a JSON document.
pub fn to_json<N: Network>(net: &N, options: &SaveOptions) -> Result<String, Error> {
    let mut metadata: BTreeMap<String, String> = options.metadata.iter().cloned().collect();
    metadata.insert(ARCHITECTURE_KEY.into(), N::ARCHITECTURE.into());
    if options.test_vector {
        let (input, output) = super::test_vector(net);
        metadata.insert(TEST_INPUT_KEY.into(), super::join(input.as_ref()));
        metadata.insert(TEST_OUTPUT_KEY.into(), super::join(output.as_ref()));
    }
    let tensors = (0..2 * N::layers())
        .map(|t| {
            let id = TensorId::from_index(t);
            let data = super::row_major(net, id)
                .iter()
                .map(|v| v.to_f64())
                .collect();
            let tensor = Tensor {
                dtype: N::Scalar::NAME.into(),
                shape: super::dims(id.shape(N::WIDTHS)),
                data,
            };
            (id.to_string(), tensor)
        })
        .collect();
    let file = File {
        format: FORMAT.into(),
        metadata,
        tensors,
    };
    serde_json::to_string_pretty(&file).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })
}

/// A network from a JSON document, with every check of [`super::from_bytes`].
pub fn from_json<N: Network>(json: &str, options: &LoadOptions) -> Result<N, Error> {
    let file: File = serde_json::from_str(json).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })?;
    if file.format != FORMAT {
        return Err(Error::CorruptFile {
            message: alloc::format!("format is {:?}, expected {FORMAT:?}", file.format),
        });
    }
    let tensors: Tensors = file
        .tensors
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
    let metadata: Metadata = file.metadata.into_iter().collect();
    super::build(&tensors, &metadata, options)
}
