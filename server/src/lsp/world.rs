//! The server's state: the workspaces (one per root) and the open documents.
//! Changed only by notifications, in the order they arrive; requests read
//! it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::document::{Change, Document};
use super::settings::Settings;
use crate::line_index::ColumnUnit;
use crate::workspace::read::Origin;
use crate::workspace::{
    find_root, load_bibliography, load_config_file, load_note, BibFormat, Config, FileProblem,
    Note, NoteId, SourceFile, WantedBibliography, Workspace, CONFIG_FILE,
};

pub struct World {
    pub workspaces: Vec<Workspace>,
    pub documents: HashMap<PathBuf, Document>,
    /// The negotiated position encoding.
    pub unit: ColumnUnit,
    pub settings: Settings,
    /// Roots being indexed. Their documents show no diagnostics yet: a link
    /// to a note not yet read would look broken.
    pub indexing: std::collections::HashSet<PathBuf>,
    /// The client pulls diagnostics (`textDocument/diagnostic`) instead of
    /// receiving them.
    pub pull_diagnostics: bool,
}

/// Which open documents need their diagnostics published again.
#[derive(Debug, Default, PartialEq, Eq)]
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
            workspaces: Vec::new(),
            documents: HashMap::new(),
            unit,
            settings: Settings::default(),
            indexing: std::collections::HashSet::new(),
            pull_diagnostics: false,
        }
    }

    /// The workspace whose root is the longest prefix of `path`.
    pub fn workspace_of(&self, path: &Path) -> Option<usize> {
        self.workspaces
            .iter()
            .enumerate()
            .filter(|(_, w)| path.starts_with(&w.root))
            .max_by_key(|(_, w)| w.root.as_os_str().len())
            .map(|(i, _)| i)
    }

    /// The diagnostics of an open or indexed note, unless its workspace is
    /// still being indexed.
    pub fn diagnostics(&self, path: &Path) -> Option<Vec<tower_lsp_server::ls_types::Diagnostic>> {
        let (workspace, note) = self.note(path)?;
        if self.indexing.contains(&workspace.root) {
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

    /// The workspace and note of an open or indexed note.
    pub fn note(&self, path: &Path) -> Option<(&Workspace, NoteId)> {
        let workspace = &self.workspaces[self.workspace_of(path)?];
        Some((workspace, workspace.note_by_path(path)?))
    }

    /// Adds an (empty, not yet indexed) workspace for a folder, with its
    /// configuration. Returns its index and a configuration error, if any.
    pub fn add_workspace(&mut self, root: PathBuf) -> (usize, Option<String>) {
        if let Some(i) = self.workspaces.iter().position(|w| w.root == root) {
            return (i, None);
        }
        let (config, error) = match Config::load(&root) {
            Ok(config) => (config, None),
            Err(e) => (
                Config::default(),
                Some(format!("{}: {}", e.path.display(), e.message)),
            ),
        };
        let config_file = load_config_file(&root);
        self.workspaces
            .push(Workspace::new(root, config, config_file));
        (self.workspaces.len() - 1, error)
    }

    /// New settings from the editor: applied to every workspace.
    pub fn set_settings(&mut self, settings: Settings) -> Refresh {
        for workspace in &mut self.workspaces {
            settings.apply(&mut workspace.config);
        }
        self.settings = settings;
        Refresh::All
    }

    /// The workspace for a document outside every folder: the nearest
    /// ancestor with `gloss.toml` or `.git`, else the document alone (its
    /// folder is never walked, so a note in the home folder does not index
    /// the home folder). Returns the index and whether it needs indexing.
    fn workspace_for_document(&mut self, path: &Path) -> (usize, bool) {
        if let Some(i) = self.workspace_of(path) {
            return (i, false);
        }
        let mut root = find_root(path);
        let mut has_marker = root.join(CONFIG_FILE).exists() || root.join(".git").exists();
        // A dotfiles repository makes the home folder a git root; indexing
        // all of it for one note is never what the user wants.
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if too_broad(&root, home.as_deref()) {
            root = path.parent().map_or(root, Path::to_path_buf);
            has_marker = false;
        }
        let (i, _) = self.add_workspace(root);
        (i, has_marker)
    }

    /// Puts the note at `path` with `text` into its workspace. Returns what
    /// to refresh.
    fn update_note(&mut self, ws: usize, path: &Path, note: Note) -> Refresh {
        let workspace = &mut self.workspaces[ws];
        let old_keys = workspace
            .note_by_path(path)
            .map(|id| workspace.note(id).keys.clone());
        let old_bibs = workspace.note_by_path(path).and_then(|id| {
            workspace
                .note(id)
                .syntax
                .front_matter
                .as_ref()
                .map(|f| f.bibliography.clone())
        });
        let new_keys = note.keys.clone();
        let new_bibs = note
            .syntax
            .front_matter
            .as_ref()
            .map(|f| f.bibliography.clone());
        let id = workspace.set_note(note);
        let bibs_changed = old_bibs.map(|b| b.into_iter().map(|s| s.value).collect::<Vec<_>>())
            != new_bibs.map(|b| b.into_iter().map(|s| s.value).collect::<Vec<_>>());
        if bibs_changed {
            load_declared_bibliographies(workspace, id);
            return Refresh::All;
        }
        if old_keys.as_ref() != Some(&new_keys) {
            return Refresh::All;
        }
        Refresh::Documents(vec![path.to_path_buf()])
    }

    /// `didOpen`. Returns what to refresh and a root to index, if the
    /// document opened a new workspace.
    pub fn open(
        &mut self,
        path: PathBuf,
        text: String,
        version: i32,
    ) -> (Refresh, Option<PathBuf>) {
        let (ws, needs_index) = self.workspace_for_document(&path);
        let mut document = Document::new_unparsed(text, version);
        let note = note_from_document(&self.workspaces[ws], &path, &mut document);
        self.documents.insert(path.clone(), document);
        let refresh = match self.update_note(ws, &path, note) {
            Refresh::None | Refresh::Documents(_) => Refresh::Documents(vec![path]),
            all => all,
        };
        (
            refresh,
            needs_index.then(|| self.workspaces[ws].root.clone()),
        )
    }

    /// `didChange`: edits applied in order to the document, then its note.
    pub fn change(&mut self, path: &Path, changes: Vec<Change>, version: i32) -> Refresh {
        let unit = self.unit;
        let ws = self.workspace_of(path);
        let Some(document) = self.documents.get_mut(path) else {
            // A change for a document that was never opened: nothing to
            // apply it to.
            return Refresh::None;
        };
        document.apply(changes, version, unit);
        let Some(ws) = ws else {
            return Refresh::None;
        };
        let note = note_from_document(&self.workspaces[ws], path, document);
        self.update_note(ws, path, note)
    }

    /// `didClose`: the file on disk is the truth again.
    pub fn close(&mut self, path: &Path) -> Refresh {
        self.documents.remove(path);
        self.reload_from_disk(path)
    }

    /// A file changed outside the editor. An open document's unsaved text
    /// wins over the disk.
    pub fn file_changed(&mut self, path: &Path) -> Refresh {
        if self.documents.contains_key(path) {
            return Refresh::None;
        }
        self.reload_from_disk(path)
    }

    fn reload_from_disk(&mut self, path: &Path) -> Refresh {
        let Some(ws) = self.workspace_of(path) else {
            return Refresh::None;
        };
        let workspace = &mut self.workspaces[ws];
        let rel = crate::workspace::walk_relative(&workspace.root, path);
        if path.file_name().is_some_and(|n| n == CONFIG_FILE) {
            // A new configuration changes everything; the caller re-indexes.
            return Refresh::All;
        }
        if let Some(format) = BibFormat::from_path(path) {
            let known = workspace.bibliographies.iter().any(|b| b.file.path == path);
            if crate::workspace::resolves_inside(&workspace.root, path)
                && (known || format == BibFormat::BibTeX)
            {
                let wanted = WantedBibliography {
                    path: path.to_path_buf(),
                    format,
                    origin: Origin::Repository,
                };
                let bib = load_bibliography(&workspace.root, &wanted, &workspace.config);
                workspace.set_bibliography(bib);
            } else if known {
                workspace.remove_bibliography(path);
            } else {
                return Refresh::None;
            }
            return Refresh::All;
        }
        if !crate::workspace::is_note(path) {
            return Refresh::None;
        }
        if crate::workspace::resolves_inside(&workspace.root, path)
            && workspace.config.includes(&rel)
        {
            let note = load_note(&workspace.root, path, &workspace.config);
            self.update_note(ws, path, note)
        } else {
            workspace.remove_note(path);
            Refresh::All
        }
    }
}

/// A root no single note should make gloss index: the home folder or the
/// file system root.
fn too_broad(root: &Path, home: Option<&Path>) -> bool {
    home.is_some_and(|h| h == root) || root.parent().is_none()
}

/// Loads the bibliographies note `id` declares that are not loaded yet.
pub fn load_declared_bibliographies(workspace: &mut Workspace, id: NoteId) {
    for wanted in workspace.declared_bibliographies(id) {
        if !workspace
            .bibliographies
            .iter()
            .any(|b| b.file.path == wanted.path)
        {
            let bib = load_bibliography(&workspace.root, &wanted, &workspace.config);
            workspace.set_bibliography(bib);
        }
    }
}

/// The note of an open document. A text over `files.max-note-size` is not
/// parsed, and reported as `gloss check` reports such a file.
fn note_from_document(workspace: &Workspace, path: &Path, document: &mut Document) -> Note {
    let size = document.text().len() as u64;
    let limit = workspace.config.max_note_size;
    let problem = if size > limit {
        Some(FileProblem::TooLarge { size, limit })
    } else {
        crate::workspace::unparsable(document.text())
    };
    document.set_parsed(problem.is_none());
    let text = match problem {
        None => document.text().to_string(),
        Some(_) => String::new(),
    };
    let file = SourceFile::new(&workspace.root, path.to_path_buf(), text, problem);
    Note::new(&workspace.config, file, document.syntax())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_indexes_home_or_the_file_system_root() {
        let home = Path::new("/home/u");
        assert!(too_broad(Path::new("/home/u"), Some(home)));
        assert!(too_broad(Path::new("/"), Some(home)));
        assert!(!too_broad(Path::new("/home/u/notes"), Some(home)));
        assert!(!too_broad(Path::new("/home/u/notes"), None));
    }

    /// A file watcher names paths inside the root, but a symbolic link
    /// there may point anywhere: it is read only if it resolves inside.
    #[cfg(unix)]
    #[test]
    fn a_watched_symlink_out_of_the_workspace_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "[[Secret]]\n").unwrap();
        let vault = tempfile::tempdir().unwrap();
        let root = vault.path().canonicalize().unwrap();
        std::fs::write(root.join("gloss.toml"), "").unwrap();
        std::fs::write(root.join("inside.md"), "[[Inside]]\n").unwrap();
        let mut world = World::new(ColumnUnit::Utf16);
        world.workspaces.push(crate::workspace::Workspace::load(
            &root,
            crate::workspace::Config::default(),
        ));
        let link = root.join("linked.md");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), &link).unwrap();
        world.file_changed(&link);
        assert!(
            world.note(&link).is_none(),
            "read a file outside the workspace"
        );
        let inner = root.join("inner-link.md");
        std::os::unix::fs::symlink(root.join("inside.md"), &inner).unwrap();
        world.file_changed(&inner);
        assert!(
            world.note(&inner).is_some(),
            "a link inside the workspace is a note"
        );
    }

    #[test]
    fn a_note_outside_any_folder_is_checked_alone() {
        let dir = std::env::temp_dir().join(format!("gloss-solo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut world = World::new(ColumnUnit::Utf16);
        let path = dir.join("note.md");
        let (_, index) = world.open(path.clone(), "[[Missing]]\n".to_string(), 1);
        // No gloss.toml or .git above a temporary folder: nothing to index.
        assert_eq!(index, None);
        let diagnostics = world.diagnostics(&path).unwrap();
        assert_eq!(diagnostics.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
