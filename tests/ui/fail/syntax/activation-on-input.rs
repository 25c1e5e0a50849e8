// The input is not a layer and has no activation.
use mlp::prelude::*;

fn main() {
    let _ = network!(4 relu => 3 sigmoid => 1 sigmoid; loss = bce);
}
