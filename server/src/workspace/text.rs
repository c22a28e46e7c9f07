//! A source file's text: held in memory, or left on disk once the file is
//! parsed and read again the first time something asks for it.
//!
//! `gloss check` leaves every note's text on disk: what it reports needs
//! the texts of the few notes it reports on (a position, a source line),
//! and on a large vault the texts were the largest part of what was kept
//! of the notes. The language server does the same for every note that is
//! not open (an open note's text is the editor's): few requests need a
//! closed note's text (a hover's excerpt, a position in a list of
//! references), and a read costs them tens of microseconds. A text read
//! again comes through the same read
//! policy as the first read, and is compared with a hash of the text that
//! was parsed: a file changed in between is not trusted.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::cache::{self, Hash};
use super::read::{read_file, Access, Origin};
use super::FileProblem;

/// What is told of a file whose text, read again, was no longer the text
/// parsed: the language server reloads the note, as if its file watcher
/// had reported the change (not every client watches files).
type ChangedHook = Box<dyn Fn(&Path) + Send + Sync>;
static WHEN_CHANGED: Mutex<Option<ChangedHook>> = Mutex::new(None);

/// Calls `hook` with the path of each file whose text is found changed
/// when it is read again (once per note loaded), from now on.
pub fn when_changed(hook: impl Fn(&Path) + Send + Sync + 'static) {
    *WHEN_CHANGED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(hook));
}

/// How notes left on disk are read again: as the workspace read them.
#[derive(Debug)]
pub struct Reader {
    /// The workspace root, canonical.
    pub root: PathBuf,
    /// `--untrusted`: reads stay inside the root.
    pub confined: bool,
    /// `files.max-note-size`.
    pub limit: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Text {
    held: OnceLock<String>,
    on_disk: Option<Box<OnDisk>>,
    /// Set when the text read again was not the text parsed.
    changed: OnceLock<()>,
}

/// What a text left on disk was: enough to know it again.
#[derive(Debug, Clone)]
struct OnDisk {
    reader: Arc<Reader>,
    len: usize,
    hash: Hash,
}

impl Text {
    pub(super) fn held(text: String) -> Text {
        Text {
            held: OnceLock::from(text),
            on_disk: None,
            changed: OnceLock::new(),
        }
    }

    /// A text not read yet, known to be `len` bytes hashing to `hash`
    /// (what the index cache recorded of the file): read through `reader`
    /// when asked for.
    pub(super) fn on_disk(reader: &Arc<Reader>, len: usize, hash: Hash) -> Text {
        Text {
            held: OnceLock::new(),
            on_disk: Some(Box::new(OnDisk {
                reader: Arc::clone(reader),
                len,
                hash,
            })),
            changed: OnceLock::new(),
        }
    }

    /// The text's length in bytes, held or not.
    pub(super) fn len(&self) -> usize {
        match (self.held.get(), &self.on_disk) {
            (Some(text), _) => text.len(),
            (None, Some(on_disk)) => on_disk.len,
            (None, None) => 0,
        }
    }

    /// The text, read again from `path` and kept if it was left on disk.
    pub(super) fn get(&self, path: &Path) -> &str {
        self.held.get_or_init(|| self.read_again(path))
    }

    /// `f` of the text; a text left on disk is read again for `f` alone.
    pub(super) fn with<R>(&self, path: &Path, f: impl FnOnce(&str) -> R) -> R {
        match self.held.get() {
            Some(text) => f(text),
            None => f(&self.read_again(path)),
        }
    }

    fn read_again(&self, path: &Path) -> String {
        let on_disk = self
            .on_disk
            .as_ref()
            .expect("a text not held was left on disk");
        match read_again(path, on_disk) {
            Some(text) => text,
            None => {
                if self.changed.set(()).is_ok() {
                    let hook = WHEN_CHANGED.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(hook) = hook.as_ref() {
                        hook(path);
                    }
                }
                // Every range of the syntax parsed from the text fits in
                // it, and every offset is a character boundary.
                " ".repeat(on_disk.len)
            }
        }
    }

