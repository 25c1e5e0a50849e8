// hinge scores one -1/+1 label.
use mlp::prelude::*;

fn main() {
    let _ = network!(4 => 8 relu => 2 linear; loss = hinge);
}
