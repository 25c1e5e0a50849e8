// Dropout is planned but not implemented.
use mlp::network;

fn main() {
    let _ = network!(2 => 8 relu dropout(0.1) => 1 sigmoid; loss = bce);
}
