use super::*;
use crate::simd::Lanes;

fn numeric_df<E: Elementwise>(e: E, z: f64) -> f64 {
    let h = 1e-6;
    (e.f(z + h) - e.f(z - h)) / (2.0 * h)
}

fn check<E: Elementwise>(e: E) {
    for &z in &[-3.7, -1.0, -0.3, 0.2, 0.9, 2.5, 6.0] {
        let a = e.f(z);
        let analytic = e.df(z, a);
        let numeric = numeric_df(e, z);
        assert!(
            (analytic - numeric).abs() <= 1e-7 * (1.0 + numeric.abs()),
            "{}: df({z}) = {analytic}, finite difference {numeric}",
            E::NAME
        );
    }
}

#[test]
fn derivatives_match_finite_differences() {
    check(Sigmoid);
    check(Tanh);
    check(Relu);
    check(LeakyRelu { slope: 0.2 });
    check(Linear);
    check(Elu { alpha: 1.5 });
    check(Softplus);
    check(Gelu);
}

#[test]
fn values_at_known_points() {
    assert_eq!(Sigmoid.f(0.0_f64), 0.5);
    assert_eq!(Relu.f(-2.0_f64), 0.0);
    assert_eq!(Relu.df(0.0_f64, 0.0), 0.0);
    assert_eq!(LeakyRelu::default().f(-2.0_f64), -0.02);
    assert!((Softplus.f(0.0_f64) - core::f64::consts::LN_2).abs() < 1e-15);
    assert!((Elu::default().f(-1.0_f64) - (-1.0_f64).exp_m1()).abs() < 1e-15);
    // gelu(1) with the tanh approximation.
    assert!((Gelu.f(1.0_f64) - 0.841_191_990_607_477_2).abs() < 1e-12);
}

#[test]
fn saturated_inputs_stay_finite() {
    for z in [-1000.0_f32, -100.0, 100.0, 1000.0] {
        assert!(Sigmoid.f(z).is_finite());
        assert!(Softplus.f(z).is_finite());
        assert!(Tanh.f(z).is_finite());
    }
    assert_eq!(Softplus.f(1000.0_f32), 1000.0);
    let a = Softmax.forward(&SVector::<f32, 3>::new(1000.0, 0.0, -1000.0));
    assert_eq!(a, SVector::<f32, 3>::new(1.0, 0.0, 0.0));
}

#[test]
fn softmax_backward_matches_finite_differences() {
    let z = SVector::<f64, 4>::new(0.3, -1.2, 2.0, 0.1);
    let g = SVector::<f64, 4>::new(0.5, -0.25, 1.5, 2.0);
    let a = Softmax.forward(&z);
    let analytic = Softmax.backward(&z, &a, &g);
    for k in 0..4 {
        let h = 1e-6;
        let mut zp = z;
        zp[k] += h;
        let mut zm = z;
        zm[k] -= h;
        let numeric = (g.dot(&Softmax.forward(&zp)) - g.dot(&Softmax.forward(&zm))) / (2.0 * h);
        assert!((analytic[k] - numeric).abs() < 1e-9, "k = {k}");
    }
}

/// The vector paths against the scalar formulas in `f64`, in the build's vector
/// width for `T` (`.ci/run` runs them at every width: see `kernels/tests.rs`).
/// Errors are in units of `T`'s epsilon times `max(|exact|, 1)`: relative
/// above 1, absolute below, where `gelu` and `elu` subtract nearly equal numbers
/// (`1 + tanh(u)` for very negative `z`) in every precision.
mod vector_paths {
    use super::*;
    use crate::batch::Batch;

    fn units<T: Real>(got: T, want: f64) -> f64 {
        let eps = if T::DTYPE == crate::real::Dtype::F32 {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        };
        let error = (got.to_f64() - want).abs() / (eps * want.abs().max(1.0));
        // NaN where a finite value is due counts as the largest error.
        if error.is_nan() { f64::INFINITY } else { error }
    }

    /// Inputs on `[-20, 20]`, saturating ones, and the kinks at 0.
    fn inputs() -> Vec<f64> {
        let mut zs: Vec<f64> = (0..4001).map(|i| -20.0 + i as f64 * 0.01).collect();
        zs.extend([
            -1000.0, -100.0, -88.0, 88.0, 100.0, 1000.0, 0.0, -0.0, 1e-30,
        ]);
        zs
    }

