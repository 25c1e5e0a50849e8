//! Every activation, as a hidden layer and as the output, with and without its
//! parameter.

use mlp::prelude::*;

network! {
    struct Plain {
        3 => 4 sigmoid => 4 tanh => 4 relu => 4 leaky_relu => 4 linear
          => 4 elu => 4 softplus => 4 gelu => 4 softmax => 2 linear;
        loss = mse
    }
}

network! {
    struct WithParams {
        3 => 5 leaky_relu(0.2) => 5 elu(1.5) => 5 leaky_relu(0) => 5 elu(2) => 1 linear;
        loss = mse
    }
}

network! {
    /// Parameters may be written as integers, floats, with suffixes or exponents.
    struct ParamSpellings {
        2 => 3 leaky_relu(0.5f32) => 3 elu(1e-1) => 3 leaky_relu(0.999) => 1 linear;
        loss = mse
    }
}

/// Runs one network on a fixed batch: predict, loss, gradients and one step must
/// all give finite numbers, and the step must lower the loss.
macro_rules! exercise {
    ($net:expr, $x:expr, $y:expr) => {{
        let mut net = $net;
        let (x, y) = (&$x, &$y);
        for row in net.predict_batch(x) {
            assert!(row.iter().all(|v| v.is_finite()));
        }
        let out = net.predict(&x[0]);
        assert!(out.iter().all(|v| v.is_finite()));
        let before = net.loss(x, y).unwrap();
        let grads = net.gradients(x, y).unwrap();
        net.step(&grads, 0.01).unwrap();
        let after = net.loss(x, y).unwrap();
        assert!(before.is_finite() && after.is_finite());
        assert!(after <= before, "{after} > {before}");
    }};
}

fn main() {
    assert_eq!(Plain::INPUTS, 3);
    assert_eq!(Plain::OUTPUTS, 2);
    assert_eq!(Plain::PARAMS, (3 * 4 + 4) + 8 * (4 * 4 + 4) + (4 * 2 + 2));
    exercise!(
        Plain::seeded(1),
        [[0.1, -0.4, 0.9], [-1.0, 0.3, 0.2]],
        [[0.5, -0.5], [1.0, 0.0]]
    );

    assert_eq!(WithParams::PARAMS, (3 * 5 + 5) + 3 * (5 * 5 + 5) + (5 + 1));
    exercise!(
        WithParams::seeded(2),
        [[0.1, -0.4, 0.9], [-1.0, 0.3, 0.2]],
        [[0.5], [-0.25]]
    );

    exercise!(ParamSpellings::seeded(3), [[0.7, -0.2]], [[1.0]]);

    // Expression form, one activation at a time as the output.
    const X: [[f32; 2]; 2] = [[0.3, -0.6], [-0.8, 0.1]];
    const Y: [[f32; 2]; 2] = [[0.2, 0.8], [0.9, 0.1]];
    exercise!(network!(2 => 2 sigmoid; loss = mse), X, Y);
    exercise!(network!(2 => 2 tanh; loss = mse), X, Y);
    exercise!(network!(2 => 2 relu; loss = mse), X, Y);
    exercise!(network!(2 => 2 leaky_relu; loss = mse), X, Y);
    exercise!(network!(2 => 2 leaky_relu(0.3); loss = mse), X, Y);
    exercise!(network!(2 => 2 linear; loss = mse), X, Y);
    exercise!(network!(2 => 2 elu; loss = mse), X, Y);
    exercise!(network!(2 => 2 elu(0.5); loss = mse), X, Y);
    exercise!(network!(2 => 2 softplus; loss = mse), X, Y);
    exercise!(network!(2 => 2 gelu; loss = mse), X, Y);
    exercise!(network!(2 => 2 softmax; loss = cce), X, Y);

    // Leaky relu keeps the given slope for negative inputs.
    let leaky = network!(1 => 1 leaky_relu(0.25); loss = mse);
    let mut w = leaky.clone();
    w.layers.0.weight[(0, 0)] = 1.0;
    w.layers.0.bias[0] = 0.0;
    assert_eq!(w.predict(&[-4.0]), [-1.0]);
    assert_eq!(w.predict(&[3.0]), [3.0]);
}

// Dropout on hidden layers, in both forms.
network! { struct WithDropout { 4 => 8 relu dropout(0.5) => 6 tanh dropout(0) => 1 sigmoid; loss = bce; } }

#[allow(dead_code)]
fn dropout_forms() {
    let net = WithDropout::seeded(1);
    let _ = net.predict(&[0.1, 0.2, 0.3, 0.4]);
    let anonymous = network!(2 => 4 gelu dropout(0.25) => 1 linear; loss = mse);
    let _ = anonymous.predict(&[0.5, 0.5]);
}
