//! `gloss.toml`: optional configuration at the workspace root.
//!
//! ```toml
//! [glossary]
//! section-names = ["Glossary", "名词解释"]
//! files = ["glossary.md"]
//!
//! [bibliography]
//! files = ["~/Zotero/library.bib"]
//!
//! [files]
//! include = ["**/*.md"]
//! exclude = ["drafts/**"]
//! max-note-size = 10485760          # bytes; larger notes are reported, not read
//! max-bibliography-size = 268435456  # bytes; likewise for .bib / CSL-JSON files
//! max-front-matter-size = 262144     # bytes; larger front matter is reported, not used
//!
//! [severity]
//! broken-link = "warning"
//!
//! [ignore]
//! targets = ["TODO", "scratch/*"]
//! paths = ["archive/**"]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use super::codes::{Code, Severity};
use super::read::{read_file, Access, Origin, ReadError};

pub const CONFIG_FILE: &str = "gloss.toml";
/// `gloss.toml` is a few lines; anything bigger is not a configuration.
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

pub const DEFAULT_SECTION_NAMES: &[&str] = &[
    "Glossary",
    "Terms",
    "Definitions",
    "名词解释",
    "术语",
    "术语表",
];

/// The configuration as written in `gloss.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    glossary: RawGlossary,
    #[serde(default)]
    bibliography: RawBibliography,
    #[serde(default)]
    files: RawFiles,
    /// Code name → level; names are checked against [`Code`] after
    /// reading, so a misspelt code is an error with its location.
    #[serde(default)]
    severity: BTreeMap<String, Level>,
    #[serde(default)]
    ignore: RawIgnore,
    #[serde(default)]
    links: RawLinks,
    #[serde(default)]
    pandoc: RawPandoc,
    /// Document name → globs of the files it is made of.
    #[serde(default)]
    documents: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    check: RawCheck,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    baseline: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPandoc {
    cross_references: Option<Vec<String>>,
    keys: Option<String>,
    #[serde(default)]
    defaults: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLinks {
    aliases: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGlossary {
    section_names: Option<Vec<String>>,
    files: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBibliography {
    #[serde(default)]
    files: Vec<String>,
    style: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_note_size: Option<u64>,
    max_bibliography_size: Option<u64>,
    max_front_matter_size: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIgnore {
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
    Info,
    Hint,
    Off,
}

impl Level {
    fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Hint => Some(Severity::Hint),
            Level::Off => None,
        }
    }
}

/// Notes are hand-written: 10 MiB is far beyond any real one.
pub const DEFAULT_MAX_NOTE_SIZE: u64 = 10 * 1024 * 1024;
/// Exported libraries grow large (100k entries are about 30 MiB of BibTeX).
pub const DEFAULT_MAX_BIBLIOGRAPHY_SIZE: u64 = 256 * 1024 * 1024;
/// A title, aliases and tags take a few hundred bytes.
pub const DEFAULT_MAX_FRONT_MATTER_SIZE: u64 = 256 * 1024;

/// The configuration gloss runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub glossary_section_names: Vec<String>,
    /// Paths relative to the root, `/`-separated.
    pub glossary_files: Vec<String>,
    /// As written: relative to the root, absolute, or starting with `~/`.
    pub bibliography_files: Vec<String>,
    /// The CSL style references are shown in (a name hayagriva bundles).
    pub citation_style: String,
    pub include: Option<GlobSet>,
    pub exclude: GlobSet,
    pub max_note_size: u64,
    pub max_bibliography_size: u64,
    pub max_front_matter_size: u64,
    /// Overrides of the default severities; `None` turns a code off.
    severities: HashMap<Code, Option<Severity>>,
    pub ignore_targets: GlobSet,
    pub ignore_paths: GlobSet,
    /// Whether front-matter aliases name their notes in links (`[links]
    /// aliases`; Obsidian only suggests them).
    pub link_aliases: bool,
    /// Whether `@sec:intro` and the like are pandoc-crossref references,
    /// checked against labels (`[pandoc] cross-references`); `None`: when
    /// some note defines such a label.
    pub pandoc_crossref: Option<bool>,
    /// Whether `@fig-plot` and the like are Quarto cross-references,
    /// checked against labels; `None`: in the folder of a `_quarto.yml`
    /// and below it (elsewhere they are left alone).
    pub quarto: Option<bool>,
    /// Whether citation keys follow Pandoc's rule exactly (`[pandoc] keys =
    /// "pandoc"`: a CJK character is part of a key) or gloss's (`"gloss"`:
    /// it ends one); `None`: Pandoc's in Quarto projects, gloss's elsewhere.
    pub pandoc_keys: Option<bool>,
    /// `[pandoc] defaults`: Pandoc defaults files (relative to the root)
    /// whose inputs are one document and whose bibliographies apply.
    pub pandoc_defaults: Vec<String>,
    /// `[documents]`: the notes that one document concatenates (a thesis's
    /// chapters), by name; `#anchor` links resolve across them.
    pub documents: Vec<(String, GlobSet)>,
    /// `[check] baseline`: the baseline file (relative to the root) that
    /// `gloss check` and the editor compare with.
    pub baseline: Option<String>,
    /// Not from `gloss.toml`: the files an Obsidian vault excludes
    /// (`.obsidian/app.json` `userIgnoreFilters`), never reported.
    pub obsidian_excluded: Vec<Excluded>,
    /// Not from `gloss.toml`: the folder an Obsidian vault puts new
    /// attachments in (`.obsidian/app.json` `attachmentFolderPath`): `/`,
    /// `./` (the note's folder), `./figures` (below it) or `figures`.
    pub obsidian_attachments: Option<String>,
    /// The folder an Obsidian vault's daily notes are made in
    /// (`.obsidian/daily-notes.json`), if set.
    pub obsidian_daily_notes: Option<String>,
    /// Not from `gloss.toml`: the bibliographies an Obsidian vault's
    /// plugins cite from (the Citations plugin's `citationExportPath`,
    /// Pandoc Reference List's `pathToBibliography`), as written: for the
    /// whole vault, where they are there.
    pub app_bibliographies: Vec<String>,
    /// Not from `gloss.toml`: the root is an Obsidian vault (`.obsidian/`).
    pub obsidian: bool,
    /// Not from `gloss.toml`: the root is a Dendron workspace
    /// (`dendron.yml`), whose links read differently.
    pub dendron: Option<super::dendron::Dendron>,
    /// Not from `gloss.toml`: the root is a Logseq graph
    /// (`logseq/config.edn`), whose pages are named by their file names
    /// decoded ([`crate::workspace::names::logseq_page_name`]).
    pub logseq: bool,
    /// Not from `gloss.toml`: `--untrusted` confines every read the
    /// repository asks for to the workspace root.
    pub confined: bool,
    /// Not from `gloss.toml`: bibliographies the user names outside the
    /// repository (`--bibliography`), read wherever they are.
    pub user_bibliographies: Vec<PathBuf>,
    /// Not from `gloss.toml`: parse notes through the persistent index
    /// cache ([`super::cache`]); on in the language server, `--cache` for
    /// `gloss check`.
    pub index_cache: bool,
    /// Not from `gloss.toml`: each note read from disk leaves its text
    /// there once it is parsed, to be read again if something asks for it
    /// (`gloss check`, and the language server for notes not open).
    pub texts_on_disk: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            glossary_section_names: DEFAULT_SECTION_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            glossary_files: vec!["glossary.md".to_string()],
            bibliography_files: Vec::new(),
            citation_style: super::bibliography::csl::DEFAULT_STYLE.to_string(),
            include: None,
            exclude: GlobSet::empty(),
            max_note_size: DEFAULT_MAX_NOTE_SIZE,
            max_bibliography_size: DEFAULT_MAX_BIBLIOGRAPHY_SIZE,
            max_front_matter_size: DEFAULT_MAX_FRONT_MATTER_SIZE,
            severities: HashMap::new(),
            ignore_targets: GlobSet::empty(),
            ignore_paths: GlobSet::empty(),
            link_aliases: true,
            pandoc_crossref: None,
            quarto: None,
            pandoc_keys: None,
            pandoc_defaults: Vec::new(),
            documents: Vec::new(),
            baseline: None,
            obsidian_excluded: Vec::new(),
            obsidian_attachments: None,
            obsidian_daily_notes: None,
            app_bibliographies: Vec::new(),
            obsidian: false,
            dendron: None,
            logseq: false,
            confined: false,
            user_bibliographies: Vec::new(),
            index_cache: false,
            texts_on_disk: false,
        }
    }
}

