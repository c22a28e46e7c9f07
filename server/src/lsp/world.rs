//! The server's shared state: the workspaces and which documents are open.
//! Written by the session (in the order notifications arrive) and by
//! indexing, each holding the lock only to put finished work in; read by
//! requests and by diagnostics publishing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::settings::Settings;
use crate::ide::baseline::{self, Baseline};
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
    /// The current build: what changes go to.
    pub workspace: Workspace,
    /// While a rebuild reads the vault (after `gloss.toml` changed), the
    /// last complete build, which requests keep reading: they should not
    /// find a half-read vault.
    pub previous: Option<Workspace>,
    pub origin: Origin,
    /// Bumped by every rebuild; an index run of an older generation stops.
    pub generation: u64,
    /// Whether every note and bibliography has been read. Until then its
    /// notes show no diagnostics: a link to a note not yet read would look
    /// broken.
    pub indexed: bool,
    /// Whether every note's names (and every bibliography) have been
    /// read: open notes' diagnostics can be computed, and are final
    /// unless they asked for anchors of a note not parsed yet. Comes
    /// before `indexed`.
    pub names_read: bool,
    /// Vaults found inside this workspace's root that do not have a
    /// workspace of their own yet: their notes show no diagnostics until
    /// they do.
    pub pending_nested: Vec<PathBuf>,
    /// The baseline `gloss.toml` names (`[check] baseline`), read on first
    /// use and again when the file changes.
    pub baseline: std::sync::OnceLock<Option<(Baseline, PathBuf)>>,
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
    /// The client can be asked to get semantic tokens, and inlay hints,
    /// again.
    pub refresh_tokens: bool,
    pub refresh_hints: bool,
    /// Whether workspaces may use the persistent index cache (`gloss lsp
    /// --no-cache` says no; the setting `cache` can say no too).
    pub cache: bool,
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

impl Slot {
    /// The workspace requests read.
    pub fn serving(&self) -> &Workspace {
        self.previous.as_ref().unwrap_or(&self.workspace)
    }

    /// Puts `value` (a note, a bibliography, a file's path) into the
    /// current build with `f` and, during a rebuild, a copy into the one
    /// requests read. Returns what `f` said of the current build.
    pub fn update<T: Clone, R>(&mut self, value: T, f: impl Fn(&mut Workspace, T) -> R) -> R {
        if let Some(previous) = &mut self.previous {
            f(previous, value.clone());
        }
        f(&mut self.workspace, value)
    }
}

impl World {
    pub fn new(unit: ColumnUnit) -> World {
        World {
            slots: Vec::new(),
            open: HashMap::new(),
            unit,
            settings: Settings::default(),
            pull_diagnostics: false,
            refresh_tokens: false,
            refresh_hints: false,
            cache: false,
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

    /// The workspace `path` belongs to, as requests see it.
    pub fn workspace_of(&self, path: &Path) -> Option<&Workspace> {
        self.slot_of(path).map(|i| self.slots[i].serving())
    }

    /// The slot with this root.
    pub fn slot_at(&self, root: &Path) -> Option<usize> {
        self.slots.iter().position(|s| s.workspace.root == root)
    }

    /// Every workspace, as requests see them.
    pub fn workspaces(&self) -> impl Iterator<Item = &Workspace> {
        self.slots.iter().map(Slot::serving)
    }

    /// The workspace and note of an open or indexed note.
    pub fn note(&self, path: &Path) -> Option<(&Workspace, NoteId)> {
        let workspace = self.workspace_of(path)?;
        Some((workspace, workspace.note_by_path(path)?))
    }

    /// Whether the workspace of `path` is read whole, as requests see it:
    /// not while it is indexed for the first time (a rebuild serves the
    /// last complete build meanwhile), nor while a vault inside it that
    /// `path` belongs to waits for its own workspace. Until then a link
    /// or key may look broken only because its target is not read yet.
    pub fn complete(&self, path: &Path) -> bool {
        self.read_for(path, |slot| slot.indexed)
    }

    /// Whether the names of every note of the workspace of `path` are read,
    /// as requests see it (see [`World::complete`]): what diagnostics wait
    /// for.
    pub fn names_complete(&self, path: &Path) -> bool {
        self.read_for(path, |slot| slot.names_read)
    }

    /// Whether the workspace of `path` has been read as far as `read` says
    /// (or a rebuild serves the last complete build), and no vault inside
    /// it that `path` belongs to waits for its own workspace.
    fn read_for(&self, path: &Path, read: impl Fn(&Slot) -> bool) -> bool {
        let Some(i) = self.slot_of(path) else {
            return false;
        };
        let slot = &self.slots[i];
        let nested_pending = slot.pending_nested.iter().any(|n| path.starts_with(n));
        (read(slot) || slot.previous.is_some()) && !nested_pending
    }

    /// The diagnostics of an open or indexed note; none while its workspace
    /// is being indexed for the first time (during a rebuild, those of the
    /// last complete build). None when they are not known yet: they need
    /// a note parsed that indexing has only read the names of, which it
    /// now parses first (the documents are refreshed when it is).
    pub fn diagnostics(&self, path: &Path) -> Option<Vec<tower_lsp_server::ls_types::Diagnostic>> {
        let (workspace, note) = self.note(path)?;
        if !self.names_complete(path) {
            return Some(Vec::new());
        }
        let slot = &self.slots[self.slot_of(path)?];
        if workspace.note(note).is_names_only() {
            workspace.want_parsed(note);
            return None;
        }
        let asked = workspace.unanswered();
        let mut diagnostics = crate::ide::note_diagnostics(workspace, note);
        if workspace.unanswered() != asked {
            return None;
        }
        // What the baseline holds is shown, but quieter (or not at all).
        let baseline = slot
            .baseline
            .get_or_init(|| read_baseline(workspace))
            .as_ref();
        if let Some((baseline, base)) = baseline {
            let keys: Vec<_> = diagnostics
                .iter()
                .map(|d| baseline::key(workspace, d, base))
                .collect();
            let (known, _) = baseline.split(&keys, &|_| true);
            let severity = self.settings.baseline_severity();
            let mut known = known.into_iter();
            diagnostics.retain_mut(|d| match (known.next(), severity) {
                (Some(true), None) => false,
                (Some(true), Some(severity)) => {
                    d.severity = d.severity.max(severity);
                    true
                }
                _ => true,
            });
        }
        Some(super::convert::diagnostics(
            workspace,
            &diagnostics,
            self.unit,
        ))
    }
}

/// The baseline `workspace`'s `gloss.toml` names, if it names one that can
/// be read (one that cannot is `gloss check`'s to report).
/// With the folder its paths are relative to.
fn read_baseline(workspace: &Workspace) -> Option<(Baseline, PathBuf)> {
    use crate::workspace::read::{Access, Origin};
    let file = workspace.root.join(workspace.config.baseline.as_ref()?);
    let access = Access {
        root: &workspace.root,
        confined: true,
    };
    let source = crate::workspace::read_source(access, &file, Origin::Control, baseline::MAX_SIZE);
    if source.problem.is_some() {
        return None;
    }
    let base = file.parent()?.to_path_buf();
    Some((Baseline::parse(source.text()).ok()?, base))
}
