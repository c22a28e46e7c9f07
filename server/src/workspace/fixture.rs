//! Test fixtures: a whole workspace in one string.
//!
//! ```text
//! //- glossary.md
//! - CoT（思维链）：reasoning step by step
//! //- notes/a.md
//! See [[Co$0T]].
//! //- refs.bib
//! @article{wei2022chain, title = {Chain-of-Thought Prompting}}
//! ```
//!
//! Each `//- path` line starts a file (relative to a virtual root); `$0` marks
//! the cursor and is removed from the text. A `.md` file is a note, a `.bib`
//! or `.json` file a bibliography, `gloss.toml` the configuration, and any
//! other file an attachment (its text is ignored: only its name matters).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::bibliography::BibFormat;
use super::{is_note, Bibliography, Config, Note, NoteId, SourceFile, Workspace, CONFIG_FILE};
use crate::syntax::parse_note;

pub const ROOT: &str = "/vault";

pub struct Fixture {
    pub workspace: Workspace,
    /// The note holding the cursor, and the cursor's byte offset.
    pub cursor: Option<(NoteId, usize)>,
}

pub fn fixture(text: &str) -> Fixture {
    let root = PathBuf::from(ROOT);
    let files = files(text);
    let (config, config_file) = match files.iter().find(|(path, _)| path == CONFIG_FILE) {
        Some((path, content)) => {
            let config = Config::parse(content).expect("the fixture's gloss.toml parses");
            let file = SourceFile::new(&root, root.join(path), content.clone(), None);
            (config, Some(file))
        }
        None => (Config::default(), None),
    };
    let mut config = config;
    config.logseq = files.iter().any(|(path, _)| path == "logseq/config.edn");
    config.obsidian = files.iter().any(|(path, _)| path.starts_with(".obsidian/"));
    config.dendron = (files.iter())
        .find(|(path, _)| path == super::dendron::CONFIG_FILE)
        .map(|(_, text)| super::dendron::Dendron::parse(text));
    let mut workspace = Workspace::new(root.clone(), config.clone(), config_file);
    let mut bibliographies = Vec::new();
    let mut attachments = Vec::new();
    let mut cursor_file = None;
    let (mut projects, mut books, mut no_citeproc) = (Vec::new(), Vec::new(), Vec::new());
    for (path, mut content) in files {
        if path == CONFIG_FILE || path == super::dendron::CONFIG_FILE {
            continue;
        }
        let cursor = content.find("$0");
        if let Some(at) = cursor {
            content.replace_range(at..at + 2, "");
        }
        let path = root.join(&path);
        let file = SourceFile::new(&root, path.clone(), content.clone(), None);
        // A Quarto project's or bookdown book's configuration is YAML, not
        // a bibliography.
        let project_file = super::quarto::is_project_file(&path);
        if project_file {
            let rel = super::walk::relative(&root, &path);
            let (folder, name) = rel.rsplit_once('/').unwrap_or(("", &rel));
            match name {
                super::quarto::BOOKDOWN_FILE => {
                    books.push(super::quarto::parse_bookdown(folder, &content))
                }
                name if super::quarto::is_other_bookdown_file(name) => {
                    let book = super::quarto::parse_bookdown(folder, &content);
                    if book.chapters.is_some() {
                        books.push(book);
                    }
                }
                name if super::quarto::METADATA_FILES.contains(&name) => {
                    if super::quarto::turns_off_citeproc(&content) {
                        no_citeproc.push(folder.to_string());
                    }
                }
                _ => projects.push(super::quarto::parse(folder, &content)),
            }
        }
        let configuration = project_file || super::is_configuration(&path);
        match BibFormat::from_path(&path).filter(|_| !configuration) {
            Some(format) => bibliographies.push(Bibliography::new(file, format)),
            None if !is_note(&path) => attachments.push(path),
            None => {
                let id = workspace.set_note(Note::new(&config, file, parse_note(&content)));
                if let Some(at) = cursor {
                    cursor_file = Some((id, at));
                }
            }
        }
    }
    workspace.quarto_projects = projects;
    workspace.bookdown_books = books;
    workspace.set_no_citeproc(no_citeproc);
    workspace.apply_key_rules();
    let bib_paths: Vec<PathBuf> = bibliographies.iter().map(|b| b.file.path.clone()).collect();
    workspace.set_bibliographies(bibliographies);
    declare_bibliographies(&mut workspace, &bib_paths);
    let mut folders: Vec<PathBuf> = workspace
        .notes()
        .map(|(_, note)| note.file.path.clone())
        .chain(attachments.iter().cloned())
        .flat_map(|path| {
            path.ancestors()
                .skip(1)
                .take_while(|a| *a != root)
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .collect();
    folders.sort();
    folders.dedup();
    workspace.set_other_files(&attachments, &folders);
    workspace.myst_projects = workspace.find_myst_projects();
    workspace.documents = std::sync::OnceLock::new();
    Fixture {
        workspace,
        cursor: cursor_file,
    }
}

/// Records the bibliographies each note's `bibliography:` and each Quarto
/// project names among the fixture's files, from the note's folder (the
/// project's) or the root, as a load does with the files on disk.
fn declare_bibliographies(workspace: &mut Workspace, files: &[PathBuf]) {
    let root = workspace.root.clone();
    let mut named: HashMap<PathBuf, Vec<Option<String>>> = HashMap::new();
    for project in &workspace.quarto_projects {
        let folder = root.join(&project.folder);
        for declared in &project.bibliography {
            if let Some(path) = super::load::join_inside(&root, &folder, declared) {
                named
                    .entry(path)
                    .or_default()
                    .push(Some(project.folder.clone()));
            }
        }
    }
    workspace.declared.set_project_files(named);
    for id in workspace.note_ids() {
        let note = workspace.note(id);
        let Some(fm) = &note.syntax.front_matter else {
            continue;
        };
        let folder = note.file.path.parent().unwrap_or(&root).to_path_buf();
        let declared: Vec<PathBuf> = fm
            .bibliography
            .iter()
            .filter_map(|d| {
                [&folder, &root]
                    .into_iter()
                    .filter_map(|base| super::load::join_inside(&root, base, &d.value))
                    .find(|path| files.contains(path))
            })
            .collect();
        workspace.set_declared(id, declared);
    }
}

fn files(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            out.push((path.trim().to_string(), String::new()));
        } else if let Some((_, content)) = out.last_mut() {
            content.push_str(line);
        }
    }
    out
}

impl Fixture {
    pub fn cursor(&self) -> (NoteId, usize) {
        self.cursor.expect("the fixture has a $0 cursor")
    }

    /// `path:line:col-line:col` of a range in a file, 1-based, for
    /// snapshots.
    pub fn show(&self, file: super::FileId, range: &std::ops::Range<usize>) -> String {
        let source = self.workspace.source(file).expect("a file of the fixture");
        let unit = crate::line_index::ColumnUnit::Utf32;
        let start = source
            .line_index()
            .line_col(source.text(), range.start, unit);
        let end = source.line_index().line_col(source.text(), range.end, unit);
        let rel = Path::new(&source.rel).display();
        format!(
            "{rel}:{}:{}-{}:{} {:?}",
            start.line + 1,
            start.col + 1,
            end.line + 1,
            end.col + 1,
            &source.text()[range.clone()]
        )
    }
}
