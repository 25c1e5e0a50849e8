//! Register-blocked products over feature-major batches.
//!
//! A block computes `ROWS` outputs for `NV` vectors of samples with every
//! accumulator in a register: per step `NV` vector loads of `B`, one broadcast of
//! `A` per row, and `ROWS * NV` fused multiply-adds. The shape is chosen per vector
//! width and register count so the accumulators plus the loaded vectors fit the
//! register file (16 vector registers on SSE2 and AVX2, 32 on AVX-512).
//!
//! `B` is read in place when it is a small feature-major batch. Otherwise each
//! block of samples is first packed into a contiguous panel of [`PANEL`] scalars,
//! which stays in the L1 cache while every row block reads it: a batch's features
//! lie a whole run apart, and reading many of them in place maps them onto a few
//! cache sets. Packing is also where the caller's rows (sample-major, the input
//! layer) are turned feature-major, so the input needs no conversion of its own.
//!
//! Everything down to the register block is inlined into the bodies compiled for
//! each instruction set. Builds with debug assertions inline only the block, so
//! that their frames, which keep every inlined local apart, stay small.

use super::BLOCK;
use super::elementwise::Lanewise;
use super::vector::Vector;
use crate::activation::{Elementwise, Linear};
use crate::batch::{Batch, LANE_PAD, Rows};
use crate::real::Real;
use core::mem::MaybeUninit;

/// Scalars in one packed panel of `B`: 24 KiB of `f32`, half an L1 cache.
const PANEL: usize = 6144;

/// Samples per chunk: the panel holds a run of the inner dimension for all of
/// them, and each row block's `A` is read for all of them while in L1.
const CHUNK: usize = 64;

/// Inner dimensions up to this are read in place from a feature-major batch.
const IN_PLACE_DEPTH: usize = 64;

/// Most vectors a block row can span: `BLOCK / LANES` with 2 lanes (`f64x2`).
const MAX_VECTORS: usize = 8;

