// The variants of an enum network give one output width: the first's.
use mlp::prelude::*;

network! {
    enum Model {
        Small(4 => 8 relu => 1 sigmoid; loss = bce),
        Large(4 => 16 relu => 2 sigmoid; loss = bce),
    }
}

fn main() {}
