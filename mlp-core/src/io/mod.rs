//! Saving and loading networks as safetensors: bytes with feature `alloc`, files
//! with `std`.
//!
//! A file holds `layers.{i}.weight` with shape `(out, in)` (row-major, as PyTorch's
//! `nn.Linear` stores it) and `layers.{i}.bias` with shape `(out,)`, in the
//! network's dtype, plus metadata: the architecture and, unless turned off, a test
//! vector (an input and the output the saved network gave for it).
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
pub mod compiled;
#[cfg(feature = "json")]
pub mod json;
mod names;

pub use names::Names;

use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::{Shape, TensorId, row_major_index, storage_index};
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
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
    /// More metadata to store, e.g. a description or a version. Keys may not start
    /// with `mlp.`.
    pub metadata: Vec<(String, String)>,
    /// Save NaN and infinite parameters instead of refusing them; such a file
    /// loads only with [`LoadOptions::allow_non_finite`].
    pub allow_non_finite: bool,
}

impl Default for SaveOptions {
    fn default() -> Self {
        Self {
            test_vector: true,
            metadata: Vec::new(),
            allow_non_finite: false,
        }
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
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            names: Names::Mlp,
            transposed: false,
            allow_non_finite: false,
            check_test_vector: true,
            accept_other_loss: false,
        }
    }
}

impl LoadOptions {
    /// The keys `safetensors.torch.save_file(model.state_dict())` writes for an
    /// `nn.Sequential` of `Linear` and activation modules: `0.weight`, `0.bias`,
    /// `2.weight`, ... taken in the order of their indices.
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
}

fn dtype_of<T: Real>() -> Dtype {
    match T::DTYPE {
        crate::real::Dtype::F32 => Dtype::F32,
        crate::real::Dtype::F64 => Dtype::F64,
    }
}

fn dtype_name(d: Dtype) -> String {
    alloc::format!("{d:?}").to_lowercase()
}

/// The network as safetensors bytes.
///
/// # Errors
///
/// [`Error::ReservedMetadataKey`] for user metadata under `mlp.`, and
/// [`Error::NonFiniteInFile`] for a NaN or infinite parameter unless
/// [`SaveOptions::allow_non_finite`] is set.
pub fn to_bytes<N: Network>(net: &N, options: &SaveOptions) -> Result<Vec<u8>, Error> {
    serialize::<N::Scalar>(&tensors_of(net, ""), saved_metadata(net, options)?)
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
    if !options.allow_non_finite {
        for id in tensor_ids::<N>() {
            if let Some((index, v)) = row_major(net, id)
                .iter()
                .enumerate()
                .find(|(_, v)| !v.finite())
            {
                return Err(Error::NonFiniteInFile {
                    tensor: id.to_string(),
                    index,
                    value: v.to_f64(),
                });
            }
        }
    }
    let mut metadata: Metadata = options.metadata.iter().cloned().collect();
    metadata.insert(ARCHITECTURE_KEY.into(), N::ARCHITECTURE.into());
    if options.test_vector {
        let (input, output) = test_vector(net);
        metadata.insert(TEST_INPUT_KEY.into(), join(input.as_ref()));
        metadata.insert(TEST_OUTPUT_KEY.into(), join(output.as_ref()));
    }
    Ok(metadata)
}

/// A file's tensors by name.
#[doc(hidden)]
pub type Tensors = BTreeMap<String, Stored>;

/// A file's metadata: key and value strings.
#[doc(hidden)]
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

