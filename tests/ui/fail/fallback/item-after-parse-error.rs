// An item-form definition that does not parse, then code that uses the network's
// name: as a type, a constructor and a method.
use mlp::prelude::*;

network! {
    pub struct Placement { 4 => 3 sigmod => 1 sigmoid; loss = bce }
}

fn score(net: &Placement) -> f32 {
    net.predict(&[0.0; 4])[0]
}

fn main() {
    let _ = score(&Placement::new());
}
