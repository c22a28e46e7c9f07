//! Resolving a link to a glossary entry, a note or a heading.

use std::path::Path;

use super::load::join_inside;
use super::names::normalize;
use super::{strip_note_extension, EntryId, NoteId, Workspace};
use crate::syntax::{Link, LinkKind};

/// What a name can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Glossary(EntryId),
    Note(NoteId),
}

/// The outcome of resolving a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Glossary(EntryId),
    /// A note, and the heading block its anchor names.
    Note {
        note: NoteId,
        heading: Option<usize>,
    },
    /// A bare name shared by several notes.
    Ambiguous(Vec<NoteId>),
    /// No glossary entry or note has this name or path.
    Unresolved,
    /// A path that leaves the workspace root; never read.
    OutsideRoot,
    /// The target exists but has no heading matching the anchor.
    BrokenAnchor {
        note: NoteId,
    },
    /// `[[]]`
    Empty,
}

fn is_path_like(target: &str) -> bool {
    target.contains(['/', '\\']) || strip_note_extension(target).len() != target.len()
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
        // A backslash is a path separator on Windows, but also a character
        // of a file name elsewhere: a name that exists wins.
        let literal_name = !target.contains('/')
            && strip_note_extension(target).len() == target.len()
            && !self.targets(&normalize(target)).is_empty();
        if link.kind == LinkKind::Markdown || (is_path_like(target) && !literal_name) {
            return match self.resolve_path(from, target) {
                Ok(Some(note)) => self.with_anchor(note, anchor),
                Ok(None) => Resolution::Unresolved,
                Err(()) => Resolution::OutsideRoot,
            };
        }

        let key = normalize(target);
        let notes: Vec<NoteId> = self
            .targets(&key)
            .iter()
            .filter_map(|t| match t {
                Target::Note(n) => Some(*n),
                Target::Glossary(_) => None,
            })
            .collect();
        // In path order already (see `Workspace::targets`).
        let entry = self.first_entry(&key);
        // A glossary name wins over a note name, unless the link names a
        // heading: `[[Scaling Laws#Chinchilla]]` means the note.
        match (entry, notes.as_slice(), anchor) {
            (Some(entry), _, None) | (Some(entry), [], Some(_)) => match anchor {
                None => Resolution::Glossary(entry),
                Some(_) => self.with_anchor(entry.note, anchor),
            },
            (_, [note], _) => self.with_anchor(*note, anchor),
            (_, [], _) => Resolution::Unresolved,
            (_, many, _) => Resolution::Ambiguous(many.to_vec()),
        }
    }

    /// A note path, relative to the linking note's folder, else to the root
    /// (`/papers/x` is always from the root). `Err` when it leaves the root.
    fn resolve_path(&self, from: NoteId, target: &str) -> Result<Option<NoteId>, ()> {
        let target = target.replace('\\', "/");
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let candidates = match target.strip_prefix('/') {
            Some(from_root) => vec![join_inside(&self.root, &self.root, from_root)],
            None => vec![
                join_inside(&self.root, from_dir, &target),
                join_inside(&self.root, &self.root, &target),
            ],
        };
        if candidates.iter().all(Option::is_none) {
            return Err(());
        }
        for path in candidates.into_iter().flatten() {
            let rel = super::walk::relative(&self.root, &path);
            let key = strip_note_extension(&rel).to_lowercase();
            if let Some(note) = self.note_at_path(&key) {
                return Ok(Some(note));
            }
            if self.note_by_path(Path::new(&path)).is_some() {
                return Ok(self.note_by_path(&path));
            }
        }
        Ok(None)
    }

    fn with_anchor(&self, note: NoteId, anchor: Option<&str>) -> Resolution {
        let Some(anchor) = anchor else {
            return Resolution::Note {
                note,
                heading: None,
            };
        };
        match self.find_heading(note, anchor) {
            Some(heading) => Resolution::Note {
                note,
                heading: Some(heading),
            },
            None => Resolution::BrokenAnchor { note },
        }
    }

    /// The block index of the heading named `anchor` (by text or slug).
    pub fn find_heading(&self, note: NoteId, anchor: &str) -> Option<usize> {
        self.note(note).anchors().heading(anchor)
    }
}
