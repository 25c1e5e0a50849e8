// Two variants of one architecture: a loaded file could not tell them apart.
use mlp::prelude::*;

network! {
    enum Model {
        Small(4 => 8 leaky_relu => 1 sigmoid; loss = bce),
        // Dropout and default parameters written out change nothing a file stores.
        Again(4 => 8 leaky_relu(0.01) dropout(0.1) => 1 sigmoid; loss = bce),
    }
}

fn main() {}
