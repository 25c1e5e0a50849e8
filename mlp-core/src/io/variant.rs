//! Loading a file into an enum of networks (`network! { enum Model { ... } }`):
//! the file is read once, its stored architecture picks the variant, and that
//! variant's network is built from it with every check of a load.

use super::{ARCHITECTURE_KEY, LoadOptions, Metadata, Tensors, architecture, build, read};
use crate::error::Error;
use crate::network::Network;
#[cfg(feature = "std")]
use std::path::Path;

/// A model file read (and its checksum verified), not yet built into a network.
#[doc(hidden)]
pub struct VariantFile {
    tensors: Tensors,
    metadata: Metadata,
}

impl VariantFile {
    /// Reads safetensors bytes.
    ///
    /// # Errors
    ///
    /// [`Error::CorruptFile`] or [`Error::ChecksumMismatch`], as [`super::from_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let (tensors, metadata) = read(bytes)?;
        Ok(Self { tensors, metadata })
    }

    /// Reads the file at `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`], and the errors of [`VariantFile::from_bytes`], naming the file.
    #[cfg(feature = "std")]
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bytes = super::read_file(path)?;
        Self::from_bytes(&bytes).map_err(|e| super::in_file(e, path))
    }

    /// The index in `variants` (each variant's name and architecture) of the first
    /// whose architecture the file stores, compared as a load compares them:
    /// widths, activations with their parameters, and the loss.
    ///
    /// # Errors
    ///
    /// [`Error::NoMatchingVariant`] when none matches or the file stores no
    /// architecture, and [`Error::CorruptFile`] when its architecture cannot be read.
    pub fn variant(
        &self,
        network: &'static str,
        variants: &'static [(&'static str, &'static str)],
    ) -> Result<usize, Error> {
        let file = self.metadata.get(ARCHITECTURE_KEY);
        if let Some(file) = file {
            for (index, (_, network_architecture)) in variants.iter().enumerate() {
                match architecture::check(file, network_architecture, true) {
                    Ok(()) => return Ok(index),
                    Err(Error::ArchitectureMismatch { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Err(Error::NoMatchingVariant {
            network,
            file: file.cloned(),
            variants,
        })
    }

    /// The network `N` built from the file, with every check of
    /// [`super::from_bytes`].
    ///
    /// # Errors
    ///
    /// As [`super::from_bytes`].
    pub fn build<N: Network>(&self) -> Result<N, Error> {
        build(&self.tensors, &self.metadata, &LoadOptions::default())
    }
}
