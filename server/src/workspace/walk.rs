//! Finding the notes and bibliographies of a workspace.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use super::config::Config;

/// Files found under a workspace root, sorted by path.
#[derive(Debug, Default)]
pub struct Found {
    pub notes: Vec<PathBuf>,
    pub bibliographies: Vec<PathBuf>,
}

pub fn is_note(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn is_bibtex(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("bib") || e.eq_ignore_ascii_case("bibtex"))
}

/// `path` relative to `root`, `/`-separated.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks `root` honouring `.gitignore`, `.ignore` and hidden files (as
/// ripgrep does, also outside git repositories), and the configured
/// include/exclude globs. Symbolic links are followed only to files inside
/// the root, so a link loop or a link out of the workspace is never read.
pub fn walk(root: &Path, config: &Config) -> Found {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut found = Found::default();
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .build();
    for entry in walker.flatten() {
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if file_type.is_symlink() {
            if !resolves_inside(&canonical_root, path) {
                continue;
            }
        } else if !file_type.is_file() {
            continue;
        }
        let rel = relative(root, path);
        if is_note(path) {
            if config.includes(&rel) {
                found.notes.push(path.to_path_buf());
            }
        } else if is_bibtex(path) && !config.exclude.is_match(&rel) {
            found.bibliographies.push(path.to_path_buf());
        }
    }
    found.notes.sort();
    found.bibliographies.sort();
    found
}

/// Whether `path`, symbolic links resolved, is a regular file inside
/// `canonical_root`: the one test before gloss reads a file the walk or a
/// file watcher named (a link out of the workspace, a loop, a FIFO: no).
pub fn resolves_inside(canonical_root: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(canonical_root) && target.is_file())
}
