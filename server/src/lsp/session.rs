//! The editor's session: open documents and every notification that
//! changes state, applied one at a time in the order they arrived (on the
//! server's session thread, see [`super::server`]).
//!
//! The expensive part of a change (parsing, reading files) happens here,
//! outside the world's lock; the lock is taken only to put the result in, so
//! requests are answered while a large note is parsed or a folder indexed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tower_lsp_server::ls_types::MessageType;

use super::document::{Change, Document};
use super::lifecycle::{self, too_broad, IndexJob};
use super::outbox::Outbox;
use super::settings::Settings;
use super::world::{Origin, Refresh, World};
use crate::workspace::read::Origin as ReadOrigin;
use crate::workspace::{
    find_root, load_bibliography, load_note, resolves_inside, text_reader, watched_kind, BibFormat,
    Config, FileKind, Note, SourceFile, WantedBibliography, Workspace, CONFIG_FILE,
};

/// Starts an index job (on a thread of its own, in the server).
pub type Spawn = Box<dyn Fn(IndexJob) + Send>;

pub struct Session {
    world: Arc<RwLock<World>>,
    outbox: Arc<Outbox>,
    documents: HashMap<PathBuf, Document>,
    spawn: Spawn,
    /// Workspaces whose `gloss.toml` changed, rebuilt once the changes stop
    /// coming (a save, a checkout or a script can send dozens in a row).
    stale: Vec<(PathBuf, Origin)>,
}

/// The note of an open document in a workspace at `root` with `config`.
fn note_from_document(root: &Path, config: &Config, path: &Path, document: &mut Document) -> Note {
    document.set_max_size(config.max_note_size);
    let (text, problem) = match document.problem() {
        None => (document.text().to_string(), None),
        Some(problem) => (String::new(), Some(problem.clone())),
    };
    let file = SourceFile::new(root, path.to_path_buf(), text, problem);
    Note::new(config, file, document.syntax())
}