/// Calls `$f::<R>` with `R` the constant `$rows`, for the remainder block of a
/// product whose row count is not a multiple of `ROWS`. The count is an inline
/// constant, so each instance of the caller compiles only the one arm it takes.
macro_rules! with_rows {
    ($rows:expr, $f:ident::<$($g:ty),*>($($arg:expr),*)) => {
        match const { $rows } {
            0 => {}
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

/// The `B` of a product, `K` features for each of its samples.
pub trait Operand<T: Real, const K: usize> {
    /// Whether [`Operand::rows`] gives the samples: a constant, so the rows
    /// product is compiled only for operands that have them.
    const SAMPLE_MAJOR: bool;

    /// How many samples.
    fn samples(&self) -> usize;

    /// Feature-major runs that a product may read in place: feature 0 of sample 0
    /// and the distance between features, each run padded to whole [`LANE_PAD`]s.
    fn runs(&self) -> Option<(*const T, usize)>;

    /// The samples as rows of `K` features, when they come so.
    fn rows(&self) -> Option<&[[T; K]]>;

    /// Feature `i` of sample `s` is at `base + i * feature_stride + s * sample_stride`:
    /// `(base, feature_stride, sample_stride)`.
    fn elements(&self) -> (*const T, usize, usize);

    /// Copies features `k0..k1` of samples `s0..s0 + n` into `panel` (at least
    /// `(k1 - k0) * n` long), feature `k` at `(k - k0) * n`; samples past the last
    /// are zero.
    fn pack<V: Vector<Scalar = T>>(
        &self,
        k0: usize,
        k1: usize,
        s0: usize,
        n: usize,
        panel: &mut [MaybeUninit<T>],
    );
}

impl<T: Real, const K: usize> Operand<T, K> for Batch<T, K> {
    const SAMPLE_MAJOR: bool = false;

    #[inline(always)]
    fn samples(&self) -> usize {
        self.len()
    }

    #[inline(always)]
    fn runs(&self) -> Option<(*const T, usize)> {
        Some((self.as_slice().as_ptr(), self.capacity()))
    }

    #[inline(always)]
    fn rows(&self) -> Option<&[[T; K]]> {
        None
    }

    #[inline(always)]
    fn elements(&self) -> (*const T, usize, usize) {
        (self.as_slice().as_ptr(), self.capacity(), 1)
    }

    #[inline(always)]
    fn pack<V: Vector<Scalar = T>>(
        &self,
        k0: usize,
        k1: usize,
        s0: usize,
        n: usize,
        panel: &mut [MaybeUninit<T>],
    ) {
        let stride = self.capacity();
        assert!(k0 <= k1 && k1 <= K && (k1 - k0) * n <= panel.len() && n.is_multiple_of(V::LANES));
        assert!(s0 + n <= stride && self.as_slice().len() >= K * stride);
        let (src, dst) = (self.as_slice().as_ptr(), panel.as_mut_ptr().cast::<T>());
        // SAFETY: by the assertions, every run k < K reads s0..s0 + n <= stride of
        // its own feature, and every write lands below (k1 - k0) * n <= panel length.
        unsafe {
            // Copies of a constant length: LLVM turns a loop of runtime length
            // into a call of `memmove` per run, which costs more than the copy.
            macro_rules! runs {
                ($len:expr) => {
                    for k in k0..k1 {
                        let (from, to) = (src.add(k * stride + s0), dst.add((k - k0) * n));
                        core::ptr::copy_nonoverlapping(from, to, $len);
                    }
                };
            }
            match n / V::LANES {
                1 => runs!(V::LANES),
                2 => runs!(2 * V::LANES),
                4 => runs!(4 * V::LANES),
                8 => runs!(8 * V::LANES),
                _ => runs!(n),
            }
        }
    }
}

impl<T: Real, const K: usize> Operand<T, K> for Rows<'_, T, K> {
    const SAMPLE_MAJOR: bool = true;

    #[inline(always)]
    fn samples(&self) -> usize {
        self.0.len()
    }

    #[inline(always)]
    fn runs(&self) -> Option<(*const T, usize)> {
        None
    }

    #[inline(always)]
    fn rows(&self) -> Option<&[[T; K]]> {
        Some(self.0)
    }

    #[inline(always)]
    fn elements(&self) -> (*const T, usize, usize) {
        (self.0.as_ptr().cast::<T>(), 1, K)
    }

    #[inline(always)]
    fn pack<V: Vector<Scalar = T>>(
        &self,
        k0: usize,
        k1: usize,
        s0: usize,
        n: usize,
        panel: &mut [MaybeUninit<T>],
    ) {
        assert!(k0 <= k1 && k1 <= K && (k1 - k0) * n <= panel.len());
        let rows = &self.0[s0.min(self.0.len())..(s0 + n).min(self.0.len())];
        let dst = panel.as_mut_ptr().cast::<T>();
        // SAFETY: sample s < n of feature k < k1 is written at (k - k0) * n + s,
        // below (k1 - k0) * n <= panel length.
        unsafe {
            // Tiles of TILE samples by TILE features, transposed in registers.
            const TILE: usize = 8;
            let full_k = k0 + (k1 - k0) / TILE * TILE;
            let full_s = rows.len() / TILE * TILE;
            let src = rows.as_ptr().cast::<T>();
            for t0 in (0..full_s).step_by(TILE) {
                for f0 in (k0..full_k).step_by(TILE) {
                    V::transpose8(src.add(t0 * K + f0), K, dst.add((f0 - k0) * n + t0), n);
                }
            }
            for (s, row) in rows.iter().enumerate() {
                let from = if s < full_s { full_k } else { k0 };
                for (k, &x) in row.iter().enumerate().take(k1).skip(from) {
                    dst.add((k - k0) * n + s).write(x);
                }
            }
            for k in 0..k1 - k0 {
                for s in rows.len()..n {
                    dst.add(k * n + s).write(T::ZERO);
                }
            }
        }
    }
}

/// `C = A B (+ bias)` for the samples of `b`: `A` is `(M, K)`, the weights `w` of a
/// layer with `M` outputs (column-major, `(m, k)` at `k * M + m`) or, `TRANSPOSED`,
/// their transpose for a layer with `K` outputs (`(m, k)` at `m * K + k`). `C` gets
/// whole vectors up to the padded length of `b`. Without a bias, `C` starts from zero.
///
/// With `activated`, its batch (of `C`'s capacity) also gets `act(C)`, written
/// as `C` is: the layer's activation in the product's last store, so no pass of
/// its own reads `C` again.
#[inline]
pub fn product<T: Real, const M: usize, const K: usize, const TRANSPOSED: bool, B, E>(
    w: &[T],
    bias: Option<&[T]>,
    b: &B,
    c: &mut Batch<T, M>,
    activated: Option<(&E, &mut Batch<T, M>)>,
) where
    B: Operand<T, K>,
    E: Elementwise,
{
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    super::x86::product::<T, M, K, TRANSPOSED, B, E>(
        super::x86::Path::chosen(),
        w,
        bias,
        b,
        c,
        activated,
    );
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    product_with::<T, T::Lanes, M, K, TRANSPOSED, B, E>(w, bias, b, c, activated);
}

/// Where a product's last store also writes `act(C)`: the activation, and the
/// place in its batch that corresponds to the `C` pointer it travels with.
type Fused<'a, T, E> = Option<(&'a E, *mut T)>;

/// [`Fused`] moved by `at` scalars, as its `C` pointer is.
#[inline(always)]
unsafe fn moved<T, E>(fused: Fused<'_, T, E>, at: usize) -> Fused<'_, T, E> {
    // SAFETY: the caller moves `C` by as much, inside a batch of the same shape.
    fused.map(|(e, a)| (e, unsafe { a.add(at) }))
}

/// Stores `acc` at `at` of `C`, and `act(acc)` at `at` of the fused batch.
#[inline(always)]
unsafe fn store<T: Real, V: Lanewise<T>, E: Elementwise>(
    acc: V,
    c: *mut T,
    fused: Fused<'_, T, E>,
    at: usize,
) {
    // SAFETY: the caller's: `LANES` writable scalars at `at` of both.
    unsafe {
        acc.write(c.add(at));
        if let Some((e, a)) = fused {
            e.f(acc).write(a.add(at));
        }
    }
}

/// `a = act(c)` over `c`'s padded samples, `a` of `c`'s shape.
#[inline(always)]
fn activate<T: Real, V: Lanewise<T>, const M: usize, E: Elementwise>(
    e: &E,
    c: &Batch<T, M>,
    a: *mut T,
) {
    let (stride, padded) = (c.capacity(), c.padded_len());
    let c = c.as_slice();
    for m in 0..M {
        for s in (m * stride..m * stride + padded).step_by(V::LANES) {
            // SAFETY: whole vectors of the padded run `m`, inside both batches.
            unsafe { e.f(V::read(c[s..].as_ptr())).write(a.add(s)) };
        }
    }
}

/// [`product`] in vectors `V`, with the block shape of their width.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn product_with<T, V, const M: usize, const K: usize, const TRANSPOSED: bool, B, E>(
    w: &[T],
    bias: Option<&[T]>,
    b: &B,
    c: &mut Batch<T, M>,
    activated: Option<(&E, &mut Batch<T, M>)>,
) where
    T: Real,
    V: Lanewise<T>,
    B: Operand<T, K>,
    E: Elementwise,
{
    let fused = activated.map(|(e, a)| {
        assert_eq!(
            a.capacity(),
            c.capacity(),
            "an activation's batch has C's shape"
        );
        a.set_len(b.samples());
        (e, a.as_mut_slice().as_mut_ptr())
    });
    if const { B::SAMPLE_MAJOR && !TRANSPOSED && M.is_multiple_of(V::LANES) && M >= 2 * V::LANES }
        && let Some(rows) = b.rows()
    {
        // Samples per block, by the register count.
        match V::REGISTERS {
            32 => rows_product::<T, V, M, K, 12>(w, bias, rows, c),
            _ => rows_product::<T, V, M, K, 6>(w, bias, rows, c),
        }
        // Its stores are scalars, one per sample and output: a second set would
        // cost more than this pass over whole vectors.
        if let Some((e, a)) = fused {
            activate::<T, V, M, E>(e, c, a);
        }
        return;
    }
    // (rows, vectors, vectors of a last block of LANE_PAD samples)
    match (V::LANES, V::REGISTERS) {
        (16, _) => product_shape::<T, V, M, K, TRANSPOSED, B, E, 12, 2, 1>(w, bias, b, c, fused),
        (8, 32) => product_shape::<T, V, M, K, TRANSPOSED, B, E, 12, 2, 2>(w, bias, b, c, fused),
        (8, _) => product_shape::<T, V, M, K, TRANSPOSED, B, E, 6, 2, 2>(w, bias, b, c, fused),
        (4, _) => product_shape::<T, V, M, K, TRANSPOSED, B, E, 3, 4, 4>(w, bias, b, c, fused),
        _ => product_shape::<T, V, M, K, TRANSPOSED, B, E, 1, 8, 8>(w, bias, b, c, fused),
    }
}

/// [`product`] of a layer with many outputs on the caller's rows, vectorised along
/// the outputs instead of the samples: a column of `W` is contiguous, a row holds
/// one sample's features, so neither needs a copy. A block holds `S` samples times
/// two vectors of outputs over the whole inner dimension; its sums are written
/// to `C`'s feature runs a scalar at a time, once per block.
#[cfg_attr(not(debug_assertions), inline(always))]
fn rows_product<T: Real, V: Lanewise<T>, const M: usize, const K: usize, const S: usize>(
    w: &[T],
    bias: Option<&[T]>,
    rows: &[[T; K]],
    c: &mut Batch<T, M>,
) {
    let padded = rows.len().div_ceil(LANE_PAD) * LANE_PAD;
    let stride = c.capacity();
    assert!(padded <= stride && c.as_slice().len() >= M * stride);
    let c_ptr = c.as_mut_slice().as_mut_ptr();
    // SAFETY: C holds M runs of `stride >= padded` samples.
    unsafe {
        rows_samples::<T, V, M, K, S, Linear>(w, bias, rows, c_ptr, Sums::Runs(stride));
    }
    // The padding gets what a zero input gives, as from a batch.
    for m in 0..M {
        let b = bias.map_or(T::ZERO, |b| b[m]);
        c.as_mut_slice()[m * stride + rows.len()..m * stride + padded].fill(b);
    }
}

/// `out[s] = act(W rows[s] + b)` for every sample, sample-major in and out: the
/// [`rows_product`] of inference, whose blocks store each sample's outputs as
/// whole vectors, the activation applied in registers.
#[inline]
pub fn rows_to_rows<T: Real, const M: usize, const K: usize, E: Elementwise>(
    w: &[T],
    bias: &[T],
    rows: &[[T; K]],
    out: &mut [[T; M]],
    act: &E,
) {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    super::x86::rows_to_rows::<T, M, K, E>(super::x86::Path::chosen(), w, bias, rows, out, act);
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    rows_to_rows_with::<T, T::Lanes, M, K, E>(w, bias, rows, out, act);
}

/// [`rows_to_rows`] in vectors `V`.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn rows_to_rows_with<T, V, const M: usize, const K: usize, E>(
    w: &[T],
    bias: &[T],
    rows: &[[T; K]],
    out: &mut [[T; M]],
    act: &E,
) where
    T: Real,
    V: Lanewise<T>,
    E: Elementwise,
{
    assert_eq!(rows.len(), out.len(), "output rows");
    let c = out.as_mut_ptr().cast::<T>();
    let bias = Some(bias);
    // SAFETY: `out` holds a row of M for every sample of `rows`.
    unsafe {
        match V::REGISTERS {
            32 => rows_samples::<T, V, M, K, 12, E>(w, bias, rows, c, Sums::Rows(act)),
            _ => rows_samples::<T, V, M, K, 6, E>(w, bias, rows, c, Sums::Rows(act)),
        }
    }
}

