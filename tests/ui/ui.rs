//! Compile-time behaviour of `network!`: definitions the macro must reject (each
//! with its expected diagnostic in a `.stderr` beside it), data of the wrong shape
//! and invalid loss/activation pairs the type system must reject, and definitions
//! that must compile and run.
//!
//! Regenerate the `.stderr` files after an intended change to a message with
//! `TRYBUILD=overwrite cargo test -p mlp-ui`, then read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*/*.rs");
    // With pass cases in the same run, trybuild builds every case instead of only
    // checking it. `fail/types/cce-one-output-without-macro.rs` relies on that: its
    // error is raised when `output_delta` is instantiated, which `cargo check`
    // never does.
    t.pass("pass/*.rs");
}
