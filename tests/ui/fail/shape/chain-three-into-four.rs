// The 3 outputs of one network are not the 4 inputs of the next.
use mlp::prelude::*;

network! { struct Encoder { 8 => 3 tanh; loss = mse } }
network! { struct Head { 4 => 1 sigmoid; loss = bce } }

fn main() {
    let (encoder, head) = (Encoder::new(), Head::new());
    let code = encoder.predict(&[0.0; 8]);
    let _ = head.predict(&code);
}
