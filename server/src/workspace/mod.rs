//! The workspace model: every note and bibliography under a root, the
//! glossary they define, and the indexes that resolve names, paths and
//! citation keys.
//!
//! The model is updated one file at a time ([`Workspace::set_note`],
//! [`Workspace::remove_note`], [`Workspace::set_bibliography`]): a change to
//! one note touches only that note's entries in the indexes, so the language
//! server never redoes whole-workspace work on a keystroke.

mod anchors;
pub mod bibliography;
pub mod cache;
mod codes;
pub mod config;
pub mod dendron;
pub mod files;
#[cfg(test)]
pub(crate) mod fixture;
mod glossary;
mod knitr;
mod load;
mod mentions;
pub mod names;
mod note_paths;
pub mod quarto;
pub mod read;
mod resolve;
mod suggest;
mod text;
pub mod titles;
mod walk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, OnceLock};
use thin_vec::ThinVec;

pub use anchors::Anchor;
pub use bibliography::{BibEntry, BibError, BibFormat, Person};
pub use codes::{Code, Severity};
pub use config::{Config, ConfigError, CONFIG_FILE};

/// Whether `path` configures how the notes around it are read: a
/// `gloss.toml`, a `dendron.yml`, a Quarto project's or bookdown book's
/// configuration, a MyST project's. A change to one changes what every
/// note means.
pub fn is_configuration(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n == CONFIG_FILE || n == dendron::CONFIG_FILE || MYST_PROJECT_FILES.iter().any(|m| n == *m)
    }) || quarto::is_project_file(path)
}

/// The files that make a folder a MyST project ([`Workspace::myst_projects`]).
const MYST_PROJECT_FILES: [&str; 3] = ["myst.yml", "_toc.yml", "_config.yml"];
pub use files::FileRef;
pub use glossary::GlossaryEntry;
pub use load::{
    cache_record, find_root, load_bibliography, load_config_file, load_note, load_note_cached,
    load_note_names_first, parse_names_only, read_source, text_reader, unparsable,
    WantedBibliography,
};
pub use resolve::{absolute as path_of_rel, is_path_like, Resolution, Target};
pub use text::{when_changed as when_text_changed, Reader};
pub use walk::{
    ignore_rules, is_note, relative as walk_relative, resolves_inside, walk as walk_files,
    watched_kind, FileKind, Found,
};

use crate::line_index::LineIndex;
use crate::syntax::{LinkKind, NoteSyntax, Spanned};
use names::normalize;

/// A file a diagnostic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileId {
    Note(NoteId),
    Bibliography(BibId),
    /// `gloss.toml`
    Config,
    /// A folder the walk could not list.
    Folder(usize),
    /// A file that is not a note (an attachment): its index among the
    /// workspace's other files.
    Attachment(usize),
}

impl FileId {
    /// The file a link resolved to.
    pub fn of(file: FileRef) -> FileId {
        match file {
            FileRef::Note(note) => FileId::Note(note),
            FileRef::Other(index) => FileId::Attachment(index),
        }
    }
}

/// How a note is named by one of its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteName {
    /// Its file name without extension.
    Stem,
    /// Its front-matter `title`.
    Title,
    /// One of its front-matter `aliases`.
    Alias,
    /// Its Zettelkasten id ([`Note::zettel_id`]).
    Id,
}

/// What one name names.
type Targets = smallvec::SmallVec<[Target; 1]>;

/// What one of a note's names names: the note, or one of its glossary
/// entries (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Note(NoteName),
    Entry(usize),
}

/// A note's id, stable while the note exists.
pub type NoteId = usize;
pub type BibId = usize;

/// A glossary entry: the `index`-th entry defined in `note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryId {
    pub note: NoteId,
    pub index: usize,
}

/// Why a file could not be read as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Not valid UTF-8 from this byte on; the text was read lossily.
    InvalidUtf8 { offset: usize },
    /// Larger than the configured limit; not read.
    TooLarge { size: u64, limit: u64 },
    /// More line breaks and markup characters than
    /// [`crate::syntax::MAX_MARKUP`]; not parsed.
    TooDense { count: usize, limit: usize },
    /// The file system refused.
    Unreadable { message: String },
}

/// A source file: its path and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the workspace root, `/`-separated (absolute for files
    /// outside the root).
    pub rel: String,
    text: text::Text,
    /// Built on first use: most notes of a large vault never need a
    /// position (`gloss check` converts only where it reports).
    line_index: OnceLock<Box<LineIndex>>,
    /// Boxed: rare, and every note has the field.
    pub problem: Option<Box<FileProblem>>,
}

impl SourceFile {
    /// The file's text as it was parsed, read again (and kept) if it was
    /// left on disk ([`SourceFile::leave_text_on_disk`]).
    pub fn text(&self) -> &str {
        self.text.get(&self.path)
    }

