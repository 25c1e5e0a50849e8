// `Clone` is dropped from the derive (the network implements it), `Hash` is kept:
// rustc then reports that the layers, holding floats, cannot be hashed.
use mlp::prelude::*;

network! {
    #[derive(Clone, Hash)]
    struct Net { 2 => 1 linear; loss = mse }
}

fn main() {}
