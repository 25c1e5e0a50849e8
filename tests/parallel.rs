//! Data parallelism gives the single-threaded results, up to the order of sums.
#![cfg(feature = "parallel")]

use mlp::core::Network;
use mlp::prelude::*;
use mlp::{ParallelNetwork, ParallelWorkspace};

network! { struct Digits { 64 => 32 relu => 10 softmax; loss = sparse_cce; scalar = f64; } }

fn data(rows: usize) -> (Vec<[f64; 64]>, Vec<usize>) {
    let x = (0..rows)
        .map(|s| core::array::from_fn(|i| ((s * 31 + i * 7) % 17) as f64 / 17.0))
        .collect();
    let y = (0..rows).map(|s| (s * 3) % 10).collect();
    (x, y)
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "WASI (preview 1) has no threads")]
fn parallel_prediction_and_gradients_match_one_thread() {
    let pool = mlp::rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    pool.install(|| {
        let net = Digits::seeded(5);
        for rows in [1, 2, 7, 300] {
            let (x, y) = data(rows);
            let mut pws = ParallelWorkspace::<Digits>::new(64);
            assert_eq!(pws.workers(), 3);

            let mut par = vec![[0.0; 10]; rows];
            net.par_predict_batch_with(&mut pws, &x, &mut par).unwrap();
            assert_eq!(par, net.predict_batch(&x), "predictions, {rows} rows");

            let mut grads = Gradients::zeros();
            let loss = net
                .par_gradients_with(&mut pws, &x, &y, &mut grads)
                .unwrap();
            let single = net.gradients(&x, &y).unwrap();
            assert!((loss - net.loss(&x, &y).unwrap()).abs() < 1e-12);
            for (k, (a, b)) in grads.to_flat().iter().zip(single.to_flat()).enumerate() {
                assert!(
                    (a - b).abs() < 1e-12,
                    "parameter {k}, {rows} rows: {a} vs {b}"
                );
            }
        }
    });
}

#[test]
fn parallel_errors_name_rows_of_the_whole_batch() {
    let net = Digits::seeded(5);
    let (mut x, mut y) = data(100);
    x[97][3] = f64::NAN;
    let mut pws = ParallelWorkspace::<Digits>::new(16);
    let mut grads = Gradients::zeros();
    let err = net
        .par_gradients_with(&mut pws, &x, &y, &mut grads)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "input row 97, column 3 is NaN; inputs must be finite"
    );
    x[97][3] = 0.0;
    y[50] = 10;
    let kept = grads.clone();
    assert!(
        net.par_gradients_with(&mut pws, &x, &y, &mut grads)
            .is_err()
    );
    assert_eq!(
        grads, kept,
        "a refused batch left the gradient buffer as it was"
    );
}
