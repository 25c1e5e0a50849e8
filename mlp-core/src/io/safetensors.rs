//! The safetensors format: a file's tensors and metadata read and written, with
//! the checksum over their canonical form.

use super::{CHECKSUM_KEY, Metadata, Stored, Tensors};
use crate::error::Error;
use crate::real::Real;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

fn dtype_of<T: Real>() -> Dtype {
    match T::DTYPE {
        crate::real::Dtype::F32 => Dtype::F32,
        crate::real::Dtype::F64 => Dtype::F64,
    }
}

fn dtype_name(d: Dtype) -> String {
    alloc::format!("{d:?}").to_lowercase()
}

/// The checksum of a file's contents in its canonical form: metadata but the
/// checksum sorted by key, then `(name, dtype, shape, little-endian bytes)` of each
/// tensor sorted by name, every field length-prefixed so that no two contents
/// share a stream.
pub(super) fn checksum<B: AsRef<[u8]>>(
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
pub(super) fn verify(metadata: &Metadata, computed: impl FnOnce() -> String) -> Result<(), Error> {
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

/// The tensors and metadata of a safetensors file, its checksum verified, before
/// any check against a network.
///
/// # Errors
///
/// [`Error::CorruptFile`] or [`Error::ChecksumMismatch`] for bytes that are not an intact
/// safetensors file.
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
