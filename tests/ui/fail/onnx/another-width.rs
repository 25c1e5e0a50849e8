// The PyTorch export's second layer is 6 wide; this network's is 5.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 tanh => 5 leaky_relu(0.2) => 3 softmax;
        loss = cce;
        weights = "../../../fixtures/onnx/torch_tanh_leaky.onnx";
    }
}

fn main() {}
