// No `loss = ...`: the macro suggests one that fits the output layer.
use mlp::prelude::*;

network! {
    struct Placement { 4 => 3 sigmoid => 1 sigmoid }
}

fn main() {
    let _ = network!(4 => 3 softmax; scalar = f64);
}
