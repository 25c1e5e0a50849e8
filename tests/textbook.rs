//! The worked 2-2-2 backpropagation example: inputs 0.05, 0.10; targets 0.01, 0.99;
//! sigmoid layers; squared error E_total = sum 0.5 (target - output)^2.

use mlp::network;

network! {
    /// The textbook network.
    struct Textbook { 2 => 2 sigmoid => 2 sigmoid; loss = sse; scalar = f64; }
}

fn textbook() -> Textbook {
    Textbook::from_weights(
        ([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
        ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]),
    )
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
}

#[test]
fn one_step_of_0_5_gives_the_textbook_weights() {
    let mut net = textbook();
    let grads = net.gradients(&X, &Y).unwrap();
    net.step(&grads, 0.5).unwrap();
    let w = &net.layers.1.weight;
    let v = &net.layers.0.weight;
    println!(
        "w5 = {:.8}, w6 = {:.8}, w7 = {:.8}, w8 = {:.8}",
        w[(0, 0)],
        w[(0, 1)],
        w[(1, 0)],
        w[(1, 1)]
    );
    println!(
        "w1 = {:.8}, w2 = {:.8}, w3 = {:.8}, w4 = {:.8}",
        v[(0, 0)],
        v[(0, 1)],
        v[(1, 0)],
        v[(1, 1)]
    );
    assert!(
        (w[(0, 0)] - 0.358_916_48).abs() < 1e-8,
        "w5 = {}",
        w[(0, 0)]
    );
    assert!(
        (w[(0, 1)] - 0.408_666_19).abs() < 1e-8,
        "w6 = {}",
        w[(0, 1)]
    );
    assert!(
        (w[(1, 0)] - 0.511_301_27).abs() < 1e-8,
        "w7 = {}",
        w[(1, 0)]
    );
    assert!(
        (w[(1, 1)] - 0.561_370_12).abs() < 1e-8,
        "w8 = {}",
        w[(1, 1)]
    );
    assert!(
        (v[(0, 0)] - 0.149_780_72).abs() < 1e-8,
        "w1 = {}",
        v[(0, 0)]
    );
    assert!(
        (v[(0, 1)] - 0.199_561_43).abs() < 1e-8,
        "w2 = {}",
        v[(0, 1)]
    );
    assert!(
        (v[(1, 0)] - 0.249_751_14).abs() < 1e-8,
        "w3 = {}",
        v[(1, 0)]
    );
    assert!(
        (v[(1, 1)] - 0.299_502_29).abs() < 1e-8,
        "w4 = {}",
        v[(1, 1)]
    );
}
