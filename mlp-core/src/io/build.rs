//! Between a network and the tensors a file stores: the checks a load makes of
//! them, once for a network type and for the macro's compile-time check alike, and
//! the network built from them or taken apart into them.

use super::test_vector::{self, TestVector};
use super::{ARCHITECTURE_KEY, LoadOptions, Metadata, Stored, Tensors, architecture};
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use crate::tensor::{Shape, TensorId, row_major_index, storage_index};
use alloc::string::String;
use alloc::vec::Vec;

/// What a file's tensors and metadata passed the checks with.
pub(super) struct Checked {
    /// The stored name of every tensor in order (weight 0, bias 0, weight 1, ...).
    pub(super) names: Vec<String>,
    /// The stored test vector, if the file has one and `options` ask to run it.
    pub(super) test_vector: Option<TestVector>,
    /// Whether any tensor was stored in another dtype than the network's.
    pub(super) converted: bool,
}

/// The checks of a load that need no network, only its widths (input first),
/// scalar `T` and architecture string: the architecture, the test vector's form,
/// every tensor there and no other, then each tensor's dtype, value count, shape and
/// values.
pub(super) fn check<T: Real>(
    tensors: &Tensors,
    metadata: &Metadata,
    widths: &[usize],
    architecture: &str,
    options: &LoadOptions,
) -> Result<Checked, Error> {
    if let Some(file) = metadata.get(ARCHITECTURE_KEY) {
        architecture::check(file, architecture, !options.accept_other_loss)?;
    }
    let stored_vector = test_vector::stored(metadata)?;
    let names = options.names.map(
        widths.len().saturating_sub(1),
        tensors
            .iter()
            .map(|(name, t)| (name.as_str(), t.shape.as_slice())),
    )?;
    for (t, name) in names.iter().enumerate() {
        let shape = TensorId::from_index(t).shape(widths);
        check_tensor::<T>(name, &tensors[name], shape, options)?;
    }
    let converted = names.iter().any(|name| tensors[name].dtype != T::NAME);
    Ok(Checked {
        converted,
        names,
        test_vector: stored_vector.filter(|_| options.check_test_vector),
    })
}

/// Refuses a stored tensor of another dtype than `T` (unless `options.convert_dtype`
/// and it is the other float), whose values do not fill its shape, of another shape
/// than `shape` (`(in, out)` for a matrix when `options.transposed`), with a finite
/// value that is not in `T`, or, unless `options.allow_non_finite`, with a value
/// that is NaN or infinite.
fn check_tensor<T: Real>(
    name: &str,
    stored: &Stored,
    shape: Shape,
    options: &LoadOptions,
) -> Result<(), Error> {
    let converted = options.convert_dtype && matches!(stored.dtype.as_str(), "f32" | "f64");
    if stored.dtype != T::NAME && !converted {
        return Err(Error::WrongDtype {
            tensor: name.into(),
            expected: T::NAME.into(),
            found: stored.dtype.clone(),
        });
    }
    // Safetensors makes this check itself; a JSON document needs it.
    let count = stored
        .shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d));
    if count != Some(stored.values.len()) {
        return Err(Error::ValueCount {
            tensor: name.into(),
            shape: stored.shape.clone(),
            expected: count.unwrap_or(usize::MAX),
            found: stored.values.len(),
        });
    }
    let expected = match (shape, options.transposed) {
        (Shape::Matrix(r, c), true) => alloc::vec![c, r],
        _ => dims(shape),
    };
    if stored.shape != expected {
        return Err(Error::WrongShape {
            tensor: name.into(),
            expected,
            found: stored.shape.clone(),
        });
    }
    if stored.dtype != T::NAME
        && let Some((index, &value)) =
            (stored.values.iter().enumerate()).find(|(_, v)| v.is_finite() && !T::of(**v).finite())
    {
        return Err(Error::DtypeOverflow {
            tensor: name.into(),
            index,
            value,
            dtype: T::NAME,
        });
    }
    if !options.allow_non_finite {
        // In `T`: a JSON document's f32 tensor may hold a number beyond f32's range.
        refuse_non_finite(name, stored.values.iter().map(|&v| T::of(v)))?;
    }
    Ok(())
}

/// Refuses the first NaN or infinite value of tensor `name`, by its row-major index.
pub(super) fn refuse_non_finite<T: Real>(
    name: &str,
    values: impl IntoIterator<Item = T>,
) -> Result<(), Error> {
    match values.into_iter().enumerate().find(|(_, v)| !v.finite()) {
        Some((index, v)) => Err(Error::NonFiniteInFile {
            tensor: name.into(),
            index,
            value: v.to_f64(),
        }),
        None => Ok(()),
    }
}

/// Checks the stored tensors against `N` and builds it: names, dtypes, shapes,
/// finite values, then the test vector.
pub(crate) fn build<N: Network>(
    tensors: &Tensors,
    metadata: &Metadata,
    options: &LoadOptions,
) -> Result<N, Error> {
    let checked = check::<N::Scalar>(tensors, metadata, N::WIDTHS, N::ARCHITECTURE, options)?;
    let mut net = N::zeros();
    for (id, name) in tensor_ids::<N>().zip(&checked.names) {
        let shape = id.shape(N::WIDTHS);
        let tensor = tensor_mut(&mut net, id);
        for (k, &v) in tensors[name].values.iter().enumerate() {
            // Element k of an (in, out) matrix is element `row_major_index(k)` of
            // its (out, in) transpose, as nalgebra stores it column by column.
            let k = match options.transposed {
                true => row_major_index(shape, k),
                false => k,
            };
            tensor[storage_index(shape, k)] = N::Scalar::of(v);
        }
    }
    if let Some((input, expected)) = checked.test_vector {
        test_vector::check(&net, &input, &expected, checked.converted)?;
    }
    Ok(net)
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

/// A shape as a file writes it.
pub(super) fn dims(shape: Shape) -> Vec<usize> {
    match shape {
        Shape::Matrix(r, c) => alloc::vec![r, c],
        Shape::Vector(n) => alloc::vec![n],
    }
}

/// Row-major values of a tensor.
pub(super) fn row_major<N: Network>(net: &N, id: TensorId) -> Vec<N::Scalar> {
    let shape = id.shape(N::WIDTHS);
    let data = tensor(net, id);
    (0..shape.len())
        .map(|k| data[storage_index(shape, k)])
        .collect()
}

/// A value's little-endian bytes in its own scalar type.
pub(super) fn le_bytes<T: Real>(v: T) -> Vec<u8> {
    match T::DTYPE {
        crate::real::Dtype::F64 => v.to_f64().to_le_bytes().to_vec(),
        crate::real::Dtype::F32 => (v.to_f64() as f32).to_le_bytes().to_vec(),
    }
}
