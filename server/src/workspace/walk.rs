//! Finding the notes and bibliographies of a workspace.
//!
//! The walk honours `.gitignore`, `.ignore` and `.git/info/exclude` the way
//! ripgrep does (also outside git repositories), skips hidden files, reads
//! no note in the folders Quarto and bookdown render into (nor in a Logseq
//! graph's `logseq/` folder of backups), and applies the
//! configured include/exclude globs. It reads ignore files
//! itself, through [`super::read`], rather than letting a library open
//! them: an ignore file committed as a FIFO or as a link to `/dev/zero`
//! must not hang or exhaust the walk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::config::{Config, MAX_CONFIG_SIZE};
use super::quarto::{self, BOOKDOWN_FILE, PROJECT_FILES};
use super::read::{read_file, Access, Origin};

/// Ignore files are a few lines; anything bigger is not one.
const MAX_IGNORE_FILE_SIZE: u64 = 1024 * 1024;

/// Files found under a workspace root, sorted by path.
#[derive(Debug, Default)]
pub struct Found {
    pub notes: Vec<PathBuf>,
    pub bibliographies: Vec<PathBuf>,
    /// Every other file (images, PDFs, canvases…): links may name them.
    pub others: Vec<PathBuf>,
    /// Every folder below the root: Markdown links may name them.
    pub folders: Vec<PathBuf>,
    /// Folders below the root that are vaults of their own (they hold
    /// `gloss.toml` or `.obsidian/`): not walked, each its own workspace.
    pub nested: Vec<PathBuf>,
    /// Folders the file system refused to list, with its reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Folders whose ignore files keep a bibliography out of the
    /// repository ([`names_a_bibliography`]).
    pub keeping_out_bibliographies: Vec<PathBuf>,
}

/// What makes a folder a workspace of its own: a gloss configuration or an
/// Obsidian vault.
pub const VAULT_MARKERS: &[&str] = &[super::config::CONFIG_FILE, ".obsidian"];

/// Markdown, and Quarto and R Markdown documents (Markdown with chunks of
/// code, which the grammar reads as code blocks).
pub const NOTE_EXTENSIONS: [&str; 4] = ["md", "markdown", "qmd", "rmd"];

pub fn is_note(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| NOTE_EXTENSIONS.iter().any(|n| e.eq_ignore_ascii_case(n)))
}

fn is_bibtex(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("bib") || e.eq_ignore_ascii_case("bibtex"))
}

/// `path` relative to `root`, `/`-separated.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The ignore rules one folder adds.
#[derive(Debug, Default)]
struct Rules {
    /// `.ignore`: wins over every `.gitignore`, as in ripgrep.
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    /// `.git/info/exclude`, for the folder holding `.git`.
    exclude: Option<Gitignore>,
    /// The folder a Quarto project or bookdown book here renders into:
    /// copies of its notes and bibliographies, which are not read (links
    /// may still name its files).
    output: Option<PathBuf>,
    /// Whether an ignore file here names a bibliography.
    keeps_out_bibliography: bool,
}

/// The rules of one ignore file (`.gitignore` syntax) in folder `dir`.
pub fn ignore_rules(dir: &Path, text: &str) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(dir);
    for line in text.lines() {
        // A bad glob costs its own line only, as in git.
        let _ = builder.add_line(None, line);
    }
    builder.build().ok().filter(|g| !g.is_empty())
}

/// Whether an ignore file's `text` keeps a BibTeX file out of the
/// repository (`references.bib`, `*.bib`): one a reference manager exports
/// or the build writes, there on the author's machine only (found in a
/// thesis whose Makefile passes its ignored `references.bib` to Pandoc).
/// biblatex's own `*-blx.bib` (in GitHub's TeX template) is no library.
fn names_a_bibliography(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with(['#', '!']) && !line.ends_with("-blx.bib"))
        .any(|line| line.ends_with(".bib") || line.ends_with(".bibtex"))
}

impl Rules {
    fn read(access: &Access, dir: &Path) -> Rules {
        let mut keeps_out_bibliography = false;
        let mut load = |file: &Path| -> Option<Gitignore> {
            let bytes = read_file(access, file, Origin::Control, MAX_IGNORE_FILE_SIZE).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            keeps_out_bibliography |= names_a_bibliography(&text);
            ignore_rules(dir, &text)
        };
        let output = [PROJECT_FILES[0], PROJECT_FILES[1], BOOKDOWN_FILE]
            .into_iter()
            .find_map(|name| {
                let bytes = read_file(access, &dir.join(name), Origin::Control, MAX_CONFIG_SIZE);
                quarto::output_folder(name, &String::from_utf8_lossy(&bytes.ok()?))
            })
            .map(|folder| dir.join(folder));
        let (ignore, gitignore, exclude) = (
            load(&dir.join(".ignore")),
            load(&dir.join(".gitignore")),
            load(&dir.join(".git/info/exclude")),
        );
        Rules {
            ignore,
            gitignore,
            exclude,
            output,
            keeps_out_bibliography,
        }
    }
}

