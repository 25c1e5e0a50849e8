//! Builds this crate on its own as a static library that links nothing but `core`:
//! for `thumbv7em-none-eabihf` (a Cortex-M4F, no operating system) when that
//! target is installed (`.ci/run` installs it), otherwise for the host with
//! `panic = "abort"`. A final artifact has every lang item resolved, so the build
//! fails if anything it links needs `std` (no `std` for the target, or a second
//! panic handler) or an allocator ("no global memory allocator found").

use std::path::Path;
use std::process::Command;

const BARE_METAL: &str = "thumbv7em-none-eabihf";

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

#[test]
fn builds_with_neither_std_nor_an_allocator() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().expect("the crate sits in the workspace");
    let target = if installed(BARE_METAL) {
        BARE_METAL.to_owned()
    } else {
        eprintln!(
            "{BARE_METAL} is not installed (`rustup target add {BARE_METAL}`); \
             building for the host without std instead"
        );
        host()
    };
    // Its own target directory: the outer `cargo test` keeps its own locked.
    let out = Command::new(env!("CARGO"))
        .current_dir(workspace)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_PROFILE_DEV_PANIC", "abort")
        .args(["rustc", "--locked", "-p", "mlp-no-std", "--lib"])
        .args(["--crate-type", "staticlib", "--target", &target])
        .arg("--target-dir")
        .arg(workspace.join("target").join("no-std"))
        .args(["--", "--cfg", "standalone"])
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "mlp-no-std does not build for {target} without std and alloc:\n{stderr}"
    );
    let lib = workspace
        .join("target/no-std")
        .join(&target)
        .join("debug/libmlp_no_std.a");
    assert!(lib.is_file(), "{} was not written", lib.display());
    println!("built {} for {target}", lib.display());
}
