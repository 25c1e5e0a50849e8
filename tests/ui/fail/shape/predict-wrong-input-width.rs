// A 3-wide sample into a 4-input network.
use mlp::prelude::*;

network! {
    struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce }
}

fn main() {
    let net = Placement::new();
    let _ = net.predict(&[0.1, 0.2, 0.3]);
}
