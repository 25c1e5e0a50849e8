// Dropout belongs on hidden layers.
use mlp::prelude::*;

network! {
    struct Net { 4 => 8 relu dropout(0.5) => 1 sigmoid dropout(0.2); loss = bce }
}

fn main() {}
