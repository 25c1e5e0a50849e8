//! ONNX models (feature `onnx`): a network loaded from the chain of dense layers
//! that PyTorch's `torch.onnx.export` or scikit-learn's `skl2onnx` write for a
//! multilayer perceptron (or any model of the same nodes), and saved as one.
//!
//! A model loads when its graph is a chain from its one input to an output:
//! each layer a `Gemm` (with any `alpha`, `beta` and `transB`; not `transA`) or a
//! `MatMul` and an `Add` of its bias, then at most one activation: `Sigmoid`,
//! `Tanh`, `Relu`, `LeakyRelu(alpha)`, `Elu(alpha)`, `Softplus`,
//! `Gelu(approximate="tanh")` or `Softmax` over the last axis. `Identity` nodes
//! are passed over, as is a `Cast` of the input to float or double (scikit-learn
//! writes one), and nodes off the chain that read only its last value (the
//! label scikit-learn computes from the probabilities) are no part of it. The
//! chain must be the network's declaration layer by layer, widths, activations and
//! their parameters (compared in f32, as ONNX stores them); the loss is not in an
//! ONNX model. Everything else is refused by name: the first node that is no part
//! of such a chain, its index and operator ([`Error::UnsupportedNode`]), and the
//! initializer of a wrong shape, dtype or value. Weights are float or double
//! initializers (`raw_data` or `float_data`/`double_data`, or `Constant` nodes);
//! a model whose weights are in external files is refused
//! ([`Error::ExternalData`]), and bytes that are no ONNX model are a
//! [`Error::CorruptFile`].
//!
//! A save writes each layer as a `Gemm` (`transB = 1`, so its weight is stored
//! `(out, in)` as the network holds it) and the activation's node, with float
//! initializers for an `f32` network and double ones for an `f64` network, an input
//! `input` of shape `[batch, in]` and an output `output`, at opset 13 (20 when a
//! layer has `gelu`, whose ONNX operator came with opset 20).
//!
//! ```
//! # #[cfg(feature = "std")] {
//! # use mlp_core::io::onnx;
//! # use mlp_core::io::LoadOptions;
//! # fn demo<N: mlp_core::Network>(net: &N) -> Result<(), mlp_core::Error> {
//! let bytes = onnx::to_bytes(net)?;
//! let back: N = onnx::from_bytes(&bytes, &LoadOptions::default())?;
//! # Ok(()) }
//! # }
//! ```

mod chain;
mod proto;
mod write;

use super::architecture::{self, Architecture};
use super::build::{self, check};
use super::{LoadOptions, Metadata, Names, Tensors};
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use prost::Message;
#[cfg(feature = "std")]
use std::path::Path;

/// A network from the bytes of an ONNX model, every check done first. Of
/// `options`, [`LoadOptions::allow_non_finite`] and [`LoadOptions::convert_dtype`]
/// apply (PyTorch exports float32: load it into an `f64` network with
/// `convert_dtype`); an ONNX model has no names to choose, no test vector and no
/// loss.
///
/// # Errors
///
/// [`Error::CorruptFile`] for bytes that are no ONNX model (truncated, say),
/// [`Error::OnnxGraph`] for a graph that is no chain (no graph, several inputs,
/// a weight that is not an initializer), [`Error::UnsupportedNode`] naming the
/// first node that is no dense layer or activation of these networks,
/// [`Error::ExternalData`] for weights stored outside the model,
/// [`Error::ArchitectureMismatch`] for a chain of other widths or activations than
/// the network's, and [`Error::WrongDtype`], [`Error::WrongShape`],
/// [`Error::ValueCount`], [`Error::DtypeOverflow`] or [`Error::NonFiniteInFile`]
/// naming the initializer.
pub fn from_bytes<N: Network>(bytes: &[u8], options: &LoadOptions) -> Result<N, Error> {
    let (tensors, names) = tensors(bytes, N::Scalar::NAME, N::ARCHITECTURE)?;
    build::build::<N>(&tensors, &Metadata::new(), &load_options(options))
        .map_err(|e| onnx_names(e, &names))
}

/// The ONNX model of `net` (see the module's documentation for its form).
///
/// # Errors
///
/// [`Error::NonFiniteInFile`] for a NaN or infinite parameter, and
/// [`Error::OnnxGraph`] for a hand-written network whose architecture string this
/// library cannot read.
pub fn to_bytes<N: Network>(net: &N) -> Result<Vec<u8>, Error> {
    Ok(write::model(net)?.encode_to_vec())
}

/// Loads a network from the ONNX model at `path`, as [`from_bytes`].
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read, and every error of [`from_bytes`].
#[cfg(feature = "std")]
pub fn load<N: Network>(path: impl AsRef<Path>, options: &LoadOptions) -> Result<N, Error> {
    from_bytes(&super::read_file(path.as_ref())?, options)
}

/// Saves `net` as an ONNX model at `path`, atomically (a temporary file in the same
/// directory, synced, then renamed over `path`).
///
/// # Errors
///
/// As [`to_bytes`], and [`Error::Io`], [`Error::IsDirectory`] or
/// [`Error::DanglingLink`] when the file cannot be written; `path` is then
/// unchanged.
#[cfg(feature = "std")]
pub fn save<N: Network>(net: &N, path: impl AsRef<Path>) -> Result<(), Error> {
    super::write_atomic(path.as_ref(), &to_bytes(net)?)
}

