//! Loading a workspace from disk: walk, read and parse in parallel, then
//! index; and the pieces the language server reuses to load one file.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::bibliography::BibFormat;
use super::cache::{Hash, IndexCache, Record, Stat};
use super::config::{Config, CONFIG_FILE, MAX_CONFIG_SIZE};
use super::read::{permitted, read_file, Access, Origin, ReadError};
use super::walk::{self, VAULT_MARKERS};
use super::{
    quarto, Bibliography, FileProblem, MissingBibliography, Note, NoteId, Reader, SourceFile,
    Workspace,
};
use crate::syntax::{markup_count, parse_note, NoteSyntax, Spanned, MAX_MARKUP};

/// Notes parsed in parallel before they are added to the workspace
/// ([`Workspace::load_cached`]): enough to keep both cores busy, few
/// enough that parsed notes waiting to be added take little memory.
const LOAD_BATCH: usize = 1000;

/// The workspace root for `path`: the nearest ancestor (itself included)
/// holding `gloss.toml` or `.obsidian/`, looking no higher than the nearest
/// folder holding `.git` (a configuration above a repository belongs to
/// another project); else that `.git` folder; else the path itself (its
/// folder for a file).
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
    for dir in start.ancestors() {
        if VAULT_MARKERS.iter().any(|m| dir.join(m).exists()) {
            return dir.to_path_buf();
        }
        if dir.join(".git").exists() {
            return dir.to_path_buf();
        }
    }
    start
}

/// Reads a file through [`read_file`], never failing: problems are recorded
/// on the file.
pub fn read_source(access: Access, path: &Path, origin: Origin, limit: u64) -> SourceFile {
    let (text, problem) = match read_file(&access, path, origin, limit) {
        Ok(bytes) => super::text::decode(bytes),
        Err(ReadError::TooLarge { size, limit }) => {
            (String::new(), Some(FileProblem::TooLarge { size, limit }))
        }
        Err(error) => (
            String::new(),
            Some(FileProblem::Unreadable {
                message: error.to_string(),
            }),
        ),
    };
    SourceFile::new(access.root, path.to_path_buf(), text, problem)
}

fn access<'a>(root: &'a Path, config: &Config) -> Access<'a> {
    Access {
        root,
        confined: config.confined,
    }
}

/// Reads and parses the note at `path`.
pub fn load_note(root: &Path, path: &Path, config: &Config) -> Note {
    load_note_cached(root, path, config, None, None).0
}

/// Reads the note at `path` and parses it, through `cache` when given:
/// the note (with the hash its syntax is cached under), and whether its
/// syntax came from the cache. With a `reader` (texts left on disk), a
/// note whose file is as the cache recorded it is not read at all
/// ([`IndexCache::unchanged`]).
pub fn load_note_cached(
    root: &Path,
    path: &Path,
    config: &Config,
    cache: Option<&IndexCache>,
    reader: Option<&Arc<Reader>>,
) -> (Note, bool) {
    load(root, path, config, cache, reader, false)
}

/// Reads the note at `path` as [`load_note_cached`] does, but parses it
/// only if its syntax is not in `cache` and its names cannot be known
/// without parsing it ([`Note::names_only`]). What a vault's notes are
/// read with first, so that an open note's diagnostics need not wait for
/// every note to be parsed.
pub fn load_note_names_first(
    root: &Path,
    path: &Path,
    config: &Config,
    cache: Option<&IndexCache>,
    reader: Option<&Arc<Reader>>,
) -> (Note, bool) {
    load(root, path, config, cache, reader, true)
}

fn load(
    root: &Path,
    path: &Path,
    config: &Config,
    cache: Option<&IndexCache>,
    reader: Option<&Arc<Reader>>,
    names_first: bool,
) -> (Note, bool) {
    if let Some((cache, reader)) = cache.zip(reader) {
        if let Some((syntax, record)) = cache.unchanged(path, config.max_note_size) {
            let len = record.text_len();
            let file = SourceFile::left_on_disk(root, path.to_path_buf(), reader, len, record.hash);
            let heading = record.first_heading.clone();
            let mut note = Note::without_glossary(config, file, syntax, heading);
            note.read_as = Some(Box::new(record.stat));
            return (from_cache(note, record.hash), true);
        }
    }
    // Looked at before the read: if the file looks the same when the
    // cache is saved, the text read is the file's.
    let read_as = cache.and_then(|_| Stat::of(path)).map(Box::new);
    let (note, hit) = read_and_parse(root, path, config, cache, names_first);
    (Note { read_as, ..note }, hit)
}

