//! Networks through serde (feature `serde`): every network `network!` generates
//! implements `Serialize` and `Deserialize` with these two functions, so it can sit
//! in a program's own saved structures (a game save, a configuration) in any serde
//! format.
//!
//! A network is written as the document `io::json` writes (format, metadata
//! with the architecture, test vector and checksum, then each tensor's dtype,
//! shape and row-major values under its file name), so reading one back runs every
//! check a model file's load runs, and a failed check is the format's error with
//! the message of [`Error`](crate::Error): a wrong shape names the tensor, another
//! network's document says which layer differs. Parameters are stored as `f64`,
//! which holds every `f32` exactly: f32 and f64 networks come back bit for bit.
//!
//! A hand-written [`Network`] gets the same with
//! `#[serde(with = "mlp::core::io::serde_network")]` on the field that holds it.

use super::document::Document;
use super::{LoadOptions, SaveOptions};
use crate::network::Network;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser};

/// Writes `net` as a model document. Fails (as [`super::to_bytes`] does) for a
/// network with a NaN or infinite parameter, naming it.
///
/// # Errors
///
/// The serializer's error, with the message of the [`Error`](crate::Error) that
/// refused the network, or the serializer's own.
pub fn serialize<N: Network, S: Serializer>(net: &N, serializer: S) -> Result<S::Ok, S::Error> {
    Document::of(net, &SaveOptions::default())
        .map_err(ser::Error::custom)?
        .serialize(serializer)
}

/// Reads a network written by [`serialize`], every check of
/// [`super::from_bytes`] done first.
///
/// # Errors
///
/// The deserializer's error: its own for input that is not such a document, the
/// message of the [`Error`](crate::Error) a load gives otherwise.
pub fn deserialize<'de, N: Network, D: Deserializer<'de>>(deserializer: D) -> Result<N, D::Error> {
    let document = Document::deserialize(deserializer)?;
    let (net, _) = document
        .network(&LoadOptions::default())
        .map_err(de::Error::custom)?;
    Ok(net)
}
