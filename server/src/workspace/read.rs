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
    let file = match open_if_canonical(access, path) {
        Some(file) => file,
        None => {
            let canonical = permitted(access, path, origin)?;
            open_nonblocking(&canonical).map_err(|e| ReadError::Io(e.to_string()))?
        }
    };
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

/// Set when the kernel lacks `openat2` (before Linux 5.6) or a sandbox
/// forbids it: every file goes the long way then, without trying again.
#[cfg(target_os = "linux")]
static OPENAT2_UNAVAILABLE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Opens `path` at once if it is its own canonical form inside the
/// workspace: absolute, below the (canonical) root, without `.` or `..`,
/// and no component a symbolic link, which the kernel checks as it opens
/// (Linux's `openat2` with `RESOLVE_NO_SYMLINKS`, so nothing can change
/// between the check and the open). Every origin may read such a file, so
/// [`permitted`] would allow it; going there first costs `realpath`'s
/// `readlink` of each component, six system calls a note and a tenth of a
/// warm start on a large vault. Anything else (a link anywhere, a
/// missing file, an older kernel) goes the long way, and so gets the
/// policy's answer and message.
#[cfg(target_os = "linux")]
fn open_if_canonical(access: &Access, path: &Path) -> Option<File> {
    use std::os::fd::FromRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Component;

    /// `struct open_how` of `linux/openat2.h`.
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }
    const RESOLVE_NO_SYMLINKS: u64 = 0x04;

    let plain = path
        .components()
        .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
    if !plain
        || !path.is_absolute()
        || !path.starts_with(access.root)
        || is_system_path(path)
        || OPENAT2_UNAVAILABLE.load(std::sync::atomic::Ordering::Relaxed)
    {
        return None;
    }
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let how = OpenHow {
        flags: (libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: RESOLVE_NO_SYMLINKS,
    };
    // SAFETY: `c_path` is a NUL-terminated string and `how` a valid
    // `open_how` of the size passed; both outlive the call, which only
    // reads them.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            c_path.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error();
        if matches!(errno, Some(libc::ENOSYS | libc::EPERM)) {
            OPENAT2_UNAVAILABLE.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        return None;
    }
    let fd = i32::try_from(fd).ok()?;
    // SAFETY: the kernel just returned this descriptor, owned by nothing
    // else.
    Some(unsafe { File::from_raw_fd(fd) })
}

#[cfg(not(target_os = "linux"))]
fn open_if_canonical(_: &Access, _: &Path) -> Option<File> {
    None
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

    /// The short way in (`open_if_canonical`) takes only paths with no
    /// link in any component: a link to a folder, or `..`, still goes
    /// through the policy.
    #[test]
    fn links_and_dot_dot_anywhere_in_the_path_meet_the_policy() {
        let (root, _dir, outside) = setup();
        let access = Access {
            root: &root,
            confined: true,
        };
        std::fs::write(outside.path().join("secret.md"), "secret").unwrap();
        std::fs::create_dir(root.join("notes")).unwrap();
        std::fs::write(root.join("notes/plain.md"), "plain").unwrap();
        symlink(outside.path(), root.join("linked")).unwrap();
        symlink(root.join("notes"), root.join("alias")).unwrap();

        let read = |path: &Path| read_file(&access, path, Origin::Repository, 100);
        assert_eq!(read(&root.join("notes/plain.md")), Ok(b"plain".to_vec()));
        assert!(read(&root.join("linked/secret.md")).is_err());
        let name = outside.path().file_name().unwrap();
        let up = root.join("notes/../..").join(name).join("secret.md");
        assert!(up.exists());
        assert!(read(&up).is_err());
        // A link that stays inside is followed.
        assert_eq!(read(&root.join("alias/plain.md")), Ok(b"plain".to_vec()));
        assert_eq!(read(&root.join("notes/none.md")), Err(ReadError::NotFound));

        // The short way is taken where it may be, and only there.
        #[cfg(target_os = "linux")]
        {
            let plain = open_if_canonical(&access, &root.join("notes/plain.md"));
            // Unless the kernel or a sandbox has no `openat2`.
            let unavailable = OPENAT2_UNAVAILABLE.load(std::sync::atomic::Ordering::Relaxed);
            assert!(plain.is_some() || unavailable);
            for refused in [
                root.join("alias/plain.md"),
                root.join("linked/secret.md"),
                up,
            ] {
                assert!(
                    open_if_canonical(&access, &refused).is_none(),
                    "{refused:?}"
                );
            }
        }
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
