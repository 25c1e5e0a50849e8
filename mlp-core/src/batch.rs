//! Buffers that hold one value per feature per sample for a chunk of samples.
//!
//! The layout is feature-major ("structure of arrays"): feature `f` of every sample
//! sits in one contiguous run, so a kernel can put consecutive samples in the lanes
//! of a SIMD register. Runs are padded to a multiple of [`LANE_PAD`] samples.

use crate::init::Uniform;
use crate::real::Real;
use alloc::vec::Vec;
use nalgebra::SVector;

/// Each feature's run of samples is padded to a multiple of this many values.
pub const LANE_PAD: usize = 16;

/// Samples and features per tile when converting between rows and feature runs.
const TILE: usize = 16;

/// The caller's samples as they come, one array of `N` features each: what the
/// input layer reads, without a copy into a [`Batch`].
#[derive(Clone, Copy, Debug)]
pub struct Rows<'a, T, const N: usize>(pub &'a [[T; N]]);

/// `N` features for up to `capacity` samples, feature-major.
#[derive(Clone, Debug)]
pub struct Batch<T, const N: usize> {
    data: Vec<T>,
    stride: usize,
    len: usize,
}

impl<T: Real, const N: usize> Batch<T, N> {
    /// A zeroed buffer for up to `capacity` samples (at least one).
    pub fn new(capacity: usize) -> Self {
        let mut stride = capacity.max(1).div_ceil(LANE_PAD) * LANE_PAD;
        // Runs a multiple of 64 scalars apart would map the same samples of many
        // features onto a few cache sets; one more padding vector spreads them.
        if stride.is_multiple_of(64) {
            stride += LANE_PAD;
        }
        Self {
            data: alloc::vec![T::zero(); stride * N],
            stride,
            len: 0,
        }
    }

    /// How many samples fit.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.stride
    }

    /// How many samples the buffer holds now.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no sample.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets how many samples the buffer holds; the values are whatever was there.
    ///
    /// # Panics
    /// If `len` exceeds the capacity.
    #[inline]
    pub fn set_len(&mut self, len: usize) {
        assert!(
            len <= self.stride,
            "batch of {len} samples exceeds capacity {}",
            self.stride
        );
        self.len = len;
    }

    /// The number of samples rounded up to a multiple of [`LANE_PAD`]: kernels
    /// compute on whole SIMD vectors up to here.
    #[inline]
    pub fn padded_len(&self) -> usize {
        self.len.div_ceil(LANE_PAD) * LANE_PAD
    }

    /// Feature `f` of every sample held, with its padding up to [`Batch::padded_len`].
    #[inline]
    pub fn feature_padded(&self, f: usize) -> &[T] {
        let start = f * self.stride;
        &self.data[start..start + self.padded_len()]
    }

    /// Mutable [`Batch::feature_padded`].
    #[inline]
    pub fn feature_padded_mut(&mut self, f: usize) -> &mut [T] {
        let start = f * self.stride;
        let end = start + self.padded_len();
        &mut self.data[start..end]
    }

    /// Sets the padding after the last sample to zero, so that whole-vector kernels
    /// read finite values there and reductions over samples add nothing.
    #[inline]
    pub fn zero_padding(&mut self) {
        let (len, padded) = (self.len, self.padded_len());
        for f in 0..N {
            let start = f * self.stride;
            self.data[start + len..start + padded].fill(T::ZERO);
        }
    }

    /// The whole buffer, feature-major with a run of [`Batch::capacity`] per feature.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// Mutable [`Batch::as_slice`].
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Feature `f` of every sample held.
    #[inline]
    pub fn feature(&self, f: usize) -> &[T] {
        let start = f * self.stride;
        &self.data[start..start + self.len]
    }

    /// Feature `f` of every sample held, mutable.
    #[inline]
    pub fn feature_mut(&mut self, f: usize) -> &mut [T] {
        let start = f * self.stride;
        &mut self.data[start..start + self.len]
    }

    /// Sample `s` as a vector.
    #[inline]
    pub fn sample(&self, s: usize) -> SVector<T, N> {
        debug_assert!(s < self.len);
        SVector::from_fn(|f, _| self.data[f * self.stride + s])
    }

    /// Overwrites sample `s`.
    #[inline]
    pub fn set_sample(&mut self, s: usize, v: &SVector<T, N>) {
        debug_assert!(s < self.len);
        for f in 0..N {
            self.data[f * self.stride + s] = v[f];
        }
    }

    /// Replaces the contents with `rows` (one array per sample).
    ///
    /// # Panics
    /// If there are more rows than the capacity.
    pub fn load(&mut self, rows: &[[T; N]]) {
        self.set_len(rows.len());
        let stride = self.stride;
        // In tiles of TILE samples by TILE features: each feature's run of the tile is
        // one contiguous write, and the tile's rows stay in cache while it is read.
        for s0 in (0..rows.len()).step_by(TILE) {
            let tile = &rows[s0..(s0 + TILE).min(rows.len())];
            for f0 in (0..N).step_by(TILE) {
                for f in f0..(f0 + TILE).min(N) {
                    let run = &mut self.data[f * stride + s0..f * stride + s0 + tile.len()];
                    for (v, row) in run.iter_mut().zip(tile) {
                        *v = row[f];
                    }
                }
            }
        }
        self.zero_padding();
    }

    /// Writes the samples held into `rows`, one array per sample.
    ///
    /// # Panics
    /// If `rows` is not exactly as long as the batch.
    pub fn store(&self, rows: &mut [[T; N]]) {
        assert_eq!(rows.len(), self.len, "output rows");
        let stride = self.stride;
        for s0 in (0..rows.len()).step_by(TILE) {
            let end = (s0 + TILE).min(rows.len());
            let tile = &mut rows[s0..end];
            for f0 in (0..N).step_by(TILE) {
                for f in f0..(f0 + TILE).min(N) {
                    let run = &self.data[f * stride + s0..f * stride + end];
                    for (row, &v) in tile.iter_mut().zip(run) {
                        row[f] = v;
                    }
                }
            }
        }
    }
}