/// A problem in `gloss.toml`, with the byte range it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// The text that was read, for showing the range; empty when nothing
    /// was read.
    pub text: String,
    pub range: Option<Range<usize>>,
    pub message: String,
}

impl Config {
    /// Whether the workspace is an app's: an Obsidian vault, a Logseq
    /// graph or a Dendron workspace, whose links name files and pages by
    /// that app's rules only. Other folders of notes are read by several
    /// tools (Zettlr, a site generator, Pandoc), whose readings count.
    pub fn is_an_apps(&self) -> bool {
        self.obsidian || self.logseq || self.dendron.is_some()
    }

    /// The severity `code` is reported with, or `None` when it is off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        self.severities
            .get(&code)
            .copied()
            .unwrap_or(Some(code.default_severity()))
    }

    /// Overrides the severity of `code` (`None` turns it off).
    pub fn set_severity(&mut self, code: Code, severity: Option<Severity>) {
        self.severities.insert(code, severity);
    }

    /// Whether diagnostics of the file at `relative` are reported: not
    /// `[ignore] paths`, not excluded by the Obsidian vault, not a template.
    pub fn reports(&self, relative: &str) -> bool {
        !self.ignore_paths.is_match(relative)
            && !self.obsidian_excluded.iter().any(|filter| match filter {
                Excluded::Prefix(prefix) => relative.starts_with(prefix.as_str()),
                Excluded::Pattern(pattern) => pattern.is_match(relative),
            })
            && !is_template(relative)
    }

    /// Whether a note at `relative` path is checked.
    pub fn includes(&self, relative: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|set| set.is_match(relative))
            && !self.exclude.is_match(relative)
    }

    /// Loads `gloss.toml` from `root` (canonical) if there is one. It is
    /// read only if it is a regular file of at most [`MAX_CONFIG_SIZE`]
    /// bytes inside the root: a configuration linked to `/proc/self/environ`
    /// or to a FIFO is an error, never read.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE);
        let access = Access {
            root,
            confined: true,
        };
        let error = |text: String, range, message| ConfigError {
            path: path.clone(),
            text,
            range,
            message,
        };
        match read_file(&access, &path, Origin::Control, MAX_CONFIG_SIZE) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                Config::parse(&text).map_err(|(range, message)| error(text, range, message))
            }
            Err(ReadError::NotFound) => Ok(Config::default()),
            Err(e) => Err(error(String::new(), None, format!("cannot read: {e}"))),
        }
        .map(|mut config| {
            let app = obsidian_settings(&access, root, "app.json");
            config.obsidian_excluded = obsidian_excluded(&access, root, &app);
            config.obsidian_daily_notes = obsidian_settings(&access, root, "daily-notes.json")
                ["folder"]
                .as_str()
                .map(|folder| folder.trim_matches('/').to_string())
                .filter(|folder| !folder.is_empty());
            config.obsidian_attachments = app["attachmentFolderPath"]
                .as_str()
                .map(str::to_string)
                .filter(|folder| !folder.is_empty());
            let plugin = |name: &str, key: &str| {
                let settings =
                    obsidian_settings(&access, root, &format!("plugins/{name}/data.json"));
                settings[key].as_str().map(str::to_string)
            };
            config.app_bibliographies = [
                plugin("obsidian-citation-plugin", "citationExportPath"),
                plugin("obsidian-pandoc-reference-list", "pathToBibliography"),
            ]
            .into_iter()
            .flatten()
            .filter(|path| !path.trim().is_empty())
            .collect();
            config.obsidian = root.join(".obsidian").is_dir() || ignores_obsidian(&access, root);
            config.dendron = read_file(
                &access,
                &root.join(super::dendron::CONFIG_FILE),
                Origin::Control,
                MAX_CONFIG_SIZE,
            )
            .ok()
            .map(|bytes| super::dendron::Dendron::parse(&String::from_utf8_lossy(&bytes)));
            config.logseq = root.join("logseq/config.edn").is_file();
            config
        })
    }

    /// Parses the text of a `gloss.toml`.
    pub fn parse(text: &str) -> Result<Config, (Option<Range<usize>>, String)> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| (e.span(), e.message().to_string()))?;
        let mut config = Config::default();
        if let Some(names) = raw.glossary.section_names {
            config.glossary_section_names = names;
        }
        if let Some(files) = raw.glossary.files {
            config.glossary_files = files
                .iter()
                .map(|f| f.trim_start_matches("./").replace('\\', "/"))
                .collect();
        }
        config.bibliography_files = raw.bibliography.files;
        if let Some(style) = raw.bibliography.style {
            if super::bibliography::csl::style(&style).is_none() {
                let message = format!("unknown citation style {style:?} (try \"apa\", \"ieee\", \"chicago-author-date\")");
                return Err((find_key(text, "style"), message));
            }
            config.citation_style = style;
        }
        let globs = |patterns: &[String], key: &str| {
            build_globs(patterns).map_err(|message| (find_key(text, key), message))
        };
        if !raw.files.include.is_empty() {
            config.include = Some(globs(&raw.files.include, "include")?);
        }
        config.exclude = globs(&raw.files.exclude, "exclude")?;
        if let Some(size) = raw.files.max_note_size {
            config.max_note_size = size;
        }
        if let Some(size) = raw.files.max_bibliography_size {
            config.max_bibliography_size = size;
        }
        if let Some(size) = raw.files.max_front_matter_size {
            config.max_front_matter_size = size;
        }
        if let Some(aliases) = raw.links.aliases {
            config.link_aliases = aliases;
        }
        if let Some(filters) = &raw.pandoc.cross_references {
            // pandoc-fignos and its siblings read pandoc-crossref's syntax.
            const COLON_STYLE: [&str; 9] = [
                "pandoc-crossref",
                "pandoc-fignos",
                "pandoc-tablenos",
                "pandoc-eqnos",
                "pandoc-secnos",
                "fignos",
                "tablenos",
                "eqnos",
                "secnos",
            ];
            let known = |f: &String| COLON_STYLE.contains(&f.as_str()) || f == "quarto";
            if let Some(unknown) = filters.iter().find(|f| !known(f)) {
                let message = format!(
                    "unknown cross-reference syntax `{unknown}`, expected \"pandoc-crossref\", \"pandoc-fignos\" (and its siblings) or \"quarto\" (or none: [])"
                );
                return Err((find_key(text, "cross-references"), message));
            }
            config.pandoc_crossref =
                Some(filters.iter().any(|f| COLON_STYLE.contains(&f.as_str())));
            config.quarto = Some(filters.iter().any(|f| f == "quarto"));
        }
        config.pandoc_defaults = raw.pandoc.defaults.clone();
        config.baseline = raw.check.baseline.clone();
        if let Some(keys) = &raw.pandoc.keys {
            config.pandoc_keys = Some(match keys.as_str() {
                "pandoc" => true,
                "gloss" => false,
                other => {
                    let message =
                        format!("unknown key rule `{other}`, expected \"pandoc\" or \"gloss\"");
                    return Err((find_key(text, "keys"), message));
                }
            });
        }
        for (name, patterns) in &raw.documents {
            config
                .documents
                .push((name.clone(), globs(patterns, name)?));
        }
        config.ignore_targets = globs(&raw.ignore.targets, "targets")?;
        config.ignore_paths = globs(&raw.ignore.paths, "paths")?;
        for (name, level) in raw.severity {
            let Some(code) = Code::from_name(&name) else {
                let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                let message = format!(
                    "unknown diagnostic code `{name}`, expected one of {}",
                    known.join(", ")
                );
                return Err((find_key(text, &name), message));
            };
            config.severities.insert(code, level.severity());
        }
        Ok(config)
    }
}

