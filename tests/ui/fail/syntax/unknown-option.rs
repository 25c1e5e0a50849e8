// A misspelt option name, one no option resembles, and no name at all.
use mlp::prelude::*;

fn main() {
    let _ = network!(2 => 1 linear; loss = mse; scaler = f64);
    let _ = network!(2 => 1 linear; loss = mse; epochs = 10);
    let _ = network!(2 => 1 linear; loss = mse; 10);
}
