// The network already implements Clone, Debug, PartialEq and Default.
use mlp::network;

network! {
    #[derive(Debug, Clone)]
    struct Net { 2 => 1 linear; loss = mse }
}

fn main() {}
