//! Names and shapes of a network's parameter tensors.

use core::fmt;

/// Which of a dense layer's two tensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// The weight matrix, shape `(out, in)`.
    Weight,
    /// The bias vector, shape `(out,)`.
    Bias,
}

/// A parameter tensor: `layers.{layer}.weight` or `layers.{layer}.bias`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TensorId {
    /// 0-based index of the dense layer.
    pub layer: usize,
    /// Weight or bias.
    pub kind: TensorKind,
}

impl TensorId {
    /// The tensor with flat index `index` in the order weight 0, bias 0, weight 1, ...
    pub const fn from_index(index: usize) -> Self {
        let kind = if index.is_multiple_of(2) {
            TensorKind::Weight
        } else {
            TensorKind::Bias
        };
        Self {
            layer: index / 2,
            kind,
        }
    }

    /// Every tensor of a network of `layers` dense layers, in the order weight 0,
    /// bias 0, weight 1, ...: the one loop over a network's parameters.
    pub fn all(layers: usize) -> impl Iterator<Item = TensorId> + Clone {
        (0..2 * layers).map(TensorId::from_index)
    }

    /// The flat index of this tensor (weight 0, bias 0, weight 1, ...).
    pub const fn index(self) -> usize {
        2 * self.layer + matches!(self.kind, TensorKind::Bias) as usize
    }

    /// The tensor's shape for a network whose layer widths (input first) are `widths`:
    /// `[out, in]` for a weight, `[out]` for a bias.
    pub fn shape(self, widths: &[usize]) -> Shape {
        let (inp, out) = (widths[self.layer], widths[self.layer + 1]);
        match self.kind {
            TensorKind::Weight => Shape::Matrix(out, inp),
            TensorKind::Bias => Shape::Vector(out),
        }
    }
}

impl fmt::Display for TensorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            TensorKind::Weight => "weight",
            TensorKind::Bias => "bias",
        };
        write!(f, "layers.{}.{kind}", self.layer)
    }
}

/// The shape of a parameter tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `(rows, columns)`.
    Matrix(usize, usize),
    /// `(length,)`.
    Vector(usize),
}

impl Shape {
    /// The number of values.
    pub const fn len(self) -> usize {
        match self {
            Shape::Matrix(r, c) => r * c,
            Shape::Vector(n) => n,
        }
    }

    /// Whether the tensor holds no value.
    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// Where row-major element `k` of a tensor of `shape` sits in nalgebra's
/// column-major storage. The row-major order is the one files, [`crate::Network::to_flat`]
/// and error messages use; storage is what the kernels read.
pub(crate) fn storage_index(shape: Shape, k: usize) -> usize {
    match shape {
        Shape::Matrix(rows, cols) => (k % cols) * rows + k / cols,
        Shape::Vector(_) => k,
    }
}

/// The row-major index of storage element `k`: the inverse of [`storage_index`].
pub(crate) fn row_major_index(shape: Shape, k: usize) -> usize {
    match shape {
        Shape::Matrix(rows, cols) => (k % rows) * cols + k / rows,
        Shape::Vector(_) => k,
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Matrix(r, c) => write!(f, "({r}, {c})"),
            Shape::Vector(n) => write!(f, "({n},)"),
        }
    }
}
