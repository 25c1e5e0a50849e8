// The perceptron criterion reads the raw score, not a squashed one.
use mlp::prelude::*;

network! {
    struct Perceptron { 4 => 1 sigmoid; loss = perceptron }
}

fn main() {
    let _ = network!(4 => 1 tanh; loss = perceptron);
}
