//! What the `load` fuzz target does with each input. The corpus replay test
//! (`tests/fuzz_corpus.rs` in the main crate) includes this file as a module, so
//! the replay runs exactly the fuzzed code.

use mlp::core::io::{self, LoadOptions};

mlp::network! {
    /// The f32 network the loaders are fuzzed against.
    pub struct Small { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; }
}

mlp::network! {
    /// The same layout in f64.
    pub struct Small64 { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; scalar = f64; }
}

/// Every way the target loads its input.
pub fn options() -> Vec<LoadOptions> {
    vec![
        LoadOptions::default(),
        LoadOptions::default().transposed(),
        LoadOptions::pytorch(),
        LoadOptions::pytorch().transposed(),
        LoadOptions {
            allow_non_finite: true,
            ..LoadOptions::default()
        },
        LoadOptions {
            allow_non_finite: true,
            check_test_vector: false,
            ..LoadOptions::pytorch().transposed()
        },
    ]
}

/// Loads `data` as both networks with every option: as a safetensors file and,
/// when it is UTF-8 and the `json` feature is on, as a JSON document. Errors are
/// expected; only a panic, a crash or a runaway allocation is a bug.
pub fn load(data: &[u8]) {
    for options in &options() {
        let _ = io::from_bytes::<Small>(data, options);
        let _ = io::from_bytes::<Small64>(data, options);
    }
    #[cfg(feature = "json")]
    if let Ok(text) = core::str::from_utf8(data) {
        for options in &options() {
            let _ = io::json::from_json::<Small>(text, options);
            let _ = io::json::from_json::<Small64>(text, options);
        }
    }
}