fn read_and_parse(
    root: &Path,
    path: &Path,
    config: &Config,
    cache: Option<&IndexCache>,
    names_first: bool,
) -> (Note, bool) {
    let mut file = read_source(
        access(root, config),
        path,
        Origin::Repository,
        config.max_note_size,
    );
    if let Some(problem) = unparsable(file.text()) {
        file = SourceFile::new(root, file.path, String::new(), Some(problem));
    }
    if let Some(FileProblem::TooLarge { .. } | FileProblem::TooDense { .. }) =
        file.problem.as_deref()
    {
        return (Note::new(config, file, NoteSyntax::default()), false);
    }
    let (cached, cache_key) = match cache {
        Some(cache) => {
            let (cached, key) = cache.cached(file.text());
            (cached, Some(key))
        }
        None => (None, None),
    };
    if let Some((syntax, key)) = cached.zip(cache_key) {
        return (from_cache(Note::new(config, file, syntax), key), true);
    }
    // A file with a problem keeps it: it is parsed now, as it is.
    if names_first && file.problem.is_none() && !Note::names_need_parsing(config, &file) {
        return (Note::names_only(config, file, cache_key), false);
    }
    let syntax = parse_note(file.text());
    (
        cached_under(Note::new(config, file, syntax), cache_key),
        false,
    )
}

/// Parses whole the note read for its names only at `path`, whose text is
/// `text` ([`load_note_names_first`]).
pub fn parse_names_only(
    root: &Path,
    path: PathBuf,
    text: String,
    config: &Config,
    cache_key: Option<Hash>,
) -> Note {
    let file = SourceFile::new(root, path, text, None);
    let syntax = parse_note(file.text());
    cached_under(Note::new(config, file, syntax), cache_key)
}

/// `note`, whose syntax came from the index cache under `key`: its names
/// are the cache's, one copy of each already.
fn from_cache(note: Note, key: Hash) -> Note {
    let mut note = cached_under(note, Some(key));
    note.names_shared = true;
    note
}

/// `note`, whose syntax is what parsing gave, with the hash it is cached
/// under: none if front matter over the limit was dropped from it, which
/// another limit would keep.
fn cached_under(mut note: Note, cache_key: Option<Hash>) -> Note {
    note.cached_as = cache_key.filter(|_| note.front_matter_too_large.is_none());
    note
}

/// The record `cache` is to keep of `note` ([`IndexCache::record`]): for
/// a note whose syntax is cached, that was read without a problem and
/// defines no glossary entries (a note that does is read at each start),
/// at a path the cache file can hold (UTF-8).
pub fn cache_record(cache: &IndexCache, note: &Note) -> Option<(PathBuf, Record)> {
    let hash = note.cached_as?;
    if note.file.problem.is_some() || !note.glossary.is_empty() || note.is_names_only() {
        return None;
    }
    note.file.path.to_str()?;
    let path = &note.file.path;
    let read_as = note.read_as.as_deref()?;
    let len = note.file.text_len();
    let record = cache.record(path, read_as, hash, len, note.heading_title())?;
    Some((path.clone(), record))
}

/// What the notes of the workspace at `root` are read again through once
/// their texts are left on disk: None when `config` keeps them
/// ([`Config::texts_on_disk`]).
pub fn text_reader(root: &Path, config: &Config) -> Option<Arc<Reader>> {
    config.texts_on_disk.then(|| {
        Arc::new(Reader {
            root: root.to_path_buf(),
            confined: config.confined,
            limit: config.max_note_size,
        })
    })
}

/// Why a note's text must not be parsed, if it must not.
pub fn unparsable(text: &str) -> Option<FileProblem> {
    let count = markup_count(text);
    (count > MAX_MARKUP).then_some(FileProblem::TooDense {
        count,
        limit: MAX_MARKUP,
    })
}

