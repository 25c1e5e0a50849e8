// A file from another tool with a NaN weight: refused with the message of a load.
use mlp::network;

network! {
    struct Net {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "non-finite.safetensors";
    }
}

fn main() {}
