//! Untrusted bytes through `Trainer::from_bytes`, then one epoch of training, then
//! `to_bytes` and `from_bytes` again (`mlp_fuzz::checkpoint`). See `fuzz/README.md`
//! for the commands.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mlp_fuzz::checkpoint(data));