/// The checksum of a file's contents in its canonical form: metadata but the
/// checksum sorted by key, then `(name, dtype, shape, little-endian bytes)` of each
/// tensor sorted by name, every field length-prefixed so that no two contents
/// share a stream.
fn checksum<B: AsRef<[u8]>>(
    metadata: &Metadata,
    tensors: &mut [(&str, &str, &[usize], B)],
) -> String {
    let mut crc = crc32fast::Hasher::new();
    let mut field = |bytes: &[u8]| {
        crc.update(&(bytes.len() as u64).to_le_bytes());
        crc.update(bytes);
    };
    for (key, value) in metadata.iter().filter(|(k, _)| *k != CHECKSUM_KEY) {
        field(key.as_bytes());
        field(value.as_bytes());
    }
    tensors.sort_by(|a, b| a.0.cmp(b.0));
    for (name, dtype, shape, bytes) in tensors.iter() {
        field(name.as_bytes());
        field(dtype.as_bytes());
        let dims: Vec<u8> = shape
            .iter()
            .flat_map(|d| (*d as u64).to_le_bytes())
            .collect();
        field(&dims);
        field(bytes.as_ref());
    }
    alloc::format!("crc32:{:08x}", crc.finalize())
}

/// Refuses contents whose stored checksum differs from `computed`; files without a
/// checksum (PyTorch's) pass.
fn verify(metadata: &Metadata, computed: impl FnOnce() -> String) -> Result<(), Error> {
    let Some(stored) = metadata.get(CHECKSUM_KEY) else {
        return Ok(());
    };
    let computed = computed();
    if *stored != computed {
        return Err(Error::ChecksumMismatch {
            file: "bytes".into(),
            stored: stored.clone(),
            computed,
        });
    }
    Ok(())
}

/// A network from safetensors bytes, every check done first.
///
/// # Errors
///
/// [`Error::CorruptFile`] or [`Error::ChecksumMismatch`] for bytes that are not an intact
/// safetensors file, [`Error::ArchitectureMismatch`] for a file of another network,
/// [`Error::MissingTensor`], [`Error::UnexpectedTensor`], [`Error::WrongDtype`] or
/// [`Error::WrongShape`] naming the tensor, [`Error::NonFiniteInFile`] for a NaN or
/// infinite value, and [`Error::TestVectorMismatch`] when the loaded network does not
/// reproduce the stored output.
pub fn from_bytes<N: Network>(bytes: &[u8], options: &LoadOptions) -> Result<N, Error> {
    let (tensors, metadata) = read(bytes)?;
    build(&tensors, &metadata, options)
}