    /// `f` of the file's text, which is read again for `f` alone if it was
    /// left on disk: for what is computed once and kept, or what most
    /// often finds nothing to report.
    pub fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        self.text.with(&self.path, f)
    }

    /// The line starts of the text. Kept on its own: a text left on disk
    /// is read for it, not kept for it.
    pub fn line_index(&self) -> &LineIndex {
        self.line_index
            .get_or_init(|| Box::new(self.with_text(LineIndex::new)))
    }

    /// Drops the text until something asks for it: it is then read again
    /// through `reader`. `hash`: the text's [`cache::hash`], if known.
    pub fn leave_text_on_disk(&mut self, reader: &Arc<Reader>, hash: Option<cache::Hash>) {
        self.text.leave_on_disk(reader, hash);
    }

    /// The length of the text in bytes, without reading it.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Whether the text is in memory: not left on disk, or read again.
    pub fn text_is_held(&self) -> bool {
        self.text.is_held()
    }

    /// Whether the text, read again, was no longer what was parsed: the
    /// file changed in between, and what is reported of it may point at
    /// the wrong places.
    pub fn changed_since_parsed(&self) -> bool {
        self.text.changed()
    }

    pub fn new(
        root: &Path,
        path: PathBuf,
        text: String,
        problem: Option<FileProblem>,
    ) -> SourceFile {
        SourceFile {
            rel: walk::relative(root, &path),
            path,
            line_index: OnceLock::new(),
            text: text::Text::held(text),
            problem: problem.map(Box::new),
        }
    }

    /// The file at `path`, not read: its text, `len` bytes hashing to
    /// `hash`, is read through `reader` when something asks for it.
    pub fn left_on_disk(
        root: &Path,
        path: PathBuf,
        reader: &Arc<Reader>,
        len: usize,
        hash: cache::Hash,
    ) -> SourceFile {
        SourceFile {
            rel: walk::relative(root, &path),
            path,
            line_index: OnceLock::new(),
            text: text::Text::on_disk(reader, len, hash),
            problem: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Note {
    pub file: SourceFile,
    pub syntax: NoteSyntax,
    /// The glossary entries this note defines: thin, as most notes
    /// define none.
    pub glossary: ThinVec<GlossaryEntry>,
    /// Front matter over `files.max-front-matter-size`, as (size, limit):
    /// reported, and its fields not used.
    /// Boxed: rare.
    pub front_matter_too_large: Option<Box<(u64, u64)>>,
    /// The hash of the text as read from disk, when the note was loaded
    /// through the index cache and its syntax is still what parsing gave
    /// (not cut by the front matter's size limit, nor its keys read by
    /// Pandoc's rule): the key its syntax is cached under.
    pub cached_as: Option<cache::Hash>,
    /// What the note's file looked like just before it was read, when it
    /// was loaded through the index cache: a record of it is written only
    /// if it still looks so. Boxed: only with the cache, and of use only
    /// until it is saved.
    pub read_as: Option<Box<cache::Stat>>,
    /// Set while only the note's names are read (the language server's
    /// first pass over a vault, see [`Note::names_only`]); it is parsed
    /// whole later. Boxed: every note has the field, few for long.
    names_only: Option<Box<NamesOnly>>,
    /// The first heading's text, when the front matter has no title: the
    /// note's title, kept apart so that listing titles (workspace symbols)
    /// reads no text left on disk.
    heading_title: Option<Box<str>>,
    /// Whether the note's names are shared already: a loader shared them
    /// among the notes it loaded ([`Note::share_names`]), or they came
    /// from the index cache's table of names. Adding the note then skips
    /// the lookups.
    names_shared: bool,
    /// Whether the note is a page of a Logseq graph, named by its file name
    /// decoded ([`names::logseq_page_name`]).
    logseq: bool,
    /// Whether links of its workspace may name it by its Zettelkasten id
    /// ([`Workspace::reads_zettel_ids`]).
    reads_zettel_ids: bool,
    anchors: anchors::Lazy<anchors::Anchors>,
    references: anchors::Lazy<HashMap<String, String>>,
}

impl Note {
    /// Builds a note from its file and syntax: finds its glossary entries
    /// and names.
    pub fn new(config: &Config, file: SourceFile, syntax: NoteSyntax) -> Note {
        Note::build(config, file, syntax, |file, syntax| {
            let glossary = glossary::entries(
                file.text(),
                &syntax.blocks,
                is_glossary_file(config, &file.rel),
                &config.glossary_section_names,
            );
            let heading = first_heading(syntax).map(|b| Box::from(&file.text()[b.content()]));
            (glossary, heading)
        })
    }

    /// Builds a note whose text is left on disk from what the index cache
    /// recorded of it: its syntax, the text of its first heading, and that
    /// it defines no glossary entries under this configuration.
    pub fn without_glossary(
        config: &Config,
        file: SourceFile,
        syntax: NoteSyntax,
        first_heading: Option<Box<str>>,
    ) -> Note {
        Note::build(config, file, syntax, |_, _| (Vec::new(), first_heading))
    }

    /// A note from its file and syntax, with the glossary entries and the
    /// text of the first heading that `from_text` finds (in the syntax as
    /// the front matter's size limit leaves it).
    fn build(
        config: &Config,
        file: SourceFile,
        mut syntax: NoteSyntax,
        from_text: impl FnOnce(&SourceFile, &NoteSyntax) -> (Vec<GlossaryEntry>, Option<Box<str>>),
    ) -> Note {
        let front_matter_size = syntax.front_matter_range.as_ref().map_or(0, |r| r.len()) as u64;
        let front_matter_too_large = (front_matter_size > config.max_front_matter_size)
            .then(|| Box::new((front_matter_size, config.max_front_matter_size)));
        if front_matter_too_large.is_some() {
            syntax.front_matter = None;
        }
        if config.dendron.is_some() {
            for link in &mut syntax.links {
                link.read_label_first(!link.kind.is_markdown());
            }
        }
        let (glossary, heading) = from_text(&file, &syntax);
        let titled = syntax
            .front_matter
            .as_ref()
            .is_some_and(|f| f.title.is_some());
        // Kept only where it is the title.
        let heading_title = heading.filter(|_| !titled);
        Note {
            file,
            syntax,
            glossary: glossary.into(),
            front_matter_too_large,
            cached_as: None,
            read_as: None,
            names_only: None,
            heading_title,
            names_shared: false,
            logseq: config.logseq,
            reads_zettel_ids: !config.is_an_apps(),
            anchors: anchors::Lazy::default(),
            references: anchors::Lazy::default(),
        }
    }

    /// Whether the names of the note of `file` can be known only by
    /// parsing it: it may define glossary entries. Otherwise
    /// [`Note::names_only`] knows them.
    pub fn names_need_parsing(config: &Config, file: &SourceFile) -> bool {
        glossary::may_define_terms(
            file.text(),
            is_glossary_file(config, &file.rel),
            &config.glossary_section_names,
        )
    }

    /// The note of `file` as far as other notes need it before it is
    /// parsed, for a note whose names need no parsing
    /// ([`Note::names_need_parsing`]): its front matter (title, aliases,
    /// bibliographies) and labels. Its names, and so what links and keys
    /// resolve to, are those of the parsed note; its anchors are not known
    /// (see [`Workspace::anchors`]). `cache_key` is the hash its parse is
    /// to be cached under.
    pub fn names_only(config: &Config, file: SourceFile, cache_key: Option<cache::Hash>) -> Note {
        let syntax = crate::syntax::names_only(file.text());
        let mut note = Note::new(config, file, syntax);
        note.names_only = Some(Box::new(NamesOnly { cache_key }));
        note
    }

    /// Whether only the note's names are read yet ([`Note::names_only`]).
    pub fn is_names_only(&self) -> bool {
        self.names_only.is_some()
    }

    /// The hash the parse of a note read for its names only is cached
    /// under.
    pub fn names_only_cache_key(&self) -> Option<cache::Hash> {
        self.names_only.as_ref().and_then(|n| n.cache_key)
    }

    /// Shares the note's names with the other notes `sharer` loads,
    /// unless they are shared already (they came from the index cache's
    /// table of names).
    pub fn share_names(&mut self, sharer: &crate::syntax::NameSharer) {
        if !self.names_shared {
            sharer.share(&mut self.syntax);
            self.names_shared = true;
        }
    }

    /// Normalised names this note puts in the index: its stem, title and
    /// aliases, and its entries' terms and aliases. Worked out when asked
    /// (on indexing the note and on an edit of it), not kept: a vault's
    /// every note would hold a second copy of the names index.
    pub(crate) fn keys(&self) -> Vec<(String, Key)> {
        let stem = stem(&self.file.rel);
        let name = match self.logseq {
            true => names::logseq_page_name(stem),
            false => stem.into(),
        };
        let mut keys = vec![(normalize(&name), Key::Note(NoteName::Stem))];
        // Outside a Logseq graph, `alias:: x` is someone else's field (a
        // Dataview one in Obsidian).
        let front_matter = (self.syntax.front_matter.as_ref())
            .filter(|_| self.logseq || !self.syntax.has_page_properties());
        if let Some(fm) = front_matter {
            let title = fm.title.iter().map(|t| (t, NoteName::Title));
            let aliases = fm.aliases.iter().map(|a| (a, NoteName::Alias));
            keys.extend(
                title
                    .chain(aliases)
                    .map(|(n, kind)| (normalize(&n.value), Key::Note(kind))),
            );
        }
        for (index, entry) in self.glossary.iter().enumerate() {
            keys.extend(
                entry
                    .names()
                    .map(|n| (normalize(&n.value), Key::Entry(index))),
            );
        }
        // A file named by its id alone has that name already.
        if let Some(id) = self.zettel_id().map(|id| id.to_string()) {
            if id != keys[0].0 {
                keys.push((id, Key::Note(NoteName::Id)));
            }
        }
        keys.retain(|(k, _)| !k.is_empty());
        keys
    }

    /// The note's Zettelkasten id, as Zettlr reads it: the first in its
    /// file name, else the first in its text. None in an app's workspace
    /// ([`Workspace::is_an_apps`]), whose links name files and pages only.
    pub fn zettel_id(&self) -> Option<crate::syntax::ZettelId> {
        if !self.reads_zettel_ids {
            return None;
        }
        self.zettel_id_in_file_name().or(self.syntax.zettel_id)
    }

    /// The first Zettelkasten id in the note's file name.
    pub fn zettel_id_in_file_name(&self) -> Option<crate::syntax::ZettelId> {
        let name = self.file.rel.rsplit('/').next().unwrap_or(&self.file.rel);
        crate::syntax::ZettelId::in_file_name(name)
    }

    /// Reads the note's citation keys by Pandoc's rule. Its syntax is then
    /// no longer what parsing gave, which is all the index cache may hold.
    fn read_keys_as_pandoc(&mut self) {
        if !self.syntax.pandoc_keys {
            let syntax = &mut self.syntax;
            self.file
                .with_text(|text| crate::syntax::read_keys_as_pandoc(syntax, text));
            self.cached_as = None;
            // Keys read again are new names.
            self.names_shared = false;
        }
    }

    /// The bibliography files its front matter names, as written.
    pub fn declared_bibliographies(&self) -> Vec<&str> {
        let front_matter = self.syntax.front_matter.as_ref();
        let declared = front_matter.map(|f| f.bibliography.iter().map(|b| b.value.as_str()));
        declared.into_iter().flatten().collect()
    }

    /// What the note puts in with `{{< include >}}`, as written: which
    /// notes make one document depends on it.
    pub fn includes(&self) -> impl Iterator<Item = &str> {
        self.syntax
            .links
            .iter()
            .filter(|l| l.kind == LinkKind::Include)
            .filter_map(|l| l.target().map(|t| t.value))
    }

    /// The texts of the headings and the block ids, in order: what links
    /// to this note's anchors are resolved against.
    pub fn anchor_names(&self) -> Vec<String> {
        self.file.with_text(|text| {
            self.syntax
                .blocks
                .iter()
                .filter(|b| matches!(b.kind, crate::syntax::BlockKind::Heading { .. }))
                .map(|b| text[b.content()].to_string())
                .chain(self.syntax.block_ids.iter().map(|b| b.id.value.clone()))
                .collect()
        })
    }

    /// Drops the note's text until something asks for it: it is then read
    /// again through `reader`. A note read for its names only is too: its
    /// parse reads the text again (holding every text of a vault until
    /// each note is parsed was the language server's peak at start).
    pub fn leave_text_on_disk(&mut self, reader: &Arc<Reader>) {
        let hash = self.cached_as.or(self.names_only_cache_key());
        self.file.leave_text_on_disk(reader, hash);
    }

    /// What `#…` can name in this note, indexed on first use: nothing
    /// while only its names are read (it has no blocks yet).
    pub fn anchors(&self) -> &anchors::Anchors {
        self.anchors.get_or_init(|| {
            self.file
                .with_text(|text| anchors::Anchors::new(text, &self.syntax))
        })
    }

    /// The destination of the link reference definition labelled `label`
    /// (compared as names are), indexed on first use.
    pub fn reference_definition(&self, label: &str) -> Option<&str> {
        self.references
            .get_or_init(|| {
                self.file.with_text(|text| {
                    self.syntax
                        .blocks
                        .iter()
                        .filter(|b| b.kind == crate::syntax::BlockKind::Line)
                        .filter_map(|b| crate::syntax::reference_definition(&text[b.content()]))
                        .map(|(label, destination)| (normalize(label), destination))
                        .collect()
                })
            })
            .get(&normalize(label))
            .map(String::as_str)
    }

    /// The names "did you mean" offers from this note: its entries' names
    /// as written, and its file name.
    pub(crate) fn suggestion_names(&self) -> impl Iterator<Item = String> + '_ {
        self.glossary
            .iter()
            .flat_map(|e| e.names().map(|s| s.value.clone()))
            .chain(std::iter::once(self.stem().to_string()))
    }

    /// The note's file name without extension.
    pub fn stem(&self) -> &str {
        stem(&self.file.rel)
    }

    /// The note's title: front matter `title`, else its first heading, else
    /// its file stem.
    pub fn title(&self) -> &str {
        if let Some(title) = self
            .syntax
            .front_matter
            .as_ref()
            .and_then(|f| f.title.as_ref())
        {
            return &title.value;
        }
        self.heading_title.as_deref().unwrap_or_else(|| self.stem())
    }

    /// The text of the first heading, where it is the note's title (the
    /// front matter has none).
    pub fn heading_title(&self) -> Option<&str> {
        self.heading_title.as_deref()
    }
}

fn first_heading(syntax: &NoteSyntax) -> Option<&crate::syntax::Block> {
    syntax
        .blocks
        .iter()
        .find(|b| matches!(b.kind, crate::syntax::BlockKind::Heading { .. }))
}

/// What a note read for its names only keeps for its parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NamesOnly {
    cache_key: Option<cache::Hash>,
}

/// Whether the note at `rel` is a glossary file: every list item in it
/// defines a term.
fn is_glossary_file(config: &Config, rel: &str) -> bool {
    config
        .glossary_files
        .iter()
        .any(|f| f == rel || rel.ends_with(&format!("/{f}")))
}

fn stem(rel: &str) -> &str {
    strip_note_extension(rel.rsplit('/').next().unwrap_or(rel))
}

/// `name` without a note's extension (`.md`, `.markdown`, `.qmd`, `.Rmd`,
/// any case).
pub(crate) fn strip_note_extension(name: &str) -> &str {
    for ext in [".md", ".markdown", ".qmd", ".rmd"] {
        // `get` returns None inside a multi-byte character (`Note A 😀`).
        let cut = name.len().saturating_sub(ext.len());
        if cut > 0
            && name
                .get(cut..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(ext))
        {
            return &name[..cut];
        }
    }
    name
}

