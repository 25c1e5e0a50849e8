// A byte of the file changed after it was saved: its checksum no longer matches.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "damaged.safetensors";
    }
}

fn main() {}
