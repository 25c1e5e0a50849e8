// A path that names no file, and a file of another architecture.
use mlp::prelude::*;

network! {
    struct Missing {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "no-such-model.safetensors";
    }
}

network! {
    struct Deeper {
        4 => 3 sigmoid => 2 sigmoid;
        loss = bce;
        weights = "../../../../examples/models/placement.safetensors";
    }
}

fn main() {}