/// Where a rows product's blocks write their sums.
#[derive(Clone, Copy)]
enum Sums<'a, E> {
    /// Feature-major runs this far apart (a batch's capacity), as they are.
    Runs(usize),
    /// Rows of `M` outputs, sample-major, through the activation.
    Rows(&'a E),
}

/// Every sample of `rows` in blocks of `S`, then of 8, 4, 2 and 1 for the last
/// ones: four shapes per layer instead of one per count.
///
/// # Safety
/// `c` points to where sample 0's output 0 goes: `M` runs of at least
/// `rows.len()` samples for [`Sums::Runs`], `rows.len()` rows of `M` for
/// [`Sums::Rows`].
#[inline(always)]
unsafe fn rows_samples<T, V, const M: usize, const K: usize, const S: usize, E>(
    w: &[T],
    bias: Option<&[T]>,
    rows: &[[T; K]],
    c: *mut T,
    sums: Sums<'_, E>,
) where
    T: Real,
    V: Lanewise<T>,
    E: Elementwise,
{
    assert!(w.len() >= M * K && M.is_multiple_of(V::LANES));
    assert!(bias.is_none_or(|b| b.len() >= M));
    // Sample s's first output: a run's entry s, or row s.
    let sample = match sums {
        Sums::Runs(_) => 1,
        Sums::Rows(_) => M,
    };
    let mut s0 = 0;
    // SAFETY: every block reads samples s0..s0 + R <= rows.len() and outputs below
    // M of `w`, and writes those samples of C, as the caller's contract allows.
    unsafe {
        macro_rules! block_of {
            ($r:expr) => {
                let (x, to) = (rows.as_ptr().add(s0).cast(), c.add(s0 * sample));
                rows_blocks::<T, V, M, K, { $r }, E>(w, bias, x, to, sums);
                s0 += $r;
            };
        }
        while rows.len() - s0 >= S {
            block_of!(S);
        }
        macro_rules! remainder {
            ($($r:literal),*) => {$(
                if const { $r < S } && rows.len() - s0 >= $r {
                    block_of!($r);
                }
            )*};
        }
        remainder!(8, 4, 2, 1);
        debug_assert_eq!(s0, rows.len());
    }
}

