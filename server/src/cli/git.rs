//! What changed since a git revision, for `gloss check --changed-since`:
//! the one program gloss starts (SECURITY.md), `git`, with fixed arguments
//! in the workspace's root, and only when asked.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ide::affected::Changes;
use crate::workspace::is_note;

/// The files under `root` changed (committed or not, and untracked ones)
/// or deleted since `revision`, and the text at `revision` of the notes
/// that were modified (what names they had then).
pub fn changes_since(
    root: &Path,
    revision: &str,
) -> Result<(Changes, Vec<(PathBuf, String)>), String> {
    // A revision is never an option (`--output=…`).
    if revision.starts_with('-') || revision.is_empty() {
        return Err(format!("'{revision}' is not a git revision"));
    }
    // Outside a repository `git diff` compares two paths instead.
    git(root, &["rev-parse", "--show-toplevel"])
        .map_err(|_| format!("{} is not in a git repository", root.display()))?;
    let diff = git(
        root,
        &[
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            "--relative",
            revision,
            "--",
        ],
    )?;
    let mut changes = Changes::default();
    let mut before = Vec::new();
    let mut fields = diff.split('\0').filter(|f| !f.is_empty());
    while let (Some(status), Some(rel)) = (fields.next(), fields.next()) {
        let path = root.join(rel);
        match status.chars().next() {
            Some('D') => changes.deleted.push(path),
            Some('M' | 'T') if is_note(&path) => {
                // `./` makes the path relative to `root`, not the top.
                if let Ok(text) = git(root, &["show", &format!("{revision}:./{rel}")]) {
                    before.push((path.clone(), text));
                }
                changes.changed.push(path);
            }
            _ => changes.changed.push(path),
        }
    }
    let untracked = git(root, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    changes.changed.extend(
        untracked
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(|p| root.join(p)),
    );
    Ok((changes, before))
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args[0],
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
