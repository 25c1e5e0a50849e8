//! The loops that run the activations' and losses' formulas (each written once,
//! over [`Math`]) on a batch, one SIMD vector of samples at a time.
//!
//! A batch loop is a [`LaneLoop`], generic over the vector type it computes in,
//! and [`run`] runs it in the vectors of the path chosen at run time: `wide`'s
//! portable lanes, or on x86 the AVX2+FMA and AVX-512 vectors inside bodies
//! compiled for those instruction sets (`x86/math.rs`), as the products do.

// Named by path: in scope, `Vector::LANES` would make `Lanes::LANES` ambiguous.
use super::vector;
#[cfg(feature = "alloc")]
use crate::activation::Elementwise;
#[cfg(feature = "alloc")]
use crate::batch::Batch;
use crate::real::Real;
use crate::simd::Math;
use nalgebra::SVector;

/// A vector the batch loops compute in: its loads and stores, and [`Math`] for
/// the formulas.
pub(crate) trait Lanewise<T>: vector::Vector<Scalar = T> + Math {}

impl<T, V: vector::Vector<Scalar = T> + Math> Lanewise<T> for V {}

/// A loop over vectors of `Scalar`, written once for every vector type.
pub(crate) trait LaneLoop {
    /// The scalar in each lane.
    type Scalar: Real;
    /// What the loop returns.
    type Output;
    /// The loop in vectors `V`. Implementations are `#[inline(always)]`, so that the
    /// whole loop compiles into the body of the instruction set `V` belongs to.
    fn run<V: Lanewise<Self::Scalar>>(self) -> Self::Output;
}

/// Runs `kernel` in the widest vectors this CPU has (see the module's docs).
#[inline(always)]
pub(crate) fn run<K: LaneLoop>(kernel: K) -> K::Output {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    return super::x86::run(kernel);
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    kernel.run::<<K::Scalar as Real>::Lanes>()
}

/// Lanes `at..at + V::LANES` of `s`.
#[inline(always)]
pub(crate) fn load<V: vector::Vector>(s: &[V::Scalar], at: usize) -> V {
    let s = &s[at..at + V::LANES];
    // SAFETY: `s` holds `LANES` scalars.
    unsafe { V::read(s.as_ptr()) }
}

/// Writes `v` to lanes `at..at + V::LANES` of `s`.
#[inline(always)]
pub(crate) fn store<V: vector::Vector>(v: V, s: &mut [V::Scalar], at: usize) {
    let s = &mut s[at..at + V::LANES];
    // SAFETY: `s` holds `LANES` scalars.
    unsafe { v.write(s.as_mut_ptr()) }
}

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
pub(crate) struct LaneGroup<'a, V: vector::Vector> {
    data: &'a mut [V::Scalar],
    stride: usize,
    at: usize,
}

#[cfg(feature = "alloc")]
impl<V: vector::Vector> Features<V> for LaneGroup<'_, V> {
    #[inline(always)]
    fn get(&self, k: usize) -> V {
        load(self.data, k * self.stride + self.at)
    }
    #[inline(always)]
    fn set(&mut self, k: usize, v: V) {
        store(v, self.data, k * self.stride + self.at);
    }
}

/// Calls `each(s, lanes)` for every vector of samples `s..s + LANES` of `batch`'s
/// padded runs, `lanes` being those samples of every feature.
#[inline(always)]
#[cfg(feature = "alloc")]
pub(crate) fn each_lane_group<T: Real, V: vector::Vector<Scalar = T>, const N: usize>(
    batch: &mut Batch<T, N>,
    mut each: impl FnMut(usize, &mut LaneGroup<'_, V>),
) {
    let (stride, samples) = (batch.capacity(), batch.padded_len());
    let data = batch.as_mut_slice();
    for at in (0..samples).step_by(V::LANES) {
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
    run(ElementwiseBatch {
        e,
        z,
        a: None,
        out: a,
    });
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
    run(ElementwiseBatch {
        e,
        z,
        a: Some(a),
        out: delta,
    });
}

/// `out = act(z)`, or with `a` (the forward pass's) `out *= act'(z)`.
#[cfg(feature = "alloc")]
struct ElementwiseBatch<'a, E, T, const N: usize> {
    e: &'a E,
    z: &'a Batch<T, N>,
    a: Option<&'a Batch<T, N>>,
    out: &'a mut Batch<T, N>,
}

#[cfg(feature = "alloc")]
impl<E: Elementwise, T: Real, const N: usize> LaneLoop for ElementwiseBatch<'_, E, T, N> {
    type Scalar = T;
    type Output = ();

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) {
        let e = self.e;
        for f in 0..N {
            let (z, out) = (self.z.feature_padded(f), self.out.feature_padded_mut(f));
            match self.a {
                None => {
                    for s in (0..z.len()).step_by(V::LANES) {
                        store(e.f(load::<V>(z, s)), out, s);
                    }
                }
                Some(a) => {
                    let a = a.feature_padded(f);
                    for s in (0..z.len()).step_by(V::LANES) {
                        let df = e.df(load::<V>(z, s), load(a, s));
                        store(load::<V>(out, s) * df, out, s);
                    }
                }
            }
        }
    }
}

/// `out = f(x, out)` on every padded value of `out`'s samples.
#[inline(always)]
#[cfg(feature = "alloc")]
pub(crate) fn update_batch<T: Real, V: Lanewise<T>, const N: usize>(
    x: &Batch<T, N>,
    out: &mut Batch<T, N>,
    f: impl Fn(V, V) -> V,
) {
    for k in 0..N {
        let (x, out) = (x.feature_padded(k), out.feature_padded_mut(k));
        for s in (0..out.len()).step_by(V::LANES) {
            store(f(load(x, s), load(out, s)), out, s);
        }
    }
}

/// Sums `per_sample(s)` over samples `0..len`: whole vectors of samples through
/// `vector(s)` (summed across lanes), the last partial vector one sample at a time.
#[inline(always)]
#[cfg(feature = "alloc")]
pub(crate) fn sum_samples<T: Real, V: Lanewise<T>>(
    len: usize,
    vector: impl Fn(usize) -> V,
    per_sample: impl Fn(usize) -> T,
) -> T {
    let full = len / V::LANES * V::LANES;
    let mut acc = V::splat(T::ZERO);
    for s in (0..full).step_by(V::LANES) {
        acc = acc + vector(s);
    }
    let mut sum = acc.sum();
    for s in full..len {
        sum += per_sample(s);
    }
    sum
}
