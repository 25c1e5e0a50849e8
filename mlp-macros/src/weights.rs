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
/// decoding and the checks of a load at run time (see `mlp_core::io::compiled`),
/// by PyTorch's `nn.Sequential` names when `pytorch`. Errors point at the path and
/// name the file.
pub fn read(
    lit: &LitStr,
    pytorch: bool,
    base: Option<&Path>,
    widths: &[usize],
    scalar: ScalarKind,
    architecture: &str,
) -> syn::Result<Vec<Bits>> {
    let written = lit.value();
    let path = resolve(&written, base);
    let err = |message: String| Error::new(lit.span(), message);
    let onnx = (path.extension()).is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    if onnx && pytorch {
        return Err(err(format!(
            "`{written}` is an ONNX model, whose weights have no nn.Sequential names: write \
             `weights = {written:?}`"
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        err(format!(
            "cannot read the weights file `{written}` ({}): {e}",
            path.display()
        ))
    })?;
    let in_file = |e: CoreError| match e {
        CoreError::CorruptFile { message } if onnx => err(format!("`{written}`: {message}")),
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
        CoreError::WrongDtype {
            tensor,
            expected,
            found,
        } => {
            // Suggest `scalar = ...` only for a scalar a network can have.
            let fix = match keyword::scalar(&found) {
                Some(kind) => format!("write `scalar = {}` or", keyword::scalar_name(kind)),
                None => format!(
                    "networks compute in {}; convert and",
                    keyword::scalar_list()
                ),
            };
            err(format!(
                "`{written}` stores `{tensor}` as {found}; this network computes in {expected}: \
                 {fix} save the weights as {expected}"
            ))
        }
        // The run-time hint (`LoadOptions::pytorch()`) has no place in a macro.
        CoreError::PytorchNames { missing, found } => err(format!(
            "`{written}` has no tensor {missing} but has {found}, as a PyTorch nn.Sequential \
             names its layers: write `weights = {}({written:?})`",
            keyword::PYTORCH
        )),
        e => err(format!("`{written}`: {e}")),
    };
    let tensors = match (onnx, scalar) {
        (true, _) => onnx_tensors(&bytes, widths, scalar, architecture)
            .map_err(|e| e.map_or_else(|| err(no_onnx_feature(&written)), in_file))?,
        (false, ScalarKind::F32) => {
            io::compiled::tensors::<f32>(&bytes, widths, architecture, pytorch).map_err(in_file)?
        }
        (false, ScalarKind::F64) => {
            io::compiled::tensors::<f64>(&bytes, widths, architecture, pytorch).map_err(in_file)?
        }
    };
    // f32 values widened to f64 narrow back exactly.
    Ok(tensors
        .iter()
        .map(|v| match scalar {
            ScalarKind::F32 => v.iter().map(|&x| u64::from((x as f32).to_bits())).collect(),
            ScalarKind::F64 => v.iter().map(|x| x.to_bits()).collect(),
        })
        .collect())
}

/// The checked values of the ONNX model `bytes` (see
/// `mlp_core::io::compiled::onnx_tensors`); `Err(None)` without the `onnx` feature.
fn onnx_tensors(
    bytes: &[u8],
    widths: &[usize],
    scalar: ScalarKind,
    architecture: &str,
) -> Result<Vec<Vec<f64>>, Option<CoreError>> {
    #[cfg(feature = "onnx")]
    return match scalar {
        ScalarKind::F32 => io::compiled::onnx_tensors::<f32>(bytes, widths, architecture),
        ScalarKind::F64 => io::compiled::onnx_tensors::<f64>(bytes, widths, architecture),
    }
    .map_err(Some);
    #[cfg(not(feature = "onnx"))]
    {
        let _ = (bytes, widths, scalar, architecture);
        Err(None)
    }
}

/// Why an ONNX model cannot be read by a build without the `onnx` feature.
fn no_onnx_feature(written: &str) -> String {
    format!(
        "`{written}` is an ONNX model, which `weights = ...` reads with mlp's `onnx` feature: \
         enable it, e.g. `mlp = {{ version = \"0.1\", features = [\"onnx\"] }}` in Cargo.toml"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_fixture(
        file: &str,
        widths: &[usize],
        scalar: ScalarKind,
        architecture: &str,
    ) -> String {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/fail/weights");
        let lit = LitStr::new(file, proc_macro2::Span::call_site());
        match read(&lit, false, Some(&base), widths, scalar, architecture) {
            Ok(_) => panic!("`{file}` should be refused"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_dtype_no_network_has_is_not_suggested_as_the_scalar() {
        assert_eq!(
            read_fixture(
                "f16.safetensors",
                &[2, 1],
                ScalarKind::F32,
                "2 => 1 linear; loss = mse"
            ),
            "`f16.safetensors` stores `layers.0.weight` as f16; this network computes in f32: \
             networks compute in `f32` or `f64`; convert and save the weights as f32"
        );
    }

    #[test]
    fn a_pytorch_file_without_pytorch_names_says_what_to_write() {
        assert_eq!(
            read_fixture(
                "../../../fixtures/sequential.safetensors",
                &[4, 8, 6, 3],
                ScalarKind::F32,
                "4 => 8 tanh => 6 relu => 3 softmax; loss = cce"
            ),
            "`../../../fixtures/sequential.safetensors` has no tensor layers.0.weight but has \
             0.weight, as a PyTorch nn.Sequential names its layers: write \
             `weights = pytorch(\"../../../fixtures/sequential.safetensors\")`"
        );
    }

    #[test]
    fn an_onnx_model_is_read_with_the_onnx_feature_only() {
        let message = read_fixture(
            "../onnx/conv.onnx",
            &[4, 8],
            ScalarKind::F32,
            "4 => 8 tanh; loss = mse",
        );
        #[cfg(feature = "onnx")]
        assert!(
            message.starts_with(
                "`../onnx/conv.onnx`: ONNX node 0 (Conv `conv0`) is not a dense layer"
            ),
            "{message}"
        );
        #[cfg(not(feature = "onnx"))]
        assert_eq!(message, no_onnx_feature("../onnx/conv.onnx"));
    }

    #[test]
    fn a_refused_file_gets_the_message_of_a_load() {
        let load = CoreError::NonFiniteInFile {
            tensor: "layers.1.weight".into(),
            index: 1,
            value: f64::NAN,
        };
        let message = read_fixture(
            "non-finite.safetensors",
            &[4, 3, 2, 1],
            ScalarKind::F32,
            "4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce",
        );
        assert_eq!(message, format!("`non-finite.safetensors`: {load}"));
        assert_eq!(
            message,
            "`non-finite.safetensors`: tensor layers.1.weight[1] is NaN; parameters must be finite"
        );
    }
}
