// Widths are integer literals written in the macro, before the activation.
use mlp::prelude::*;

const HIDDEN: usize = 8;

fn main() {
    let _ = network!(2 => HIDDEN relu => 1 sigmoid; loss = bce);
    let _ = network!(2 => 3.5 relu => 1 sigmoid; loss = bce);
    let _ = network!(2 => relu => 1 sigmoid; loss = bce);
}
