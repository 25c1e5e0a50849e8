//! The worked 2-2-2 backpropagation example: inputs 0.05, 0.10; targets 0.01, 0.99;
//! sigmoid layers; squared error E_total = sum 0.5 (target - output)^2.

use mlp::prelude::*;

network! {
    /// The textbook network.
    struct Textbook { 2 => 2 sigmoid => 2 sigmoid; loss = sse; scalar = f64; }
}

fn textbook() -> Textbook {
    Textbook::from_weights((
        ([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
        ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]),
    ))
}

const X: [[f64; 2]; 1] = [[0.05, 0.10]];
const Y: [[f64; 2]; 1] = [[0.01, 0.99]];

#[test]
fn forward_pass_gives_the_textbook_outputs() {
    let out = textbook().predict(&X[0]);
    println!("out_o1 = {:.9}, out_o2 = {:.9}", out[0], out[1]);
    assert!((out[0] - 0.751_365_070).abs() < 1e-9);
    assert!((out[1] - 0.772_928_465).abs() < 1e-9);
}

#[test]
fn total_error_is_0_298371109() {
    let e = textbook().loss(&X, &Y).unwrap();
    println!("E_total = {e:.9}");
    assert!((e - 0.298_371_109).abs() < 1e-9, "{e}");
    // One sample at a time on the stack, as without an allocator.
    let e = textbook()
        .loss_with(&mut Workspace::by_sample(), &X, &Y)
        .unwrap();
    assert!((e - 0.298_371_109).abs() < 1e-9, "{e} by sample");
}

/// The weights after one step of 0.5: w1..w4 (layer 0), w5..w8 (layer 1), row by row.
const AFTER_ONE_STEP: [(&str, usize, (usize, usize), f64); 8] = [
    ("w1", 0, (0, 0), 0.149_780_72),
    ("w2", 0, (0, 1), 0.199_561_43),
    ("w3", 0, (1, 0), 0.249_751_14),
    ("w4", 0, (1, 1), 0.299_502_29),
    ("w5", 1, (0, 0), 0.358_916_48),
    ("w6", 1, (0, 1), 0.408_666_19),
    ("w7", 1, (1, 0), 0.511_301_27),
    ("w8", 1, (1, 1), 0.561_370_12),
];

fn assert_textbook_weights(net: &Textbook, path: &str) {
    for (name, layer, at, expected) in AFTER_ONE_STEP {
        let w = if layer == 0 {
            &net.layers.0.weight
        } else {
            &net.layers.1.weight
        };
        println!("{path}: {name} = {:.8}", w[at]);
        assert!(
            (w[at] - expected).abs() < 1e-8,
            "{path}: {name} = {}",
            w[at]
        );
    }
}

#[test]
fn one_step_of_0_5_gives_the_textbook_weights() {
    let mut net = textbook();
    let grads = net.gradients(&X, &Y).unwrap();
    net.step(&grads, 0.5).unwrap();
    assert_textbook_weights(&net, "batch");
}

#[test]
fn one_step_of_0_5_by_sample_gives_the_textbook_weights() {
    let mut net = textbook();
    let mut grads = Gradients::zeros();
    let e = net
        .gradients_with(&mut Workspace::by_sample(), &X, &Y, &mut grads)
        .unwrap();
    assert!((e - 0.298_371_109).abs() < 1e-9, "{e}");
    net.step(&grads, 0.5).unwrap();
    assert_textbook_weights(&net, "by sample");
}
