//! Weights compiled in with `weights = "path"` equal the file loaded at run time.

use mlp::{Network, network};

network! {
    struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "../examples/models/placement.safetensors";
    }
}

static NET: Placement = Placement::COMPILED;

#[test]
fn compiled_weights_equal_the_loaded_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/models/placement.safetensors"
    );
    let loaded = Placement::load(path).unwrap();
    assert_eq!(NET, loaded);
    let x = [0.3, -1.2, 0.8, 0.1];
    assert_eq!(NET.predict(&x), loaded.predict(&x));
}
