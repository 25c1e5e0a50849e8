//! What the workspace's build graph holds. Cargo.lock is resolved over every member,
//! target and feature, so a crate it does not list is built by no `cargo test`.

/// The names of the packages in the workspace's Cargo.lock.
fn locked_packages() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock");
    let lock = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    lock.lines()
        .filter_map(|line| line.strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .map(String::from)
        .collect()
}

#[test]
fn tests_build_no_plotting_crates() {
    let packages = locked_packages();
    assert!(
        packages.iter().any(|p| p == "mlp"),
        "Cargo.lock lists no mlp: {packages:?}"
    );
    for drawing in ["plotters", "ab_glyph"] {
        assert!(
            !packages.iter().any(|p| p == drawing),
            "Cargo.lock lists {drawing}, so `cargo test --workspace` builds it: examples that \
             draw belong in examples/pictures, a workspace of its own"
        );
    }
}

/// The packages `cargo run --example NAME` builds with the default features: mlp,
/// its dependencies and its dev-dependencies (examples are built with them), as
/// `name version`.
fn example_packages() -> Vec<String> {
    let output = std::process::Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "-p",
            "mlp",
            "-e",
            "normal,build,dev",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut packages: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .collect();
    packages.sort();
    packages.dedup();
    packages
}

#[test]
fn the_first_command_of_the_readme_builds_fewer_than_60_packages() {
    let packages = example_packages();
    for harness in ["criterion", "trybuild"] {
        assert!(
            !packages
                .iter()
                .any(|p| p.starts_with(&format!("{harness} "))),
            "mlp's examples build {harness}: it belongs to the package that needs it \
             (benches/ is mlp-bench, tests/ui is mlp-ui), not to mlp's dev-dependencies"
        );
    }
    assert!(
        packages.len() < 60,
        "`cargo run --example digits` builds {} packages: {packages:?}",
        packages.len()
    );
}
