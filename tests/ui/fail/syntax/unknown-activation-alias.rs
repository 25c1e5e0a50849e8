// Names from other libraries: the macro says what to write here.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 8 ReLU => 1 linear; loss = mse);
    let _ = network!(2 => 8 relu => 1 identity; loss = mse);
    let _ = network!(2 => 8 swish => 1 linear; loss = mse);
}
