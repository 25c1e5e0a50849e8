// Targets of 3 for a network of 2 outputs.
use mlp::prelude::*;

fn main() {
    let net = network!(2 => 4 tanh => 2 softmax; loss = cce);
    let x: [[f32; 2]; 1] = [[0.5, 0.5]];
    let y: [[f32; 3]; 1] = [[0.0, 1.0, 0.0]];
    let _ = net.gradients(&x, &y);
}
