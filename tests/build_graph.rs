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