    /// `forward` on one sample (the scalar path below half a vector, whole
    /// vectors and a padded tail above), `forward_batch` and `backward_batch`
    /// for `N` features; returns the largest forward and backward errors.
    fn paths<E: Elementwise, T: Real, const N: usize>(e: E, bounds: (f64, f64)) -> (f64, f64) {
        let zs: Vec<T> = inputs().into_iter().map(T::of).collect();
        let rows: Vec<[T; N]> = zs
            .chunks(N)
            .map(|c| core::array::from_fn(|k| c[k % c.len()]))
            .collect();
        let n = rows.len();
        let mut z = Batch::<T, N>::new(n);
        z.load(&rows);
        let mut a = Batch::<T, N>::new(n);
        e.forward_batch(&z, &mut a);
        let mut delta = Batch::<T, N>::new(n);
        delta.load(&vec![[T::ONE; N]; n]);
        Activation::backward_batch(&e, &z, &a, &mut delta);
        let (mut forward, mut backward) = (0.0_f64, 0.0_f64);
        for (s, row) in rows.iter().enumerate() {
            let single = Activation::forward(&e, &SVector::from(*row));
            for (k, &zk) in row.iter().enumerate() {
                let z64 = zk.to_f64();
                let (want, slope) = (e.f(z64), e.df(z64, e.f(z64)));
                let errors = [
                    units(a.feature(k)[s], want),
                    units(single[k], want),
                    units(delta.feature(k)[s], slope),
                ];
                assert!(
                    errors[0].max(errors[1]) <= bounds.0 && errors[2] <= bounds.1,
                    "{} {} x{}, {N} features: at z = {z64} forward {} and {} (batch, one \
                     sample), derivative {}, exact {want} and {slope}: errors {errors:?} \
                     units, bounds {bounds:?}",
                    E::NAME,
                    T::NAME,
                    T::Lanes::LANES,
                    a.feature(k)[s],
                    single[k],
                    delta.feature(k)[s],
                );
                forward = forward.max(errors[0]).max(errors[1]);
                backward = backward.max(errors[2]);
            }
        }
        (forward, backward)
    }

    /// Every size of layer; `bounds` for the forward pass and the derivative.
    fn every_size<E: Elementwise, T: Real>(e: E, bounds: (f64, f64)) {
        let mut worst = (0.0_f64, 0.0_f64);
        for (f, b) in [
            paths::<E, T, 1>(e, bounds),
            paths::<E, T, 3>(e, bounds),
            paths::<E, T, 5>(e, bounds),
            paths::<E, T, 9>(e, bounds),
            paths::<E, T, 16>(e, bounds),
            paths::<E, T, 17>(e, bounds),
            paths::<E, T, 33>(e, bounds),
        ] {
            worst = (worst.0.max(f), worst.1.max(b));
        }
        println!(
            "{:<10} {}x{:<2} max error forward {:.2}, derivative {:.2} units (bounds {bounds:?})",
            E::NAME,
            T::NAME,
            T::Lanes::LANES,
            worst.0,
            worst.1
        );
    }

    fn softmax<T: Real, const N: usize>(bound: f64) -> f64 {
        let mut rng = crate::init::Uniform::new(N as u64);
        let rows: Vec<[T; N]> = (0..37)
            .map(|_| core::array::from_fn(|_| T::of(rng.between(-10.0, 10.0))))
            .collect();
        let grads: Vec<[T; N]> = (0..37)
            .map(|_| core::array::from_fn(|_| T::of(rng.between(-1.0, 1.0))))
            .collect();
        let (mut z, mut a, mut d) = (Batch::new(37), Batch::new(37), Batch::new(37));
        z.load(&rows);
        d.load(&grads);
        Softmax.forward_batch(&z, &mut a);
        Softmax.backward_batch(&z, &a, &mut d);
        let mut worst = 0.0_f64;
        for (s, (row, grad)) in rows.iter().zip(&grads).enumerate() {
            let z64 = SVector::<f64, N>::from_fn(|k, _| row[k].to_f64());
            let g64 = SVector::<f64, N>::from_fn(|k, _| grad[k].to_f64());
            let want = Softmax.forward(&z64);
            let back = Softmax.backward(&z64, &want, &g64);
            for k in 0..N {
                let errors = [
                    units(a.feature(k)[s], want[k]),
                    units(d.feature(k)[s], back[k]),
                ];
                assert!(
                    errors.iter().all(|&x| x <= bound),
                    "softmax {} x{}, {N} outputs, sample {s} output {k}: {errors:?} units",
                    T::NAME,
                    T::Lanes::LANES
                );
                worst = worst.max(errors[0]).max(errors[1]);
            }
        }
        worst
    }

