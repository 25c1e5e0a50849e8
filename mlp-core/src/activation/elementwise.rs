//! The activations applied to each neuron on its own: each formula and its
//! derivative once, over [`Math`], for scalars and SIMD vectors alike.

use super::{Elementwise, InitScheme};
use crate::simd::Math;

/// Logistic sigmoid `1 / (1 + e^-z)`; derivative `a (1 - a)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

impl Elementwise for Sigmoid {
    const NAME: &'static str = "sigmoid";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        sigmoid(z)
    }

    #[inline(always)]
    fn df<V: Math>(&self, _z: V, a: V) -> V {
        a * (V::num(1.0) - a)
    }
}

/// `1 / (1 + e^-z)`. For very negative `z`, `e^-z` is infinite (scalars) or the
/// largest normal number (vectors), and the quotient the limit 0, never NaN.
#[inline(always)]
fn sigmoid<V: Math>(z: V) -> V {
    let one = V::num(1.0);
    one / (one + V::exp_fast(-z))
}

/// Hyperbolic tangent; derivative `1 - a^2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Elementwise for Tanh {
    const NAME: &'static str = "tanh";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::tanh_fast(z)
    }

    #[inline(always)]
    fn df<V: Math>(&self, _z: V, a: V) -> V {
        V::num(1.0) - a * a
    }
}

/// `max(0, z)`; derivative 1 for `z > 0`, else 0 (so `relu'(0) = 0`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Elementwise for Relu {
    const NAME: &'static str = "relu";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        let zero = V::num(0.0);
        V::gt_select(z, zero, z, zero)
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        let zero = V::num(0.0);
        V::gt_select(z, zero, V::num(1.0), zero)
    }
}

/// `z` for `z > 0`, else `slope * z`; derivative 1 or `slope` (at 0: `slope`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The gradient for negative inputs; 0.01 when the DSL gives none.
    pub slope: f64,
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self { slope: 0.01 }
    }
}

impl Elementwise for LeakyRelu {
    const NAME: &'static str = "leaky_relu";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::gt_select(z, V::num(0.0), z, V::num(self.slope) * z)
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        V::gt_select(z, V::num(0.0), V::num(1.0), V::num(self.slope))
    }
}

/// The identity; derivative 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Linear;

impl Elementwise for Linear {
    const NAME: &'static str = "linear";
    const INIT: InitScheme = InitScheme::Glorot;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        z
    }

    #[inline(always)]
    fn df<V: Math>(&self, _z: V, _a: V) -> V {
        V::num(1.0)
    }
}

/// `z` for `z > 0`, else `alpha (e^z - 1)`; derivative 1 or `a + alpha` (at 0: `alpha`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elu {
    /// The negative saturation value; 1.0 when the DSL gives none.
    pub alpha: f64,
}

impl Default for Elu {
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl Elementwise for Elu {
    const NAME: &'static str = "elu";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::gt_select(z, V::num(0.0), z, V::num(self.alpha) * V::exp_m1(z))
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, a: V) -> V {
        V::gt_select(z, V::num(0.0), V::num(1.0), a + V::num(self.alpha))
    }
}

/// `ln(1 + e^z)`, computed as `max(z, 0) + ln(1 + e^-|z|)`; derivative `sigmoid(z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softplus;

impl Elementwise for Softplus {
    const NAME: &'static str = "softplus";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::max(z, V::num(0.0)) + V::ln_1p(V::exp_fast(-V::abs(z)))
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        sigmoid(z)
    }
}

/// GELU, tanh approximation: `0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gelu;

const GELU_C: f64 = 0.797_884_560_802_865_4; // sqrt(2 / pi)
const GELU_K: f64 = 0.044_715;

impl Gelu {
    /// `tanh(u)` for `u = sqrt(2/pi) (z + 0.044715 z^3)`.
    #[inline(always)]
    fn tanh_u<V: Math>(z: V) -> V {
        V::tanh_fast(V::num(GELU_C) * V::mul_add(z, V::num(GELU_K) * z * z, z))
    }
}

impl Elementwise for Gelu {
    const NAME: &'static str = "gelu";
    const INIT: InitScheme = InitScheme::He;

    #[inline(always)]
    fn f<V: Math>(&self, z: V) -> V {
        V::num(0.5) * z * (V::num(1.0) + Self::tanh_u(z))
    }

    #[inline(always)]
    fn df<V: Math>(&self, z: V, _a: V) -> V {
        let (one, half) = (V::num(1.0), V::num(0.5));
        let t = Self::tanh_u(z);
        let du = V::num(GELU_C) * V::mul_add(V::num(3.0 * GELU_K) * z, z, one);
        half * (one + t) + half * z * (one - t * t) * du
    }
}
