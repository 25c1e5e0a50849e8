// The variants of an enum network compute in one scalar: the first's.
use mlp::prelude::*;

network! {
    enum Model {
        Small(4 => 8 relu => 1 sigmoid; loss = bce),
        Large(4 => 16 relu => 1 sigmoid; loss = bce; scalar = f64),
    }
}

fn main() {}