/// A bibliography to load: where, in which format, and who named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedBibliography {
    pub path: PathBuf,
    pub format: BibFormat,
    pub origin: Origin,
}

/// A bibliography file the walk found.
fn found_bibliography(path: &Path) -> WantedBibliography {
    WantedBibliography {
        path: path.to_path_buf(),
        format: BibFormat::BibTeX,
        origin: Origin::Repository,
    }
}

/// Reads and parses a bibliography.
pub fn load_bibliography(
    root: &Path,
    wanted: &WantedBibliography,
    config: &Config,
) -> Bibliography {
    let file = read_source(
        access(root, config),
        &wanted.path,
        wanted.origin,
        config.max_bibliography_size,
    );
    Bibliography::new(file, wanted.format)
}

/// `gloss.toml` as a source file, for diagnostics that point into it.
pub fn load_config_file(root: &Path) -> Option<SourceFile> {
    let path = root.join(CONFIG_FILE);
    let access = Access {
        root,
        confined: true,
    };
    path.exists()
        .then(|| read_source(access, &path, Origin::Control, MAX_CONFIG_SIZE))
}

/// Joins `relative` onto `base` lexically, refusing to leave `root`.
pub(crate) fn join_inside(root: &Path, base: &Path, relative: &str) -> Option<PathBuf> {
    let (path, escaped) = join_lexically(base, relative, root);
    (!escaped && path.starts_with(root)).then_some(path)
}

/// Joins `relative` onto `base` lexically (`..` takes a folder off, `.`
/// stays), never going above `floor`: a `..` there stays there, as
/// Obsidian reads a link that climbs past the vault. Also says whether
/// something tried to go above it (a `..` too many, or an absolute path).
pub(crate) fn join_lexically(base: &Path, relative: &str, floor: &Path) -> (PathBuf, bool) {
    let mut out = base.to_path_buf();
    let mut escaped = false;
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir if out == floor || !out.starts_with(floor) => escaped = true,
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => escaped = true,
        }
    }
    (out, escaped)
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// A declared bibliography: where it is, or why it cannot be loaded
/// (missing, of an unknown format, or a link the read policy refuses).
fn check_declared(
    access: Access,
    path: Option<PathBuf>,
    origin: Origin,
) -> Result<WantedBibliography, String> {
    let path = path.ok_or_else(|| "it is outside the workspace".to_string())?;
    let format = BibFormat::from_path(&path)
        .ok_or_else(|| "only .bib, .bibtex, CSL .json and CSL .yaml files are read".to_string())?;
    permitted(&access, &path, origin).map_err(|e| e.to_string())?;
    Ok(WantedBibliography {
        path,
        format,
        origin,
    })
}

impl Workspace {
    /// Loads every note and bibliography under `root` with `config`.
    pub fn load(root: &Path, mut config: Config) -> Workspace {
        // Nothing would write the cache back.
        config.index_cache = false;
        Workspace::load_cached(root, config).0
    }

