// Targets of 2 for a network of 1 output.
use mlp::prelude::*;

network! {
    struct Placement { 4 => 3 sigmoid => 1 sigmoid; loss = bce }
}

fn main() {
    let net = Placement::new();
    let x = [[0.1, 0.2, 0.3, 0.4]];
    let _ = net.loss(&x, &[[0.0, 1.0]]);
}
