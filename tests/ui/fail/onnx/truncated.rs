// The first half of a model: no protobuf message ends there.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 tanh => 6 leaky_relu(0.2) => 3 softmax;
        loss = cce;
        weights = "truncated.onnx";
    }
}

fn main() {}
