//! The server's shared state: the workspaces and which documents are open.
//! Written by the session (in the order notifications arrive) and by
//! indexing, each holding the lock only to put finished work in; read by
//! requests and by diagnostics publishing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::settings::Settings;
use crate::line_index::ColumnUnit;
use crate::workspace::{NoteId, Workspace};

/// How a workspace came to be, which decides whether it is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A folder the editor opened (or a vault root inside one).
    Folder,
    /// The root above a note opened outside every folder: the nearest
    /// folder holding `gloss.toml`, `.obsidian/` or `.git`.
    Discovered,
    /// A note opened outside every folder with no root above it (or only
    /// the home folder): checked alone, its folder never walked.
    Alone,
}

/// A workspace and where it is in its life.
pub struct Slot {
    pub workspace: Workspace,
    pub origin: Origin,
    /// Bumped by every rebuild; an index run of an older generation stops.
    pub generation: u64,
    /// Whether every note and bibliography has been read. Until then its
    /// notes show no diagnostics: a link to a note not yet read would look
    /// broken.
    pub indexed: bool,
}

pub struct World {
    pub slots: Vec<Slot>,
    /// Open documents and their versions. Their text and tree live in the
    /// session; their notes are in their workspaces.
    pub open: HashMap<PathBuf, i32>,
    /// The negotiated position encoding.
    pub unit: ColumnUnit,
    pub settings: Settings,
    /// Diagnostics are pulled by the client (`textDocument/diagnostic`)
    /// instead of pushed.
    pub pull_diagnostics: bool,
}

/// Which open documents need their diagnostics published again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Refresh {
    #[default]
    None,
    /// Just these documents.
    Documents(Vec<PathBuf>),
    /// Every open document (a name or a key they may use changed).
    All,
}

impl World {
    pub fn new(unit: ColumnUnit) -> World {
        World {
            slots: Vec::new(),
            open: HashMap::new(),
            unit,
            settings: Settings::default(),
            pull_diagnostics: false,
        }
    }

    /// The slot whose root is the longest prefix of `path`.
    pub fn slot_of(&self, path: &Path) -> Option<usize> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| path.starts_with(&s.workspace.root))
            .max_by_key(|(_, s)| s.workspace.root.as_os_str().len())
            .map(|(i, _)| i)
    }

    /// The workspace `path` belongs to.
    pub fn workspace_of(&self, path: &Path) -> Option<&Workspace> {
        self.slot_of(path).map(|i| &self.slots[i].workspace)
    }

    /// The slot with this root.
    pub fn slot_at(&self, root: &Path) -> Option<usize> {
        self.slots.iter().position(|s| s.workspace.root == root)
    }

    /// Every workspace.
    pub fn workspaces(&self) -> impl Iterator<Item = &Workspace> {
        self.slots.iter().map(|s| &s.workspace)
    }

    /// The workspace and note of an open or indexed note.
    pub fn note(&self, path: &Path) -> Option<(&Workspace, NoteId)> {
        let workspace = self.workspace_of(path)?;
        Some((workspace, workspace.note_by_path(path)?))
    }

    /// Whether the workspace of `path` has been read whole.
    pub fn is_indexed(&self, path: &Path) -> bool {
        self.slot_of(path).is_some_and(|i| self.slots[i].indexed)
    }

    /// The diagnostics of an open or indexed note; none while its workspace
    /// is being indexed.
    pub fn diagnostics(&self, path: &Path) -> Option<Vec<tower_lsp_server::ls_types::Diagnostic>> {
        let (workspace, note) = self.note(path)?;
        if !self.is_indexed(path) {
            return Some(Vec::new());
        }
        let diagnostics = crate::ide::note_diagnostics(workspace, note);
        Some(
            diagnostics
                .iter()
                .filter_map(|d| super::convert::diagnostic(workspace, d, self.unit))
                .collect(),
        )
    }
}
