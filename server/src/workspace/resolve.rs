//! Resolving a link to a glossary entry, a note, a heading or block in it,
//! or another file, the way Obsidian and Foam users wrote them.
//!
//! A wikilink's name is looked up in tiers, each consulted only when the ones
//! before found nothing:
//! 1. **a path** (it holds `/` or a file extension): the file at that path
//!    from the linking note's folder, from the root, or ending the path of
//!    any file (`[[papers/scaling]]`, `![[diagram.png]]`);
//! 2. **a glossary name**: what gloss is for, so a term wins over a note of
//!    the same name (unless the link names a heading: `[[Scaling
//!    Laws#Chinchilla]]` means the note);
//! 3. **a file name**: the note whose file is called so;
//! 4. **a note's title or front-matter alias** (aliases can be turned off
//!    with `[links] aliases = false`: Obsidian only suggests them), so that
//!    an alias never makes a file name ambiguous.
//!
//! Among several files of one name, the one in the linking note's folder
//! wins, then the one with the shortest path (as Obsidian does), and a file
//! whose name matches the link's case exactly before one that matches only
//! folded; only a tie left after that is ambiguous. A Markdown link
//! `[x](path)` names a path relative to the note (or the root, with a
//! leading `/`), with `.md` optional, as Obsidian allows.

use std::path::Path;

use super::anchors::Anchor;
use super::files::FileRef;
use super::load::join_inside;
use super::names::normalize;
use super::{strip_note_extension, EntryId, NoteId, NoteName, Workspace};
use crate::syntax::Link;

/// What a name can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Glossary(EntryId),
    Note(NoteId, NoteName),
}

/// The outcome of resolving a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Glossary(EntryId),
    /// A note, and the heading or block its anchor names.
    Note {
        note: NoteId,
        anchor: Option<Anchor>,
    },
    /// A file that is not a note (its index among the workspace's other
    /// files); anything after `#` is the file's business (`#page=3`).
    File(usize),
    /// A folder (Markdown links only).
    Folder,
    /// Several files equally close.
    Ambiguous(Vec<FileRef>),
    /// No glossary entry, note or file has this name or path.
    Unresolved,
    /// A path that leaves the workspace root; never read.
    OutsideRoot,
    /// The target exists but has no heading or block matching the anchor.
    BrokenAnchor {
        note: NoteId,
    },
    /// `[[]]`
    Empty,
}

/// Whether a wikilink's name is a path: it holds a `/` (or `\`) or ends
/// with a file extension.
pub fn is_path_like(target: &str) -> bool {
    if target.contains(['/', '\\']) {
        return true;
    }
    target.rsplit_once('.').is_some_and(|(name, ext)| {
        !name.is_empty()
            && (1..=8).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
            && ext.chars().any(|c| c.is_ascii_alphabetic())
    })
}

/// The names a file named `target` may have on disk: itself, and with a
/// note extension added when it has none.
fn with_note_extension(target: &str) -> Vec<String> {
    if strip_note_extension(target).len() == target.len() {
        vec![
            target.to_string(),
            format!("{target}.md"),
            format!("{target}.markdown"),
        ]
    } else {
        vec![target.to_string()]
    }
}

impl Workspace {
    /// Resolves `link`, written in note `from`.
    pub fn resolve_link(&self, from: NoteId, link: &Link) -> Resolution {
        if link.is_empty() {
            return Resolution::Empty;
        }
        let anchor = link.anchor.as_ref().map(|a| a.value.as_str());
        let Some(target) = &link.target else {
            return self.with_anchor(from, anchor);
        };
        let target = target.value.as_str();
        if link.kind.is_markdown() {
            return match self.markdown_destination(from, target) {
                Ok(resolution) => self.anchored(resolution, anchor),
                Err(()) => Resolution::OutsideRoot,
            };
        }
        // A backslash is a path separator on Windows, but also a character
        // of a file name elsewhere: a name that exists is not a path.
        let literal_name = !target.contains('/') && !self.targets(&normalize(target)).is_empty();
        if is_path_like(target) && !literal_name {
            match self.files_at(from, target) {
                Ok(found) if !found.is_empty() => {
                    return self.anchored(self.closest(from, target, found), anchor)
                }
                Ok(_) => {}
                Err(()) => return Resolution::OutsideRoot,
            }
        }
        let key = normalize(target);
        let named = |kinds: &[NoteName]| -> Vec<FileRef> {
            self.targets(&key)
                .iter()
                .filter_map(|t| match t {
                    Target::Note(n, kind) if kinds.contains(kind) => Some(FileRef::Note(*n)),
                    _ => None,
                })
                .collect()
        };
        // A glossary name wins over a note name, unless the link names a
        // heading: `[[Scaling Laws#Chinchilla]]` means the note.
        let by_stem = named(&[NoteName::Stem]);
        if let Some(entry) = self.first_entry(&key) {
            match anchor {
                None => return Resolution::Glossary(entry),
                Some(_) if by_stem.is_empty() => {
                    return self.with_anchor(entry.note, anchor);
                }
                Some(_) => {}
            }
        }
        if !by_stem.is_empty() {
            return self.anchored(self.closest(from, target, by_stem), anchor);
        }
        let other_names: &[NoteName] = if self.config.link_aliases {
            &[NoteName::Title, NoteName::Alias]
        } else {
            &[NoteName::Title]
        };
        let by_name = named(other_names);
        if !by_name.is_empty() {
            return self.anchored(self.closest(from, target, by_name), anchor);
        }
        Resolution::Unresolved
    }

