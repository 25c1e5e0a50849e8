// A network reads at least one feature.
use mlp::prelude::*;

network! {
    struct Empty { 0 => 4 relu => 1 sigmoid; loss = bce }
}

fn main() {}