    fn every_activation<T: Real>() {
        every_size::<_, T>(Sigmoid, (4.0, 4.0));
        // tanh' = 1 - a^2 = (1 - |a|)(1 + |a|) doubles an absolute error of `a`
        // where |a| is near 1: 2.26 units of the forward pass's at z = -7.81
        // become 4.52 in the derivative without FMA (f32x4 on WebAssembly).
        every_size::<_, T>(Tanh, (4.0, 8.0));
        every_size::<_, T>(Relu, (0.0, 0.0));
        every_size::<_, T>(LeakyRelu { slope: 0.2 }, (1.0, 1.0));
        every_size::<_, T>(Linear, (0.0, 0.0));
        every_size::<_, T>(Elu { alpha: 1.5 }, (4.0, 4.0));
        every_size::<_, T>(Softplus, (4.0, 4.0));
        // gelu' = 0.5 (1 + t) + 0.5 z (1 - t^2) u': one unit of error in
        // t = tanh(u) becomes about z u' units, 28 at z = 6.
        every_size::<_, T>(Gelu, (8.0, 64.0));
        let worst = [
            softmax::<T, 2>(8.0),
            softmax::<T, 3>(8.0),
            softmax::<T, 10>(8.0),
            softmax::<T, 17>(8.0),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        println!(
            "softmax    {}x{:<2} max error forward and backward {worst:.2} units (bound 8)",
            T::NAME,
            T::Lanes::LANES
        );
    }

    #[test]
    fn vector_activations_match_the_scalar_formulas_in_f32() {
        every_activation::<f32>();
    }

    #[test]
    fn vector_activations_match_the_scalar_formulas_in_f64() {
        every_activation::<f64>();
    }
}

/// An activation given by one `f` and one `df` runs on every path: the scalar
/// one-sample path, whole vectors with a padded tail, and the batch.
mod one_formula {
    use super::*;
    use crate::batch::Batch;

    /// `z^2` above 0, `-z` below: exact in every precision and vector width.
    #[derive(Clone, Copy)]
    struct Kinked;

    impl Elementwise for Kinked {
        const NAME: &'static str = "kinked";
        const INIT: InitScheme = InitScheme::He;

        fn f<V: Math>(&self, z: V) -> V {
            V::gt_select(z, V::num(0.0), z * z, -z)
        }

        fn df<V: Math>(&self, z: V, _a: V) -> V {
            V::gt_select(z, V::num(0.0), V::num(2.0) * z, V::num(-1.0))
        }
    }

    fn paths<T: Real, const N: usize>() {
        let rows: Vec<[T; N]> = (0..21)
            .map(|s| core::array::from_fn(|k| T::of((s * N + k) as f64 * 0.25 - 20.0)))
            .collect();
        let mut z = Batch::<T, N>::new(rows.len());
        z.load(&rows);
        let mut a = Batch::<T, N>::new(rows.len());
        Kinked.forward_batch(&z, &mut a);
        let mut delta = Batch::<T, N>::new(rows.len());
        delta.load(&vec![[T::of(3.0); N]; rows.len()]);
        Kinked.backward_batch(&z, &a, &mut delta);
        for (s, row) in rows.iter().enumerate() {
            let zs = SVector::from(*row);
            let single = Kinked.forward(&zs);
            let back = Kinked.backward(&zs, &single, &SVector::repeat(T::of(3.0)));
            for (k, &zk) in row.iter().enumerate() {
                let (want, slope) = (Kinked.f(zk), T::of(3.0) * Kinked.df(zk, Kinked.f(zk)));
                assert_eq!(
                    (single[k], a.feature(k)[s]),
                    (want, want),
                    "{} z = {zk}",
                    T::NAME
                );
                assert_eq!(
                    (back[k], delta.feature(k)[s]),
                    (slope, slope),
                    "{} z = {zk}",
                    T::NAME
                );
            }
        }
    }

    #[test]
    fn an_activation_written_once_runs_on_every_path() {
        paths::<f32, 1>();
        paths::<f32, 19>();
        paths::<f64, 1>();
        paths::<f64, 19>();
    }
}