/// One of an Obsidian vault's "excluded files" filters: a path prefix
/// (`Archive/`) or a `/regular expression/`.
#[derive(Debug, Clone)]
pub enum Excluded {
    Prefix(String),
    Pattern(regex::Regex),
}

/// Whether the note at `relative` is in a folder of templates
/// (`Templates/`, `_templates/`, `template/`, `82 Templates/` as a
/// Johnny Decimal vault numbers it, in any case, at any depth):
/// its links and fields are placeholders (`[[Related concept]]`, `{{title}}`)
/// that a new note is made from.
fn is_template(relative: &str) -> bool {
    let folders = relative.rsplit_once('/').map_or("", |(folders, _)| folders);
    folders.split('/').any(|folder| {
        let folder = folder.trim_start_matches(|c: char| c.is_ascii_digit() || " _-.".contains(c));
        folder.eq_ignore_ascii_case("templates") || folder.eq_ignore_ascii_case("template")
    })
}

/// Whether the root's `.gitignore` keeps Obsidian's settings folder out
/// (`.obsidian`, `.obsidian/workspace*`): a vault published without its
/// settings is a vault all the same.
fn ignores_obsidian(access: &Access, root: &Path) -> bool {
    let Ok(bytes) = read_file(
        access,
        &root.join(".gitignore"),
        Origin::Control,
        MAX_CONFIG_SIZE,
    ) else {
        return false;
    };
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::trim)
        .any(|line| !line.starts_with(['#', '!']) && line.contains(".obsidian"))
}