#[derive(Debug, Clone)]
pub struct Bibliography {
    pub file: SourceFile,
    pub format: BibFormat,
    pub entries: Vec<BibEntry>,
    pub errors: Vec<BibError>,
    /// The file's `@string` definitions (BibTeX).
    pub strings: String,
    /// References already formatted, by (key, style).
    pub formatted: FormatCache,
    /// The note whose front matter holds these items (`references:`):
    /// they are that note's alone, as in Pandoc, and its `file` is the
    /// note's front matter (the note's path, offsets as in the note).
    pub owner: Option<NoteId>,
}

/// Formatted references of one bibliography. Formatting goes through the
/// CSL engine (about a millisecond); hovering the same paper again should
/// not. A clone starts empty.
#[derive(Debug, Default)]
pub struct FormatCache(std::sync::Mutex<HashMap<(String, String), Option<String>>>);

impl Clone for FormatCache {
    fn clone(&self) -> FormatCache {
        FormatCache::default()
    }
}

impl Bibliography {
    /// Parses the text of `file`.
    pub fn new(file: SourceFile, format: BibFormat) -> Bibliography {
        let parsed = bibliography::parse(file.text(), format);
        Bibliography {
            file,
            format,
            entries: parsed.entries,
            errors: parsed.errors,
            strings: parsed.strings,
            formatted: FormatCache::default(),
            owner: None,
        }
    }

    /// The `references:` of note `id`, read from `front_matter` (the note's
    /// text up to the end of its front matter; empty for none).
    fn of_note(id: NoteId, path: &Path, rel: &str, front_matter: &str) -> Bibliography {
        let file = SourceFile {
            path: path.to_path_buf(),
            rel: rel.to_string(),
            text: text::Text::held(front_matter.to_string()),
            line_index: OnceLock::new(),
            problem: None,
        };
        let mut bibliography = Bibliography::new(file, BibFormat::CslYaml);
        bibliography.owner = Some(id);
        bibliography
    }

    /// `entry` formatted in the citation style `style`, or None when the CSL
    /// engine cannot convert it.
    pub fn format_entry(&self, entry: &BibEntry, style: &str) -> Option<String> {
        let key = (entry.key.clone(), style.to_string());
        if let Some(done) = self
            .formatted
            .0
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return done;
        }
        let formatted =
            bibliography::csl::format(self.file.text(), &self.strings, self.format, entry, style);
        if let Ok(mut cache) = self.formatted.0.lock() {
            cache.insert(key, formatted.clone());
        }
        formatted
    }
}

/// Whether a key is a date (`2024-05-06`, `2024-05-06T10:00`), which no
/// bibliography names a paper by.
fn is_a_date(key: &str) -> bool {
    let b = key.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), None | Some(b'T'))
}

/// The key Manubot files entry `e` of its references written by hand
/// under ([`quarto::manubot_standard_id`]), read from the item's text.
fn manubot_standard_id(file: &Bibliography, e: &BibEntry) -> Option<String> {
    let text = file.file.text();
    let item = match file.format {
        BibFormat::CslJson => serde_json::from_str(text.get(e.range.clone())?).ok()?,
        BibFormat::CslYaml => bibliography::csl_yaml::item_value(text, e.range.clone())?,
        BibFormat::BibTeX => return None,
    };
    quarto::manubot_standard_id(&item)
}

/// A `bibliography:` in front matter, or a configured file, that could not be
/// loaded.
#[derive(Debug, Clone)]
pub struct MissingBibliography {
    /// The note that declares it; `None` for `gloss.toml`.
    pub note: Option<NoteId>,
    pub declared: Spanned<String>,
    pub reason: String,
    /// Whether an ignore file keeps the file out of the repository
    /// (`packages.bib`, which a bookdown book's `knitr::write_bib` chunk
    /// writes before Pandoc runs): then it is not reported, but any key
    /// may still be in it.
    pub kept_out: bool,
}

/// The bibliography files that are read together, two or more at a time.
#[derive(Debug, Default)]
pub(crate) struct LoadedTogether {
    /// By a note's `bibliography:`.
    notes: HashMap<NoteId, Vec<PathBuf>>,
    /// By a Quarto project, a Pandoc defaults file, `gloss.toml`.
    projects: Vec<Vec<PathBuf>>,
}

impl LoadedTogether {
    /// Whether one build reads the files at `a` and `b`.
    pub fn both(&self, a: &Path, b: &Path) -> bool {
        let mut groups = self.notes.values().chain(&self.projects);
        groups.any(|group| group.iter().any(|p| p == a) && group.iter().any(|p| p == b))
    }
}

/// The bibliography files notes declare in their front matter
/// (`bibliography:`), by note and by file, and those a project names.
#[derive(Debug, Default)]
pub(crate) struct Declared {
    by_note: HashMap<NoteId, Vec<PathBuf>>,
    /// How many notes declare each file.
    notes_declaring: HashMap<PathBuf, usize>,
    /// Named by a Quarto project (the folder of each that names it), a
    /// Pandoc defaults file or `gloss.toml` (`None`: every note's).
    by_project: HashMap<PathBuf, Vec<Option<String>>>,
}

impl Declared {
    /// Note `id` declares the files at `paths` (those that exist).
    fn set(&mut self, id: NoteId, paths: Vec<PathBuf>) {
        self.remove(id);
        if paths.is_empty() {
            return;
        }
        for path in &paths {
            *self.notes_declaring.entry(path.clone()).or_default() += 1;
        }
        self.by_note.insert(id, paths);
    }

    fn remove(&mut self, id: NoteId) {
        for path in self.by_note.remove(&id).into_iter().flatten() {
            if let Some(count) = self.notes_declaring.get_mut(&path) {
                *count -= 1;
                if *count == 0 {
                    self.notes_declaring.remove(&path);
                }
            }
        }
    }

    pub fn by(&self, id: NoteId) -> bool {
        self.by_note.contains_key(&id)
    }

    pub fn is_empty(&self) -> bool {
        self.by_note.is_empty()
    }

    /// The notes that declare a file.
    pub fn notes(&self) -> impl Iterator<Item = NoteId> + '_ {
        self.by_note.keys().copied()
    }

    pub fn set_project_files(&mut self, paths: HashMap<PathBuf, Vec<Option<String>>>) {
        self.by_project = paths;
    }

    /// Whether a project or `gloss.toml` names the file at `path`.
    pub fn names(&self, path: &Path) -> bool {
        self.by_project.contains_key(path)
    }

    /// Whether the file at `path` is in scope for the note at `rel`: named
    /// by a project whose pages include the note, or by `gloss.toml`, or
    /// named by nothing in a workspace whose notes declare none (a vault's
    /// library, or a thesis built with `--bibliography`). Where notes
    /// declare their files, each note is rendered with its own
    /// ([`Workspace::declares_bibliography`]), and a file nothing names is
    /// read by code gloss cannot see (an R package's test resource).
    pub fn for_everyone(&self, path: &Path, rel: &str) -> bool {
        match self.by_project.get(path) {
            Some(projects) => projects
                .iter()
                .any(|folder| folder.as_deref().is_none_or(|f| quarto::in_folder(f, rel))),
            None => self.notes_declaring.is_empty(),
        }
    }
}

/// Notes grouped into documents.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    /// Note → its document.
    of: HashMap<NoteId, usize>,
    /// Each document's notes, in path order.
    members: Vec<Vec<NoteId>>,
    /// Note → the group of notes whose metadata (front matter) it is
    /// rendered with: a bookdown book (`index.Rmd`'s applies to every
    /// chapter), the inputs of one Pandoc run. A Quarto book renders each
    /// chapter with its own.
    metadata: HashMap<NoteId, usize>,
    /// Note → the notes that `{{< include >}}` it.
    included_by: HashMap<NoteId, Vec<NoteId>>,
    /// The metadata groups with a note that declares a bibliography; made
    /// on first use after the declarations changed.
    declaring_groups: OnceLock<HashSet<usize>>,
}

impl Documents {
    /// Note `id` and the pages that include it, and so on up.
    fn up_from(&self, id: NoteId) -> Vec<NoteId> {
        let mut up = vec![id];
        let mut at = 0;
        while let Some(&note) = up.get(at) {
            for &includer in self.included_by.get(&note).into_iter().flatten() {
                if !up.contains(&includer) {
                    up.push(includer);
                }
            }
            at += 1;
        }
        up
    }

    fn new(workspace: &Workspace) -> Documents {
        let mut by_name: BTreeMap<String, Vec<NoteId>> = BTreeMap::new();
        let mut secondary: HashSet<(String, NoteId)> = HashSet::new();
        for (id, note) in workspace.notes() {
            let rel = note.file.rel.as_str();
            let configured = workspace
                .config
                .documents
                .iter()
                .find(|(_, globs)| globs.is_match(rel))
                .map(|(name, _)| format!("documents.{name}"));
            let book = || {
                workspace
                    .quarto_projects
                    .iter()
                    .find(|p| p.chapters.iter().any(|c| c == rel))
                    .map(|p| format!("quarto:{}", p.folder))
            };
            // A chapter of two editions of a book (`_bookdown.yml` and a
            // Word edition's configuration) joins them: a link from either
            // edition finds its sections.
            let bookdown = |also: &mut Vec<String>| {
                let mut books = (workspace.bookdown_books.iter().enumerate())
                    .filter(|(_, b)| b.has_chapter(rel))
                    .map(|(i, _)| format!("bookdown:{i}"));
                let first = books.next()?;
                also.extend(books);
                Some(first)
            };
            let inputs = || {
                workspace
                    .pandoc_defaults
                    .iter()
                    .position(|d| d.inputs.iter().any(|i| i == rel))
                    .map(|i| format!("defaults:{i}"))
            };
            // Manubot joins `content/*.md` into one manuscript.
            let manubot = || {
                let part = rel.strip_prefix("content/")?;
                (workspace.manubot && part.ends_with(".md") && !part.contains('/'))
                    .then(|| "manubot".to_string())
            };
            // A MyST project's `[](#label)` and `@label` find a target on
            // any of its pages (mystmd resolves them across the project).
            let myst = || {
                let folder = workspace
                    .myst_projects
                    .iter()
                    .filter(|f| f.is_empty() || rel.starts_with(&format!("{f}/")))
                    .max_by_key(|f| f.len())?;
                Some(format!("myst:{folder}"))
            };
            let mut also = Vec::new();
            if let Some(name) = configured
                .or_else(book)
                .or_else(|| bookdown(&mut also))
                .or_else(inputs)
                .or_else(manubot)
                .or_else(myst)
            {
                by_name.entry(name).or_default().push(id);
            }
            for name in also {
                by_name.entry(name.clone()).or_default().push(id);
                // Rendered with the first book's metadata.
                secondary.insert((name, id));
            }
        }
        let mut documents = Documents::default();
        let mut together = Together::default();
        for (group, (name, members)) in by_name.iter().enumerate() {
            for pair in members.windows(2) {
                together.join(pair[0], pair[1]);
            }
            // Each page of a Quarto book or a MyST project has its own
            // front matter.
            if !name.starts_with("quarto:") && !name.starts_with("myst:") {
                for &id in members {
                    if !secondary.contains(&(name.clone(), id)) {
                        documents.metadata.insert(id, group);
                    }
                }
            }
        }
        // A page and the files it includes (and so on) are one text; a part
        // included by two pages joins their documents.
        for (id, note) in workspace.notes() {
            for link in note
                .syntax
                .links
                .iter()
                .filter(|l| workspace.reads_include(id, l))
            {
                if let Resolution::Note { note: part, .. } = workspace.resolve_link(id, link) {
                    together.join(id, part);
                    documents.included_by.entry(part).or_default().push(id);
                }
            }
        }
        let mut by_root: HashMap<NoteId, usize> = HashMap::new();
        for (id, _) in workspace.notes() {
            let Some(root) = together.root(id) else {
                continue;
            };
            let doc = *by_root.entry(root).or_insert_with(|| {
                documents.members.push(Vec::new());
                documents.members.len() - 1
            });
            documents.members[doc].push(id);
            documents.of.insert(id, doc);
        }
        documents
    }
}

