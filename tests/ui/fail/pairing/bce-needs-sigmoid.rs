// bce reads probabilities: its output layer is a sigmoid.
use mlp::prelude::*;

network! {
    struct Placement { 4 => 3 sigmoid => 1 relu; loss = bce }
}

fn main() {
    let _ = network!(4 => 8 relu => 3 softmax; loss = bce);
}
