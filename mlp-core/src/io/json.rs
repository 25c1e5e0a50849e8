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

use super::document::Document;
use super::{LoadOptions, Metadata, SaveOptions};
use crate::error::Error;
use crate::network::Network;
use alloc::string::{String, ToString};

/// The network as a JSON document.
///
/// # Errors
///
/// As [`super::to_bytes`].
pub fn to_json<N: Network>(net: &N, options: &SaveOptions) -> Result<String, Error> {
    let document = Document::of(net, options)?;
    serde_json::to_string_pretty(&document).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })
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
    let document: Document = serde_json::from_str(json).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })?;
    document.network(options)
}
