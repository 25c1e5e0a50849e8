//! Numerical edge cases: saturated logits, and networks too large for the stack.

use mlp::core::Network;
use mlp::prelude::*;

network! { struct Binary { 1 => 2 sigmoid; loss = bce; } }
network! { struct Classes { 1 => 3 softmax; loss = cce; } }
network! { struct Labels { 1 => 3 softmax; loss = sparse_cce; } }

#[test]
fn bce_is_finite_and_exact_for_logits_of_magnitude_100() {
    // z = (100, -100): confidently wrong on both outputs costs 100 each.
    let net = Binary::from_weights((([[100.0], [-100.0]], [0.0, 0.0]),));
    let loss = net.loss(&[[1.0]], &[[0.0, 1.0]]).unwrap();
    assert_eq!(loss, 100.0);
    let g = net.gradients(&[[1.0]], &[[0.0, 1.0]]).unwrap();
    // dL/dz = (a - y) / K = (1, -1) / 2, exactly, and so dL/dW for x = 1.
    assert_eq!(g.layers.0.weight.as_slice(), &[0.5, -0.5]);
    assert_eq!(g.layers.0.bias.as_slice(), &[0.5, -0.5]);
    // Confidently right: a loss of e^-100, not 0 from a clipped log and not NaN.
    let loss = net.loss(&[[1.0]], &[[1.0, 0.0]]).unwrap();
    assert!(loss > 0.0 && loss < 1e-40, "{loss}");
}

#[test]
fn cce_is_finite_and_exact_for_logits_of_magnitude_100() {
    let net = Classes::from_weights((([[100.0], [-100.0], [0.0]], [0.0; 3]),));
    // Class 1 has logit -100 against a maximum of 100: the loss is 200.
    let loss = net.loss(&[[1.0]], &[[0.0, 1.0, 0.0]]).unwrap();
    assert!((loss - 200.0).abs() < 1e-4, "{loss}");
    let g = net.gradients(&[[1.0]], &[[0.0, 1.0, 0.0]]).unwrap();
    assert!(g.norm().is_finite());
    // dL/dz = a - y = (1 - e^-100, -1, e^-100) to f32 precision (e^-100 is
    // below f32's normal range).
    let db = g.layers.0.bias;
    assert_eq!((db[0], db[1]), (1.0, -1.0));
    assert!((0.0..1e-40).contains(&db[2]), "{db}");

    let sparse = Labels::from_weights((([[100.0], [-100.0], [0.0]], [0.0; 3]),));
    assert_eq!(sparse.loss(&[[1.0]], &[1]).unwrap(), loss);
    assert_eq!(sparse.gradients(&[[1.0]], &[1]).unwrap().layers, g.layers);
}

network! {
    /// The N4 benchmark network: 784 => 128 relu => 64 relu => 10 softmax.
    struct Mnist { 784 => 128 relu => 64 relu => 10 softmax; loss = cce; }
}

network! {
    /// The N5 benchmark network, in f64: about 1 MiB of parameters.
    struct Wide { 256 => 256 relu => 256 relu => 10 softmax; loss = sparse_cce; scalar = f64; }
}

/// Runs `f` on a thread with a 2 MiB stack, the default for spawned threads.
#[cfg(not(target_family = "wasm"))]
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// Runs `f` where it is: WebAssembly (WASI preview 1) has no threads, and its one
/// stack is smaller still, 1 MiB (rustc's default for wasm), placed below the
/// data so that an overflow traps.
#[cfg(target_family = "wasm")]
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    f();
}

