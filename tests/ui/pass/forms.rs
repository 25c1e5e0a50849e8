//! The two forms of `network!` and what each accepts around the network itself:
//! doc comments, attributes, visibility, `scalar`, an optional trailing `;`.

use mlp::core::nalgebra::SVector;
use mlp::prelude::*;

mod models {
    use mlp::prelude::*;

    network! {
        /// Predicts placement (yes/no) from four scores.
        ///
        /// Declared in a module and used from outside it.
        pub struct Placement {
            4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
            loss = bce;
        }
    }

    network! {
        #[allow(dead_code)]
        pub(crate) struct CrateOnly { 2 => 2 tanh => 1 linear; loss = mse }
    }

    network! {
        /// Unused on purpose: the attribute silences the lint.
        #[allow(dead_code)]
        struct Private { 1 => 1 linear; loss = mse; }
    }
}

use models::{CrateOnly, Placement};

network! {
    /// The worked example: two inputs, two sigmoid layers of two, summed squared error.
    struct Textbook { 2 => 2 sigmoid => 2 sigmoid; loss = sse; scalar = f64; }
}

// Options may come before the loss, and the trailing `;` may be left out.
network! { struct Wide64 { 3 => 5 relu => 2 linear; scalar = f64; loss = mse } }
network! { struct Narrow32 { 3 => 5 relu => 2 linear; loss = mse; scalar = f32 } }

fn takes_f64(net: &Wide64, x: &[f64; 3]) -> [f64; 2] {
    net.predict(x)
}

fn main() {
    // Associated consts: 26 parameters for 4 => 3 => 2 => 1.
    assert_eq!(Placement::INPUTS, 4);
    assert_eq!(Placement::OUTPUTS, 1);
    assert_eq!(Placement::PARAMS, 26);
    let placement = Placement::new();
    let p = placement.predict(&[0.2, 0.4, 0.6, 0.8])[0];
    assert!(p > 0.0 && p < 1.0);
    assert_eq!(placement, Placement::seeded(0));
    assert_ne!(placement, Placement::seeded(1));
    assert_eq!(Placement::default(), Placement::new());
    let _ = format!("{placement:?}");

    assert_eq!(CrateOnly::PARAMS, 2 * 2 + 2 + 2 + 1);

    // The textbook network, from explicit weights.
    let textbook = Textbook::from_weights((([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
        ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60])));
    let out: [f64; 2] = textbook.predict(&[0.05, 0.10]);
    assert!((out[0] - 0.751_365_070).abs() < 1e-9);
    assert!((out[1] - 0.772_928_465).abs() < 1e-9);
    let e = textbook.loss(&[[0.05, 0.10]], &[[0.01, 0.99]]).unwrap();
    assert!((e - 0.298_371_109).abs() < 1e-9);
    // From nalgebra vectors, through the array form.
    let v = textbook.predict(&SVector::<f64, 2>::new(0.05, 0.10).into());
    assert_eq!(v, out);

    // f64 and f32 networks of the same shape.
    let wide = Wide64::seeded(3);
    let narrow = Narrow32::seeded(3);
    let a = takes_f64(&wide, &[1.0, -1.0, 0.5]);
    let b: [f32; 2] = narrow.predict(&[1.0, -1.0, 0.5]);
    assert!((a[0] as f32 - b[0]).abs() < 1e-5 && (a[1] as f32 - b[1]).abs() < 1e-5);

    // Expression form: an anonymous, freshly initialised network, trained on XOR.
    let mut xor = network!(2 => 8 tanh => 1 sigmoid; loss = bce);
    let x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y = [[0.0], [1.0], [1.0], [0.0]];
    let first = xor.loss(&x, &y).unwrap();
    for _ in 0..200 {
        let grads = xor.gradients(&x, &y).unwrap();
        xor.step(&grads, 0.5).unwrap();
    }
    assert!(xor.loss(&x, &y).unwrap() < first);

    // Expression form with options and a trailing `;`, in f64.
    let reg = network!(1 => 4 elu(0.5) => 1 linear; loss = huber(0.5); scalar = f64;);
    let out: [f64; 1] = reg.predict(&[2.0]);
    assert!(out[0].is_finite());
    let g = reg.gradients(&[[2.0]], &[[1.0]]).unwrap();
    assert!(g.layers.1.bias[0] != 0.0);

    // Two anonymous networks in one scope do not collide.
    let a = network!(3 => 1 linear; loss = mse);
    let b = network!(5 => 2 softmax; loss = sparse_cce);
    assert_eq!(a.predict(&[0.0; 3]).len(), 1);
    assert_eq!(b.loss(&[[0.0; 5]], &[1]).unwrap(), 2f32.ln());
}