/// Notes joined into groups (union–find, by note id).
#[derive(Default)]
struct Together {
    parent: HashMap<NoteId, NoteId>,
}

impl Together {
    fn join(&mut self, a: NoteId, b: NoteId) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent.insert(a.max(b), a.min(b));
        }
    }

    /// The group's representative; `None` for a note never joined.
    fn root(&self, id: NoteId) -> Option<NoteId> {
        let mut at = *self.parent.get(&id)?;
        while let Some(&up) = self.parent.get(&at).filter(|&&up| up != at) {
            at = up;
        }
        Some(at)
    }

    fn find(&mut self, id: NoteId) -> NoteId {
        let root = self.root(id).unwrap_or(id);
        self.parent.insert(id, root);
        self.parent.entry(root).or_insert(root);
        root
    }
}

/// What an `@key` refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    Citation,
    /// A cross-reference to this label.
    CrossReference(String),
    /// Syntax of a filter the note is not written for: not checked.
    Neither,
}

/// Where a citation key is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyLocation {
    pub bib: BibId,
    pub entry: usize,
}

/// Note ids in path order, and how far placing notes has moved others
/// since they were sorted.
#[derive(Debug, Default)]
struct Order {
    ids: Vec<NoteId>,
    shifted: usize,
}

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    /// `gloss.toml`, if there is one.
    pub config_file: Option<SourceFile>,
    /// A slab: removed notes leave `None`, so ids stay stable.
    notes: Vec<Option<Note>>,
    /// One copy of each link target, anchor and citation key that the
    /// notes hold. A vault names the same notes and keys from note after
    /// note (held once, 87 MB less at 100k notes); a loader shares them
    /// among its notes already ([`crate::syntax::NameSharer`]).
    shared_names: crate::syntax::Names,
    by_path: note_paths::NotePaths,
    /// Every note in path order, which reports and lists follow; sorted
    /// again on first use after it was dropped.
    order: OnceLock<Order>,
    pub bibliographies: Vec<Bibliography>,
    pub missing_bibliographies: Vec<MissingBibliography>,
    /// Which bibliography files a build reads together: a key in two of
    /// them is a duplicate; in two files no build reads together, it is
    /// not (copies of one `.bib` for different builds).
    pub(crate) loaded_together: LoadedTogether,
    pub(crate) declared: Declared,
    /// Folders the walk could not list, as files with the problem (their
    /// notes are not checked, so this is said once, on the folder).
    pub unreadable_folders: Vec<SourceFile>,
    /// Folders below the root that are vaults of their own (`gloss.toml`
    /// or `.obsidian/`): not part of this workspace.
    pub nested_roots: Vec<PathBuf>,
    /// Folders (relative to the root, `""` for the root) whose ignore
    /// files keep a bibliography out of the repository: their notes may
    /// cite it, on the author's machine.
    kept_out_bibliographies: Vec<String>,
    /// Normalised term, alias, title, stem → what it names. Most names
    /// name one thing, held inline: a vault of 100k notes has some 300k
    /// names, and a list of its own for each would cost as much again.
    names: HashMap<Box<str>, Targets>,
    /// Every file and folder by name and path: what links find files by.
    files: files::Files,
    /// Citation key → every place a bibliography file defines it, in load
    /// order.
    keys: HashMap<String, Vec<KeyLocation>>,
    /// Note → the bibliography of its front matter's `references:`.
    references: HashMap<NoteId, BibId>,
    /// Attribute-block label (`{#sec:intro}`) → the notes defining it.
    labels: HashMap<String, Vec<NoteId>>,
    /// How many of those are pandoc-crossref labels (`sec:…`, `fig:…`, …).
    crossref_labels: usize,
    /// Built on first use after the set of names changes.
    name_suggestions: OnceLock<suggest::Candidates>,
    /// The Quarto projects (folders with a `_quarto.yml`) under the root.
    pub quarto_projects: Vec<quarto::QuartoProject>,
    /// Folders of Quarto projects whose `_metadata.yml` turns citation
    /// processing off: there `@word` is no citation.
    no_citeproc: Vec<String>,
    /// The bookdown books (folders with a `_bookdown.yml`) under the root.
    pub bookdown_books: Vec<quarto::BookdownBook>,
    /// The Pandoc defaults files `gloss.toml` names.
    pub pandoc_defaults: Vec<quarto::PandocDefaults>,
    /// Whether the workspace is a Manubot manuscript: its citations of
    /// `doi:…`, `arxiv:…`, `tag:…` are resolved by Manubot's filter, not
    /// against a bibliography ([`quarto::is_manubot_citekey`]).
    pub manubot: bool,
    /// The folders of MyST projects (`myst.yml`, or a Jupyter Book's
    /// `_config.yml` beside its `_toc.yml`), relative to the root, `""`
    /// for the root: a project's targets are found from any of its pages.
    pub myst_projects: Vec<String>,
    /// Which notes make one document (a Quarto or bookdown book, a page
    /// and what it includes, `[documents]`); built on first use after
    /// notes come or go, their includes change or projects are read.
    pub(crate) documents: OnceLock<Documents>,
    /// The ids each knitted document's code writes, by its first note
    /// ([`Workspace::ids_written_by_code`]): worked out when an id is not
    /// found, and dropped whenever a note changes.
    written_ids: Mutex<HashMap<NoteId, Arc<[String]>>>,
    /// Built on first use after the bibliographies change.
    key_suggestions: OnceLock<suggest::Candidates>,
    /// Built on first use after the glossary changes.
    mentions: OnceLock<mentions::Mentions>,
    /// Every normalised name, sorted; built on first use after names change.
    sorted_names: OnceLock<Vec<Box<str>>>,
    /// Every bibliography title, folded; built on first use after the
    /// bibliographies change.
    titles: OnceLock<titles::Titles>,
    /// Each note's papers mentioned by title, found on first use after the
    /// note or the titles change.
    title_mentions: Mutex<HashMap<NoteId, Arc<[titles::TitleMention]>>>,
    /// For long notes, what each line gave: scanning again after a
    /// keystroke reads only the lines it changed.
    title_lines: Mutex<HashMap<NoteId, titles::LineCache>>,
    /// Notes read for their names only whose anchors something asked
    /// for: what an answer waits for (see [`Workspace::anchors`]).
    wanted: Mutex<std::collections::BTreeSet<NoteId>>,
    /// How many times anchors of such a note were asked for.
    unanswered: AtomicU64,
    /// Paths links name that no file is at, and whether an ignore file
    /// keeps them out of the repository ([`Workspace::names_an_ignored_file`]).
    ignored_paths: Mutex<walk::IgnoreCache>,
}

impl Workspace {
    /// An empty workspace at `root`.
    pub fn new(root: PathBuf, config: Config, config_file: Option<SourceFile>) -> Workspace {
        Workspace {
            root,
            config,
            config_file,
            notes: Vec::new(),
            shared_names: Default::default(),
            by_path: note_paths::NotePaths::default(),
            order: OnceLock::from(Order::default()),
            bibliographies: Vec::new(),
            missing_bibliographies: Vec::new(),
            loaded_together: LoadedTogether::default(),
            declared: Declared::default(),
            unreadable_folders: Vec::new(),
            nested_roots: Vec::new(),
            kept_out_bibliographies: Vec::new(),
            names: HashMap::new(),
            files: files::Files::default(),
            keys: HashMap::new(),
            references: HashMap::new(),
            labels: HashMap::new(),
            crossref_labels: 0,
            name_suggestions: OnceLock::new(),
            key_suggestions: OnceLock::new(),
            quarto_projects: Vec::new(),
            no_citeproc: Vec::new(),
            bookdown_books: Vec::new(),
            pandoc_defaults: Vec::new(),
            manubot: false,
            myst_projects: Vec::new(),
            documents: OnceLock::new(),
            written_ids: Mutex::default(),
            mentions: OnceLock::new(),
            sorted_names: OnceLock::new(),
            titles: OnceLock::new(),
            title_mentions: Mutex::new(HashMap::new()),
            title_lines: Mutex::new(HashMap::new()),
            wanted: Mutex::new(std::collections::BTreeSet::new()),
            ignored_paths: Mutex::default(),
            unanswered: AtomicU64::new(0),
        }
    }

    /// What `#…` can name in note `id`. Of a note read for its names only
    /// that is not known yet: the note is wanted parsed, and an answer
    /// that used its anchors is not final ([`Workspace::unanswered`]
    /// counts the asks).
    pub fn anchors(&self, id: NoteId) -> &anchors::Anchors {
        let note = self.note(id);
        if note.is_names_only() {
            self.want_parsed(id);
        }
        note.anchors()
    }

    /// Asks for note `id`, read for its names only, to be parsed next: an
    /// answer waits for it.
    pub fn want_parsed(&self, id: NoteId) {
        lock(&self.wanted).insert(id);
        self.unanswered.fetch_add(1, AtomicOrdering::Relaxed);
    }