    /// Applies a link's anchor to what its target resolved to: notes get
    /// their heading or block; other files keep what follows `#` to
    /// themselves.
    fn anchored(&self, resolution: Resolution, anchor: Option<&str>) -> Resolution {
        match resolution {
            Resolution::Note { note, .. } => self.with_anchor(note, anchor),
            other => other,
        }
    }

    /// The files a path-like wikilink names: relative to the linking note's
    /// folder, from the root, or ending the path of any file. `Err` when a
    /// relative path leaves the root.
    fn files_at(&self, from: NoteId, target: &str) -> Result<Vec<FileRef>, ()> {
        let target = target.replace('\\', "/");
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let mut found = Vec::new();
        for name in with_note_extension(&target) {
            if let Some(rel) = name.strip_prefix('/') {
                found.extend(self.files.at(rel));
            } else if name.starts_with("./") || name.starts_with("../") {
                let path = join_inside(&self.root, from_dir, &name).ok_or(())?;
                found.extend(self.files.at(&super::walk::relative(&self.root, &path)));
            } else {
                if let Some(path) = join_inside(&self.root, from_dir, &name) {
                    found.extend(self.files.at(&super::walk::relative(&self.root, &path)));
                }
                found.extend(self.files.by_path_suffix(&name).into_iter().map(|(f, _)| f));
            }
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    /// What a Markdown link's destination names: a file relative to the
    /// note (or the root, with a leading `/`), `.md` optional; else, as
    /// Obsidian does, a file of that name anywhere; or a folder. `Err` when
    /// the path leaves the root.
    fn markdown_destination(&self, from: NoteId, target: &str) -> Result<Resolution, ()> {
        let target = target.replace('\\', "/");
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let base = match target.strip_prefix('/') {
            Some(_) => self.root.as_path(),
            None => from_dir,
        };
        let path = join_inside(&self.root, base, target.trim_start_matches('/')).ok_or(())?;
        let rel = super::walk::relative(&self.root, &path);
        let exact: Vec<FileRef> = with_note_extension(&rel)
            .iter()
            .filter_map(|name| self.files.at(name))
            .collect();
        if let Some(&file) = exact.first() {
            return Ok(self.file_resolution(file));
        }
        if self.files.is_folder(&normalize(&rel)) || rel.is_empty() {
            return Ok(Resolution::Folder);
        }
        // Obsidian resolves a destination by name when it is no path from
        // the note: `[x](Note%20name)`.
        let mut by_name: Vec<FileRef> = with_note_extension(&target)
            .iter()
            .flat_map(|name| self.files.by_path_suffix(name))
            .map(|(f, _)| f)
            .collect();
        by_name.sort();
        by_name.dedup();
        Ok(match by_name.is_empty() {
            true => Resolution::Unresolved,
            false => self.closest(from, &target, by_name),
        })
    }

    fn file_resolution(&self, file: FileRef) -> Resolution {
        match file {
            FileRef::Note(note) => Resolution::Note { note, anchor: None },
            FileRef::Other(index) => Resolution::File(index),
        }
    }

    /// The root-relative path of a note or other file.
    pub fn file_rel(&self, file: FileRef) -> &str {
        match file {
            FileRef::Note(note) => &self.note(note).file.rel,
            FileRef::Other(index) => self.files().other(index).unwrap_or(""),
        }
    }

    /// The one of `candidates` a link `written` in note `from` means: the
    /// only one; else those whose file name matches the link's case
    /// exactly; then the one in the linking note's folder; then the one
    /// with the shortest path; a tie is ambiguous.
    fn closest(&self, from: NoteId, written: &str, mut candidates: Vec<FileRef>) -> Resolution {
        if candidates.len() > 1 {
            let last = written.rsplit(['/', '\\']).next().unwrap_or(written);
            let exact: Vec<FileRef> = candidates
                .iter()
                .copied()
                .filter(|&f| {
                    let name = self.file_rel(f).rsplit('/').next().unwrap_or("");
                    name == last || strip_note_extension(name) == last
                })
                .collect();
            if !exact.is_empty() {
                candidates = exact;
            }
        }
        if candidates.len() > 1 {
            let folder = |rel: &str| rel.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
            let from_folder = folder(&self.note(from).file.rel);
            let near: Vec<FileRef> = candidates
                .iter()
                .copied()
                .filter(|&f| folder(self.file_rel(f)) == from_folder)
                .collect();
            if !near.is_empty() {
                candidates = near;
            }
        }
        if candidates.len() > 1 {
            let length = |f: &FileRef| self.file_rel(*f).chars().count();
            let shortest = candidates.iter().map(length).min().unwrap_or(0);
            candidates.retain(|f| length(f) == shortest);
        }
        match candidates.as_slice() {
            [] => Resolution::Unresolved,
            [one] => self.file_resolution(*one),
            many => Resolution::Ambiguous(many.to_vec()),
        }
    }

    fn with_anchor(&self, note: NoteId, anchor: Option<&str>) -> Resolution {
        let Some(anchor) = anchor else {
            return Resolution::Note { note, anchor: None };
        };
        match self.note(note).anchors().find(anchor) {
            Some(found) => Resolution::Note {
                note,
                anchor: Some(found),
            },
            None => Resolution::BrokenAnchor { note },
        }
    }

    /// The block index of the heading named `anchor` (by text or slug).
    pub fn find_heading(&self, note: NoteId, anchor: &str) -> Option<usize> {
        match self.note(note).anchors().find(anchor)? {
            Anchor::Heading(block) => Some(block),
            Anchor::Block(_) => None,
        }
    }
}

/// Where a file of the workspace is on disk.
pub fn absolute(workspace: &Workspace, rel: &str) -> std::path::PathBuf {
    rel.split('/').fold(workspace.root.clone(), |path, part| {
        path.join(Path::new(part))
    })
}
