//! Which stored tensor is which layer's weight or bias.

use super::architecture::Architecture;
use crate::error::Error;
use crate::tensor::TensorId;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// How a file names its tensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// `layers.{i}.weight` and `layers.{i}.bias`, `i` = 0, 1, ...
    Mlp,
    /// `{n}.weight` and `{n}.bias` as an `nn.Sequential` state dict has them: the
    /// numbers in increasing order are the layers (activation modules take numbers
    /// too, so they need not be consecutive). A common prefix such as `model.net.`
    /// (a Sequential inside another module) is allowed.
    Sequential,
}

impl Names {
    /// The names a save gives the tensors of a network of `layers` layers whose
    /// architecture string is `architecture`, in order (weight 0, bias 0, weight 1,
    /// ...): for [`Names::Sequential`], the indices of the `nn.Linear` modules of the
    /// matching `nn.Sequential` (see [`super::SaveOptions::pytorch`]).
    pub(crate) fn saved(self, architecture: &str, layers: usize) -> Result<Vec<String>, Error> {
        match self {
            Names::Mlp => Ok(TensorId::all(layers).map(|id| id.to_string()).collect()),
            Names::Sequential => {
                let unreadable = |reason| Error::UnreadableArchitecture {
                    architecture: architecture.into(),
                    reason,
                };
                let indices = Architecture::parse(architecture)
                    .map_err(unreadable)?
                    .sequential_indices();
                if indices.len() != layers {
                    return Err(unreadable(alloc::format!(
                        "it has {} layers and the network {layers}",
                        indices.len()
                    )));
                }
                Ok(indices
                    .into_iter()
                    .flat_map(|i| [alloc::format!("{i}.weight"), alloc::format!("{i}.bias")])
                    .collect())
            }
        }
    }

    /// For every tensor of a network of `layers` layers in order (weight 0, bias 0,
    /// weight 1, ...), the name it has in a file holding `stored` (names and
    /// shapes). Every tensor must be there and no other.
    pub(crate) fn map<'a>(
        self,
        layers: usize,
        stored: impl Iterator<Item = (&'a str, &'a [usize])>,
    ) -> Result<Vec<String>, Error> {
        let (stored, shapes): (Vec<&str>, Vec<&[usize]>) = stored.unzip();
        if self == Names::Sequential {
            check_modules(&stored, &shapes)?;
        }
        let wanted: Vec<String> = match self {
            Names::Mlp => TensorId::all(layers).map(|id| id.to_string()).collect(),
            Names::Sequential => {
                // `{prefix}{n}.weight`, e.g. `0.weight` or `model.net.2.weight` when the
                // Sequential sits inside another module; one prefix for all.
                let mut modules: Vec<(String, u64)> = Vec::new();
                for name in &stored {
                    let Some(stem) = name.strip_suffix(".weight") else {
                        continue;
                    };
                    let (prefix, n) = match stem.rfind('.') {
                        Some(dot) => (&stem[..=dot], &stem[dot + 1..]),
                        None => ("", stem),
                    };
                    let Ok(number) = n.parse::<u64>() else {
                        continue;
                    };
                    // PyTorch writes module numbers without a sign or leading zeros:
                    // `00.weight` is not module 0's.
                    if number.to_string() != n {
                        return Err(Error::UnexpectedTensor {
                            tensor: name.to_string(),
                        });
                    }
                    modules.push((prefix.to_string(), number));
                }
                modules.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                modules.dedup();
                // Layers under a second prefix belong to another module.
                if let Some((other, n)) = modules.iter().find(|(p, _)| *p != modules[0].0) {
                    return Err(Error::UnexpectedTensor {
                        tensor: alloc::format!("{other}{n}.weight"),
                    });
                }
                let mut names = Vec::new();
                if modules.len() < layers {
                    return Err(Error::LayerCount {
                        expected: layers,
                        found: modules.len(),
                    });
                }
                for (prefix, m) in &modules[..layers] {
                    names.push(alloc::format!("{prefix}{m}.weight"));
                    names.push(alloc::format!("{prefix}{m}.bias"));
                }
                names
            }
        };
        if let Some(missing) = wanted.iter().find(|w| !stored.contains(&w.as_str())) {
            if self == Names::Mlp
                && let Some(found) = stored.iter().find(|name| is_sequential_weight(name))
            {
                return Err(Error::PytorchNames {
                    missing: missing.clone(),
                    found: found.to_string(),
                });
            }
            return Err(Error::MissingTensor {
                tensor: missing.clone(),
            });
        }
        let mut extra: Vec<&str> = stored
            .iter()
            .copied()
            .filter(|s| !wanted.iter().any(|w| w == s))
            .collect();
        extra.sort_unstable();
        if let Some(extra) = extra.first() {
            return Err(Error::UnexpectedTensor {
                tensor: extra.to_string(),
            });
        }
        Ok(wanted)
    }
}

/// `0.weight`, `model.net.2.weight` and the like: a weight named as an
/// `nn.Sequential`'s state dict names it, under any prefix but this library's.
fn is_sequential_weight(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".weight") else {
        return false;
    };
    let number = stem.rsplit('.').next().unwrap_or_default();
    !stem.starts_with("layers.") && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
}

/// Buffers only a batch normalisation module has.
const NORMALISATION_BUFFERS: [&str; 3] = [".running_mean", ".running_var", ".num_batches_tracked"];

/// Refuses, by name, a Sequential module that is neither a linear layer nor an
/// activation (which has no tensors): batch normalisation by its running
/// statistics, layer normalisation and the like by a weight that is not a matrix.
fn check_modules(stored: &[&str], shapes: &[&[usize]]) -> Result<(), Error> {
    let mut found: Vec<(&str, String)> = Vec::new();
    for (name, shape) in stored.iter().zip(shapes) {
        if let Some(module) = NORMALISATION_BUFFERS
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
        {
            found.push((module, alloc::format!("it has {name}")));
        } else if let Some(module) = name.strip_suffix(".weight")
            && shape.len() != 2
        {
            found.push((module, alloc::format!("its weight has shape {shape:?}")));
        }
    }
    // The lowest-numbered module (shorter numbers first), for a message that does
    // not depend on the order the header lists tensors in.
    found.sort_unstable_by(|a, b| (a.0.len(), a).cmp(&(b.0.len(), b)));
    match found.into_iter().next() {
        Some((module, evidence)) => Err(Error::UnsupportedModule {
            module: module.to_string(),
            evidence,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_save_names_need_a_readable_architecture_of_the_layer_count() {
        let names = Names::Sequential.saved("2 => 3 relu => 1 linear; loss = mse", 2);
        assert_eq!(names.unwrap(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
        let err = Names::Sequential.saved("my own network", 2).unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableArchitecture { architecture, .. } if architecture == "my own network"),
            "{err:?}"
        );
        let err = Names::Sequential
            .saved("2 => 3 relu; loss = mse", 2)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("it has 1 layers and the network 2"),
            "{err}"
        );
    }
}
