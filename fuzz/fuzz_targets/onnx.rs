//! Untrusted bytes through the ONNX loader (`mlp::core::io::onnx::from_bytes`).
//!
//! The commands to build, run and minimise it are in `fuzz/README.md`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mlp_fuzz::onnx(data));
