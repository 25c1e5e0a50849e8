//! The loops that run the activations' and losses' formulas (each written once,
//! over [`Math`](crate::simd::Math)) on a batch, one SIMD vector of samples at a time.

#[cfg(feature = "alloc")]
use crate::activation::Elementwise;
#[cfg(feature = "alloc")]
use crate::batch::Batch;
use crate::real::Real;
#[cfg(feature = "alloc")]
use crate::simd::Lanes;
use nalgebra::SVector;

/// `N` values by feature, read and written in place: one sample's vector (`V` the
/// scalar), or the same lanes of every feature run of a batch (`V` the vector).
pub(crate) trait Features<V> {
    /// Feature `k`.
    fn get(&self, k: usize) -> V;
    /// Sets feature `k`.
    fn set(&mut self, k: usize, v: V);
}

impl<T: Real, const N: usize> Features<T> for SVector<T, N> {
    #[inline(always)]
    fn get(&self, k: usize) -> T {
        self[k]
    }
    #[inline(always)]
    fn set(&mut self, k: usize, v: T) {
        self[k] = v;
    }
}

/// Samples `at..at + LANES` of every feature run of a feature-major buffer.
#[cfg(feature = "alloc")]
pub(crate) struct LaneGroup<'a, V: Lanes> {
    data: &'a mut [V::Scalar],
    stride: usize,
    at: usize,
}

#[cfg(feature = "alloc")]
impl<V: Lanes> Features<V> for LaneGroup<'_, V> {
    #[inline(always)]
    fn get(&self, k: usize) -> V {
        V::load(self.data, k * self.stride + self.at)
    }
    #[inline(always)]
    fn set(&mut self, k: usize, v: V) {
        v.store(self.data, k * self.stride + self.at);
    }
}

/// Calls `each(s, lanes)` for every vector of samples `s..s + LANES` of `batch`'s
/// padded runs, `lanes` being those samples of every feature.
#[inline(always)]
#[cfg(feature = "alloc")]
pub(crate) fn each_lane_group<T: Real, const N: usize>(
    batch: &mut Batch<T, N>,
    mut each: impl FnMut(usize, &mut LaneGroup<'_, T::Lanes>),
) {
    let (stride, samples) = (batch.capacity(), batch.padded_len());
    let data = batch.as_mut_slice();
    for at in (0..samples).step_by(T::Lanes::LANES) {
        let data = &mut *data;
        each(at, &mut LaneGroup { data, stride, at });
    }
}

/// `a = act(z)` for every sample (and the padding) of a batch.
#[inline]
#[cfg(feature = "alloc")]
pub(crate) fn activate_batch<E: Elementwise, T: Real, const N: usize>(
    e: &E,
    z: &Batch<T, N>,
    a: &mut Batch<T, N>,
) {
    a.set_len(z.len());
    let lanes = T::Lanes::LANES;
    for f in 0..N {
        let (z, a) = (z.feature_padded(f), a.feature_padded_mut(f));
        for s in (0..z.len()).step_by(lanes) {
            e.f(T::Lanes::load(z, s)).store(a, s);
        }
    }
}

/// `delta *= act'(z)` for every sample of a batch: `dL/da` into `dL/dz`.
#[inline]
#[cfg(feature = "alloc")]
pub(crate) fn derivative_batch<E: Elementwise, T: Real, const N: usize>(
    e: &E,
    z: &Batch<T, N>,
    a: &Batch<T, N>,
    delta: &mut Batch<T, N>,
) {
    let lanes = T::Lanes::LANES;
    for f in 0..N {
        let (z, a, d) = (
            z.feature_padded(f),
            a.feature_padded(f),
            delta.feature_padded_mut(f),
        );
        for s in (0..z.len()).step_by(lanes) {
            let df = e.df(T::Lanes::load(z, s), T::Lanes::load(a, s));
            (T::Lanes::load(d, s) * df).store(d, s);
        }
    }
}

/// `out = f(x, out)` on every padded value of `out`'s samples.
#[inline(always)]
#[cfg(feature = "alloc")]
pub(crate) fn update_batch<T: Real, const N: usize>(
    x: &Batch<T, N>,
    out: &mut Batch<T, N>,
    f: impl Fn(T::Lanes, T::Lanes) -> T::Lanes,
) {
    let lanes = T::Lanes::LANES;
    for k in 0..N {
        let (x, out) = (x.feature_padded(k), out.feature_padded_mut(k));
        for s in (0..out.len()).step_by(lanes) {
            f(T::Lanes::load(x, s), T::Lanes::load(out, s)).store(out, s);
        }
    }
}

/// Sums `per_sample(s)` over samples `0..len`: whole vectors of samples through
/// `vector(s)` (summed across lanes), the last partial vector one sample at a time.
#[inline(always)]
#[cfg(feature = "alloc")]
pub(crate) fn sum_samples<T: Real>(
    len: usize,
    vector: impl Fn(usize) -> T::Lanes,
    per_sample: impl Fn(usize) -> T,
) -> T {
    let lanes = T::Lanes::LANES;
    let full = len / lanes * lanes;
    let mut acc = T::Lanes::splat(T::ZERO);
    for s in (0..full).step_by(lanes) {
        acc += vector(s);
    }
    let mut sum = acc.sum();
    for s in full..len {
        sum += per_sample(s);
    }
    sum
}
