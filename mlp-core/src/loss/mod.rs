//! Loss functions, their gradients, and which output activation each pairs with.
//!
//! Over a batch of `B` samples the loss is the mean of a per-sample loss `l`:
//! `L = (1/B) sum_s l(s)`. Each loss's `l` is chosen so that `L` matches the
//! definitions in DESIGN.md exactly (e.g. `mse` divides by `K` inside `l`, so `L` is
//! the mean over all `B * K` values).

mod cross_entropy;
mod margin;
mod regression;

pub use cross_entropy::{Bce, Cce, SparseCce};
pub use margin::{Hinge, Perceptron};
pub use regression::{Huber, Mae, Mse, Sse};

use crate::activation::Activation;
#[cfg(feature = "alloc")]
use crate::batch::LayerBuffers;
use crate::error::Error;
use crate::real::Real;
use nalgebra::SVector;

/// Why a target value is not acceptable for a loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetFault {
    /// The output the value belongs to (0 for a class label).
    pub column: usize,
    /// The value found.
    pub value: f64,
    /// What the loss accepts, e.g. `"a probability in [0, 1]"`.
    pub expected: &'static str,
}

/// A loss function over a network's `K` outputs.
pub trait Loss: Copy {
    /// The DSL name (`"mse"`, `"bce"`, ...).
    const NAME: &'static str;

    /// What one sample's target is: `[T; K]`, or a class index for `sparse_cce`.
    type Target<T: Real, const K: usize>: Copy;

    /// Checks one sample's target.
    ///
    /// # Errors
    ///
    /// A [`TargetFault`] saying which value breaks the loss's rule.
    fn check<T: Real, const K: usize>(&self, y: &Self::Target<T, K>) -> Result<(), TargetFault>;

    /// The per-sample loss `l` from the output layer's `z` and `a`.
    fn value<T: Real, const K: usize>(
        &self,
        z: &SVector<T, K>,
        a: &SVector<T, K>,
        y: &Self::Target<T, K>,
    ) -> T;

    /// `dl/da` for one sample.
    fn grad_a<T: Real, const K: usize>(
        &self,
        a: &SVector<T, K>,
        y: &Self::Target<T, K>,
    ) -> SVector<T, K>;
    /// For a classification loss, the fraction of this sample's outputs classified
    /// correctly from its output `a` (1 or 0 for a single decision); `None` for a
    /// regression loss.
    fn accuracy<T: Real, const K: usize>(
        &self,
        _a: &[T; K],
        _y: &Self::Target<T, K>,
    ) -> Option<f64> {
        None
    }

    /// For a regression loss, the `K` values one target asks of the outputs;
    /// `None` for a classification loss.
    fn regression_values<T: Real, const K: usize>(_y: &Self::Target<T, K>) -> Option<&[T]> {
        None
    }
}

/// The loss `Self` may follow an output layer of activation `A` and width `K`.
///
/// The rules (DSL and type system alike):
///
/// | loss | output activation | outputs |
/// |---|---|---|
/// | bce | sigmoid | any |
/// | cce, sparse_cce | softmax | at least 2 |
/// | hinge, perceptron | linear (labels -1/+1) | 1 |
/// | mse, sse, mae, huber | anything but softmax | any |
#[diagnostic::on_unimplemented(
    message = "the loss `{Self}` cannot follow a `{A}` output layer",
    label = "invalid loss / output activation pairing",
    note = "bce needs sigmoid; cce and sparse_cce need softmax with at least 2 outputs; \
            hinge and perceptron need one linear output; mse, sse, mae and huber take \
            anything but softmax"
)]
pub trait PairsWith<A: Activation, const K: usize>: Loss {
    /// `dl/dz` for one sample: the chain rule through `A` unless a fused form exists.
    #[inline]
    fn delta<T: Real>(
        &self,
        act: &A,
        z: &SVector<T, K>,
        a: &SVector<T, K>,
        y: &Self::Target<T, K>,
    ) -> SVector<T, K> {
        act.backward(z, a, &self.grad_a(a, y))
    }

