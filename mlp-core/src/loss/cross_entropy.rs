//! The cross-entropy losses, each computed from the logits and fused with its output
//! activation: `bce` after sigmoid, `cce` and `sparse_cce` after softmax. Each
//! formula is written once over [`Math`], for one sample and for a batch (one sample
//! in each lane).

use super::{AtLeastTwo, CLASS, DISTRIBUTION, PROBABILITY, argmax, check_each, per_output, vector};
use super::{CCE_SUM_TOLERANCE, Loss, PairsWith, TargetFault};
#[cfg(feature = "alloc")]
use super::{weigh_deltas, weighted};
use crate::activation::{Sigmoid, Softmax};
#[cfg(feature = "alloc")]
use crate::batch::LayerBuffers;
use crate::kernels::Features;
#[cfg(feature = "alloc")]
use crate::kernels::{LaneLoop, Lanewise, each_lane_group, load, run, sum_samples, update_batch};
use crate::real::Real;
use crate::simd::Math;
#[cfg(feature = "alloc")]
use core::marker::PhantomData;
use nalgebra::SVector;

/// Binary cross-entropy, mean over `B * K`, computed from the logit with log-sigmoid.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bce;

/// Categorical cross-entropy, `(1/B) sum_s -sum_k y_k ln softmax(z)_k`, via log-softmax.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cce;

/// Categorical cross-entropy with the class index as the target.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SparseCce;

/// `max(z, 0) - z y + ln(1 + e^-|z|)`: the bce of one output from its logit, the
/// stable form of `-(y ln a + (1-y) ln(1-a))`.
#[inline(always)]
fn bce<V: Math>(z: V, y: V) -> V {
    V::max(z, V::num(0.0)) - z * y + V::ln_1p(V::exp(-V::abs(z)))
}

/// `dl/dz = (a - y) scale` of one output: `scale` is `1/K` times the batch's scale.
#[inline(always)]
fn bce_delta<V: Math>(a: V, y: V, scale: V) -> V {
    (a - y) * scale
}

/// `ln(sum_k e^(z_k))` of the `K` values `z(k)`, without overflow. The terms
/// `e^(z_k - max)` are at most 1 and one of them is 1, so [`Math::exp_fast`]
/// serves: the terms it gives as 0 (below the normal range) are far below the
/// rounding of a sum of at least 1.
#[inline(always)]
fn log_sum_exp<V: Math, const K: usize>(z: impl Fn(usize) -> V) -> V {
    let mut m = z(0);
    for k in 1..K {
        m = V::max(m, z(k));
    }
    let mut sum = V::num(0.0);
    for k in 0..K {
        sum = sum + V::exp_fast(z(k) - m);
    }
    m + V::ln(sum)
}

/// `sum_k y_k (lse(z) - z_k)`: the cce of one sample, via log-softmax. Outputs
/// with `y_k = 0` add nothing, even where the logit is not finite.
#[inline(always)]
fn cce<V: Math, const K: usize>(z: impl Fn(usize) -> V, y: impl Fn(usize) -> V) -> V {
    let lse = log_sum_exp::<V, K>(&z);
    let mut l = V::num(0.0);
    for k in 0..K {
        let yk = y(k);
        l = V::gt_select(yk, V::num(0.0), V::mul_add(yk, lse - z(k), l), l);
    }
    l
}

/// `dl/dz = (a sum(y) - y) scale` of one sample, written over its target `y`.
#[inline(always)]
fn cce_delta<V: Math, const K: usize>(a: impl Fn(usize) -> V, y: &mut impl Features<V>, scale: V) {
    let mut total = V::num(0.0);
    for k in 0..K {
        total = total + y.get(k);
    }
    for k in 0..K {
        y.set(k, V::mul_add(a(k), total, -y.get(k)) * scale);
    }
}

impl Loss for Bce {
    const NAME: &'static str = "bce";
    type Target<T: Real, const K: usize> = [T; K];

    fn check<T: Real, const K: usize>(&self, y: &[T; K]) -> Result<(), TargetFault> {
        check_each(y, |v| v >= T::zero() && v <= T::one(), PROBABILITY)
    }