/// The tensors and metadata of a safetensors file, its checksum verified, before
/// any check against a network.
#[doc(hidden)]
pub fn read(bytes: &[u8]) -> Result<(Tensors, Metadata), Error> {
    let corrupt = |e: safetensors::SafeTensorError| Error::CorruptFile {
        message: e.to_string(),
    };
    let file = SafeTensors::deserialize(bytes).map_err(corrupt)?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(corrupt)?;
    let metadata: Metadata = header
        .metadata()
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let views = file.tensors();
    verify(&metadata, || {
        let dtypes: Vec<String> = views.iter().map(|(_, v)| dtype_name(v.dtype())).collect();
        let mut canonical: Vec<_> = views
            .iter()
            .zip(&dtypes)
            .map(|((name, v), d)| (name.as_str(), d.as_str(), v.shape(), v.data()))
            .collect();
        checksum(&metadata, &mut canonical)
    })?;
    let mut tensors = Tensors::new();
    for (name, view) in views {
        let values = match view.dtype() {
            Dtype::F32 => view
                .data()
                .chunks_exact(4)
                .map(|b| f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect(),
            Dtype::F64 => view
                .data()
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            _ => Vec::new(),
        };
        tensors.insert(
            name,
            Stored {
                dtype: dtype_name(view.dtype()),
                shape: view.shape().to_vec(),
                values,
            },
        );
    }
    Ok((tensors, metadata))
}

/// Every tensor of `net` as `(prefix + name, shape, little-endian bytes)`.
pub(crate) fn tensors_of<N: Network>(net: &N, prefix: &str) -> Vec<(String, Vec<usize>, Vec<u8>)> {
    tensor_ids::<N>()
        .map(|id| {
            let bytes = row_major(net, id)
                .iter()
                .flat_map(|v| le_bytes(*v))
                .collect();
            (
                alloc::format!("{prefix}{id}"),
                dims(id.shape(N::WIDTHS)),
                bytes,
            )
        })
        .collect()
}

/// Safetensors bytes of tensors in the scalar type `T`, with metadata and its
/// checksum.
pub(crate) fn serialize<T: Real>(
    tensors: &[(String, Vec<usize>, Vec<u8>)],
    mut metadata: Metadata,
) -> Result<Vec<u8>, Error> {
    let dtype = dtype_name(dtype_of::<T>());
    let mut canonical: Vec<_> = tensors
        .iter()
        .map(|(name, shape, bytes)| (name.as_str(), dtype.as_str(), shape.as_slice(), bytes))
        .collect();
    let sum = checksum(&metadata, &mut canonical);
    metadata.insert(CHECKSUM_KEY.into(), sum);
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(dtype_of::<T>(), shape.clone(), bytes).map(|v| (name.as_str(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::CorruptFile {
            message: e.to_string(),
        })?;
    let bytes = safetensors::serialize(views, None).map_err(|e| Error::CorruptFile {
        message: e.to_string(),
    })?;
    Ok(with_metadata(&bytes, &metadata))
}

/// `bytes` (safetensors without metadata) with `metadata` sorted by key as the
/// header's first entry: safetensors writes metadata from a hash map, in another
/// order every time, and a saved network must always give the same bytes.
fn with_metadata(bytes: &[u8], metadata: &Metadata) -> Vec<u8> {
    let (len, rest) = bytes.split_at(8);
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
    let (header, data) = rest.split_at(len);
    // `{"name":{...},...}` padded with spaces; `{}` without tensors.
    let entries = &header.trim_ascii_end()[1..];
    let mut out = b"{\"__metadata__\":".to_vec();
    out.extend(serde_json::to_vec(metadata).expect("string maps serialise"));
    if entries != b"}" {
        out.push(b',');
    }
    out.extend(entries);
    // Safetensors aligns the data to 8 bytes with spaces after the header.
    out.resize(out.len().next_multiple_of(8), b' ');
    let mut file = (out.len() as u64).to_le_bytes().to_vec();
    file.extend(out);
    file.extend(data);
    file
}

/// Checks the stored tensors against `N` and builds it: names, dtypes, shapes,
/// finite values, then the test vector.
pub(crate) fn build<N: Network>(
    tensors: &Tensors,
    metadata: &Metadata,
    options: &LoadOptions,
) -> Result<N, Error> {
    if let Some(file) = metadata.get(ARCHITECTURE_KEY) {
        architecture::check(file, N::ARCHITECTURE, !options.accept_other_loss)?;
    }
    let stored_vector = stored_test_vector(metadata)?;
    let names = options.names.map::<N>(
        tensors
            .iter()
            .map(|(name, t)| (name.as_str(), t.shape.as_slice())),
    )?;
    let mut net = N::zeros();
    for (id, name) in tensor_ids::<N>().zip(&names) {
        let stored = &tensors[name];
        let expected_dtype = N::Scalar::NAME;
        if stored.dtype != expected_dtype {
            return Err(Error::WrongDtype {
                tensor: name.clone(),
                expected: expected_dtype.into(),
                found: stored.dtype.clone(),
            });
        }
        let count = stored
            .shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d));
        if count != Some(stored.values.len()) {
            return Err(Error::ValueCount {
                tensor: name.clone(),
                shape: stored.shape.clone(),
                expected: count.unwrap_or(usize::MAX),
                found: stored.values.len(),
            });
        }
        let shape = id.shape(N::WIDTHS);
        let expected = match (shape, options.transposed) {
            (Shape::Matrix(r, c), true) => alloc::vec![c, r],
            _ => dims(shape),
        };
        if stored.shape != expected {
            return Err(Error::WrongShape {
                tensor: name.clone(),
                expected,
                found: stored.shape.clone(),
            });
        }
        let values: Vec<N::Scalar> = stored.values.iter().map(|&v| N::Scalar::of(v)).collect();
        if !options.allow_non_finite
            && let Some(index) = values.iter().position(|v| !v.finite())
        {
            let value = values[index].to_f64();
            return Err(Error::NonFiniteInFile {
                tensor: name.clone(),
                index,
                value,
            });
        }
        let tensor = tensor_mut(&mut net, id);
        for (k, v) in values.into_iter().enumerate() {
            // Element k of an (in, out) matrix is element `row_major_index(k)` of
            // its (out, in) transpose, as nalgebra stores it column by column.
            let k = match options.transposed {
                true => row_major_index(shape, k),
                false => k,
            };
            tensor[storage_index(shape, k)] = v;
        }
    }
    if let Some((input, expected)) = stored_vector.filter(|_| options.check_test_vector) {
        check_test_vector(&net, &input, &expected)?;
    }
    Ok(net)
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
    atomic::write(path.as_ref(), &bytes)
}

/// Writes `bytes` to `path` atomically.
#[cfg(feature = "std")]
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    atomic::write(path, bytes)
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
}

