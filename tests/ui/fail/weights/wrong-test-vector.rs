// The file's stored test output is not what its weights compute.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "wrong-test-vector.safetensors";
    }
}

fn main() {}
