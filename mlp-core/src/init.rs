//! Seeded random numbers for initialisation.

use nalgebra::ComplexField;
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Uniform random numbers from a seed; the same seed gives the same numbers on every
/// platform, in `f32` and `f64` networks alike (values are drawn in `f64`).
pub struct Uniform {
    rng: Xoshiro256PlusPlus,
}

impl Uniform {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// A number in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An index in `0..n` (n >= 1), by Lemire's multiply-shift without bias worth
    /// noticing for the sizes of data sets.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.rng.next_u64()) * n as u128) >> 64) as usize
    }

    /// A random permutation of `n` items by Fisher-Yates: calls `swap(i, j)` for
    /// `i` from `n - 1` down to 1 with `j` drawn from `0..=i`. Callers swap one or
    /// several slices in unison.
    pub fn permute(&mut self, n: usize, mut swap: impl FnMut(usize, usize)) {
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            swap(i, j);
        }
    }

    /// A number in `[low, high)`.
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// A standard normal number (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        ComplexField::sqrt(-2.0 * ComplexField::ln(u))
            * ComplexField::cos(core::f64::consts::TAU * v)
    }
}
