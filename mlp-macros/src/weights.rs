//! The `weights = "path"` option: the safetensors file is read and checked while
//! compiling, and its values become constants of the program.

use crate::ast::ScalarKind;
use crate::keyword;
use mlp_core::Error as CoreError;
use mlp_core::io;
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
/// `scalar` whose architecture string is `architecture`, with mlp-core's own
/// decoding and checks: the checksum, the stored architecture, every
/// `layers.{i}.weight` `(out, in)` and `layers.{i}.bias` `(out,)`, no other tensor,
/// the right dtype, finite values, and the test vector (computed in f64 with the
/// network's activations). Errors point at the path.
pub fn read(
    lit: &LitStr,
    base: Option<&Path>,
    widths: &[usize],
    scalar: ScalarKind,
    architecture: &str,
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
    let in_file = |e: CoreError| match e {
        CoreError::CorruptFile { message } => {
            err(format!("`{written}` is not a safetensors file: {message}"))
        }
        CoreError::ChecksumMismatch {
            stored, computed, ..
        } => err(CoreError::ChecksumMismatch {
            file: format!("`{written}`"),
            stored,
            computed,
        }
        .to_string()),
        e => err(format!("`{written}`: {e}")),
    };
    let (mut file, metadata) = io::read(&bytes).map_err(in_file)?;
    if let Some(stored) = metadata.get(io::ARCHITECTURE_KEY) {
        io::compile::check_architecture(stored, architecture).map_err(in_file)?;
    }
    let name = match scalar {
        ScalarKind::F32 => "f32",
        ScalarKind::F64 => "f64",
    };
    let mut expected = Vec::new();
    for (i, w) in widths.windows(2).enumerate() {
        expected.push((format!("layers.{i}.weight"), vec![w[1], w[0]]));
        expected.push((format!("layers.{i}.bias"), vec![w[1]]));
    }
    if let Some(extra) = file.keys().find(|s| !expected.iter().any(|(e, _)| e == *s)) {
        return Err(err(format!(
            "`{written}` has a tensor `{extra}` this network has no place for; it needs {} layers",
            widths.len() - 1
        )));
    }
    let mut values = Vec::new();
    for (tensor, shape) in &expected {
        let stored = file.remove(tensor).ok_or_else(|| {
            err(format!(
                "`{written}` has no tensor `{tensor}` (shape {shape:?})"
            ))
        })?;
        if stored.dtype != name {
            let found = &stored.dtype;
            // Suggest `scalar = ...` only for a scalar a network can have.
            let fix = match keyword::scalar(found) {
                Some(kind) => format!("write `scalar = {}` or", keyword::scalar_name(kind)),
                None => format!(
                    "networks compute in {}; convert and",
                    keyword::scalar_list()
                ),
            };
            return Err(err(format!(
                "`{written}` stores `{tensor}` as {found}; this network computes in {name}: \
                 {fix} save the weights as {name}"
            )));
        }
        if stored.shape != *shape {
            return Err(err(format!(
                "`{written}` has `{tensor}` of shape {:?}; this network needs {shape:?}",
                stored.shape
            )));
        }
        if let Some(index) = stored.values.iter().position(|v| !v.is_finite()) {
            return Err(err(format!(
                "`{written}` has a NaN or infinite value in `{tensor}` at index {index}"
            )));
        }
        values.push(stored.values);
    }
    io::compile::check_test_vector(&metadata, architecture, &values, scalar == ScalarKind::F64)
        .map_err(in_file)?;
    // f32 values widened to f64 narrow back exactly.
    Ok(values
        .iter()
        .map(|v| match scalar {
            ScalarKind::F32 => v.iter().map(|&x| u64::from((x as f32).to_bits())).collect(),
            ScalarKind::F64 => v.iter().map(|x| x.to_bits()).collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_fixture(file: &str, widths: &[usize], scalar: ScalarKind) -> String {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/fail/weights");
        let lit = LitStr::new(file, proc_macro2::Span::call_site());
        let architecture = "2 => 1 linear; loss = mse";
        match read(&lit, Some(&base), widths, scalar, architecture) {
            Ok(_) => panic!("`{file}` should be refused"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_dtype_no_network_has_is_not_suggested_as_the_scalar() {
        assert_eq!(
            read_fixture("f16.safetensors", &[2, 1], ScalarKind::F32),
            "`f16.safetensors` stores `layers.0.weight` as f16; this network computes in f32: \
             networks compute in `f32` or `f64`; convert and save the weights as f32"
        );
    }
}
