// Every layer after `=>` names its activation.
use mlp::prelude::*;

network! {
    struct Net { 4 => 3 => 1 sigmoid; loss = bce }
}

fn main() {}
