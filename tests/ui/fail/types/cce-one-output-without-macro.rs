// The pairing rules hold without the macro: cce needs at least 2 softmax outputs.
use mlp::core::__private::batch::LayerBuffers;
use mlp::core::__private::{Cce, Softmax};

fn main() {
    let mut out = LayerBuffers::<f32, 1>::new(1);
    let targets = [[1.0f32]];
    let _ = mlp::core::__private::loss::output_delta(&Cce, &Softmax, &mut out, &targets, 1.0, None);
}
