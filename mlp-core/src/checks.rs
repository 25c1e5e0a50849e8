//! The checks of rows, learning rates and steps that every public method makes
//! before it changes anything.

use crate::compiled::{Compiled, tensor, tensor_ids};
use crate::error::Error;
use crate::kernels::{LaneLoop, Lanewise, load, run};
use crate::network::Network;
use crate::optim::descent;
use crate::real::Real;
use crate::simd::Math;
use crate::tensor::{TensorId, row_major_index};

/// Checks that a learning rate is finite and positive.
pub(crate) fn check_learning_rate<T: Real>(lr: T) -> Result<(), Error> {
    if lr.finite() && lr > T::zero() {
        Ok(())
    } else {
        Err(Error::InvalidLearningRate(lr.to_f64()))
    }
}

/// Checks that `setting`, valid as an f64, keeps `ok` when converted to the
/// network's scalar `T`: a learning rate of `1e-308` is 0 in `f32` and would train
/// nothing.
pub(crate) fn in_scalar_range<T: Real>(
    setting: &'static str,
    value: f64,
    ok: fn(T) -> bool,
    expected: &'static str,
) -> Result<(), Error> {
    let converted = T::of(value);
    if ok(converted) {
        Ok(())
    } else {
        Err(Error::SettingOutOfScalarRange {
            setting,
            value,
            converted: converted.to_f64(),
            scalar: T::NAME,
            expected,
        })
    }
}

/// Checks that `p - lr * g` is finite for every parameter `p` and its gradient `g`,
/// computed as [`Network::step`] computes it, without writing anything. This pass
/// reads the parameters as well as the gradients (a non-finite gradient gives a
/// non-finite result too), so the step still makes only two passes.
pub(crate) fn check_step<N: Network>(net: &N, grads: &N, lr: N::Scalar) -> Result<(), Error> {
    for id in tensor_ids::<N>() {
        let (p, g) = (tensor(net, id), tensor(grads, id));
        if steps_finite(p, g, lr) {
            continue;
        }
        // The slow path: name the first bad value.
        let shape = id.shape(N::WIDTHS);
        non_finite_gradient::<N>(id, g)?;
        let k = (0..p.len())
            .find(|&k| !(p[k] - lr * g[k]).finite())
            .unwrap_or(0);
        return Err(Error::NonFiniteStep {
            tensor: id,
            index: row_major_index(shape, k),
            value: p[k].to_f64(),
            gradient: g[k].to_f64(),
            learning_rate: lr.to_f64(),
        });
    }
    Ok(())
}

/// Checks that every gradient is finite, naming the first value that is not.
pub(crate) fn check_gradients<N: Network>(grads: &N) -> Result<(), Error> {
    for id in tensor_ids::<N>() {
        let g = tensor(grads, id);
        if !all_finite(g) {
            non_finite_gradient::<N>(id, g)?;
        }
    }
    Ok(())
}

/// [`Error::NonFiniteGradient`] for the first NaN or infinite value of gradient
/// tensor `id`, if it has one.
fn non_finite_gradient<N: Network>(id: TensorId, g: &[N::Scalar]) -> Result<(), Error> {
    match g.iter().position(|v| !v.finite()) {
        Some(k) => Err(Error::NonFiniteGradient {
            tensor: id,
            index: row_major_index(id.shape(N::WIDTHS), k),
            value: g[k].to_f64(),
        }),
        None => Ok(()),
    }
}

/// Whether `p - lr * g` is finite everywhere, in one vectorised pass (the product
/// and the difference rounded separately, as the step computes them).
fn steps_finite<T: Real>(p: &[T], g: &[T], lr: T) -> bool {
    run(StepsFinite { p, g, lr }).finite()
}

/// The sum of `(p - lr * g) * 0` over a tensor: 0, or NaN where a step is not
/// finite.
pub(crate) struct StepsFinite<'a, T> {
    pub(crate) p: &'a [T],
    pub(crate) g: &'a [T],
    pub(crate) lr: T,
}

impl<T: Real> LaneLoop for StepsFinite<'_, T> {
    type Scalar = T;
    type Output = T;

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) -> T {
        let (p, g, lr) = (self.p, self.g, self.lr);
        let full = p.len() / (4 * V::LANES) * (4 * V::LANES);
        let (zero, lanes_lr) = (V::splat(T::ZERO), V::splat(lr));
        // Four independent sums, as in `AllFinite`: one would wait on the latency
        // of every addition.
        let mut acc = [zero; 4];
        for i in (0..full).step_by(4 * V::LANES) {
            for (k, acc) in acc.iter_mut().enumerate() {
                let at = i + k * V::LANES;
                let next = descent(load::<V>(p, at), load(g, at), lanes_lr);
                *acc = Math::mul_add(next, zero, *acc);
            }
        }
        let mut sum = (acc[0] + acc[1] + acc[2] + acc[3]).sum();
        for k in full..p.len() {
            sum += descent(p[k], g[k], lr) * T::ZERO;
        }
        sum
    }
}

/// Whether every value is finite, in one vectorised pass: `v * 0` is 0 for a finite
/// `v` and NaN for an infinite or NaN one, and NaN survives the sum.
pub(crate) fn all_finite<T: Real>(values: &[T]) -> bool {
    run(AllFinite(values)).finite()
}

/// The sum of `v * 0` over the values.
pub(crate) struct AllFinite<'a, T>(pub(crate) &'a [T]);

impl<T: Real> LaneLoop for AllFinite<'_, T> {
    type Scalar = T;
    type Output = T;

    #[inline(always)]
    fn run<V: Lanewise<T>>(self) -> T {
        let values = self.0;
        let full = values.len() / (4 * V::LANES) * (4 * V::LANES);
        let zero = V::splat(T::ZERO);
        // Four independent sums, so the pass runs at the speed of loads.
        let mut acc = [zero; 4];
        for i in (0..full).step_by(4 * V::LANES) {
            for (k, acc) in acc.iter_mut().enumerate() {
                *acc = Math::mul_add(load(values, i + k * V::LANES), zero, *acc);
            }
        }
        let mut sum = (acc[0] + acc[1] + acc[2] + acc[3]).sum();
        for &v in &values[full..] {
            sum += v * T::ZERO;
        }
        sum
    }
}

/// Whether every value of `net` (parameters, or a gradient's values) is finite.
#[cfg(feature = "alloc")]
pub(crate) fn parameters_finite<N: Network>(net: &N) -> bool {
    tensor_ids::<N>().all(|id| all_finite(tensor(net, id)))
}

/// Validates a batch: rows present, counts equal, inputs finite, targets valid.
pub(crate) fn check_batch<N: Network>(
    inputs: &[N::Input],
    targets: &[N::Target],
) -> Result<(), Error> {
    if inputs.is_empty() {
        return Err(Error::Empty { what: "inputs" });
    }
    if targets.len() != inputs.len() {
        return Err(Error::RowCountMismatch {
            inputs: inputs.len(),
            found: targets.len(),
            what: "target",
        });
    }
    check_inputs::<N>(inputs)?;
    <N::Compiled as Compiled<N>>::check_targets(targets)
}

/// Checks that every input value is finite, naming the first that is not.
pub(crate) fn check_inputs<N: Network>(inputs: &[N::Input]) -> Result<(), Error> {
    for (row, x) in inputs.iter().enumerate() {
        if all_finite(x.as_ref()) {
            continue;
        }
        if let Some(column) = x.as_ref().iter().position(|v| !v.finite()) {
            return Err(Error::NonFiniteInput {
                row,
                column,
                value: x.as_ref()[column].to_f64(),
            });
        }
    }
    Ok(())
}
