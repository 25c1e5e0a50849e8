//! A dense (fully connected) layer's parameters.

use crate::activation::InitScheme;
use crate::init::Uniform;
use crate::real::Real;
use nalgebra::{ComplexField, SMatrix, SVector};

/// The weight `W` (shape `(OUT, IN)`, as PyTorch's `nn.Linear`) and bias `b` of a
/// dense layer: `z = W a + b`.
///
/// Aligned to a cache line, so that each column of a `W` whose height is a multiple
/// of 16 `f32` (or 8 `f64`) lies in whole cache lines: the one-sample product streams
/// them one line per vector load.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Dense<T, const IN: usize, const OUT: usize> {
    /// `W`, one row per output neuron.
    pub weight: SMatrix<T, OUT, IN>,
    /// `b`, one entry per output neuron.
    pub bias: SVector<T, OUT>,
}

impl<T: Real, const IN: usize, const OUT: usize> Dense<T, IN, OUT> {
    /// Weights and biases from row-major arrays: `weight[o][i]` connects input `i` to
    /// output `o`.
    pub fn from_arrays(weight: &[[T; IN]; OUT], bias: &[T; OUT]) -> Self {
        Self {
            weight: SMatrix::from_fn(|o, i| weight[o][i]),
            bias: SVector::from_column_slice(bias),
        }
    }

    /// All parameters zero.
    pub fn zeros() -> Self {
        Self {
            weight: SMatrix::zeros(),
            bias: SVector::zeros(),
        }
    }

    /// All parameters zero, allocated directly on the heap: large layers never
    /// pass through the stack, not even in debug builds.
    #[cfg(feature = "alloc")]
    pub fn boxed_zeros() -> alloc::boxed::Box<Self> {
        use alloc::alloc::{Layout, alloc_zeroed, handle_alloc_error};
        use alloc::boxed::Box;
        use core::ptr::NonNull;
        let layout = Layout::new::<Self>();
        // No value of `Self` is ever built here, not even on a branch not taken:
        // a debug build reserves stack for every such value in the frame.
        let ptr = if layout.size() == 0 {
            NonNull::<Self>::dangling().as_ptr()
        } else {
            // SAFETY: the layout has a non-zero size.
            let ptr = unsafe { alloc_zeroed(layout) }.cast::<Self>();
            if ptr.is_null() {
                handle_alloc_error(layout);
            }
            ptr
        };
        // SAFETY: `T` is `f32` or `f64` (`Real` is sealed), for which all-zero bits
        // are `0.0`; `Self` holds only such values (and zero-sized markers), so the
        // zeroed allocation (or, for a zero-sized `Self`, the dangling pointer) is a
        // valid `Self` with `Self`'s layout, as `Box` requires.
        unsafe { Box::from_raw(ptr) }
    }

    /// A copy made directly on the heap: a large layer never passes through the
    /// stack, not even in debug builds.
    #[cfg(feature = "alloc")]
    pub fn boxed_clone(&self) -> alloc::boxed::Box<Self> {
        let mut copy = Self::boxed_zeros();
        copy.copy_from(self);
        copy
    }

    /// Overwrites every parameter with `source`'s in place, slice to slice: no
    /// allocation, and no copy of the layer on the stack.
    pub fn copy_from(&mut self, source: &Self) {
        self.weight
            .as_mut_slice()
            .copy_from_slice(source.weight.as_slice());
        self.bias
            .as_mut_slice()
            .copy_from_slice(source.bias.as_slice());
    }

    /// Draws the weights from `scheme`'s uniform distribution, row by row, and zeroes
    /// the bias.
    pub fn initialise(&mut self, scheme: InitScheme, rng: &mut Uniform) {
        let limit = match scheme {
            InitScheme::Glorot => ComplexField::sqrt(6.0 / (IN + OUT) as f64),
            InitScheme::He => ComplexField::sqrt(6.0 / IN as f64),
        };
        for o in 0..OUT {
            for i in 0..IN {
                self.weight[(o, i)] = T::of(rng.between(-limit, limit));
            }
        }
        self.bias.fill(T::zero());
    }

    /// Sets every parameter to zero.
    pub fn clear(&mut self) {
        self.weight.fill(T::zero());
        self.bias.fill(T::zero());
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn boxed_clone_copies_every_parameter() {
        let mut layer = Dense::<f64, 3, 2>::boxed_zeros();
        layer.initialise(InitScheme::Glorot, &mut Uniform::new(5));
        layer.bias[1] = 0.25;
        assert_eq!(layer.boxed_clone(), layer);
    }

    #[test]
    fn zero_sized_layers_box_and_clone() {
        assert_eq!(core::mem::size_of::<Dense<f32, 0, 0>>(), 0);
        let layer = Dense::<f32, 0, 0>::boxed_zeros();
        assert_eq!(layer.boxed_clone(), layer);
    }
}