/// Ignore rules from the root down to one folder, deepest last.
type Stack = Vec<Arc<Rules>>;

/// Whether `path` is ignored: `.ignore` files first, then `.gitignore`,
/// then git's exclude file; within each kind the deepest folder decides.
fn ignored(stack: &Stack, path: &Path, is_dir: bool) -> bool {
    let kinds: [fn(&Rules) -> Option<&Gitignore>; 3] = [
        |r| r.ignore.as_ref(),
        |r| r.gitignore.as_ref(),
        |r| r.exclude.as_ref(),
    ];
    for kind in kinds {
        for rules in stack.iter().rev() {
            match kind(rules).map(|g| g.matched(path, is_dir)) {
                Some(Match::Ignore(_)) => return true,
                Some(Match::Whitelist(_)) => return false,
                _ => {}
            }
        }
    }
    false
}

/// Whether folder `dir` is one a Quarto project or bookdown book renders
/// into: its files are links' targets (a rendered figure), never notes or
/// bibliographies.
fn is_output(stack: &Stack, dir: &Path) -> bool {
    stack.iter().any(|r| r.output.as_deref() == Some(dir))
}

/// Whether the files below `dir` are copies of notes, not notes: the
/// folder a Quarto or bookdown project renders into, or a Logseq graph's
/// own `logseq/` folder, whose `bak/` and `version-files/` hold earlier
/// versions of its pages (Logseq reads pages from `pages/` and
/// `journals/` only).
fn holds_copies(stack: &Stack, root: &Path, dir: &Path, config: &Config) -> bool {
    is_output(stack, dir)
        || (config.logseq && dir.parent() == Some(root) && dir.ends_with("logseq"))
}

/// What the walk makes of a file it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A note to check.
    Note,
    /// A bibliography to load.
    Bibliography,
    /// Any other file: a link target only. Hidden and ignored files are
    /// here too, and notes `gloss.toml` does not include: not checked, but
    /// there for links to name (a folder that is ignored is not walked at
    /// all, so `node_modules` costs nothing).
    Other,
}

/// How the walk files `path` (root-relative `rel`); `skipped` when it is
/// hidden or ignored.
fn kind_of(path: &Path, rel: &str, config: &Config, skipped: bool) -> FileKind {
    if skipped {
        FileKind::Other
    } else if is_note(path) {
        match config.includes(rel) {
            true => FileKind::Note,
            false => FileKind::Other,
        }
    } else if is_bibtex(path) && !config.exclude.is_match(rel) {
        FileKind::Bibliography
    } else {
        FileKind::Other
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Walks `root` (canonical). Symbolic links are followed only to files inside the
/// root, so a link loop or a link out of the workspace is never read; FIFOs,
/// sockets and devices are skipped.
pub fn walk(root: &Path, config: &Config) -> Found {
    let access = Access {
        root,
        confined: config.confined,
    };
    let mut found = Found::default();
    // Each folder with its rules and whether it holds rendered copies.
    let mut pending: Vec<(PathBuf, Stack, bool)> = vec![(root.to_path_buf(), Vec::new(), false)];
    while let Some((dir, mut stack, copies)) = pending.pop() {
        let rules = Rules::read(&access, &dir);
        if rules.keeps_out_bibliography {
            found.keeping_out_bibliographies.push(dir.clone());
        }
        stack.push(Arc::new(rules));
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) => {
                found.unreadable.push((dir, error.to_string()));
                continue;
            }
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let hidden = is_hidden(&entry.file_name());
            if file_type.is_dir() {
                // Hidden folders: `.git`, `.obsidian`, `.trash`.
                if hidden || ignored(&stack, &path, true) {
                    continue;
                }
                if VAULT_MARKERS.iter().any(|m| path.join(m).exists()) {
                    found.nested.push(path);
                    continue;
                }
                found.folders.push(path.clone());
                let copies = copies || holds_copies(&stack, root, &path, config);
                pending.push((path, stack.clone(), copies));
                continue;
            }
            let regular =
                file_type.is_file() || (file_type.is_symlink() && resolves_inside(root, &path));
            if !regular {
                continue;
            }
            let skipped = hidden || copies || ignored(&stack, &path, false);
            match kind_of(&path, &relative(root, &path), config, skipped) {
                FileKind::Note => found.notes.push(path),
                FileKind::Bibliography => found.bibliographies.push(path),
                FileKind::Other => found.others.push(path),
            }
        }
    }
    found.notes.sort();
    found.bibliographies.sort();
    found.others.sort();
    found.folders.sort();
    found.nested.sort();
    found.unreadable.sort();
    found
}

