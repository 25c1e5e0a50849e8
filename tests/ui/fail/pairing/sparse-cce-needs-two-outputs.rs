// One output is not a distribution over classes.
use mlp::prelude::*;

fn main() {
    let _ = network!(4 => 8 relu => 1 softmax; loss = sparse_cce);
}
