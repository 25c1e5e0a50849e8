//! A load's checks for `network!`'s `weights = "..."`: while compiling there is no
//! network type yet, only its widths, scalar and architecture string, so this takes
//! those instead of a [`Network`](crate::network::Network), and gives the values
//! the macro writes out as constants.
#![doc(hidden)]

use super::build::check;
use super::test_vector;
use super::{LoadOptions, read};
use crate::error::Error;
use crate::real::Real;
use alloc::vec::Vec;

/// The row-major values of every tensor of the safetensors `bytes` (weight 0, bias
/// 0, weight 1, ...) for a network in `T` whose widths are `widths` (input first)
/// and whose architecture string is `architecture`, after the checks a load with
/// the default options (or [`LoadOptions::pytorch`] when `pytorch`) makes, in its
/// order: the checksum, the architecture, the test vector's form, every tensor
/// there and no other, dtypes, shapes, finite values, and the test vector run.
///
/// # Errors
///
/// As [`super::from_bytes`].
pub fn tensors<T: Real>(
    bytes: &[u8],
    widths: &[usize],
    architecture: &str,
    pytorch: bool,
) -> Result<Vec<Vec<f64>>, Error> {
    let (mut file, metadata) = read(bytes)?;
    let options = match pytorch {
        true => LoadOptions::pytorch(),
        false => LoadOptions::default(),
    };
    let checked = check::<T>(&file, &metadata, widths, architecture, &options)?;
    let values: Vec<Vec<f64>> = checked
        .names
        .iter()
        .map(|name| {
            file.remove(name)
                .expect("the checks found every name")
                .values
        })
        .collect();
    if let Some((input, expected)) = checked.test_vector {
        test_vector::check_evaluated::<T>(architecture, &values, &input, &expected)?;
    }
    Ok(values)
}

/// As [`tensors`], for the ONNX model `bytes`: the checks of
/// [`super::onnx::from_bytes`] with the default options.
///
/// # Errors
///
/// As [`super::onnx::from_bytes`].
#[cfg(feature = "onnx")]
pub fn onnx_tensors<T: Real>(
    bytes: &[u8],
    widths: &[usize],
    architecture: &str,
) -> Result<Vec<Vec<f64>>, Error> {
    super::onnx::compiled::<T>(bytes, widths, architecture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::build::le_bytes;
    use crate::io::{ARCHITECTURE_KEY, Metadata, TEST_INPUT_KEY, TEST_OUTPUT_KEY, serialize};
    use alloc::string::ToString;
    use alloc::vec;

    const ARCHITECTURE: &str = "2 => 1 linear; loss = mse";

    /// Safetensors bytes in `T` of `(name, shape, values)`, with a checksum and
    /// `metadata`.
    fn file<T: Real>(tensors: &[(&str, &[usize], &[f64])], metadata: &[(&str, &str)]) -> Vec<u8> {
        let tensors: Vec<_> = tensors
            .iter()
            .map(|(name, shape, values)| {
                let bytes = values.iter().flat_map(|&v| le_bytes(T::of(v))).collect();
                (name.to_string(), shape.to_vec(), bytes)
            })
            .collect();
        let metadata: Metadata = metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        serialize::<T>(&tensors, metadata).unwrap()
    }

    fn check(bytes: &[u8]) -> Result<Vec<Vec<f64>>, Error> {
        tensors::<f32>(bytes, &[2, 1], ARCHITECTURE, false)
    }

    const WEIGHT: (&str, &[usize], &[f64]) = ("layers.0.weight", &[1, 2], &[0.5, -2.0]);
    const BIAS: (&str, &[usize], &[f64]) = ("layers.0.bias", &[1], &[0.25]);

    #[test]
    fn a_fitting_file_gives_its_values_row_major() {
        let values = vec![vec![0.5, -2.0], vec![0.25]];
        assert_eq!(check(&file::<f32>(&[WEIGHT, BIAS], &[])).unwrap(), values);
        let bytes = file::<f32>(&[BIAS, WEIGHT], &[(ARCHITECTURE_KEY, ARCHITECTURE)]);
        assert_eq!(check(&bytes).unwrap(), values);
        let bytes = file::<f64>(&[WEIGHT, BIAS], &[]);
        assert_eq!(
            tensors::<f64>(&bytes, &[2, 1], ARCHITECTURE, false).unwrap(),
            values
        );
    }

    #[test]
    fn every_check_of_a_load_is_made() {
        let err = |tensors: &[(&str, &[usize], &[f64])]| check(&file::<f32>(tensors, &[]));
        assert_eq!(
            err(&[WEIGHT]),
            Err(Error::MissingTensor {
                tensor: "layers.0.bias".into()
            })
        );
        assert_eq!(
            err(&[WEIGHT, BIAS, ("layers.1.bias", &[1], &[0.0])]),
            Err(Error::UnexpectedTensor {
                tensor: "layers.1.bias".into()
            })
        );
        assert_eq!(
            err(&[("layers.0.weight", &[2, 1], &[0.5, -2.0]), BIAS]),
            Err(Error::WrongShape {
                tensor: "layers.0.weight".into(),
                expected: vec![1, 2],
                found: vec![2, 1],
            })
        );
        let nan = err(&[WEIGHT, ("layers.0.bias", &[1], &[f64::NAN])]).unwrap_err();
        assert!(
            matches!(&nan, Error::NonFiniteInFile { tensor, index: 0, value }
                if tensor == "layers.0.bias" && value.is_nan()),
            "{nan}"
        );
        assert_eq!(
            tensors::<f64>(
                &file::<f32>(&[WEIGHT, BIAS], &[]),
                &[2, 1],
                ARCHITECTURE,
                false
            ),
            Err(Error::WrongDtype {
                tensor: "layers.0.weight".into(),
                expected: "f64".into(),
                found: "f32".into(),
            })
        );
        let other = file::<f32>(
            &[WEIGHT, BIAS],
            &[(ARCHITECTURE_KEY, "2 => 1 relu; loss = mse")],
        );
        assert!(matches!(
            check(&other),
            Err(Error::ArchitectureMismatch { .. })
        ));
        let mut damaged = file::<f32>(&[WEIGHT, BIAS], &[]);
        *damaged.last_mut().unwrap() ^= 1;
        assert!(matches!(
            check(&damaged),
            Err(Error::ChecksumMismatch { .. })
        ));
    }

    #[test]
    fn the_checks_come_in_the_order_of_a_load() {
        // A load reads the test vector before it looks at a tensor.
        let half = [(TEST_INPUT_KEY, "1,1")];
        let bytes = file::<f32>(&[("layers.0.weight", &[2, 1], &[0.5, -2.0]), BIAS], &half);
        assert_eq!(
            check(&bytes),
            Err(Error::CorruptFile {
                message: "the file has mlp.test_input but no mlp.test_output; \
                          a test vector needs both"
                    .into()
            })
        );
    }

    #[test]
    fn the_test_vector_is_run() {
        // Input (1, 1) gives 0.5 - 2 + 0.25.
        let with_output = |output| {
            let vector = [(TEST_INPUT_KEY, "1,1"), (TEST_OUTPUT_KEY, output)];
            check(&file::<f32>(&[WEIGHT, BIAS], &vector))
        };
        assert!(with_output("-1.25").is_ok());
        assert!(matches!(
            with_output("0.5"),
            Err(Error::TestVectorMismatch { output: 0, .. })
        ));
    }
}
