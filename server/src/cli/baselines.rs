//! `gloss check --write-baseline` and `--baseline`: the files, and which
//! baseline applies to which diagnostic (the command line's for all, else
//! each workspace's own `[check] baseline`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::ide::baseline::{self, path_key, Baseline, Key, Matched};
use crate::ide::Code;
use crate::workspace::read::{Access, Origin};
use crate::workspace::{read_source, FileProblem, Workspace};

/// A reported diagnostic as a baseline sees it: its workspace (an index),
/// its file, code and offending text.
pub struct Seen {
    pub workspace: usize,
    pub path: PathBuf,
    pub code: Code,
    pub text: String,
}

impl Seen {
    fn key(&self, base: &Path) -> Key {
        (path_key(base, &self.path), self.code, self.text.clone())
    }
}

/// The folder a baseline file's paths are relative to.
fn base_of(file: &Path, cwd: &Path) -> PathBuf {
    let file = cwd.join(file);
    file.parent().unwrap_or(cwd).to_path_buf()
}

/// Writes the baseline of `seen` to `file`; the entries of files that were
/// not `checked` (a run on some paths) are kept from the file as it was.
pub fn write(
    file: &Path,
    seen: &[Seen],
    checked: &HashSet<&Path>,
    cwd: &Path,
) -> Result<usize, String> {
    let base = base_of(file, cwd);
    let baseline = Baseline::of(seen.iter().map(|s| s.key(&base)));
    let checked: HashSet<String> = checked.iter().map(|p| path_key(&base, p)).collect();
    let old = std::fs::read_to_string(cwd.join(file))
        .ok()
        .and_then(|text| Baseline::parse(&text).ok());
    let baseline = match old {
        Some(old) => baseline.merged_with(&old, &|path| checked.contains(path)),
        None => baseline,
    };
    std::fs::write(cwd.join(file), baseline.to_json())
        .map_err(|e| format!("cannot write '{}': {e}", file.display()))?;
    Ok(baseline.len())
}

/// Which of `seen` the baselines hold (`named` on the command line, else
/// each workspace's own), and what matched; the files read, for messages.
pub fn apply(
    named: Option<&Path>,
    workspaces: &[&Workspace],
    seen: &[Seen],
    checked: &HashSet<&Path>,
    cwd: &Path,
) -> Result<(Vec<bool>, Matched, Vec<PathBuf>), String> {
    // The baseline of each workspace, and the diagnostics it applies to
    // (read even for none: its entries may all be stale).
    let of_workspace = |w: usize| -> Option<(PathBuf, Origin, PathBuf)> {
        match named {
            Some(file) => Some((cwd.join(file), Origin::User, cwd.to_path_buf())),
            None => {
                let workspace = workspaces[w];
                let root = workspace.root.clone();
                let named = workspace.config.baseline.as_ref()?;
                Some((root.join(named), Origin::Control, root))
            }
        }
    };
    let mut by_file: BTreeMap<PathBuf, (Origin, PathBuf, Vec<usize>)> = BTreeMap::new();
    for w in 0..workspaces.len() {
        if let Some((file, origin, root)) = of_workspace(w) {
            by_file
                .entry(file)
                .or_insert_with(|| (origin, root, Vec::new()));
        }
    }
    for (i, s) in seen.iter().enumerate() {
        if let Some((file, _, _)) = of_workspace(s.workspace) {
            if let Some(entry) = by_file.get_mut(&file) {
                entry.2.push(i);
            }
        }
    }
    let mut known = vec![false; seen.len()];
    let mut matched = Matched::default();
    let mut files = Vec::new();
    for (file, (origin, root, indices)) in by_file {
        let baseline = read(&file, origin, &root)?;
        let base = base_of(&file, cwd);
        let keys: Vec<Option<Key>> = indices.iter().map(|&i| Some(seen[i].key(&base))).collect();
        let checked: HashSet<String> = checked.iter().map(|p| path_key(&base, p)).collect();
        let (hits, counts) = baseline.split(&keys, &|path| checked.contains(path));
        for (&i, hit) in indices.iter().zip(hits) {
            known[i] = hit;
        }
        matched.known += counts.known;
        matched.stale += counts.stale;
        files.push(file);
    }
    Ok((known, matched, files))
}

/// Reads a baseline through the read policy: one the command line names
/// wherever it is, one `gloss.toml` names inside the workspace only.
fn read(file: &Path, origin: Origin, root: &Path) -> Result<Baseline, String> {
    let access = Access {
        root,
        confined: true,
    };
    let source = read_source(access, file, origin, baseline::MAX_SIZE);
    let read = match source.problem.as_deref() {
        Some(FileProblem::Unreadable { message }) => Err(message.clone()),
        Some(FileProblem::TooLarge { size, limit }) => {
            Err(format!("it is {size} bytes, over the limit of {limit}"))
        }
        _ => Baseline::parse(source.text()),
    };
    read.map_err(|error| format!("baseline '{}': {error}", file.display()))
}
