// sparse_cce takes class indices (`usize`), not one-hot rows; one-hot rows are for cce.
use mlp::prelude::*;

fn main() {
    let net = network!(2 => 4 relu => 2 softmax; loss = sparse_cce);
    let x: [[f32; 2]; 2] = [[0.0, 1.0], [1.0, 0.0]];
    let y: [[f32; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];
    let _ = net.loss(&x, &y);
}
