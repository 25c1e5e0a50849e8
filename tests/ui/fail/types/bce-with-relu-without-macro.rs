// The pairing rules hold without the macro: bce needs a sigmoid output.
use mlp::core::__private::batch::LayerBuffers;
use mlp::core::__private::loss::output_delta;
use mlp::core::__private::{Bce, Relu};

fn main() {
    let mut out = LayerBuffers::<f32, 1>::new(1);
    let targets = [[1.0f32]];
    // With the types written out.
    let _ = output_delta::<Bce, Relu, f32, 1>(&Bce, &Relu, &mut out, &targets, 1.0, None);
    // With the types inferred from the arguments.
    let _ = output_delta(&Bce, &Relu, &mut out, &targets, 1.0, None);
}
