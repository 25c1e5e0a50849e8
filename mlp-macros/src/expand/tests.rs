//! The expansion of the 4-3-2-1 network, pinned as text.

use super::*;
use std::path::PathBuf;

/// The expansion of the 4-3-2-1 placement network, pinned as text in
/// `snapshots/placement.rs` (formatted there for reading; compared as text
/// without the spaces and trailing commas formatting adds). `MLP_BLESS=1 cargo test -p mlp-macros` rewrites it after an
/// intended change; review the diff like code.
#[test]
fn the_placement_expansion_reads_like_the_derivation() {
    let input = quote! {
        /// Predicts placement (yes/no) from four scores.
        pub struct Placement {
            4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
            loss = bce;
        }
    };
    let expanded = network(input, None);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/expand/snapshots/placement.rs");
    if std::env::var_os("MLP_BLESS").is_some() {
        bless(&path, &expanded);
    }
    // As text without spaces and trailing commas, the two things formatting changes.
    let text = |s: &str| {
        let s: String = s.split_whitespace().collect();
        s.replace(",)", ")")
            .replace(",}", "}")
            .replace(",]", "]")
            .replace(",>", ">")
    };
    let pinned = std::fs::read_to_string(&path).expect("the snapshot exists");
    assert_eq!(
        text(&pinned),
        text(&expanded.to_string()),
        "the expansion changed: MLP_BLESS=1 cargo test -p mlp-macros rewrites {}",
        path.display()
    );
    // The textbook's names: forward z1, a1, ..., backward d3, d2, d1.
    let text: String = expanded.to_string().split_whitespace().collect();
    for name in ["let(z1,a1)", "let(z3,a3)", "letd3", "letd2", "letd1"] {
        assert!(text.contains(name), "no `{name}` in the expansion");
    }
}

/// Writes `expanded` to `path` formatted by rustfmt, with the body of the
/// `__with_alloc!` call (which rustfmt leaves on one line) formatted too.
fn bless(path: &std::path::Path, expanded: &TokenStream) {
    let rustfmt = |path: &std::path::Path| {
        let status = std::process::Command::new("rustfmt")
            .arg("--edition=2024")
            .arg(path)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "rustfmt {}",
            path.display()
        );
    };
    std::fs::write(path, format!("{expanded}\n")).unwrap();
    rustfmt(path);
    let text = std::fs::read_to_string(path).unwrap();
    let call = "::mlp::core::__with_alloc! { ";
    let Some(start) = text.find(call) else { return };
    let line_end = start + text[start..].find('\n').unwrap();
    let body = &text[start + call.len()..line_end - 1];
    let indent = text[..start].rsplit('\n').next().unwrap().len();
    let scratch = path.with_extension("scratch.rs");
    std::fs::write(&scratch, format!("impl X {{ {body} }}\n")).unwrap();
    rustfmt(&scratch);
    let formatted = std::fs::read_to_string(&scratch).unwrap();
    std::fs::remove_file(&scratch).unwrap();
    let lines: Vec<&str> = formatted.lines().collect();
    let pad = " ".repeat(indent);
    let inner: String = lines[1..lines.len() - 1]
        .iter()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect();
    let (before, after) = (&text[..start], &text[line_end..]);
    std::fs::write(
        path,
        format!("{before}::mlp::core::__with_alloc! {{\n{inner}{pad}}}{after}"),
    )
    .unwrap();
}
