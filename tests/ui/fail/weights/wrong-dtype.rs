// The file stores f32; this network computes in f64. A file of f16 tensors fits no
// network's scalar, so the hint is to convert it, not `scalar = f16`.
use mlp::prelude::*;

network! {
    struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        scalar = f64;
        weights = "../../../../examples/models/placement.safetensors";
    }
}

network! {
    struct Half { 2 => 1 linear; loss = mse; weights = "f16.safetensors"; }
}

fn main() {}
