// The pairing rules hold without the macro: mse does not follow a softmax.
use mlp::core::__private::batch::LayerBuffers;
use mlp::core::__private::{Mse, Softmax};

fn main() {
    let out = LayerBuffers::<f64, 3>::new(4);
    let targets = [[0.0, 1.0, 0.0]];
    let _ = mlp::core::__private::loss::loss_sum(&Mse, &Softmax, &out, &targets);
}
