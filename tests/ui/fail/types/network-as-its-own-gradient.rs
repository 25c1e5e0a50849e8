// A gradient is a `Gradients<Net>`, not a `Net`: a network passed where its
// gradient is meant (the mistake of subtracting a network from itself) does not
// compile.
use mlp::prelude::*;

network! { struct Net { 2 => 3 tanh => 1 linear; loss = mse } }

fn main() {
    let mut net = Net::new();
    let other = Net::seeded(1);
    net.step(&other, 0.1).unwrap();
    let mut ws = Workspace::new(1);
    let mut buffer = Net::zeros();
    net.gradients_with(&mut ws, &[[0.0, 1.0]], &[[1.0]], &mut buffer).unwrap();
}