    /// `max(z, 0) - z y + ln(1 + e^-|z|)`, the stable form of `-(y ln a + (1-y) ln(1-a))`.
    fn value<T: Real, const K: usize>(
        &self,
        z: &SVector<T, K>,
        _a: &SVector<T, K>,
        y: &[T; K],
    ) -> T {
        let mut sum = T::zero();
        for k in 0..K {
            sum += bce(z[k], y[k]);
        }
        sum * per_output::<T, K>()
    }

    fn grad_a<T: Real, const K: usize>(&self, a: &SVector<T, K>, y: &[T; K]) -> SVector<T, K> {
        SVector::from_fn(|k, _| (a[k] - y[k]) / (a[k] * (T::one() - a[k]))) * per_output::<T, K>()
    }

    /// Each output is a yes/no decision at 0.5.
    fn accuracy<T: Real, const K: usize>(&self, a: &[T; K], y: &[T; K]) -> Option<f64> {
        let half = T::of(0.5);
        let right = a
            .iter()
            .zip(y)
            .filter(|(a, y)| (**a > half) == (**y > half))
            .count();
        Some(right as f64 / K as f64)
    }
}

/// Fused: `dl/dz = (a - y) / K`, never `dl/da * da/dz`. Vectorised across samples.
impl<const K: usize> PairsWith<Sigmoid, K> for Bce {
    #[inline]
    fn delta<T: Real>(
        &self,
        _: &Sigmoid,
        _z: &SVector<T, K>,
        a: &SVector<T, K>,
        y: &[T; K],
    ) -> SVector<T, K> {
        SVector::from_fn(|k, _| bce_delta(a[k], y[k], per_output::<T, K>()))
    }

    #[cfg(feature = "alloc")]
    fn batch_loss<T: Real>(
        &self,
        _: &Sigmoid,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
    ) -> T {
        fused::<Self, T, K>(out, targets, None, None)
    }

    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        _: &Sigmoid,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
        scale: T,
        weights: Option<&[T]>,
    ) -> T {
        fused::<Self, T, K>(out, targets, Some(scale), weights)
    }
}

/// A fused loss whose batch loop reads the targets from `out.delta`: the sum of
/// the per-sample losses and, with a `scale`, `scale * dl/dz` over the targets;
/// with `weights`, the weighted sum (the caller weighs the deltas).
#[cfg(feature = "alloc")]
trait OverTargets {
    fn over_targets<T: Real, V: Lanewise<T>, const K: usize>(
        out: &mut LayerBuffers<T, K>,
        scale: Option<T>,
        weights: Option<&[T]>,
    ) -> T;
}

/// Loads `targets` into `out.delta` and runs `L`'s batch loop.
#[inline(always)]
#[cfg(feature = "alloc")]
fn fused<L: OverTargets, T: Real, const K: usize>(
    out: &mut LayerBuffers<T, K>,
    targets: &[[T; K]],
    scale: Option<T>,
    weights: Option<&[T]>,
) -> T {
    out.delta.load(targets);
    let sum = run(Fused::<L, T, K> {
        out: &mut *out,
        scale,
        weights,
        loss: PhantomData,
    });
    if let Some(w) = weights {
        weigh_deltas(&mut out.delta, w);
    }
    sum
}

#[cfg(feature = "alloc")]
struct Fused<'a, L, T, const K: usize> {
    out: &'a mut LayerBuffers<T, K>,
    scale: Option<T>,
    weights: Option<&'a [T]>,
    loss: PhantomData<L>,
}

#[cfg(feature = "alloc")]
impl<L: OverTargets, T: Real, const K: usize> LaneLoop for Fused<'_, L, T, K> {
    type Scalar = T;
    type Output = T;

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) -> T {
        L::over_targets::<T, V, K>(self.out, self.scale, self.weights)
    }
}

/// The bce sum, and the delta `(a - y) scale / K`.
#[cfg(feature = "alloc")]
impl OverTargets for Bce {
    #[inline(always)]
    fn over_targets<T: Real, V: Lanewise<T>, const K: usize>(
        out: &mut LayerBuffers<T, K>,
        scale: Option<T>,
        weights: Option<&[T]>,
    ) -> T {
        let (stride, len) = (out.z.capacity(), out.z.len());
        let (z, y) = (out.z.as_slice(), out.delta.as_slice());
        let mut sum = T::ZERO;
        for k in 0..K {
            let base = k * stride;
            sum += match weights {
                None => sum_samples::<T, V>(
                    len,
                    |s| bce(load(z, base + s), load(y, base + s)),
                    |s| bce(z[base + s], y[base + s]),
                ),
                Some(w) => sum_samples::<T, V>(
                    len,
                    |s| weighted(bce(load(z, base + s), load(y, base + s)), load(w, s)),
                    |s| weighted(bce(z[base + s], y[base + s]), w[s]),
                ),
            };
        }
        if let Some(scale) = scale {
            let scale = V::splat(scale * per_output::<T, K>());
            update_batch(&out.a, &mut out.delta, |a, y| bce_delta(a, y, scale));
        }
        sum * per_output::<T, K>()
    }
}

