// `loss` given twice.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 1 linear; loss = mse; loss = mae);
}
