// The dropout rate is a fraction in [0, 1), and it must be written.
use mlp::prelude::*;

network! {
    struct Always { 4 => 8 relu dropout(1.0) => 1 sigmoid; loss = bce }
}

fn main() {
    let _ = network!(4 => 8 tanh dropout(-0.1) => 2 softmax; loss = cce);
    let _ = network!(4 => 8 tanh dropout => 2 softmax; loss = cce);
}
