//! What the repository tells a new user: the README's instructions and references
//! hold for this checkout, and the licence files are those `Cargo.toml` names.

use std::path::Path;

fn read(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn the_licence_files_are_those_cargo_toml_names() {
    assert!(
        read("Cargo.toml").contains("license = \"MIT OR Apache-2.0\""),
        "Cargo.toml's license changed: change LICENSE-* and this test with it"
    );
    let mit = read("LICENSE-MIT");
    assert!(mit.starts_with("MIT License\n") && mit.contains("Permission is hereby granted"));
    let apache = read("LICENSE-APACHE");
    for part in [
        "Apache License",
        "Version 2.0, January 2004",
        "9. Accepting Warranty or Additional Liability.",
        "END OF TERMS AND CONDITIONS",
    ] {
        assert!(apache.contains(part), "LICENSE-APACHE lacks {part:?}");
    }
    let readme = read("README.md");
    for link in ["(LICENSE-MIT)", "(LICENSE-APACHE)"] {
        assert!(readme.contains(link), "the README does not link {link}");
    }
}

#[test]
fn the_readme_says_how_to_depend_on_the_unpublished_crate() {
    let readme = read("README.md");
    assert!(
        readme.contains("mlp = { path = \""),
        "no path dependency in the README"
    );
    assert!(
        readme.contains("mlp = { git = \""),
        "no git dependency in the README"
    );
    assert!(
        !readme.contains("version = \"0.1\""),
        "the README depends on a crates.io version, but mlp is not published"
    );
}

#[test]
fn the_readme_refers_only_to_files_in_the_repository() {
    let readme = read("README.md");
    for outside in ["DESIGN.md", "../shared"] {
        assert!(
            !readme.contains(outside),
            "the README refers to {outside}, which is not in the repository"
        );
    }
    // Every path in backquotes that starts at a directory of the repository exists.
    let roots = [
        "benches/",
        "examples/",
        "fuzz/",
        "mlp-core/",
        "mlp-macros/",
        "no-std/",
        "scripts/",
        "src/",
        "tests/",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for quoted in readme.split('`').skip(1).step_by(2) {
        if roots.iter().any(|r| quoted.starts_with(r)) && !quoted.contains([' ', '*', '{']) {
            assert!(
                root.join(quoted).exists(),
                "the README names `{quoted}`, which does not exist"
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} paths found in the README");
}

#[test]
fn the_readme_gives_the_digits_example_its_architecture() {
    let example = read("examples/digits.rs");
    let declaration = example
        .lines()
        .skip_while(|l| !l.contains("struct Digits {"))
        .nth(1)
        .expect("examples/digits.rs declares `struct Digits`");
    let architecture = declaration.trim().trim_end_matches(';');
    let readme = read("README.md");
    let row = readme
        .lines()
        .find(|l| l.starts_with("| `digits` |"))
        .expect("the README's table of examples has a digits row");
    assert!(
        row.contains(&format!("`{architecture}`")),
        "the README's digits row does not say `{architecture}`: {row}"
    );
}
