//! Saving to the file system: temporaries of killed and failed saves, long names,
//! symbolic links, directories.

use mlp::core::Network;
use mlp::prelude::*;
use std::io::BufRead;
use std::path::{Path, PathBuf};

network! { struct Digits { 64 => 32 relu => 10 softmax; loss = cce; } }

/// An empty directory of its own for test `name`.
fn dir(name: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("save-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Run as a child process by `killed_saves_leave_nothing_after_the_next_save`:
/// saves to the path in MLP_SAVE_CHILD until killed, saying `ready` after the first.
#[test]
#[ignore = "the child process of killed_saves_leave_nothing_after_the_next_save"]
fn child_saving_until_killed() {
    let Ok(path) = std::env::var("MLP_SAVE_CHILD") else {
        return;
    };
    let nets = [Digits::seeded(1), Digits::seeded(2)];
    nets[0].save(&path).unwrap();
    println!("ready");
    // Ten seconds at most, should the parent fail to kill it.
    let start = std::time::Instant::now();
    for i in 1.. {
        nets[i % 2].save(&path).unwrap();
        if start.elapsed().as_secs() >= 10 {
            break;
        }
    }
}

#[test]
fn killed_saves_leave_nothing_after_the_next_save() {
    let dir = dir("killed");
    let path = dir.join("digits.safetensors");
    let exe = std::env::current_exe().unwrap();
    let (mut kills, mut left) = (0, Vec::new());
    // Until a kill has left a temporary behind three times, or 60 kills.
    while left.len() < 3 && kills < 60 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "child_saving_until_killed",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MLP_SAVE_CHILD", &path)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The test harness speaks first, on the same line.
        let ready = std::io::BufReader::new(child.stdout.take().unwrap())
            .lines()
            .any(|line| line.unwrap().ends_with("ready"));
        assert!(ready, "the child ended without saving");
        std::thread::sleep(std::time::Duration::from_micros(300 * (kills % 7)));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        let loaded = Digits::load(&path).unwrap();
        assert!(loaded == Digits::seeded(1) || loaded == Digits::seeded(2));
        // Each child's first save removed what the one before left: never more than one.
        let temporaries: Vec<String> = listing(&dir)
            .into_iter()
            .filter(|n| *n != "digits.safetensors")
            .collect();
        assert!(
            temporaries.len() <= 1,
            "after {kills} kills: {temporaries:?}"
        );
        left.extend(temporaries);
    }
    println!("{kills} kills, {} left a temporary", left.len());
    assert!(!left.is_empty(), "no kill of {kills} landed inside a save");

    // A temporary whose lock is held is a live save's: it stays.
    let last = left.last().unwrap();
    let live = std::fs::File::open(dir.join(last)).unwrap();
    live.lock().unwrap();
    Digits::seeded(3).save(&path).unwrap();
    assert_eq!(listing(&dir), [last.as_str(), "digits.safetensors"]);
    drop(live);
    Digits::seeded(3).save(&path).unwrap();
    assert_eq!(listing(&dir), ["digits.safetensors"]);
    assert!(Digits::load(&path).unwrap() == Digits::seeded(3));
}

#[test]
fn a_failed_save_leaves_no_temporary() {
    let dir = dir("failed");
    let net = Digits::seeded(1);
    std::fs::create_dir(dir.join("models")).unwrap();
    std::fs::write(dir.join("file"), b"not a directory").unwrap();

    let err = net.save(dir.join("models")).unwrap_err();
    assert_eq!(
        err,
        Error::IsDirectory {
            path: dir.join("models").display().to_string()
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a directory; save to the path of a file (a new one or one to replace)",
            dir.join("models").display()
        )
    );
    let err = net
        .save(dir.join("file").join("net.safetensors"))
        .unwrap_err();
    assert!(matches!(&err, Error::Io { .. }), "{err:?}");
    assert_eq!(listing(&dir), ["file", "models"]);
    assert!(listing(&dir.join("models")).is_empty());
}

#[test]
fn a_255_byte_file_name_saves() {
    let dir = dir("long");
    let net = Digits::seeded(1);
    // 255 bytes of ASCII, and 255 bytes of two-byte characters with one ASCII byte.
    for name in ["n".repeat(255), format!("{}x", "é".repeat(127))] {
        assert_eq!(name.len(), 255);
        let path = dir.join(&name);
        net.save(&path).unwrap();
        net.save(&path).unwrap();
        assert!(Digits::load(&path).unwrap() == net);
    }
    assert_eq!(listing(&dir).len(), 2);
}

#[cfg(unix)]
#[test]
fn saving_through_a_symbolic_link_writes_the_file_it_points_to() {
    use std::os::unix::fs::symlink;
    let dir = dir("link");
    std::fs::create_dir(dir.join("store")).unwrap();
    let real = dir.join("store").join("real.safetensors");
    Digits::seeded(1).save(&real).unwrap();
    // A relative link in another directory than its target.
    let link = dir.join("current.safetensors");
    symlink("store/real.safetensors", &link).unwrap();

    Digits::seeded(2).save(&link).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(Digits::load(&real).unwrap() == Digits::seeded(2));
    assert_eq!(listing(&dir), ["current.safetensors", "store"]);
    assert_eq!(listing(&dir.join("store")), ["real.safetensors"]);

    // A link to a missing file, and one to a directory.
    let dangling = dir.join("dangling.safetensors");
    symlink("store/missing.safetensors", &dangling).unwrap();
    let err = Digits::seeded(2).save(&dangling).unwrap_err();
    assert_eq!(
        err,
        Error::DanglingLink {
            path: dangling.display().to_string(),
            target: "store/missing.safetensors".into()
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a symbolic link to store/missing.safetensors, which leads to no file; \
             create that file to save through the link, or remove the link to save a file \
             in its place",
            dangling.display()
        )
    );
    let to_dir = dir.join("to-dir");
    symlink("store", &to_dir).unwrap();
    let err = Digits::seeded(2).save(&to_dir).unwrap_err();
    assert!(matches!(err, Error::IsDirectory { .. }), "{err:?}");
    assert_eq!(
        listing(&dir),
        [
            "current.safetensors",
            "dangling.safetensors",
            "store",
            "to-dir"
        ]
    );
    assert_eq!(listing(&dir.join("store")), ["real.safetensors"]);
}
