// `pytorch(...)` is for safetensors files with nn.Sequential names, not ONNX models.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax;
        loss = cce;
        weights = pytorch("../../../fixtures/onnx/torch_tanh_leaky.onnx");
    }
}

fn main() {}
