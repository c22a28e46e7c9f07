//! The stable diagnostic codes and their severities: part of gloss's
//! interface (CI configurations, `gloss.toml` and ignore comments name
//! them), shared by the configuration and every feature.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// The stable diagnostic codes. Their names are part of gloss's interface
/// (CI configurations and ignore comments use them): never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    BrokenLink,
    BrokenAnchor,
    UnknownCitation,
    DuplicateDefinition,
    BibSyntax,
    MissingBibliography,
    DuplicateCitationKey,
    FrontMatter,
    EmptyLink,
    AmbiguousLink,
    InvalidUtf8,
    FileTooLarge,
    Unreadable,
    BrokenCrossReference,
    TitleCitation,
}

impl Code {
    pub const ALL: [Code; 15] = [
        Code::BrokenLink,
        Code::BrokenAnchor,
        Code::UnknownCitation,
        Code::DuplicateDefinition,
        Code::BibSyntax,
        Code::MissingBibliography,
        Code::DuplicateCitationKey,
        Code::FrontMatter,
        Code::EmptyLink,
        Code::AmbiguousLink,
        Code::InvalidUtf8,
        Code::FileTooLarge,
        Code::Unreadable,
        Code::BrokenCrossReference,
        Code::TitleCitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::BrokenLink => "broken-link",
            Code::BrokenAnchor => "broken-anchor",
            Code::UnknownCitation => "unknown-citation",
            Code::DuplicateDefinition => "duplicate-definition",
            Code::BibSyntax => "bib-syntax",
            Code::MissingBibliography => "missing-bibliography",
            Code::DuplicateCitationKey => "duplicate-citation-key",
            Code::FrontMatter => "front-matter",
            Code::EmptyLink => "empty-link",
            Code::AmbiguousLink => "ambiguous-link",
            Code::InvalidUtf8 => "invalid-utf8",
            Code::FileTooLarge => "file-too-large",
            Code::Unreadable => "unreadable",
            Code::BrokenCrossReference => "broken-cross-reference",
            Code::TitleCitation => "title-citation",
        }
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Code::DuplicateDefinition
            | Code::DuplicateCitationKey
            | Code::EmptyLink
            | Code::AmbiguousLink
            | Code::InvalidUtf8
            | Code::FileTooLarge => Severity::Warning,
            // Not a problem: a note that names its papers by title is
            // fine; teams that want keys everywhere see where they are not.
            Code::TitleCitation => Severity::Hint,
            _ => Severity::Error,
        }
    }

    /// A one-line description, for SARIF rules and documentation.
    pub fn description(self) -> &'static str {
        match self {
            Code::BrokenLink => "A concept link names no glossary entry or note.",
            Code::BrokenAnchor => "A #Heading is not found in the target note.",
            Code::UnknownCitation => "A citation key is in no bibliography.",
            Code::DuplicateDefinition => "A glossary name is defined twice.",
            Code::BibSyntax => "A bibliography entry is malformed.",
            Code::MissingBibliography => "A declared bibliography file is missing.",
            Code::DuplicateCitationKey => "A citation key is defined twice.",
            Code::FrontMatter => "The YAML front matter is malformed.",
            Code::EmptyLink => "A concept link is empty.",
            Code::AmbiguousLink => "A link name matches several notes.",
            Code::InvalidUtf8 => "A file is not valid UTF-8.",
            Code::FileTooLarge => "A note is over the size limit and was skipped.",
            Code::Unreadable => "A file could not be read.",
            Code::BrokenCrossReference => {
                "A cross-reference (@sec:intro) names no label ({#sec:intro})."
            }
            Code::TitleCitation => "A paper is mentioned by its title with no citation key.",
        }
    }

    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }
}
