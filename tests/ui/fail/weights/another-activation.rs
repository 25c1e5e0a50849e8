// The file was saved from a relu first layer; this network's is sigmoid.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "relu.safetensors";
    }
}

fn main() {}
