//! Loss functions, their gradients, and which output activation each pairs with.
//!
//! Over a batch of `B` samples the loss is the mean of a per-sample loss `l`:
//! `L = (1/B) sum_s l(s)`. Each loss's `l` is chosen so that `L` matches the
//! definitions in DESIGN.md exactly (e.g. `mse` divides by `K` inside `l`, so `L` is
//! the mean over all `B * K` values).

use crate::activation::{Activation, Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softmax};
use crate::activation::{Softplus, Tanh};
#[cfg(feature = "alloc")]
use crate::batch::LayerBuffers;
use crate::error::Error;
use crate::real::Real;
#[cfg(feature = "alloc")]
use crate::simd::Lanes;
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
    /// the per-sample losses. One sample at a time unless the pair has a vectorised form.
    #[inline]
    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        act: &A,
        out: &mut LayerBuffers<T, K>,
        targets: &[Self::Target<T, K>],
        scale: T,
    ) -> T {
        let mut sum = T::ZERO;
        for (s, y) in targets.iter().enumerate() {
            let (z, a) = (out.z.sample(s), out.a.sample(s));
            sum += self.value(&z, &a, y);
            out.delta
                .set_sample(s, &(self.delta(act, &z, &a, y) * scale));
        }
        sum
    }
}

/// Mean squared error: mean over all `B * K` values of `(yhat - y)^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mse;

/// Sum of squared errors, the textbook `E_total`: `(1/B) sum_s 0.5 sum_k (yhat - y)^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sse;

/// Mean absolute error over all `B * K` values; gradient `sign(yhat - y)`, 0 at 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mae;

/// Huber loss, mean over `B * K` of `0.5 d^2` if `|d| <= delta` else `delta (|d| - delta/2)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Huber {
    /// Where the loss turns from quadratic to linear; 1.0 when the DSL gives none.
    pub delta: f64,
}

impl Default for Huber {
    fn default() -> Self {
        Self { delta: 1.0 }
    }
}

/// Binary cross-entropy, mean over `B * K`, computed from the logit with log-sigmoid.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bce;

/// Categorical cross-entropy, `(1/B) sum_s -sum_k y_k ln softmax(z)_k`, via log-softmax.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cce;

/// Categorical cross-entropy with the class index as the target.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SparseCce;

/// Hinge loss `(1/B) sum max(0, 1 - y f)`, labels -1/+1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hinge;

/// Perceptron criterion `(1/B) sum max(0, -y f)`, labels -1/+1. Its gradient is `-y`
/// wherever `y f <= 0` (a misclassified or undecided sample), so a zero network learns.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Perceptron;

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

/// `ln(sum_k e^(z_k))` without overflow.
fn log_sum_exp<T: Real, const K: usize>(z: &SVector<T, K>) -> T {
    let m = z.max();
    m + z.map(|v| (v - m).exp()).sum().ln()
}

macro_rules! regression_loss {
    ($loss:ty, $name:literal) => {
        impl Loss for $loss {
            const NAME: &'static str = $name;
            type Target<T: Real, const K: usize> = [T; K];

            fn check<T: Real, const K: usize>(&self, y: &[T; K]) -> Result<(), TargetFault> {
                check_each(y, |_| true, FINITE)
            }

            fn value<T: Real, const K: usize>(
                &self,
                _z: &SVector<T, K>,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> T {
                self.sample_loss(&(a - vector(y)))
            }

            fn grad_a<T: Real, const K: usize>(
                &self,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> SVector<T, K> {
                self.sample_grad(&(a - vector(y)))
            }
        }

        impl<const K: usize> PairsWith<Sigmoid, K> for $loss {}
        impl<const K: usize> PairsWith<Tanh, K> for $loss {}
        impl<const K: usize> PairsWith<Relu, K> for $loss {}
        impl<const K: usize> PairsWith<LeakyRelu, K> for $loss {}
        impl<const K: usize> PairsWith<Linear, K> for $loss {}
        impl<const K: usize> PairsWith<Elu, K> for $loss {}
        impl<const K: usize> PairsWith<Softplus, K> for $loss {}
        impl<const K: usize> PairsWith<Gelu, K> for $loss {}
    };
}

regression_loss!(Mse, "mse");
regression_loss!(Sse, "sse");
regression_loss!(Mae, "mae");
regression_loss!(Huber, "huber");

impl Mse {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        d.norm_squared() * per_output::<T, K>()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        d * (T::of(2.0) * per_output::<T, K>())
    }
}

impl Sse {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        T::of(0.5) * d.norm_squared()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        *d
    }
}

