// The pairing rules hold without the macro: hinge needs exactly one linear output.
use mlp::core::__private::batch::LayerBuffers;
use mlp::core::__private::{Hinge, Linear};

fn main() {
    let mut out = LayerBuffers::<f32, 2>::new(1);
    let targets = [[1.0f32, -1.0]];
    let _ = mlp::core::__private::loss::output_delta(&Hinge, &Linear, &mut out, &targets, 1.0, None);
}
