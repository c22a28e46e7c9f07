//! The workspace model: every note and bibliography under a root, the
//! glossary they define, and the indexes that resolve names, paths and
//! citation keys.

pub mod bibliography;
pub mod config;
mod glossary;
mod load;
pub mod names;
mod resolve;
mod suggest;
mod walk;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use bibliography::{BibEntry, BibError, BibFormat};
pub use config::{Config, ConfigError, CONFIG_FILE};
pub use glossary::GlossaryEntry;
pub use load::find_root;
pub use resolve::{Resolution, Target};
pub use suggest::closest;

use crate::line_index::LineIndex;
use crate::syntax::{NoteSyntax, Spanned};

pub type NoteId = usize;
pub type BibId = usize;

/// Why a file could not be read as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Not valid UTF-8 from this byte on; the text was read lossily.
    InvalidUtf8 { offset: usize },
    /// Larger than the configured limit; not read.
    TooLarge { size: u64, limit: u64 },
    /// The file system refused.
    Unreadable { message: String },
}

/// A source file: its path and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the workspace root, `/`-separated (absolute for files
    /// outside the root).
    pub rel: String,
    pub text: String,
    pub line_index: LineIndex,
    pub problem: Option<FileProblem>,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub file: SourceFile,
    pub syntax: NoteSyntax,
}

impl Note {
    /// The note's file name without extension.
    pub fn stem(&self) -> &str {
        let name = self.file.rel.rsplit('/').next().unwrap_or(&self.file.rel);
        strip_note_extension(name)
    }
}

/// `name` without a `.md` or `.markdown` extension (any case).
pub(crate) fn strip_note_extension(name: &str) -> &str {
    for ext in [".md", ".markdown"] {
        // `get` returns None inside a multi-byte character (`Note A 😀`).
        let cut = name.len().saturating_sub(ext.len());
        if cut > 0
            && name
                .get(cut..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(ext))
        {
            return &name[..cut];
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::strip_note_extension;

    #[test]
    fn strips_extensions_without_splitting_characters() {
        assert_eq!(strip_note_extension("a.md"), "a");
        assert_eq!(strip_note_extension("A.MARKDOWN"), "A");
        assert_eq!(strip_note_extension(".md"), ".md");
        assert_eq!(strip_note_extension("Note A 😀"), "Note A 😀");
        assert_eq!(strip_note_extension("中文"), "中文");
    }
}

#[derive(Debug, Clone)]
pub struct Bibliography {
    pub file: SourceFile,
    pub format: BibFormat,
    pub entries: Vec<BibEntry>,
    pub errors: Vec<BibError>,
}

/// A `bibliography:` in front matter, or a configured file, that could not be
/// loaded.
#[derive(Debug, Clone)]
pub struct MissingBibliography {
    /// The note that declares it; `None` for `gloss.toml`.
    pub note: Option<NoteId>,
    pub declared: Spanned<String>,
    pub reason: String,
}

/// Where a citation key is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyLocation {
    pub bib: BibId,
    pub entry: usize,
}

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    /// `gloss.toml`, if there is one.
    pub config_file: Option<SourceFile>,
    /// Sorted by path.
    pub notes: Vec<Note>,
    pub bibliographies: Vec<Bibliography>,
    pub glossary: Vec<GlossaryEntry>,
    pub missing_bibliographies: Vec<MissingBibliography>,
    /// Normalised term, alias, title, stem → what it names.
    names: HashMap<String, Vec<Target>>,
    /// Lower-cased relative path without extension → note.
    paths: HashMap<String, NoteId>,
    /// Citation key → every place it is defined, in load order.
    keys: HashMap<String, Vec<KeyLocation>>,
    suggestions: suggest::Candidates,
}

impl Workspace {
    /// The source of a file diagnostics can point at.
    pub fn source(&self, file: crate::ide::FileId) -> Option<&SourceFile> {
        match file {
            crate::ide::FileId::Note(id) => self.notes.get(id).map(|n| &n.file),
            crate::ide::FileId::Bibliography(id) => self.bibliographies.get(id).map(|b| &b.file),
            crate::ide::FileId::Config => self.config_file.as_ref(),
        }
    }

    pub fn note(&self, id: NoteId) -> &Note {
        &self.notes[id]
    }

    /// The note at `path` (absolute), if it is part of the workspace.
    pub fn note_by_path(&self, path: &Path) -> Option<NoteId> {
        self.notes
            .binary_search_by(|n| n.file.path.as_path().cmp(path))
            .ok()
    }

    /// The glossary entries defined in `note` (entries are stored in note
    /// order).
    pub fn glossary_of(&self, note: NoteId) -> std::ops::Range<usize> {
        let start = self.glossary.partition_point(|e| e.note < note);
        let end = self.glossary.partition_point(|e| e.note <= note);
        start..end
    }

    /// Every place citation `key` is defined.
    pub fn citation_key(&self, key: &str) -> &[KeyLocation] {
        self.keys.get(key).map_or(&[], Vec::as_slice)
    }

    pub fn bib_entry(&self, at: KeyLocation) -> &BibEntry {
        &self.bibliographies[at.bib].entries[at.entry]
    }

    /// What a normalised name names.
    pub fn targets(&self, normalized: &str) -> &[Target] {
        self.names.get(normalized).map_or(&[], Vec::as_slice)
    }

    /// The note with this normalised relative path (no extension).
    pub fn note_at_path(&self, normalized_path: &str) -> Option<NoteId> {
        self.paths.get(normalized_path).copied()
    }

    /// The closest concept or note name to `name`, for "did you mean".
    pub fn suggest_name(&self, name: &str) -> Option<&str> {
        self.suggestions.closest_name(name)
    }

    /// The closest citation key to `key`.
    pub fn suggest_key(&self, key: &str) -> Option<&str> {
        self.suggestions.closest_key(key)
    }

    /// The headings of a note: (level, text range).
    pub fn headings(&self, note: NoteId) -> impl Iterator<Item = (u8, Range<usize>)> + '_ {
        self.notes[note]
            .syntax
            .blocks
            .iter()
            .filter_map(|b| match b.kind {
                crate::syntax::BlockKind::Heading { level } => Some((level, b.content.clone())),
                _ => None,
            })
    }
}
