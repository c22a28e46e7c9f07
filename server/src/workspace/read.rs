//! Reading a file: the one door every file gloss reads goes through.
//!
//! A notes repository is input anyone can commit to, and CI runs gloss on
//! it. So before a byte is read, the path is resolved to its canonical form
//! (every symbolic link followed) and the decision is made on that: nothing
//! under `/proc`, `/sys` or `/dev` (where `/proc/self/environ` looks like an
//! empty regular file), nothing but regular files (a FIFO would block, a
//! device would never end), never more than a size limit, and never through
//! a link that leaves the workspace where the file steers gloss itself or
//! where the user asked for confinement (`gloss check --untrusted`).
//! SECURITY.md states the policy this implements.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Who named the file, which decides where it may live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The user, outside the repository: a command-line flag or an editor
    /// setting. May be anywhere.
    User,
    /// The repository: a note or bibliography found in the tree, or a
    /// bibliography that `gloss.toml` or a note's front matter names. May
    /// resolve outside the workspace (a symlinked Zotero export) only when
    /// not confined, and then only to a file whose own name is a
    /// bibliography's, so that a link named `refs.bib` cannot expose
    /// `~/.ssh/id_rsa`.
    Repository,
    /// Files that steer gloss itself, `gloss.toml` and ignore files: never
    /// read through a link that leaves the workspace.
    Control,
}

/// Where reads may go.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// The workspace root, canonical.
    pub root: &'a Path,
    /// `--untrusted`: every read the repository asks for stays inside the
    /// root.
    pub confined: bool,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    /// Over `limit` bytes.
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// Refused by policy; the reason is shown to the user.
    Refused(&'static str),
    /// The file system refused.
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "no such file"),
            ReadError::TooLarge { size, limit } => {
                write!(f, "{size} bytes, over the limit of {limit} bytes")
            }
            ReadError::Refused(why) => write!(f, "{why}"),
            ReadError::Io(message) => write!(f, "{message}"),
        }
    }
}

/// Extensions a file outside the workspace may have when the repository
/// links to it.
const BIBLIOGRAPHY_EXTENSIONS: &[&str] = &["bib", "bibtex", "json", "yaml", "yml"];

/// Pseudo file systems whose files are not data: reading them leaks the
/// machine's state or never ends.
fn is_system_path(canonical: &Path) -> bool {
    ["/proc", "/sys", "/dev"]
        .iter()
        .any(|dir| canonical.starts_with(dir))
}

/// Whether the canonical form of `path` may be read for `origin`, and that
/// form.
pub fn permitted(access: &Access, path: &Path, origin: Origin) -> Result<PathBuf, ReadError> {
    let canonical = path.canonicalize().map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(error.to_string()),
    })?;
    if is_system_path(&canonical) {
        return Err(ReadError::Refused("it is a system file"));
    }
    let inside = canonical.starts_with(access.root);
    let allowed = match origin {
        Origin::User => true,
        Origin::Control => inside,
        Origin::Repository if access.confined => inside,
        Origin::Repository => {
            inside
                || canonical
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| {
                        BIBLIOGRAPHY_EXTENSIONS
                            .iter()
                            .any(|b| e.eq_ignore_ascii_case(b))
                    })
        }
    };
    if !allowed {
        return Err(ReadError::Refused(match origin {
            Origin::Repository if access.confined => {
                "it is outside the workspace, and gloss runs with --untrusted"
            }
            _ => "it links outside the workspace",
        }));
    }
    Ok(canonical)
}

/// The bytes of `path`, if policy allows and it is a regular file of at
/// most `limit` bytes.
pub fn read_file(
    access: &Access,
    path: &Path,
    origin: Origin,
    limit: u64,
) -> Result<Vec<u8>, ReadError> {
    let canonical = permitted(access, path, origin)?;
    let file = open_nonblocking(&canonical).map_err(|e| ReadError::Io(e.to_string()))?;
    // Decided on the open handle, so a file swapped for a FIFO after the
    // check above is still caught (and, opened without blocking, cannot
    // hang the open itself).
    let metadata = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if !metadata.is_file() {
        return Err(ReadError::Refused("it is not a regular file"));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // A file that grows while it is read stops at the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// `text` cut to a short, printable excerpt for a message: control
/// characters escaped, at most `max` characters, `…` where it was cut. A
/// file that is not what gloss expected is never quoted at length.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn setup() -> (PathBuf, tempfile::TempDir, tempfile::TempDir) {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        (root.path().canonicalize().unwrap(), root, outside)
    }

    fn open(root: &Path) -> Access<'_> {
        Access {
            root,
            confined: false,
        }
    }

    #[test]
    fn system_files_and_special_files_are_never_read() {
        let (root, _dir, _) = setup();
        let access = open(&root);
        symlink("/proc/self/environ", root.join("gloss.toml")).unwrap();
        for origin in [Origin::User, Origin::Repository, Origin::Control] {
            let read = read_file(&access, &root.join("gloss.toml"), origin, 1 << 20);
            assert_eq!(read, Err(ReadError::Refused("it is a system file")));
        }
        let fifo = root.join("pipe.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(
            read_file(&access, &fifo, Origin::Control, 1 << 20),
            Err(ReadError::Refused("it is not a regular file"))
        );
    }

    #[test]
    fn links_out_of_the_workspace_depend_on_origin_and_confinement() {
        let (root, _dir, outside) = setup();
        let access = open(&root);
        std::fs::write(outside.path().join("zotero.bib"), "@misc{k,}").unwrap();
        std::fs::write(outside.path().join("id_rsa"), "secret").unwrap();
        let bib = root.join("refs.bib");
        symlink(outside.path().join("zotero.bib"), &bib).unwrap();
        let disguised = root.join("keys.bib");
        symlink(outside.path().join("id_rsa"), &disguised).unwrap();

        assert!(read_file(&access, &bib, Origin::Repository, 100).is_ok());
        assert!(read_file(&access, &bib, Origin::Control, 100).is_err());
        assert!(read_file(&access, &disguised, Origin::Repository, 100).is_err());
        let confined = Access {
            root: &root,
            confined: true,
        };
        assert!(read_file(&confined, &bib, Origin::Repository, 100).is_err());
        // What the user names outside the repository stays allowed.
        assert!(read_file(&confined, &outside.path().join("id_rsa"), Origin::User, 100).is_ok());
    }

    #[test]
    fn size_limits_hold() {
        let (root, _dir, _) = setup();
        let access = open(&root);
        let path = root.join("big.md");
        std::fs::write(&path, "x".repeat(101)).unwrap();
        assert_eq!(
            read_file(&access, &path, Origin::Repository, 100),
            Err(ReadError::TooLarge {
                size: 101,
                limit: 100
            })
        );
        symlink("/dev/zero", root.join("zero.md")).unwrap();
        assert!(read_file(&access, &root.join("zero.md"), Origin::User, 100).is_err());
    }

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("PATH=/bin\0HOME=/root", 12), "PATH=/bin\\u{0}HO…");
        assert_eq!(excerpt("短", 5), "短");
    }
}