    /// How many times the anchors of a note read for its names only were
    /// asked for: an answer computed while this did not change is final.
    pub fn unanswered(&self) -> u64 {
        self.unanswered.load(AtomicOrdering::Relaxed)
    }

    /// The notes read for their names only whose anchors were asked for
    /// since the last call, emptied.
    pub fn take_wanted(&self) -> Vec<NoteId> {
        std::mem::take(&mut *lock(&self.wanted))
            .into_iter()
            .collect()
    }

    /// The source of a file diagnostics can point at.
    pub fn source(&self, file: FileId) -> Option<&SourceFile> {
        match file {
            FileId::Note(id) => self.notes.get(id)?.as_ref().map(|n| &n.file),
            FileId::Bibliography(id) => self.bibliographies.get(id).map(|b| &b.file),
            FileId::Config => self.config_file.as_ref(),
            FileId::Folder(id) => self.unreadable_folders.get(id),
            FileId::Attachment(_) => None,
        }
    }

    /// Where a file diagnostics or navigation can point at is on disk.
    pub fn path_of(&self, file: FileId) -> Option<PathBuf> {
        match file {
            FileId::Attachment(index) => Some(resolve::absolute(self, self.files.other(index)?)),
            other => self.source(other).map(|s| s.path.clone()),
        }
    }

    /// Records the folders whose ignore files keep a bibliography out.
    pub fn set_kept_out_bibliographies(&mut self, folders: &[PathBuf]) {
        self.kept_out_bibliographies = folders
            .iter()
            .map(|folder| walk::relative(&self.root, folder))
            .collect();
    }

    /// Whether note `id` may cite a bibliography the repository leaves
    /// out: an ignore file of its folder or one above keeps one out, and
    /// the note is rendered by a command line gloss cannot see (a thesis's
    /// Makefile passes its git-ignored `references.bib` to Pandoc): nothing
    /// declares its bibliography (its front matter or document, a Quarto
    /// project or bookdown book, `gloss.toml`). Its unknown keys are then
    /// not known to be unknown; a `.bib` found beside it that nothing
    /// names is only gloss's guess.
    pub fn may_cite_a_kept_out_bibliography(&self, id: NoteId) -> bool {
        let rel = &self.note(id).file.rel;
        self.kept_out_bibliographies
            .iter()
            .any(|folder| quarto::in_folder(folder, rel))
            && self.config.bibliography_files.is_empty()
            && self.config.pandoc_defaults.is_empty()
            && !self.uses_quarto(id)
            && !self.bookdown_books.iter().any(|b| b.has_chapter(rel))
            && !self.declares_bibliography(id)
    }

    /// Records the folders the walk could not list.
    pub fn set_unreadable_folders(&mut self, folders: Vec<(PathBuf, String)>) {
        self.unreadable_folders = folders
            .into_iter()
            .map(|(path, message)| {
                SourceFile::new(
                    &self.root,
                    path,
                    String::new(),
                    Some(FileProblem::Unreadable { message }),
                )
            })
            .collect();
    }

    /// The note `id`. Panics on a removed note: ids come from this
    /// workspace and are not kept across removals.
    pub fn note(&self, id: NoteId) -> &Note {
        self.notes[id].as_ref().expect("a live note id")
    }

    /// The note `id`, if it is still there.
    pub fn live_note(&self, id: NoteId) -> Option<&Note> {
        self.notes.get(id)?.as_ref()
    }

