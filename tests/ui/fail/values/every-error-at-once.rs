// Every rule broken by one definition is reported in the same compile.
use mlp::prelude::*;

network! {
    struct Broken { 0 => 0 leaky_relu(1.5) => 4 elu(-1) => 3 softmax; loss = huber(0) }
}

fn main() {}
