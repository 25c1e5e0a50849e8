// cce reads a class distribution: its output layer is a softmax.
use mlp::prelude::*;

fn main() {
    let _ = network!(4 => 8 relu => 3 sigmoid; loss = cce);
}
