// The file was saved from a network trained with mse; this one uses bce.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "mse.safetensors";
    }
}

fn main() {}
