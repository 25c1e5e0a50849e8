// A variant of an existing type with other rows than the first's fails at its type.
use mlp::prelude::*;

network! { struct Small { 4 => 8 relu => 1 sigmoid; loss = bce; } }
network! { struct Wide { 8 => 8 relu => 1 sigmoid; loss = bce; } }

network! {
    enum Model {
        Small(Small),
        Wide(Wide),
    }
}

fn main() {}
