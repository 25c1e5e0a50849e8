// A regression loss on softmax probabilities.
use mlp::network;

fn main() {
    let _ = network!(4 => 8 relu => 3 softmax; loss = mse);
}
