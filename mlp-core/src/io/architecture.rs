//! The `mlp.architecture` string read back into its parts, so that a file and a
//! network compare by structure: `leaky_relu` and `leaky_relu(0.01)` are the same
//! layer.
//!
//! Dropout takes no part: it changes training, not what the trained network
//! computes, so weights trained with dropout load into the same network declared
//! without it (and back, to train on).

use super::ARCHITECTURE_KEY;
use crate::activation::{Elementwise, Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softplus, Tanh};
use crate::error::Error;
use crate::loss::{Huber, Loss};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// A network as its architecture string describes it.
#[derive(Debug, PartialEq)]
pub(crate) struct Architecture {
    input: usize,
    /// Each layer's width and activation.
    layers: Vec<(usize, Function)>,
    /// Which layers have dropout: no part of a comparison, only of the module
    /// numbers of an `nn.Sequential`.
    dropout: Vec<bool>,
    loss: Function,
}

/// An activation or a loss with its parameter, the default filled in.
#[derive(Debug, PartialEq)]
struct Function {
    name: String,
    param: Option<f64>,
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.param {
            Some(p) => write!(f, "{}({p})", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl Function {
    fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (name, param) = match s.split_once('(') {
            Some((name, rest)) => {
                let value = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("`{s}` lacks its `)`"))?;
                let value = value
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("`{value}` in `{s}` is not a number"))?;
                (name.trim(), Some(value))
            }
            None => (s, None),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(format!("`{s}` is not an activation or loss"));
        }
        // The defaults the DSL applies when no parameter is written.
        let default = match name {
            <LeakyRelu as Elementwise>::NAME => Some(LeakyRelu::default().slope),
            <Elu as Elementwise>::NAME => Some(Elu::default().alpha),
            <Huber as Loss>::NAME => Some(Huber::default().delta),
            _ => None,
        };
        Ok(Self {
            name: name.into(),
            param: param.or(default),
        })
    }

    /// `z` through this activation, in place.
    fn activate(&self, z: &mut [f64]) -> Option<()> {
        fn each(z: &mut [f64], e: impl Elementwise) {
            z.iter_mut().for_each(|v| *v = e.f(*v));
        }
        let p = self.param.unwrap_or_default();
        match self.name.as_str() {
            <Sigmoid as Elementwise>::NAME => each(z, Sigmoid),
            <Tanh as Elementwise>::NAME => each(z, Tanh),
            <Relu as Elementwise>::NAME => each(z, Relu),
            <LeakyRelu as Elementwise>::NAME => each(z, LeakyRelu { slope: p }),
            <Linear as Elementwise>::NAME => each(z, Linear),
            <Elu as Elementwise>::NAME => each(z, Elu { alpha: p }),
            <Softplus as Elementwise>::NAME => each(z, Softplus),
            <Gelu as Elementwise>::NAME => each(z, Gelu),
            // As `Softmax::forward`, over a slice.
            "softmax" => {
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                z.iter_mut()
                    .for_each(|v| *v = nalgebra::ComplexField::exp(*v - m));
                let sum: f64 = z.iter().sum();
                z.iter_mut().for_each(|v| *v /= sum);
            }
            _ => return None,
        }
        Some(())
    }
}

