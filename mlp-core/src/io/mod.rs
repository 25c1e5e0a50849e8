//! Saving and loading networks as safetensors: bytes with feature `alloc`, files
//! with `std`.
//!
//! A file holds `layers.{i}.weight` with shape `(out, in)` (row-major, as PyTorch's
//! `nn.Linear` stores it) and `layers.{i}.bias` with shape `(out,)`, in the
//! network's dtype, plus metadata: the architecture, unless turned off a test
//! vector (an input and the output the saved network gave for it), and any
//! [`Metadata`] of the caller's, which [`load_with_metadata`] gives back.
//! [`SaveOptions::pytorch`] writes the tensors under the names PyTorch's
//! `nn.Sequential` gives them instead, and [`LoadOptions::pytorch`] reads them.
//!
//! Every file carries a CRC-32 checksum of its contents (`mlp.checksum`), computed
//! over a canonical form: the metadata sorted by key, then each tensor's name,
//! dtype, shape and little-endian bytes, sorted by name. So the layout of the header
//! does not matter, and the same checksum covers JSON documents and checkpoints.
//!
//! Loading checks everything before it builds anything: the checksum (files of
//! other tools have none and load without it), the architecture the file was saved
//! from (widths, activations with their parameters, the loss; see
//! [`LoadOptions::accept_other_loss`]), the file's structure, that every tensor is
//! there and no other, dtypes, shapes, finite values, and the test vector. Errors
//! name the tensor and what was expected and found. Saving refuses what loading
//! would refuse, writes the same bytes for the same network, and writes a
//! temporary file in the same directory and renames it over the target, so a crash
//! never leaves a torn file.

pub(crate) mod architecture;
#[cfg(feature = "std")]
mod atomic;
mod build;
pub mod compiled;
#[cfg(any(feature = "json", feature = "serde"))]
mod document;
#[cfg(feature = "std")]
mod files;
#[cfg(feature = "json")]
pub mod json;
mod names;
#[cfg(feature = "onnx")]
pub mod onnx;
mod safetensors;
#[cfg(feature = "serde")]
pub mod serde_network;
mod test_vector;
mod variant;

#[doc(hidden)]
pub use self::safetensors::read;
pub use names::Names;
#[doc(hidden)]
pub use variant::VariantFile;

pub(crate) use self::safetensors::serialize;
use build::row_major;
pub(crate) use build::{build, tensors_of};
#[cfg(feature = "std")]
pub(crate) use files::{in_file, read_file, write_atomic};

use crate::compiled::tensor_ids;
use crate::error::Error;
use crate::network::Network;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
#[cfg(feature = "std")]
use std::path::Path;

/// Metadata key of the architecture string.
pub const ARCHITECTURE_KEY: &str = "mlp.architecture";
/// Metadata key of the test vector's input (comma-separated numbers).
pub const TEST_INPUT_KEY: &str = "mlp.test_input";
/// Metadata key of the test vector's output (comma-separated numbers).
pub const TEST_OUTPUT_KEY: &str = "mlp.test_output";
/// Metadata key of the checksum, `crc32:` and eight hex digits.
pub const CHECKSUM_KEY: &str = "mlp.checksum";
/// Metadata keys starting with this are the library's own.
pub const RESERVED_PREFIX: &str = "mlp.";

/// How to save.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveOptions {
    /// Store a test vector in the metadata (default yes).
    pub test_vector: bool,
    /// More metadata to store, e.g. a description, a version or a scaler's
    /// parameters; [`load_with_metadata`] gives it back. Keys may not start with
    /// `mlp.` and may not repeat.
    pub metadata: Vec<(String, String)>,
    /// Save NaN and infinite parameters instead of refusing them; such a file
    /// loads only with [`LoadOptions::allow_non_finite`].
    pub allow_non_finite: bool,
    /// How to name the tensors (default this library's `layers.{i}.weight`).
    pub names: Names,
}

impl Default for SaveOptions {
    fn default() -> Self {
        Self {
            test_vector: true,
            metadata: Vec::new(),
            allow_non_finite: false,
            names: Names::Mlp,
        }
    }
}

