//! Softmax, the one activation that couples the outputs of a layer. Its formulas
//! are written once over [`Math`]: per sample on scalars, and per vector of
//! samples (one sample in each lane) on a batch.

use super::{Activation, InitScheme};
#[cfg(feature = "alloc")]
use crate::batch::Batch;
use crate::kernels::Features;
#[cfg(feature = "alloc")]
use crate::kernels::{LaneLoop, Lanewise, each_lane_group, load, run};
use crate::real::Real;
use crate::simd::Math;
use nalgebra::SVector;

/// `softmax(z)_k = e^(z_k - m) / sum_j e^(z_j - m)` with `m = max z`; the outputs of a
/// layer sum to 1. Backward: `dL/dz = a * (g - <g, a>)` for `g = dL/da`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

/// `a = softmax(z)` over the `N` features `z(k)`.
#[inline(always)]
fn forward<V: Math, const N: usize>(z: impl Fn(usize) -> V, a: &mut impl Features<V>) {
    let mut m = z(0);
    for k in 1..N {
        m = V::max(m, z(k));
    }
    let mut sum = V::num(0.0);
    for k in 0..N {
        let e = V::exp_fast(z(k) - m);
        a.set(k, e);
        sum = sum + e;
    }
    let inv = V::num(1.0) / sum;
    for k in 0..N {
        a.set(k, a.get(k) * inv);
    }
}

/// `g = a * (g - <g, a>)` over the `N` features, in place: `dL/da` into `dL/dz`.
#[inline(always)]
fn backward<V: Math, const N: usize>(a: impl Fn(usize) -> V, g: &mut impl Features<V>) {
    let mut dot = V::num(0.0);
    for k in 0..N {
        dot = V::mul_add(g.get(k), a(k), dot);
    }
    for k in 0..N {
        g.set(k, a(k) * (g.get(k) - dot));
    }
}

impl Activation for Softmax {
    const NAME: &'static str = "softmax";
    const INIT: InitScheme = InitScheme::Glorot;

    fn forward<T: Real, const N: usize>(&self, z: &SVector<T, N>) -> SVector<T, N> {
        let mut a = *z;
        forward::<T, N>(|k| z[k], &mut a);
        a
    }

    fn backward<T: Real, const N: usize>(
        &self,
        _z: &SVector<T, N>,
        a: &SVector<T, N>,
        grad_a: &SVector<T, N>,
    ) -> SVector<T, N> {
        let mut g = *grad_a;
        backward::<T, N>(|k| a[k], &mut g);
        g
    }

    /// Vectorised across samples: each lane is one sample's softmax.
    #[cfg(feature = "alloc")]
    fn forward_batch<T: Real, const N: usize>(&self, z: &Batch<T, N>, a: &mut Batch<T, N>) {
        a.set_len(z.len());
        run(SoftmaxBatch {
            from: z,
            to: a,
            forward: true,
        });
    }

    /// Vectorised across samples: `dL/dz = a * (g - <g, a>)` per lane.
    #[cfg(feature = "alloc")]
    fn backward_batch<T: Real, const N: usize>(
        &self,
        _z: &Batch<T, N>,
        a: &Batch<T, N>,
        delta: &mut Batch<T, N>,
    ) {
        run(SoftmaxBatch {
            from: a,
            to: delta,
            forward: false,
        });
    }
}

/// The batch loop of [`forward`] (`z` into `a`) or of [`backward`] (with `a`, on
/// `delta` in place), one vector of samples at a time.
#[cfg(feature = "alloc")]
struct SoftmaxBatch<'a, T, const N: usize> {
    from: &'a Batch<T, N>,
    to: &'a mut Batch<T, N>,
    forward: bool,
}

#[cfg(feature = "alloc")]
impl<T: Real, const N: usize> LaneLoop for SoftmaxBatch<'_, T, N> {
    type Scalar = T;
    type Output = ();

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) {
        let (stride, from) = (self.from.capacity(), self.from.as_slice());
        let at = |k: usize, s: usize| -> V { load(from, k * stride + s) };
        if self.forward {
            each_lane_group(self.to, |s, a| forward::<V, N>(|k| at(k, s), a));
        } else {
            each_lane_group(self.to, |s, g| backward::<V, N>(|k| at(k, s), g));
        }
    }
}