    /// [`Workspace::load`], parsing through the workspace's persistent
    /// cache when the configuration says so (`index_cache`): the
    /// workspace, and the cache with the number of notes whose syntax came
    /// from it, for [`Workspace::save_index_cache`] once the workspace's
    /// diagnostics are out.
    pub fn load_cached(root: &Path, config: Config) -> (Workspace, Option<(IndexCache, usize)>) {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let config_file = load_config_file(&root);
        let (mut found, mut cache) = rayon::join(
            || walk::walk(&root, &config),
            || config.index_cache.then(|| IndexCache::open(&root, &config)),
        );
        // The bibliography files found are read before the notes: parsing
        // one holds several times its size for a while (66 MB for a 20k-entry
        // file), which then does not add to the notes'.
        let found_bibliographies: Vec<(PathBuf, Bibliography)> = found
            .bibliographies
            .par_iter()
            .map(|path| {
                let bibliography = load_bibliography(&root, &found_bibliography(path), &config);
                (path.clone(), bibliography)
            })
            .collect();
        let mut workspace = Workspace::new(root, config, config_file);
        workspace.record_walk(&mut found);
        workspace.nested_roots = found.nested;

        let reader = text_reader(&workspace.root, &workspace.config);
        let sharer = crate::syntax::NameSharer::new();
        workspace.reserve_notes(found.notes.len());
        let mut hits = 0;
        // Parsed in parallel a batch at a time and added to the workspace
        // after each: all the notes parsed before any is added would be
        // held twice for a while (47 MB at 100k notes).
        for batch in found.notes.chunks(LOAD_BATCH) {
            let notes: Vec<(Note, bool)> = batch
                .par_iter()
                .map(|path| {
                    let (root, config) = (&workspace.root, &workspace.config);
                    let (mut note, hit) =
                        load_note_cached(root, path, config, cache.as_ref(), reader.as_ref());
                    // While the text is at hand (`set_note` would do it too).
                    if workspace.reads_keys_as_pandoc(&note.file.rel) {
                        note.read_keys_as_pandoc();
                    }
                    if let Some(reader) = &reader {
                        note.leave_text_on_disk(reader);
                    }
                    note.share_names(&sharer);
                    (note, hit)
                })
                .collect();
            for (note, hit) in notes {
                hits += usize::from(hit);
                workspace.set_note(note);
            }
        }
        cache.iter_mut().for_each(IndexCache::loaded);

        let wanted = workspace.bibliographies_to_load(found.bibliographies);
        let mut read: HashMap<PathBuf, Bibliography> = found_bibliographies.into_iter().collect();
        // The walk's are first in `wanted`, each as read above; the rest
        // (declared by notes, configured, of projects) are read now.
        let wanted: Vec<Result<Bibliography, WantedBibliography>> = wanted
            .into_iter()
            .map(|wanted| {
                let early = (wanted == found_bibliography(&wanted.path))
                    .then(|| read.remove(&wanted.path))
                    .flatten();
                early.ok_or(wanted)
            })
            .collect();
        let (root, config) = (&workspace.root, &workspace.config);
        let bibliographies = wanted
            .into_par_iter()
            .map(|wanted| wanted.unwrap_or_else(|w| load_bibliography(root, &w, config)))
            .collect();
        workspace.set_bibliographies(bibliographies);
        (workspace, cache.map(|cache| (cache, hits)))
    }

    /// Writes `cache` anew with the syntax of every note loaded through
    /// it, unless it holds just those already. Returns whether it wrote.
    pub fn save_index_cache(&self, cache: IndexCache) -> bool {
        let cached: Vec<_> = self
            .notes()
            .filter_map(|(_, n)| Some((n.cached_as?, &n.syntax)))
            .collect();
        let hashes = cached.iter().map(|(hash, _)| *hash).collect();
        let notes: Vec<&Note> = self.notes().map(|(_, n)| n).collect();
        let records = notes
            .par_iter()
            .filter_map(|note| cache_record(&cache, note))
            .collect();
        // Encoded a batch at a time: all at once, every note's encoding
        // would be held until the last is written (110 MB at 100k notes).
        cache.save(&hashes, records, |writer| {
            for batch in cached.chunks(LOAD_BATCH) {
                writer.add(batch, true);
            }
        })
    }

    /// Records what the walk `found` besides the notes and bibliographies
    /// to load: the folders it could not read, those whose ignore files
    /// keep a bibliography out, the files links may name (a bibliography
    /// too: `[refs](refs.bib)`) and the folders, and the projects their
    /// configuration files describe.
    pub fn record_walk(&mut self, found: &mut walk::Found) {
        self.set_unreadable_folders(std::mem::take(&mut found.unreadable));
        self.set_kept_out_bibliographies(&found.keeping_out_bibliographies);
        let files: Vec<PathBuf> = (found.others.iter())
            .chain(&found.bibliographies)
            .cloned()
            .collect();
        self.set_other_files(&files, &found.folders);
        self.load_quarto_projects();
    }

