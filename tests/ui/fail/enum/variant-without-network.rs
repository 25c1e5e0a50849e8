// A variant holds a network in parentheses.
use mlp::prelude::*;

network! {
    enum Model {
        Small(4 => 8 relu => 1 sigmoid; loss = bce),
        Large,
    }
}

fn main() {}
