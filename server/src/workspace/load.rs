//! Loading a workspace from disk: walk, read and parse in parallel, then
//! index; and the pieces the language server reuses to load one file.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use super::bibliography::BibFormat;
use super::config::{Config, CONFIG_FILE};
use super::walk;
use super::{Bibliography, FileProblem, MissingBibliography, Note, NoteId, SourceFile, Workspace};
use crate::syntax::{parse_note, NoteSyntax, Spanned};

/// `gloss.toml` is a few lines; anything bigger is not a configuration.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// The workspace root for `path`: the nearest ancestor (itself included)
/// holding `gloss.toml`, else the nearest holding `.git`, else the path itself
/// (its folder for a file).
pub fn find_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    let start = start.canonicalize().unwrap_or(start);
    for marker in [CONFIG_FILE, ".git"] {
        if let Some(found) = start.ancestors().find(|dir| dir.join(marker).exists()) {
            return found.to_path_buf();
        }
    }
    start
}

/// Reads a file, never failing: problems are recorded on the file.
pub fn read_source(root: &Path, path: &Path, limit: u64) -> SourceFile {
    let (text, problem) = match read_text(path, limit) {
        Ok(read) => read,
        Err(error) => (
            String::new(),
            Some(FileProblem::Unreadable {
                message: error.to_string(),
            }),
        ),
    };
    SourceFile::new(root, path.to_path_buf(), text, problem)
}

/// The text of a file, read lossily if it is not UTF-8, or nothing if it is
/// over `limit` bytes.
fn read_text(path: &Path, limit: u64) -> std::io::Result<(String, Option<FileProblem>)> {
    let mut file = fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Ok((String::new(), Some(FileProblem::TooLarge { size, limit })));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    std::io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            (text, Some(FileProblem::InvalidUtf8 { offset }))
        }
    })
}

/// Reads and parses the note at `path`.
pub fn load_note(root: &Path, path: &Path, config: &Config) -> Note {
    let file = read_source(root, path, config.max_note_size);
    let syntax = if matches!(file.problem, Some(FileProblem::TooLarge { .. })) {
        NoteSyntax::default()
    } else {
        parse_note(&file.text)
    };
    Note::new(config, file, syntax)
}

/// Reads and parses the bibliography at `path`.
pub fn load_bibliography(
    root: &Path,
    path: &Path,
    format: BibFormat,
    config: &Config,
) -> Bibliography {
    Bibliography::new(
        read_source(root, path, config.max_bibliography_size),
        format,
    )
}

/// Joins `relative` onto `base` lexically, refusing to leave `root`.
pub(crate) fn join_inside(root: &Path, base: &Path, relative: &str) -> Option<PathBuf> {
    let mut out = base.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                if !out.pop() || !out.starts_with(root) {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    out.starts_with(root).then_some(out)
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// A declared bibliography: where it is, or why it cannot be loaded.
fn check_declared(path: Option<PathBuf>) -> Result<(PathBuf, BibFormat), String> {
    let path = path.ok_or_else(|| "it is outside the workspace".to_string())?;
    let format = BibFormat::from_path(&path)
        .ok_or_else(|| "only .bib, .bibtex and CSL .json files are read".to_string())?;
    if path.is_file() {
        Ok((path, format))
    } else {
        Err("no such file".to_string())
    }
}

impl Workspace {
    /// Loads every note and bibliography under `root` with `config`.
    pub fn load(root: &Path, config: Config) -> Workspace {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let config_path = root.join(CONFIG_FILE);
        let config_file = config_path
            .is_file()
            .then(|| read_source(&root, &config_path, MAX_CONFIG_SIZE));
        let found = walk::walk(&root, &config);
        let notes: Vec<Note> = found
            .notes
            .par_iter()
            .map(|path| load_note(&root, path, &config))
            .collect();

        let mut workspace = Workspace::new(root, config, config_file);
        for note in notes {
            workspace.set_note(note);
        }

        let wanted = workspace.bibliographies_to_load(found.bibliographies);
        let (root, config) = (&workspace.root, &workspace.config);
        let bibliographies = wanted
            .par_iter()
            .map(|(path, format)| load_bibliography(root, path, *format, config))
            .collect();
        workspace.set_bibliographies(bibliographies);
        workspace
    }

    /// Every bibliography the workspace uses: those `found` by walking, those
    /// notes declare, and those configured; each once. Missing ones are
    /// recorded.
    pub fn bibliographies_to_load(&mut self, found: Vec<PathBuf>) -> Vec<(PathBuf, BibFormat)> {
        let mut wanted: Vec<(PathBuf, BibFormat)> =
            found.into_iter().map(|p| (p, BibFormat::BibTeX)).collect();
        for id in self.note_ids() {
            wanted.extend(self.declared_bibliographies(id));
        }
        self.missing_bibliographies.retain(|m| m.note.is_some());
        wanted.extend(self.configured_bibliographies());
        let mut seen = HashSet::new();
        wanted.retain(|(path, _)| seen.insert(path.clone()));
        wanted
    }

    /// The bibliographies note `id` declares in its front matter that exist;
    /// those that do not are recorded as missing.
    pub fn declared_bibliographies(&mut self, id: NoteId) -> Vec<(PathBuf, BibFormat)> {
        let note = self.note(id);
        let Some(fm) = &note.syntax.front_matter else {
            return Vec::new();
        };
        let dir = note.file.path.parent().unwrap_or(&self.root).to_path_buf();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for declared in &fm.bibliography {
            match check_declared(join_inside(&self.root, &dir, &declared.value)) {
                Ok(bib) => found.push(bib),
                Err(reason) => missing.push(MissingBibliography {
                    note: Some(id),
                    declared: declared.clone(),
                    reason,
                }),
            }
        }
        self.missing_bibliographies.retain(|m| m.note != Some(id));
        self.missing_bibliographies.extend(missing);
        found
    }

    /// The bibliographies named in `gloss.toml`. They are the workspace
    /// owner's choice and may live anywhere, such as a Zotero export in the
    /// home folder.
    fn configured_bibliographies(&mut self) -> Vec<(PathBuf, BibFormat)> {
        let mut found = Vec::new();
        for file in self.config.bibliography_files.clone() {
            let path = expand_home(&file);
            let path = if path.is_absolute() {
                path
            } else {
                self.root.join(path)
            };
            match check_declared(Some(path)) {
                Ok(bib) => found.push(bib),
                Err(reason) => self.missing_bibliographies.push(MissingBibliography {
                    note: None,
                    declared: Spanned {
                        value: file,
                        range: 0..0,
                    },
                    reason,
                }),
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_the_root() {
        let root = Path::new("/vault");
        let dir = Path::new("/vault/papers");
        assert_eq!(
            join_inside(root, dir, "../refs.bib"),
            Some(PathBuf::from("/vault/refs.bib"))
        );
        assert_eq!(join_inside(root, dir, "../../etc/passwd"), None);
        assert_eq!(join_inside(root, dir, "/etc/passwd"), None);
        assert_eq!(
            join_inside(root, dir, "a/./b.bib"),
            Some(PathBuf::from("/vault/papers/a/b.bib"))
        );
    }
}
