// The file's leaky_relu has slope 0.2; this network's has the default 0.01.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 3 leaky_relu => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "leaky-0.2.safetensors";
    }
}

fn main() {}