impl SaveOptions {
    /// The tensor names of a PyTorch `nn.Sequential` state dict, so that
    /// `model.load_state_dict(safetensors.torch.load_file(path))` loads the file into
    /// the `nn.Sequential` that computes what the network does:
    ///
    /// - each layer is an `nn.Linear(in, out)`, followed by its activation module
    ///   and, for a layer with `dropout(p)`, an `nn.Dropout(p)`;
    /// - the activations are `nn.Sigmoid()`, `nn.Tanh()`, `nn.ReLU()`,
    ///   `nn.LeakyReLU(slope)`, `nn.ELU(alpha)`, `nn.Softplus()`,
    ///   `nn.GELU(approximate="tanh")` and `nn.Softmax(dim=-1)`; `linear` has no
    ///   module;
    /// - the weights are named by the `nn.Linear`'s index in the Sequential:
    ///   `4 => 8 relu dropout(0.2) => 1 sigmoid` is `Linear, ReLU, Dropout,
    ///   Linear, Sigmoid`, so the file holds `0.weight`, `0.bias`, `3.weight` and
    ///   `3.bias`.
    ///
    /// ```python
    /// import torch.nn as nn
    /// from safetensors.torch import load_file
    ///
    /// # network! { struct Net { 4 => 8 relu dropout(0.2) => 1 sigmoid; loss = bce; } }
    /// model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2),
    ///                       nn.Linear(8, 1), nn.Sigmoid())
    /// model.load_state_dict(load_file("net.safetensors"))
    /// model.eval()  # dropout off, as in the network's predictions
    /// ```
    ///
    /// The weights keep the network's dtype (`load_state_dict` converts an f64
    /// file into a float32 model) and the file keeps its metadata, which PyTorch
    /// ignores. [`LoadOptions::pytorch`] loads it back; so does
    /// `scripts/check_sequential.py`, a numpy forward pass that checks the test
    /// vector.
    pub fn pytorch() -> Self {
        Self {
            names: Names::Sequential,
            ..Self::default()
        }
    }

    /// Adds metadata entries, e.g. `[("version", "3")]` or a scaler's
    /// `to_metadata()`.
    pub fn with_metadata<K: Into<String>, V: Into<String>>(
        mut self,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.metadata
            .extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }
}

/// How to load.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadOptions {
    /// How the file names its tensors.
    pub names: Names,
    /// Weights are stored `(in, out)` (scikit-learn's `coefs_`, Keras kernels) and
    /// must be transposed. Never guessed from the shapes.
    pub transposed: bool,
    /// Accept NaN and infinite parameters instead of refusing them.
    pub allow_non_finite: bool,
    /// Re-run a stored test vector and refuse a network whose output differs
    /// (default yes; files without one load either way).
    pub check_test_vector: bool,
    /// Load a file saved from a network with another loss, e.g. to fine-tune its
    /// weights with this network's loss. Widths and activations are compared
    /// either way.
    pub accept_other_loss: bool,
    /// Convert f64 tensors into an f32 network (to the nearest f32, refusing
    /// values beyond f32's range) and f32 tensors into an f64 network (exactly).
    /// Without it a tensor of another dtype than the network's is refused.
    pub convert_dtype: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            names: Names::Mlp,
            transposed: false,
            allow_non_finite: false,
            check_test_vector: true,
            accept_other_loss: false,
            convert_dtype: false,
        }
    }
}

impl LoadOptions {
    /// The keys `safetensors.torch.save_file(model.state_dict())` writes for an
    /// `nn.Sequential` of `Linear` and activation modules: `0.weight`, `0.bias`,
    /// `2.weight`, ... taken in the order of their indices, under one common prefix
    /// if the Sequential sits inside another module (`model.net.0.weight`). Files
    /// saved with [`SaveOptions::pytorch`] have these names; files with this
    /// library's names load with it too (`layers.` is then the prefix).
    pub fn pytorch() -> Self {
        Self {
            names: Names::Sequential,
            ..Self::default()
        }
    }

    /// Weights stored `(in, out)`.
    pub fn transposed(mut self) -> Self {
        self.transposed = true;
        self
    }

    /// Accept a file saved with another loss (see [`LoadOptions::accept_other_loss`]).
    pub fn accept_other_loss(mut self) -> Self {
        self.accept_other_loss = true;
        self
    }

    /// Convert tensors of the other float dtype (see [`LoadOptions::convert_dtype`]):
    /// an f64 PyTorch file into an f32 network, say. A value is rounded to the
    /// nearest f32, as `as f32` does (values below f32's smallest subnormal
    /// become zero), and one beyond f32's range is refused with
    /// [`Error::DtypeOverflow`] naming the tensor and index. The test vector is
    /// checked with the network's own tolerance.
    pub fn convert_dtype(mut self) -> Self {
        self.convert_dtype = true;
        self
    }
}