    /// Every bibliography the workspace uses: those `found` by walking, those
    /// notes declare, those configured and those the user named; each once.
    /// Missing ones are recorded.
    pub fn bibliographies_to_load(&mut self, found: Vec<PathBuf>) -> Vec<WantedBibliography> {
        let mut wanted: Vec<WantedBibliography> =
            found.iter().map(|path| found_bibliography(path)).collect();
        for id in self.note_ids() {
            wanted.extend(self.declared_bibliographies(id));
        }
        self.missing_bibliographies.retain(|m| m.note.is_some());
        let mut groups = self.project_bibliographies();
        groups.push(self.configured_bibliographies());
        // A Quarto project's files are its pages' (its groups come first,
        // one per project); a defaults file's and `gloss.toml`'s, every
        // note's.
        let mut named: HashMap<PathBuf, Vec<Option<String>>> = HashMap::new();
        for (i, group) in groups.iter().enumerate() {
            let folder = self.quarto_projects.get(i).map(|p| p.folder.clone());
            for wanted in group {
                named
                    .entry(wanted.path.clone())
                    .or_default()
                    .push(folder.clone());
            }
        }
        self.declared.set_project_files(named);
        self.loaded_together.projects = groups
            .iter()
            .filter(|group| group.len() > 1)
            .map(|group| group.iter().map(|w| w.path.clone()).collect())
            .collect();
        wanted.extend(groups.into_iter().flatten());
        let mut seen = HashSet::new();
        wanted.retain(|w| seen.insert(w.path.clone()));
        wanted
    }

    /// Whether the bibliography at `path`, not there, is one an ignore
    /// file keeps out of the repository ([`super::walk::is_ignored`]).
    fn kept_out(&self, path: Option<&Path>) -> bool {
        path.is_some_and(|p| !p.exists() && super::walk::is_ignored(&self.root, p, &self.config))
    }

    /// The bibliographies note `id` declares in its front matter that exist;
    /// those that do not are recorded as missing.
    pub fn declared_bibliographies(&mut self, id: NoteId) -> Vec<WantedBibliography> {
        let note = self.note(id);
        let Some(fm) = &note.syntax.front_matter else {
            return Vec::new();
        };
        let dir = note.file.path.parent().unwrap_or(&self.root).to_path_buf();
        // Pandoc reads a relative path from where it runs: the note's
        // folder, its Quarto project or the workspace root, as found.
        let project = self
            .quarto_projects
            .iter()
            .find(|p| p.contains(&note.file.rel))
            .map(|p| self.root.join(&p.folder));
        // R Markdown and Quarto run Pandoc in the document's folder.
        let bases: Vec<PathBuf> = match self.is_knitted(id) {
            true => vec![dir],
            false => [Some(dir), project, Some(self.root.clone())]
                .into_iter()
                .flatten()
                .collect(),
        };
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for declared in &fm.bibliography {
            // Written anew by the note's own chunks as it is knitted: any
            // key may be in it, as in one an ignore file keeps out; what
            // is there now still answers hovers.
            let written = self.code_writes_bibliography(id, &declared.value);
            // A path out of the workspace (`/Users/me/Zotero/library.bib`,
            // `../shared/refs.bib`) is the author's own library: read, as
            // Pandoc reads it, where the read policy lets a bibliography
            // be read outside (never with `--untrusted`).
            let outside = |base: &PathBuf| {
                let path = Path::new(&declared.value);
                (!self.config.confined).then(|| match path.is_absolute() {
                    true => path.to_path_buf(),
                    false => base.join(path),
                })
            };
            // The first base where the file exists (asked only until then),
            // else the note's folder, for the message.
            let mut joined = bases.iter().map(|base| {
                join_inside(&self.root, base, &declared.value).or_else(|| outside(base))
            });
            let first = joined.next().flatten();
            let path = match &first {
                Some(path) if path.exists() => first,
                _ => joined.flatten().find(|path| path.exists()).or(first),
            };
            let checked = check_declared(
                access(&self.root, &self.config),
                path.clone(),
                Origin::Repository,
            );
            match checked {
                Ok(bib) => {
                    if written {
                        missing.push(MissingBibliography {
                            note: Some(id),
                            declared: declared.clone(),
                            reason: "the note's code writes it anew".to_string(),
                            kept_out: true,
                        });
                    }
                    found.push(bib)
                }
                Err(reason) => missing.push(MissingBibliography {
                    note: Some(id),
                    declared: declared.clone(),
                    kept_out: written || self.kept_out(path.as_deref()),
                    reason,
                }),
            }
        }
        self.missing_bibliographies.retain(|m| m.note != Some(id));
        self.missing_bibliographies.extend(missing);
        self.set_declared(id, found.iter().map(|w| w.path.clone()).collect());
        match found.len() {
            0 | 1 => self.loaded_together.notes.remove(&id),
            _ => {
                let paths = found.iter().map(|w| w.path.clone()).collect();
                self.loaded_together.notes.insert(id, paths)
            }
        };
        found
    }

