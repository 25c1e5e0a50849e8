// The file stores f32; this network computes in f64.
use mlp::network;

network! {
    struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        scalar = f64;
        weights = "../../../../examples/models/placement.safetensors";
    }
}

fn main() {}