#[test]
fn large_networks_never_pass_through_a_2_mib_stack() {
    on_small_stack(|| {
        let net = Mnist::seeded(1);
        let copy = net.clone();
        assert_eq!(net, copy);
        let x = vec![[0.5_f32; 784]; 3];
        let mut y = [[0.0_f32; 10]; 3];
        for (i, row) in y.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let g = net.gradients(&x, &y).unwrap();
        let mut trained = net.clone();
        trained.step(&g, 0.1).unwrap();
        assert!(trained.loss(&x, &y).unwrap() < net.loss(&x, &y).unwrap());
        assert_eq!(
            Mnist::PARAMS,
            784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
        );
    });
    on_small_stack(|| {
        let net = Wide::seeded(2);
        let x = vec![[0.25_f64; 256]; 2];
        let g = net.gradients(&x, &[3, 7]).unwrap();
        assert!(g.norm() > 0.0);
        let p = net.predict(&x[0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    });
}

#[test]
fn batch_and_single_sample_paths_agree() {
    let net = Mnist::seeded(3);
    let x: Vec<[f32; 784]> = (0..300)
        .map(|s| core::array::from_fn(|i| ((s * 31 + i * 7) % 17) as f32 / 17.0))
        .collect();
    let batch = net.predict_batch(&x);
    for (row, out) in x.iter().zip(&batch) {
        let single = net.predict(row);
        for k in 0..10 {
            assert!((single[k] - out[k]).abs() < 1e-5, "{single:?} vs {out:?}");
        }
    }
    let mut ws = Workspace::new(7);
    let mut out = vec![[0.0_f32; 10]; 300];
    net.predict_batch_with(&mut ws, &x, &mut out).unwrap();
    assert_eq!(out, batch);
}

network! {
    /// Wide layers to the end: inference keeps each sample's outputs in a row.
    struct RowsToEnd { 6 => 48 relu => 32 tanh; loss = mse; }
}
network! { struct RowsSoftmax { 5 => 32 softmax; loss = cce; } }
network! { struct RowsThenBatch { 3 => 64 gelu => 16 leaky_relu(0.1) => 5 sigmoid; loss = bce; } }
network! { struct BatchOnly { 3 => 8 elu => 32 relu => 2 sigmoid; loss = bce; } }
network! { struct RowsF64 { 4 => 80 softplus => 32 relu => 3 softmax; loss = cce; scalar = f64; } }

/// `predict_batch` (any run of wide layers on rows, the rest on batches, in
/// chunks of the workspace) against `predict`, for every sample count up to a
/// few register blocks and past a chunk.
fn inference_agrees<N: Network>(tolerance: f64) {
    let net = N::seeded(7);
    let counts = (0..=40).chain([255, 256, 300]);
    for n in counts {
        let x: Vec<N::Input> = (0..n)
            .map(|s| {
                let row: Vec<N::Scalar> = (0..N::INPUTS)
                    .map(|i| N::Scalar::of(((s * 31 + i * 7) % 17) as f64 / 8.0 - 1.0))
                    .collect();
                N::Input::try_from(&row[..]).ok().unwrap()
            })
            .collect();
        let batch = net.predict_batch(&x);
        for (s, (row, out)) in x.iter().zip(&batch).enumerate() {
            let single = net.predict(row);
            for (k, (a, b)) in single.as_ref().iter().zip(out.as_ref()).enumerate() {
                let error = (a.to_f64() - b.to_f64()).abs();
                assert!(
                    error <= tolerance,
                    "{}: n={n} sample {s} output {k}: {a} vs {b}",
                    core::any::type_name::<N>()
                );
            }
        }
        let mut ws = Workspace::new(7);
        let mut out = vec![N::Output::default(); n];
        net.predict_batch_with(&mut ws, &x, &mut out).unwrap();
        for (chunked, whole) in out.iter().zip(&batch) {
            assert_eq!(
                chunked.as_ref(),
                whole.as_ref(),
                "{}: n={n} in chunks of 7",
                core::any::type_name::<N>()
            );
        }
    }
}

#[test]
fn inference_on_rows_and_batches_agrees_with_one_sample_at_a_time() {
    inference_agrees::<RowsToEnd>(1e-5);
    inference_agrees::<RowsSoftmax>(1e-6);
    inference_agrees::<RowsThenBatch>(1e-5);
    inference_agrees::<BatchOnly>(1e-5);
    inference_agrees::<RowsF64>(1e-13);
    inference_agrees::<Mnist>(1e-5);
}