impl Mae {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        d.abs().sum() * per_output::<T, K>()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        d.map(sign) * per_output::<T, K>()
    }
}

impl Huber {
    fn sample_loss<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> T {
        let delta = T::of(self.delta);
        d.map(|d| {
            let m = d.abs();
            if m <= delta {
                T::of(0.5) * d * d
            } else {
                delta * (m - T::of(0.5) * delta)
            }
        })
        .sum()
            * per_output::<T, K>()
    }
    fn sample_grad<T: Real, const K: usize>(&self, d: &SVector<T, K>) -> SVector<T, K> {
        let delta = T::of(self.delta);
        d.map(|d| if d.abs() <= delta { d } else { delta * sign(d) }) * per_output::<T, K>()
    }
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

/// `sign(x)`, 0 at 0.
fn sign<T: Real>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
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
            let z = z[k];
            sum += z.max(T::zero()) - z * y[k] + (-z.abs()).exp().ln_1p();
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
        (a - vector(y)) * per_output::<T, K>()
    }

    #[cfg(feature = "alloc")]
    fn batch_loss<T: Real>(
        &self,
        _: &Sigmoid,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
    ) -> T {
        out.delta.load(targets);
        bce_sum(out)
    }

    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        _: &Sigmoid,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
        scale: T,
    ) -> T {
        out.delta.load(targets);
        let sum = bce_sum(out);
        let (lanes, stride, samples) = (T::Lanes::LANES, out.a.capacity(), out.a.padded_len());
        let scale = T::Lanes::splat(scale * per_output::<T, K>());
        let (a, d) = (out.a.as_slice(), out.delta.as_mut_slice());
        for k in 0..K {
            for s in (0..samples).step_by(lanes) {
                let at = k * stride + s;
                ((T::Lanes::load(a, at) - T::Lanes::load(d, at)) * scale).store(d, at);
            }
        }
        sum
    }
}

/// The bce sum over a batch whose targets sit in `out.delta`.
#[inline(always)]
#[cfg(feature = "alloc")]
fn bce_sum<T: Real, const K: usize>(out: &LayerBuffers<T, K>) -> T {
    let (stride, len) = (out.z.capacity(), out.z.len());
    let (z, y) = (out.z.as_slice(), out.delta.as_slice());
    let mut sum = T::ZERO;
    for k in 0..K {
        let base = k * stride;
        sum += sum_samples::<T>(
            len,
            |s| bce_lanes::<T>(T::Lanes::load(z, base + s), T::Lanes::load(y, base + s)),
            |s| {
                let (z, y) = (z[base + s], y[base + s]);
                z.max(T::ZERO) - z * y + (-z.abs()).exp().ln_1p()
            },
        );
    }
    sum * per_output::<T, K>()
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
        let lse = log_sum_exp(z);
        let mut sum = T::zero();
        for k in 0..K {
            if y[k] != T::zero() {
                sum -= y[k] * (z[k] - lse);
            }
        }
        sum
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
        let y = vector(y);
        a * y.sum() - y
    }

    #[cfg(feature = "alloc")]
    fn batch_loss<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        out.delta.load(targets);
        cce_sum(out)
    }

    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[[T; K]],
        scale: T,
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        out.delta.load(targets);
        let sum = cce_sum(out);
        let (lanes, stride, samples) = (T::Lanes::LANES, out.a.capacity(), out.a.padded_len());
        let scale = T::Lanes::splat(scale);
        let (a, d) = (out.a.as_slice(), out.delta.as_mut_slice());
        for s in (0..samples).step_by(lanes) {
            let mut total = T::Lanes::splat(T::ZERO);
            for k in 0..K {
                total += T::Lanes::load(d, k * stride + s);
            }
            for k in 0..K {
                let at = k * stride + s;
                let y = T::Lanes::load(d, at);
                (T::Lanes::load(a, at).mul_add(total, -y) * scale).store(d, at);
            }
        }
        sum
    }
}

