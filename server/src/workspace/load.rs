//! Loading a workspace from disk: walk, read and parse in parallel, then
//! build the glossary and the indexes.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use super::bibliography::{self, BibFormat};
use super::config::{Config, CONFIG_FILE};
use super::names::normalize;
use super::resolve::Target;
use super::walk::{self, relative};
use super::{
    glossary, suggest, Bibliography, FileProblem, GlossaryEntry, KeyLocation, MissingBibliography,
    Note, SourceFile, Workspace,
};
use crate::line_index::LineIndex;
use crate::syntax::{parse_note, NoteSyntax, Spanned};

/// Bibliographies larger than this are not read (a 100k-entry export is
/// about 50 MB).
const MAX_BIBLIOGRAPHY_SIZE: u64 = 256 * 1024 * 1024;

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
fn read_source(root: &Path, path: &Path, limit: u64) -> SourceFile {
    let rel = relative(root, path);
    let (text, problem) = match read_text(path, limit) {
        Ok(read) => read,
        Err(error) => (
            String::new(),
            Some(FileProblem::Unreadable {
                message: error.to_string(),
            }),
        ),
    };
    SourceFile {
        path: path.to_path_buf(),
        rel,
        line_index: LineIndex::new(&text),
        text,
        problem,
    }
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

fn load_note(root: &Path, path: &Path, config: &Config) -> Note {
    let file = read_source(root, path, config.max_note_size);
    let syntax = if matches!(file.problem, Some(FileProblem::TooLarge { .. })) {
        NoteSyntax::default()
    } else {
        parse_note(&file.text)
    };
    Note { file, syntax }
}

fn load_bibliography(root: &Path, path: &Path, format: BibFormat) -> Bibliography {
    let file = read_source(root, path, MAX_BIBLIOGRAPHY_SIZE);
    let parsed = bibliography::parse(&file.text, format);
    Bibliography {
        file,
        format,
        entries: parsed.entries,
        errors: parsed.errors,
    }
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

impl Workspace {
    /// Loads every note and bibliography under `root` with `config`.
    pub fn load(root: &Path, config: Config) -> Workspace {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let config_path = root.join(CONFIG_FILE);
        let config_file = config_path
            .is_file()
            .then(|| read_source(&root, &config_path, MAX_BIBLIOGRAPHY_SIZE));
        let found = walk::walk(&root, &config);
        let notes: Vec<Note> = found
            .notes
            .par_iter()
            .map(|path| load_note(&root, path, &config))
            .collect();

        let mut missing = Vec::new();
        let mut bib_paths: Vec<(PathBuf, BibFormat)> = found
            .bibliographies
            .iter()
            .map(|p| (p.clone(), BibFormat::BibTeX))
            .collect();
        for declared in declared_bibliographies(&root, &config, &notes, &mut missing) {
            bib_paths.push(declared);
        }
        let mut seen = HashSet::new();
        bib_paths.retain(|(path, _)| seen.insert(path.clone()));
        let bibliographies: Vec<Bibliography> = bib_paths
            .par_iter()
            .map(|(path, format)| load_bibliography(&root, path, *format))
            .collect();

        Workspace::from_parts(root, config, config_file, notes, bibliographies, missing)
    }

    /// Builds the glossary and indexes from loaded files.
    pub fn from_parts(
        root: PathBuf,
        config: Config,
        config_file: Option<SourceFile>,
        notes: Vec<Note>,
        bibliographies: Vec<Bibliography>,
        missing_bibliographies: Vec<MissingBibliography>,
    ) -> Workspace {
        // Per-note work (glossary entries, normalised names) runs in
        // parallel; only the merge into the indexes is sequential.
        let per_note: Vec<(Vec<GlossaryEntry>, Vec<String>)> = notes
            .par_iter()
            .enumerate()
            .map(|(id, note)| {
                let is_glossary_file = config
                    .glossary_files
                    .iter()
                    .any(|f| f == &note.file.rel || note.file.rel.ends_with(&format!("/{f}")));
                let entries = glossary::entries(
                    &note.file.text,
                    &note.syntax.blocks,
                    id,
                    is_glossary_file,
                    &config.glossary_section_names,
                );
                let mut names = vec![normalize(note.stem())];
                if let Some(fm) = &note.syntax.front_matter {
                    names.extend(
                        fm.title
                            .iter()
                            .chain(&fm.aliases)
                            .map(|n| normalize(&n.value)),
                    );
                }
                (entries, names)
            })
            .collect();

        let mut names: HashMap<String, Vec<Target>> = HashMap::new();
        let mut add = |key: String, target: Target| {
            if !key.is_empty() {
                let targets = names.entry(key).or_default();
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        };
        let mut glossary = Vec::new();
        for (entries, _) in &per_note {
            for entry in entries {
                for name in entry.names() {
                    add(normalize(&name.value), Target::Glossary(glossary.len()));
                }
                glossary.push(entry.clone());
            }
        }
        let mut paths = HashMap::new();
        for (id, (note, (_, note_names))) in notes.iter().zip(per_note).enumerate() {
            for name in note_names {
                add(name, Target::Note(id));
            }
            let path = super::strip_note_extension(&note.file.rel).to_lowercase();
            paths.insert(path, id);
        }

        let mut keys: HashMap<String, Vec<KeyLocation>> = HashMap::new();
        for (bib, file) in bibliographies.iter().enumerate() {
            for (entry, e) in file.entries.iter().enumerate() {
                keys.entry(e.key.clone())
                    .or_default()
                    .push(KeyLocation { bib, entry });
            }
        }

        let suggestions = suggest::Candidates::new(
            glossary
                .iter()
                .flat_map(|e| e.names().map(|n| n.value.clone()))
                .chain(notes.iter().map(|n| n.stem().to_string())),
            keys.keys().cloned(),
        );

        Workspace {
            root,
            config,
            config_file,
            notes,
            bibliographies,
            glossary,
            missing_bibliographies,
            names,
            paths,
            keys,
            suggestions,
        }
    }
}

/// Bibliographies named in front matter and in `gloss.toml`. Those that do not
/// exist go to `missing`.
fn declared_bibliographies(
    root: &Path,
    config: &Config,
    notes: &[Note],
    missing: &mut Vec<MissingBibliography>,
) -> Vec<(PathBuf, BibFormat)> {
    let mut out = Vec::new();
    let mut check = |path: Option<PathBuf>, declared: &Spanned<String>, note: Option<usize>| {
        let reason = match &path {
            None => Some("it is outside the workspace".to_string()),
            Some(path) => match BibFormat::from_path(path) {
                None => Some("only .bib, .bibtex and CSL .json files are read".to_string()),
                Some(_) if !path.is_file() => Some("no such file".to_string()),
                Some(format) => {
                    out.push((path.clone(), format));
                    None
                }
            },
        };
        if let Some(reason) = reason {
            missing.push(MissingBibliography {
                note,
                declared: declared.clone(),
                reason,
            });
        }
    };
    for (id, note) in notes.iter().enumerate() {
        let Some(fm) = &note.syntax.front_matter else {
            continue;
        };
        let dir = note.file.path.parent().unwrap_or(root);
        for declared in &fm.bibliography {
            check(join_inside(root, dir, &declared.value), declared, Some(id));
        }
    }
    // Configured files are the workspace owner's choice and may live
    // anywhere, such as a Zotero export in the home folder.
    for file in &config.bibliography_files {
        let path = expand_home(file);
        let path = if path.is_absolute() {
            path
        } else {
            root.join(path)
        };
        let declared = Spanned {
            value: file.clone(),
            range: 0..0,
        };
        check(Some(path), &declared, None);
    }
    out
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
