// A misspelt option name.
use mlp::network;

fn main() {
    let _ = network!(2 => 1 linear; loss = mse; scaler = f64);
}
