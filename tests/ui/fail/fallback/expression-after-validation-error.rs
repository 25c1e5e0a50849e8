// A rejected expression-form network, then code that uses its value.
use mlp::prelude::*;

fn main() {
    let net = network!(2 => 0 relu => 1 sigmoid; loss = bce);
    let y = net.predict(&[0.0, 1.0]);
    let _ = y[0] + 1.0;
}
