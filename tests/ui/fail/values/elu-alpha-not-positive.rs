// The alpha of elu is greater than 0.
use mlp::prelude::*;

network! {
    struct Net { 2 => 8 elu(0) => 8 elu(-1.0) => 1 linear; loss = mse }
}

fn main() {}
