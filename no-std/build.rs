//! Finds what the Cortex-M tests in `tests/bare_metal.rs` need: the
//! `thumbv7em-none-eabihf` target's core library and `qemu-system-arm`. For each
//! one missing it sets a cfg (`no_bare_metal_target`, `no_qemu`) under which those
//! tests are ignored, with the reason, so a run without them never reports them as
//! passed. Under CI (`CI` set, and not `false` or `0`) it sets neither: there the
//! tests run and fail, saying what is missing.
//!
//! Rerun rule: when `CI` or `PATH` changes, and when what was probed can have
//! changed: the toolchain's component list (which `rustup target add` rewrites) or
//! the target's library directory, and the QEMU binary found or, while none is,
//! the directories of `PATH` (installing one changes its directory).

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "thumbv7em-none-eabihf";
const QEMU: &str = "qemu-system-arm";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_bare_metal_target, no_qemu)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "false" | "0"));

    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let print = |what: &str| -> Option<PathBuf> {
        let out = Command::new(&rustc)
            .args(["--print", what, "--target", TARGET])
            .output()
            .ok()
            .filter(|out| out.status.success())?;
        Some(PathBuf::from(String::from_utf8(out.stdout).ok()?.trim()))
    };
    let libdir = print("target-libdir");
    let target = libdir.as_deref().is_some_and(has_core);
    match print("sysroot").map(|s| s.join("lib/rustlib/components")) {
        Some(components) if components.is_file() => watch(&components),
        _ => libdir.iter().for_each(|dir| watch(dir)),
    }

    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let qemu = dirs.iter().map(|d| d.join(QEMU)).find(|q| q.is_file());
    match &qemu {
        Some(binary) => watch(binary),
        None => dirs.iter().filter(|d| d.is_dir()).for_each(|d| watch(d)),
    }

    if !target && !ci {
        println!("cargo::rustc-cfg=no_bare_metal_target");
    }
    if qemu.is_none() && !ci {
        println!("cargo::rustc-cfg=no_qemu");
    }
}

/// Whether `dir` holds a core library.
fn has_core(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut files| {
        files.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().starts_with("libcore")))
    })
}

fn watch(path: &Path) {
    println!("cargo::rerun-if-changed={}", path.display());
}