/// A file's tensors by name.
#[doc(hidden)]
pub type Tensors = BTreeMap<String, Stored>;

/// A file's metadata: key and value strings, sorted by key.
///
/// [`load_with_metadata`] and [`from_bytes_with_metadata`] give the entries a save
/// was given in [`SaveOptions::metadata`] (every key not under `mlp.`; for a file
/// of another tool, its own, such as PyTorch's `format`).
pub type Metadata = BTreeMap<String, String>;

/// A tensor as a file holds it, before any check.
#[doc(hidden)]
pub struct Stored {
    /// `"f32"`, `"f64"`, or whatever else the file says.
    pub dtype: String,
    /// The shape the file gives.
    pub shape: Vec<usize>,
    /// The values in row-major order (empty for dtypes a network never has).
    pub values: Vec<f64>,
}

/// The network as safetensors bytes.
///
/// # Errors
///
/// [`Error::ReservedMetadataKey`] for user metadata under `mlp.`,
/// [`Error::DuplicateMetadataKey`] for a key given twice,
/// [`Error::NonFiniteInFile`] for a NaN or infinite parameter unless
/// [`SaveOptions::allow_non_finite`] is set, and [`Error::UnreadableArchitecture`]
/// for [`SaveOptions::pytorch`] and a hand-written network whose architecture
/// string this library cannot read.
pub fn to_bytes<N: Network>(net: &N, options: &SaveOptions) -> Result<Vec<u8>, Error> {
    let metadata = saved_metadata(net, options)?;
    let mut tensors = tensors_of(net, "");
    for ((name, _, _), saved) in tensors.iter_mut().zip(saved_names::<N>(options)?) {
        *name = saved;
    }
    serialize::<N::Scalar>(&tensors, metadata)
}

/// The name a save gives each tensor of `N`, in order.
fn saved_names<N: Network>(options: &SaveOptions) -> Result<Vec<String>, Error> {
    options.names.saved(N::ARCHITECTURE, N::LAYERS)
}

/// The metadata a save writes (all but the checksum), after refusing what a load
/// would refuse: reserved keys and, unless allowed, non-finite parameters.
fn saved_metadata<N: Network>(net: &N, options: &SaveOptions) -> Result<Metadata, Error> {
    if let Some((key, _)) = options
        .metadata
        .iter()
        .find(|(k, _)| k.starts_with(RESERVED_PREFIX))
    {
        return Err(Error::ReservedMetadataKey { key: key.clone() });
    }
    let mut metadata = Metadata::new();
    for (key, value) in &options.metadata {
        if metadata.insert(key.clone(), value.clone()).is_some() {
            return Err(Error::DuplicateMetadataKey { key: key.clone() });
        }
    }
    if !options.allow_non_finite {
        for id in tensor_ids::<N>() {
            build::refuse_non_finite(&id.to_string(), row_major(net, id))?;
        }
    }
    metadata.insert(ARCHITECTURE_KEY.into(), N::ARCHITECTURE.into());
    if options.test_vector {
        test_vector::store(net, &mut metadata);
    }
    Ok(metadata)
}

/// A network from safetensors bytes, every check done first.
///
/// # Errors
///
/// [`Error::CorruptFile`] or [`Error::ChecksumMismatch`] for bytes that are not an intact
/// safetensors file, [`Error::ArchitectureMismatch`] for a file of another network,
/// [`Error::MissingTensor`] (or [`Error::PytorchNames`] when the file has PyTorch's
/// names and `options` this library's), [`Error::UnexpectedTensor`],
/// [`Error::WrongDtype`] or [`Error::WrongShape`] naming the tensor,
/// [`Error::DtypeOverflow`] for a value beyond the network's dtype with
/// [`LoadOptions::convert_dtype`], [`Error::NonFiniteInFile`] for a NaN or infinite
/// value, and [`Error::TestVectorMismatch`] when the loaded network does not
/// reproduce the stored output.
pub fn from_bytes<N: Network>(bytes: &[u8], options: &LoadOptions) -> Result<N, Error> {
    let (tensors, metadata) = read(bytes)?;
    build(&tensors, &metadata, options)
}

