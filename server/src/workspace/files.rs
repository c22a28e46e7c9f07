//! Every file and folder of a workspace, by name and by path: what a link
//! that names a file (`![[diagram.png]]`, `[[papers/scaling.md]]`,
//! `[x](../notes/a.md)`) is resolved against. One hash lookup by file name,
//! then a filter over the few files of that name, whatever the size of the
//! vault.

use std::collections::{HashMap, HashSet};

use super::names::normalize;
use super::NoteId;

/// A file a link can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileRef {
    Note(NoteId),
    /// A file that is not a note (an attachment): its index in
    /// [`Files::others`].
    Other(usize),
}

#[derive(Debug, Default)]
pub struct Files {
    /// Root-relative paths (`/`-separated, as written) of the files that
    /// are not notes; an empty one is a slot freed by a deletion.
    others: Vec<String>,
    /// Freed slots of `others`, reused first.
    free: Vec<usize>,
    /// Normalised file name (with extension) → the files of that name.
    by_name: HashMap<Box<str>, Vec<Entry>>,
    /// Normalised root-relative paths of folders.
    folders: HashSet<String>,
}

/// One file under its name: the path as written, and normalised once for
/// the comparisons every lookup makes.
#[derive(Debug)]
struct Entry {
    file: FileRef,
    rel: Box<str>,
    /// `None` when normalising leaves the path as it is, as it does most
    /// paths: one string less for each file of a large vault.
    normalized: Option<Box<str>>,
}

impl Entry {
    fn new(file: FileRef, rel: &str) -> Entry {
        let normalized = normalize(rel);
        Entry {
            file,
            normalized: (normalized != rel).then(|| normalized.into()),
            rel: rel.into(),
        }
    }

    fn normalized(&self) -> &str {
        self.normalized.as_deref().unwrap_or(&self.rel)
    }
}

/// The last component of a `/`-separated path.
fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

impl Files {
    /// Adds a note or another file at root-relative `rel`.
    pub fn add(&mut self, rel: &str, file: FileRef) {
        let entries = self
            .by_name
            .entry(normalize(file_name(rel)).into())
            .or_default();
        if !entries.iter().any(|e| e.file == file) {
            // Most names are one file's: a first push would make room for
            // four, on every note of a vault.
            entries.reserve_exact(1);
            entries.push(Entry::new(file, rel));
        }
    }

    /// Removes a note or another file.
    pub fn remove(&mut self, rel: &str, file: FileRef) {
        let name = normalize(file_name(rel));
        if let Some(entries) = self.by_name.get_mut(name.as_str()) {
            entries.retain(|e| e.file != file);
            if entries.is_empty() {
                self.by_name.remove(name.as_str());
            }
        }
    }

    /// Replaces the files that are not notes, and the folders.
    pub fn set_others(&mut self, others: Vec<String>, folders: Vec<String>) {
        for (i, rel) in std::mem::take(&mut self.others).iter().enumerate() {
            self.remove(rel, FileRef::Other(i));
        }
        for (i, rel) in others.iter().enumerate() {
            self.add(rel, FileRef::Other(i));
        }
        self.others = others;
        self.free.clear();
        self.folders = folders.iter().map(|f| normalize(f)).collect();
    }

    /// The file that is not a note at exactly `rel` (as written: `A.png`
    /// and `a.png` are two files on most file systems).
    fn other_at(&self, rel: &str) -> Option<usize> {
        self.by_name
            .get(normalize(file_name(rel)).as_str())?
            .iter()
            .find_map(|e| match e.file {
                FileRef::Other(index) if &*e.rel == rel => Some(index),
                _ => None,
            })
    }

    /// A file that is not a note appeared at `rel`; `false` if it was known.
    pub fn add_other(&mut self, rel: &str) -> bool {
        if self.other_at(rel).is_some() {
            return false;
        }
        let index = match self.free.pop() {
            Some(index) => {
                self.others[index] = rel.to_string();
                index
            }
            None => {
                self.others.push(rel.to_string());
                self.others.len() - 1
            }
        };
        self.add(rel, FileRef::Other(index));
        true
    }

    /// The file that is not a note at `rel` is gone; `false` if it was not
    /// known. Its slot is freed, not removed, so that the indexes of the
    /// others do not move.
    pub fn remove_other(&mut self, rel: &str) -> bool {
        let Some(index) = self.other_at(rel) else {
            return false;
        };
        self.remove(rel, FileRef::Other(index));
        self.others[index].clear();
        self.free.push(index);
        true
    }

    /// The root-relative path of a file that is not a note.
    pub fn other(&self, index: usize) -> Option<&str> {
        self.others.get(index).map(String::as_str)
    }

    /// Every file that is not a note.
    pub fn others(&self) -> impl Iterator<Item = (usize, &str)> {
        self.others
            .iter()
            .map(String::as_str)
            .enumerate()
            .filter(|(_, rel)| !rel.is_empty())
    }

    /// Whether `rel` (root-relative, normalised) is a folder.
    pub fn is_folder(&self, rel: &str) -> bool {
        self.folders.contains(rel.trim_end_matches('/'))
    }

    /// The files whose root-relative path is `rel` or ends with `/rel`
    /// (Obsidian's partial paths), compared normalised; with their paths as
    /// written.
    pub fn by_path_suffix(&self, rel: &str) -> Vec<(FileRef, &str)> {
        let wanted = normalize(rel);
        let Some(entries) = self.by_name.get(normalize(file_name(&wanted)).as_str()) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter(|e| {
                let normalized = e.normalized();
                normalized == wanted
                    || (normalized.ends_with(&wanted)
                        && normalized[..normalized.len() - wanted.len()].ends_with('/'))
            })
            .map(|e| (e.file, &*e.rel))
            .collect()
    }

    /// The file at exactly root-relative `rel` (compared normalised).
    pub fn at(&self, rel: &str) -> Option<FileRef> {
        let wanted = normalize(rel);
        self.by_name
            .get(normalize(file_name(&wanted)).as_str())?
            .iter()
            .find(|e| e.normalized() == wanted)
            .map(|e| e.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_name_path_and_suffix_case_insensitively() {
        let mut files = Files::default();
        files.set_others(
            vec![
                "Attachments/Diagram.png".to_string(),
                "old/Attachments/diagram.png".to_string(),
            ],
            vec!["Attachments".to_string()],
        );
        files.add("papers/Scaling.md", FileRef::Note(0));
        assert_eq!(files.by_path_suffix("diagram.PNG").len(), 2);
        assert_eq!(
            files.by_path_suffix("old/attachments/diagram.png"),
            [(FileRef::Other(1), "old/Attachments/diagram.png")]
        );
        assert_eq!(files.at("papers/scaling.md"), Some(FileRef::Note(0)));
        assert!(files.is_folder("attachments/"));
        files.remove("papers/Scaling.md", FileRef::Note(0));
        assert_eq!(files.at("papers/scaling.md"), None);
    }
}
