// Only f32 and f64 networks exist.
use mlp::prelude::*;

network! {
    struct Half { 2 => 1 linear; loss = mse; scalar = f16 }
}

fn main() {
    let _ = network!(2 => 1 linear; loss = mse; scalar = double);
}
