//! Writing a file so that it is either the old one or the new one, never a mix.
//!
//! A save to `dir/name` writes `dir/.{head}.{hash}.{tag}.tmp` and renames it over
//! `dir/name`: `head` is the start of `name`, `hash` identifies the whole `name` (8
//! hex digits) and `tag` the save (16 hex digits: process id and a counter). The
//! temporary's name is at most as long as `name`, or 64 bytes for shorter names, so
//! a name the file system accepts for the target it accepts for the temporary.
//!
//! While it writes, a save holds an exclusive lock on its temporary (`flock` on
//! Unix, `LockFileEx` on Windows); the system releases it when the process ends,
//! however it ends. Every save first removes the temporaries of earlier saves to
//! the same target whose lock it can take: those of killed processes. A concurrent
//! save's temporary is locked and stays.

use crate::error::Error;
use alloc::string::{String, ToString};
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Distinguishes temporary files of concurrent saves within one process.
static SAVES: AtomicU32 = AtomicU32::new(0);

/// Temporaries of targets with names up to this long may be this long.
const SHORT: usize = 64;
/// `.` + `.` + 8 hex digits of hash + `.` + 16 of tag + `.tmp`.
const OVERHEAD: usize = 31;
/// Times a save starts over when a concurrent cleanup removed its new temporary.
const ATTEMPTS: usize = 3;

/// Writes `bytes` to a temporary file next to the file `path` names (through
/// symbolic links), syncs it, renames it over that file (atomic on POSIX file
/// systems) and syncs the directory.
pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e.into(),
    };
    let target = resolve(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target.file_name().ok_or_else(|| {
        io(std::io::Error::new(
            ErrorKind::InvalidInput,
            "the path names no file",
        ))
    })?;
    let temporaries = Temporaries::of(name);
    temporaries.clean(dir);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let temp = dir.join(temporaries.name(SAVES.fetch_add(1, Ordering::Relaxed)));
        let file = match File::create_new(&temp) {
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < ATTEMPTS => continue,
            file => file.map_err(io)?,
        };
        let result = (|| -> std::io::Result<()> {
            // Where the system has no locks, no save removes another's temporary.
            let _ = file.lock();
            (&file).write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&temp, &target)?;
            // The rename is durable once the directory is synced (where that is possible).
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        match result {
            Ok(()) => return Ok(()),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                // Another save's cleanup took the temporary between its creation and
                // its lock: the rename found nothing.
                if e.kind() == ErrorKind::NotFound && attempt < ATTEMPTS {
                    continue;
                }
                return Err(io(e));
            }
        }
    }
}

/// The file a save to `path` replaces: `path`, or the file its symbolic link points
/// to (so the link stays a link).
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e.into(),
    };
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(target) => target,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(Error::DanglingLink {
                    path: path.display().to_string(),
                    target: fs::read_link(path).map_err(io)?.display().to_string(),
                });
            }
            Err(e) => return Err(io(e)),
        },
        Ok(_) => path.to_path_buf(),
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(path.to_path_buf()),
        Err(e) => return Err(io(e)),
    };
    if target.is_dir() {
        return Err(Error::IsDirectory {
            path: path.display().to_string(),
        });
    }
    Ok(target)
}

/// The names of the temporaries of saves to one file name.
struct Temporaries {
    /// `.{head}.{hash}.`, what every temporary of this target starts with.
    prefix: String,
}

impl Temporaries {
    fn of(name: &OsStr) -> Self {
        let bytes = name.as_encoded_bytes();
        let budget = bytes.len().max(SHORT) - OVERHEAD;
        let lossy = name.to_string_lossy();
        let mut end = lossy.len().min(budget);
        while !lossy.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            prefix: alloc::format!(".{}.{:08x}.", &lossy[..end], fnv1a(bytes)),
        }
    }

    /// The temporary of save `n` of this process.
    fn name(&self, n: u32) -> String {
        alloc::format!("{}{:08x}{n:08x}.tmp", self.prefix, std::process::id())
    }

    fn is_one(&self, name: &OsStr) -> bool {
        name.to_str()
            .and_then(|n| n.strip_prefix(self.prefix.as_str()))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .is_some_and(|tag| tag.len() == 16 && tag.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// Removes the temporaries in `dir` that no live save holds, as far as it can:
    /// a save does not fail because an old temporary stays.
    fn clean(&self, dir: &Path) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            // Regular files only: never a link to something else.
            if !self.is_one(&entry.file_name()) || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            if let Ok(file) = File::open(&path)
                && file.try_lock().is_ok()
            {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// 32-bit FNV-1a: a stable hash, the same in every build and process.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