/// What the walk of `root` would make of the file at `path` (which may no
/// longer exist), or `None` when the walk never lists it: a folder on the
/// way is hidden, ignored or a vault of its own. For a file watcher's
/// events, which also name files the walk never looks at (`.git/objects`,
/// `node_modules`), so that a watched file and a fresh walk agree.
pub fn watched_kind(root: &Path, path: &Path, config: &Config) -> Option<FileKind> {
    let access = Access {
        root,
        confined: config.confined,
    };
    let folders = path.parent()?.strip_prefix(root).ok()?;
    let mut stack: Stack = vec![Arc::new(Rules::read(&access, root))];
    let mut dir = root.to_path_buf();
    let mut copies = false;
    for name in folders.iter() {
        dir.push(name);
        if is_hidden(name)
            || ignored(&stack, &dir, true)
            || VAULT_MARKERS.iter().any(|m| dir.join(m).exists())
        {
            return None;
        }
        copies = copies || holds_copies(&stack, root, &dir, config);
        stack.push(Arc::new(Rules::read(&access, &dir)));
    }
    let skipped = path.file_name().is_none_or(is_hidden) || copies || ignored(&stack, path, false);
    Some(kind_of(path, &relative(root, path), config, skipped))
}

/// Whether an ignore file keeps `path` (which need not exist) out of the
/// walk of `root`: the path or a folder on the way is ignored. Such a
/// file is kept out of the repository on purpose (`*.pdf`, a `private/`
/// folder, a bibliography the build writes), so whether it is there
/// depends on the machine: a clone, where CI runs, never has it.
pub fn is_ignored(root: &Path, path: &Path, config: &Config) -> bool {
    IgnoreCache::default().is_ignored(root, path, config)
}

/// [`is_ignored`] for the paths a workspace's links name, each answered
/// once and each folder's ignore files read once: a vault whose every
/// note links a missing file in its own folder asks for thousands.
#[derive(Debug, Default)]
pub struct IgnoreCache {
    answers: std::collections::HashMap<PathBuf, bool>,
    rules: std::collections::HashMap<PathBuf, Arc<Rules>>,
}

impl IgnoreCache {
    pub fn is_ignored(&mut self, root: &Path, path: &Path, config: &Config) -> bool {
        if let Some(&known) = self.answers.get(path) {
            return known;
        }
        let ignored = self.compute(root, path, config);
        self.answers.insert(path.to_path_buf(), ignored);
        ignored
    }

    fn compute(&mut self, root: &Path, path: &Path, config: &Config) -> bool {
        let access = Access {
            root,
            confined: config.confined,
        };
        let Some(folders) = path.parent().and_then(|p| p.strip_prefix(root).ok()) else {
            return false;
        };
        let mut rules = |dir: &Path| {
            let read = || Arc::new(Rules::read(&access, dir));
            Arc::clone(self.rules.entry(dir.to_path_buf()).or_insert_with(read))
        };
        let mut stack: Stack = vec![rules(root)];
        let mut dir = root.to_path_buf();
        for name in folders.iter() {
            dir.push(name);
            if ignored(&stack, &dir, true) {
                return true;
            }
            stack.push(rules(&dir));
        }
        ignored(&stack, path, false)
    }
}

