//! Saving and loading networks as safetensors: bytes with feature `alloc`, files
//! with `std`.
//!
//! A file holds `layers.{i}.weight` with shape `(out, in)` (row-major, as PyTorch's
//! `nn.Linear` stores it) and `layers.{i}.bias` with shape `(out,)`, in the
//! network's dtype, plus metadata: the architecture and, unless turned off, a test
//! vector (an input and the output the saved network gave for it).
//!
//! Loading checks everything before it builds anything: the file's structure, that
//! every tensor is there and no other, dtypes, shapes, finite values, and the test
//! vector. Errors name the tensor and what was expected and found. Saving writes a
//! temporary file in the same directory and renames it over the target, so a crash
//! never leaves a torn file.

#[cfg(feature = "std")]
mod atomic;
#[cfg(feature = "json")]
pub mod json;
mod names;

pub use names::Names;

use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::{Shape, TensorId};
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

/// How to save.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveOptions {
    /// Store a test vector in the metadata (default yes).
    pub test_vector: bool,
    /// More metadata to store, e.g. a description or a version.
    pub metadata: Vec<(String, String)>,
}

impl Default for SaveOptions {
    fn default() -> Self {
        Self {
            test_vector: true,
            metadata: Vec::new(),
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
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            names: Names::Mlp,
            transposed: false,
            allow_non_finite: false,
            check_test_vector: true,
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
}

fn dtype_of<T: Real>() -> Dtype {
    if T::NAME == "f64" {
        Dtype::F64
    } else {
        Dtype::F32
    }
}

fn dtype_name(d: Dtype) -> String {
    alloc::format!("{d:?}").to_lowercase()
}

/// The network as safetensors bytes.
pub fn to_bytes<N: Network>(net: &N, options: &SaveOptions) -> Result<Vec<u8>, Error> {
    let mut metadata: Metadata = options.metadata.iter().cloned().collect();
    metadata.insert(ARCHITECTURE_KEY.into(), N::ARCHITECTURE.into());
    if options.test_vector {
        let (input, output) = test_vector(net);
        metadata.insert(TEST_INPUT_KEY.into(), join(input.as_ref()));
        metadata.insert(TEST_OUTPUT_KEY.into(), join(output.as_ref()));
    }
    serialize::<N::Scalar>(&tensors_of(net, ""), metadata)
}

/// A file's tensors by name.
pub(crate) type Tensors = BTreeMap<String, Stored>;

/// A file's metadata: key and value strings.
pub(crate) type Metadata = BTreeMap<String, String>;

/// A tensor as a file holds it, before any check.
pub(crate) struct Stored {
    /// `"f32"`, `"f64"`, or whatever else the file says.
    pub(crate) dtype: String,
    pub(crate) shape: Vec<usize>,
    /// The values in row-major order (empty for dtypes a network never has).
    pub(crate) values: Vec<f64>,
}

/// A network from safetensors bytes, every check done first.
pub fn from_bytes<N: Network>(bytes: &[u8], options: &LoadOptions) -> Result<N, Error> {
    let (tensors, metadata) = read(bytes)?;
    build(&tensors, &metadata, options)
}

/// The tensors and metadata of a safetensors file, before any check against a network.
pub(crate) fn read(bytes: &[u8]) -> Result<(Tensors, Metadata), Error> {
    let corrupt = |e: safetensors::SafeTensorError| Error::CorruptFile {
        message: e.to_string(),
    };
    let file = SafeTensors::deserialize(bytes).map_err(corrupt)?;
    let mut tensors = Tensors::new();
    for (name, view) in file.tensors() {
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
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(corrupt)?;
    let metadata = header.metadata().iter().flatten();
    Ok((
        tensors,
        metadata.map(|(k, v)| (k.clone(), v.clone())).collect(),
    ))
}

/// Every tensor of `net` as `(prefix + name, shape, little-endian bytes)`.
pub(crate) fn tensors_of<N: Network>(net: &N, prefix: &str) -> Vec<(String, Vec<usize>, Vec<u8>)> {
    (0..2 * N::layers())
        .map(|t| {
            let id = TensorId::from_index(t);
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

/// Safetensors bytes of tensors in the scalar type `T`, with metadata.
pub(crate) fn serialize<T: Real>(
    tensors: &[(String, Vec<usize>, Vec<u8>)],
    metadata: Metadata,
) -> Result<Vec<u8>, Error> {
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(dtype_of::<T>(), shape.clone(), bytes).map(|v| (name.as_str(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::CorruptFile {
            message: e.to_string(),
        })?;
    safetensors::serialize(views, Some(metadata.into_iter().collect())).map_err(|e| {
        Error::CorruptFile {
            message: e.to_string(),
        }
    })
}

/// Checks the stored tensors against `N` and builds it: names, dtypes, shapes,
/// finite values, then the test vector.
pub(crate) fn build<N: Network>(
    tensors: &Tensors,
    metadata: &Metadata,
    options: &LoadOptions,
) -> Result<N, Error> {
    let names = options.names.map::<N>(
        tensors
            .iter()
            .map(|(name, t)| (name.as_str(), t.shape.as_slice())),
    )?;
    let mut net = N::zeros();
    for (t, name) in names.iter().enumerate() {
        let id = TensorId::from_index(t);
        let stored = &tensors[name];
        let expected_dtype = N::Scalar::NAME;
        if stored.dtype != expected_dtype {
            return Err(Error::WrongDtype {
                tensor: name.clone(),
                expected: expected_dtype.into(),
                found: stored.dtype.clone(),
            });
        }
        let shape = id.shape(N::WIDTHS);
        let expected = match (shape, options.transposed) {
            (Shape::Matrix(r, c), true) => alloc::vec![c, r],
            _ => dims(shape),
        };
        if stored.shape != expected || stored.values.len() != shape.len() {
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
        let tensor = net.tensor_mut(t);
        for (k, v) in values.into_iter().enumerate() {
            let k = match (shape, options.transposed) {
                // Stored (in, out): element k is (i, o) = (k / out, k % out).
                (Shape::Matrix(rows, cols), true) => (k % rows) * cols + k / rows,
                _ => k,
            };
            tensor[storage_index(shape, k)] = v;
        }
    }
    if options.check_test_vector {
        check_test_vector(&net, metadata)?;
    }
    Ok(net)
}

/// Saves `net` to `path` atomically: a temporary file in the same directory, synced,
/// then renamed over `path`.
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
#[cfg(feature = "std")]
pub fn load<N: Network>(path: impl AsRef<Path>, options: &LoadOptions) -> Result<N, Error> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    from_bytes(&bytes, options)
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

fn check_test_vector<N: Network>(net: &N, metadata: &Metadata) -> Result<(), Error> {
    let (Some(input), Some(output)) = (metadata.get(TEST_INPUT_KEY), metadata.get(TEST_OUTPUT_KEY))
    else {
        return Ok(());
    };
    let parse = |s: &str| -> Result<Vec<f64>, Error> {
        s.split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::CorruptFile {
                message: alloc::format!("test vector: {e}"),
            })
    };
    let (input, expected) = (parse(input)?, parse(output)?);
    let x: Vec<N::Scalar> = input.iter().map(|&v| N::Scalar::of(v)).collect();
    let Some(x) = input_from::<N>(&x).filter(|_| expected.len() == N::OUTPUTS) else {
        return Err(Error::CorruptFile {
            message: alloc::format!(
                "test vector of {} inputs and {} outputs for a network of {} and {}",
                input.len(),
                expected.len(),
                N::INPUTS,
                N::OUTPUTS
            ),
        });
    };
    let found = net.predict(&x);
    let tolerance = if N::Scalar::NAME == "f64" {
        1e-12
    } else {
        1e-5
    };
    for (k, (&want, got)) in expected.iter().zip(found.as_ref()).enumerate() {
        let got = got.to_f64();
        // A NaN output differs too.
        let close = (got - want).abs() <= tolerance * (1.0 + want.abs());
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
    let data = net.tensor(id.index());
    (0..shape.len())
        .map(|k| data[storage_index(shape, k)])
        .collect()
}

/// Where row-major element `k` of a tensor sits in nalgebra's column-major storage.
fn storage_index(shape: Shape, k: usize) -> usize {
    match shape {
        Shape::Matrix(rows, cols) => (k % cols) * rows + k / cols,
        Shape::Vector(_) => k,
    }
}

fn le_bytes<T: Real>(v: T) -> Vec<u8> {
    if T::NAME == "f64" {
        v.to_f64().to_le_bytes().to_vec()
    } else {
        (v.to_f64() as f32).to_le_bytes().to_vec()
    }
}