/// The settings file `rel` of `.obsidian/` at `root` (Null when there is
/// none or it is not JSON).
fn obsidian_settings(access: &Access, root: &Path, rel: &str) -> serde_json::Value {
    let path = root.join(".obsidian").join(rel);
    read_file(access, &path, Origin::Control, MAX_CONFIG_SIZE)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The "excluded files" of an Obsidian vault at `root` (its `app`
/// settings), if it is one, and
/// its templates folders (core Templates, Templater) and the templates of
/// Zotero Integration's exports (Nunjucks, `{% if … %}`): notes made from
/// them are checked, they are not.
fn obsidian_excluded(access: &Access, root: &Path, app: &serde_json::Value) -> Vec<Excluded> {
    let json = |rel: &str| obsidian_settings(access, root, rel);
    let filters = app["userIgnoreFilters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut excluded: Vec<Excluded> = filters
        .iter()
        .filter_map(|f| f.as_str())
        .filter_map(
            |f| match f.strip_prefix('/').and_then(|f| f.strip_suffix('/')) {
                // An invalid expression excludes nothing, as in Obsidian.
                Some(pattern) => regex::Regex::new(pattern).ok().map(Excluded::Pattern),
                None => Some(Excluded::Prefix(f.to_string())),
            },
        )
        .collect();
    let templates = [
        json("templates.json")["folder"].clone(),
        json("plugins/templater-obsidian/data.json")["templates_folder"].clone(),
    ];
    excluded.extend(
        templates
            .iter()
            .filter_map(|folder| folder.as_str())
            .map(|folder| folder.trim_matches('/'))
            .filter(|folder| !folder.is_empty())
            .map(|folder| Excluded::Prefix(format!("{folder}/"))),
    );
    let zotero = json("plugins/obsidian-zotero-desktop-connector/data.json");
    let exports = zotero["exportFormats"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    excluded.extend(
        (exports.iter())
            .filter_map(|export| export["templatePath"].as_str())
            .map(|path| path.trim_start_matches('/'))
            .filter(|path| !path.is_empty())
            .map(|path| Excluded::Prefix(path.to_string())),
    );
    excluded
}

fn build_globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("invalid glob {pattern:?}: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Where `key = ` is written, for errors found after deserialising.
fn find_key(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(key) {
            let start = offset + (line.len() - line.trim_start().len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let config = Config::parse(
            "[severity]\nbroken-link = \"warning\"\nempty-link = \"off\"\n[files]\nexclude = [\"drafts/**\"]\n",
        )
        .unwrap();
        assert_eq!(config.severity(Code::BrokenLink), Some(Severity::Warning));
        assert_eq!(config.severity(Code::EmptyLink), None);
        assert_eq!(
            config.severity(Code::UnknownCitation),
            Some(Severity::Error)
        );
        assert!(!config.includes("drafts/a.md"));
        assert!(config.includes("notes/a.md"));
    }

    #[test]
    fn documents_are_named_groups_of_globs() {
        let config =
            Config::parse("[documents]\nthesis = [\"source/*.md\", \"front.md\"]\n").unwrap();
        let (name, globs) = &config.documents[0];
        assert_eq!(name, "thesis");
        assert!(globs.is_match("source/01-intro.md") && globs.is_match("front.md"));
        let text = "[documents]\nbad = [\"a[\"]\n";
        assert!(Config::parse(text).is_err());
    }

    #[test]
    fn key_rules() {
        assert_eq!(Config::parse("").unwrap().pandoc_keys, None);
        let pandoc = Config::parse("[pandoc]\nkeys = \"pandoc\"\n").unwrap();
        assert_eq!(pandoc.pandoc_keys, Some(true));
        let text = "[pandoc]\nkeys = \"latex\"\n";
        let (range, message) = Config::parse(text).unwrap_err();
        assert!(message.contains("`latex`"), "{message}");
        assert_eq!(&text[range.unwrap()], "keys");
    }

    #[test]
    fn cross_reference_syntaxes() {
        assert_eq!(Config::parse("").unwrap().pandoc_crossref, None);
        let on = "[pandoc]\ncross-references = [\"pandoc-crossref\"]\n";
        assert_eq!(Config::parse(on).unwrap().pandoc_crossref, Some(true));
        let off = Config::parse("[pandoc]\ncross-references = []\n").unwrap();
        assert_eq!(
            (off.pandoc_crossref, off.quarto),
            (Some(false), Some(false))
        );
        let both = "[pandoc]\ncross-references = [\"quarto\", \"pandoc-fignos\"]\n";
        let both = Config::parse(both).unwrap();
        assert_eq!(
            (both.pandoc_crossref, both.quarto),
            (Some(true), Some(true))
        );
        let text = "[pandoc]\ncross-references = [\"bookdown\"]\n";
        let (range, message) = Config::parse(text).unwrap_err();
        assert!(message.contains("`bookdown`"), "{message}");
        assert_eq!(&text[range.unwrap()], "cross-references");
    }

    #[test]
    fn unknown_keys_and_bad_values_have_locations() {
        let text = "[severity]\nbroken-lnk = \"warning\"\n";
        let (range, message) = Config::parse(text).unwrap_err();
        assert!(
            message.contains("unknown diagnostic code `broken-lnk`"),
            "{message}"
        );
        assert_eq!(&text[range.unwrap()], "broken-lnk");

        let text = "[severity]\nbroken-link = \"loud\"\n";
        let (range, message) = Config::parse(text).unwrap_err();
        assert!(message.contains("unknown variant `loud`"), "{message}");
        assert_eq!(&text[range.unwrap()], "\"loud\"");

        let text = "[bibliography]\nstyle = \"nope\"\n";
        let (range, message) = Config::parse(text).unwrap_err();
        assert!(message.contains("unknown citation style"), "{message}");
        assert_eq!(&text[range.unwrap()], "style");
        assert_eq!(
            Config::parse("[bibliography]\nstyle = \"ieee\"\n")
                .unwrap()
                .citation_style,
            "ieee"
        );

        let text = "[files]\nexclude = [\"a/[\"]\n";
        let (range, message) = Config::parse(text).unwrap_err();
        assert!(message.contains("invalid glob"), "{message}");
        assert_eq!(&text[range.unwrap()], "exclude");
    }
}