#[cfg(feature = "std")]
impl<N: Network> Save for N {}

/// The bytes of the file at `path`.
#[cfg(feature = "std")]
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e.into(),
    })
}

/// A load error of bytes read from `path`, naming the file where it names "bytes".
#[cfg(feature = "std")]
pub(crate) fn in_file(e: Error, path: &Path) -> Error {
    match e {
        Error::ChecksumMismatch {
            stored, computed, ..
        } => Error::ChecksumMismatch {
            file: path.display().to_string(),
            stored,
            computed,
        },
        e => e,
    }
}

/// The input the test vector uses: a fixed pattern in [-1, 1], the same for every
/// network of the same input width.
fn test_vector<N: Network>(net: &N) -> (N::Input, N::Output) {
    let values: Vec<N::Scalar> = (0..N::INPUTS)
        .map(|i| N::Scalar::of(((i * 7 + 3) % 13) as f64 / 6.0 - 1.0))
        .collect();
    let x = input_from::<N>(&values).expect("the pattern has the input width");
    (x, net.predict(&x))
}

/// `N::Input` (`[T; INPUTS]`) from a slice, if it has the right length.
fn input_from<N: Network>(values: &[N::Scalar]) -> Option<N::Input> {
    N::Input::try_from(values).ok()
}

/// A test vector: an input and the output the saved network gave for it.
type TestVector = (Vec<f64>, Vec<f64>);

/// The stored test vector `(input, output)`, if the file has one; half of one is
/// refused.
fn stored_test_vector(metadata: &Metadata) -> Result<Option<TestVector>, Error> {
    let parse = |s: &str| -> Result<Vec<f64>, Error> {
        s.split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::CorruptFile {
                message: alloc::format!("test vector: {e}"),
            })
    };
    match (metadata.get(TEST_INPUT_KEY), metadata.get(TEST_OUTPUT_KEY)) {
        (Some(input), Some(output)) => Ok(Some((parse(input)?, parse(output)?))),
        (None, None) => Ok(None),
        (has, _) => {
            let (found, missing) = if has.is_some() {
                (TEST_INPUT_KEY, TEST_OUTPUT_KEY)
            } else {
                (TEST_OUTPUT_KEY, TEST_INPUT_KEY)
            };
            Err(Error::CorruptFile {
                message: alloc::format!(
                    "the file has {found} but no {missing}; a test vector needs both"
                ),
            })
        }
    }
}

