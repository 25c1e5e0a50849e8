// `from_weights` takes a tuple of one `([[T; IN]; OUT], [T; OUT])` per layer.
use mlp::prelude::*;

network! { struct Net { 2 => 3 sigmoid => 1 sigmoid; loss = bce } }

fn main() {
    let _ = Net::from_weights((([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [0.0, 0.0]),
        ([[0.1, 0.2, 0.3]], [0.0])));
}
