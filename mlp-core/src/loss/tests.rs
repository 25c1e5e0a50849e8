use super::*;
use crate::activation::{Sigmoid, Softmax};

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

/// The batch path (whole vectors of samples and a partial one) gives the
/// per-sample loss and `dl/dz`, for each fused pair.
#[cfg(feature = "alloc")]
mod batch_matches_one_sample {
    use super::*;
    use crate::batch::LayerBuffers;

    /// `out` for the logits `rows` through `act`.
    fn buffers<A: Activation, const K: usize>(act: A, rows: &[[f32; K]]) -> LayerBuffers<f32, K> {
        let mut out = LayerBuffers::new(rows.len());
        out.z.load(rows);
        act.forward_batch(&out.z, &mut out.a);
        out
    }

    fn compare<L: PairsWith<A, K>, A: Activation, const K: usize>(
        loss: L,
        act: A,
        rows: &[[f32; K]],
        targets: &[L::Target<f32, K>],
    ) {
        let mut out = buffers(act, rows);
        let sum = loss_sum(&loss, &act, &mut out, targets);
        let with_delta = output_delta(&loss, &act, &mut out, targets, 0.5, None);
        let mut want = 0.0;
        for (s, y) in targets.iter().enumerate() {
            let (z, a) = (out.z.sample(s), out.a.sample(s));
            want += f64::from(loss.value(&z, &a, y));
            let delta = loss.delta(&act, &z, &a, y) * 0.5;
            for k in 0..K {
                let got = out.delta.feature(k)[s];
                assert!(
                    (got - delta[k]).abs() <= 1e-6,
                    "{} sample {s} output {k}: {got} against {}",
                    L::NAME,
                    delta[k]
                );
            }
        }
        for got in [sum, with_delta] {
            assert!(
                (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{}: batch {got}, per sample {want}",
                L::NAME
            );
        }
    }

    fn logits<const K: usize>(n: usize) -> Vec<[f32; K]> {
        let mut rng = crate::init::Uniform::new(K as u64);
        (0..n)
            .map(|_| core::array::from_fn(|_| rng.between(-30.0, 30.0) as f32))
            .collect()
    }

    #[test]
    fn fused_losses_on_a_batch_match_one_sample() {
        let rows = logits::<3>(37);
        let soft: Vec<[f32; 3]> = (0..37)
            .map(|s| {
                if s % 2 == 0 {
                    [0.25, 0.75, 0.0]
                } else {
                    [0.5, 0.125, 0.375]
                }
            })
            .collect();
        compare(Bce, Sigmoid, &rows, &soft);
        compare(Cce, Softmax, &rows, &soft);
        let labels: Vec<usize> = (0..37).map(|s| s % 3).collect();
        compare(SparseCce, Softmax, &rows, &labels);
    }

    /// A target of 0 on a logit so far below the others that `lse - z`
    /// overflows adds nothing to cce, on the batch path as on one sample.
    #[test]
    fn cce_ignores_an_overflowing_logit_whose_target_is_zero() {
        let mut rows = logits::<3>(37);
        rows[0] = [3e38, -3e38, 0.0];
        let targets: Vec<[f32; 3]> = (0..37)
            .map(|s| {
                if s == 0 {
                    [1.0, 0.0, 0.0]
                } else {
                    [0.0, 0.0, 1.0]
                }
            })
            .collect();
        let out = buffers(Softmax, &rows);
        assert_eq!(
            Cce.value(&out.z.sample(0), &out.a.sample(0), &targets[0]),
            0.0
        );
        compare(Cce, Softmax, &rows, &targets);
    }

    /// Each sample's delta and loss weighted by its own weight, on the fused
    /// batch loops and the one-sample default alike; a row of weight 0 adds
    /// nothing even where its loss is infinite.
    fn compare_weighted<L: PairsWith<A, K>, A: Activation, const K: usize>(
        loss: L,
        act: A,
        rows: &[[f32; K]],
        targets: &[L::Target<f32, K>],
    ) {
        let weights: Vec<f32> = (0..rows.len())
            .map(|s| {
                if s % 5 == 0 {
                    0.0
                } else {
                    0.25 + s as f32 / 8.0
                }
            })
            .collect();
        let mut out = buffers(act, rows);
        let got = output_delta(&loss, &act, &mut out, targets, 0.5, Some(&weights));
        let mut want = 0.0;
        for (s, y) in targets.iter().enumerate() {
            let (z, a, w) = (out.z.sample(s), out.a.sample(s), weights[s]);
            let delta = if w == 0.0 {
                SVector::zeros()
            } else {
                want += f64::from(loss.value(&z, &a, y) * w);
                loss.delta(&act, &z, &a, y) * (0.5 * w)
            };
            for k in 0..K {
                let d = out.delta.feature(k)[s];
                assert!(
                    (d - delta[k]).abs() <= 1e-5 * delta[k].abs().max(1.0),
                    "{} sample {s} output {k}: {d} against {}",
                    L::NAME,
                    delta[k]
                );
            }
        }
        assert!(
            (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0),
            "{}: weighted batch {got}, per sample {want}",
            L::NAME
        );
    }

    #[test]
    fn weighted_deltas_scale_each_sample_by_its_weight() {
        let mut rows = logits::<3>(37);
        let soft: Vec<[f32; 3]> = (0..37).map(|_| [0.25, 0.75, 0.0]).collect();
        compare_weighted(Bce, Sigmoid, &rows, &soft);
        compare_weighted(Cce, Softmax, &rows, &soft);
        let labels: Vec<usize> = (0..37).map(|s| s % 3).collect();
        compare_weighted(SparseCce, Softmax, &rows, &labels);
        // Row 0 weighs 0: its squared error overflows to infinity and adds nothing.
        rows[0] = [3e38, -3e38, 3e38];
        compare_weighted(Mse, crate::activation::Linear, &rows, &soft);
        let mut out = buffers(crate::activation::Linear, &rows);
        let weights: Vec<f32> = (0..37).map(|s| if s == 0 { 0.0 } else { 1.0 }).collect();
        let sum = output_delta(
            &Mse,
            &crate::activation::Linear,
            &mut out,
            &soft,
            1.0,
            Some(&weights),
        );
        assert!(sum.is_finite(), "{sum}");
        assert!((0..3).all(|k| out.delta.feature(k)[0] == 0.0));
    }
}