/// The cce sum over a batch whose targets sit in `out.delta`:
/// `sum_k y_k (lse(z) - z_k)`.
#[inline(always)]
#[cfg(feature = "alloc")]
fn cce_sum<T: Real, const K: usize>(out: &LayerBuffers<T, K>) -> T {
    let (stride, len) = (out.z.capacity(), out.z.len());
    let (z, y) = (out.z.as_slice(), out.delta.as_slice());
    sum_samples::<T>(
        len,
        |s| {
            let lse = log_sum_exp_lanes::<T, K>(z, stride, s);
            let mut l = T::Lanes::splat(T::ZERO);
            for k in 0..K {
                let at = k * stride + s;
                l = T::Lanes::load(y, at).mul_add(lse - T::Lanes::load(z, at), l);
            }
            l
        },
        |s| {
            let zs = SVector::<T, K>::from_fn(|k, _| z[k * stride + s]);
            let lse = log_sum_exp(&zs);
            (0..K)
                .map(|k| y[k * stride + s] * (lse - zs[k]))
                .fold(T::ZERO, |a, b| a + b)
        },
    )
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
        log_sum_exp(z) - z[*y]
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
        sparse_cce_sum(out, targets)
    }

    #[cfg(feature = "alloc")]
    fn batch_delta<T: Real>(
        &self,
        _: &Softmax,
        out: &mut LayerBuffers<T, K>,
        targets: &[usize],
        scale: T,
    ) -> T {
        let () = AtLeastTwo::<K>::OUTPUTS;
        let sum = sparse_cce_sum(out, targets);
        let (lanes, stride, samples) = (T::Lanes::LANES, out.a.capacity(), out.a.padded_len());
        let (a, d) = (out.a.as_slice(), out.delta.as_mut_slice());
        let scale_lanes = T::Lanes::splat(scale);
        for k in 0..K {
            for s in (0..samples).step_by(lanes) {
                let at = k * stride + s;
                (T::Lanes::load(a, at) * scale_lanes).store(d, at);
            }
        }
        for (s, &c) in targets.iter().enumerate() {
            d[c * stride + s] -= scale;
        }
        sum
    }
}

/// The sparse_cce sum `sum_s lse(z_s) - z_s[label_s]`.
#[inline(always)]
#[cfg(feature = "alloc")]
fn sparse_cce_sum<T: Real, const K: usize>(out: &LayerBuffers<T, K>, targets: &[usize]) -> T {
    let (lanes, stride, len) = (T::Lanes::LANES, out.z.capacity(), out.z.len());
    let z = out.z.as_slice();
    let mut lse = [T::ZERO; 16];
    let mut sum = T::ZERO;
    for s0 in (0..len).step_by(lanes) {
        log_sum_exp_lanes::<T, K>(z, stride, s0).store(&mut lse, 0);
        for (s, &c) in targets.iter().enumerate().skip(s0).take(lanes) {
            sum += lse[s - s0] - z[c * stride + s];
        }
    }
    sum
}

