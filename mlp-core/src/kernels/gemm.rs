//! Register-blocked products over feature-major batches.
//!
//! A block computes `ROWS` outputs for [`BLOCK`] samples (whole SIMD vectors) with
//! every accumulator in a register: per step one vector load of the batch per
//! sample vector, one broadcast of `A` per row, and `ROWS * BLOCK / LANES` fused
//! multiply-adds. `ROWS` is chosen per vector width so the accumulators plus the
//! loaded vectors fit the register file (16 vector registers on AVX2, 32 on
//! AVX-512). The inner dimension is split into runs of [`DEPTH`] so the batch
//! block being read stays in the L1 cache while every row block uses it.

use super::BLOCK;
use super::vector::Vector;
use crate::batch::Batch;
use crate::real::Real;

/// Inner-dimension run: `DEPTH * BLOCK` scalars of the batch stay in L1.
const DEPTH: usize = 256;

/// Most vectors a block row can span: `BLOCK / LANES` with 2 lanes (`f64x2`).
const MAX_VECTORS: usize = 8;

/// Calls `$f::<R>` with `R` the constant equal to the runtime value `$rows`, for
/// the remainder block of a product whose row count is not a multiple of `ROWS`.
macro_rules! with_rows {
    ($rows:expr, $f:ident::<$($g:ty),*>($($arg:expr),*)) => {
        match $rows {
            1 => $f::<$($g,)* 1>($($arg),*),
            2 => $f::<$($g,)* 2>($($arg),*),
            3 => $f::<$($g,)* 3>($($arg),*),
            4 => $f::<$($g,)* 4>($($arg),*),
            5 => $f::<$($g,)* 5>($($arg),*),
            6 => $f::<$($g,)* 6>($($arg),*),
            7 => $f::<$($g,)* 7>($($arg),*),
            8 => $f::<$($g,)* 8>($($arg),*),
            9 => $f::<$($g,)* 9>($($arg),*),
            10 => $f::<$($g,)* 10>($($arg),*),
            11 => $f::<$($g,)* 11>($($arg),*),
            _ => unreachable!("remainder blocks have fewer than 12 rows"),
        }
    };
}

/// `C = A B (+ bias)` for the `c.len()` samples of `b`: `A` is `(M, K)` with
/// element `(m, k)` at `a[m * row_stride + k * col_stride]`, `B` is `b` (`K`
/// features), `C` is `c` (`M` features). Without a bias, `C` starts from zero.
#[inline]
pub fn product<T: Real, const M: usize, const K: usize>(
    a: &[T],
    row_stride: usize,
    col_stride: usize,
    bias: Option<&[T]>,
    b: &Batch<T, K>,
    c: &mut Batch<T, M>,
) {
    let a = Matrix {
        data: a,
        row_stride,
        col_stride,
    };
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    super::x86::product(super::x86::Path::chosen(), &a, bias, b, c);
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    product_with::<T, T::Lanes, M, K>(&a, bias, b, c);
}

/// A strided view of a matrix's scalars.
pub(super) struct Matrix<'a, T> {
    pub(super) data: &'a [T],
    pub(super) row_stride: usize,
    pub(super) col_stride: usize,
}

/// [`product`] in vectors `V`.
#[inline(always)]
pub(super) fn product_with<T: Real, V: Vector<Scalar = T>, const M: usize, const K: usize>(
    a: &Matrix<'_, T>,
    bias: Option<&[T]>,
    b: &Batch<T, K>,
    c: &mut Batch<T, M>,
) {
    match V::LANES {
        2 => product_rows::<T, V, M, K, 1>(a, bias, b, c),
        4 => product_rows::<T, V, M, K, 3>(a, bias, b, c),
        8 => product_rows::<T, V, M, K, 6>(a, bias, b, c),
        _ => product_rows::<T, V, M, K, 12>(a, bias, b, c),
    }
}

/// Most rows a block has (`f32x16`).
const MAX_ROWS: usize = 12;

#[inline(always)]
fn product_rows<
    T: Real,
    V: Vector<Scalar = T>,
    const M: usize,
    const K: usize,
    const ROWS: usize,
>(
    a: &Matrix<'_, T>,
    bias: Option<&[T]>,
    b: &Batch<T, K>,
    c: &mut Batch<T, M>,
) {
    let full = M / ROWS * ROWS;
    let mut panel = [T::ZERO; MAX_ROWS * DEPTH];
    let mut k0 = 0;
    while k0 < K {
        let k1 = (k0 + DEPTH).min(K);
        let mut m0 = 0;
        while m0 < full {
            row_block::<T, V, M, K, ROWS>(a, &mut panel, bias, b, c, m0, k0, k1);
            m0 += ROWS;
        }
        if full < M {
            with_rows!(
                M - full,
                row_block::<T, V, M, K>(a, &mut panel, bias, b, c, full, k0, k1)
            );
        }
        k0 = k1;
    }
}

