// The PyTorch export's first layer is tanh; this network's is relu.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 relu => 6 leaky_relu(0.2) => 3 softmax;
        loss = cce;
        weights = "../../../fixtures/onnx/torch_tanh_leaky.onnx";
    }
}

fn main() {}