fn check_test_vector<N: Network>(net: &N, input: &[f64], expected: &[f64]) -> Result<(), Error> {
    let x: Vec<N::Scalar> = input.iter().map(|&v| N::Scalar::of(v)).collect();
    let Some(x) = input_from::<N>(&x).filter(|_| expected.len() == N::OUTPUTS) else {
        return Err(test_vector_size(input, expected, N::INPUTS, N::OUTPUTS));
    };
    let found = net.predict(&x);
    let found: Vec<f64> = found.as_ref().iter().map(|v| v.to_f64()).collect();
    compare_outputs(
        expected,
        &found,
        N::Scalar::DTYPE == crate::real::Dtype::F64,
    )
}

fn test_vector_size(input: &[f64], expected: &[f64], inputs: usize, outputs: usize) -> Error {
    Error::CorruptFile {
        message: alloc::format!(
            "test vector of {} inputs and {} outputs for a network of {inputs} and {outputs}",
            input.len(),
            expected.len(),
        ),
    }
}

/// Refuses outputs that differ from the stored ones by more than the scalar's
/// tolerance.
fn compare_outputs(expected: &[f64], found: &[f64], f64_network: bool) -> Result<(), Error> {
    let tolerance = if f64_network { 1e-12 } else { 1e-5 };
    for (k, (&want, &got)) in expected.iter().zip(found).enumerate() {
        // NaN agrees only with NaN (a network saved with `allow_non_finite`).
        let close = (got - want).abs() <= tolerance * (1.0 + want.abs())
            || got == want
            || (got.is_nan() && want.is_nan());
        if !close {
            return Err(Error::TestVectorMismatch {
                output: k,
                expected: want,
                found: got,
            });
        }
    }
    Ok(())
}

/// What `network!` needs to check a `weights = "..."` file while compiling, with
/// the same code as a load at run time.
#[doc(hidden)]
pub mod compile {
    use super::{Error, Metadata, architecture::Architecture};
    use alloc::vec::Vec;

    /// Refuses a file's architecture that differs from the network's.
    pub fn check_architecture(file: &str, network: &str) -> Result<(), Error> {
        super::architecture::check(file, network, true)
    }

    /// Runs the file's test vector, if it has one, through row-major `(weight,
    /// bias)` tensors in f64 with the activations of `network` (an architecture
    /// string), and refuses an output off by more than a load's tolerance.
    pub fn check_test_vector(
        metadata: &Metadata,
        network: &str,
        tensors: &[Vec<f64>],
        f64_network: bool,
    ) -> Result<(), Error> {
        let Some((input, expected)) = super::stored_test_vector(metadata)? else {
            return Ok(());
        };
        let net = Architecture::parse(network).map_err(|message| Error::CorruptFile { message })?;
        let (inputs, outputs) = net.widths();
        if input.len() != inputs || expected.len() != outputs {
            return Err(super::test_vector_size(&input, &expected, inputs, outputs));
        }
        let found = net
            .evaluate(tensors, &input)
            .ok_or_else(|| Error::CorruptFile {
                message: alloc::format!("the tensors do not fit `{network}`"),
            })?;
        super::compare_outputs(&expected, &found, f64_network)
    }
}

fn join<T: Real>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| alloc::format!("{:e}", v.to_f64()))
        .collect::<Vec<_>>()
        .join(",")
}

fn dims(shape: Shape) -> Vec<usize> {
    match shape {
        Shape::Matrix(r, c) => alloc::vec![r, c],
        Shape::Vector(n) => alloc::vec![n],
    }
}

/// Row-major values of a tensor.
fn row_major<N: Network>(net: &N, id: TensorId) -> Vec<N::Scalar> {
    let shape = id.shape(N::WIDTHS);
    let data = tensor(net, id);
    (0..shape.len())
        .map(|k| data[storage_index(shape, k)])
        .collect()
}

fn le_bytes<T: Real>(v: T) -> Vec<u8> {
    match T::DTYPE {
        crate::real::Dtype::F64 => v.to_f64().to_le_bytes().to_vec(),
        crate::real::Dtype::F32 => (v.to_f64() as f32).to_le_bytes().to_vec(),
    }
}