/// Rows `m0..m0 + R` of `C` for every sample, inner indices `k0..k1`: packs that
/// panel of `A` so each step reads its `R` values from one place, then runs the
/// register block over every block of samples.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn row_block<T: Real, V: Vector<Scalar = T>, const M: usize, const K: usize, const R: usize>(
    a: &Matrix<'_, T>,
    panel: &mut [T; MAX_ROWS * DEPTH],
    bias: Option<&[T]>,
    b: &Batch<T, K>,
    c: &mut Batch<T, M>,
    m0: usize,
    k0: usize,
    k1: usize,
) {
    for k in k0..k1 {
        for m in 0..R {
            panel[(k - k0) * R + m] = a.data[(m0 + m) * a.row_stride + k * a.col_stride];
        }
    }
    for s0 in (0..b.padded_len()).step_by(BLOCK) {
        block::<T, V, M, K, R>(panel, bias, b, c, m0, k0, k1, s0);
    }
}

/// Rows `m0..m0 + R` of `C`, samples `s0..s0 + BLOCK`, inner indices `k0..k1`, with
/// `A`'s values for step `k` at `panel[(k - k0) * R..]`.
///
/// The bounds of every access are checked once, before the loops, so that the
/// inner loop is only loads, broadcasts and fused multiply-adds.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block<T: Real, V: Vector<Scalar = T>, const M: usize, const K: usize, const R: usize>(
    panel: &[T; MAX_ROWS * DEPTH],
    bias: Option<&[T]>,
    b: &Batch<T, K>,
    c: &mut Batch<T, M>,
    m0: usize,
    k0: usize,
    k1: usize,
    s0: usize,
) {
    let lanes = V::LANES;
    let vectors = BLOCK / lanes;
    let (b_stride, c_stride) = (b.capacity(), c.capacity());
    assert!(k0 < k1 && k1 <= K && k1 - k0 <= DEPTH && R <= MAX_ROWS && m0 + R <= M);
    assert!(s0 + BLOCK <= b_stride && b_stride == c_stride);
    assert!(b.as_slice().len() >= K * b_stride && c.as_slice().len() >= M * c_stride);
    if let Some(bias) = bias {
        assert!(bias.len() >= M);
    }
    let (a_ptr, b_ptr) = (panel.as_ptr(), b.as_slice().as_ptr());
    let c_ptr = c.as_mut_slice().as_mut_ptr();
    let mut acc = [[V::splat(T::ZERO); MAX_VECTORS]; R];
    // SAFETY: by the assertions above, every index below is within its slice:
    // rows m0..m0 + R <= M, inner k0..k1 <= K with (k1 - k0) * R <= panel length,
    // samples s0..s0 + BLOCK <= stride.
    unsafe {
        for (m, row) in acc.iter_mut().enumerate() {
            for (v, x) in row.iter_mut().enumerate().take(vectors) {
                *x = if k0 > 0 {
                    V::read(c_ptr.add((m0 + m) * c_stride + s0 + v * lanes))
                } else {
                    V::splat(bias.map_or(T::ZERO, |b| *b.get_unchecked(m0 + m)))
                };
            }
        }
        for k in k0..k1 {
            let b_row = b_ptr.add(k * b_stride + s0);
            let a_col = a_ptr.add((k - k0) * R);
            let mut x = [V::splat(T::ZERO); MAX_VECTORS];
            for (v, x) in x.iter_mut().enumerate().take(vectors) {
                *x = V::read(b_row.add(v * lanes));
            }
            for (m, row) in acc.iter_mut().enumerate() {
                let w = V::splat(*a_col.add(m));
                for (v, acc) in row.iter_mut().enumerate().take(vectors) {
                    *acc = w.mul_add(x[v], *acc);
                }
            }
        }
        for (m, row) in acc.iter().enumerate() {
            for (v, acc) in row.iter().enumerate().take(vectors) {
                acc.write(c_ptr.add((m0 + m) * c_stride + s0 + v * lanes));
            }
        }
    }
}

/// `gb += sum over samples of delta` (padding deltas are zero).
#[inline]
pub fn bias_gradient<T: Real, const OUT: usize>(gb: &mut [T], delta: &Batch<T, OUT>) {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    super::x86::bias_gradient(super::x86::Path::chosen(), gb, delta);
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    bias_gradient_with::<T, T::Lanes, OUT>(gb, delta);
}

/// [`bias_gradient`] in vectors `V`.
#[inline(always)]
pub(super) fn bias_gradient_with<T: Real, V: Vector<Scalar = T>, const OUT: usize>(
    gb: &mut [T],
    delta: &Batch<T, OUT>,
) {
    for (o, gb) in gb.iter_mut().enumerate() {
        // Padded runs hold whole `LANE_PAD`s, a multiple of every vector width.
        let d = delta.feature_padded(o);
        let mut acc = V::splat(T::ZERO);
        for run in d.chunks_exact(V::LANES) {
            // SAFETY: `run` holds `LANES` scalars.
            acc = acc.add(unsafe { V::read(run.as_ptr()) });
        }
        *gb += acc.sum();
    }
}

