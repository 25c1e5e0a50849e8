//! Model files on disk (feature `std`): written atomically, read with errors that
//! name the file.

use super::atomic;
use crate::error::Error;
use alloc::string::ToString;
use alloc::vec::Vec;
use std::path::Path;

/// Writes `bytes` to `path` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    atomic::write(path, bytes)
}

/// The bytes of the file at `path`.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e.into(),
    })
}

/// A load error of bytes read from `path`, naming the file where it names "bytes".
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