impl Architecture {
    /// Reads `4 => 3 relu dropout(0.2) => 1 sigmoid; loss = bce` and the like.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let (layers, loss) = s
            .split_once(';')
            .ok_or("it has no `; loss = ...`".to_string())?;
        let loss = loss
            .trim()
            .strip_prefix("loss")
            .and_then(|l| l.trim_start().strip_prefix('='))
            .ok_or_else(|| format!("`{}` is not `loss = ...`", loss.trim()))?;
        let width = |w: &str| {
            w.trim()
                .parse::<usize>()
                .map_err(|_| format!("`{}` is not a width", w.trim()))
        };
        let mut parts = layers.split("=>");
        let input = width(parts.next().unwrap_or_default())?;
        let (layers, dropout) = parts
            .map(|part| {
                let part = part.trim();
                let (w, rest) = part
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| format!("layer `{part}` has no activation"))?;
                let mut split = rest.split(" dropout");
                let activation = split.next().unwrap_or_default();
                Ok((
                    (width(w)?, Function::parse(activation)?),
                    split.next().is_some(),
                ))
            })
            .collect::<Result<(Vec<_>, Vec<_>), String>>()?;
        if layers.is_empty() {
            return Err("it has no layers".into());
        }
        Ok(Self {
            input,
            layers,
            dropout,
            loss: Function::parse(loss)?,
        })
    }

    /// The index of each layer's `nn.Linear` in the `nn.Sequential` that computes
    /// the same: a layer is its `Linear`, then its activation module (none for
    /// `linear`), then its `nn.Dropout` if it has dropout.
    pub(crate) fn sequential_indices(&self) -> Vec<usize> {
        let mut next = 0;
        self.layers
            .iter()
            .zip(&self.dropout)
            .map(|((_, activation), &dropout)| {
                let index = next;
                let linear = activation.name == <Linear as Elementwise>::NAME;
                next += 1 + usize::from(!linear) + usize::from(dropout);
                index
            })
            .collect()
    }

    /// The first way `self` (a file's) differs from `network`, if any.
    fn difference(&self, network: &Self, compare_loss: bool) -> Option<String> {
        if self.input != network.input {
            return Some(format!(
                "the input is {} wide in the file and {} in the network",
                self.input, network.input
            ));
        }
        if self.layers.len() != network.layers.len() {
            return Some(format!(
                "the file has {} layers and the network {}",
                self.layers.len(),
                network.layers.len()
            ));
        }
        for (i, ((fw, fa), (nw, na))) in self.layers.iter().zip(&network.layers).enumerate() {
            if fw != nw {
                return Some(format!(
                    "layer {i} is {fw} wide in the file and {nw} in the network"
                ));
            }
            if fa != na {
                return Some(format!(
                    "layer {i} is {fa} in the file and {na} in the network"
                ));
            }
        }
        (compare_loss && self.loss != network.loss).then(|| {
            format!(
                "the loss is {} in the file and {} in the network",
                self.loss, network.loss
            )
        })
    }

    /// Layer `layer`'s activation and its parameter, if it has that layer.
    #[cfg(feature = "onnx")]
    pub(crate) fn activation(&self, layer: usize) -> Option<(&str, Option<f64>)> {
        let (_, f) = self.layers.get(layer)?;
        Some((f.name.as_str(), f.param))
    }

    /// The number of layers.
    #[cfg(feature = "onnx")]
    pub(crate) fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// The input and output widths.
    pub(crate) fn widths(&self) -> (usize, usize) {
        (self.input, self.layers.last().map_or(0, |l| l.0))
    }

    /// The output for `input` in f64, from row-major `(weight, bias)` tensors.
    /// `None` for an activation this version does not know or tensors of the
    /// wrong size.
    pub(crate) fn evaluate(&self, tensors: &[Vec<f64>], input: &[f64]) -> Option<Vec<f64>> {
        let mut a = input.to_vec();
        for (l, (width, activation)) in self.layers.iter().enumerate() {
            let (weight, bias) = (tensors.get(2 * l)?, tensors.get(2 * l + 1)?);
            if weight.len() != width * a.len() || bias.len() != *width {
                return None;
            }
            let mut z: Vec<f64> = weight
                .chunks_exact(a.len())
                .zip(bias)
                .map(|(row, b)| row.iter().zip(&a).map(|(w, x)| w * x).sum::<f64>() + b)
                .collect();
            activation.activate(&mut z)?;
            a = z;
        }
        Some(a)
    }
}