    /// Every note, in path order.
    pub fn notes(&self) -> impl Iterator<Item = (NoteId, &Note)> + '_ {
        self.order().iter().map(|&id| (id, self.note(id)))
    }

    /// The ids of every note, in path order.
    pub fn note_ids(&self) -> Vec<NoteId> {
        self.order().clone()
    }

    fn order(&self) -> &Vec<NoteId> {
        let order = self.order.get_or_init(|| {
            let mut ids: Vec<NoteId> = self.by_path.ids().collect();
            ids.sort_unstable_by(|&a, &b| self.note(a).file.path.cmp(&self.note(b).file.path));
            Order { ids, shifted: 0 }
        });
        &order.ids
    }

    /// Puts new note `id` in path order. Notes mostly come in that order
    /// (the walk sorts), so each goes in at or near the end. Placing notes
    /// that came in another order moves many others: once the moves add
    /// up to more than sorting would cost, the order is dropped, to be
    /// sorted on first use.
    fn place_in_order(&mut self, id: NoteId) {
        let Some(order) = self.order.get_mut() else {
            return;
        };
        let notes = &self.notes;
        let path = |id: NoteId| notes[id].as_ref().map(|n| &n.file.path);
        let at = match order.ids.last() {
            Some(&last) if path(last) > path(id) => {
                order.ids.partition_point(|&other| path(other) < path(id))
            }
            _ => order.ids.len(),
        };
        order.shifted += order.ids.len() - at;
        if order.shifted > order.ids.len().max(1024) * 16 {
            self.order = OnceLock::new();
        } else {
            order.ids.insert(at, id);
        }
    }

    /// The note at `path` (absolute), if it is part of the workspace.
    pub fn note_by_path(&self, path: &Path) -> Option<NoteId> {
        self.by_path.get(path, |id| &self.note(id).file.path)
    }

    /// The glossary entry `id`.
    pub fn entry(&self, id: EntryId) -> &GlossaryEntry {
        &self.note(id.note).glossary[id.index]
    }

    /// Every glossary entry, in path order.
    pub fn glossary(&self) -> impl Iterator<Item = (EntryId, &GlossaryEntry)> + '_ {
        self.notes().flat_map(|(note, n)| {
            n.glossary
                .iter()
                .enumerate()
                .map(move |(index, e)| (EntryId { note, index }, e))
        })
    }

    /// Every place a bibliography file defines citation `key`.
    pub fn citation_key(&self, key: &str) -> &[KeyLocation] {
        self.keys.get(key).map_or(&[], Vec::as_slice)
    }

    /// Every place `key`, cited in note `from`, is defined: the note's own
    /// `references:` first (Pandoc uses them before any file), then the
    /// bibliography files.
    pub fn key_locations(&self, from: NoteId, key: &str) -> Vec<KeyLocation> {
        let mut out: Vec<KeyLocation> = self
            .references
            .get(&from)
            .into_iter()
            .flat_map(|&bib| {
                self.bibliographies[bib]
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.key == key)
                    .map(move |(entry, _)| KeyLocation { bib, entry })
            })
            .collect();
        out.extend_from_slice(self.citation_key(key));
        out
    }

    /// Where `key`, cited in note `from`, is defined first.
    pub fn key_location(&self, from: NoteId, key: &str) -> Option<KeyLocation> {
        let own = self.references.get(&from).and_then(|&bib| {
            let entry = self.bibliographies[bib]
                .entries
                .iter()
                .position(|e| e.key == key)?;
            Some(KeyLocation { bib, entry })
        });
        own.or_else(|| self.citation_key(key).first().copied())
    }

    /// Whether note `from` is rendered with a bibliography: its own
    /// `references:`, one its project or `gloss.toml` names, one the note
    /// or its document declares, or, where no note declares any, a file in
    /// the library of its folder ([`Workspace::library_folder`]). A file
    /// only other documents declare is not this note's: the `NEWS.md`
    /// beside a bookdown book is rendered without the book's
    /// `bibliography:`, and its `@user` are GitHub handles.
    pub fn has_bibliography(&self, from: NoteId) -> bool {
        let own = self
            .own_references(from)
            .is_some_and(|bib| !self.bibliographies[bib].entries.is_empty());
        let file = &self.note(from).file;
        let undeclared = || {
            self.bibliographies.iter().any(|b| {
                b.owner.is_none()
                    && self.declared.for_everyone(&b.file.path, &file.rel)
                    && (self.declared.names(&b.file.path)
                        || self
                            .library_folder(&b.file.path)
                            .is_some_and(|folder| file.path.starts_with(folder)))
            })
        };
        own || undeclared() || self.declares_bibliography(from)
    }

    /// The folder whose notes a bibliography file that nothing names
    /// serves: the first, from its own up to two folders above it, that
    /// holds notes; none if none does. A vault's `refs/library.bib` or
    /// `Meta/Zotero/library.bib` serves the vault; the `biblio.bib` of
    /// Pandoc's `test/command/` serves the tests beside it, not the
    /// `@user` handles of `changelog.md` at the root, and a `.bib` that a
    /// tool's example reads, three folders down with its options, serves
    /// no note.
    fn library_folder<'a>(&'a self, bib: &'a Path) -> Option<&'a Path> {
        let mut folder = bib.parent()?;
        for _ in 0..3 {
            if folder == self.root || self.holds_notes(folder) {
                return Some(folder);
            }
            folder = folder.parent().filter(|up| up.starts_with(&self.root))?;
        }
        None
    }

    /// Whether some note lies in `folder` or below it (notes are in path
    /// order, those below a folder one after another).
    fn holds_notes(&self, folder: &Path) -> bool {
        let order = self.order();
        let at = order.partition_point(|&id| self.note(id).file.path.as_path() < folder);
        order
            .get(at)
            .is_some_and(|&id| self.note(id).file.path.starts_with(folder))
    }

    /// Whether note `id`, a page including it (and so on up) or another
    /// input of its Pandoc run declares a bibliography.
    pub(crate) fn declares_bibliography(&self, id: NoteId) -> bool {
        if self.declared.is_empty() {
            return false;
        }
        let documents = self.documents.get_or_init(|| Documents::new(self));
        let up = documents.up_from(id);
        if up.iter().any(|&n| self.declared.by(n)) {
            return true;
        }
        // Per group, not per member: one group may hold a whole vault.
        let declaring = documents.declaring_groups.get_or_init(|| {
            self.declared
                .notes()
                .filter_map(|n| documents.metadata.get(&n).copied())
                .collect()
        });
        up.iter().any(|n| {
            documents
                .metadata
                .get(n)
                .is_some_and(|g| declaring.contains(g))
        })
    }

    /// Note `id` declares the bibliography files at `paths`.
    pub(crate) fn set_declared(&mut self, id: NoteId, paths: Vec<PathBuf>) {
        self.declared.set(id, paths);
        if let Some(documents) = self.documents.get_mut() {
            documents.declaring_groups = OnceLock::new();
        }
    }

    /// The bibliographies a citation in note `from` resolves against.
    pub fn bibliographies_of(&self, from: NoteId) -> impl Iterator<Item = (BibId, &Bibliography)> {
        self.bibliographies
            .iter()
            .enumerate()
            .filter(move |(_, b)| b.owner.is_none_or(|owner| owner == from))
    }

    pub fn bib_entry(&self, at: KeyLocation) -> &BibEntry {
        &self.bibliographies[at.bib].entries[at.entry]
    }

    /// What a normalised name names, by the path of the note of each.
    pub fn targets(&self, normalized: &str) -> &[Target] {
        self.names.get(normalized).map_or(&[], |t| t.as_slice())
    }

    /// Every normalised name with what it names.
    pub fn names(&self) -> impl Iterator<Item = (&str, &[Target])> + '_ {
        self.names
            .iter()
            .map(|(name, targets)| (&**name, targets.as_slice()))
    }

    /// The normalised names that start with `prefix` (normalised), in order.
    pub fn names_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [Target])> + 'a {
        let sorted = self.sorted_names.get_or_init(|| {
            let mut names: Vec<Box<str>> = self.names.keys().cloned().collect();
            names.sort_unstable();
            names
        });
        let start = sorted.partition_point(|n| &**n < prefix);
        sorted[start..]
            .iter()
            .take_while(move |n| n.starts_with(prefix))
            .map(move |n| (&**n, self.targets(n)))
    }

    /// The glossary entry that owns a normalised name: the one in the first
    /// note by path, so the answer does not depend on load order. Targets
    /// are kept in that order, so this is the first entry among them.
    pub fn first_entry(&self, normalized: &str) -> Option<EntryId> {
        self.targets(normalized).iter().find_map(|t| match t {
            Target::Glossary(e) => Some(*e),
            Target::Note(..) => None,
        })
    }

    /// The order targets of one name are kept in: by note path, a note's
    /// entries (in order) before the note itself.
    fn target_order(&self, target: &Target) -> (&Path, usize) {
        match target {
            Target::Glossary(e) => (&self.note(e.note).file.path, e.index),
            Target::Note(n, _) => (&self.note(*n).file.path, usize::MAX),
        }
    }

    /// The files and folders of the workspace.
    pub fn files(&self) -> &files::Files {
        &self.files
    }

    /// Records the files that are not notes (attachments) and the folders.
    pub fn set_other_files(&mut self, others: &[PathBuf], folders: &[PathBuf]) {
        let rel = |p: &PathBuf| walk::relative(&self.root, p);
        let others: Vec<String> = others.iter().map(rel).collect();
        let folders: Vec<String> = folders.iter().map(rel).collect();
        self.files.set_others(others, folders);
    }

    /// A file that is not a note was created (`true`) or deleted at `path`.
    /// Returns whether that changed what links can name. (No name index
    /// depends on these files: suggestions and mentions come from notes.)
    pub fn other_file_changed(&mut self, path: &Path, exists: bool) -> bool {
        let rel = walk::relative(&self.root, path);
        match exists {
            true => self.files.add_other(&rel),
            false => self.files.remove_other(&rel),
        }
    }

    /// Forgets what is built from the names of notes and entries.
    fn invalidate_names(&mut self) {
        self.name_suggestions = OnceLock::new();
        self.mentions = OnceLock::new();
        self.sorted_names = OnceLock::new();
    }

    /// The glossary entry mentioned in plain text at `offset` of `text`
    /// (a line, or any stretch), with the mention's range.
    pub fn mention_at(&self, text: &str, offset: usize) -> Option<(EntryId, Range<usize>)> {
        let mentions = self.mentions.get_or_init(|| mentions::Mentions::new(self));
        mentions.at(text, offset)
    }

    /// The closest concept or note name to `name`, for "did you mean".
    pub fn suggest_name(&self, name: &str) -> Option<String> {
        self.name_candidates().closest(name)
    }

    /// Builds the index "did you mean" searches, unless it is built: the
    /// language server does it while the bibliographies are read, so the
    /// first diagnostics after indexing do not wait for it.
    pub fn prepare_name_suggestions(&self) {
        self.name_candidates();
    }

    /// Whether a link of note `id` (in its text or front matter) resolves
    /// to nothing, which its diagnostics then suggest a name for.
    pub fn has_unresolved_links(&self, id: NoteId) -> bool {
        self.note(id)
            .syntax
            .links
            .iter()
            .any(|link| self.resolve_link(id, link) == Resolution::Unresolved)
    }

    fn name_candidates(&self) -> &suggest::Candidates {
        self.name_suggestions.get_or_init(|| {
            suggest::Candidates::names(self.notes().flat_map(|(_, n)| n.suggestion_names()))
        })
    }

    /// The closest citation key to `key`.
    pub fn suggest_key(&self, key: &str) -> Option<String> {
        self.key_suggestions
            .get_or_init(|| suggest::Candidates::keys(self.keys.keys().cloned()))
            .closest(key)
    }

    /// Every bibliography title, folded, and the automaton finding them.
    pub fn titles(&self) -> &titles::Titles {
        self.titles
            .get_or_init(|| titles::Titles::new(&self.bibliographies))
    }

    /// The papers note `id` mentions by title, in order.
    pub fn title_mentions(&self, id: NoteId) -> Arc<[titles::TitleMention]> {
        let cached = self.cached_title_mentions().get(&id).cloned();
        if let Some(mentions) = cached {
            return mentions;
        }
        let note = self.note(id);
        // Long notes keep what each line gave from the first scan on: a
        // keystroke in one then reads only its line. A short note is read
        // again whole (a fraction of a millisecond), and keeps nothing.
        let titles = self.titles();
        if titles.is_empty() {
            return Arc::from([]);
        }
        // Another note's own `references:` are not this one's papers.
        let visible = |title| {
            titles
                .entries(title)
                .iter()
                .any(|at| self.bibliographies[at.bib].owner.is_none_or(|o| o == id))
        };
        // A note most often mentions no title: `gloss check` then does not
        // keep its text.
        let found: Arc<[titles::TitleMention]> = note.file.with_text(|text| {
            let mut lines = lock(&self.title_lines)
                .remove(&id)
                .or_else(|| (text.len() >= LINE_CACHE_FROM).then(Default::default));
            let found = titles.scan_note_with(text, &note.syntax, lines.as_mut(), &visible);
            if let Some(lines) = lines {
                lock(&self.title_lines).insert(id, lines);
            }
            found.into()
        });
        self.cached_title_mentions().insert(id, found.clone());
        found
    }

    fn cached_title_mentions(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<NoteId, Arc<[titles::TitleMention]>>> {
        lock(&self.title_mentions)
    }

    /// The title mention of note `id` at `offset` (ends included).
    pub fn title_mention_at(&self, id: NoteId, offset: usize) -> Option<titles::TitleMention> {
        self.title_mentions(id)
            .iter()
            .find(|m| m.range.start <= offset && offset <= m.range.end)
            .cloned()
    }

    /// The entries a title mentioned in note `from` names there (a note's
    /// own `references:` count only in that note), in load order.
    pub fn title_locations(&self, from: NoteId, title: titles::TitleId) -> Vec<KeyLocation> {
        self.titles()
            .entries(title)
            .iter()
            .copied()
            .filter(|at| self.bibliographies[at.bib].owner.is_none_or(|o| o == from))
            .collect()
    }

    /// The entry a title mentioned in note `from` names first.
    pub fn title_location(&self, from: NoteId, title: titles::TitleId) -> Option<KeyLocation> {
        self.title_locations(from, title).first().copied()
    }

    fn invalidate_titles(&mut self) {
        self.titles = OnceLock::new();
        self.cached_title_mentions().clear();
        // They name titles by their index in the old set.
        lock(&self.title_lines).clear();
    }

    /// Whether some note defines the attribute-block label `label`
    /// (`sec:intro` for `{#sec:intro}`). A thesis is many files: any note's
    /// label counts.
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.contains_key(label)
    }

    /// Every label some note defines.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels.keys().map(String::as_str)
    }

    /// Where `label` is defined: the first note (in load order) and the
    /// label's range in it.
    pub fn label(&self, label: &str) -> Option<(NoteId, Range<usize>)> {
        let &note = self.labels.get(label)?.first()?;
        let range = self
            .note(note)
            .syntax
            .labels
            .iter()
            .find(|l| l.value == label)?
            .range
            .clone();
        Some((note, range))
    }

    /// Whether `@sec:intro` and the like are pandoc-crossref references:
    /// as `gloss.toml` says, else when some note defines such a label.
    pub fn uses_pandoc_crossref(&self) -> bool {
        self.config
            .pandoc_crossref
            .unwrap_or(self.crossref_labels > 0)
    }

    /// Whether a bibliography that note `id` is rendered with cannot be
    /// loaded: Pandoc stops there, and any key may be in it. Its own, that
    /// of a page including it (and so on up), or that of another input of
    /// the same Pandoc run (a bookdown book's `index.Rmd`).
    pub fn bibliography_missing(&self, id: NoteId) -> bool {
        let missing: Vec<NoteId> = self
            .missing_bibliographies
            .iter()
            .filter_map(|m| m.note)
            .collect();
        if missing.is_empty() {
            return false;
        }
        let documents = self.documents.get_or_init(|| Documents::new(self));
        // A short chain, where a metadata group may hold a whole vault.
        let up = documents.up_from(id);
        let group = |note: &NoteId| documents.metadata.get(note);
        missing.iter().any(|m| {
            up.iter()
                .any(|n| n == m || group(n).is_some_and(|g| group(m) == Some(g)))
        })
    }

    /// Whether `@fig-plot` and the like in note `id` are Quarto
    /// cross-references: as `gloss.toml` says, else when the note is in the
    /// folder of a `_quarto.yml` or below it.
    pub fn uses_quarto(&self, id: NoteId) -> bool {
        self.config.quarto.unwrap_or_else(|| {
            let rel = &self.note(id).file.rel;
            self.quarto_projects.iter().any(|p| p.contains(rel))
        })
    }

    /// Whether `link`, of note `id`, is an include that is read: Quarto's
    /// `{{< include >}}` in a Quarto project (elsewhere it is another
    /// tool's shortcode: Hugo sites, blogdown's `.Rmd` posts), knitr's
    /// child chunks in a knitted note (`.Rmd`, `.qmd`).
    pub fn reads_include(&self, id: NoteId, link: &crate::syntax::Link) -> bool {
        link.kind == LinkKind::Include
            && match link.is_knitr_child() {
                true => self.is_knitted(id),
                false => self.uses_quarto(id),
            }
    }

    /// The notes of the document note `id` is part of, itself included
    /// (the chapters of a Quarto book, a group of `[documents]` in
    /// `gloss.toml`).
    pub fn document_of(&self, id: NoteId) -> &[NoteId] {
        let documents = self.documents.get_or_init(|| Documents::new(self));
        documents
            .of
            .get(&id)
            .map_or(&[], |&doc| documents.members[doc].as_slice())
    }

    /// The parts Quarto page `id` puts in with `{{< include >}}`, and the
    /// parts they put in, and so on.
    pub(crate) fn included_parts(&self, id: NoteId) -> Vec<NoteId> {
        let documents = self.documents.get_or_init(|| Documents::new(self));
        documents
            .included_by
            .keys()
            .copied()
            .filter(|&part| part != id && documents.up_from(part).contains(&id))
            .collect()
    }

    /// The pages that include note `id` (a Quarto part), and the pages
    /// that include those, and so on.
    pub(crate) fn pages_including(&self, id: NoteId) -> Vec<NoteId> {
        let documents = self.documents.get_or_init(|| Documents::new(self));
        documents.up_from(id).into_iter().skip(1).collect()
    }

    /// What `@key` in note `id` is: a citation, a cross-reference to a
    /// label (for the filters the note is written for), or neither.
    pub fn key_kind(&self, id: NoteId, key: &str) -> KeyKind {
        if let Some(label) = crate::syntax::crossref_label(key) {
            if self.uses_pandoc_crossref() {
                return KeyKind::CrossReference(label);
            }
        }
        // `(@2024-05-06)`: a date, as the Reminder plugin writes one.
        if is_a_date(key) {
            return KeyKind::Neither;
        }
        // Manubot builds `content/`: a citation elsewhere (a README, a
        // build kept for comparison) is no build's, and its own
        // identifiers are no bibliography's.
        let outside_content = || !self.note(id).file.rel.starts_with("content/");
        if self.manubot && (quarto::is_manubot_citekey(key) || outside_content()) {
            return KeyKind::Neither;
        }
        if let Some(label) = crate::syntax::quarto_label(key) {
            // Outside a Quarto project `@fig-plot` is left alone: no note
            // names a paper so, and Quarto's syntax may be in use anyway.
            return match self.uses_quarto(id) {
                true => KeyKind::CrossReference(label),
                false => KeyKind::Neither,
            };
        }
        if let Some(label) = self.custom_cross_reference(id, key) {
            return KeyKind::CrossReference(label);
        }
        if self.renders_without_citeproc(id) {
            return KeyKind::Neither;
        }
        KeyKind::Citation
    }

    /// The label `@key` in note `id` refers to where the note's Quarto
    /// project defines a kind of cross-reference of its own: `vid-cern`
    /// for `@vid-cern` and `@Vid-cern` under `crossref: custom: [{key:
    /// vid}]`.
    fn custom_cross_reference(&self, id: NoteId, key: &str) -> Option<String> {
        let (prefix, rest) = key.split_once('-')?;
        if rest.is_empty() || !self.uses_quarto(id) {
            return None;
        }
        let rel = &self.note(id).file.rel;
        let kind = self
            .quarto_projects
            .iter()
            .filter(|p| p.contains(rel))
            .flat_map(|p| &p.crossref_kinds)
            .find(|kind| {
                *kind == prefix
                    || (kind.eq_ignore_ascii_case(prefix) && kind.get(1..) == prefix.get(1..))
            })?;
        Some(format!("{kind}{}", &key[prefix.len()..]))
    }

    /// Whether note `id` is in a folder whose Quarto metadata turns
    /// citation processing off.
    fn renders_without_citeproc(&self, id: NoteId) -> bool {
        let rel = &self.note(id).file.rel;
        self.no_citeproc
            .iter()
            .any(|folder| quarto::in_folder(folder, rel))
    }

    /// Records the folders whose `_metadata.yml` turns citation processing
    /// off; one outside every Quarto project means nothing to Quarto.
    pub(crate) fn set_no_citeproc(&mut self, mut folders: Vec<String>) {
        folders.retain(|folder| {
            self.quarto_projects
                .iter()
                .any(|p| p.folder == *folder || p.contains(folder))
        });
        self.no_citeproc = folders;
    }

    /// Whether citation keys in the note at `rel` follow Pandoc's rule
    /// exactly: as `gloss.toml` says, else in Quarto projects.
    fn reads_keys_as_pandoc(&self, rel: &str) -> bool {
        self.config
            .pandoc_keys
            .unwrap_or_else(|| self.quarto_projects.iter().any(|p| p.contains(rel)))
    }

    /// Applies Pandoc's key rule to the notes that follow it and were read
    /// before the Quarto projects were known.
    pub(crate) fn apply_key_rules(&mut self) {
        for id in self.note_ids() {
            if self.reads_keys_as_pandoc(&self.note(id).file.rel) {
                if let Some(note) = self.notes[id].as_mut() {
                    note.read_keys_as_pandoc();
                    note.syntax.share_names(&mut self.shared_names);
                }
            }
        }
    }

    /// Makes room for `additional` more notes at once: grown by doubling,
    /// the list of a large vault would hold up to twice its notes, and
    /// copy them at each step.
    pub fn reserve_notes(&mut self, additional: usize) {
        self.notes.reserve_exact(additional);
    }

    /// Adds a note, or replaces the note at the same path, and updates the
    /// indexes for it alone.
    pub fn set_note(&mut self, mut note: Note) -> NoteId {
        self.written_ids.get_mut().map(HashMap::clear).ok();
        if self.reads_keys_as_pandoc(&note.file.rel) {
            note.read_keys_as_pandoc();
        }
        if !std::mem::take(&mut note.names_shared) {
            note.syntax.share_names(&mut self.shared_names);
        }
        let id = match self.note_by_path(&note.file.path) {
            Some(id) => {
                // Typing in a note rarely changes the names it defines;
                // then the indexes built from all names stay valid, and a
                // keystroke costs work on this note alone.
                // Each note's keys worked out once per edit.
                let (old_keys, new_keys) = (self.note(id).keys(), note.keys());
                let same_names = {
                    let old = self.note(id);
                    old_keys == new_keys
                        && old.suggestion_names().eq(note.suggestion_names())
                        && old.glossary.len() == note.glossary.len()
                };
                if self.note(id).includes().ne(note.includes()) {
                    self.documents = OnceLock::new();
                }
                // Which files it declares is worked out from the disk
                // (`declared_bibliographies`), again only when it may
                // have changed: until then, a keystroke keeps it.
                if self.note(id).declared_bibliographies() != note.declared_bibliographies() {
                    self.set_declared(id, Vec::new());
                }
                self.unindex_note(id, old_keys);
                self.notes[id] = Some(note);
                self.index_note(id, new_keys);
                self.cached_title_mentions().remove(&id);
                if !same_names {
                    self.invalidate_names();
                }
                self.sync_references(id);
                return id;
            }
            None => {
                let id = self.notes.len();
                self.by_path.insert(&note.file.path, id);
                self.notes.push(Some(note));
                self.place_in_order(id);
                // Documents are made of paths: a new one may join one.
                self.documents = OnceLock::new();
                id
            }
        };
        self.index_note(id, self.note(id).keys());
        self.invalidate_names();
        self.sync_references(id);
        id
    }

    /// Makes the bibliography of note `id`'s `references:` match its front
    /// matter, when that changed: typing below the front matter costs a
    /// comparison. A note keeps one slot once it has had references
    /// (emptied when they go), so no other bibliography's id changes and
    /// the key index of the files stays valid.
    fn sync_references(&mut self, id: NoteId) {
        let slot = self.references.get(&id).copied();
        let current = slot.map_or("", |bib| self.bibliographies[bib].file.text());
        // The front matter, if it is not what the bibliography was read
        // from: copied only then (the open note's is compared at each
        // keystroke).
        let changed = |wanted: &str| (wanted != current).then(|| wanted.to_string());
        let wanted = match self.notes[id].as_ref() {
            None => changed(""),
            Some(note) => {
                let syntax = &note.syntax;
                match (&syntax.front_matter, &syntax.front_matter_range) {
                    // While the front matter is malformed (mid-edit), what
                    // was read before stays.
                    (Some(fm), _) if fm.error.is_some() => return,
                    (Some(fm), Some(range)) if fm.has_references => note
                        .file
                        .with_text(|text| changed(text.get(..range.end).unwrap_or(""))),
                    _ => changed(""),
                }
            }
        };
        let Some(wanted) = wanted else {
            return;
        };
        let (path, rel) = match (self.notes[id].as_ref(), slot) {
            (Some(note), _) => (note.file.path.clone(), note.file.rel.clone()),
            (None, Some(bib)) => {
                let file = &self.bibliographies[bib].file;
                (file.path.clone(), file.rel.clone())
            }
            (None, None) => return,
        };
        let bibliography = Bibliography::of_note(id, &path, &rel, &wanted);
        self.invalidate_titles();
        match slot {
            Some(bib) => self.bibliographies[bib] = bibliography,
            None => {
                self.references.insert(id, self.bibliographies.len());
                self.bibliographies.push(bibliography);
            }
        }
    }

    /// The bibliography of note `id`'s own `references:`, if it has had any.
    pub fn own_references(&self, id: NoteId) -> Option<BibId> {
        self.references.get(&id).copied()
    }

    /// Removes the note at `path`, if any.
    pub fn remove_note(&mut self, path: &Path) -> Option<NoteId> {
        self.written_ids.get_mut().map(HashMap::clear).ok();
        let notes = &self.notes;
        let path_of = |id: NoteId| notes[id].as_ref().map_or(Path::new(""), |n| &n.file.path);
        let id = self.by_path.remove(path, path_of)?;
        if let Some(order) = self.order.get_mut() {
            let notes = &self.notes;
            let at = order.ids.partition_point(|&other| {
                notes[other].as_ref().map(|n| n.file.path.as_path()) < Some(path)
            });
            if order.ids.get(at) == Some(&id) {
                order.ids.remove(at);
            } else {
                order.ids.retain(|&other| other != id);
            }
        }
        self.unindex_note(id, self.note(id).keys());
        self.set_declared(id, Vec::new());
        self.notes[id] = None;
        self.cached_title_mentions().remove(&id);
        lock(&self.title_lines).remove(&id);
        self.documents = OnceLock::new();
        self.invalidate_names();
        self.sync_references(id);
        Some(id)
    }

    fn add_name(&mut self, key: &str, target: Target) {
        let Some(targets) = self.names.get(key) else {
            self.names.insert(key.into(), Targets::from_buf([target]));
            return;
        };
        if targets.contains(&target) {
            return;
        }
        let order = self.target_order(&target);
        let at = targets.partition_point(|t| self.target_order(t) < order);
        if let Some(targets) = self.names.get_mut(key) {
            targets.insert(at, target);
        }
    }

    fn remove_name(&mut self, key: &str, target: Target) {
        if let Some(targets) = self.names.get_mut(key) {
            targets.retain(|t| *t != target);
            if targets.is_empty() {
                self.names.remove(key);
            }
        }
    }

    /// What a key of note `id` names.
    fn key_target(id: NoteId, key: Key) -> Target {
        match key {
            Key::Note(name) => Target::Note(id, name),
            Key::Entry(index) => Target::Glossary(EntryId { note: id, index }),
        }
    }

    /// Indexes note `id` under its `keys` ([`Note::keys`]), its labels and
    /// its path.
    fn index_note(&mut self, id: NoteId, keys: Vec<(String, Key)>) {
        for (name, key) in keys {
            self.add_name(&name, Workspace::key_target(id, key));
        }
        for label in labels_of(self.note(id)) {
            self.crossref_labels += usize::from(crate::syntax::is_crossref_label(&label));
            self.labels.entry(label).or_default().push(id);
        }
        let rel = self.note(id).file.rel.clone();
        self.files.add(&rel, FileRef::Note(id));
    }

    /// Undoes [`Workspace::index_note`] of note `id`, indexed under `keys`.
    fn unindex_note(&mut self, id: NoteId, keys: Vec<(String, Key)>) {
        for (name, key) in keys {
            self.remove_name(&name, Workspace::key_target(id, key));
        }
        for label in labels_of(self.note(id)) {
            self.crossref_labels -= usize::from(crate::syntax::is_crossref_label(&label));
            if let Some(notes) = self.labels.get_mut(&label) {
                notes.retain(|&n| n != id);
                if notes.is_empty() {
                    self.labels.remove(&label);
                }
            }
        }
        let rel = self.note(id).file.rel.clone();
        self.files.remove(&rel, FileRef::Note(id));
        self.missing_bibliographies.retain(|m| m.note != Some(id));
        self.loaded_together.notes.remove(&id);
    }

    /// Replaces all bibliography files (notes' `references:` stay) and
    /// rebuilds the key index (bibliographies are few; notes are many).
    pub fn set_bibliographies(&mut self, files: Vec<Bibliography>) {
        let mut all = std::mem::take(&mut self.bibliographies);
        all.retain(|b| b.owner.is_some());
        all.extend(files);
        self.index_bibliographies(all);
    }

    fn index_bibliographies(&mut self, all: Vec<Bibliography>) {
        self.bibliographies = all;
        self.keys.clear();
        self.references.clear();
        for (bib, file) in self.bibliographies.iter().enumerate() {
            if let Some(owner) = file.owner {
                self.references.insert(owner, bib);
                continue;
            }
            let manual = self.manubot && quarto::is_manubot_manual_references(&file.file.rel);
            for (entry, e) in file.entries.iter().enumerate() {
                let standard = manual.then(|| manubot_standard_id(file, e)).flatten();
                let keys = std::iter::once(e.key.clone()).chain(standard.filter(|k| *k != e.key));
                for key in keys {
                    let at = KeyLocation { bib, entry };
                    self.keys.entry(key).or_default().push(at);
                }
            }
        }
        self.key_suggestions = OnceLock::new();
        self.invalidate_titles();
    }

    /// The bibliography file at `path`, if loaded.
    pub fn bibliography_file(&self, path: &Path) -> Option<BibId> {
        self.bibliographies
            .iter()
            .position(|b| b.owner.is_none() && b.file.path == path)
    }

    /// Adds or replaces the bibliography file at its path.
    pub fn set_bibliography(&mut self, bibliography: Bibliography) {
        let mut all = std::mem::take(&mut self.bibliographies);
        match all
            .iter_mut()
            .find(|b| b.owner.is_none() && b.file.path == bibliography.file.path)
        {
            Some(existing) => *existing = bibliography,
            None => all.push(bibliography),
        }
        self.index_bibliographies(all);
    }

    /// Removes the bibliography file at `path`, if loaded.
    pub fn remove_bibliography(&mut self, path: &Path) {
        let mut all = std::mem::take(&mut self.bibliographies);
        all.retain(|b| b.owner.is_some() || b.file.path != path);
        self.index_bibliographies(all);
    }
}