/// Samples `0..R` of `x` (rows of `K`) for every output of `C`, two vectors of
/// outputs at a time, then one.
///
/// # Safety
/// `x` holds `R` rows of `K`; `c` points to sample 0's output 0 of `C`, with `R`
/// samples of `M` outputs writable as `sums` lays them out; `w` holds `M * K` and
/// a bias `M`; `M` is a multiple of `LANES`.
#[cfg_attr(not(debug_assertions), inline(always))]
unsafe fn rows_blocks<T, V, const M: usize, const K: usize, const R: usize, E>(
    w: &[T],
    bias: Option<&[T]>,
    x: *const T,
    c: *mut T,
    sums: Sums<'_, E>,
) where
    T: Real,
    V: Lanewise<T>,
    E: Elementwise,
{
    let lanes = V::LANES;
    let mut m0 = 0;
    // SAFETY: the caller's contract, with outputs m0..m0 + NV * LANES <= M.
    unsafe {
        while m0 + 2 * lanes <= M {
            rows_block::<T, V, M, K, R, 2, E>(w, bias, x, c, sums, m0);
            m0 += 2 * lanes;
        }
        if m0 < M {
            rows_block::<T, V, M, K, R, 1, E>(w, bias, x, c, sums, m0);
        }
    }
}

/// Outputs `m0..m0 + NV * LANES` of samples `0..R`.
///
/// # Safety
/// As [`rows_blocks`], with `m0 + NV * LANES <= M`.
#[inline(always)]
unsafe fn rows_block<T, V, const M: usize, const K: usize, const R: usize, const NV: usize, E>(
    w: &[T],
    bias: Option<&[T]>,
    x: *const T,
    c: *mut T,
    sums: Sums<'_, E>,
    m0: usize,
) where
    T: Real,
    V: Lanewise<T>,
    E: Elementwise,
{
    let lanes = V::LANES;
    // SAFETY: the caller's contract bounds every access: column k < K of `W` at
    // k * M, outputs m0.. below M; row r < R of `x` at r * K.
    unsafe {
        // From the bias, as the sums over a batch start.
        let start: [V; NV] = core::array::from_fn(|v| match bias {
            Some(b) => V::read(b.as_ptr().add(m0 + v * lanes)),
            None => V::splat(T::ZERO),
        });
        let mut acc = [start; R];
        let w = w.as_ptr().add(m0);
        for k in 0..K {
            let column = w.add(k * M);
            let mut wk = [V::splat(T::ZERO); NV];
            for (v, wk) in wk.iter_mut().enumerate() {
                *wk = V::read(column.add(v * lanes));
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let xv = V::splat(*x.add(r * K + k));
                for (v, acc) in acc.iter_mut().enumerate() {
                    *acc = xv.mul_add(wk[v], *acc);
                }
            }
        }
        match sums {
            Sums::Rows(e) => {
                for (r, acc) in acc.iter().enumerate() {
                    for (v, acc) in acc.iter().enumerate() {
                        e.f(*acc).write(c.add(r * M + m0 + v * lanes));
                    }
                }
            }
            Sums::Runs(stride) => {
                let mut lanes_out = [T::ZERO; 32];
                for (r, acc) in acc.iter().enumerate() {
                    for (v, acc) in acc.iter().enumerate() {
                        acc.write(lanes_out.as_mut_ptr().add(v * lanes));
                    }
                    for (j, &sum) in lanes_out.iter().enumerate().take(NV * lanes) {
                        *c.add((m0 + j) * stride + r) = sum;
                    }
                }
            }
        }
    }
}

