//! One sample: `z = W x + b` vectorised along the outputs (a column of `W` is
//! contiguous), and the per-sample loops of the activations. A layer of at most one
//! vector of units computes in the narrowest vector that holds it (128 or 256 bits,
//! or the build's widest), so a 4 => 3 => 2 => 1 network runs on `f32x4`s and a layer
//! of 8 units on one `f32x8`, whole and in registers, on every target.

use crate::activation::Elementwise;
use crate::dense::Dense;
use crate::real::Real;
use crate::simd::Lanes;
use nalgebra::SVector;

/// Calls `$f::<V, ...>(...)` with `V` the narrowest vector of `$t` (128 bits, 256
/// bits or the build's widest) that holds `$n` values, or the widest when none
/// does. The choice is between constants, so each instance compiles to one call.
macro_rules! by_width {
    ($t:ty, $n:expr, $f:ident::<$($g:tt),*>($($arg:expr),*)) => {{
        let (short, half, wide) = (
            <<$t as Real>::Lanes128 as Lanes>::LANES,
            <<$t as Real>::Lanes256 as Lanes>::LANES,
            <<$t as Real>::Lanes as Lanes>::LANES,
        );
        if $n <= short {
            $f::<<$t as Real>::Lanes128, $($g),*>($($arg),*)
        } else if $n <= half && half <= wide {
            $f::<<$t as Real>::Lanes256, $($g),*>($($arg),*)
        } else {
            $f::<<$t as Real>::Lanes, $($g),*>($($arg),*)
        }
    }};
}

/// Lanes from `s` (at most `V::LANES` scalars), zero above. Built lane by lane in
/// the vector itself, never through a wider buffer: the compiler then keeps it in
/// a register, where a buffer read back in one load would stall on the narrower
/// stores that filled it.
#[inline(always)]
fn load_short<T: Real, V: Lanes<Scalar = T>>(s: &[T]) -> V {
    debug_assert!(s.len() <= V::LANES);
    let mut v = V::splat(T::ZERO);
    let lanes = (&mut v as *mut V).cast::<T>();
    for (k, &x) in s.iter().enumerate().take(V::LANES) {
        // SAFETY: `V` is `LANES` scalars (a `wide` vector), and k < LANES.
        unsafe { lanes.add(k).write(x) };
    }
    v
}

/// The first `s.len()` lanes of `v` into `s`, lane by lane as [`load_short`].
#[inline(always)]
fn store_short<T: Real, V: Lanes<Scalar = T>>(v: V, s: &mut [T]) {
    let lanes = (&v as *const V).cast::<T>();
    for (k, x) in s.iter_mut().enumerate().take(V::LANES) {
        // SAFETY: as in `load_short`.
        *x = unsafe { lanes.add(k).read() };
    }
}

/// `z = W x + b` for one sample: the batch-1 path. One output is a dot product
/// along the inputs (`W` is then one contiguous row); up to one vector of outputs
/// stays in one register across the whole input; wider layers keep up to eight
/// vectors of outputs in registers and end with one vector of the rest.
#[inline]
pub fn dense_vector<T: Real, const IN: usize, const OUT: usize>(
    layer: &Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
) -> SVector<T, OUT> {
    let mut z = layer.bias;
    let ws = layer.weight.as_slice();
    if OUT == 1 {
        z[0] += dot(ws, x.as_slice());
        return z;
    }
    let lanes = T::Lanes::LANES;
    let full = if OUT <= lanes { 0 } else { OUT / lanes * lanes };
    let w = ws.as_ptr();
    let zp = z.as_mut_slice().as_mut_ptr();
    let mut o = 0;
    // SAFETY: `W` holds IN * OUT scalars, column i at i * OUT; every vector read
    // covers outputs o..o + LANES <= full <= OUT of one column, and every write
    // outputs o..o + LANES <= OUT of `z`.
    unsafe {
        // Eight independent chains of fused multiply-adds cover the FMA latency on
        // two FMA ports: eight vectors of outputs, or fewer vectors each summing
        // its inputs in several parts.
        while o + 8 * lanes <= full {
            o = matvec_block::<T, IN, OUT, 8, 1>(w, x, zp, o);
        }
        if o + 4 * lanes <= full {
            o = matvec_block::<T, IN, OUT, 4, 2>(w, x, zp, o);
        }
        if o + 2 * lanes <= full {
            o = matvec_block::<T, IN, OUT, 2, 4>(w, x, zp, o);
        }
        if o + lanes <= full {
            o = matvec_block::<T, IN, OUT, 1, 8>(w, x, zp, o);
        }
    }
    debug_assert_eq!(o, full);
    if full < OUT {
        by_width!(
            T,
            OUT - full,
            short_outputs::<T, IN, OUT>(ws, x, &mut z, full)
        );
    }
    z
}

/// Outputs `from..OUT`, fewer than one `V`, added to `z`: one register across the
/// whole input.
#[inline(always)]
fn short_outputs<V: Lanes<Scalar = T>, T: Real, const IN: usize, const OUT: usize>(
    w: &[T],
    x: &SVector<T, IN>,
    z: &mut SVector<T, OUT>,
    from: usize,
) {
    let acc = short_product::<V, T, IN, OUT>(w, x, load_short(&z.as_slice()[from..]), from);
    store_short(acc, &mut z.as_mut_slice()[from..]);
}