/// The size from which a note's title scan keeps what each line gave.
const LINE_CACHE_FROM: usize = 64 * 1024;

/// A cache's lock: a panic while it was held left a cache, not a broken
/// state.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The labels a note defines, each once.
fn labels_of(note: &Note) -> std::collections::BTreeSet<String> {
    note.syntax.labels.iter().map(|l| l.value.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::strip_note_extension;
    use super::{Config, Note, SourceFile, Workspace};
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    /// Every note of a vault has one: at 100k notes, each 8 bytes are
    /// 0.8 MB. Rare fields are boxed and rare lists thin to keep it so.
    #[test]
    fn a_note_record_stays_small() {
        assert_eq!(std::mem::size_of::<Note>(), 376);
    }

    fn add(workspace: &mut Workspace, rel: &str) {
        let root = Path::new("/vault");
        let file = SourceFile::new(root, root.join(rel), String::new(), None);
        let syntax = crate::syntax::parse_note("");
        workspace.set_note(Note::new(&workspace.config, file, syntax));
    }

    /// A note read for its names only is found by the names parsing
    /// gives it; an answer that needs its anchors asks for it parsed, and
    /// is final once it is.
    #[test]
    fn a_note_read_for_its_names_only_resolves_as_parsed_and_is_wanted_for_its_anchors() {
        let root = Path::new("/vault");
        let config = Config::default();
        let b_text = "---\ntitle: 标题 😀\naliases: [别名]\n---\n# Heading\r\n段落 ^blk\n# Intro {#sec:intro}\n";
        let file = |rel: &str, text: &str| SourceFile::new(root, root.join(rel), text.into(), None);
        assert!(!Note::names_need_parsing(&config, &file("b.md", b_text)));
        let names = Note::names_only(&config, file("b.md", b_text), None);
        let parsed = Note::new(
            &config,
            file("b.md", b_text),
            crate::syntax::parse_note(b_text),
        );
        assert_eq!(names.keys(), parsed.keys());
        assert_eq!(names.syntax.front_matter, parsed.syntax.front_matter);
        assert_eq!(names.syntax.labels, parsed.syntax.labels);
        let glossary = "# Notes\n## 名词解释\n- **CoT**: 思维链\n";
        assert!(Note::names_need_parsing(&config, &file("g.md", glossary)));

        let mut workspace = Workspace::new(root.to_path_buf(), config.clone(), None);
        let b = workspace.set_note(names);
        let a_text = "[[别名#Heading]] [[b#Nope]] @sec:intro\n";
        let a_syntax = crate::syntax::parse_note(a_text);
        let a = workspace.set_note(Note::new(&config, file("a.md", a_text), a_syntax));
        let asked = workspace.unanswered();
        crate::ide::note_diagnostics(&workspace, a);
        assert_ne!(workspace.unanswered(), asked);
        assert_eq!(workspace.take_wanted(), [b]);
        assert!(workspace.take_wanted().is_empty());

        let whole = super::parse_names_only(root, root.join("b.md"), b_text.into(), &config, None);
        assert!(!whole.is_names_only());
        workspace.set_note(whole);
        let asked = workspace.unanswered();
        let messages: Vec<String> = crate::ide::note_diagnostics(&workspace, a)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(workspace.unanswered(), asked);
        assert_eq!(messages, ["no heading 'Nope' in 'b.md'"]);
    }

    proptest! {
        /// Notes are listed in path order (`a/b` before `a-b` and `a.md`,
        /// as paths compare) whatever order they come and go in: sorted
        /// (the walk), nearly (open notes first), or not at all.
        #[test]
        fn notes_are_listed_in_path_order(
            names in proptest::collection::vec("[a-d][./-]?[a-d]?(/[a-d])?", 1..200),
            sorted_first in any::<bool>(),
            removals in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let mut names: Vec<String> = names.into_iter().map(|n| format!("{n}.md")).collect();
            if sorted_first {
                names.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
            }
            let mut workspace = Workspace::new(PathBuf::from("/vault"), Config::default(), None);
            for name in &names {
                add(&mut workspace, name);
            }
            for index in removals {
                let name = index.get(&names);
                workspace.remove_note(&Path::new("/vault").join(name));
            }
            // Some come back, out of order.
            for name in names.iter().rev().step_by(3) {
                add(&mut workspace, name);
            }
            let listed: Vec<&Path> = workspace.notes().map(|(_, n)| n.file.path.as_path()).collect();
            let mut expected: Vec<&Path> = workspace
                .by_path
                .ids()
                .map(|id| workspace.note(id).file.path.as_path())
                .collect();
            expected.sort();
            prop_assert_eq!(&listed, &expected);
            let ids: Vec<&Path> = workspace
                .note_ids()
                .into_iter()
                .map(|id| workspace.note(id).file.path.as_path())
                .collect();
            prop_assert_eq!(ids, expected);
        }
    }

    /// Notes in reverse order move every other: past the budget the order
    /// is dropped, sorted again when asked for, and kept from then on.
    #[test]
    fn notes_in_reverse_order_are_sorted_once() {
        let mut workspace = Workspace::new(PathBuf::from("/vault"), Config::default(), None);
        let names: Vec<String> = (0..3000).rev().map(|i| format!("n{i:04}.md")).collect();
        for name in &names {
            add(&mut workspace, name);
        }
        assert!(workspace.order.get().is_none(), "dropped past the budget");
        let listed: Vec<String> = workspace.notes().map(|(_, n)| n.file.rel.clone()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        add(&mut workspace, "n9999.md");
        assert_eq!(workspace.order.get().map(|o| o.ids.len()), Some(3001));
    }

    #[test]
    fn strips_extensions_without_splitting_characters() {
        assert_eq!(strip_note_extension("a.md"), "a");
        assert_eq!(strip_note_extension("A.MARKDOWN"), "A");
        assert_eq!(strip_note_extension(".md"), ".md");
        assert_eq!(strip_note_extension("Note A 😀"), "Note A 😀");
        assert_eq!(strip_note_extension("中文"), "中文");
    }
}