    /// Drops the text, to be read again through `reader` when asked for.
    /// An empty text stays: nothing was read (the file was too large,
    /// unreadable or not parsed), and a read now could give more. A text
    /// read lossily is left like any other: [`decode`] gives it again.
    /// `hash` is the text's [`cache::hash`] if it is known.
    pub(super) fn leave_on_disk(&mut self, reader: &Arc<Reader>, hash: Option<Hash>) {
        let Some(text) = self.held.get() else {
            return;
        };
        if text.is_empty() {
            return;
        }
        self.on_disk = Some(Box::new(OnDisk {
            reader: Arc::clone(reader),
            len: text.len(),
            hash: hash.unwrap_or_else(|| cache::hash(text)),
        }));
        self.held = OnceLock::new();
    }

    /// Whether the text is in memory.
    pub(super) fn is_held(&self) -> bool {
        self.held.get().is_some()
    }

    /// Whether the text was read again and the file no longer held what
    /// was parsed: what is reported of it may point at the wrong places.
    pub(super) fn changed(&self) -> bool {
        self.changed.get().is_some()
    }
}

/// The text at `path` if it is still `on_disk`'s.
fn read_again(path: &Path, on_disk: &OnDisk) -> Option<String> {
    let access = Access {
        root: &on_disk.reader.root,
        confined: on_disk.reader.confined,
    };
    let bytes = read_file(&access, path, Origin::Repository, on_disk.reader.limit).ok()?;
    let (text, _) = decode(bytes);
    (text.len() == on_disk.len && cache::hash(&text) == on_disk.hash).then_some(text)
}

/// A file's bytes as text: lossily where they are not UTF-8, with the
/// offset of the first invalid byte.
pub(super) fn decode(bytes: Vec<u8>) -> (String, Option<FileProblem>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            (text, Some(FileProblem::InvalidUtf8 { offset }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{Config, Workspace};

    /// A workspace root (there while the folder is kept), and its reader.
    fn vault() -> (tempfile::TempDir, PathBuf, Arc<Reader>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let reader = Arc::new(Reader {
            root: root.clone(),
            confined: true,
            limit: 1 << 20,
        });
        (dir, root, reader)
    }

    fn left_on_disk(text: &str, reader: &Arc<Reader>) -> Text {
        let mut left = Text::held(text.to_string());
        left.leave_on_disk(reader, None);
        assert!(left.held.get().is_none(), "{text:?} was kept");
        left
    }

    #[test]
    fn a_text_left_on_disk_is_read_again_as_it_was_parsed() {
        let (_dir, root, reader) = vault();
        let path = root.join("笔记 😀.md");
        let text = "# 标题 😀\r\nSee [[Other]].\r\n";
        std::fs::write(&path, text).unwrap();
        let left = left_on_disk(text, &reader);
        assert_eq!(left.get(&path), text);
        assert!(!left.changed());

        // Invalid UTF-8 is read lossily, the same way each time.
        let bytes = b"caf\xe9 [[x]]\n";
        std::fs::write(&path, bytes).unwrap();
        let (lossy, problem) = decode(bytes.to_vec());
        assert_eq!(problem, Some(FileProblem::InvalidUtf8 { offset: 3 }));
        let left = left_on_disk(&lossy, &reader);
        assert_eq!(left.get(&path), lossy);
    }

    #[test]
    fn a_file_changed_since_it_was_parsed_is_not_trusted() {
        let (_dir, root, reader) = vault();
        let path = root.join("note.md");
        let text = "# Café ☕\nSee [[Other]].\n";
        for (now, why) in [
            (Some("# Café ☕\nSee [[Otter]].\n"), "same length"),
            (Some("# Cafe\n"), "shorter"),
            (None, "deleted"),
        ] {
            std::fs::write(&path, text).unwrap();
            let left = left_on_disk(text, &reader);
            match now {
                Some(now) => std::fs::write(&path, now).unwrap(),
                None => std::fs::remove_file(&path).unwrap(),
            }
            // As long as the text parsed, and every offset a boundary.
            assert_eq!(left.get(&path), " ".repeat(text.len()), "{why}");
            assert!(left.changed(), "{why}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_text_is_read_again_under_the_policy_it_was_read_under() {
        let (_dir, root, reader) = vault();
        let outside = tempfile::tempdir().unwrap();
        let text = "# Secret\n";
        let path = root.join("note.md");
        std::fs::write(&path, text).unwrap();
        let left = left_on_disk(text, &reader);
        // Replaced by a link out of the root with the same text: refused.
        std::fs::remove_file(&path).unwrap();
        std::fs::write(outside.path().join("secret.md"), text).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.md"), &path).unwrap();
        assert_eq!(left.get(&path), " ".repeat(text.len()));
        assert!(left.changed());
    }

    #[test]
    fn an_empty_text_stays() {
        let (_dir, _, reader) = vault();
        let mut empty = Text::held(String::new());
        empty.leave_on_disk(&reader, None);
        assert_eq!(empty.held.get().map(String::as_str), Some(""));
    }

    fn load(root: &Path, pandoc_keys: Option<bool>) -> Workspace {
        let mut config = Config::default();
        config.texts_on_disk = true;
        config.pandoc_keys = pandoc_keys;
        // As `gloss check` without `--hints`: title citations are looked
        // for in every text.
        config.set_severity(crate::workspace::Code::TitleCitation, None);
        Workspace::load(root, config)
    }

    fn held(workspace: &Workspace, path: &Path) -> bool {
        let id = workspace.note_by_path(path).unwrap();
        workspace.note(id).file.text.held.get().is_some()
    }

    #[test]
    fn a_workspace_loaded_with_texts_on_disk_reads_only_what_is_asked_for() {
        let (_dir, root, _) = vault();
        let (a, b) = (root.join("a.md"), root.join("b.md"));
        std::fs::write(&a, "# A\r\n\r\nSee 😀 [[b]] and [[nowhere]].\r\n").unwrap();
        std::fs::write(&b, "# B 😀\n\nNothing to report.\n").unwrap();
        let workspace = load(&root, None);
        assert!(!held(&workspace, &a) && !held(&workspace, &b));
        let diagnostics = crate::ide::workspace_diagnostics(&workspace);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        // Diagnostics are computed without keeping a text; where one is
        // reported reads its note again, and no other.
        assert!(!held(&workspace, &a) && !held(&workspace, &b));
        let file = &workspace.note(workspace.note_by_path(&a).unwrap()).file;
        let start = diagnostics[0].range.start;
        let unit = crate::line_index::ColumnUnit::Utf16;
        let at = file.line_index().line_col(file.text(), start, unit);
        assert_eq!((at.line, at.col), (2, 19));
        assert_eq!(&file.text()[diagnostics[0].range.clone()], "nowhere");
        assert!(held(&workspace, &a) && !held(&workspace, &b));
    }

    #[test]
    fn a_note_read_for_its_names_keeps_no_text_and_is_parsed_from_a_read_again() {
        let (_dir, root, reader) = vault();
        let path = root.join("n.md");
        let text =
            "---\r\ntitle: 名字 😀\r\n---\r\n# 标题\r\nSee [[Other#Part]] and [@wei2022].\r\n";
        std::fs::write(&path, text).unwrap();
        let config = Config::default();
        let file = crate::workspace::SourceFile::new(&root, path.clone(), text.into(), None);
        let mut note = crate::workspace::Note::names_only(&config, file, None);
        note.leave_text_on_disk(&reader);
        assert!(note.is_names_only());
        assert!(
            !note.file.text_is_held(),
            "a note read for its names kept its text"
        );
        // What the language server's second pass parses: the text read
        // again, as it was read for the names.
        let copy = note.file.clone();
        assert_eq!(copy.with_text(str::to_owned), text);
        assert!(!copy.changed_since_parsed() && !note.file.text_is_held());
        // A file changed since is known as such, and not parsed.
        std::fs::write(&path, text.replace("Other", "Else!")).unwrap();
        let copy = note.file.clone();
        copy.with_text(|_| ());
        assert!(copy.changed_since_parsed());
    }

    #[test]
    fn pandoc_keys_and_own_references_are_read_without_keeping_the_text() {
        let (_dir, root, _) = vault();
        let note = root.join("note.md");
        std::fs::write(
            &note,
            "---\nreferences:\n- id: 王2023\n  title: 大模型\n---\nAs [@王2023] and [@nobody] said.\n",
        )
        .unwrap();
        let workspace = load(&root, Some(true));
        assert!(!held(&workspace, &note));
        let id = workspace.note_by_path(&note).unwrap();
        assert!(workspace.note(id).syntax.pandoc_keys);
        let codes: Vec<_> = crate::ide::workspace_diagnostics(&workspace)
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["unknown-citation"]);
    }
}
