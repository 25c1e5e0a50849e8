// The gradients of one network do not update a network of another shape.
use mlp::prelude::*;

network! { struct Small { 2 => 1 linear; loss = mse } }
network! { struct Large { 2 => 4 relu => 1 linear; loss = mse } }

fn main() {
    let mut small = Small::new();
    let large = Large::new();
    let grads = large.gradients(&[[0.0, 1.0]], &[[1.0]]).unwrap();
    small.step(&grads, 0.1).unwrap();
}
