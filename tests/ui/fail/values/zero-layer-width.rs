// Every layer has at least one neuron.
use mlp::prelude::*;

fn main() {
    let _ = network!(4 => 0 relu => 1 sigmoid; loss = bce);
}
