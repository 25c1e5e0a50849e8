// A misspelt activation: the macro names the closest one.
use mlp::prelude::*;

network! {
    struct Classifier { 4 => 8 sigmod => 1 sigmoid; loss = bce }
}

fn main() {
    let _ = network!(2 => 8 rleu => 1 linear; loss = mse);
}
