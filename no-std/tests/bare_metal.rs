//! `mlp-no-std` built on its own as a static library that links nothing but `core`
//! (`panic = "abort"`, `--cfg standalone` for its panic handler):
//!
//! - for `thumbv7em-none-eabihf` (a Cortex-M4F, no operating system) when that
//!   target is installed (`.ci/run` installs it);
//! - for the host, then linked into `tests/selftest.c` by the C compiler and run:
//!   the networks train and predict in the build without std and without an
//!   allocator, and must report what the same functions report here with std.
//!
//! A static library is a final artifact, with every lang item resolved, so either
//! build fails if anything linked needs `std` (no `std` for the target, or a
//! second panic handler) or an allocator ("no global memory allocator found").

use std::path::{Path, PathBuf};
use std::process::Command;

const BARE_METAL: &str = "thumbv7em-none-eabihf";

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace")
}

fn rustc() -> Command {
    Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
}

/// The triple of the machine the tests run on.
fn host() -> String {
    let out = rustc().arg("-vV").output().expect("rustc runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_owned()
}

/// Whether the toolchain has the standard crates of `target`.
fn installed(target: &str) -> bool {
    rustc()
        .args(["--print", "target-libdir", "--target", target])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|dir| std::fs::read_dir(dir.trim()).ok())
        .is_some_and(|mut files| {
            files.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().starts_with("libcore")))
        })
}

/// Builds the crate as a static library for `target` without std and returns it.
fn build(target: &str) -> PathBuf {
    let target_dir = workspace().join("target").join("no-std");
    // Its own target directory: the outer `cargo test` keeps its own locked.
    let out = Command::new(env!("CARGO"))
        .current_dir(workspace())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_PROFILE_DEV_PANIC", "abort")
        .args(["rustc", "--locked", "-p", "mlp-no-std", "--lib"])
        .args(["--crate-type", "staticlib", "--target", target])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["--", "--cfg", "standalone"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "mlp-no-std does not build for {target} without std and alloc:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lib = target_dir.join(target).join("debug/libmlp_no_std.a");
    assert!(lib.is_file(), "{} was not written", lib.display());
    println!("built {} for {target}", lib.display());
    lib
}

#[test]
fn builds_for_a_bare_metal_target() {
    if !installed(BARE_METAL) {
        eprintln!(
            "skipped: {BARE_METAL} is not installed (`rustup target add {BARE_METAL}`); \
             the host build below still links nothing but core"
        );
        return;
    }
    build(BARE_METAL);
}

#[test]
fn trains_and_predicts_without_std_or_an_allocator() {
    let lib = build(&host());
    let program = lib.with_file_name("selftest");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/selftest.c");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .arg(&source)
        .arg(&lib)
        .arg("-o")
        .arg(&program)
        .output()
        .unwrap_or_else(|e| panic!("{cc} runs: {e}"));
    assert!(
        out.status.success(),
        "linking the static library:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&program).output().expect("the program runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "selftest failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Vec<f64> = stdout
        .split_whitespace()
        .map(|x| x.parse().expect("numbers"))
        .collect();
    let here = mlp_no_std::selftest().unwrap();
    println!("without std: {stdout}with std:    {here:?}");
    // The math is libm's there and the platform's here: equal to rounding, which
    // hundreds of training steps may grow a little.
    let expected = [
        ("placement", here.placement, 1e-6),
        ("xor loss before", here.xor_before, 1e-6),
        ("xor loss after", here.xor_after, 1e-3),
        ("xor rows correct", here.xor_correct as f32, 0.0),
        ("digits loss before", here.digits_before, 1e-6),
        ("digits loss after", here.digits_after, 1e-3),
    ];
    assert_eq!(found.len(), expected.len(), "{stdout}");
    for (&found, (what, here, tolerance)) in found.iter().zip(expected) {
        let here = f64::from(here);
        assert!(
            (found - here).abs() <= tolerance * here.abs(),
            "{what}: {found} without std, {here} with std"
        );
    }
    assert_eq!(here.xor_correct, 4);
    assert!(here.xor_after < 0.05 * here.xor_before);
    assert!(here.digits_after < 0.5 * here.digits_before);
}
