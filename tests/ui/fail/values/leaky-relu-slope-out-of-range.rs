// The slope of leaky_relu is in [0, 1).
use mlp::prelude::*;

fn negative() {
    let _ = network!(2 => 8 leaky_relu(-0.1) => 1 linear; loss = mse);
}

fn one_or_more() {
    let _ = network!(2 => 8 leaky_relu(1.5) => 1 linear; loss = mse);
}

fn main() {
    negative();
    one_or_more();
}
