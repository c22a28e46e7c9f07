//! Projects that build documents out of notes. A `_quarto.yml` makes its
//! folder a Quarto project: there `@fig-plot` and friends are
//! cross-references, `bibliography:` applies to every document, and a
//! book's chapters (`book: chapters:`, `appendices:`) are one document, so
//! `[text](#sec-x)` finds a heading in any chapter; a file that
//! `{{< include >}}` puts into a page is part of that page. A bookdown
//! book (`_bookdown.yml`) merges its chapters into one document. A Pandoc
//! defaults file named in `gloss.toml` does the same for its
//! `input-files` and bibliographies.

use std::path::Path;

use crate::syntax::yaml::{self, Node};

/// The names Quarto reads its project configuration from.
pub const PROJECT_FILES: [&str; 2] = ["_quarto.yml", "_quarto.yaml"];

/// Whether `path` is a Quarto project's or a bookdown book's
/// configuration: what changes how notes are put together.
pub fn is_project_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        PROJECT_FILES.contains(&n)
            || n == BOOKDOWN_FILE
            || is_other_bookdown_file(n)
            || METADATA_FILES.contains(&n)
    })
}

/// Whether a file named `name` may be a bookdown configuration other than
/// `_bookdown.yml`, which a build passes as `config_file` (a book's Word
/// edition in `_bookdown-word.yml`, `_new-bookdown.yml`): read as a book
/// where it lists its chapters (`rmd_files:`).
pub fn is_other_bookdown_file(name: &str) -> bool {
    name != BOOKDOWN_FILE
        && name.starts_with('_')
        && name.contains("bookdown")
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The names of Quarto's directory metadata: what one sets applies to
/// every document in its folder and below.
pub const METADATA_FILES: [&str; 2] = ["_metadata.yml", "_metadata.yaml"];

/// Whether a Quarto metadata file turns citation processing off
/// (`citeproc: false`, for every format or under `format:` for one: a
/// website renders one). Quarto then leaves `@word` as it is written: the
/// `@user` thanks of a changelog are no citations.
pub fn turns_off_citeproc(text: &str) -> bool {
    let Ok(Some(root)) = yaml::parse(text) else {
        return false;
    };
    let off = |node: &Node| {
        node.get("citeproc")
            .and_then(Node::as_scalar)
            .is_some_and(|(value, _)| value == "false")
    };
    let in_a_format = || match root.get("format") {
        Some(Node::Map(formats, _)) => formats.iter().any(|(_, options)| off(options)),
        _ => false,
    };
    off(&root) || in_a_format()
}

/// Whether `path` (relative to the root) is where Manubot's manuscript
/// template keeps the Pandoc defaults of its build
/// (`build/pandoc/defaults/*.yaml`), which run the `pandoc-manubot-cite`
/// filter.
pub fn is_manubot_defaults_file(path: &Path) -> bool {
    path.parent() == Some(Path::new("build/pandoc/defaults"))
        && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// Whether a citation key is one that Manubot resolves itself (its USAGE,
/// "Citation keys" and "Citation aliases"; `manubot/cite/handlers.py`):
/// a compact identifier `prefix:id` (`doi:10.1038/…`, `pubmed:…`,
/// `clinicaltrials:NCT…`: Manubot knows the 1,600 prefixes of the
/// Bioregistry, in any case), a `tag:` alias, or an identifier whose
/// prefix it infers (`10.1248/cpb.56.1473`, the short DOI `10/gjgdzm`,
/// `PMC4719068`, a PubMed number, `Q42`, an arXiv id). pandoc-crossref's
/// `fig:`, `sec:`… are labels, not identifiers.
pub fn is_manubot_citekey(key: &str) -> bool {
    match key.split_once(':') {
        Some((prefix, id)) => {
            !id.is_empty()
                && prefix.starts_with(|c: char| c.is_ascii_alphabetic())
                && (prefix.bytes()).all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                && crate::syntax::crossref_label(key).is_none()
        }
        None => is_inferred_identifier(key),
    }
}

/// A key without a prefix that Manubot reads as an identifier anyway.
fn is_inferred_identifier(key: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let doi = key
        .strip_prefix("10.")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(registrant, suffix)| digits(registrant) && !suffix.is_empty());
    let short_doi = key
        .strip_prefix("10/")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    let arxiv = || {
        let id = key
            .split_once('v')
            .map_or(key, |(id, version)| match digits(version) {
                true => id,
                false => key,
            });
        id.split_once('.').is_some_and(|(month, number)| {
            digits(month) && month.len() == 4 && digits(number) && (4..=5).contains(&number.len())
        })
    };
    doi || short_doi
        || key.strip_prefix("PMC").is_some_and(digits)
        || key.strip_prefix('Q').is_some_and(digits)
        || (digits(key) && !key.starts_with('0') && key.len() <= 11)
        || arxiv()
}

/// Whether `rel` is one of the files of references written by hand that
/// Manubot's build adds to the bibliography (`content/manual-references*.*`,
/// `manubot/command.py`).
pub fn is_manubot_manual_references(rel: &str) -> bool {
    rel.strip_prefix("content/")
        .is_some_and(|name| !name.contains('/') && name.starts_with("manual-references"))
}

/// The key Manubot files a reference written by hand under
/// (`load_manual_references`, `infer_id`): its `standard_citation`, else
/// the `standard_id:` line of its `note`, else its `id`. `item` is the
/// item's CSL data.
pub fn manubot_standard_id(item: &serde_json::Value) -> Option<String> {
    if let Some(citation) = item.get("standard_citation").and_then(|v| v.as_str()) {
        return Some(citation.trim().to_string());
    }
    let note = item.get("note").and_then(|v| v.as_str())?;
    note.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == "standard_id" && !value.trim().is_empty()).then(|| value.trim().to_string())
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuartoProject {
    /// The project's folder, relative to the workspace root (`""` for the
    /// root itself), `/`-separated.
    pub folder: String,
    /// A book's chapters and appendices, relative to the workspace root, in
    /// order.
    pub chapters: Vec<String>,
    /// `bibliography:` as written, relative to the project's folder.
    pub bibliography: Vec<String>,
    /// The keys of the project's own kinds of cross-reference
    /// (`crossref: custom: [{key: vid, …}]`): `@vid-cern` refers to the
    /// label `vid-cern`.
    pub crossref_kinds: Vec<String>,
}

impl QuartoProject {
    /// Whether the note at `rel` (relative to the root) is in the project.
    pub fn contains(&self, rel: &str) -> bool {
        in_folder(&self.folder, rel)
    }
}

/// Whether the file at `rel` is in `folder` or below it (both relative to
/// the root; `""` is the root).
pub fn in_folder(folder: &str, rel: &str) -> bool {
    folder.is_empty()
        || rel
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Reads the `_quarto.yml` of the project in `folder` (relative to the
/// root). A file that is not valid YAML still makes a project, with no
/// chapters or bibliography: Quarto reports it when it renders.
pub fn parse(folder: &str, text: &str) -> QuartoProject {
    let mut project = QuartoProject {
        folder: folder.to_string(),
        ..QuartoProject::default()
    };
    let Ok(Some(root)) = yaml::parse(text) else {
        return project;
    };
    let in_folder = |file: &str| match folder {
        "" => file.trim_start_matches("./").to_string(),
        _ => format!("{folder}/{}", file.trim_start_matches("./")),
    };
    if let Some(book) = root.get("book") {
        let mut files = Vec::new();
        for key in ["chapters", "appendices"] {
            if let Some(list) = book.get(key) {
                chapter_files(list, &mut files);
            }
        }
        project.chapters = files.iter().map(|f| in_folder(f)).collect();
    }
    if let Some(bibliography) = root.get("bibliography") {
        project.bibliography = bibliography
            .scalars()
            .into_iter()
            .map(|(s, _)| s.to_string())
            .collect();
    }
    if let Some(Node::Seq(kinds, _)) = root.get("crossref").and_then(|c| c.get("custom")) {
        project.crossref_kinds = kinds
            .iter()
            .filter_map(|kind| kind.get("key")?.as_scalar())
            .map(|(key, _)| key.to_string())
            .filter(|key| !key.is_empty())
            .collect();
    }
    project
}

/// The files of a `chapters:` list: names, `- href: file`, and parts
/// (`- part: intro.qmd` with `chapters:` of their own).
fn chapter_files<'a>(list: &'a Node, out: &mut Vec<&'a str>) {
    let Node::Seq(items, _) = list else {
        return;
    };
    for item in items {
        match item {
            Node::Scalar(file, _) => out.push(file),
            Node::Map(..) => {
                for key in ["part", "href", "file"] {
                    if let Some((file, _)) = item.get(key).and_then(Node::as_scalar) {
                        // A part may be a title, not a file.
                        if file.contains('.') {
                            out.push(file);
                        }
                    }
                }
                if let Some(chapters) = item.get("chapters") {
                    chapter_files(chapters, out);
                }
            }
            Node::Seq(..) => {}
        }
    }
}

/// The folder, relative to the project's, that Quarto renders a project
/// into (`project: output-dir:`, else `_site` for a website, `_book` for a
/// book, `_manuscript` for a manuscript), or bookdown a book (`output_dir:`,
/// else `_book`), given the configuration file's name and text. Its notes
/// and bibliographies are copies, often committed to publish them (`docs`
/// for GitHub Pages).
pub fn output_folder(file_name: &str, text: &str) -> Option<String> {
    let root = yaml::parse(text).ok().flatten();
    let value = |node: Option<&Node>| node.and_then(Node::as_scalar).map(|(s, _)| s.to_string());
    let folder = if file_name == BOOKDOWN_FILE {
        value(root.as_ref().and_then(|r| r.get("output_dir"))).or_else(|| Some("_book".into()))
    } else {
        let project = root.as_ref().and_then(|r| r.get("project"));
        value(project.and_then(|p| p.get("output-dir"))).or_else(|| {
            match value(project.and_then(|p| p.get("type")))?.as_str() {
                "website" => Some("_site".into()),
                "book" => Some("_book".into()),
                "manuscript" => Some("_manuscript".into()),
                _ => None,
            }
        })
    }?;
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    (!folder.is_empty() && folder != ".").then(|| folder.to_string())
}

/// The name bookdown reads a book's configuration from.
pub const BOOKDOWN_FILE: &str = "_bookdown.yml";

/// A bookdown book: its chapters are merged into one Pandoc run with the
/// metadata of `index.Rmd`, so they are one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookdownBook {
    /// The book's folder, relative to the root (`""` for the root).
    pub folder: String,
    /// `rmd_files:` (all formats' lists), relative to the root; `None`
    /// for bookdown's default.
    pub chapters: Option<Vec<String>>,
}

impl BookdownBook {
    /// Whether the file at `rel` (relative to the root) is a chapter: one
    /// `rmd_files:` names, else, as bookdown does by default, an `.Rmd`
    /// file of the book's folder whose name does not start with `_`.
    pub fn has_chapter(&self, rel: &str) -> bool {
        match &self.chapters {
            Some(chapters) => chapters.iter().any(|c| c == rel),
            None => {
                let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
                dir == self.folder
                    && !name.starts_with('_')
                    && name
                        .len()
                        .checked_sub(4)
                        .and_then(|at| name.get(at..))
                        .is_some_and(|ext| ext.eq_ignore_ascii_case(".rmd"))
            }
        }
    }
}

/// Reads the `_bookdown.yml` of the book in `folder`. Invalid YAML gives
/// bookdown's default chapters.
pub fn parse_bookdown(folder: &str, text: &str) -> BookdownBook {
    let files = match yaml::parse(text) {
        Ok(Some(root)) => root.get("rmd_files").map(|node| {
            // A list, or one list per output format (`html: […]`).
            let mut values = Vec::new();
            node.values(&mut values);
            values
                .into_iter()
                .map(|(file, _)| match folder {
                    "" => clean(file),
                    _ => format!("{folder}/{}", clean(file)),
                })
                .collect()
        }),
        _ => None,
    };
    BookdownBook {
        folder: folder.to_string(),
        chapters: files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_chapters_parts_appendices_and_bibliography() {
        let text = "project:\n  type: book\nbook:\n  title: 书 😀\n  chapters:\n    - index.qmd\n    - part: dice.qmd\n      chapters:\n        - basics.qmd\n    - part: \"Part Two\"\n      chapters: [./a/b.qmd]\n  appendices:\n    - href: a1.qmd\nbibliography: [refs.bib, more.yaml]\n";
        let project = parse("book", text);
        assert_eq!(
            project.chapters,
            [
                "book/index.qmd",
                "book/dice.qmd",
                "book/basics.qmd",
                "book/a/b.qmd",
                "book/a1.qmd"
            ]
        );
        assert_eq!(project.bibliography, ["refs.bib", "more.yaml"]);
        assert!(project.contains("book/x.qmd") && !project.contains("bookish/x.qmd"));
        assert_eq!(parse("", "bibliography: r.bib\n").bibliography, ["r.bib"]);
        assert_eq!(parse("", "book: [unclosed\n"), QuartoProject::default());
    }

    #[test]
    fn output_folders() {
        let out = |name: &str, text: &str| output_folder(name, text);
        assert_eq!(
            out(
                "_quarto.yml",
                "project:\n  type: website\n  output-dir: ./docs/\n"
            )
            .as_deref(),
            Some("docs")
        );
        assert_eq!(
            out("_quarto.yml", "project:\n  type: website\n").as_deref(),
            Some("_site")
        );
        assert_eq!(
            out("_quarto.yaml", "project: {type: book}\n").as_deref(),
            Some("_book")
        );
        assert_eq!(out("_quarto.yml", "project:\n  type: default\n"), None);
        assert_eq!(out("_quarto.yml", "project:\n  output-dir: .\n"), None);
        assert_eq!(out("_quarto.yml", "[unclosed"), None);
        assert_eq!(
            out("_bookdown.yml", "output_dir: 书\n").as_deref(),
            Some("书")
        );
        assert_eq!(
            out("_bookdown.yml", "book_filename: x\n").as_deref(),
            Some("_book")
        );
    }

    #[test]
    fn bookdown_chapters_listed_or_by_default() {
        let text =
            "rmd_files:\n  html: [index.Rmd, 01-引言.Rmd]\n  latex: [./index.Rmd, 02-pdf.Rmd]\n";
        let listed = parse_bookdown("书", text);
        assert!(listed.has_chapter("书/01-引言.Rmd") && listed.has_chapter("书/02-pdf.Rmd"));
        assert!(!listed.has_chapter("书/03-other.Rmd"));
        let default = parse_bookdown("", "book_filename: x\n");
        assert_eq!(default.chapters, None);
        assert!(default.has_chapter("01-intro.Rmd") && default.has_chapter("index.rmd"));
        assert!(!default.has_chapter("_common.Rmd") && !default.has_chapter("sub/a.Rmd"));
        assert!(!default.has_chapter("README.md") && !default.has_chapter("引.Rmd😀"));
    }
}

/// What a Pandoc defaults file (`pandoc -d thesis.yaml`, named in
/// `gloss.toml` as `[pandoc] defaults`) tells about the document it builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PandocDefaults {
    /// `input-files` (or `input-file`), relative to the workspace root: one
    /// document.
    pub inputs: Vec<String>,
    /// `bibliography` (top level or under `metadata`), relative to the
    /// root (Pandoc resolves them from where it runs).
    pub bibliography: Vec<String>,
    /// `metadata-files`: bibliographies when they hold `references:`.
    pub metadata_files: Vec<String>,
}

/// Reads a Pandoc defaults file. Invalid YAML gives nothing: Pandoc
/// reports it when it runs.
pub fn parse_defaults(text: &str) -> PandocDefaults {
    let mut defaults = PandocDefaults::default();
    let Ok(Some(root)) = yaml::parse(text) else {
        return defaults;
    };
    let list = |node: Option<&Node>| -> Vec<String> {
        node.map(|n| n.scalars().into_iter().map(|(s, _)| clean(s)).collect())
            .unwrap_or_default()
    };
    defaults.inputs = list(root.get("input-files"));
    defaults.inputs.extend(list(root.get("input-file")));
    defaults.bibliography = list(root.get("bibliography"));
    defaults.bibliography.extend(list(
        root.get("metadata").and_then(|m| m.get("bibliography")),
    ));
    defaults.metadata_files = list(root.get("metadata-files"));
    defaults
        .metadata_files
        .extend(list(root.get("metadata-file")));
    defaults
}

/// A path as a defaults file writes it, relative to the root: `${.}/x`
/// (the defaults file's folder, taken as the root) and `./x` are `x`.
fn clean(path: &str) -> String {
    path.trim_start_matches("${.}/")
        .trim_start_matches("./")
        .to_string()
}

#[cfg(test)]
mod defaults_tests {
    use super::*;

    #[test]
    fn metadata_that_turns_citeproc_off() {
        assert!(turns_off_citeproc(
            "format:\n  html:\n    citeproc: false\n"
        ));
        assert!(turns_off_citeproc("citeproc: false\ntitle: 更新 😀\n"));
        assert!(!turns_off_citeproc("format:\n  html:\n    toc: true\n"));
        assert!(!turns_off_citeproc("citeproc: true\n"));
        assert!(!turns_off_citeproc("format: html\n"));
        assert!(!turns_off_citeproc("[unclosed\n"));
    }

    #[test]
    fn inputs_bibliographies_and_metadata_files() {
        let text = "from: markdown\ninput-files:\n- ${.}/content/01-引言.md\n- ./content/02.md\nmetadata-files: [bibliography.yml]\nbibliography: refs.bib\nmetadata:\n  bibliography: [more.json]\n";
        let defaults = parse_defaults(text);
        assert_eq!(defaults.inputs, ["content/01-引言.md", "content/02.md"]);
        assert_eq!(defaults.bibliography, ["refs.bib", "more.json"]);
        assert_eq!(defaults.metadata_files, ["bibliography.yml"]);
        assert_eq!(parse_defaults("[unclosed"), PandocDefaults::default());
    }
}