/// Whether `path`, symbolic links resolved, is a regular file inside
/// `canonical_root`: the one test before gloss reads a file the walk or a
/// file watcher named (a link out of the workspace, a loop, a FIFO: no).
pub fn resolves_inside(canonical_root: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(canonical_root) && target.is_file())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn names(found: &[PathBuf], root: &Path) -> Vec<String> {
        found.iter().map(|p| relative(root, p)).collect()
    }

    /// A temporary folder (removed when the first value drops) and its
    /// canonical path.
    fn temp_root() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        (dir, root)
    }

    fn write_file(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn ignore_files_nest_and_whitelist_like_ripgrep() {
        let (_dir, root) = temp_root();
        let write = |rel: &str, text: &str| write_file(&root, rel, text);
        write(".gitignore", "drafts/\n*.tmp.md\n");
        write("sub/.gitignore", "!keep.tmp.md\nlocal.md\n");
        write("sub/.ignore", "local.md\n!secret.md\n");
        write(".ignore", "secret.md\n");
        for note in [
            "a.md",
            "drafts/x.md",
            "b.tmp.md",
            "sub/keep.tmp.md",
            "sub/local.md",
            "sub/secret.md",
            "secret.md",
            ".hidden/h.md",
            "refs.bib",
        ] {
            write(note, "x");
        }
        let found = walk(&root, &Config::default());
        assert_eq!(
            names(&found.notes, &root),
            ["a.md", "sub/keep.tmp.md", "sub/secret.md"]
        );
        assert_eq!(names(&found.bibliographies, &root), ["refs.bib"]);
    }

    /// Found in a public Logseq graph that commits `logseq/bak/`: 749
    /// reports on backup copies of its pages, and each alias a backup
    /// kept made links to it ambiguous.
    #[test]
    fn a_logseq_graphs_backups_are_not_notes() {
        let (_dir, root) = temp_root();
        let write = |rel: &str, text: &str| write_file(&root, rel, text);
        write("logseq/config.edn", "{}");
        write(
            "logseq/bak/pages/笔记/2023-05-22T13_50_30.835Z.Desktop.md",
            "alias:: A",
        );
        write("logseq/version-files/base/pages/笔记.md", "x");
        write("pages/笔记.md", "alias:: A");
        write("journals/2024_01_01.md", "x");
        write("notes/logseq/kept.md", "x");
        let mut config = Config::default();
        config.logseq = true;
        let found = walk(&root, &config);
        assert_eq!(
            names(&found.notes, &root),
            [
                "journals/2024_01_01.md",
                "notes/logseq/kept.md",
                "pages/笔记.md"
            ]
        );
        let kind = |rel: &str, config: &Config| watched_kind(&root, &root.join(rel), config);
        let backup = "logseq/bak/pages/笔记/2023-05-22T13_50_30.835Z.Desktop.md";
        assert_eq!(kind(backup, &config), Some(FileKind::Other));
        // Outside a Logseq graph, a folder named so is any folder.
        assert_eq!(kind(backup, &Config::default()), Some(FileKind::Note));
        assert_eq!(walk(&root, &Config::default()).notes.len(), 5);
    }

    /// Found in a Quarto blog that publishes from `docs/`: every note and
    /// bibliography was there twice, and each key a duplicate.
    #[test]
    fn folders_quarto_and_bookdown_render_into_are_not_walked() {
        let (_dir, root) = temp_root();
        let write = |rel: &str, text: &str| write_file(&root, rel, text);
        write(
            "blog/_quarto.yml",
            "project:\n  type: website\n  output-dir: docs\n",
        );
        write("blog/posts/a.qmd", "x");
        write("blog/refs.bib", "x");
        write("blog/docs/posts/a.qmd", "x");
        write("blog/docs/refs.bib", "x");
        write("blog/_site/b.md", "x");
        write("书/_bookdown.yml", "book_filename: x\n");
        write("书/index.Rmd", "x");
        write("书/_book/index.md", "x");
        write("site/_quarto.yml", "project: {type: website}\n");
        write("site/_site/c.md", "x");
        write("docs/d.md", "x");
        write("blog/docs/posts/a_files/figure-html/plot-1.png", "x");
        let found = walk(&root, &Config::default());
        assert_eq!(
            names(&found.notes, &root),
            [
                "blog/_site/b.md",
                "blog/posts/a.qmd",
                "docs/d.md",
                "书/index.Rmd"
            ]
        );
        assert_eq!(names(&found.bibliographies, &root), ["blog/refs.bib"]);
        // Rendered files are there for links to name.
        assert!(names(&found.others, &root)
            .contains(&"blog/docs/posts/a_files/figure-html/plot-1.png".to_string()));
        assert!(names(&found.others, &root).contains(&"site/_site/c.md".to_string()));
        let kind = |rel: &str| watched_kind(&root, &root.join(rel), &Config::default());
        assert_eq!(kind("blog/docs/posts/a.qmd"), Some(FileKind::Other));
        assert_eq!(kind("site/_site/c.md"), Some(FileKind::Other));
        assert_eq!(kind("blog/posts/a.qmd"), Some(FileKind::Note));
    }

    #[test]
    fn special_ignore_files_neither_block_nor_flood() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join(".gitignore"))
            .status()
            .unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink("/dev/zero", root.join("sub/.gitignore")).unwrap();
        std::fs::write(root.join("sub/n.md"), "x").unwrap();
        let found = walk(&root, &Config::default());
        assert_eq!(names(&found.notes, &root), ["sub/n.md"]);
    }
}
