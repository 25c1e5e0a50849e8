// The file's last layer has one output; this network declares two.
use mlp::prelude::*;

network! {
    struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 2 sigmoid;
        loss = bce;
        weights = "../../../../examples/models/placement.safetensors";
    }
}

fn main() {}
