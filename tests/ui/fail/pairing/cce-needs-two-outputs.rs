// One output is not a distribution over classes.
use mlp::prelude::*;

network! {
    struct Net { 4 => 8 relu => 1 softmax; loss = cce }
}

fn main() {}