/// Where a block's accumulators start.
#[derive(Clone, Copy)]
enum Start<T> {
    /// From the bias of each row (`None`: from zero).
    Bias(Option<*const T>),
    /// From what `C` holds: a later run of the inner dimension.
    Sum,
}

/// Where a run of the inner dimension reads `B` for a chunk of samples: the block
/// of samples `s` starts at `base + (s - chunk start) * scale`, with its features
/// `stride` apart (`width`, the block's own, when `stride` is `None`: packed).
#[derive(Clone, Copy)]
struct Source<T> {
    base: *const T,
    scale: usize,
    stride: Option<usize>,
}

#[cfg_attr(not(debug_assertions), inline(always))]
fn product_shape<
    T: Real,
    V: Lanewise<T>,
    const M: usize,
    const K: usize,
    const TRANSPOSED: bool,
    B: Operand<T, K>,
    E: Elementwise,
    const ROWS: usize,
    const NV: usize,
    const NV_LAST: usize,
>(
    w: &[T],
    bias: Option<&[T]>,
    b: &B,
    c: &mut Batch<T, M>,
    fused: Fused<'_, T, E>,
) {
    let nr = NV * V::LANES;
    let padded = b.samples().div_ceil(LANE_PAD) * LANE_PAD;
    let c_stride = c.capacity();
    assert!(w.len() >= M * K && padded <= c_stride && c.as_slice().len() >= M * c_stride);
    assert!(
        NV_LAST * V::LANES == nr.min(LANE_PAD)
            && CHUNK.is_multiple_of(nr)
            && nr.is_multiple_of(LANE_PAD)
    );
    if let Some(bias) = bias {
        assert!(bias.len() >= M);
    }
    let bias = bias.map(<[T]>::as_ptr);
    let c_ptr = c.as_mut_slice().as_mut_ptr();
    // One block of rows reads the panel once: packing it would only copy it.
    let in_place = if K <= IN_PLACE_DEPTH || M <= ROWS {
        b.runs()
    } else {
        None
    };
    let mut panel = [const { MaybeUninit::<T>::uninit() }; PANEL];
    let mut c0 = 0;
    while c0 < padded {
        let width = CHUNK.min(padded - c0);
        let depth = match in_place {
            Some(_) => K.max(1),
            None => (PANEL / width).min(K).max(1),
        };
        let mut k0 = 0;
        while k0 < K {
            let k1 = (k0 + depth).min(K);
            let source = match in_place {
                Some((base, stride)) => Source {
                    // SAFETY: feature k0 < K of the runs, sample c0 < padded.
                    base: unsafe { base.add(k0 * stride + c0) },
                    scale: 1,
                    stride: Some(stride),
                },
                None => {
                    // Each block of samples packed on its own, one after the other.
                    for s in (c0..c0 + width).step_by(nr) {
                        let n = nr.min(c0 + width - s);
                        let at = (s - c0) * (k1 - k0);
                        b.pack::<V>(k0, k1, s, n, &mut panel[at..at + (k1 - k0) * n]);
                    }
                    Source {
                        base: panel.as_ptr().cast::<T>(),
                        scale: k1 - k0,
                        stride: None,
                    }
                }
            };
            let start = if k0 == 0 {
                Start::Bias(bias)
            } else {
                Start::Sum
            };
            let full = M / ROWS * ROWS;
            // SAFETY: the source holds features k0..k1 of the chunk's samples; C
            // holds M rows of c_stride >= padded samples; `w` holds M * K.
            unsafe {
                let c_chunk = c_ptr.add(c0);
                // The activation goes with the last run's stores.
                let fused = if k1 == K { moved(fused, c0) } else { None };
                let mut m0 = 0;
                while m0 < full {
                    blocks::<T, V, M, K, TRANSPOSED, E, NV, NV_LAST, ROWS>(
                        w, source, width, c_chunk, fused, c_stride, m0, k0, k1, start,
                    );
                    m0 += ROWS;
                }
                with_rows!(
                    M % ROWS,
                    blocks::<T, V, M, K, TRANSPOSED, E, NV, NV_LAST>(
                        w, source, width, c_chunk, fused, c_stride, full, k0, k1, start
                    )
                );
            }
            k0 = k1;
        }
        c0 += width;
    }
}

