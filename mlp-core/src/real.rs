//! The scalar types a network computes in.

use crate::simd::{F32Lanes, F64Lanes, Lanes, Math};
use core::fmt::{Debug, Display};
use nalgebra::RealField;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The scalar types, as files and generated code name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// IEEE 754 binary32.
    F32,
    /// IEEE 754 binary64.
    F64,
}

/// A floating-point scalar a network computes in: `f32` (the default) or `f64`.
///
/// Sealed: the heap allocation of large layers relies on all-zero bits being `0.0`.
/// Its private `Math` bound lets the activation and loss formulas take a scalar or its
/// [`Real::Lanes`].
pub trait Real:
    RealField + Math + Copy + Default + Debug + Display + sealed::Sealed + 'static
{
    /// The name used in messages and saved files (`"f32"` or `"f64"`).
    const NAME: &'static str;
    /// Which scalar this is.
    const DTYPE: Dtype;

    /// The widest SIMD vector of this scalar the build supports.
    type Lanes: Lanes<Scalar = Self>;
    /// The 128-bit vector (`f32x4`, `f64x2`): one sample's layers of a few units.
    type Lanes128: Lanes<Scalar = Self>;
    /// The 256-bit vector (`f32x8`, `f64x4`), emulated on narrower targets.
    type Lanes256: Lanes<Scalar = Self>;

    /// `0.0`.
    const ZERO: Self;
    /// `1.0`.
    const ONE: Self;

    /// Whether the value is neither NaN nor infinite.
    fn finite(self) -> bool;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn of(x: f64) -> Self;

    /// Converts to `f64` exactly.
    fn to_f64(self) -> f64;
}

impl Real for f32 {
    type Lanes = F32Lanes;
    type Lanes128 = wide::f32x4;
    type Lanes256 = wide::f32x8;
    const NAME: &'static str = "f32";
    const DTYPE: Dtype = Dtype::F32;
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;

    #[inline(always)]
    fn finite(self) -> bool {
        f32::is_finite(self)
    }

    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Real for f64 {
    type Lanes = F64Lanes;
    type Lanes128 = wide::f64x2;
    type Lanes256 = wide::f64x4;
    const NAME: &'static str = "f64";
    const DTYPE: Dtype = Dtype::F64;
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;

    #[inline(always)]
    fn finite(self) -> bool {
        f64::is_finite(self)
    }

    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }

    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}
