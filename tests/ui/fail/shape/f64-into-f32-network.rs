// An f32 network takes f32 samples; `scalar = f64` declares an f64 one.
use mlp::prelude::*;

network! {
    struct Net { 2 => 4 relu => 1 linear; loss = mse }
}

fn main() {
    let net = Net::new();
    let x: [f64; 2] = [0.5, -0.5];
    let _ = net.predict(&x);
}
