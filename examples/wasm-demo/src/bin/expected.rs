//! What the page should show, computed natively: the same functions as the
//! module's exports, printed as one JSON object for `test/browser.test.mjs`.

use mlp_wasm_demo::{XOR_X, placement, train_xor};

/// The page's seed and epochs (`www/demo.js`) and its student.
const SEED: u64 = 1;
const EPOCHS: usize = 500;
const STUDENT: [f32; 4] = [9.2, 7.5, 6.0, 4.0];

fn main() -> Result<(), mlp::Error> {
    let (net, loss) = train_xor(SEED, EPOCHS)?;
    let xor: Vec<String> = XOR_X
        .iter()
        .map(|x| mlp::core::Network::predict(&net, x)[0].to_string())
        .collect();
    println!(
        "{{\"xor_loss\": {loss}, \"xor\": [{}], \"placement\": {}}}",
        xor.join(", "),
        placement(STUDENT)
    );
    Ok(())
}
