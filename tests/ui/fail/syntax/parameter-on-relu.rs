// `relu` and `sigmoid` take no parameter; `leaky_relu` is the relu with a slope.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 8 relu(0.1) => 1 sigmoid; loss = bce);
    let _ = network!(2 => 8 tanh => 1 sigmoid(2.0); loss = bce);
    let _ = network!(2 => 8 tanh => 1 linear; loss = mse(0.5));
}
