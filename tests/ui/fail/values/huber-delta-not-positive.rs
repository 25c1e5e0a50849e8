// The delta of huber is greater than 0.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 1 linear; loss = huber(-0.5));
}
