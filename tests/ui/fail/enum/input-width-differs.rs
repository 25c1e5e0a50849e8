// The variants of an enum network take one input width: the first's.
use mlp::prelude::*;

network! {
    enum Model {
        Small(4 => 8 relu => 1 sigmoid; loss = bce),
        Large(5 => 16 relu => 1 sigmoid; loss = bce),
    }
}

fn main() {}
