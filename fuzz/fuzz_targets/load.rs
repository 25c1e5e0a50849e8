//! Untrusted bytes through the model loaders (`mlp::core::io::from_bytes` and
//! `mlp::core::io::json::from_json`).
//!
//! The commands to build, run and minimise it are in `fuzz/README.md`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mlp_fuzz::load(data));
