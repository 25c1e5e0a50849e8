// The variants of an enum network take one kind of target: class indices (sparse_cce) or arrays.
use mlp::prelude::*;

network! {
    enum Digits {
        Small(64 => 16 relu => 10 softmax; loss = cce),
        Large(64 => 64 relu => 10 softmax; loss = sparse_cce),
    }
}

fn main() {}