impl Session {
    pub fn new(world: Arc<RwLock<World>>, outbox: Arc<Outbox>, spawn: Spawn) -> Session {
        Session {
            world,
            outbox,
            documents: HashMap::new(),
            spawn,
            stale: Vec::new(),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The one way a workspace is created or rebuilt: configuration, the
    /// editor's settings, the open documents under its root, then one
    /// index job.
    fn build(&mut self, root: PathBuf, origin: Origin) {
        let (config, error) = lifecycle::configuration(&root, &self.read());
        if let Some(error) = error {
            self.outbox
                .message(MessageType::ERROR, format!("gloss.toml: {error}"));
        }
        let members: Vec<PathBuf> = {
            let world = self.read();
            self.documents
                .keys()
                .filter(|path| belongs(&world, path, &root, origin))
                .cloned()
                .collect()
        };
        let notes: Vec<Note> = members
            .iter()
            .filter_map(|path| {
                let document = self.documents.get_mut(path)?;
                Some(note_from_document(&root, &config, path, document))
            })
            .collect();
        let job = lifecycle::build(&mut self.write(), root.clone(), origin, config, notes);
        // A note now in this workspace leaves the one it was in (a vault
        // found inside a folder takes its notes from the folder's).
        {
            let mut world = self.write();
            for slot in world.slots.iter_mut().filter(|s| s.workspace.root != root) {
                for path in &members {
                    if slot.workspace.note_by_path(path).is_some() {
                        slot.workspace.remove_note(path);
                    }
                }
            }
        }
        match job {
            Some(job) => (self.spawn)(job),
            None => {
                // A note alone: no index run; its own bibliographies now.
                for path in &members {
                    self.load_declared_bibliographies(path);
                }
                self.outbox.refresh(Refresh::Documents(members));
            }
        }
    }

    /// The editor opened `folders` (at start-up or later).
    pub fn add_folders(&mut self, folders: Vec<PathBuf>) {
        for folder in folders {
            let folder = folder.canonicalize().unwrap_or(folder);
            if too_broad(&folder) {
                self.outbox.message(
                    MessageType::WARNING,
                    format!(
                        "gloss does not index {}: that would read the whole disk or home folder. Notes opened there are checked with the vault they are in.",
                        folder.display()
                    ),
                );
                continue;
            }
            self.build(folder, Origin::Folder);
        }
    }

    /// Vaults found inside an indexed folder: each is a workspace of its
    /// own, as `gloss check` treats it.
    pub fn add_nested(&mut self, roots: Vec<PathBuf>) {
        for root in roots {
            if self.read().slot_at(&root).is_none() {
                self.build(root, Origin::Discovered);
            }
        }
    }

    /// The editor closed `folders`: their open documents go to the
    /// workspace they would have outside any folder.
    pub fn remove_folders(&mut self, folders: Vec<PathBuf>) {
        let folders: Vec<PathBuf> = folders
            .into_iter()
            .map(|f| f.canonicalize().unwrap_or(f))
            .collect();
        self.write()
            .slots
            .retain(|s| s.origin != Origin::Folder || !folders.contains(&s.workspace.root));
        let homeless: Vec<PathBuf> = {
            let world = self.read();
            self.documents
                .keys()
                .filter(|p| world.slot_of(p).is_none())
                .cloned()
                .collect()
        };
        for path in homeless {
            self.discover(&path);
        }
        self.outbox.refresh(Refresh::All);
    }

    /// A workspace for a note outside every folder: the nearest vault or
    /// repository above it, else the note alone (its folder is never
    /// walked, so a note in the home folder does not index the home folder).
    fn discover(&mut self, path: &Path) {
        let root = find_root(path);
        let has_marker = [CONFIG_FILE, ".obsidian", ".git"]
            .iter()
            .any(|m| root.join(m).exists());
        if has_marker && !too_broad(&root) {
            self.build(root, Origin::Discovered);
        } else {
            let folder = path.parent().map_or(root, Path::to_path_buf);
            self.build(folder, Origin::Alone);
        }
    }

    /// `didOpen`.
    pub fn open(&mut self, path: PathBuf, text: String, version: i32) {
        self.documents
            .insert(path.clone(), Document::new(text, version));
        if self.read().slot_of(&path).is_none() {
            self.write().open.insert(path.clone(), version);
            self.discover(&path);
            return;
        }
        // Open, with its version, only once its note is the document's
        // (in `put`): until then the workspace may hold the file as indexing
        // read it, and diagnostics published meanwhile were the file's,
        // paired with the document's version (found by the bad-input suite:
        // a 2 MB note's first diagnostics missed what the editor added).
        self.update(&path);
    }

    /// `didChange`: edits applied in order to the document, then its note.
    pub fn change(&mut self, path: &Path, changes: Vec<Change>, version: i32) {
        let unit = self.read().unit;
        let Some(document) = self.documents.get_mut(path) else {
            // A change for a document that was never opened: nothing to
            // apply it to.
            return;
        };
        document.apply(changes, version, unit);
        // The version is recorded with the note it is the text of (in
        // `put`): diagnostics published in between must not pair the old
        // note with the new version.
        self.update(path);
    }

    /// `didClose`: the file on disk is the truth again.
    pub fn close(&mut self, path: &Path) {
        self.documents.remove(path);
        self.write().open.remove(path);
        self.outbox.closed(path.to_path_buf());
        let alone = {
            let world = self.read();
            world
                .slot_of(path)
                .is_some_and(|i| world.slots[i].origin == Origin::Alone)
        };
        if alone {
            let mut world = self.write();
            if let Some(i) = world.slot_of(path) {
                world.slots[i].workspace.remove_note(path);
                if world.slots[i].workspace.notes().next().is_none() {
                    world.slots.remove(i);
                }
            }
            return;
        }
        self.reload_from_disk(path);
    }

    /// Files changed outside the editor. An open document's unsaved text
    /// wins over the disk; a changed `gloss.toml` makes its workspace stale,
    /// to be rebuilt by [`Session::rebuild_stale`].
    pub fn files_changed(&mut self, paths: Vec<PathBuf>) {
        for path in paths {
            // The baseline `gloss.toml` names: read again on next use.
            let baseline_of = {
                let world = self.read();
                world.slot_of(&path).filter(|&i| {
                    let w = &world.slots[i].workspace;
                    w.config
                        .baseline
                        .as_ref()
                        .is_some_and(|b| w.root.join(b) == path)
                })
            };
            if let Some(i) = baseline_of {
                self.write().slots[i].baseline = std::sync::OnceLock::new();
                self.outbox.refresh(Refresh::All);
                continue;
            }
            // These configure the whole workspace: it is read again.
            let defaults_file = {
                let world = self.read();
                world.workspace_of(&path).is_some_and(|w: &Workspace| {
                    w.config
                        .pandoc_defaults
                        .iter()
                        .any(|d| w.root.join(d) == path)
                })
            };
            if crate::workspace::is_configuration(&path) || defaults_file {
                let slot = {
                    let world = self.read();
                    world
                        .slot_of(&path)
                        .map(|i| (world.slots[i].workspace.root.clone(), world.slots[i].origin))
                };
                if let Some(slot) = slot.filter(|s| s.1 != Origin::Alone) {
                    if !self.stale.contains(&slot) {
                        self.stale.push(slot);
                    }
                }
                continue;
            }
            if !self.documents.contains_key(&path) {
                self.reload_from_disk(&path);
            }
        }
    }

    /// Whether a workspace waits to be rebuilt.
    pub fn has_stale(&self) -> bool {
        !self.stale.is_empty()
    }

    /// Rebuilds the workspaces whose configuration changed.
    pub fn rebuild_stale(&mut self) {
        for (root, origin) in std::mem::take(&mut self.stale) {
            self.build(root, origin);
        }
    }

    /// New settings from the editor: every workspace's configuration again.
    pub fn set_settings(&mut self, settings: Settings) {
        let roots: Vec<PathBuf> = {
            let mut world = self.write();
            world.settings = settings;
            world
                .slots
                .iter()
                .map(|s| s.workspace.root.clone())
                .collect()
        };
        for root in roots {
            let (config, _) = lifecycle::configuration(&root, &self.read());
            let mut world = self.write();
            if let Some(i) = world.slot_at(&root) {
                world.slots[i].workspace.config = config;
            }
        }
        self.outbox.refresh(Refresh::All);
    }

    /// Puts the open document at `path` into its workspace and asks for the
    /// diagnostics that may have changed.
    fn update(&mut self, path: &Path) {
        // Root and configuration are copied out so that the parse runs
        // with no lock held (an index job waiting to write would otherwise
        // wait for it, and every request behind that job).
        let Some((root, config)) = self
            .read()
            .workspace_of(path)
            .map(|w| (w.root.clone(), w.config.clone()))
        else {
            return;
        };
        let Some(document) = self.documents.get_mut(path) else {
            return;
        };
        let note = note_from_document(&root, &config, path, document);
        self.put(path, note);
    }

    /// Puts `note` into the workspace of `path`: this note's diagnostics
    /// change, and every open note's when names or bibliographies did.
    fn put(&mut self, path: &Path, note: Note) {
        let declares = !note.declared_bibliographies().is_empty();
        let (names_changed, bibliographies_changed) = {
            let mut world = self.write();
            let Some(i) = world.slot_of(path) else {
                return;
            };
            let workspace = &world.slots[i].workspace;
            let old = workspace.note_by_path(path).map(|id| workspace.note(id));
            // Other notes resolve this one's names and headings.
            // A note not open reads its text again for its headings (when
            // its file changed, as blanks: its anchors count as changed).
            // Or other notes are rendered with this one (`{{< include >}}`).
            let names_changed = old.is_none_or(|old| {
                old.keys() != note.keys()
                    || old.anchor_names() != note.anchor_names()
                    || labels(&old.syntax.labels) != labels(&note.syntax.labels)
                    || old.includes().ne(note.includes())
            });
            let bibliographies_changed =
                old.map(Note::declared_bibliographies) != Some(note.declared_bibliographies());
            world.slots[i].update(note, |w, note| {
                w.set_note(note);
            });
            // Under the same lock as the note: a publisher sees both or
            // neither (found by a burst of 10,000 edits, whose last
            // diagnostics came one character off).
            if let Some(document) = self.documents.get(path) {
                world.open.insert(path.to_path_buf(), document.version);
            }
            (names_changed, bibliographies_changed)
        };
        // Also when unchanged: which declared files are missing is
        // recorded with the note, and replacing the note forgot it.
        if declares {
            self.load_declared_bibliographies(path);
        }
        self.outbox
            .refresh(if names_changed || bibliographies_changed {
                Refresh::All
            } else {
                Refresh::Documents(vec![path.to_path_buf()])
            });
    }

    /// Loads the bibliographies the note at `path` declares that are not
    /// loaded yet, reading them outside the lock.
    fn load_declared_bibliographies(&mut self, path: &Path) {
        let (root, config, wanted) = {
            let mut world = self.write();
            let Some(i) = world.slot_of(path) else {
                return;
            };
            let workspace = &mut world.slots[i].workspace;
            let Some(id) = workspace.note_by_path(path) else {
                return;
            };
            let wanted: Vec<WantedBibliography> = workspace
                .declared_bibliographies(id)
                .into_iter()
                .filter(|w| workspace.bibliography_file(&w.path).is_none())
                .collect();
            (workspace.root.clone(), workspace.config.clone(), wanted)
        };
        for wanted in wanted {
            let bibliography = load_bibliography(&root, &wanted, &config);
            self.with_workspace(&root, bibliography, Workspace::set_bibliography);
        }
    }

    /// A note or bibliography changed on disk: read it again (outside the
    /// lock), or forget it if it is gone or no longer a file gloss reads.
    fn reload_from_disk(&mut self, path: &Path) {
        let Some((root, config, known_bibliography, known_note)) = ({
            let world = self.read();
            world.workspace_of(path).map(|w: &Workspace| {
                let known = w.bibliography_file(path).is_some();
                let note = w.note_by_path(path).is_some();
                (w.root.clone(), w.config.clone(), known, note)
            })
        }) else {
            return;
        };
        // Filed as the walk files it: a watcher also names files the walk
        // never looks at (`.git`, `node_modules`, a vault of its own), and
        // hidden, ignored or excluded ones that are link targets only.
        let kind = watched_kind(&root, path, &config);
        if kind.is_none() && !known_bibliography && !known_note {
            return;
        }
        let readable = resolves_inside(&root, path);
        let format = BibFormat::from_path(path);
        if let Some(format) =
            format.filter(|_| known_bibliography || kind == Some(FileKind::Bibliography))
        {
            if readable {
                let wanted = WantedBibliography {
                    path: path.to_path_buf(),
                    format,
                    origin: ReadOrigin::Repository,
                };
                let bibliography = load_bibliography(&root, &wanted, &config);
                self.with_workspace(&root, bibliography, Workspace::set_bibliography);
            } else {
                self.with_workspace(&root, path, |w, p| w.remove_bibliography(p));
            }
            // A link may name the file (`[refs](refs.bib)`).
            self.with_workspace(&root, path, |w, p| w.other_file_changed(p, readable));
            self.outbox.refresh(Refresh::All);
            return;
        }
        if readable && kind == Some(FileKind::Note) {
            let mut note = load_note(&root, path, &config);
            if let Some(reader) = text_reader(&root, &config) {
                note.leave_text_on_disk(&reader);
            }
            self.put(path, note);
            return;
        }
        if known_note {
            self.with_workspace(&root, path, |w, p| {
                w.remove_note(p);
            });
        }
        // Anything else is a link target: links to it resolve from now on,
        // or break.
        let exists = readable && kind == Some(FileKind::Other);
        let changed = self.with_workspace(&root, path, |w, p| w.other_file_changed(p, exists));
        if known_note || changed == Some(true) {
            self.outbox.refresh(Refresh::All);
        }
    }

    /// Applies `f` to the workspace at `root` (and, during a rebuild, to
    /// the build requests still read).
    fn with_workspace<T: Clone, R>(
        &self,
        root: &Path,
        value: T,
        f: impl Fn(&mut Workspace, T) -> R,
    ) -> Option<R> {
        let mut world = self.write();
        let i = world.slot_at(root)?;
        Some(world.slots[i].update(value, f))
    }

    /// The open document at `path`, for tests.
    #[cfg(test)]
    pub fn document(&self, path: &Path) -> Option<&Document> {
        self.documents.get(path)
    }

    /// For tests: a session whose index jobs run at once, on the caller's
    /// thread.
    #[cfg(test)]
    pub fn for_tests(
        unit: crate::line_index::ColumnUnit,
    ) -> (Session, Arc<RwLock<World>>, Arc<Outbox>) {
        let world = Arc::new(RwLock::new(World::new(unit)));
        let outbox = Arc::new(Outbox::default());
        let spawn: Spawn = {
            let (world, outbox) = (world.clone(), outbox.clone());
            // Vaults found inside stay in the outer slot's `pending_nested`,
            // for a test to hand to `add_nested` as the server does.
            Box::new(move |job| {
                lifecycle::index(&world, &job, &outbox);
            })
        };
        (
            Session::new(world.clone(), outbox.clone(), spawn),
            world,
            outbox,
        )
    }
}

/// The labels (`{#sec:intro}`) a note defines, which other notes'
/// cross-references name.
fn labels(labels: &[crate::syntax::Spanned<String>]) -> Vec<&str> {
    labels.iter().map(|l| l.value.as_str()).collect()
}

/// The bibliographies a note declares, as written.
/// Whether the document at `path` belongs to a workspace built at `root`
/// with `origin`: it is under the root, and no workspace that stays has a
/// deeper root above it (a folder's build takes over the workspaces found
/// for single notes under it).
fn belongs(world: &World, path: &Path, root: &Path, origin: Origin) -> bool {
    if !path.starts_with(root) {
        return false;
    }
    !world.slots.iter().any(|s| {
        let stays = origin != Origin::Folder
            || s.origin == Origin::Folder
            || !s.workspace.root.starts_with(root);
        stays
            && s.workspace.root != root
            && path.starts_with(&s.workspace.root)
            && s.workspace.root.starts_with(root)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::ColumnUnit;

    fn vault() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join("glossary.md"),
            "# Glossary\n- Attention: looks.\n",
        )
        .unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/other.md"), "# Other\n").unwrap();
        (dir, root)
    }

    fn codes(world: &RwLock<World>, path: &Path) -> Vec<String> {
        let world = world.read().unwrap();
        let (workspace, id) = world.note(path).unwrap();
        crate::ide::note_diagnostics(workspace, id)
            .iter()
            .map(|d| format!("{} {}", d.code.as_str(), d.message))
            .collect()
    }

    /// Found by an editor-like client: a note opened before its folder's
    /// workspace existed was resolved alone, and never taken over.
    #[test]
    fn a_folder_takes_over_notes_opened_before_it() {
        let (_dir, root) = vault();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        let note = root.join("sub/note.md");
        session.open(
            note.clone(),
            "[[Attention]] [[other]] [[Nowhere]]\n".to_string(),
            1,
        );
        assert_eq!(world.read().unwrap().slots[0].origin, Origin::Alone);
        session.add_folders(vec![root.clone()]);
        let world_now = world.read().unwrap();
        assert_eq!(
            world_now.slots.len(),
            1,
            "the single note's workspace is folded in"
        );
        assert_eq!(world_now.slots[0].workspace.root, root);
        drop(world_now);
        assert_eq!(
            codes(&world, &note),
            ["broken-link no concept or note named 'Nowhere'"]
        );
    }

    /// A bare `@word` is a citation where a bibliography is in scope, and
    /// the scope follows the front matter as it is typed: the only note
    /// declaring `refs.bib` stops declaring it, and the file is every
    /// note's; it declares it again, and a note outside is left alone.
    #[test]
    fn bare_keys_follow_the_declarations_being_typed() {
        let (_dir, root) = vault();
        std::fs::write(root.join("refs.bib"), "@book{xie2015, title = {T}}\n").unwrap();
        let paper = root.join("paper.md");
        let declaring = "---\nbibliography: refs.bib\n---\n😀 @xie2015\n";
        std::fs::write(&paper, declaring).unwrap();
        let news = root.join("NEWS.md");
        std::fs::write(&news, "thanks @someone 😀\r\n").unwrap();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.add_folders(vec![root.clone()]);
        session.open(news.clone(), "thanks @someone 😀\r\n".into(), 1);
        session.open(paper.clone(), declaring.into(), 1);
        assert_eq!(codes(&world, &news), Vec::<String>::new());
        let whole = |text: &str| Change {
            range: None,
            text: text.into(),
        };
        session.change(&paper, vec![whole("---\ntitle: t\n---\n😀 @xie2015\n")], 2);
        assert_eq!(
            codes(&world, &news),
            ["unknown-citation unknown citation key 'someone'"]
        );
        session.change(&paper, vec![whole(declaring)], 3);
        session.change(&paper, vec![whole(&format!("{declaring}x"))], 4);
        assert_eq!(codes(&world, &news), Vec::<String>::new());
    }

    /// The texts of a large vault were most of the server's memory: a
    /// note that is not open leaves its text on disk, and what requests
    /// need of it is read again.
    #[test]
    fn only_open_notes_hold_their_texts() {
        let (_dir, root) = vault();
        let other = root.join("sub/other.md");
        let other_text = "# Other 😀\r\n\r\n## 中文 标题\r\nText.\r\n";
        std::fs::write(&other, other_text).unwrap();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.add_folders(vec![root.clone()]);
        let held = |path: &Path| {
            let world = world.read().unwrap();
            let (workspace, id) = world.note(path).unwrap();
            workspace.note(id).file.text_is_held()
        };
        let title = |path: &Path| {
            let world = world.read().unwrap();
            let (workspace, id) = world.note(path).unwrap();
            workspace.note(id).title().to_string()
        };
        assert!(!held(&other) && !held(&root.join("glossary.md")));
        assert_eq!(title(&other), "Other 😀");
        assert!(!held(&other), "a title is known without the text");

        let note = root.join("n.md");
        session.open(
            note.clone(),
            "[[other#中文 标题]] [[other#Nope]]\n".into(),
            1,
        );
        assert!(held(&note));
        assert_eq!(
            codes(&world, &note),
            ["broken-anchor no heading 'Nope' in 'sub/other.md'"]
        );
        assert!(!held(&other), "its anchors are read, not its text kept");

        session.open(other.clone(), other_text.to_string(), 1);
        assert!(held(&other));
        session.close(&other);
        assert!(!held(&other));
        assert_eq!(title(&other), "Other 😀");
    }

    #[test]
    fn a_changed_configuration_keeps_open_notes_and_settings_apply() {
        let (_dir, root) = vault();
        let (mut session, world, outbox) = Session::for_tests(ColumnUnit::Utf16);
        world.write().unwrap().settings = Settings::from_json(Some(
            serde_json::json!({"severity": {"broken-link": "hint"}}),
        ));
        session.add_folders(vec![root.clone()]);
        let note = root.join("n.md");
        session.open(note.clone(), "[[Nowhere]]\n".to_string(), 1);
        let severity = |world: &RwLock<World>| {
            let world = world.read().unwrap();
            let (workspace, id) = world.note(&note).unwrap();
            crate::ide::note_diagnostics(workspace, id)[0].severity
        };
        assert_eq!(severity(&world), crate::workspace::Severity::Hint);
        std::fs::write(root.join(CONFIG_FILE), "[severity]\nempty-link = \"off\"\n").unwrap();
        session.files_changed(vec![root.join(CONFIG_FILE)]);
        assert!(
            world.read().unwrap().note(&note).is_some(),
            "the open note stays"
        );
        assert_eq!(severity(&world), crate::workspace::Severity::Hint);
        assert!(outbox.pending().0, "every open note is refreshed");
    }

    /// A file watcher names paths inside the root, but a symbolic link
    /// there may point anywhere: it is read only if it resolves inside.
    #[cfg(unix)]
    #[test]
    fn a_watched_symlink_out_of_the_workspace_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "[[Secret]]\n").unwrap();
        let (_dir, root) = vault();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.add_folders(vec![root.clone()]);
        let link = root.join("linked.md");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), &link).unwrap();
        session.files_changed(vec![link.clone()]);
        assert!(
            world.read().unwrap().note(&link).is_none(),
            "read a file outside the workspace"
        );
        let inner = root.join("inner-link.md");
        std::os::unix::fs::symlink(root.join("glossary.md"), &inner).unwrap();
        session.files_changed(vec![inner.clone()]);
        assert!(
            world.read().unwrap().note(&inner).is_some(),
            "a link inside is a note"
        );
    }

    /// Found on real vaults: a folder holding several Obsidian vaults
    /// resolved each vault's links against all of them. Each is its own
    /// workspace, as `gloss check` treats it, and its notes show nothing
    /// until that workspace is read.
    #[test]
    fn a_vault_inside_a_folder_is_a_workspace_of_its_own() {
        let (_dir, root) = vault();
        let inner = root.join("inner");
        std::fs::create_dir_all(inner.join(".obsidian")).unwrap();
        std::fs::write(inner.join("Attention.md"), "# Attention\n").unwrap();
        let note = inner.join("n.md");
        std::fs::write(&note, "[[Attention]] [[other]]\n").unwrap();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.open(note.clone(), "[[Attention]] [[other]]\n".to_string(), 1);
        session.add_folders(vec![root.clone()]);
        let nested = {
            let world = world.read().unwrap();
            let outer = world.slot_at(&root).unwrap();
            assert!(
                world.diagnostics(&note).unwrap().is_empty(),
                "nothing shown before the inner vault is read"
            );
            world.slots[outer].pending_nested.clone()
        };
        assert_eq!(nested, std::slice::from_ref(&inner));
        session.add_nested(nested);
        let world_now = world.read().unwrap();
        let slot = world_now.slot_of(&note).unwrap();
        assert_eq!(world_now.slots[slot].workspace.root, inner);
        assert!(world_now.slots[world_now.slot_at(&root).unwrap()]
            .pending_nested
            .is_empty());
        drop(world_now);
        assert_eq!(
            codes(&world, &note),
            ["broken-link no concept or note named 'other'"],
            "'other' is in the outer folder, not in this vault"
        );
    }

    /// An image pasted into the vault while a note links to it: the link
    /// resolves at once, and breaks again when the image is deleted. Files
    /// the walk never looks at (`.git`, ignored folders) are not taken in,
    /// neither as attachments nor as notes.
    #[test]
    fn watched_attachments_come_and_go_and_ignored_folders_stay_out() {
        let (_dir, root) = vault();
        std::fs::write(root.join(".gitignore"), "node_modules/\n").unwrap();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.add_folders(vec![root.clone()]);
        let note = root.join("n.md");
        session.open(note.clone(), "![[pasted 图.png]]\n".to_string(), 1);
        assert_eq!(codes(&world, &note).len(), 1);
        let image = root.join("sub/pasted 图.png");
        std::fs::write(&image, b"\x89PNG").unwrap();
        session.files_changed(vec![image.clone()]);
        assert!(codes(&world, &note).is_empty(), "the pasted image resolves");
        std::fs::remove_file(&image).unwrap();
        session.files_changed(vec![image]);
        assert_eq!(codes(&world, &note).len(), 1, "the deleted image is gone");

        for hidden in [
            ".git/objects/ab/pasted 图.png",
            "node_modules/x/pasted 图.png",
        ] {
            let path = root.join(hidden);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"x").unwrap();
            session.files_changed(vec![path]);
        }
        let readme = root.join("node_modules/x/README.md");
        std::fs::write(&readme, "# A package\n").unwrap();
        session.files_changed(vec![readme.clone()]);
        assert_eq!(
            codes(&world, &note).len(),
            1,
            "found where the walk never looks"
        );
        assert!(world.read().unwrap().note(&readme).is_none());

        // Found in review: a hidden or ignored note that appears is filed
        // as a fresh walk files it, a link target that is not checked.
        std::fs::write(root.join(".gitignore"), "node_modules/\nsecret.md\n").unwrap();
        session.change(
            &note,
            vec![crate::lsp::document::Change {
                range: None,
                text: "[[secret]] [[.hidden]]\n".to_string(),
            }],
            2,
        );
        for name in ["secret.md", ".hidden.md"] {
            let path = root.join(name);
            std::fs::write(&path, "[[Nowhere at all]]\n").unwrap();
            session.files_changed(vec![path.clone()]);
            assert!(
                world.read().unwrap().note(&path).is_none(),
                "{name} is checked"
            );
        }
        assert!(
            codes(&world, &note).is_empty(),
            "{:?}",
            codes(&world, &note)
        );
    }

    /// Found by a burst of 10,000 edits over stdio: the version was
    /// recorded before the note was replaced, so diagnostics published in
    /// between paired the old text with the new version (one character
    /// off). A reader must never see one without the other.
    #[test]
    fn a_note_and_its_version_change_together() {
        let (_dir, root) = vault();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.add_folders(vec![root.clone()]);
        let note = root.join("n.md");
        session.open(note.clone(), String::new(), 0);
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (world, note, done) = (world.clone(), note.clone(), done.clone());
            std::thread::spawn(move || {
                let mut seen = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let world = world.read().unwrap();
                    let Some((workspace, id)) = world.note(&note) else {
                        continue;
                    };
                    let length = workspace.note(id).file.text().len() as i32;
                    assert_eq!(world.open[&note], length, "text and version disagree");
                    seen += 1;
                }
                seen
            })
        };
        for version in 1..=2000 {
            let change = crate::lsp::document::Change {
                range: Some(((0, 0), (0, 0))),
                text: "x".to_string(),
            };
            session.change(&note, vec![change], version);
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    }

    #[test]
    fn a_note_outside_any_folder_is_checked_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().canonicalize().unwrap().join("note.md");
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.open(path.clone(), "[[Missing]]\n".to_string(), 1);
        // No gloss.toml, .obsidian or .git above a temporary folder.
        assert_eq!(world.read().unwrap().slots[0].origin, Origin::Alone);
        assert_eq!(codes(&world, &path).len(), 1);
        session.close(&path);
        assert!(world.read().unwrap().slots.is_empty());
    }

    /// Found by `gloss-bench lsp`: hovering a link while the workspace
    /// was first read said it was broken (its target was not read yet)
    /// and rebuilt the whole suggestion index after every batch, 140 ms at
    /// 100k notes. Until the workspace is complete, hover says nothing of
    /// problems, no quick fix is offered and no token is marked broken, as
    /// no diagnostic is.
    #[test]
    fn no_problem_told_or_fixed_before_the_workspace_is_read() {
        use tower_lsp_server::ls_types::{
            CodeActionContext, CodeActionParams, HoverContents, HoverParams, Position, Range,
            TextDocumentIdentifier, TextDocumentPositionParams,
        };
        let (_dir, root) = vault();
        let world = Arc::new(RwLock::new(World::new(ColumnUnit::Utf16)));
        let outbox = Arc::new(Outbox::default());
        let jobs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let spawn: Spawn = {
            let jobs = jobs.clone();
            Box::new(move |job| jobs.lock().unwrap().push(job))
        };
        let mut session = Session::new(world.clone(), outbox.clone(), spawn);
        session.add_folders(vec![root.clone()]);
        let note = root.join("n.md");
        session.open(
            note.clone(),
            "[[other]] [[Nowhere]] [@nobody]\n".to_string(),
            1,
        );
        let hover = |character: u32| {
            let params = HoverParams {
                text_document_position_params: TextDocumentPositionParams {
                    text_document: TextDocumentIdentifier {
                        uri: super::super::convert::uri(&note).unwrap(),
                    },
                    position: Position::new(0, character),
                },
                work_done_progress_params: Default::default(),
            };
            let world = world.read().unwrap();
            super::super::requests::hover(&world, &params).map(|h| match h.contents {
                HoverContents::Markup(m) => m.value,
                other => panic!("{other:?}"),
            })
        };
        // Tokens marked `unresolved` (bit 1 of the modifiers).
        let broken_tokens = || {
            let params = tower_lsp_server::ls_types::SemanticTokensParams {
                text_document: TextDocumentIdentifier {
                    uri: super::super::convert::uri(&note).unwrap(),
                },
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            };
            let world = world.read().unwrap();
            match super::super::requests::semantic_tokens(&world, &params) {
                Some(tower_lsp_server::ls_types::SemanticTokensResult::Tokens(tokens)) => tokens
                    .data
                    .iter()
                    .filter(|t| t.token_modifiers_bitset & 2 != 0)
                    .count(),
                _ => 0,
            }
        };
        let fixes = || {
            let params = CodeActionParams {
                text_document: TextDocumentIdentifier {
                    uri: super::super::convert::uri(&note).unwrap(),
                },
                range: Range::new(Position::new(0, 13), Position::new(0, 13)),
                context: CodeActionContext::default(),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            };
            let world = world.read().unwrap();
            super::super::requests::code_actions(&world, &params).map_or(0, |a| a.len())
        };
        assert!(!world.read().unwrap().complete(&note));
        assert_eq!(hover(3), None, "sub/other.md is not read yet");
        assert_eq!(hover(13), None);
        assert_eq!(hover(25), None);
        assert_eq!(fixes(), 0);
        assert_eq!(broken_tokens(), 0);
        let job = jobs.lock().unwrap().pop().expect("an index job");
        lifecycle::index(&world, &job, &outbox);
        assert!(world.read().unwrap().complete(&note));
        assert!(hover(3).unwrap().contains("Other"));
        assert!(hover(13).unwrap().contains("broken-link"));
        assert!(hover(25).unwrap().contains("unknown-citation"));
        assert!(fixes() > 0, "add 'Nowhere' to the glossary");
        assert_eq!(broken_tokens(), 2, "[[Nowhere]] and @nobody");
    }
}