/// Rows `m0..m0 + R` of `C` for every block of samples of a chunk of `width`, the
/// block's `A` staying in the L1 cache from one block to the next.
///
/// # Safety
/// `source` holds features `k0..k1` of the chunk's samples; `c` points to the
/// chunk's first sample of row 0 of `C`, rows `c_stride` apart; `w` holds `M * K`
/// scalars; a bias holds `M`; `m0 + R <= M`.
#[cfg_attr(not(debug_assertions), inline(always))]
#[allow(clippy::too_many_arguments)]
unsafe fn blocks<
    T: Real,
    V: Lanewise<T>,
    const M: usize,
    const K: usize,
    const TRANSPOSED: bool,
    E: Elementwise,
    const NV: usize,
    const NV_LAST: usize,
    const R: usize,
>(
    w: &[T],
    source: Source<T>,
    width: usize,
    c: *mut T,
    fused: Fused<'_, T, E>,
    c_stride: usize,
    m0: usize,
    k0: usize,
    k1: usize,
    start: Start<T>,
) {
    let nr = NV * V::LANES;
    let mut s = 0;
    // SAFETY: the caller's contract; block s..s + n lies inside the chunk.
    unsafe {
        while s < width {
            let n = nr.min(width - s);
            let b = source.base.add(s * source.scale);
            let b_stride = source.stride.unwrap_or(n);
            if n == nr {
                block::<T, V, M, K, TRANSPOSED, E, NV, R>(
                    w,
                    b,
                    b_stride,
                    c.add(s),
                    moved(fused, s),
                    c_stride,
                    m0,
                    k0,
                    k1,
                    start,
                );
            } else {
                block::<T, V, M, K, TRANSPOSED, E, NV_LAST, R>(
                    w,
                    b,
                    b_stride,
                    c.add(s),
                    moved(fused, s),
                    c_stride,
                    m0,
                    k0,
                    k1,
                    start,
                );
            }
            s += n;
        }
    }
}

/// Rows `m0..m0 + R` of `C` for `NV` vectors of samples, inner indices `k0..k1`:
/// only loads, broadcasts and fused multiply-adds in the inner loop.
///
/// # Safety
/// `b` holds features `k0..k1` of `NV * LANES` samples, `b_stride` apart; `c`
/// points to those samples of row 0 of `C`, rows `c_stride` apart; `w` holds
/// `M * K` scalars; a bias holds `M`; `m0 + R <= M`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block<
    T: Real,
    V: Lanewise<T>,
    const M: usize,
    const K: usize,
    const TRANSPOSED: bool,
    E: Elementwise,
    const NV: usize,
    const R: usize,
