//! Untrusted bytes through the model loaders (`mlp::core::io::from_bytes` and
//! `mlp::core::io::json::from_json`).
//!
//! From `fuzz/`, on a stable toolchain (cargo-fuzz passes `-Z` flags):
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run load -- -max_total_time=600 -rss_limit_mb=2048 \
//!     -max_len=4096 -dict=load.dict -timeout=10
//! RUSTC_BOOTSTRAP=1 cargo fuzz cmin load -- -use_counters=0 -max_len=4096
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mlp_fuzz::load(data));