    /// Reads the `_quarto.yml` of every Quarto project and the
    /// `_bookdown.yml` of every bookdown book under the root (the walk
    /// lists them among the files that are not notes), and the Pandoc
    /// defaults files `gloss.toml` names.
    pub fn load_quarto_projects(&mut self) {
        let files: Vec<String> = self
            .files()
            .others()
            .map(|(_, rel)| rel.to_string())
            .filter(|rel| quarto::is_project_file(Path::new(rel)))
            .collect();
        // Manubot's build runs Pandoc with defaults files of its own.
        let manubot = self
            .files()
            .others()
            .filter(|(_, rel)| quarto::is_manubot_defaults_file(Path::new(rel)))
            .any(|(_, rel)| {
                let path = self.root.join(rel);
                let access = access(&self.root, &self.config);
                let file = read_source(access, &path, Origin::Control, MAX_CONFIG_SIZE);
                file.text().contains("pandoc-manubot-cite")
            });
        self.manubot = manubot;
        self.myst_projects = self.find_myst_projects();
        let (mut projects, mut books, mut no_citeproc) = (Vec::new(), Vec::new(), Vec::new());
        for rel in files {
            let path = self.root.join(&rel);
            let file = read_source(
                access(&self.root, &self.config),
                &path,
                Origin::Control,
                MAX_CONFIG_SIZE,
            );
            let (folder, name) = rel.rsplit_once('/').unwrap_or(("", &rel));
            match name {
                quarto::BOOKDOWN_FILE => books.push(quarto::parse_bookdown(folder, file.text())),
                name if quarto::is_other_bookdown_file(name) => {
                    let book = quarto::parse_bookdown(folder, file.text());
                    if book.chapters.is_some() {
                        books.push(book);
                    }
                }
                name if quarto::METADATA_FILES.contains(&name) => {
                    if quarto::turns_off_citeproc(file.text()) {
                        no_citeproc.push(folder.to_string());
                    }
                }
                _ => projects.push(quarto::parse(folder, file.text())),
            }
        }
        self.quarto_projects = projects;
        self.bookdown_books = books;
        self.set_no_citeproc(no_citeproc);
        self.pandoc_defaults = self
            .config
            .pandoc_defaults
            .iter()
            .map(|rel| {
                let file = read_source(
                    access(&self.root, &self.config),
                    &self.root.join(rel),
                    Origin::Control,
                    MAX_CONFIG_SIZE,
                );
                quarto::parse_defaults(file.text())
            })
            .collect();
        self.documents = std::sync::OnceLock::new();
        self.apply_key_rules();
    }

    /// The folders of MyST projects: where a `myst.yml` is (mystmd), or a
    /// `_config.yml` beside a `_toc.yml` (Jupyter Book 1).
    pub(crate) fn find_myst_projects(&self) -> Vec<String> {
        let others: HashSet<&str> = self.files().others().map(|(_, rel)| rel).collect();
        let mut folders: Vec<String> = others
            .iter()
            .filter_map(|rel| {
                let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
                let toc = |config: &str| match folder {
                    "" => others.contains(config),
                    _ => others.contains(format!("{folder}/{config}").as_str()),
                };
                (name == "myst.yml" || name == "_toc.yml" && toc("_config.yml"))
                    .then(|| folder.to_string())
            })
            .collect();
        folders.sort();
        folders.dedup();
        folders
    }

