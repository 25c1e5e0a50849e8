// Loading weights at compile time is planned but not implemented.
use mlp::network;

network! {
    struct Net { 2 => 1 sigmoid; loss = bce; weights = "net.safetensors" }
}

fn main() {}