    /// The sum of the per-sample losses of the batch in `out` (`out.delta` may be
    /// used as scratch). One sample at a time unless the pair has a vectorised form.
    #[inline]
    #[cfg(feature = "alloc")]
    fn batch_loss<T: Real>(
        &self,
        _act: &A,
        out: &mut LayerBuffers<T, K>,
        targets: &[Self::Target<T, K>],
    ) -> T {
        let mut sum = T::ZERO;
        for (s, y) in targets.iter().enumerate() {
            sum += self.value(&out.z.sample(s), &out.a.sample(s), y);
        }
        sum
    }

    /// Writes `scale * dl/dz` of every sample into `out.delta` and returns the sum of
    /// the per-sample losses. With `weights`, sample `s` counts `weights[s]` times:
    /// its delta is `scale * weights[s] * dl/dz` and the sum `sum_s weights[s] l(s)`;
    /// a row of weight 0 gets a zero delta and adds nothing, whatever its loss. One
    /// sample at a time unless the pair has a vectorised form.
    #[inline]
    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        act: &A,
        out: &mut LayerBuffers<T, K>,
        targets: &[Self::Target<T, K>],
        scale: T,
        weights: Option<&[T]>,
    ) -> T {
        let mut sum = T::ZERO;
        let Some(weights) = weights else {
            for (s, y) in targets.iter().enumerate() {
                let (z, a) = (out.z.sample(s), out.a.sample(s));
                sum += self.value(&z, &a, y);
                out.delta
                    .set_sample(s, &(self.delta(act, &z, &a, y) * scale));
            }
            return sum;
        };
        for (s, (y, &w)) in targets.iter().zip(weights).enumerate() {
            if w == T::ZERO {
                out.delta.set_sample(s, &SVector::zeros());
                continue;
            }
            let (z, a) = (out.z.sample(s), out.a.sample(s));
            sum += self.value(&z, &a, y) * w;
            out.delta
                .set_sample(s, &(self.delta(act, &z, &a, y) * (scale * w)));
        }
        sum
    }
}

/// `l w`, or 0 where the weight `w` is 0 (so a row of weight 0 with an infinite
/// loss adds nothing rather than NaN). Lane by lane on vectors.
#[inline(always)]
#[cfg(feature = "alloc")]
fn weighted<V: crate::simd::Math>(l: V, w: V) -> V {
    V::gt_select(w, V::num(0.0), l * w, V::num(0.0))
}

/// Multiplies sample `s`'s delta by `weights[s]` (exactly 0 where the weight is 0).
#[inline]
#[cfg(feature = "alloc")]
fn weigh_deltas<T: Real, const K: usize>(delta: &mut crate::batch::Batch<T, K>, weights: &[T]) {
    for k in 0..K {
        for (d, &w) in delta.feature_mut(k).iter_mut().zip(weights) {
            *d = if w == T::ZERO { T::ZERO } else { *d * w };
        }
    }
}

/// `AtLeastTwo::<K>::OUTPUTS` fails to compile (once instantiated) unless `K >= 2`:
/// the type-level form of "cce and sparse_cce need at least 2 outputs".
struct AtLeastTwo<const K: usize>;

impl<const K: usize> AtLeastTwo<K> {
    const OUTPUTS: () = assert!(K >= 2, "cce and sparse_cce need at least 2 softmax outputs");
}

const FINITE: &str = "a finite number";
const PROBABILITY: &str = "a probability in [0, 1]";
const SIGN_LABEL: &str = "a label of -1 or +1";
const CLASS: &str = "a class index below the number of outputs";
const DISTRIBUTION: &str = "a row of probabilities summing to 1 (within 1e-4)";

/// How far a cce target row's sum may be from 1 (rounding of soft labels in `f32`).
pub const CCE_SUM_TOLERANCE: f64 = 1e-4;

fn check_each<T: Real, const K: usize>(
    y: &[T; K],
    ok: impl Fn(T) -> bool,
    expected: &'static str,
) -> Result<(), TargetFault> {
    for (column, &v) in y.iter().enumerate() {
        if !v.is_finite() {
            return Err(TargetFault {
                column,
                value: v.to_f64(),
                expected: FINITE,
            });
        }
        if !ok(v) {
            return Err(TargetFault {
                column,
                value: v.to_f64(),
                expected,
            });
        }
    }
    Ok(())
}

