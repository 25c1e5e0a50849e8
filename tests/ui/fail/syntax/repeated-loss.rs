// `loss` given twice.
use mlp::network;

fn main() {
    let _ = network!(2 => 1 linear; loss = mse; loss = mae);
}