/// `acc` plus outputs `from..OUT` of `W x`, fewer than one `V`: the inputs in
/// [`PARTS`] interleaved parts, each its own chain of fused multiply-adds, when
/// there are enough of them to cover the chains' latency.
#[inline(always)]
fn short_product<V: Lanes<Scalar = T>, T: Real, const IN: usize, const OUT: usize>(
    w: &[T],
    x: &SVector<T, IN>,
    acc: V,
    from: usize,
) -> V {
    let column = |i: usize| load_short::<T, V>(&w[i * OUT + from..(i + 1) * OUT]);
    if IN < 4 * PARTS {
        return x.iter().enumerate().fold(acc, |acc, (i, &xi)| {
            Lanes::mul_add(V::splat(xi), column(i), acc)
        });
    }
    let mut parts = [V::splat(T::ZERO); PARTS];
    parts[0] = acc;
    let whole = IN / PARTS * PARTS;
    for i0 in (0..whole).step_by(PARTS) {
        for (p, part) in parts.iter_mut().enumerate() {
            *part = Lanes::mul_add(V::splat(x[i0 + p]), column(i0 + p), *part);
        }
    }
    for i in whole..IN {
        parts[0] = Lanes::mul_add(V::splat(x[i]), column(i), parts[0]);
    }
    sum_parts(parts)
}

/// Independent chains of fused multiply-adds a product keeps in flight: the FMA
/// latency (4 cycles) times two FMA ports.
const PARTS: usize = 8;

/// The sum of `N` partial sums, as a balanced tree.
#[inline(always)]
fn sum_parts<V: Lanes, const N: usize>(mut parts: [V; N]) -> V {
    let mut n = N;
    while n > 1 {
        let half = n / 2;
        for p in 0..half {
            parts[p] += parts[p + n - half];
        }
        n -= half;
    }
    parts[0]
}

/// `z = W x + b` and `a = act(z)` for one sample. A layer of at most one vector of
/// units keeps `z` in its register from the product through the activation (a `z`
/// stored in pieces and read back whole would stall the load until the stores
/// retire, and with it every later instruction).
#[inline]
pub(crate) fn dense_activate<E: Elementwise, T: Real, const IN: usize, const OUT: usize>(
    e: &E,
    layer: &Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
) -> (SVector<T, OUT>, SVector<T, OUT>) {
    if OUT == 1 {
        let z = dense_vector(layer, x);
        let a = e.f(<T::Lanes128 as Lanes>::splat(z[0]));
        let mut out = z;
        store_short(a, out.as_mut_slice());
        return (z, out);
    }
    if OUT > T::Lanes::LANES {
        let z = dense_vector(layer, x);
        return (z, activate(e, &z));
    }
    by_width!(T, OUT, short_layer::<E, T, IN, OUT>(e, layer, x))
}

/// [`dense_activate`] for a layer of fewer than one `V` of units.
#[inline(always)]
fn short_layer<V: Lanes<Scalar = T>, E: Elementwise, T: Real, const IN: usize, const OUT: usize>(
    e: &E,
    layer: &Dense<T, IN, OUT>,
    x: &SVector<T, IN>,
) -> (SVector<T, OUT>, SVector<T, OUT>) {
    let bias = load_short(layer.bias.as_slice());
    let zv = short_product::<V, T, IN, OUT>(layer.weight.as_slice(), x, bias, 0);
    let (mut z, mut a) = (layer.bias, layer.bias);
    store_short(zv, z.as_mut_slice());
    store_short(e.f(zv), a.as_mut_slice());
    (z, a)
}

/// `sum_i a_i b_i`, whole vectors first, with two accumulators.
#[inline(always)]
fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let lanes = T::Lanes::LANES;
    let n = a.len().min(b.len());
    let full = n / lanes * lanes;
    let mut acc = [T::Lanes::splat(T::ZERO); 2];
    for (k, i) in (0..full).step_by(lanes).enumerate() {
        acc[k % 2] = T::Lanes::load(a, i).mul_add(T::Lanes::load(b, i), acc[k % 2]);
    }
    let mut sum = (acc[0] + acc[1]).sum();
    if full < n {
        sum += by_width!(T, n - full, short_dot::<T>(&a[full..n], &b[full..n]));
    }
    sum
}

/// `sum_i a_i b_i` over fewer than one `V` of values.
#[inline(always)]
fn short_dot<V: Lanes<Scalar = T>, T: Real>(a: &[T], b: &[T]) -> T {
    (load_short::<T, V>(a) * load_short::<T, V>(b)).sum()
}

/// Outputs `o..o + V * LANES` of the matrix-vector product, added to `z`; returns the
/// next output. Each vector sums its inputs in `S` interleaved parts (`V * S`
/// chains of fused multiply-adds), added together at the end.
///
/// # Safety
/// `w` points to the `IN * OUT` column-major weights, `z` to `OUT` outputs, and
/// `o + V * LANES <= OUT`.
#[inline(always)]
unsafe fn matvec_block<
    T: Real,
    const IN: usize,
    const OUT: usize,
    const V: usize,
    const S: usize,
