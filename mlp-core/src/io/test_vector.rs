//! The test vector a file stores: an input and the output the saved network gave
//! for it, written by a save and run again by a load.

use super::architecture::Architecture;
use super::{Metadata, TEST_INPUT_KEY, TEST_OUTPUT_KEY};
use crate::error::Error;
use crate::network::Network;
use crate::real::{Dtype, Real};
use alloc::string::String;
use alloc::vec::Vec;

/// Stores `net`'s test vector in `metadata`.
pub(super) fn store<N: Network>(net: &N, metadata: &mut Metadata) {
    let (input, output) = vector(net);
    metadata.insert(TEST_INPUT_KEY.into(), join(input.as_ref()));
    metadata.insert(TEST_OUTPUT_KEY.into(), join(output.as_ref()));
}

/// The input the test vector uses: a fixed pattern in [-1, 1], the same for every
/// network of the same input width.
fn vector<N: Network>(net: &N) -> (N::Input, N::Output) {
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
pub(super) type TestVector = (Vec<f64>, Vec<f64>);

/// The stored test vector `(input, output)`, if the file has one; half of one is
/// refused.
pub(super) fn stored(metadata: &Metadata) -> Result<Option<TestVector>, Error> {
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

/// Refuses a network whose output for the stored input differs from the stored
/// output: by more than the tolerance of its scalar, or of f32 when its tensors
/// were `converted` from the other dtype (the stored output then came from a
/// network in that dtype, and f32 is the coarser of the two).
pub(super) fn check<N: Network>(
    net: &N,
    input: &[f64],
    expected: &[f64],
    converted: bool,
) -> Result<(), Error> {
    let x: Vec<N::Scalar> = input.iter().map(|&v| N::Scalar::of(v)).collect();
    let Some(x) = input_from::<N>(&x).filter(|_| expected.len() == N::OUTPUTS) else {
        return Err(test_vector_size(input, expected, N::INPUTS, N::OUTPUTS));
    };
    let found = net.predict(&x);
    let found: Vec<f64> = found.as_ref().iter().map(|v| v.to_f64()).collect();
    let dtype = match converted {
        true => Dtype::F32,
        false => N::Scalar::DTYPE,
    };
    compare_outputs(expected, &found, dtype)
}

/// Runs the stored input through row-major `(weight, bias)` tensors in f64 with
/// the activations of `network` (an architecture string), for a network in `T`
/// known only by that string while `network!` compiles, and refuses an output off
/// by more than a load's tolerance.
pub(super) fn check_evaluated<T: Real>(
    network: &str,
    tensors: &[Vec<f64>],
    input: &[f64],
    expected: &[f64],
) -> Result<(), Error> {
    let net = Architecture::parse(network).map_err(|message| Error::CorruptFile { message })?;
    let (inputs, outputs) = net.widths();
    if input.len() != inputs || expected.len() != outputs {
        return Err(test_vector_size(input, expected, inputs, outputs));
    }
    let found = net
        .evaluate(tensors, input)
        .ok_or_else(|| Error::CorruptFile {
            message: alloc::format!("the tensors do not fit `{network}`"),
        })?;
    compare_outputs(expected, &found, T::DTYPE)
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

/// Refuses outputs that differ from the stored ones by more than the tolerance of
/// a network in `dtype`.
fn compare_outputs(expected: &[f64], found: &[f64], dtype: Dtype) -> Result<(), Error> {
    let tolerance = match dtype {
        Dtype::F64 => 1e-12,
        Dtype::F32 => 1e-5,
    };
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

fn join<T: Real>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| alloc::format!("{:e}", v.to_f64()))
        .collect::<Vec<_>>()
        .join(",")
}
