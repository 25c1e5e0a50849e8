//! Every valid pairing of a loss with its output layer, trained for a few steps.

use mlp::prelude::*;

network! { struct BceOne { 2 => 4 tanh => 1 sigmoid; loss = bce } }
network! {
    /// Several sigmoid outputs with bce: multi-label.
    struct BceMultiLabel { 2 => 4 relu => 3 sigmoid; loss = bce }
}
network! { struct CceTwo { 2 => 4 tanh => 2 softmax; loss = cce } }
network! { struct CceFour { 2 => 4 gelu => 4 softmax; loss = cce } }
network! { struct SparseCceThree { 2 => 4 elu => 3 softmax; loss = sparse_cce } }
network! { struct HingeNet { 2 => 4 relu => 1 linear; loss = hinge } }
network! { struct PerceptronNet { 2 => 1 linear; loss = perceptron } }
network! { struct MseNet { 2 => 4 sigmoid => 3 linear; loss = mse } }
network! { struct SseNet { 2 => 4 softplus => 3 sigmoid; loss = sse } }
network! { struct MaeNet { 2 => 4 leaky_relu => 3 tanh; loss = mae } }
network! { struct HuberNet { 2 => 4 relu => 3 linear; loss = huber } }
network! { struct HuberHalf { 2 => 4 relu => 3 relu; loss = huber(0.5) } }
network! {
    /// A softmax layer may sit before a regression output.
    struct HiddenSoftmax { 2 => 4 softmax => 2 linear; loss = mse }
}

const X: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];

/// Fifty steps of gradient descent on `X` must lower the loss.
macro_rules! train {
    ($net:ty, $y:expr) => {{
        let mut net = <$net>::seeded(5);
        let y = $y;
        let first = net.loss(&X, &y).unwrap();
        for _ in 0..50 {
            let grads = net.gradients(&X, &y).unwrap();
            net.step(&grads, 0.1).unwrap();
        }
        let last = net.loss(&X, &y).unwrap();
        assert!(last < first, "{}: {last} >= {first}", stringify!($net));
        assert_eq!(net.predict_batch(&X).len(), X.len());
        net
    }};
}

fn main() {
    train!(BceOne, [[0.0], [1.0], [1.0], [0.0]]);
    let multi = train!(
        BceMultiLabel,
        [
            [0.0, 0.0, 1.0],
            [0.0, 1.0, 1.0],
            [1.0, 0.0, 1.0],
            [1.0, 1.0, 0.0]
        ]
    );
    assert!(multi.predict(&X[0]).iter().all(|p| (0.0..=1.0).contains(p)));

    train!(CceTwo, [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]);
    let four = train!(
        CceFour,
        [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0]
        ]
    );
    let p = four.predict(&X[3]);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);

    let sparse = train!(SparseCceThree, [0usize, 1, 2, 1]);
    assert_eq!(SparseCceThree::OUTPUTS, 3);
    assert!(
        sparse.loss(&X, &[0, 1, 2, 3]).is_err(),
        "label 3 of 3 classes"
    );

    train!(HingeNet, [[-1.0], [1.0], [1.0], [-1.0]]);
    train!(PerceptronNet, [[-1.0], [1.0], [1.0], [1.0]]);

    train!(
        MseNet,
        [
            [0.0, 1.0, 2.0],
            [1.0, 0.0, -1.0],
            [0.5, 0.5, 0.5],
            [2.0, 1.0, 0.0]
        ]
    );
    train!(
        SseNet,
        [
            [0.1, 0.9, 0.5],
            [0.9, 0.1, 0.5],
            [0.2, 0.2, 0.2],
            [0.8, 0.8, 0.8]
        ]
    );
    train!(
        MaeNet,
        [
            [0.5, -0.5, 0.0],
            [0.2, 0.4, 0.6],
            [-0.3, 0.3, 0.9],
            [0.0, 0.1, -0.1]
        ]
    );
    train!(
        HuberNet,
        [
            [3.0, -2.0, 0.5],
            [1.0, 0.0, 4.0],
            [-1.0, 2.0, 0.0],
            [0.0, 0.0, 1.0]
        ]
    );
    train!(
        HuberHalf,
        [
            [3.0, 2.0, 0.5],
            [1.0, 0.0, 4.0],
            [1.0, 2.0, 0.0],
            [0.0, 0.0, 1.0]
        ]
    );
    train!(
        HiddenSoftmax,
        [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    );

    // On a zero network the losses take their textbook values.
    let x = [[0.5f32, -0.5]];
    let y = [[1.0f32, 2.0, -2.0]];
    let close = |a: f32, b: f32| assert!((a - b).abs() < 1e-6, "{a} != {b}");
    close(
        MseNet::zeros().loss(&x, &y).unwrap(),
        (1.0 + 4.0 + 4.0) / 3.0,
    );
    close(SseNet::zeros().loss(&x, &[[0.5, 1.5, 0.5]]).unwrap(), 0.5);
    close(
        MaeNet::zeros().loss(&x, &y).unwrap(),
        (1.0 + 2.0 + 2.0) / 3.0,
    );
    close(
        HuberNet::zeros().loss(&x, &y).unwrap(),
        (0.5 + 1.5 + 1.5) / 3.0,
    );
    close(HingeNet::zeros().loss(&x, &[[1.0]]).unwrap(), 1.0);
    close(PerceptronNet::zeros().loss(&x, &[[-1.0]]).unwrap(), 0.0);
}