>(
    w: *const T,
    x: &SVector<T, IN>,
    z: *mut T,
    o: usize,
) -> usize {
    let lanes = T::Lanes::LANES;
    // Fewer inputs than parts: one part.
    let parts = if IN >= 4 * S { S } else { 1 };
    let mut acc = [[T::Lanes::splat(T::ZERO); V]; S];
    // SAFETY: the caller's contract bounds every access.
    unsafe {
        for (v, a) in acc[0].iter_mut().enumerate() {
            *a = T::Lanes::read(z.add(o + v * lanes));
        }
        let step = |i: usize, acc: &mut [T::Lanes; V]| {
            let xv = T::Lanes::splat(*x.get_unchecked(i));
            let column = w.add(i * OUT + o);
            if IN * OUT * core::mem::size_of::<T>() >= PREFETCH_FROM {
                prefetch(
                    column.wrapping_byte_add(PREFETCH_AHEAD).cast::<u8>(),
                    V * lanes * core::mem::size_of::<T>(),
                );
            }
            for (v, a) in acc.iter_mut().enumerate() {
                *a = xv.mul_add(T::Lanes::read(column.add(v * lanes)), *a);
            }
        };
        let whole = IN / parts * parts;
        for i0 in (0..whole).step_by(parts) {
            for (p, acc) in acc.iter_mut().enumerate().take(parts) {
                step(i0 + p, acc);
            }
        }
        for i in whole..IN {
            step(i, &mut acc[0]);
        }
        let sums: [T::Lanes; V] =
            core::array::from_fn(|v| sum_parts::<T::Lanes, S>(core::array::from_fn(|p| acc[p][v])));
        for (v, sum) in sums.iter().enumerate() {
            sum.write(z.add(o + v * lanes));
        }
    }
    o + V * lanes
}

/// `a = act(z)` for one sample: whole vectors of the build's widest, then the rest
/// in the narrowest vector that holds it.
#[inline]
pub(crate) fn activate<E: Elementwise, T: Real, const N: usize>(
    e: &E,
    z: &SVector<T, N>,
) -> SVector<T, N> {
    let lanes = T::Lanes::LANES;
    let mut a = *z;
    let full = if N <= lanes { 0 } else { N / lanes * lanes };
    let out = a.as_mut_slice();
    for o in (0..full).step_by(lanes) {
        e.f(T::Lanes::load(out, o)).store(out, o);
    }
    if full < N {
        by_width!(T, N - full, short_activate::<E, T>(e, &mut out[full..]));
    }
    a
}

/// `s = act(s)` over fewer than one `V` of values.
#[inline(always)]
fn short_activate<V: Lanes<Scalar = T>, E: Elementwise, T: Real>(e: &E, s: &mut [T]) {
    store_short(e.f(load_short::<T, V>(s)), s);
}

/// Weights from this size on (bytes) do not stay in L1 between calls: the product
/// prefetches them.
const PREFETCH_FROM: usize = 16 * 1024;
/// How far ahead of the columns being read (bytes): far enough for L2's latency at
/// the rate the fused multiply-adds consume lines.
const PREFETCH_AHEAD: usize = 4096;

/// Asks for the cache lines of `bytes` bytes from `p` into L1 (x86; elsewhere the
/// hardware prefetchers alone).
#[inline(always)]
fn prefetch(p: *const u8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in (0..bytes).step_by(64) {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint: it never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(line).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{Activation, Sigmoid, Tanh};
    use crate::init::Uniform;

    /// The fused step gives the `z` of `dense_vector` and the `a` of the separate
    /// activation, bit for bit, at every width a short layer can take.
    fn fused<T: Real, const IN: usize, const OUT: usize>() {
        let mut rng = Uniform::new((IN * 100 + OUT) as u64);
        let mut layer = Dense::<T, IN, OUT>::zeros();
        layer
            .weight
            .iter_mut()
            .chain(layer.bias.iter_mut())
            .for_each(|w| *w = T::of(rng.between(-2.0, 2.0)));
        let x = SVector::<T, IN>::from_fn(|_, _| T::of(rng.between(-1.0, 1.0)));
        let z = dense_vector(&layer, &x);
        for (got, want) in [
            (dense_activate(&Sigmoid, &layer, &x), Sigmoid.forward(&z)),
            (dense_activate(&Tanh, &layer, &x), Tanh.forward(&z)),
        ] {
            assert_eq!(got, (z, want), "{IN} => {OUT} {}", T::NAME);
        }
    }

    #[test]
    fn fused_layers_match_the_product_then_the_activation() {
        fused::<f32, 4, 3>();
        fused::<f32, 3, 2>();
        fused::<f32, 2, 1>();
        fused::<f32, 2, 8>();
        fused::<f32, 5, 10>();
        fused::<f32, 7, 16>();
        fused::<f32, 3, 37>();
        fused::<f64, 4, 3>();
        fused::<f64, 2, 8>();
        fused::<f64, 3, 37>();
    }
}