fn vector<T: Real, const K: usize>(y: &[T; K]) -> SVector<T, K> {
    SVector::from_column_slice(y)
}

fn per_output<T: Real, const K: usize>() -> T {
    T::one() / T::of(K as f64)
}

/// The index of the largest value (the first of equals).
pub fn argmax<T: Real>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// The class a target names, the one rule that `fit`'s stratified holdout, class
/// weights and class metrics and `data::stratified_split` all go by: the index
/// itself for a `sparse_cce` label, the largest value of a `cce` row (the first of
/// equals, as [`argmax`]), and for a single output class 1 above 0.5 (a `bce`
/// probability as its accuracy thresholds it, a `hinge` or `perceptron` label of
/// +1 against -1).
pub trait Class {
    /// The 0-based class.
    fn class(&self) -> usize;
}

impl Class for usize {
    fn class(&self) -> usize {
        *self
    }
}

impl<T: Real, const K: usize> Class for [T; K] {
    fn class(&self) -> usize {
        match K {
            1 => usize::from(self[0] > T::of(0.5)),
            _ => argmax(self),
        }
    }
}

/// The accuracy of one sample's output against its target, for a network's loss.
pub fn sample_accuracy<L: Loss, T: Real, const K: usize>(
    loss: &L,
    a: &[T; K],
    y: &L::Target<T, K>,
) -> Option<f64> {
    loss.accuracy::<T, K>(a, y)
}

/// The values of one regression target, `None` for a classification loss.
pub fn regression_values<L: Loss, T: Real, const K: usize>(y: &L::Target<T, K>) -> Option<&[T]> {
    L::regression_values::<T, K>(y)
}

/// Checks every target row, naming the first bad one.
///
/// # Errors
///
/// [`Error::InvalidTarget`] for the first value the loss does not accept, naming its row
/// and column.
pub fn check_targets<L: Loss, T: Real, const K: usize>(
    loss: &L,
    targets: &[L::Target<T, K>],
) -> Result<(), Error> {
    for (row, y) in targets.iter().enumerate() {
        loss.check::<T, K>(y).map_err(|f| Error::InvalidTarget {
            row,
            column: f.column,
            value: f.value,
            loss: L::NAME,
            expected: f.expected,
        })?;
    }
    Ok(())
}

/// The sum over the batch of the per-sample loss, from the output layer's buffers
/// (its `delta` serves as scratch).
#[inline]
#[cfg(feature = "alloc")]
pub fn loss_sum<L, A, T, const K: usize>(
    loss: &L,
    act: &A,
    out: &mut LayerBuffers<T, K>,
    targets: &[L::Target<T, K>],
) -> T
where
    L: PairsWith<A, K>,
    A: Activation,
    T: Real,
{
    out.delta.set_len(targets.len());
    loss.batch_loss(act, out, targets)
}

/// Writes `scale * dl/dz` of every sample into `out.delta` (`delta_L`, zero in the
/// padding) and returns the sum of the per-sample losses; with `weights` (one per
/// target, at least 0) sample `s` counts `weights[s]` times in both, and a row of
/// weight 0 not at all (see [`PairsWith::batch_delta`]).
#[inline]
#[cfg(feature = "alloc")]
pub fn output_delta<L, A, T, const K: usize>(
    loss: &L,
    act: &A,
    out: &mut LayerBuffers<T, K>,
    targets: &[L::Target<T, K>],
    scale: T,
    weights: Option<&[T]>,
) -> T
where
    L: PairsWith<A, K>,
    A: Activation,
    T: Real,
{
    if let Some(weights) = weights {
        assert_eq!(weights.len(), targets.len(), "one weight per target");
    }
    out.delta.set_len(targets.len());
    let sum = loss.batch_delta(act, out, targets, scale, weights);
    out.delta.zero_padding();
    sum
}

#[cfg(test)]
mod tests;