/// ONNX model files, for every network: `use mlp::prelude::*` brings it with the
/// `onnx` feature.
#[cfg(feature = "std")]
pub trait Onnx: Network {
    /// Saves the network as an ONNX model at `path`, atomically.
    ///
    /// # Errors
    ///
    /// As [`save`].
    fn save_onnx(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        save(self, path)
    }

    /// Loads a network from the ONNX model at `path`: a chain of dense layers
    /// with this network's widths and activations, in its dtype (see [`load`] to
    /// convert a float32 model into an `f64` network).
    ///
    /// # Errors
    ///
    /// As [`load`].
    fn load_onnx(path: impl AsRef<Path>) -> Result<Self, Error> {
        load(path, &LoadOptions::default())
    }
}

#[cfg(feature = "std")]
impl<N: Network> Onnx for N {}

/// The row-major values of every tensor of the ONNX model `bytes` (weight 0, bias
/// 0, weight 1, ...) for a network in `T` whose widths are `widths` and whose
/// architecture string is `architecture`, after the checks of [`from_bytes`] with
/// the default options: what `weights = "model.onnx"` compiles in.
pub(crate) fn compiled<T: Real>(
    bytes: &[u8],
    widths: &[usize],
    architecture: &str,
) -> Result<Vec<Vec<f64>>, Error> {
    let (mut tensors, names) = tensors(bytes, T::NAME, architecture)?;
    let options = load_options(&LoadOptions::default());
    let checked = check::<T>(&tensors, &Metadata::new(), widths, architecture, &options)
        .map_err(|e| onnx_names(e, &names))?;
    Ok(checked
        .names
        .iter()
        .map(|name| tensors.remove(name).map(|t| t.values).unwrap_or_default())
        .collect())
}

/// The options of the checks of a load, from a caller's: tensors under this
/// library's names, as [`tensors`] gives them, and no test vector or loss to check.
fn load_options(options: &LoadOptions) -> LoadOptions {
    LoadOptions {
        names: Names::Mlp,
        transposed: false,
        check_test_vector: false,
        accept_other_loss: true,
        ..options.clone()
    }
}

/// The chain of dense layers of the ONNX model `bytes`, checked against the
/// network's architecture string, as tensors under this library's names
/// (`layers.0.weight`, `(out, in)`), and the initializer each name stands for.
fn tensors(
    bytes: &[u8],
    dtype: &str,
    network: &str,
) -> Result<(Tensors, BTreeMap<String, String>), Error> {
    let model = proto::ModelProto::decode(bytes).map_err(|e| Error::CorruptFile {
        message: format!("not an ONNX model ({e})"),
    })?;
    let graph = model.graph.as_ref().ok_or_else(|| Error::OnnxGraph {
        message: "is missing: the model has no graph".into(),
    })?;
    let chain = chain::read(graph, dtype)?;
    architecture::check_layers(&layers_of(&chain, network), network)?;
    let mut tensors = Tensors::new();
    let mut names = BTreeMap::new();
    for (i, layer) in chain.layers.into_iter().enumerate() {
        for (kind, tensor) in [("weight", layer.weight), ("bias", layer.bias)] {
            let ours = format!("layers.{i}.{kind}");
            names.insert(ours.clone(), tensor.name);
            tensors.insert(ours, tensor.stored);
        }
    }
    Ok((tensors, names))
}

/// The chain as the layers of an architecture string, `4 => 8 relu => 3 softmax`.
/// A parameter the network's layer has too, once rounded to f32, is written as the
/// network writes it, since ONNX stores parameters in f32.
fn layers_of(chain: &chain::Chain, network: &str) -> String {
    let network = Architecture::parse(network).ok();
    let mut s = chain.input.to_string();
    for (i, layer) in chain.layers.iter().enumerate() {
        let width = layer.weight.stored.shape[0];
        let activation = match layer.activation {
            None => "linear".to_string(),
            Some((name, None)) => name.to_string(),
            Some((name, Some(param))) => {
                let theirs = network.as_ref().and_then(|n| n.activation(i));
                match theirs {
                    Some((n, Some(p))) if n == name && p as f32 == param => format!("{name}({p})"),
                    _ => format!("{name}({param})"),
                }
            }
        };
        s += &format!(" => {width} {activation}");
    }
    s
}

/// Error `e` of a check of [`tensors`]' output, naming the model's initializer
/// where it names this library's tensor.
fn onnx_names(e: Error, names: &BTreeMap<String, String>) -> Error {
    let rename = |tensor: String| names.get(&tensor).cloned().unwrap_or(tensor);
    match e {
        Error::WrongDtype {
            tensor,
            expected,
            found,
        } => Error::WrongDtype {
            tensor: rename(tensor),
            expected,
            found,
        },
        Error::WrongShape {
            tensor,
            expected,
            found,
        } => Error::WrongShape {
            tensor: rename(tensor),
            expected,
            found,
        },
        Error::NonFiniteInFile {
            tensor,
            index,
            value,
        } => Error::NonFiniteInFile {
            tensor: rename(tensor),
            index,
            value,
        },
        Error::DtypeOverflow {
            tensor,
            index,
            value,
            dtype,
        } => Error::DtypeOverflow {
            tensor: rename(tensor),
            index,
            value,
            dtype,
        },
        e => e,
    }
}

#[cfg(test)]
mod tests;
