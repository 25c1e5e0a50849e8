// A regression loss on softmax probabilities.
use mlp::prelude::*;

fn main() {
    let _ = network!(4 => 8 relu => 3 softmax; loss = mse);
}
