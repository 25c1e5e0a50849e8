// A misspelt loss and a loss named as in another library.
use mlp::prelude::*;

network! {
    struct Placement { 4 => 3 sigmoid => 1 sigmoid; loss = bec }
}

fn main() {
    let _ = network!(4 => 3 softmax; loss = cross_entropy);
}