impl Loss for Cce {
    const NAME: &'static str = "cce";
    type Target<T: Real, const K: usize> = [T; K];

    /// Each row is a probability distribution: values in [0, 1] summing to 1 within
    /// [`CCE_SUM_TOLERANCE`]. The fault names the column where the running sum
    /// passes 1, or the last column when the row sums to less.
    fn check<T: Real, const K: usize>(&self, y: &[T; K]) -> Result<(), TargetFault> {
        check_each(y, |v| v >= T::zero() && v <= T::one(), PROBABILITY)?;
        let mut sum = 0.0;
        for (column, v) in y.iter().enumerate() {
            sum += v.to_f64();
            if sum > 1.0 + CCE_SUM_TOLERANCE || (column == K - 1 && sum < 1.0 - CCE_SUM_TOLERANCE) {
                return Err(TargetFault {
                    column,
                    value: v.to_f64(),
                    expected: DISTRIBUTION,
                });
            }
        }
        Ok(())
    }

    fn value<T: Real, const K: usize>(
        &self,
        z: &SVector<T, K>,
        _a: &SVector<T, K>,
        y: &[T; K],
    ) -> T {
        cce::<T, K>(|k| z[k], |k| y[k])
    }

    fn grad_a<T: Real, const K: usize>(&self, a: &SVector<T, K>, y: &[T; K]) -> SVector<T, K> {
        SVector::from_fn(|k, _| -y[k] / a[k])
    }

    /// The class with the largest output against the class with the largest target.
    fn accuracy<T: Real, const K: usize>(&self, a: &[T; K], y: &[T; K]) -> Option<f64> {
        Some(f64::from(u8::from(argmax(a) == argmax(y))))
    }
}

/// Fused: `dl/dz = a sum(y) - y`, which is `a - y` for targets that sum to 1.
/// Vectorised across samples.
impl<const K: usize> PairsWith<Softmax, K> for Cce {
    #[inline]
    fn delta<T: Real>(
        &self,
        _: &Softmax,
        _z: &SVector<T, K>,
        a: &SVector<T, K>,
        y: &[T; K],
    ) -> SVector<T, K> {
        let () = AtLeastTwo::<K>::OUTPUTS;
        let mut d = vector(y);
        cce_delta::<T, K>(|k| a[k], &mut d, T::ONE);
        d
    }

    #[cfg(feature = "alloc")]
    fn batch_loss<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        fused::<Self, T, K>(out, targets, None, None)
    }

    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
        scale: T,
        weights: Option<&[T]>,
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        fused::<Self, T, K>(out, targets, Some(scale), weights)
    }
}

/// The cce sum `sum_k y_k (lse(z) - z_k)`, and the delta `(a sum(y) - y) scale`.
#[cfg(feature = "alloc")]
impl OverTargets for Cce {
    #[inline(always)]
    fn over_targets<T: Real, V: Lanewise<T>, const K: usize>(
        out: &mut LayerBuffers<T, K>,
        scale: Option<T>,
        weights: Option<&[T]>,
    ) -> T {
        let (stride, len) = (out.z.capacity(), out.z.len());
        let (z, y) = (out.z.as_slice(), out.delta.as_slice());
        let vector = |s: usize| {
            let at = |k: usize| k * stride + s;
            cce::<V, K>(|k| load(z, at(k)), |k| load(y, at(k)))
        };
        let one = |s: usize| cce::<T, K>(|k| z[k * stride + s], |k| y[k * stride + s]);
        let sum = match weights {
            None => sum_samples::<T, V>(len, vector, one),
            Some(w) => sum_samples::<T, V>(
                len,
                |s| weighted(vector(s), load(w, s)),
                |s| weighted(one(s), w[s]),
            ),
        };
        if let Some(scale) = scale {
            let (a, scale) = (out.a.as_slice(), V::splat(scale));
            each_lane_group(&mut out.delta, |s, y| {
                cce_delta::<V, K>(|k| load(a, k * stride + s), y, scale);
            });
        }
        sum
    }
}

