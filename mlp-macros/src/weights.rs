//! The `weights = "path"` option: the safetensors file is read and checked while
//! compiling, and its values become constants of the program.

use crate::ast::ScalarKind;
use safetensors::tensor::{Dtype, SafeTensors};
use std::path::{Path, PathBuf};
use syn::{Error, LitStr};

/// One tensor's values as the bits of the network's scalar, row-major.
pub type Bits = Vec<u64>;

/// Where `path` points: relative paths start at the directory of the file that
/// invokes the macro, as `include_bytes!` does.
pub fn resolve(path: &str, base: Option<&Path>) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let base = base
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
        .unwrap_or_default();
    base.join(path)
}

/// Reads the file named by `lit` and checks it against a network of `widths` in
/// `scalar`: every `layers.{i}.weight` `(out, in)` and `layers.{i}.bias` `(out,)`,
/// no other tensor, the right dtype, finite values. Errors point at the path.
pub fn read(
    lit: &LitStr,
    base: Option<&Path>,
    widths: &[usize],
    scalar: ScalarKind,
) -> syn::Result<Vec<Bits>> {
    let written = lit.value();
    let path = resolve(&written, base);
    let err = |message: String| Error::new(lit.span(), message);
    let bytes = std::fs::read(&path).map_err(|e| {
        err(format!(
            "cannot read the weights file `{written}` ({}): {e}",
            path.display()
        ))
    })?;
    let file = SafeTensors::deserialize(&bytes)
        .map_err(|e| err(format!("`{written}` is not a safetensors file: {e}")))?;
    let (dtype, name) = match scalar {
        ScalarKind::F32 => (Dtype::F32, "f32"),
        ScalarKind::F64 => (Dtype::F64, "f64"),
    };
    let mut expected = Vec::new();
    for (i, w) in widths.windows(2).enumerate() {
        expected.push((format!("layers.{i}.weight"), vec![w[1], w[0]]));
        expected.push((format!("layers.{i}.bias"), vec![w[1]]));
    }
    let mut stored: Vec<String> = file.names().into_iter().map(str::to_owned).collect();
    stored.sort();
    if let Some(extra) = stored
        .iter()
        .find(|s| !expected.iter().any(|(e, _)| e == *s))
    {
        return Err(err(format!(
            "`{written}` has a tensor `{extra}` this network has no place for; it needs {} layers",
            widths.len() - 1
        )));
    }
    let mut tensors = Vec::new();
    for (tensor, shape) in &expected {
        let view = file.tensor(tensor).map_err(|_| {
            err(format!(
                "`{written}` has no tensor `{tensor}` (shape {shape:?})"
            ))
        })?;
        if view.dtype() != dtype {
            let found = format!("{:?}", view.dtype()).to_lowercase();
            return Err(err(format!(
                "`{written}` stores `{tensor}` as {found}; this network computes in {name}: \
                 write `scalar = {found}` or save the weights as {name}"
            )));
        }
        if view.shape() != shape.as_slice() {
            return Err(err(format!(
                "`{written}` has `{tensor}` of shape {:?}; this network needs {shape:?}",
                view.shape()
            )));
        }
        let bits: Bits = match dtype {
            Dtype::F64 => view
                .data()
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            _ => view
                .data()
                .chunks_exact(4)
                .map(|b| u64::from(u32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect(),
        };
        let finite = |b: &u64| match dtype {
            Dtype::F64 => f64::from_bits(*b).is_finite(),
            _ => f32::from_bits(*b as u32).is_finite(),
        };
        if let Some(index) = bits.iter().position(|b| !finite(b)) {
            return Err(err(format!(
                "`{written}` has a NaN or infinite value in `{tensor}` at index {index}"
            )));
        }
        tensors.push(bits);
    }
    Ok(tensors)
}
