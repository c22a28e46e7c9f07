//! Bibliographies: BibTeX/BibLaTeX, CSL-JSON and CSL YAML files (and the
//! `references:` of a note's front matter), with the byte span of
//! every entry and key so that go-to-definition can land on them.

mod bibtex;
pub mod csl;
mod csl_json;
pub(crate) mod csl_yaml;
mod guard;

use std::ops::Range;

/// One reference, whatever file format it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BibEntry {
    pub key: String,
    pub key_range: Range<usize>,
    /// The whole entry.
    pub range: Range<usize>,
    /// `article`, `inproceedings`, `paper-conference`, …
    pub kind: String,
    pub title: Option<String>,
    /// BibTeX `shorttitle`, CSL `title-short`: another name the paper is
    /// mentioned by.
    pub short_title: Option<String>,
    pub authors: Vec<Person>,
    pub year: Option<String>,
    /// Journal, book or proceedings title.
    pub container: Option<String>,
    pub doi: Option<String>,
    pub url: Option<String>,
    /// arXiv identifier, when the entry says it is one.
    pub arxiv: Option<String>,
    pub file: Option<String>,
    pub abstract_text: Option<String>,
}

/// An author or editor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// Family name with its particle (`de Las Casas`), or the whole name of
    /// an organisation.
    pub family: String,
    pub given: String,
}

impl Person {
    /// `Jared Kaplan`
    pub fn full_name(&self) -> String {
        match (self.given.is_empty(), self.family.is_empty()) {
            (true, _) => self.family.clone(),
            (false, true) => self.given.clone(),
            (false, false) => format!("{} {}", self.given, self.family),
        }
    }

    /// `Kaplan, J.` (APA): initials of each given name.
    pub fn apa_name(&self) -> String {
        let initials: Vec<String> = self
            .given
            .split([' ', '-'])
            .filter_map(|part| part.chars().next())
            .filter(|c| c.is_alphabetic())
            .map(|c| format!("{c}."))
            .collect();
        if initials.is_empty() {
            self.family.clone()
        } else {
            format!("{}, {}", self.family, initials.join(" "))
        }
    }
}

/// A syntax error in a bibliography file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BibError {
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BibFormat {
    BibTeX,
    CslJson,
    /// Pandoc's CSL YAML, in a file or a note's `references:`.
    CslYaml,
}

impl BibFormat {
    /// The format a file name implies; `None` for anything else.
    pub fn from_path(path: &std::path::Path) -> Option<BibFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "bib" | "bibtex" => Some(BibFormat::BibTeX),
            "json" => Some(BibFormat::CslJson),
            "yaml" | "yml" => Some(BibFormat::CslYaml),
            _ => None,
        }
    }
}

/// The entries and errors of a bibliography's text.
#[derive(Debug, Clone, Default)]
pub struct ParsedBibliography {
    pub entries: Vec<BibEntry>,
    pub errors: Vec<BibError>,
    /// The `@string` definitions of a BibTeX file, for formatting entries
    /// on their own later.
    pub strings: String,
}

pub fn parse(text: &str, format: BibFormat) -> ParsedBibliography {
    match format {
        BibFormat::BibTeX => bibtex::parse(text),
        BibFormat::CslJson => csl_json::parse(text),
        BibFormat::CslYaml => csl_yaml::parse(text),
    }
}