    /// The bibliographies of Quarto projects (`bibliography:` in
    /// `_quarto.yml`) and Pandoc defaults files (`bibliography`, and
    /// `metadata-files` that hold `references:`), which apply to every note
    /// of the project, a list per project. One that is missing is Quarto's
    /// or Pandoc's to report when it runs.
    fn project_bibliographies(&self) -> Vec<Vec<WantedBibliography>> {
        let holds_references = |path: &Path| {
            let file = read_source(
                access(&self.root, &self.config),
                path,
                Origin::Control,
                MAX_CONFIG_SIZE,
            );
            file.problem.is_none() && file.text().contains("references:")
        };
        let quarto = self.quarto_projects.iter().map(|p| {
            p.bibliography
                .iter()
                .map(|b| (self.root.join(&p.folder), b.as_str(), false))
                .collect::<Vec<_>>()
        });
        let defaults = self.pandoc_defaults.iter().map(|d| {
            let bibliographies = d.bibliography.iter().map(|b| (b.as_str(), false));
            // YAML among the inputs is metadata too (`pandoc refs.yml
            // content/*.md`).
            let yaml_inputs = d.inputs.iter().filter(|i| {
                let i = i.to_ascii_lowercase();
                i.ends_with(".yml") || i.ends_with(".yaml")
            });
            let metadata = d
                .metadata_files
                .iter()
                .chain(yaml_inputs)
                .map(|m| (m.as_str(), true));
            bibliographies
                .chain(metadata)
                .map(|(b, metadata)| (self.root.clone(), b, metadata))
                .collect()
        });
        // Manubot's build adds its references written by hand.
        let manual: Vec<String> = (self.files().others())
            .filter(|(_, rel)| self.manubot && quarto::is_manubot_manual_references(rel))
            .map(|(_, rel)| rel.to_string())
            .collect();
        let manubot = (!manual.is_empty()).then(|| {
            manual
                .iter()
                .map(|rel| (self.root.clone(), rel.as_str(), false))
                .collect()
        });
        // One group per project or defaults file: the files one build
        // loads together.
        quarto
            .chain(defaults)
            .chain(manubot)
            .map(|group| {
                group
                    .into_iter()
                    .filter_map(|(folder, declared, metadata)| {
                        let path = join_inside(&self.root, &folder, declared)
                            .filter(|p| p.exists() && (!metadata || holds_references(p)));
                        let access = access(&self.root, &self.config);
                        check_declared(access, path, Origin::Repository).ok()
                    })
                    .collect()
            })
            .collect()
    }

    /// The bibliographies named in `gloss.toml`, which may live anywhere,
    /// such as a Zotero export in the home folder (unless `--untrusted`
    /// confines the repository), and those the user named.
    fn configured_bibliographies(&mut self) -> Vec<WantedBibliography> {
        let mut found = Vec::new();
        let named = self
            .config
            .bibliography_files
            .iter()
            .map(|f| (f.clone(), Origin::Repository))
            .chain(
                self.config
                    .user_bibliographies
                    .iter()
                    .map(|p| (p.to_string_lossy().into_owned(), Origin::User)),
            )
            .map(|(file, origin)| (file, origin, false))
            .collect::<Vec<_>>();
        // A plugin's setting names the writer's file, which may not be
        // here: then it is no problem of the notes.
        let apps = (self.config.app_bibliographies.iter())
            .filter(|file| self.root.join(expand_home(file)).is_file())
            .map(|file| (file.clone(), Origin::Repository, true));
        let named: Vec<(String, Origin, bool)> = named.into_iter().chain(apps).collect();
        for (file, origin, optional) in named {
            let path = expand_home(&file);
            let path = if path.is_absolute() {
                path
            } else {
                self.root.join(path)
            };
            match check_declared(access(&self.root, &self.config), Some(path.clone()), origin) {
                Ok(bib) => found.push(bib),
                Err(_) if optional => {}
                Err(reason) => self.missing_bibliographies.push(MissingBibliography {
                    note: None,
                    declared: Spanned {
                        value: file,
                        range: 0..0,
                    },
                    reason,
                    kept_out: self.kept_out(Some(&path)),
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
