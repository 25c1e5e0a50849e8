// A PyTorch nn.Sequential state dict names its tensors `0.weight`, `0.bias`,
// `2.weight`, ...: the compile error says to write `weights = pytorch("...")`, not
// the run-time `LoadOptions::pytorch()`.
use mlp::prelude::*;

network! {
    struct Sequential {
        4 => 8 tanh => 6 relu => 3 softmax;
        loss = cce;
        weights = "../../../fixtures/sequential.safetensors";
    }
}

fn main() {}