/// `dW += delta x^T` with `dW` `(OUT, IN)` column-major and `delta` sample-major in
/// `delta_rows` (runs of `ROW = OUT` padded to [`BLOCK`]). Vectorised along the
/// outputs, register-blocked as [`product`] is: a block holds [`BLOCK`] outputs of
/// `R` columns and adds one sample's contribution per step, so no horizontal sum is
/// needed however small the batch.
#[inline]
pub fn weight_gradient<T: Real, const IN: usize, const OUT: usize>(
    gw: &mut [T],
    x: &Batch<T, IN>,
    delta_rows: &[T],
) {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    super::x86::weight_gradient::<T, IN, OUT>(super::x86::Path::chosen(), gw, x, delta_rows);
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    weight_gradient_with::<T, T::Lanes, IN, OUT>(gw, x, delta_rows);
}

/// [`weight_gradient`] in vectors `V`.
#[inline(always)]
pub(super) fn weight_gradient_with<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
>(
    gw: &mut [T],
    x: &Batch<T, IN>,
    delta_rows: &[T],
) {
    match V::LANES {
        2 => weight_gradient_rows::<T, V, IN, OUT, 1>(gw, x, delta_rows),
        4 => weight_gradient_rows::<T, V, IN, OUT, 3>(gw, x, delta_rows),
        8 => weight_gradient_rows::<T, V, IN, OUT, 6>(gw, x, delta_rows),
        _ => weight_gradient_rows::<T, V, IN, OUT, 12>(gw, x, delta_rows),
    }
}

#[inline(always)]
fn weight_gradient_rows<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
    const ROWS: usize,
>(
    gw: &mut [T],
    x: &Batch<T, IN>,
    delta_rows: &[T],
) {
    let full = IN / ROWS * ROWS;
    for o0 in (0..OUT).step_by(BLOCK) {
        let mut i0 = 0;
        while i0 < full {
            gradient_block::<T, V, IN, OUT, ROWS>(gw, x, delta_rows, o0, i0);
            i0 += ROWS;
        }
        if full < IN {
            with_rows!(
                IN - full,
                gradient_block::<T, V, IN, OUT>(gw, x, delta_rows, o0, full)
            );
        }
    }
}

/// Outputs `o0..o0 + BLOCK` (those below `OUT`) of columns `i0..i0 + R` of `dW`.
#[inline(always)]
fn gradient_block<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
    const R: usize,
>(
    gw: &mut [T],
    x: &Batch<T, IN>,
    delta_rows: &[T],
    o0: usize,
    i0: usize,
) {
    let lanes = V::LANES;
    let vectors = BLOCK / lanes;
    let row = OUT.div_ceil(BLOCK) * BLOCK;
    let (samples, x_stride) = (x.len(), x.capacity());
    assert!(i0 + R <= IN && o0 + BLOCK <= row && gw.len() == IN * OUT);
    assert!(delta_rows.len() >= samples * row && x.as_slice().len() >= IN * x_stride);
    let (d_ptr, x_ptr) = (delta_rows.as_ptr(), x.as_slice().as_ptr());
    let mut acc = [[V::splat(T::ZERO); MAX_VECTORS]; R];
    // SAFETY: by the assertions above, sample s < samples reads delta_rows at
    // s * row + o0 + BLOCK <= samples * row, and x at (i0 + r) * stride + s with
    // i0 + r < IN and s < samples <= stride.
    unsafe {
        for s in 0..samples {
            let d_row = d_ptr.add(s * row + o0);
            let mut d = [V::splat(T::ZERO); MAX_VECTORS];
            for (v, d) in d.iter_mut().enumerate().take(vectors) {
                *d = V::read(d_row.add(v * lanes));
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let xv = V::splat(*x_ptr.add((i0 + r) * x_stride + s));
                for (v, acc) in acc.iter_mut().enumerate().take(vectors) {
                    *acc = xv.mul_add(d[v], *acc);
                }
            }
        }
    }
    if o0 + BLOCK <= OUT {
        // A whole block of outputs: added to `dW` a vector at a time.
        let g_ptr = gw.as_mut_ptr();
        for (r, acc) in acc.iter().enumerate() {
            for (v, acc) in acc.iter().enumerate().take(vectors) {
                // SAFETY: column i0 + r < IN starts at (i0 + r) * OUT, and outputs
                // o0 + v * lanes + LANES <= o0 + BLOCK <= OUT stay inside it.
                unsafe {
                    let g = g_ptr.add((i0 + r) * OUT + o0 + v * lanes);
                    V::read(g).add(*acc).write(g);
                }
            }
        }
        return;
    }
    let mut lanes_out = [T::ZERO; BLOCK];
    for (r, acc) in acc.iter().enumerate() {
        for (v, acc) in acc.iter().enumerate().take(vectors) {
            // SAFETY: vectors * lanes == BLOCK scalars fit `lanes_out`.
            unsafe { acc.write(lanes_out.as_mut_ptr().add(v * lanes)) };
        }
        let column = &mut gw[(i0 + r) * OUT..(i0 + r + 1) * OUT];
        for (g, &v) in column.iter_mut().skip(o0).zip(&lanes_out) {
            *g += v;
        }
    }
}
