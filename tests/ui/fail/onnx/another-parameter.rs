// The PyTorch export has LeakyReLU(0.2); this network's slope is 0.1.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 tanh => 6 leaky_relu(0.1) => 3 softmax;
        loss = cce;
        weights = "../../../fixtures/onnx/torch_tanh_leaky.onnx";
    }
}

fn main() {}