macro_rules! margin_loss {
    ($loss:ty, $name:literal, $margin:expr, $active:expr) => {
        impl Loss for $loss {
            const NAME: &'static str = $name;
            type Target<T: Real, const K: usize> = [T; K];

            fn check<T: Real, const K: usize>(&self, y: &[T; K]) -> Result<(), TargetFault> {
                check_each(y, |v| v == T::one() || v == -T::one(), SIGN_LABEL)
            }

            fn value<T: Real, const K: usize>(
                &self,
                _z: &SVector<T, K>,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> T {
                let mut sum = T::zero();
                for k in 0..K {
                    sum += (T::of($margin) - y[k] * a[k]).max(T::zero());
                }
                sum
            }

            fn grad_a<T: Real, const K: usize>(
                &self,
                a: &SVector<T, K>,
                y: &[T; K],
            ) -> SVector<T, K> {
                let active: fn(T) -> bool = $active;
                SVector::from_fn(|k, _| {
                    if active(y[k] * a[k]) {
                        -y[k]
                    } else {
                        T::zero()
                    }
                })
            }
        }

        impl PairsWith<Linear, 1> for $loss {}
    };
}

margin_loss!(Hinge, "hinge", 1.0, |yf| yf < T::one());
margin_loss!(Perceptron, "perceptron", 0.0, |yf| yf <= T::zero());

/// The accuracy of one sample's output against its target, for a network's loss.
pub fn sample_accuracy<L: Loss, T: Real, const K: usize>(
    loss: &L,
    a: &[T; K],
    y: &L::Target<T, K>,
) -> Option<f64> {
    loss.accuracy::<T, K>(a, y)
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
/// padding) and returns the sum of the per-sample losses.
#[inline]
#[cfg(feature = "alloc")]
pub fn output_delta<L, A, T, const K: usize>(
    loss: &L,
    act: &A,
    out: &mut LayerBuffers<T, K>,
    targets: &[L::Target<T, K>],
    scale: T,
) -> T
where
    L: PairsWith<A, K>,
    A: Activation,
    T: Real,
{
    out.delta.set_len(targets.len());
    let sum = loss.batch_delta(act, out, targets, scale);
    out.delta.zero_padding();
    sum
}

/// Sums `per_sample(s)` over samples `0..len`: whole vectors of samples through
/// `vector(s)` (summed across lanes), the last partial vector one sample at a time.
#[inline(always)]
#[cfg(feature = "alloc")]
fn sum_samples<T: Real>(
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

/// `ln(sum_k e^(z_k))` of the samples `s..s + LANES`, one per lane.
#[inline(always)]
#[cfg(feature = "alloc")]
fn log_sum_exp_lanes<T: Real, const K: usize>(z: &[T], stride: usize, s: usize) -> T::Lanes {
    let mut m = T::Lanes::load(z, s);
    for k in 1..K {
        m = m.max(T::Lanes::load(z, k * stride + s));
    }
    let mut sum = T::Lanes::splat(T::ZERO);
    for k in 0..K {
        sum += (T::Lanes::load(z, k * stride + s) - m).exp();
    }
    m + sum.ln()
}

/// `max(z, 0) - z y + ln(1 + e^-|z|)` on every lane.
#[inline(always)]
#[cfg(feature = "alloc")]
fn bce_lanes<T: Real>(z: T::Lanes, y: T::Lanes) -> T::Lanes {
    z.max(T::Lanes::splat(T::ZERO)) - z * y + (-z.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bce_from_logits_is_finite_and_exact_for_large_logits() {
        let z = SVector::<f64, 2>::new(100.0, -100.0);
        let a = Sigmoid.forward(&z);
        // y = 0 on z = 100 costs 100; y = 1 on z = -100 costs 100.
        let l = Bce.value(&z, &a, &[0.0, 1.0]);
        assert!((l - 100.0).abs() < 1e-12, "{l}");
        let l = Bce.value(&z, &a, &[1.0, 0.0]);
        assert!(l.is_finite() && l < 1e-40, "{l}");
    }

    #[test]
    fn cce_from_logits_is_finite_for_large_logits() {
        let z = SVector::<f32, 3>::new(100.0, -100.0, 0.0);
        let a = Softmax.forward(&z);
        let l = Cce.value(&z, &a, &[0.0, 1.0, 0.0]);
        assert!((l - 200.0).abs() < 1e-3, "{l}");
        let d = Cce.delta(&Softmax, &z, &a, &[0.0, 1.0, 0.0]);
        assert!(d.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn target_checks_name_the_column_and_rule() {
        assert_eq!(
            Bce.check::<f32, 2>(&[0.5, 1.5]),
            Err(TargetFault {
                column: 1,
                value: 1.5,
                expected: PROBABILITY
            })
        );
        assert!(Hinge.check::<f32, 1>(&[0.0]).is_err());
        assert!(Hinge.check::<f32, 1>(&[-1.0]).is_ok());
        assert!(SparseCce.check::<f32, 3>(&3).is_err());
        assert_eq!(
            Mse.check::<f64, 1>(&[f64::NAN]).unwrap_err().expected,
            FINITE
        );
    }
}