/// A network from safetensors bytes, as [`from_bytes`], with the file's user
/// metadata (every key not under `mlp.`; see [`Metadata`]), which the checksum
/// covers with the rest.
///
/// # Errors
///
/// As [`from_bytes`].
pub fn from_bytes_with_metadata<N: Network>(
    bytes: &[u8],
    options: &LoadOptions,
) -> Result<(N, Metadata), Error> {
    let (tensors, metadata) = read(bytes)?;
    let net = build(&tensors, &metadata, options)?;
    Ok((net, user_metadata(metadata)))
}

/// The entries of a file's metadata that are not the library's own.
fn user_metadata(mut metadata: Metadata) -> Metadata {
    metadata.retain(|key, _| !key.starts_with(RESERVED_PREFIX));
    metadata
}

/// Saves `net` to `path` atomically: a temporary file in the same directory, synced,
/// then renamed over `path`.
///
/// # Errors
///
/// As [`to_bytes`], and [`Error::Io`], [`Error::IsDirectory`] or [`Error::DanglingLink`]
/// when the file cannot be written; `path` is then unchanged.
#[cfg(feature = "std")]
pub fn save<N: Network>(
    net: &N,
    path: impl AsRef<Path>,
    options: &SaveOptions,
) -> Result<(), Error> {
    let bytes = to_bytes(net, options)?;
    write_atomic(path.as_ref(), &bytes)
}

/// Loads a network from `path`, every check done first.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read, and every error of [`from_bytes`], naming
/// the file.
#[cfg(feature = "std")]
pub fn load<N: Network>(path: impl AsRef<Path>, options: &LoadOptions) -> Result<N, Error> {
    let path = path.as_ref();
    from_bytes(&read_file(path)?, options).map_err(|e| in_file(e, path))
}

/// Loads a network from `path` with the file's user metadata, as
/// [`from_bytes_with_metadata`]: a deployed program reads the network and, say,
/// the scaler saved with it from one file.
///
/// ```no_run
/// # use mlp_core::io::{self, LoadOptions, SaveOptions};
/// # use mlp_core::Network;
/// # fn demo<N: Network>(net: &N) -> Result<(), mlp_core::Error> {
/// let options = SaveOptions::default().with_metadata([("trained_on", "2026-12-01")]);
/// io::save(net, "model.safetensors", &options)?;
///
/// let (net, metadata) = io::load_with_metadata::<N>("model.safetensors", &LoadOptions::default())?;
/// assert_eq!(metadata["trained_on"], "2026-12-01");
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// As [`load`].
#[cfg(feature = "std")]
pub fn load_with_metadata<N: Network>(
    path: impl AsRef<Path>,
    options: &LoadOptions,
) -> Result<(N, Metadata), Error> {
    let path = path.as_ref();
    from_bytes_with_metadata(&read_file(path)?, options).map_err(|e| in_file(e, path))
}

/// Model files, for every network: `use mlp::prelude::*` brings it. The functions
/// of this module take options (PyTorch's names, metadata, JSON); these are the
/// defaults.
#[cfg(feature = "std")]
pub trait Save: Network {
    /// Saves the network as safetensors at `path`, atomically, with a test vector.
    ///
    /// # Errors
    ///
    /// As [`save`].
    fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        save(self, path, &SaveOptions::default())
    }

    /// Loads a network saved by [`Save::save`], checking names, dtypes, shapes,
    /// finite values, the checksum and the test vector first (see [`load`] for other
    /// layouts such as PyTorch's).
    ///
    /// # Errors
    ///
    /// As [`load`].
    fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        load(path, &LoadOptions::default())
    }

    /// Saves as [`Save::save`] with metadata entries of the caller's, e.g. a
    /// scaler's `to_metadata()`; [`Save::load_with_metadata`] reads them back.
    ///
    /// # Errors
    ///
    /// As [`save`].
    fn save_with_metadata<K: Into<String>, V: Into<String>>(
        &self,
        path: impl AsRef<Path>,
        metadata: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(), Error> {
        save(self, path, &SaveOptions::default().with_metadata(metadata))
    }

    /// Loads as [`Save::load`], with the file's user metadata.
    ///
    /// # Errors
    ///
    /// As [`load`].
    fn load_with_metadata(path: impl AsRef<Path>) -> Result<(Self, Metadata), Error> {
        load_with_metadata(path, &LoadOptions::default())
    }
}

#[cfg(feature = "std")]
impl<N: Network> Save for N {}
