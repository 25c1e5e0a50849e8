//! `mlp-no-std` without `std` and without an allocator, built and run twice:
//!
//! - as the program in `firmware/` for `thumbv7em-none-eabihf` (a Cortex-M4F, no
//!   operating system), run under `qemu-system-arm` on the MPS2 AN386 board
//!   (`.ci/run` installs both). Without the target or QEMU these tests are
//!   ignored, with the reason (`build.rs` looks for them), except under CI, where
//!   they fail;
//! - as a static library for the host (`panic = "abort"`, `--cfg standalone` for
//!   its panic handler), linked into `tests/selftest.c` by the C compiler and run.
//!
//! A third build checks `mlp` with `alloc` and without `std` for the same target.
//!
//! Both link final artifacts, with every lang item resolved, so either build fails
//! if anything linked needs `std` (no `std` for the target, or a second panic
//! handler) or an allocator ("no global memory allocator found"). Both runs must
//! report what the same functions report here with std.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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

/// `cargo` in `dir` with the target directory `target/{target_dir}` of the
/// workspace (the outer `cargo test` keeps its own locked) and without flags meant
/// for the host.
fn cargo(dir: &Path, target_dir: &str) -> Command {
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env(
            "CARGO_TARGET_DIR",
            workspace().join("target").join(target_dir),
        )
        .arg("--locked");
    cargo
}

/// Runs `command` to its end (at most ten minutes) and returns its standard output;
/// fails the test with its output if it does not succeed.
fn succeed(command: &mut Command, what: &str) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let started = Instant::now();
    while child
        .try_wait()
        .expect("the child can be waited for")
        .is_none()
    {
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("the child's output");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Builds the crate as a static library for `target` without std and returns it.
fn build(target: &str) -> PathBuf {
    succeed(
        cargo(workspace(), "no-std")
            .env("CARGO_PROFILE_DEV_PANIC", "abort")
            .args(["rustc", "-p", "mlp-no-std", "--lib"])
            .args(["--crate-type", "staticlib", "--target", target])
            .args(["--", "--cfg", "standalone"]),
        &format!("building mlp-no-std for {target} without std and alloc"),
    );
    let lib = workspace()
        .join("target/no-std")
        .join(target)
        .join("debug/libmlp_no_std.a");
    assert!(lib.is_file(), "{} was not written", lib.display());
    println!("built {} for {target}", lib.display());
    lib
}

/// Fails unless the bare-metal target is installed: the test was not ignored, so
/// either `build.rs` found it or this is CI, which must run it.
fn require_target() {
    assert!(
        installed(BARE_METAL),
        "{BARE_METAL} is not installed (`rustup target add {BARE_METAL}`); outside CI \
         this test is ignored"
    );
}

/// As [`require_target`], for QEMU.
fn require_qemu() {
    let qemu = Command::new("qemu-system-arm").arg("--version").output();
    assert!(
        qemu.is_ok_and(|out| out.status.success()),
        "qemu-system-arm does not run (Debian: `apt-get install qemu-system-arm`); outside \
         CI this test is ignored"
    );
}

/// A test that runs the firmware: ignored, with the reason, when `build.rs` found
/// no target or no QEMU.
macro_rules! firmware_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        #[cfg_attr(
            all(no_bare_metal_target, no_qemu),
            ignore = "needs thumbv7em-none-eabihf (rustup target add) and qemu-system-arm"
        )]
        #[cfg_attr(
            all(no_bare_metal_target, not(no_qemu)),
            ignore = "needs thumbv7em-none-eabihf (rustup target add thumbv7em-none-eabihf)"
        )]
        #[cfg_attr(
            all(no_qemu, not(no_bare_metal_target)),
            ignore = "needs qemu-system-arm on PATH"
        )]
        fn $name() $body
    };
}

firmware_test! {
    fn runs_on_an_emulated_cortex_m4f() {
        run_firmware(&[]);
    }
}

firmware_test! {
    /// The firmware again with a heap as its global allocator: models from bytes,
    /// batch kernels and `fit` on the Cortex-M4F.
    #[cfg(feature = "alloc")]
    fn runs_on_an_emulated_cortex_m4f_with_a_heap() {
        run_firmware(&["--features", "heap"]);
    }
}

/// Runs `no-std/firmware` (with `features`) under QEMU and compares its report.
fn run_firmware(features: &[&str]) {
    require_target();
    require_qemu();
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware");
    let report = succeed(
        cargo(&firmware, "firmware").arg("run").args(features),
        &format!("run the firmware {features:?}"),
    );
    compare_with_std("on a Cortex-M4F", &report);
}

#[test]
#[cfg_attr(
    no_bare_metal_target,
    ignore = "needs thumbv7em-none-eabihf (rustup target add thumbv7em-none-eabihf)"
)]
fn builds_with_an_allocator_but_without_std() {
    // `alloc` alone: workspaces, batch kernels, fit, and models from bytes.
    require_target();
    succeed(
        cargo(workspace(), "no-std")
            .args([
                "check",
                "-p",
                "mlp",
                "--no-default-features",
                "--features",
                "alloc",
            ])
            .args(["--target", BARE_METAL]),
        &format!("checking mlp for {BARE_METAL} with alloc and without std"),
    );
}

#[test]
fn trains_and_predicts_without_std_or_an_allocator() {
    let lib = build(&host());
    let program = lib.with_file_name("selftest");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/selftest.c");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    succeed(
        Command::new(&cc)
            .arg(&source)
            .arg(&lib)
            .arg("-o")
            .arg(&program),
        &format!("linking the static library with {cc}"),
    );
    let report = succeed(&mut Command::new(&program), "the selftest program");
    compare_with_std("without std on the host", &report);
}

/// Checks a report printed as six numbers (`selftest.c`'s format), and three more
/// from a firmware with a heap, against the same selftests run here with std.
fn compare_with_std(what: &str, report: &str) {
    let numbers: Vec<f64> = report
        .split_whitespace()
        .map(|x| x.parse().expect("numbers"))
        .collect();
    // Six numbers, and three more from a firmware with a heap.
    let (found, heap_found) = numbers.split_at(numbers.len().min(6));
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
    // The heap's report: two differences between paths, each small on its own
    // side, and a loss after 300 Adam epochs (SIMD lanes and FMA here, scalar
    // there).
    #[cfg(feature = "alloc")]
    if let [
        placement_difference,
        xor_fit_loss,
        digits_gradient_difference,
    ] = *heap_found
    {
        let heap = mlp_no_std::selftest_with_heap().unwrap();
        println!("with std: {heap:?}");
        assert!(placement_difference < 1e-5, "{what}: {report}");
        assert!(digits_gradient_difference < 1e-5, "{what}: {report}");
        let here = f64::from(heap.xor_fit_loss);
        assert!(
            (xor_fit_loss - here).abs() < 0.05 * here,
            "{what}: {report}"
        );
        assert!(heap.placement_difference < 1e-5 && heap.digits_gradient_difference < 1e-5);
    }
    assert!(matches!(heap_found.len(), 0 | 3), "{what}: {report}");
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
