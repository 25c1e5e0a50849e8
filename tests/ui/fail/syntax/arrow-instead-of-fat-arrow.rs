// Layers are separated by `=>`, and the layers end with `;`.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 8 relu -> 1 sigmoid; loss = bce);
    let _ = network!(2 => 1 sigmoid, loss = bce);
}
