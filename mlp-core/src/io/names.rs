//! Which stored tensor is which layer's weight or bias.

use crate::error::Error;
use crate::network::Network;
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
    /// too, so they need not be consecutive).
    Sequential,
}

impl Names {
    /// For every tensor of `N` in order (weight 0, bias 0, weight 1, ...), the name
    /// it has in a file holding `stored`. Every tensor must be there and no other.
    pub(crate) fn map<'a, N: Network>(
        self,
        stored: impl Iterator<Item = &'a str>,
    ) -> Result<Vec<String>, Error> {
        let stored: Vec<&str> = stored.collect();
        let wanted: Vec<String> = match self {
            Names::Mlp => (0..2 * N::layers())
                .map(|t| TensorId::from_index(t).to_string())
                .collect(),
            Names::Sequential => {
                let mut modules: Vec<u64> = stored
                    .iter()
                    .filter_map(|name| name.strip_suffix(".weight").and_then(|n| n.parse().ok()))
                    .collect();
                modules.sort_unstable();
                modules.dedup();
                let mut names = Vec::new();
                if modules.len() < N::layers() {
                    return Err(Error::LayerCount {
                        expected: N::layers(),
                        found: modules.len(),
                    });
                }
                for m in &modules[..N::layers()] {
                    names.push(alloc::format!("{m}.weight"));
                    names.push(alloc::format!("{m}.bias"));
                }
                names
            }
        };
        if let Some(missing) = wanted.iter().find(|w| !stored.contains(&w.as_str())) {
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