>(
    w: &[T],
    b: *const T,
    b_stride: usize,
    c: *mut T,
    fused: Fused<'_, T, E>,
    c_stride: usize,
    m0: usize,
    k0: usize,
    k1: usize,
    start: Start<T>,
) {
    let lanes = V::LANES;
    // A[m, k]: a row of W, or of W^T.
    let (a_row, a_col) = if TRANSPOSED { (K, 1) } else { (1, M) };
    // SAFETY: the caller's contract bounds every access: rows m0 + m < M, inner
    // k0..k1 <= K, NV vectors of samples in `b` and `c`.
    unsafe {
        let a = w.as_ptr().add(m0 * a_row + k0 * a_col);
        // Each accumulator made from its start, not zeroed first: a zeroed array
        // would be a memory copy the compiler may keep (a call of memset per block).
        let mut acc: [[V; NV]; R] = core::array::from_fn(|m| {
            core::array::from_fn(|v| match start {
                Start::Sum => V::read(c.add((m0 + m) * c_stride + v * lanes)),
                Start::Bias(Some(bias)) => V::splat(*bias.add(m0 + m)),
                Start::Bias(None) => V::splat(T::ZERO),
            })
        });
        for k in 0..k1 - k0 {
            let b_row = b.add(k * b_stride);
            let a_col_k = a.add(k * a_col);
            let mut x = [V::splat(T::ZERO); NV];
            for (v, x) in x.iter_mut().enumerate() {
                *x = V::read(b_row.add(v * lanes));
            }
            for (m, row) in acc.iter_mut().enumerate() {
                let w = V::splat(*a_col_k.add(m * a_row));
                for (v, acc) in row.iter_mut().enumerate() {
                    *acc = w.mul_add(x[v], *acc);
                }
            }
        }
        for (m, row) in acc.iter().enumerate() {
            for (v, acc) in row.iter().enumerate() {
                store(*acc, c, fused, (m0 + m) * c_stride + v * lanes);
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

/// `dW += delta x^T` with `dW` `(OUT, IN)` column-major. `delta` is first laid out
/// sample-major in `rows` (runs of `ROW = OUT` padded to [`BLOCK`], zeros after
/// the outputs; at least `ROW` per sample). Vectorised along the outputs,
/// register-blocked as [`product`] is: a block holds [`BLOCK`] outputs (or two) of
/// `R` columns and adds one sample's contribution per step, so no horizontal sum
/// is needed however small the batch.
#[inline]
pub fn weight_gradient<T: Real, const IN: usize, const OUT: usize, X: Operand<T, IN>>(
    gw: &mut [T],
    x: &X,
    delta: &Batch<T, OUT>,
    rows: &mut [T],
) {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    super::x86::weight_gradient::<T, IN, OUT, X>(super::x86::Path::chosen(), gw, x, delta, rows);
    #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
    weight_gradient_with::<T, T::Lanes, IN, OUT, X>(gw, x, delta, rows);
}

/// [`weight_gradient`] in vectors `V`.
#[inline(always)]
pub(super) fn weight_gradient_with<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
    X: Operand<T, IN>,
>(
    gw: &mut [T],
    x: &X,
    delta: &Batch<T, OUT>,
    rows: &mut [T],
) {
    let delta_rows = sample_major::<T, V, OUT>(delta, rows);
    match V::LANES {
        2 => weight_gradient_rows::<T, V, IN, OUT, X, 1>(gw, x, delta_rows),
        4 => weight_gradient_rows::<T, V, IN, OUT, X, 3>(gw, x, delta_rows),
        8 => weight_gradient_rows::<T, V, IN, OUT, X, 6>(gw, x, delta_rows),
        _ => weight_gradient_rows::<T, V, IN, OUT, X, 12>(gw, x, delta_rows),
    }
}

/// `delta`'s samples as runs of `OUT.div_ceil(BLOCK) * BLOCK` in `rows`, in 8 x 8
/// tiles transposed in registers; the rest of each run is left as it is (zero).
#[inline(always)]
fn sample_major<'a, T: Real, V: Vector<Scalar = T>, const OUT: usize>(
    delta: &Batch<T, OUT>,
    rows: &'a mut [T],
) -> &'a [T] {
    const TILE: usize = 8;
    let row = OUT.div_ceil(BLOCK) * BLOCK;
    let (len, stride) = (delta.len(), delta.capacity());
    assert!(rows.len() >= len * row && delta.as_slice().len() >= OUT * stride);
    let (full_f, full_s) = (OUT / TILE * TILE, len / TILE * TILE);
    let (src, dst) = (delta.as_slice().as_ptr(), rows.as_mut_ptr());
    // SAFETY: feature f < OUT of sample s < len is read at f * stride + s, inside
    // the batch, and written at s * row + f < len * row <= rows.len().
    unsafe {
        for s0 in (0..full_s).step_by(TILE) {
            for f0 in (0..full_f).step_by(TILE) {
                V::transpose8(
                    src.add(f0 * stride + s0),
                    stride,
                    dst.add(s0 * row + f0),
                    row,
                );
            }
        }
        for s in 0..len {
            let from = if s < full_s { full_f } else { 0 };
            for f in from..OUT {
                *dst.add(s * row + f) = *src.add(f * stride + s);
            }
        }
    }
    &rows[..len * row]
}

#[inline(always)]
fn weight_gradient_rows<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
    X: Operand<T, IN>,
    const ROWS: usize,
>(
    gw: &mut [T],
    x: &X,
    delta_rows: &[T],
) {
    // With 32 registers and one vector per block of outputs, whole pairs of
    // blocks run as one: 24 accumulators, and a broadcast of `x` feeds two
    // fused multiply-adds instead of one.
    let paired = if const { V::REGISTERS == 32 && V::LANES == BLOCK } {
        OUT / (2 * BLOCK) * (2 * BLOCK)
    } else {
        0
    };
    let mut o0 = 0;
    while o0 < paired {
        gradient_columns::<T, V, IN, OUT, X, ROWS, { 2 * BLOCK }>(gw, x, delta_rows, o0);
        o0 += 2 * BLOCK;
    }
    while o0 < OUT {
        gradient_columns::<T, V, IN, OUT, X, ROWS, BLOCK>(gw, x, delta_rows, o0);
        o0 += BLOCK;
    }
}

/// Outputs `o0..o0 + WIDTH` (those below `OUT`) of every column of `dW`.
#[inline(always)]
fn gradient_columns<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
    X: Operand<T, IN>,
    const ROWS: usize,
    const WIDTH: usize,
>(
    gw: &mut [T],
    x: &X,
    delta_rows: &[T],
    o0: usize,
) {
    let full = IN / ROWS * ROWS;
    let mut i0 = 0;
    while i0 < full {
        gradient_block::<T, V, IN, OUT, X, WIDTH, ROWS>(gw, x, delta_rows, o0, i0);
        i0 += ROWS;
    }
    with_rows!(
        IN % ROWS,
        gradient_block::<T, V, IN, OUT, X, WIDTH>(gw, x, delta_rows, o0, full)
    );
}

/// Outputs `o0..o0 + WIDTH` (those below `OUT`; `WIDTH` is `BLOCK` unless they
/// all are) of columns `i0..i0 + R` of `dW`.
#[inline(always)]
fn gradient_block<
    T: Real,
    V: Vector<Scalar = T>,
    const IN: usize,
    const OUT: usize,
    X: Operand<T, IN>,
    const WIDTH: usize,
    const R: usize,
>(
    gw: &mut [T],
    x: &X,
    delta_rows: &[T],
    o0: usize,
    i0: usize,
) {
    let lanes = V::LANES;
    let vectors = WIDTH / lanes;
    let row = OUT.div_ceil(BLOCK) * BLOCK;
    let samples = x.samples();
    let (x_ptr, feature_stride, sample_stride) = x.elements();
    assert!(vectors <= MAX_VECTORS && (WIDTH == BLOCK || o0 + WIDTH <= OUT));
    assert!(i0 + R <= IN && o0 + WIDTH <= row && gw.len() == IN * OUT);
    assert!(delta_rows.len() >= samples * row);
    let d_ptr = delta_rows.as_ptr();
    let mut acc = [[V::splat(T::ZERO); MAX_VECTORS]; R];
    // SAFETY: by the assertions above, sample s < samples reads delta_rows at
    // s * row + o0 + WIDTH <= samples * row, and `x` feature i0 + r < IN of
    // sample s < samples, which the operand holds.
    unsafe {
        for s in 0..samples {
            let d_row = d_ptr.add(s * row + o0);
            let mut d = [V::splat(T::ZERO); MAX_VECTORS];
            for (v, d) in d.iter_mut().enumerate().take(vectors) {
                *d = V::read(d_row.add(v * lanes));
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let xv = V::splat(*x_ptr.add((i0 + r) * feature_stride + s * sample_stride));
                for (v, acc) in acc.iter_mut().enumerate().take(vectors) {
                    *acc = xv.mul_add(d[v], *acc);
                }
            }
        }
    }
    if o0 + WIDTH <= OUT {
        // A whole block of outputs: added to `dW` a vector at a time.
        let g_ptr = gw.as_mut_ptr();
        for (r, acc) in acc.iter().enumerate() {
            for (v, acc) in acc.iter().enumerate().take(vectors) {
                // SAFETY: column i0 + r < IN starts at (i0 + r) * OUT, and outputs
                // o0 + v * lanes + LANES <= o0 + WIDTH <= OUT stay inside it.
                unsafe {
                    let g = g_ptr.add((i0 + r) * OUT + o0 + v * lanes);
                    V::read(g).add(*acc).write(g);
                }
            }
        }
        return;
    }
    let mut lanes_out = [T::ZERO; WIDTH];
    for (r, acc) in acc.iter().enumerate() {
        for (v, acc) in acc.iter().enumerate().take(vectors) {
            // SAFETY: vectors * lanes == WIDTH scalars fit `lanes_out`.
            unsafe { acc.write(lanes_out.as_mut_ptr().add(v * lanes)) };
        }
        let column = &mut gw[(i0 + r) * OUT..(i0 + r + 1) * OUT];
        for (g, &v) in column.iter_mut().skip(o0).zip(&lanes_out) {
            *g += v;
        }
    }
}