/// What a dense layer keeps for the backward pass: pre-activations `z`, activations
/// `a`, and `delta` (first `dL/da`, then `dL/dz`); with dropout, the mask and the
/// dropped-out activations the next layer reads while training.
#[derive(Clone, Debug)]
pub struct LayerBuffers<T, const N: usize> {
    /// `z = W a_prev + b`.
    pub z: Batch<T, N>,
    /// `a = act(z)`.
    pub a: Batch<T, N>,
    /// The gradient of the loss with respect to `a`, then to `z`.
    pub delta: Batch<T, N>,
    /// `delta` sample-major, each sample's `N` values padded to [`LANE_PAD`]: the
    /// layout in which the weight gradient is vectorised along the outputs.
    delta_rows: Vec<T>,
    /// Per unit and sample, 0 (dropped) or `1 / (1 - rate)` (kept).
    mask: Batch<T, N>,
    /// `a * mask`.
    dropped: Batch<T, N>,
    /// Whether the last forward pass applied the mask.
    dropping: bool,
}

impl<T: Real, const N: usize> LayerBuffers<T, N> {
    /// Buffers for up to `capacity` samples.
    pub fn new(capacity: usize) -> Self {
        Self::build(capacity, 0)
    }

    /// Buffers for up to `capacity` samples of a layer with dropout.
    pub fn with_dropout(capacity: usize) -> Self {
        Self::build(capacity, capacity)
    }

    fn build(capacity: usize, dropout_capacity: usize) -> Self {
        let delta = Batch::new(capacity);
        let rows = delta.capacity() * Self::ROW;
        Self {
            z: Batch::new(capacity),
            a: Batch::new(capacity),
            delta,
            delta_rows: alloc::vec![T::ZERO; rows],
            mask: Batch::new(dropout_capacity),
            dropped: Batch::new(dropout_capacity),
            dropping: false,
        }
    }

    /// Inverted dropout of `a` at `rate` when `rng` is given (training), none
    /// otherwise: each unit of each sample is kept with probability `1 - rate` and
    /// scaled by `1 / (1 - rate)`, so the expected output is unchanged.
    pub fn drop_out(&mut self, rate: f64, rng: Option<&mut Uniform>) {
        let Some(rng) = rng else {
            self.dropping = false;
            return;
        };
        let (len, keep) = (self.a.len(), T::of(1.0 / (1.0 - rate)));
        self.mask.set_len(len);
        self.dropped.set_len(len);
        for f in 0..N {
            for m in self.mask.feature_mut(f) {
                *m = if rng.unit() < rate { T::ZERO } else { keep };
            }
        }
        self.mask.zero_padding();
        let (a, m, d) = (&self.a, &self.mask, &mut self.dropped);
        for f in 0..N {
            let (a, m) = (a.feature_padded(f), m.feature_padded(f));
            for ((d, &a), &m) in d.feature_padded_mut(f).iter_mut().zip(a).zip(m) {
                *d = a * m;
            }
        }
        self.dropping = true;
    }

    /// What the next layer reads: `a`, or `a * mask` after dropout.
    #[inline]
    pub fn output(&self) -> &Batch<T, N> {
        if self.dropping {
            &self.dropped
        } else {
            &self.a
        }
    }

    /// Turns `dL/d(output)` in `delta` into `dL/da` after dropout (multiplies by the
    /// mask); nothing without it.
    #[inline]
    pub fn mask_gradient(&mut self) {
        if self.dropping {
            for f in 0..N {
                let m = self.mask.feature_padded(f);
                for (d, &m) in self.delta.feature_padded_mut(f).iter_mut().zip(m) {
                    *d *= m;
                }
            }
        }
    }

    /// The first `len` samples' activations as rows of `N`, sample-major: where
    /// inference keeps a layer that the next one reads as rows. The storage is
    /// `a`'s, whose values are then whatever the rows leave there.
    ///
    /// # Panics
    /// If `len` exceeds the capacity.
    pub fn rows(&mut self, len: usize) -> &mut [[T; N]] {
        assert!(
            len <= self.a.capacity(),
            "{len} rows exceed capacity {}",
            self.a.capacity()
        );
        self.a.set_len(0);
        self.a.as_mut_slice()[..len * N].as_chunks_mut::<N>().0
    }

    /// The length of one sample's run in [`LayerBuffers::delta_rows`].
    pub const ROW: usize = N.div_ceil(LANE_PAD) * LANE_PAD;

    /// `delta`, and the buffer the weight gradient lays it out sample-major in:
    /// sample `s`'s values at `s * ROW..s * ROW + N`, zeros after them.
    pub fn delta_and_rows(&mut self) -> (&Batch<T, N>, &mut [T]) {
        (&self.delta, &mut self.delta_rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_and_store_round_trip_feature_major() {
        let mut b = Batch::<f32, 3>::new(5);
        assert_eq!(b.capacity(), LANE_PAD);
        let rows = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        b.load(&rows);
        assert_eq!(b.feature(0), &[1.0, 4.0]);
        assert_eq!(b.feature(2), &[3.0, 6.0]);
        let mut out = [[0.0; 3]; 2];
        b.store(&mut out);
        assert_eq!(out, rows);
        assert_eq!(b.sample(1), SVector::<f32, 3>::new(4.0, 5.0, 6.0));
    }
}
