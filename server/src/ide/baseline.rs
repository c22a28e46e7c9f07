//! Baselines: the diagnostics a vault already has, recorded so that CI
//! reports only new ones (`gloss check --write-baseline`, `--baseline`).
//!
//! An entry names a file, a code and the offending text (the link target,
//! the key; the message for problems without one), with how many times it
//! occurs: never a line number, so that an edit above it does not make it
//! new again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Code, Diagnostic};
use crate::workspace::Workspace;

/// The largest baseline read: about half a million diagnostics.
pub const MAX_SIZE: u64 = 64 << 20;

/// The version of the file format.
const VERSION: u32 = 1;

/// What identifies a diagnostic across edits: file (relative to the
/// baseline's folder), code, offending text.
pub type Key = (String, Code, String);

/// The key of `diagnostic` in a baseline kept in the folder `base`.
pub fn key(workspace: &Workspace, diagnostic: &Diagnostic, base: &Path) -> Option<Key> {
    let source = workspace.source(diagnostic.file)?;
    let text = offending_text(source.text(), diagnostic);
    Some((
        path_key(base, &source.path),
        diagnostic.code,
        text.to_string(),
    ))
}

/// What a diagnostic is about, in its file's `text`: the link target or
/// key under it, or its message where it points at nothing (or at a whole
/// stretch of text).
pub fn offending_text<'a>(text: &'a str, diagnostic: &'a Diagnostic) -> &'a str {
    text.get(diagnostic.range.clone())
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .unwrap_or(&diagnostic.message)
}

/// How a baseline in the folder `base` names the file at `path`: relative
/// to `base` (so that it holds wherever gloss runs from, and a nested
/// vault's `a.md` is not the outer vault's), `/`-separated.
pub fn path_key(base: &Path, path: &Path) -> String {
    match path.strip_prefix(base) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<Key, usize>,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    path: String,
    code: String,
    text: String,
    count: usize,
}

/// What [`Baseline::split`] did with a run's diagnostics.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Matched {
    /// Diagnostics the baseline holds (left out of the report).
    pub known: usize,
    /// Baseline occurrences no longer found: the baseline can shrink.
    pub stale: usize,
}

impl Baseline {
    /// The baseline of `keys` (one per diagnostic).
    pub fn of(keys: impl IntoIterator<Item = Key>) -> Baseline {
        let mut counts = BTreeMap::new();
        for key in keys {
            *counts.entry(key).or_insert(0) += 1;
        }
        Baseline { counts }
    }

    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Reads a baseline file.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let file: File =
            serde_json::from_str(text).map_err(|e| format!("not a gloss baseline: {e}"))?;
        if file.version != VERSION {
            return Err(format!(
                "baseline version {} is not {VERSION}; write it again with --write-baseline",
                file.version
            ));
        }
        let mut counts = BTreeMap::new();
        for entry in file.entries {
            let code = Code::from_name(&entry.code)
                .ok_or_else(|| format!("unknown code '{}' in the baseline", entry.code))?;
            *counts.entry((entry.path, code, entry.text)).or_insert(0) += entry.count;
        }
        Ok(Baseline { counts })
    }

    /// The baseline as a file: sorted, one entry per key, so that it diffs
    /// well under version control.
    pub fn to_json(&self) -> String {
        let entries = self
            .counts
            .iter()
            .map(|((path, code, text), &count)| Entry {
                path: path.clone(),
                code: code.as_str().to_string(),
                text: text.clone(),
                count,
            })
            .collect();
        let file = File {
            version: VERSION,
            entries,
        };
        let mut out = serde_json::to_string_pretty(&file).expect("a baseline serialises");
        out.push('\n');
        out
    }

    /// This baseline with the entries of files `checked` does not hold
    /// taken from `old`: writing a baseline from some files keeps the
    /// others'.
    pub fn merged_with(mut self, old: &Baseline, checked: &dyn Fn(&str) -> bool) -> Baseline {
        for (key, &count) in &old.counts {
            if !checked(&key.0) {
                *self.counts.entry(key.clone()).or_insert(0) += count;
            }
        }
        self
    }

    /// Which of `keys` (one per diagnostic, in report order) the baseline
    /// holds: as many of each key as it recorded, the first ones. Entries
    /// of files `checked` does not hold are not stale: they were not
    /// looked at.
    pub fn split(
        &self,
        keys: &[Option<Key>],
        checked: &dyn Fn(&str) -> bool,
    ) -> (Vec<bool>, Matched) {
        let mut left = self.counts.clone();
        let mut matched = Matched::default();
        let known = keys
            .iter()
            .map(|key| {
                let Some(count) = key.as_ref().and_then(|k| left.get_mut(k)) else {
                    return false;
                };
                if *count == 0 {
                    return false;
                }
                *count -= 1;
                matched.known += 1;
                true
            })
            .collect();
        matched.stale = left
            .iter()
            .filter(|(key, _)| checked(&key.0))
            .map(|(_, count)| count)
            .sum();
        (known, matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(path: &str, code: Code, text: &str) -> Key {
        (path.to_string(), code, text.to_string())
    }

    #[test]
    fn counts_match_and_what_is_gone_is_stale() {
        let baseline = Baseline::of([
            k("a.md", Code::BrokenLink, "Later 😀"),
            k("a.md", Code::BrokenLink, "Later 😀"),
            k("b.md", Code::UnknownCitation, "gone2020"),
        ]);
        let text = baseline.to_json();
        assert_eq!(Baseline::parse(&text).unwrap(), baseline);
        let now = [
            Some(k("a.md", Code::BrokenLink, "Later 😀")),
            Some(k("a.md", Code::BrokenLink, "New typo")),
            Some(k("a.md", Code::BrokenLink, "Later 😀")),
            Some(k("a.md", Code::BrokenLink, "Later 😀")),
        ];
        let (known, matched) = baseline.split(&now, &|_| true);
        assert_eq!(known, [true, false, true, false]);
        assert_eq!(matched, Matched { known: 2, stale: 1 });
        // b.md was not checked: its entry is not stale, and a baseline
        // written from a.md alone keeps it.
        let only_a = |path: &str| path == "a.md";
        assert_eq!(baseline.split(&now, &only_a).1.stale, 0);
        let rewritten = Baseline::of([k("a.md", Code::BrokenLink, "New typo")]);
        let merged = rewritten.merged_with(&baseline, &only_a);
        assert_eq!(merged.len(), 2);
        assert_eq!(
            path_key(Path::new("/v"), Path::new("/v/sub/a 😀.md")),
            "sub/a 😀.md"
        );
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(Baseline::parse("[]")
            .unwrap_err()
            .contains("not a gloss baseline"));
        assert!(Baseline::parse(r#"{"version": 9, "entries": []}"#)
            .unwrap_err()
            .contains("version 9"));
        let unknown = r#"{"version": 1, "entries": [{"path": "a", "code": "nope", "text": "x", "count": 1}]}"#;
        assert!(Baseline::parse(unknown).unwrap_err().contains("'nope'"));
    }
}
