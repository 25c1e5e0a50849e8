// `scalar` given twice.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 1 linear; scalar = f64; loss = mse; scalar = f32);
}
