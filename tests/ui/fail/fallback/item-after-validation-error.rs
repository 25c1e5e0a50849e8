// A rejected item-form definition, then code that uses the network's name: as a
// type, through an associated const, a constructor and a method.
use mlp::prelude::*;

network! {
    /// Rejected: bce needs a sigmoid output.
    pub struct Placement { 4 => 3 sigmoid => 1 relu; loss = bce }
}

fn score(net: &Placement, x: &[f32; 4]) -> f32 {
    net.predict(x)[0]
}

fn main() {
    let net = Placement::new();
    let _ = score(&net, &[0.0; 4]);
    let _ = Placement::INPUTS;
}
