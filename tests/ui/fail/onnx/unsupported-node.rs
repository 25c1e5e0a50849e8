// A convolution where the dense layer should be.
use mlp::prelude::*;

network! {
    struct Net {
        4 => 8 tanh;
        loss = mse;
        weights = "conv.onnx";
    }
}

fn main() {}