impl Loss for SparseCce {
    const NAME: &'static str = "sparse_cce";
    type Target<T: Real, const K: usize> = usize;

    fn check<T: Real, const K: usize>(&self, y: &usize) -> Result<(), TargetFault> {
        if *y < K {
            Ok(())
        } else {
            Err(TargetFault {
                column: 0,
                value: *y as f64,
                expected: CLASS,
            })
        }
    }

    fn value<T: Real, const K: usize>(
        &self,
        z: &SVector<T, K>,
        _a: &SVector<T, K>,
        y: &usize,
    ) -> T {
        log_sum_exp::<T, K>(|k| z[k]) - z[*y]
    }

    fn grad_a<T: Real, const K: usize>(&self, a: &SVector<T, K>, y: &usize) -> SVector<T, K> {
        SVector::from_fn(|k, _| if k == *y { -T::one() / a[k] } else { T::zero() })
    }

    /// The class with the largest output against the label.
    fn accuracy<T: Real, const K: usize>(&self, a: &[T; K], y: &usize) -> Option<f64> {
        Some(f64::from(u8::from(argmax(a) == *y)))
    }
}

/// Fused: `dl/dz = a - onehot(y)`. Vectorised across samples.
impl<const K: usize> PairsWith<Softmax, K> for SparseCce {
    #[inline]
    fn delta<T: Real>(
        &self,
        _: &Softmax,
        _z: &SVector<T, K>,
        a: &SVector<T, K>,
        y: &usize,
    ) -> SVector<T, K> {
        let () = AtLeastTwo::<K>::OUTPUTS;
        let mut d = *a;
        d[*y] -= T::one();
        d
    }

    #[cfg(feature = "alloc")]
    fn batch_loss<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[usize],
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        run(SparseCceBatch {
            out,
            targets,
            scale: None,
            weights: None,
        })
    }

    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[usize],
        scale: T,
        weights: Option<&[T]>,
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        let sum = run(SparseCceBatch {
            out: &mut *out,
            targets,
            scale: Some(scale),
            weights,
        });
        if let Some(weights) = weights {
            weigh_deltas(&mut out.delta, weights);
        }
        sum
    }
}

/// The sparse_cce sum `sum_s lse(z_s) - z_s[label_s]`, and with a `scale` the
/// delta `(a - onehot(label)) scale` in `out.delta`; with `weights`, the weighted
/// sum (the caller weighs the deltas).
#[cfg(feature = "alloc")]
struct SparseCceBatch<'a, T, const K: usize> {
    out: &'a mut LayerBuffers<T, K>,
    targets: &'a [usize],
    scale: Option<T>,
    weights: Option<&'a [T]>,
}

#[cfg(feature = "alloc")]
impl<T: Real, const K: usize> LaneLoop for SparseCceBatch<'_, T, K> {
    type Scalar = T;
    type Output = T;

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) -> T {
        let (out, targets) = (self.out, self.targets);
        let (stride, len) = (out.z.capacity(), out.z.len());
        let z = out.z.as_slice();
        let mut lse = [T::ZERO; 16];
        let mut sum = T::ZERO;
        for s0 in (0..len).step_by(V::LANES) {
            let v = log_sum_exp::<V, K>(|k| load(z, k * stride + s0));
            // SAFETY: `lse` holds 16 scalars, the most lanes of any vector.
            unsafe { v.write(lse.as_mut_ptr()) };
            for (s, &c) in targets.iter().enumerate().skip(s0).take(V::LANES) {
                let l = lse[s - s0] - z[c * stride + s];
                sum += match self.weights {
                    None => l,
                    Some(w) => weighted(l, w[s]),
                };
            }
        }
        if let Some(scale) = self.scale {
            let scale_lanes = V::splat(scale);
            update_batch(&out.a, &mut out.delta, |a: V, _| a * scale_lanes);
            let d = out.delta.as_mut_slice();
            for (s, &c) in targets.iter().enumerate() {
                d[c * stride + s] -= scale;
            }
        }
        sum
    }
}
