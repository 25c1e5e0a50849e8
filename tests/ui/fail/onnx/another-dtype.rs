// The PyTorch export is float32; this network computes in f64.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax;
        loss = cce;
        scalar = f64;
        weights = "../../../fixtures/onnx/torch_tanh_leaky.onnx";
    }
}

fn main() {}
