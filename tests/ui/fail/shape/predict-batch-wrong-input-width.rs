// Rows of 3 into a 4-input network.
use mlp::prelude::*;

fn main() {
    let net = network!(4 => 3 sigmoid => 1 sigmoid; loss = bce);
    let rows: Vec<[f32; 3]> = vec![[0.1, 0.2, 0.3]; 10];
    let _ = net.predict_batch(&rows);
}