/// Refuses a file whose architecture `file` is another network than `network`:
/// widths, activations with their parameters, and (with `compare_loss`) the loss.
pub(crate) fn check(file: &str, network: &str, compare_loss: bool) -> Result<(), Error> {
    let parsed = Architecture::parse(file).map_err(|e| Error::CorruptFile {
        message: format!("{ARCHITECTURE_KEY} `{file}` cannot be read: {e}"),
    })?;
    let difference = match Architecture::parse(network) {
        Ok(net) => parsed.difference(&net, compare_loss),
        // A hand-written `Network` with a string of its own: only equal text agrees.
        Err(_) => (file != network).then(|| "the architectures differ".into()),
    };
    match difference {
        Some(difference) => Err(Error::ArchitectureMismatch {
            file: file.into(),
            network: network.into(),
            difference,
        }),
        None => Ok(()),
    }
}

/// Refuses layers described by `file`, an architecture string without its loss (as
/// an ONNX graph gives them), that differ from `network`'s: widths, activations
/// and their parameters.
#[cfg(feature = "onnx")]
pub(crate) fn check_layers(file: &str, network: &str) -> Result<(), Error> {
    check(&format!("{file}; loss = mse"), network, false).map_err(|e| match e {
        Error::ArchitectureMismatch {
            network,
            difference,
            ..
        } => Error::ArchitectureMismatch {
            file: file.into(),
            network,
            difference,
        },
        e => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parameters_and_dropout_do_not_matter() {
        let a = "4 => 3 leaky_relu dropout(0.5) => 2 elu => 1 sigmoid; loss = huber";
        let b = "4 => 3 leaky_relu(0.01) => 2 elu(1) => 1 sigmoid; loss = huber(1)";
        assert!(check(a, b, true).is_ok());
        let err = check(
            a,
            "4 => 3 leaky_relu(0.2) => 2 elu => 1 sigmoid; loss = huber",
            true,
        )
        .unwrap_err();
        assert!(err.to_string().ends_with(
            "layer 0 is leaky_relu(0.01) in the file and leaky_relu(0.2) in the network"
        ));
        let mse = "4 => 3 leaky_relu => 2 elu => 1 sigmoid; loss = mse";
        assert!(check(a, mse, true).is_err() && check(a, mse, false).is_ok());
        for (other, difference) in [
            (
                "5 => 3 relu; loss = mse",
                "the input is 4 wide in the file and 5 in the network",
            ),
            (
                "4 => 3 relu; loss = mse",
                "the file has 3 layers and the network 1",
            ),
            (
                "4 => 2 leaky_relu => 2 elu => 1 sigmoid; loss = huber",
                "layer 0 is 3 wide in the file and 2 in the network",
            ),
        ] {
            let err = check(a, other, true).unwrap_err();
            assert!(err.to_string().ends_with(difference), "{err}");
        }
    }

    #[test]
    fn sequential_indices_count_activation_and_dropout_modules() {
        let indices = |s: &str| Architecture::parse(s).unwrap().sequential_indices();
        assert_eq!(
            indices("4 => 8 tanh => 6 relu => 3 softmax; loss = cce"),
            [0, 2, 4]
        );
        assert_eq!(
            indices(
                "4 => 8 relu dropout(0.2) => 6 linear => 3 leaky_relu(0.1) dropout(0.5) => 1 linear; loss = mse"
            ),
            [0, 3, 4, 7]
        );
    }

    #[test]
    fn unreadable_architectures_are_corrupt_files() {
        for bad in [
            "",
            "4 => 3 relu",
            "4 => relu; loss = mse",
            "4; loss = mse",
            "x => 1 relu; loss = mse",
            "4 => 1 relu(; loss = mse",
        ] {
            let err = check(bad, "4 => 1 relu; loss = mse", true).unwrap_err();
            assert!(matches!(err, Error::CorruptFile { .. }), "{bad}: {err}");
        }
    }
}
