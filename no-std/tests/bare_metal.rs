//! `mlp-no-std` without `std` and without an allocator, built and run twice:
//!
//! - as the program in `firmware/` for `thumbv7em-none-eabihf` (a Cortex-M4F, no
//!   operating system), run under `qemu-system-arm` on the MPS2 AN386 board when
//!   the target and QEMU are installed (`.ci/run` installs both);
//! - as a static library for the host (`panic = "abort"`, `--cfg standalone` for
//!   its panic handler), linked into `tests/selftest.c` by the C compiler and run.
//!
//! Both link final artifacts, with every lang item resolved, so either build fails
//! if anything linked needs `std` (no `std` for the target, or a second panic
//! handler) or an allocator ("no global memory allocator found"). Both runs must
//! report what the same functions report here with std.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// Waits for `child` at most `limit`, killing it after that.
fn wait(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child
        .try_wait()
        .expect("the child can be waited for")
        .is_none()
    {
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("the child's output")
}

#[test]
fn runs_on_an_emulated_cortex_m4f() {
    if !installed(BARE_METAL) {
        eprintln!("skipped: {BARE_METAL} is not installed (`rustup target add {BARE_METAL}`)");
        return;
    }
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware");
    let qemu = Command::new("qemu-system-arm").arg("--version").output();
    // Without QEMU the program is still built: that alone proves the build.
    let verb = if qemu.is_ok_and(|out| out.status.success()) {
        "run"
    } else {
        eprintln!("qemu-system-arm is not installed: building the firmware without running it");
        "build"
    };
    let child = Command::new(env!("CARGO"))
        .current_dir(&firmware)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .args([verb, "--locked", "--target-dir"])
        .arg(workspace().join("target").join("firmware"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo runs");
    let out = wait(child, Duration::from_secs(600));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the firmware failed to {verb}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if verb == "run" {
        compare_with_std("on a Cortex-M4F", &stdout);
    }
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
    compare_with_std("without std on the host", &stdout);
}

/// Checks a report printed as six numbers (`selftest.c`'s format) against
/// `selftest()` run here with std.
fn compare_with_std(what: &str, report: &str) {
    let found: Vec<f64> = report
        .split_whitespace()
        .map(|x| x.parse().expect("numbers"))
        .collect();
    let here = mlp_no_std::selftest().unwrap();
    println!("{what}: {report}with std: {here:?}");
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
    assert_eq!(found.len(), expected.len(), "{what}: {report}");
    for (&found, (name, here, tolerance)) in found.iter().zip(expected) {
        let here = f64::from(here);
        assert!(
            (found - here).abs() <= tolerance * here.abs(),
            "{name}: {found} {what}, {here} with std"
        );
    }
    assert_eq!(here.xor_correct, 4);
    assert!(here.xor_after < 0.05 * here.xor_before);
    assert!(here.digits_after < 0.5 * here.digits_before);
}
