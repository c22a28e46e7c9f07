//! Diagnostics: everything `gloss check` reports and the language server
//! publishes. Both call these functions, so they agree on every code, range
//! and message.

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use super::{Code, Diagnostic, FileId, Related};
use crate::syntax::{front_matter, Link, LinkKind, Spanned};
use crate::workspace::names::normalize;
use crate::workspace::{
    BibId, EntryId, FileProblem, FileRef, KeyKind, KeyLocation, Note, NoteId, Resolution,
    SourceFile, Target, Workspace,
};

/// Collects diagnostics for one file, applying configured severities and
/// suppressions.
struct Sink<'a> {
    workspace: &'a Workspace,
    file: FileId,
    source: &'a SourceFile,
    /// Codes silenced for the whole file (front matter `gloss.ignore`).
    file_ignores: Vec<String>,
    /// Line → codes silenced by a `<!-- gloss-ignore: … -->` above it.
    line_ignores: HashMap<u32, Vec<String>>,
    out: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    fn new(workspace: &'a Workspace, file: FileId, source: &'a SourceFile) -> Sink<'a> {
        Sink {
            workspace,
            file,
            source,
            file_ignores: Vec::new(),
            line_ignores: HashMap::new(),
            out: Vec::new(),
        }
    }

    fn silenced(&self, code: Code, range: &Range<usize>) -> bool {
        let silences = |codes: &Vec<String>| codes.iter().any(|c| c == code.as_str() || c == "all");
        if silences(&self.file_ignores) {
            return true;
        }
        if self.line_ignores.is_empty() {
            // Most notes have no such comment: no need for the lines.
            return false;
        }
        let line = self.source.line_index().line_of(range.start);
        self.line_ignores.get(&line).is_some_and(silences)
    }

    fn push(&mut self, code: Code, range: Range<usize>, message: String, related: Vec<Related>) {
        let Some(severity) = self.workspace.config.severity(code) else {
            return;
        };
        if self.silenced(code, &range) {
            return;
        }
        self.out.push(Diagnostic {
            file: self.file,
            range,
            severity,
            code,
            message,
            related,
        });
    }

    /// Reports how the file was read, if it was not read cleanly.
    fn file_problem(&mut self) {
        match self.source.problem.as_deref() {
            None => {}
            Some(FileProblem::InvalidUtf8 { offset }) => {
                let len = self.source.text()[*offset..].chars().next().map_or(0, char::len_utf8);
                self.push(
                    Code::InvalidUtf8,
                    *offset..offset + len,
                    "file is not valid UTF-8; it was read with invalid bytes replaced by U+FFFD".to_string(),
                    Vec::new(),
                );
            }
            Some(FileProblem::TooLarge { size, limit }) => self.push(
                Code::FileTooLarge,
                0..0,
                format!(
                    "file is {} bytes, over the limit of {limit} bytes (files.max-note-size in gloss.toml); it was skipped",
                    size
                ),
                Vec::new(),
            ),
            Some(FileProblem::TooDense { count, limit }) => self.push(
                Code::FileTooLarge,
                0..0,
                format!(
                    "note has {count} line breaks and markup characters, over the limit of {limit}; it was skipped"
                ),
                Vec::new(),
            ),
            Some(FileProblem::Unreadable { message }) => self.push(
                Code::Unreadable,
                0..0,
                format!("cannot read file: {message}"),
                Vec::new(),
            ),
        }
    }
}

/// Candidates an `ambiguous-link` message names.
const MAX_CANDIDATES_SHOWN: usize = 3;
/// Characters of a name a message quotes.
const MAX_QUOTED: usize = 100;

/// A name from a note or bibliography, quoted in a message: short, and with
/// control characters escaped.
fn excerpt(name: &str) -> String {
    crate::workspace::read::excerpt(name, MAX_QUOTED)
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean '{s}'?"))
}

/// The diagnostics of one note.
pub fn note_diagnostics(workspace: &Workspace, id: NoteId) -> Vec<Diagnostic> {
    diagnostics(workspace, id, None)
}

/// The diagnostics of the links and citations of one note within `range`
/// (what hover explains), without computing the rest of the note's.
pub fn diagnostics_within(
    workspace: &Workspace,
    id: NoteId,
    range: &Range<usize>,
) -> Vec<Diagnostic> {
    diagnostics(workspace, id, Some(range))
}

/// The diagnostics of a note, or only of its links and citations within
/// `only`.
fn diagnostics(workspace: &Workspace, id: NoteId, only: Option<&Range<usize>>) -> Vec<Diagnostic> {
    let note = workspace.note(id);
    if !workspace.config.reports(&note.file.rel) {
        return Vec::new();
    }
    let mut sink = Sink::new(workspace, FileId::Note(id), &note.file);
    let syntax = &note.syntax;
    if let Some(fm) = &syntax.front_matter {
        sink.file_ignores = fm.ignore.to_vec();
    }
    for ignore in &syntax.ignores {
        let line = note.file.line_index().line_of(ignore.end) + 1;
        sink.line_ignores
            .entry(line)
            .or_default()
            .extend(ignore.codes.iter().cloned());
    }

    let inside = |r: &Range<usize>| only.is_none_or(|o| o.start <= r.start && r.end <= o.end);
    if only.is_some() {
        links(&mut sink, id, &inside);
        citations(&mut sink, id, &inside);
        return sink.out;
    }
    sink.file_problem();
    if let (Some(&(size, limit)), Some(range)) = (
        note.front_matter_too_large.as_deref(),
        &syntax.front_matter_range,
    ) {
        sink.push(
            Code::FrontMatter,
            front_matter::error_range(note.file.text(), range.start),
            format!("front matter is {size} bytes, over the limit of {limit} bytes (files.max-front-matter-size in gloss.toml); it was not read"),
            Vec::new(),
        );
    }
    // Logseq reads front matter a line at a time, `key: rest of the line`
    // (`authors: [[Ada]], [[Alan]]`, `title: a: b`), never as YAML.
    let yaml = !workspace.config.logseq;
    if let Some(error) = (syntax.front_matter.as_ref())
        .and_then(|fm| fm.error.as_ref())
        .filter(|_| yaml)
    {
        sink.push(
            Code::FrontMatter,
            front_matter::error_range(note.file.text(), error.range.start),
            format!("malformed front matter: {}", error.value),
            Vec::new(),
        );
    }
    // The note's own `references:` are reported with the note.
    if let Some(bib) = workspace.own_references(id) {
        bibliography_problems(&mut sink, bib);
    }
    for missing in workspace
        .missing_bibliographies
        .iter()
        .filter(|m| m.note == Some(id) && !m.kept_out)
    {
        sink.push(
            Code::MissingBibliography,
            missing.declared.range.clone(),
            format!(
                "cannot load bibliography '{}': {}",
                missing.declared.value, missing.reason
            ),
            Vec::new(),
        );
    }
    links(&mut sink, id, &inside);
    citations(&mut sink, id, &inside);
    duplicate_definitions(&mut sink, id);
    title_citations(&mut sink, id);
    sink.out
}

/// Papers mentioned by title with no key citing them before or around
/// the mention, in a note rendered with a bibliography: elsewhere the
/// citation it offers would not resolve.
fn title_citations(sink: &mut Sink, id: NoteId) {
    let workspace = sink.workspace;
    // A Manubot manuscript cites by persistent identifier, which Manubot
    // alone (online) maps to its entries: whether a paper named is cited
    // cannot be told.
    if workspace.config.severity(Code::TitleCitation).is_none()
        || !workspace.has_bibliography(id)
        || workspace.manubot
    {
        return;
    }
    let citing = super::title_mentions::Citing::of(workspace, id);
    for (mention, at) in super::title_mentions::resolved(workspace, id) {
        if citing.cites(workspace, id, &mention) {
            continue;
        }
        let key = &workspace.bib_entry(at).key;
        let text = &sink.source.text()[mention.range.clone()];
        sink.push(
            Code::TitleCitation,
            mention.range,
            format!("'{}' is cited by title; cite it as [@{key}]", excerpt(text)),
            Vec::new(),
        );
    }
}

/// A template's field, filled in when a note is made from it
/// (`![[{{annot.imageRelativePath}}]]`, `[[<% tp.file.title %>]]`,
/// `{% if tags %}`): not a link yet.
fn is_placeholder(target: &str) -> bool {
    ["{{", "<%", "{%"].iter().any(|open| target.contains(open))
}

/// A table of contents' marker that site generators and wikis replace
/// (`[[toc]]` in VuePress and markdown-it, `[[_TOC_]]` in GitLab and
/// Azure DevOps wikis), where no note of that name exists: not a link
/// outside an app's workspace ([`Workspace::is_an_apps`]).
fn is_toc_marker(workspace: &Workspace, link: &Link, target: &str) -> bool {
    link.kind == LinkKind::Wiki
        && !workspace.is_an_apps()
        && ["toc", "_toc_"].contains(&target.to_ascii_lowercase().as_str())
}

/// Whether what `link` names in a Logseq graph is there, whatever
/// `resolution` gives. A page reference (`[[X]]`, `[text]([[X]])`) names
/// a page, which Logseq makes when something first links to it: it cannot
/// be missing. Nor can a heading in it, as Logseq has no heading anchors
/// (`[[#red]]` is the page `#red`, which colours highlights). And `[[]]`
/// inside a macro (`{{renderer :tocgen, [[]], 2}}`) is a plugin's
/// argument, not a link.
fn logseq_page_is_made(sink: &Sink, link: &Link, resolution: &Resolution) -> bool {
    let page_reference = match link.kind {
        LinkKind::Wiki => true,
        // `[label](Page name)`, `[label](/wiki/Page)`: a destination
        // without a `.` is a page to Logseq, as `[[Page]]` is.
        LinkKind::Markdown => link.target().is_some_and(|t| {
            let t = t.value;
            (t.starts_with("[[") && t.ends_with("]]"))
                || (t.starts_with("((") && t.ends_with("))"))
                || !t.contains('.')
        }),
        _ => false,
    };
    match resolution {
        Resolution::Unresolved | Resolution::BrokenAnchor { .. } => page_reference,
        Resolution::Empty => page_reference && in_macro(sink.source.text(), link.range()),
        _ => false,
    }
}

/// Whether the Markdown `link`'s destination is `#` alone.
fn to_the_top(sink: &Sink, link: &Link) -> bool {
    let text = &sink.source.text()[link.range()];
    let destination = text.strip_suffix(')').map(str::trim_end);
    destination
        .and_then(|d| d.strip_suffix('#'))
        .is_some_and(|d| d.trim_end().ends_with('('))
}

/// Whether `range` of `text` lies inside a `{{…}}` macro on its line.
fn in_macro(text: &str, range: Range<usize>) -> bool {
    let line_start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |at| range.end + at);
    let before = &text[line_start..range.start];
    let after = &text[range.end..line_end];
    before
        .rfind("{{")
        .is_some_and(|open| !before[open..].contains("}}"))
        && after.contains("}}")
}

fn links(sink: &mut Sink, id: NoteId, inside: &dyn Fn(&Range<usize>) -> bool) {
    let workspace = sink.workspace;
    let note = workspace.note(id);
    // `None`: nothing to report.
    let mut resolved: HashMap<_, Option<Resolution>> = HashMap::new();
    let links = note.syntax.links.iter();
    let read = |l: &&Link| l.kind != LinkKind::Include || workspace.reads_include(id, l);
    for link in links.filter(|l| inside(&l.range())).filter(read) {
        let target = link.target();
        let target = target.as_ref();
        if let Some(target) = target {
            if workspace.config.ignore_targets.is_match(target.value)
                || is_placeholder(target.value)
            {
                continue;
            }
        }
        let target_range = target.map_or(link.range(), |t| t.range.clone());
        // Notes link to the same few names over and over; resolve each
        // spelling once per note.
        let key = (
            link.kind,
            target.map(|t| t.value),
            link.anchor().map(|a| a.value),
        );
        let resolution = resolved
            .entry(key)
            .or_insert_with(|| match workspace.resolve_link(id, link) {
                // Asked of the disk once per spelling, not per occurrence.
                Resolution::OutsideRoot
                    if workspace.exists_outside(id, target.map_or("", |t| t.value)) =>
                {
                    None
                }
                // A file kept out of the repository (`*.pdf` in
                // `.gitignore`) is there on the writer's machine only.
                Resolution::Unresolved
                    if target.is_some_and(|t| {
                        crate::workspace::is_path_like(t.value)
                            && (workspace.names_an_ignored_file(id, t.value)
                                || matches!(link.kind, LinkKind::Markdown | LinkKind::Image)
                                    && workspace.exists_as_absolute(t.value))
                    }) =>
                {
                    None
                }
                // A note kept out by name (`[0-9][0-9][0-9][0-9]*.md`, the
                // daily notes a published vault keeps private).
                Resolution::Unresolved
                    if target.is_some_and(|t| {
                        !link.kind.is_markdown()
                            && !crate::workspace::is_path_like(t.value)
                            && workspace.names_an_ignored_note(id, t.value)
                    }) =>
                {
                    None
                }
                resolution => Some(resolution),
            })
            .clone();
        let Some(resolution) = resolution else {
            continue;
        };
        if workspace.config.logseq && logseq_page_is_made(sink, link, &resolution) {
            continue;
        }
        match resolution {
            Resolution::Glossary(_)
            | Resolution::Note { .. }
            | Resolution::File(_)
            | Resolution::Folder => {}
            // `[soon](#)` links to the top of the note: a placeholder
            // HTML and Obsidian take as one.
            Resolution::Empty if link.kind.is_markdown() && to_the_top(sink, link) => {}
            Resolution::Empty => sink.push(
                Code::EmptyLink,
                link.range(),
                "empty link".to_string(),
                Vec::new(),
            ),
            // A Markdown destination that is neither a path nor a file name
            // (`[...](年)` in cloze notes) is not taken for a broken link.
            Resolution::Unresolved
                if link.kind.is_markdown()
                    && !crate::workspace::is_path_like(target.map_or("", |t| t.value)) => {}
            Resolution::Unresolved
                if is_toc_marker(workspace, link, target.map_or("", |t| t.value)) => {}
            // `[[YouTube Video]](https://…)`: to CommonMark (GitHub, a
            // site) a link whose text is in brackets; an app reads the
            // wikilink.
            Resolution::Unresolved
                if link.kind == LinkKind::Wiki
                    && !workspace.is_an_apps()
                    && sink.source.with_text(|text| {
                        (text.get(link.range().end..)).is_some_and(starts_a_link_destination)
                    }) => {}
            Resolution::Unresolved => {
                let name = target.map_or("", |t| t.value);
                // Say what was looked for: a path names a file, a bare name
                // a concept or a note.
                let what = if link.kind.is_markdown() || crate::workspace::is_path_like(name) {
                    "no note or file"
                } else {
                    "no concept or note named"
                };
                sink.push(
                    Code::BrokenLink,
                    target_range,
                    format!(
                        "{what} '{}'{}",
                        excerpt(name),
                        did_you_mean(workspace.suggest_name(name).as_deref())
                    ),
                    Vec::new(),
                );
            }
            Resolution::OutsideRoot => {
                let name = target.map_or("", |t| t.value);
                // Looked for inside and out: it is not there. Under
                // `--untrusted` nothing outside was asked about.
                let message = match workspace.config.confined {
                    true => format!(
                        "link '{}' points outside the workspace (not followed with --untrusted)",
                        excerpt(name)
                    ),
                    false => format!("no note or file '{}'", excerpt(name)),
                };
                sink.push(Code::BrokenLink, target_range, message, Vec::new());
            }
            Resolution::Ambiguous(files) => {
                let name = target.map_or("", |t| t.value);
                // A name shared by a thousand notes must not make every
                // link to it a thousand-line message.
                let shown = &files[..files.len().min(MAX_CANDIDATES_SHOWN)];
                let mut paths: Vec<&str> = shown.iter().map(|f| workspace.file_rel(*f)).collect();
                let more = format!("and {} more", files.len() - shown.len());
                if files.len() > shown.len() {
                    paths.push(&more);
                }
                let related = shown
                    .iter()
                    .map(|f| Related {
                        file: FileId::of(*f),
                        range: 0..0,
                        message: "candidate".to_string(),
                    })
                    .collect();
                let kind = if shown.iter().all(|f| matches!(f, FileRef::Note(_))) {
                    "notes"
                } else {
                    "files"
                };
                sink.push(
                    Code::AmbiguousLink,
                    target_range,
                    format!(
                        "'{}' matches {} {kind} equally close: {}; write the path to choose one",
                        excerpt(name),
                        files.len(),
                        paths.join(", ")
                    ),
                    related,
                );
            }
            Resolution::BrokenAnchor { note: target_note } => {
                let anchor = workspace
                    .anchor_of(link)
                    .expect("only links with an anchor break on it");
                // An id that knitted code writes is not known to be missing.
                if workspace.code_may_write(target_note, anchor.value) {
                    continue;
                }
                let document = workspace.document_of(id);
                let in_document =
                    target_note == id && link.target().is_none() && document.len() > 1;
                let suggestion = if in_document {
                    // The closest among every file of the document.
                    document
                        .iter()
                        .filter_map(|&n| workspace.anchors(n).closest(anchor.value))
                        .min_by_key(|s| strsim::levenshtein(s, anchor.value))
                } else {
                    workspace.anchors(target_note).closest(anchor.value)
                };
                let where_ = if in_document {
                    "this document".to_string()
                } else if target_note == id {
                    "this note".to_string()
                } else {
                    format!("'{}'", workspace.note(target_note).file.rel)
                };
                let what = if anchor.value.starts_with('^') {
                    "block"
                } else {
                    "heading"
                };
                sink.push(
                    Code::BrokenAnchor,
                    anchor.range.clone(),
                    format!(
                        "no {what} '{}' in {where_}{}",
                        excerpt(anchor.value),
                        did_you_mean(suggestion.as_deref())
                    ),
                    Vec::new(),
                );
            }
        }
    }
}

fn citations(sink: &mut Sink, id: NoteId, inside: &dyn Fn(&Range<usize>) -> bool) {
    let workspace = sink.workspace;
    let note = workspace.note(id);
    // In a workspace without any bibliography, a bare `@word` is a handle
    // or a placeholder (`@someone`, `@yyyy-mm-dd`), not a citation someone
    // forgot to resolve; `[@key]` still is one.
    let bare_cites = workspace.has_bibliography(id);
    // A bibliography the note, or another part of its document (the
    // `index.Rmd` of a book, the page that includes it), declares cannot
    // be loaded: Pandoc stops at it, and every key the note cites may be in
    // it. That one problem is reported (missing-bibliography), not each key.
    let declared_missing = workspace.bibliography_missing(id);
    let kept_out = std::cell::OnceCell::new();
    for citation in note
        .syntax
        .citations
        .iter()
        .filter(|c| inside(&c.key().range))
    {
        let key = citation.key();
        // `@sec:intro` where the workspace uses pandoc-crossref, `@fig-x` in
        // a Quarto project: a label, not a key.
        match workspace.key_kind(id, key.value) {
            KeyKind::Citation => {}
            KeyKind::Neither => continue,
            KeyKind::CrossReference(label) => {
                let subfloat_of_known = || {
                    crate::syntax::subfloat_parent(&label).is_some_and(|p| workspace.has_label(p))
                };
                if !workspace.has_label(&label)
                    && !subfloat_of_known()
                    && !workspace.code_may_write(id, &label)
                {
                    sink.push(
                        Code::BrokenCrossReference,
                        key.range.clone(),
                        format!(
                            "no label '{}' ({{#{}}})",
                            excerpt(key.value),
                            excerpt(&label)
                        ),
                        Vec::new(),
                    );
                }
                continue;
            }
        }
        // Nor is `[@key]` one in an Obsidian vault or Logseq graph no
        // bibliography serves: they show it as the text it is (a note on
        // Pandoc's syntax, a link's text); a vault that cites papers keeps
        // its `.bib` in the vault or names it in `gloss.toml`.
        let vault = workspace.config.obsidian || workspace.config.logseq;
        if !bare_cites && (!citation.bracketed || vault) {
            continue;
        }
        // `@end` or `@cache` alone on a line of a note whose library gloss
        // only guesses: a directive a conversion left (Neorg's `@end`) or
        // a decorator of pasted code.
        let alone = || {
            let token = citation.token();
            let alone_in = |text: &str| {
                let line_start = text[..token.start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[token.end..]
                    .find('\n')
                    .map_or(text.len(), |i| token.end + i);
                text[line_start..token.start].trim().is_empty()
                    && text[token.end..line_end].trim().is_empty()
            };
            !workspace.declares_bibliography(id) && sink.source.with_text(alone_in)
        };
        if workspace.key_location(id, key.value).is_none()
            && !declared_missing
            && (citation.bracketed || !alone())
            && !names_an_element(workspace, id, key.value)
            && !*kept_out.get_or_init(|| workspace.may_cite_a_kept_out_bibliography(id))
        {
            sink.push(
                Code::UnknownCitation,
                key.range.clone(),
                format!(
                    "unknown citation key '{}'{}",
                    excerpt(key.value),
                    did_you_mean(workspace.suggest_key(key.value).as_deref())
                ),
                Vec::new(),
            );
        }
    }
}

/// Whether `after` (what follows `[[text]]`) opens a destination that
/// makes `[[text]](…)` a CommonMark link: `(` and a destination without
/// spaces, or in `<…>`, closed on the line.
fn starts_a_link_destination(after: &str) -> bool {
    let Some(rest) = after.strip_prefix('(') else {
        return false;
    };
    let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
    let Some(close) = line.find(')') else {
        return false;
    };
    let destination = line[..close].trim();
    !destination.contains(char::is_whitespace)
        || (destination.starts_with('<') && destination.ends_with('>'))
}

/// Whether `key`, in no bibliography, is the id of an element of note
/// `id`'s document (`::: Transparency {#st}` … `defending @st`; a MyST
/// project's `(label)=`): a reference to it, as MyST, the Pandoc Extended
/// Markdown plugin and numbering filters read `@id`, not a paper's key.
/// (Pandoc alone would warn, but the note was written for such a tool;
/// where `gloss.toml` says which cross-references are read, that decides.)
fn names_an_element(workspace: &Workspace, id: NoteId, key: &str) -> bool {
    let defines = |note: &Note| note.syntax.labels.iter().any(|label| label.value == key);
    let document = || workspace.document_of(id).iter();
    workspace.config.pandoc_crossref.is_none()
        && (defines(workspace.note(id)) || document().any(|&part| defines(workspace.note(part))))
}

/// A name defined by an entry of this note that an entry of an earlier note
/// (in path order), or an earlier entry of this note, already defines.
/// Terms defined again in glossary lists. A Pandoc definition list is
/// also plain formatting, whose terms repeat by design (the same terms
/// under two headings, Pandoc's own examples, a pasted object dump), so a
/// term repeated by or in one is not reported: the first definition still
/// answers hovers.
fn duplicate_definitions(sink: &mut Sink, id: NoteId) {
    let workspace = sink.workspace;
    for (index, entry) in workspace.note(id).glossary.iter().enumerate() {
        if entry.in_definition_list {
            continue;
        }
        let this = EntryId { note: id, index };
        for name in entry.names() {
            let key = normalize(&name.value);
            let first_in_list = workspace.targets(&key).iter().find_map(|t| match t {
                Target::Glossary(e) if !workspace.entry(*e).in_definition_list => Some(*e),
                _ => None,
            });
            let Some(first) = first_in_list.filter(|&f| f != this) else {
                continue;
            };
            let original = workspace.entry(first);
            let original_name: &Spanned<String> = original
                .names()
                .find(|n| normalize(&n.value) == key)
                .unwrap_or(&original.term);
            let (place, related) =
                first_definition(workspace, FileId::Note(first.note), &original_name.range);
            sink.push(
                Code::DuplicateDefinition,
                name.range.clone(),
                format!("'{}' is already defined in {place}", name.value),
                related,
            );
        }
    }
}

/// Where the first definition of a duplicate is (`path:line`), and that
/// place as related information.
fn first_definition(
    workspace: &Workspace,
    file: FileId,
    range: &Range<usize>,
) -> (String, Vec<Related>) {
    let place = workspace.source(file).map_or_else(String::new, |source| {
        format!(
            "{}:{}",
            source.rel,
            source.line_index().line_of(range.start) + 1
        )
    });
    let related = vec![Related {
        file,
        range: range.clone(),
        message: "first defined here".to_string(),
    }];
    (place, related)
}

/// The diagnostics of one bibliography file (none for a note's
/// `references:`, which the note reports).
pub fn bibliography_diagnostics(workspace: &Workspace, id: BibId) -> Vec<Diagnostic> {
    let bib = &workspace.bibliographies[id];
    if !workspace.config.reports(&bib.file.rel) || bib.owner.is_some() {
        return Vec::new();
    }
    let mut sink = Sink::new(workspace, FileId::Bibliography(id), &bib.file);
    sink.file_problem();
    bibliography_problems(&mut sink, id);
    sink.out
}

/// Syntax errors and duplicate keys of bibliography `id`. A note's
/// `references:` are its own: a key is duplicate only within them.
fn bibliography_problems(sink: &mut Sink, id: BibId) {
    let workspace = sink.workspace;
    let bib = &workspace.bibliographies[id];
    for error in &bib.errors {
        sink.push(
            Code::BibSyntax,
            error.range.clone(),
            error.message.clone(),
            Vec::new(),
        );
    }
    // Manubot files references written by hand by key, a later one
    // taking the place of an earlier (`load_manual_references`).
    if workspace.manubot && crate::workspace::quarto::is_manubot_manual_references(&bib.file.rel) {
        return;
    }
    for (index, entry) in bib.entries.iter().enumerate() {
        let first = match bib.owner {
            Some(_) => KeyLocation {
                bib: id,
                entry: bib
                    .entries
                    .iter()
                    .position(|e| e.key == entry.key)
                    .unwrap_or(index),
            },
            // In another file, a duplicate only where one build reads
            // both: the same `.bib` copied for two papers is not one.
            None => {
                let here = KeyLocation {
                    bib: id,
                    entry: index,
                };
                let together = |other: BibId| {
                    let path = |b: BibId| workspace.bibliographies[b].file.path.as_path();
                    other == id || workspace.loaded_together.both(path(other), path(id))
                };
                let locations = workspace.citation_key(&entry.key).iter();
                let mut earlier = locations.take_while(|&&l| l != here);
                earlier.find(|l| together(l.bib)).copied().unwrap_or(here)
            }
        };
        if first
            == (KeyLocation {
                bib: id,
                entry: index,
            })
        {
            continue;
        }
        let original = workspace.bib_entry(first);
        let (place, related) = first_definition(
            workspace,
            FileId::Bibliography(first.bib),
            &original.key_range,
        );
        sink.push(
            Code::DuplicateCitationKey,
            entry.key_range.clone(),
            format!("citation key '{}' is already defined in {place}", entry.key),
            related,
        );
    }
}

/// Problems with bibliographies configured in `gloss.toml`.
fn config_diagnostics(workspace: &Workspace) -> Vec<Diagnostic> {
    let Some(severity) = workspace.config.severity(Code::MissingBibliography) else {
        return Vec::new();
    };
    let text = workspace.config_file.as_ref().map_or("", |f| f.text());
    workspace
        .missing_bibliographies
        .iter()
        .filter(|m| m.note.is_none() && !m.kept_out)
        .map(|missing| {
            let quoted = format!("\"{}\"", missing.declared.value);
            let range = text
                .find(&quoted)
                .map_or(0..0, |at| at + 1..at + 1 + missing.declared.value.len());
            Diagnostic {
                file: FileId::Config,
                range,
                severity,
                code: Code::MissingBibliography,
                message: format!(
                    "cannot load bibliography '{}': {}",
                    missing.declared.value, missing.reason
                ),
                related: Vec::new(),
            }
        })
        .collect()
}

/// Folders that could not be listed: their notes are not checked.
fn folder_diagnostics(workspace: &Workspace) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (id, folder) in workspace.unreadable_folders.iter().enumerate() {
        if !workspace.config.reports(&folder.rel) {
            continue;
        }
        let mut sink = Sink::new(workspace, FileId::Folder(id), folder);
        if let Some(FileProblem::Unreadable { message }) = folder.problem.as_deref() {
            sink.push(
                Code::Unreadable,
                0..0,
                format!("cannot read folder: {message}; the notes in it are not checked"),
                Vec::new(),
            );
        }
        out.extend(sink.out);
    }
    out
}

/// Every diagnostic of the workspace, computed in parallel, in file order.
pub fn workspace_diagnostics(workspace: &Workspace) -> Vec<Diagnostic> {
    let mut out = config_diagnostics(workspace);
    out.extend(folder_diagnostics(workspace));
    let notes: Vec<Vec<Diagnostic>> = workspace
        .note_ids()
        .into_par_iter()
        .map(|id| note_diagnostics(workspace, id))
        .collect();
    out.extend(notes.into_iter().flatten());
    let bibs: Vec<Vec<Diagnostic>> = (0..workspace.bibliographies.len())
        .into_par_iter()
        .map(|id| bibliography_diagnostics(workspace, id))
        .collect();
    out.extend(bibs.into_iter().flatten());
    out
}

/// One fixture per resolution rule: what the notes people write in Obsidian,
/// Foam and Pandoc mean, and what is really broken in them. Each test shows
/// every diagnostic of the workspace, so a wrong one cannot hide.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let f = fixture(text);
        let shown: Vec<String> = workspace_diagnostics(&f.workspace)
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}",
                    d.code.as_str(),
                    f.show(d.file, &d.range),
                    d.message
                )
            })
            .collect();
        expect.assert_eq(&shown.join("\n"));
    }

    #[test]
    fn attachments_by_name_path_size_and_fragment() {
        check(
            "//- Attachments/图 1.png\n//- docs/paper.pdf\n//- icons/icon.svg\n//- clip.mp3\n//- notes/n.md\n\
             ![[图 1.png]] ![[图 1.png|300]] ![[Attachments/图 1.png]] ![[../Attachments/图 1.png]]\n\
             [[paper.pdf]] ![[paper.pdf#page=3]] ![[icon.svg#icon]] ![[clip.mp3]]\n\
             😀 ![[图 2.png]] ![[paper.PDF]]\n",
            expect![[r#"broken-link notes/n.md:3:6-3:13 "图 2.png" no note or file '图 2.png'"#]],
        );
    }

    #[test]
    fn a_file_name_wins_over_aliases_and_titles_of_other_notes() {
        check(
            "//- Math/Matrix.md\n# Matrices\n//- Bio/Toolset.md\n---\naliases: [MATRIX]\n---\n//- Film.md\n# Matrix\n//- n.md\n[[Matrix]] [[MATRIX]]\n",
            expect![""],
        );
    }

    #[test]
    fn aliases_resolve_unless_the_vault_says_not() {
        let vault = "//- Bio/Toolset.md\n---\naliases: [Kit, 工具箱]\n---\n//- glossary.md\n# Glossary\n- Term (Alias): x\n//- n.md\n[[Kit]] [[工具箱]] [[Alias]]\n";
        check(vault, expect![""]);
        check(
            &format!("//- gloss.toml\n[links]\naliases = false\n{vault}"),
            expect![[r#"
                broken-link n.md:1:3-1:6 "Kit" no concept or note named 'Kit'
                broken-link n.md:1:11-1:14 "工具箱" no concept or note named '工具箱'"#]],
        );
    }

    #[test]
    fn an_escaped_pipe_in_a_table_separates_the_label() {
        check(
            "//- views/Table view.md\n//- n.md\n| Link | What |\n| --- | --- |\n| [[Table view\\|Table]] | x |\n| [[views/Table view\\|T]] | [[Nowhere\\|N]] |\n",
            expect![[r#"broken-link n.md:4:31-4:38 "Nowhere" no concept or note named 'Nowhere'"#]],
        );
    }

    /// Found in a Quarto site, Pandoc's own tests and a Foam vault with a
    /// pasted object dump: definition lists repeat their terms as
    /// formatting. Glossary lists still may not.
    #[test]
    fn terms_repeated_by_definition_lists_are_not_duplicates() {
        check(
            "//- logic.qmd\nFMLA\n:   A logic is a set of theorems.\n\nFMLA\n:   $A$ is a theorem 😀\n\
             //- dump.md\ntitle\r\n: \"a\"\r\ntitle\r\n: \"b\"\r\n\
             //- glossary.md\n# Glossary\n- FMLA: formulas\n- CoT（思维链）：逐步推理\n\
             //- zz.md\n## 名词解释\n- CoT: again\n\nFMLA\n: once more\n",
            expect![[r#"
                duplicate-definition zz.md:2:3-2:6 "CoT" 'CoT' is already defined in glossary.md:3"#]],
        );
    }

    #[test]
    fn block_ids_in_other_notes_and_this_one() {
        check(
            "//- Source.md\nA claim worth quoting. ^claim-1\n\n- an item ^Item2\n//- n.md\n[[Source#^claim-1]] [[Source#^item2]] [[#^here]] [[Source#^claim-2]] [[#^gone]]\n\n段落 ^here\n",
            expect![[r#"
                broken-anchor n.md:1:59-1:67 "^claim-2" no block '^claim-2' in 'Source.md'; did you mean '^claim-1'?
                broken-anchor n.md:1:73-1:78 "^gone" no block '^gone' in this note"#]],
        );
    }

    #[test]
    fn the_closest_of_several_notes_of_one_name() {
        let vault = "//- Help/Security and privacy.md\n//- Sync/Security and privacy.md\n//- Sync/Overview.md\n[[Security and privacy]]\n";
        check(vault, expect![""]);
        check(
            &format!("{vault}//- Top.md\n[[Security and privacy]]\n"),
            expect![[r#"
                ambiguous-link Top.md:1:3-1:23 "Security and privacy" 'Security and privacy' matches 2 notes equally close: Help/Security and privacy.md, Sync/Security and privacy.md; write the path to choose one"#]],
        );
        // The path as written from the root wins, even over the note
        // beside the link (Obsidian 1.13, as observed by others).
        check(
            "//- 笔记.md\n# 顶部 😀\n//- a/笔记.md\n# Other\n//- a/x.md\n[[笔记#顶部 😀]]\n",
            expect![""],
        );
        // The shorter path wins when neither is in the linking note's
        // folder; the exact case wins over another case.
        check(
            "//- a/Deep/Note.md\n//- b/Note.md\n//- MAAS.md\n//- MaaS.md\n//- c/x.md\n[[Note]] [[MaaS]] [[MAAS]]\n",
            expect![""],
        );
    }

    #[test]
    fn fenced_code_in_quotes_callouts_and_list_items_is_code() {
        check(
            "//- n.md\n> ```md\n> [[Not a link]]\n> ```\n\n> [!example]\n> ```\n> ![[nope.png]]\n> ```\n\n- item\n  ```\n  [[Also not]]\n  ```\n\n[[After the code]]\n",
            expect![[r#"
                broken-link n.md:15:3-15:17 "After the code" no concept or note named 'After the code'"#]],
        );
    }

    /// Found in bookdown's own book: three backticks around two are one
    /// code span, so the code spans after it on the line stay code.
    #[test]
    fn code_spans_of_three_backticks_hold_shorter_runs() {
        check(
            "//- n.md
用 ``` `` `code` `` ```.😀 then `![alt](path/to/image)` and ``` a ``b`` [[c]] ```
[[After]]
",
            expect![[r#"
                broken-link n.md:2:3-2:8 "After" no concept or note named 'After'"#]],
        );
    }

    /// Found in a Quarto blog and a Foam vault: a repeated heading's id
    /// gets `-1`, `-2`, … (GitHub, Pandoc, Quarto's own output).
    #[test]
    fn repeated_headings_are_linked_with_a_number() {
        check(
            "//- n.md\n## Twitter 😀\r\n## Twitter 😀\r\n## 引言\r\n## 引言\r\n[a](#twitter--1) [b](#twitter-1) [c](#引言-1) [d](#twitter-2) [[#Twitter 😀]]\r\n",
            expect![[r#"broken-anchor n.md:5:50-5:59 "twitter-2" no heading 'twitter-2' in this note; did you mean 'Twitter 😀'?"#]],
        );
        // Found in review: each generator numbers its own ids. GitHub
        // gives `général`, `general`, `general-1`; VuePress `general`,
        // `general-1`, `general-2`.
        check(
            "//- n.md\n## Général\r\n## General\r\n## General\r\n[a](#général) [b](#general-1) [c](#general-2) [d](#general-3)\r\n",
            expect![[r#"broken-anchor n.md:4:52-4:61 "general-3" no heading 'general-3' in this note; did you mean 'General'?"#]],
        );
        // Found in a Foam workspace published with MkDocs: Python-Markdown
        // makes each run of `-` one.
        check(
            "//- n.md\n## What APIS required - REST/GraphQL 😀\r\n[a](#what-apis-required-restgraphql) [b](#what-apis-required---restgraphql-) [c](#what-apis-required-rest)\r\n",
            expect![[r#"broken-anchor n.md:2:83-2:106 "what-apis-required-rest" no heading 'what-apis-required-rest' in this note"#]],
        );
        // Found in Chinese study notes for GitHub and docsify: GitHub keeps
        // a `-` per space and slugs a link's text; docsify drops ASCII
        // punctuation, keeps full-width, and marks a leading digit.
        check(
            "//- n.md\n## [r  s](https://x.org/a_b) 😀\n### 1.3  ==与equals\n### Thread#interrupted()，返回true或者false：\n## 1、分布式\n\
             [a](#r--s-) [b](#13--与equals) [c](#threadinterrupted，返回true或者false：) [d](#_1、分布式) [e](#r-sa_b)\n",
            expect![[r#"broken-anchor n.md:5:88-5:94 "r-sa_b" no heading 'r-sa_b' in this note"#]],
        );
        // Found in notes on Linux drivers for GitHub: GitHub drops `²`
        // from an id; an HTML heading's id is an anchor.
        check(
            "//- n.md\n## Phase 1 — I²C Subsystem Overview 😀\n<h3 id=\"1-my-header\">1. My header</h3>\n[a](#phase-1--ic-subsystem-overview-) [b](#1-my-header) [c](#phase-1--i2c)\n",
            expect![[r#"broken-anchor n.md:3:62-3:74 "phase-1--i2c" no heading 'phase-1--i2c' in this note"#]],
        );
        // Found in a maths vault numbered by the Number Headings plugin:
        // a link written before the numbers is offered its heading.
        check(
            "//- n.md\n## 6 Natural Transformation\r\n### 6.2 Dinatural Transformation 😀\r\n[[#Dinatural Transformation 😀]] [[#Natural Transformations]]\r\n",
            expect![[r#"
                broken-anchor n.md:3:4-3:30 "Dinatural Transformation 😀" no heading 'Dinatural Transformation 😀' in this note; did you mean '6.2 Dinatural Transformation 😀'?
                broken-anchor n.md:3:36-3:59 "Natural Transformations" no heading 'Natural Transformations' in this note; did you mean '6 Natural Transformation'?"#]],
        );
    }

    #[test]
    fn heading_chains_and_punctuation_people_leave_out() {
        check(
            "//- Sidebar.md\n# Open hidden sidebars\n## Mobile\n# Desktop\n## Keys\n//- FAQ.md\n## How large can each remote vault be?\n## 为什么？（简要）\n## [3] Dēclīnātiō **tertia**\n//- n.md\n\
             [[Sidebar#Open hidden sidebars#Mobile]] [[FAQ#How large can each remote vault be]] [[FAQ#为什么（简要）]] [[FAQ#3 Dēclīnātiō tertia]]\n\
             [[Sidebar#Open hidden sidebars#Keys]] [[FAQ#How big]]\n",
            expect![[r#"
                broken-anchor n.md:2:11-2:36 "Open hidden sidebars#Keys" no heading 'Open hidden sidebars#Keys' in 'Sidebar.md'; did you mean 'Keys'?
                broken-anchor n.md:2:45-2:52 "How big" no heading 'How big' in 'FAQ.md'"#]],
        );
    }

    /// pandoc-crossref references resolve against labels of any note
    /// (a thesis is many files), in attribute blocks or raw LaTeX; they are
    /// citations where no note defines such a label, or `gloss.toml` says so.
    #[test]
    fn cross_references_where_pandoc_crossref_is_used() {
        let chapters = "//- plot.png\n//- refs.bib\n@misc{kaplan2020, title = {Scaling}}\n//- 01-intro.md\n# 引言 😀 {#sec:intro}\n见 [@fig:plot; @Sec:method] 和 @tbl:gone，[@kaplan2020]。\n//- 02-method.md\n# Method {#sec:method}\n![Plot](plot.png){#fig:plot}\n\\caption{T}\\label{tbl:raw}\n@tbl:raw @eq:none\n";
        check(
            chapters,
            expect![[r#"
                broken-cross-reference 01-intro.md:2:31-2:39 "tbl:gone" no label 'tbl:gone' ({#tbl:gone})
                broken-cross-reference 02-method.md:4:11-4:18 "eq:none" no label 'eq:none' ({#eq:none})"#]],
        );
        // Without labels of pandoc-crossref's kinds, `@sec:x` is a key.
        check(
            "//- refs.bib\n@misc{k, title = {T}}\n//- n.md\n@sec:intro [@k]\n",
            expect![[r#"
                unknown-citation n.md:1:2-1:11 "sec:intro" unknown citation key 'sec:intro'"#]],
        );
        check(
            &format!("//- gloss.toml\n[pandoc]\ncross-references = []\n{chapters}"),
            expect![[r#"
                unknown-citation 01-intro.md:2:5-2:13 "fig:plot" unknown citation key 'fig:plot'
                unknown-citation 01-intro.md:2:16-2:26 "Sec:method" unknown citation key 'Sec:method'
                unknown-citation 01-intro.md:2:31-2:39 "tbl:gone" unknown citation key 'tbl:gone'
                unknown-citation 02-method.md:4:2-4:9 "tbl:raw" unknown citation key 'tbl:raw'
                unknown-citation 02-method.md:4:11-4:18 "eq:none" unknown citation key 'eq:none'"#]],
        );
    }

    /// In the folder of a `_quarto.yml` (a Quarto book: `.qmd` chapters),
    /// `@fig-x` and friends are cross-references to `{#fig-x}` ids and
    /// chunks' `#| label:`, `@fig-plot-2` to a subfigure of a labelled
    /// figure, `@vid-one` to a kind the project defines and `@fig-nb` to
    /// an embedded notebook's cell (found in quarto-web and quarto-cli);
    /// elsewhere they are left alone.
    #[test]
    fn quarto_cross_references_in_a_quarto_project() {
        let book = "//- book/_quarto.yml\nproject:\n  type: book\ncrossref:\n  custom:\n    - kind: float\n      key: vid\n//- book/intro.qmd\n# 引言 😀 {#sec-intro}\n见 @fig-plot、@Sec-intro、[@tbl-gone; @sec-method] 和 @fig-none。@fig-plot-2 @fig-none-1\n@Vid-one @vid-gone @fig-nb\n\n::: {#vid-one}\n:::\n\n{{< embed nb.ipynb#fig-nb >}}\n//- book/method.Rmd\n# Method {#sec-method .unnumbered}\n```{r}\n#| label: fig-plot\nplot(@fig-in-code)\n```\n//- other/n.md\n@fig-plot @fig-none\n";
        check(
            book,
            expect![[r#"
                broken-cross-reference book/intro.qmd:2:26-2:34 "tbl-gone" no label 'tbl-gone' ({#tbl-gone})
                broken-cross-reference book/intro.qmd:2:52-2:60 "fig-none" no label 'fig-none' ({#fig-none})
                broken-cross-reference book/intro.qmd:2:74-2:84 "fig-none-1" no label 'fig-none-1' ({#fig-none-1})
                broken-cross-reference book/intro.qmd:3:11-3:19 "vid-gone" no label 'vid-gone' ({#vid-gone})"#]],
        );
        check(
            &format!("//- gloss.toml\n[pandoc]\ncross-references = []\n{book}"),
            expect![""],
        );
    }

    /// While the front matter is malformed (mid-edit), the references read
    /// before still resolve; when the list goes, so do its keys.
    #[test]
    fn references_survive_a_malformed_front_matter_and_go_with_it() {
        let mut f = crate::workspace::fixture::fixture(
            "//- n.md\n---\nreferences:\n- id: k\n---\n[@k] 😀\n",
        );
        let diagnostics = |w: &Workspace| -> Vec<String> {
            workspace_diagnostics(w)
                .iter()
                .map(|d| d.message.clone())
                .collect()
        };
        assert_eq!(diagnostics(&f.workspace), Vec::<String>::new());
        let path = f.workspace.note(0).file.path.clone();
        let edit = |workspace: &mut Workspace, text: &str| {
            let file = SourceFile::new(
                &workspace.root.clone(),
                path.clone(),
                text.to_string(),
                None,
            );
            let note = crate::workspace::Note::new(
                &workspace.config,
                file,
                crate::syntax::parse_note(text),
            );
            workspace.set_note(note);
        };
        edit(
            &mut f.workspace,
            "---\nreferences: [\n- id: k\n---\n[@k] 😀\n",
        );
        let malformed = diagnostics(&f.workspace);
        assert_eq!(malformed.len(), 1, "{malformed:?}");
        assert!(malformed[0].starts_with("malformed front matter"));
        edit(&mut f.workspace, "---\ntitle: x\n---\n[@k] 😀\n");
        assert_eq!(diagnostics(&f.workspace), ["unknown citation key 'k'"]);
        edit(
            &mut f.workspace,
            "---\nreferences:\n- id: k\n---\n[@k] 😀\n",
        );
        assert_eq!(diagnostics(&f.workspace), Vec::<String>::new());
    }

    /// A Quarto book's chapters, or a group of `[documents]`, are one
    /// document: `[text](#id)` finds an explicit id, a Pandoc identifier or
    /// a GitHub slug in any of them. Another note is not part of it.
    #[test]
    fn anchors_across_the_files_of_one_document() {
        check(
            "//- _quarto.yml\nbook:\n  chapters:\n    - index.qmd\n    - part: p.qmd\n      chapters: [modifying.qmd]\n//- index.qmd\n# 前言 😀 {.unnumbered}\n见 [缺失](#sec-missing)、[x](#missing-information-2)、[y](#前言) 和 [z](#sec-gone)。\n//- p.qmd\n//- modifying.qmd\n## Missing Information {#sec-missing}\n## Missing information 2\n//- notes/other.md\n[a](#sec-missing)\n",
            expect![[r#"
                broken-anchor index.qmd:2:66-2:74 "sec-gone" no heading 'sec-gone' in this document
                broken-anchor notes/other.md:1:6-1:17 "sec-missing" no heading 'sec-missing' in this note"#]],
        );
        check(
            "//- gloss.toml\n[documents]\nthesis = [\"chapters/*.md\"]\n//- chapters/1.md\n# Intro {#sec:intro}\n[see](#sec:method)\n//- chapters/2.md\n# Method {#sec:method}\n[back](#sec:intro) [gone](#sec:gone)\n",
            expect![[r#"broken-anchor chapters/2.md:2:28-2:36 "sec:gone" no heading 'sec:gone' in this document"#]],
        );
    }

    /// Found in a Quarto website: its pages link to each other by the
    /// names they are rendered to (`papers.html`, `/posts/a/a.html`), and
    /// every such link was reported broken. In a Quarto project `x.html`
    /// is the page of `x.qmd` (or `.md`, `.Rmd`, `.ipynb`), and `/` is the
    /// project's folder; elsewhere an `.html` file must exist. Found in
    /// quarto-web too: a page's other formats (`x.pdf`), an embedded
    /// notebook's preview (`x-preview.html`) and a page without its
    /// extension (`/download/prerelease`). A path is a path in Quarto: a
    /// file elsewhere whose path ends so does not stand in (quarto-cli).
    #[test]
    fn quarto_pages_link_to_each_other_by_their_rendered_names() {
        check(
            "//- site/_quarto.yml\nproject:\n  type: website\n//- site/index.qmd\n😀 [论文](papers.html) [帖子](/posts/a/a.html#结论) [R](r.html) [Gone](gone.html)\r\n[pdf](papers.pdf) [nb](nb-preview.html) [pre](/posts/a/a) [no](gone.pdf) [no](gone)\r\n![](cover.png)\r\n//- site/nb.ipynb\n{}\n//- site/posts/a/cover.png\n//- notes/cover.png\n//- site/papers.qmd\n# Papers\n//- site/r.Rmd\n# R\n//- site/posts/a/a.qmd\n# 结论\n//- notes/n.md\n[Papers](../site/papers.html)\n",
            expect![[r#"
                broken-link notes/n.md:1:10-1:29 "../site/papers.html" no note or file '../site/papers.html'
                broken-link site/index.qmd:1:65-1:74 "gone.html" no note or file 'gone.html'
                broken-link site/index.qmd:2:64-2:72 "gone.pdf" no note or file 'gone.pdf'
                broken-link site/index.qmd:3:5-3:14 "cover.png" no note or file 'cover.png'"#]],
        );
    }

    /// Found in three vaults: templates hold placeholders, in a templates
    /// folder (`Templates/`, `99_Assets/_templates/`) or anywhere
    /// (`{{…}}`, `<% … %>`).
    #[test]
    fn templates_and_placeholders_are_not_links() {
        check(
            "//- Templates/Daily.md\n[[Related concept]] [[{{date}}]]\n//- 99_Assets/_templates/论文.md\n---\ntags: {% if allTags %}x{% endif %}\n---\n[[Nope]]\n//- notes/n.md\n![[{{annot.image}}]] [[<% tp.file.title %>]] 😀 [[Gone]]\n//- notes/templates.md\n[[Also gone]]\n",
            expect![[r#"
                broken-link notes/n.md:1:50-1:54 "Gone" no concept or note named 'Gone'
                broken-link notes/templates.md:1:3-1:12 "Also gone" no concept or note named 'Also gone'"#]],
        );
    }

    /// Found in a Logseq graph: a page is named by its `alias::` and
    /// `title::` properties, and by its file name decoded
    /// (`Article___Why Paulis%3F.md` is `Article/Why Paulis?`), as Logseq
    /// names it, in any case. Both in Logseq graphs only: elsewhere
    /// `alias:: x` is someone else's field. An alias two pages claim is
    /// ambiguous where it is linked, not where it is declared.
    #[test]
    fn logseq_pages_are_named_by_properties_and_decoded_file_names() {
        check(
            "//- logseq/config.edn\n{:file/name-format :triple-lowbar}\n//- pages/Quantum Hall Effect.md\nalias:: QHE, [[霍尔效应]]\r\n\r\n- 😀 see [[Article/Why Paulis?]]\n//- pages/Article___Why Paulis%3F.md\ntitle:: Paulis\n- [[QHE]] [[霍尔效应]] [[article/why paulis?]] [[Paulis]] [[Gone]] [[qhe]]\n//- pages/SPT order.md\nalias:: [[SPT]]\n//- pages/SPT orders.md\nalias:: [[SPT]]\n- [[SPT]]\n",
            expect![[r#"
                ambiguous-link pages/SPT orders.md:2:5-2:8 "SPT" 'SPT' matches 2 notes equally close: pages/SPT order.md, pages/SPT orders.md; write the path to choose one"#]],
        );
        check(
            "//- a___b.md\n//- Books.md\ntype:: book\nalias:: Library\n//- n.md\n[[a/b]] [[a___b]] [[Library]]\n",
            expect![[r#"
                broken-link n.md:1:3-1:6 "a/b" no note or file 'a/b'
                broken-link n.md:1:21-1:28 "Library" no concept or note named 'Library'"#]],
        );
    }

    /// Found in three public Logseq graphs (4,145 reports): a page is made
    /// when something first links to it, so a page reference cannot be
    /// missing, nor its heading (Logseq has none: `[[#red]]==…==` colours
    /// a highlight); `[text]([[Page]])` is a page reference too, `[[]]` in
    /// a macro a plugin's argument, and `alias:: #[[X]]` names the page X.
    /// Files stay files.
    #[test]
    fn logseq_pages_exist_once_linked() {
        check(
            "//- logseq/config.edn\n{}\n//- pages/Home.md\n- read [[Page Nobody Wrote]] 😀 and [[#red]]==重要== and [[Home#Nowhere]]\r\n- a [labelled]([[Ns/Child]]), [new]([[新页面]]) and [block](((6475a1b2-0000)))\n- TOC {{renderer :tocgen, [[]], 2, h}}\n- empty [[]] and a file [pdf](../assets/gone.pdf)\n- pages too: [gears](/wiki/Derailleur_gears \"Gears\") [talks](/talks#tutorials)\n//- pages/Ns___Child.md\n- child\n//- pages/Topic.md\nalias:: #[[Second Name]]\n- see [[Second Name]] [[Topic#Gone]]\n",
            expect![[r#"
                empty-link pages/Home.md:4:9-4:13 "[[]]" empty link
                broken-link pages/Home.md:4:31-4:49 "../assets/gone.pdf" no note or file '../assets/gone.pdf'"#]],
        );
        // Outside a Logseq graph, each is what it says.
        check(
            "//- pages/Home.md\n- read [[Page Nobody Wrote]] and [[#red]]==重要==\n- TOC {{renderer :tocgen, [[]], 2, h}}\n",
            expect![[r#"
                broken-link pages/Home.md:1:10-1:27 "Page Nobody Wrote" no concept or note named 'Page Nobody Wrote'
                broken-anchor pages/Home.md:1:37-1:40 "red" no heading 'red' in this note
                empty-link pages/Home.md:2:27-2:31 "[[]]" empty link"#]],
        );
        // Found in a Logseq graph of paper pages: Logseq reads front
        // matter a line at a time, so `authors: [[A]], [[B]]` and `title:
        // a: b` are properties, not malformed YAML; elsewhere they are.
        let front_matter = "//- pages/paper 😀.md\n---\ntitle: synthesis: a model\nauthors: [[Xinshuo Weng]], [[Jianren Wang]]\n---\n- notes\n";
        check(
            &format!("//- logseq/config.edn\n{{}}\n{front_matter}"),
            expect![[r#""#]],
        );
        check(
            front_matter,
            expect![[
                r#"front-matter pages/paper 😀.md:2:17-2:26 ": a model" malformed front matter: mapping values are not allowed in this context"#
            ]],
        );
    }

    /// Found in two Obsidian vaults: `[soon](#)` links to the top of the
    /// note, a placeholder; `[[]]` is empty.
    #[test]
    fn a_link_to_the_top_of_the_note_is_not_empty() {
        check(
            "//- n.md\n[soon](#) 😀 [later]( # ) [x]() [[]]\r\n",
            expect![[r#"empty-link n.md:1:32-1:36 "[[]]" empty link"#]],
        );
    }

    /// Found on an Astro site written in Obsidian (`public/` is served at
    /// `/`), a Dendron vault and a Quarto manuscript (an image's extension
    /// is added by the output format): the end of the path finds the file.
    #[test]
    fn paths_from_the_site_root_and_images_without_an_extension() {
        check(
            "//- public/img/图 1.png\n//- figs/z.png\n//- figs/z.pdf\n//- notes/n.md\n![a](/img/图%201.png) ![b](../figs/z){width=75%} 😀 ![c](/img/gone.png) ![d](../figs/gone) ![e](figs/z)\n",
            expect![[r#"
                broken-link notes/n.md:1:56-1:69 "/img/gone.png" no note or file '/img/gone.png'
                broken-link notes/n.md:1:76-1:88 "../figs/gone" no note or file '../figs/gone'"#]],
        );
    }

    /// Found in a README of interview questions kept in a vault: 464
    /// entries of its table of contents link to `442. ### Question?`, a
    /// heading inside a list item, as GitHub renders it.
    #[test]
    fn headings_inside_list_items_are_anchors() {
        check(
            "//- n.md\n| 1 | [What is a 闭包?](#what-is-a-闭包) 😀 |\r\n[[#Why]] [x](#gone)\r\n\r\n1. ### What is a 闭包?\r\n2. ## Why\r\n",
            expect![[r#"broken-anchor n.md:2:15-2:19 "gone" no heading 'gone' in this note"#]],
        );
    }

    /// Found in quarto-web: a gallery's headings are written by its
    /// listing's template, so links to them, from the page or another,
    /// cannot be checked; a listing of Quarto's own kinds writes none.
    #[test]
    fn headings_a_listing_template_writes_are_not_checked() {
        check(
            "//- _quarto.yml\nproject:\n  type: website\n//- gallery.qmd\n---\nlisting:\n  - id: g\n    template: gallery.ejs\n---\n[仪表板 😀](#dashboards)\n//- posts.qmd\n---\nlisting:\n  contents: posts\n---\n[x](#gone)\n//- n.qmd\n[d](gallery.qmd#dashboards) [p](posts.qmd#gone2)\n",
            expect![[r#"
                broken-anchor n.qmd:1:43-1:48 "gone2" no heading 'gone2' in 'posts.qmd'
                broken-anchor posts.qmd:5:6-5:10 "gone" no heading 'gone' in this note"#]],
        );
    }

    /// Found on a website's sources (nanoc): pages link to each other by
    /// the address the site serves them at, `/authors/ada/` for
    /// `content/authors/ada/index.md`, and to anchors that raw HTML sets
    /// (`<a id>`, `<a name>`).
    #[test]
    fn site_addresses_and_html_anchors() {
        check(
            "//- content/authors/ada/index.md\n# Ada 😀\n//- content/page.md\n[Ada](/authors/ada/) [gone](/authors/bob/) [r](#_refs) [c](#cmp) [x](#nope)\n\n<a id=\"_refs\"></a>参考 <a href=\"\" name=\"cmp\"></a>\n",
            expect![[r#"
                broken-link content/page.md:1:29-1:42 "/authors/bob/" no note or file '/authors/bob/'
                broken-anchor content/page.md:1:71-1:75 "nope" no heading 'nope' in this note"#]],
        );
    }

    /// Found in quarto-web, whose changelogs thank `@user`s under a
    /// `_metadata.yml` that turns citation processing off: Quarto leaves
    /// them as written. A `_metadata.yml` outside a Quarto project is
    /// nobody's.
    #[test]
    fn quarto_metadata_that_turns_citeproc_off() {
        check(
            "//- site/_quarto.yml\nproject:\n  type: website\nbibliography: refs.bib\n//- site/refs.bib\n@article{k, title={T}}\n//- site/changelog/_metadata.yml\nformat:\n  html:\n    citeproc: false\n//- site/changelog/1.9.md\n- 修复 😀 (thanks @someone) [@gone]\n//- site/page.qmd\n见 @k 和 @gone\n//- notes/_metadata.yml\nciteproc: false\n//- notes/n.md\n[@gone2]\n",
            expect![[r#"
                unknown-citation notes/n.md:1:3-1:8 "gone2" unknown citation key 'gone2'
                unknown-citation site/page.qmd:1:9-1:13 "gone" unknown citation key 'gone'"#]],
        );
    }

    /// A Quarto page and the parts it includes are one text: a part links
    /// to the page's headings, and other pages link to the parts' headings
    /// through the page (found in quarto-web, where `python.qmd#kernel-daemon`
    /// names a heading of an included `_jupyter-daemon.md`); an include
    /// that names no file is broken. Outside Quarto the shortcode is
    /// someone else's.
    #[test]
    fn quarto_includes_are_part_of_their_page() {
        check(
            "//- site/_quarto.yml\nproject:\n  type: website\n//- site/page.qmd\n# 结论 😀\r\n\r\n{{< include _part.qmd >}}\r\n\r\n{{< include _gone.qmd >}}\r\n//- site/_part.qmd\n见 [结论](#结论-) [x](#nowhere)\n\n## Kernel Daemon\n\n{{< include _deep.qmd >}}\n//- site/_deep.qmd\n## 深层 😀\n//- site/other.qmd\n[k](page.qmd#kernel-daemon) [d](page.qmd#深层-) [g](page.qmd#gone)\n//- hugo/post.md\n{{< include _gone.qmd >}}\n",
            expect![[r#"
                broken-anchor site/_part.qmd:1:19-1:26 "nowhere" no heading 'nowhere' in this document
                broken-anchor site/other.qmd:1:60-1:64 "gone" no heading 'gone' in 'site/page.qmd'
                broken-link site/page.qmd:5:13-5:22 "_gone.qmd" no note or file '_gone.qmd'"#]],
        );
        // Only what a page includes: another chapter of a book is not.
        check(
            "//- b/_quarto.yml\nbook:\n  chapters: [index.qmd, ch2.qmd]\n//- b/index.qmd\n# 引言 😀\n[x](ch2.qmd#引言-)\n//- b/ch2.qmd\n# Two\n",
            expect![[r#"broken-anchor b/index.qmd:2:13-2:16 "引言-" no heading '引言-' in 'b/ch2.qmd'"#]],
        );
    }

    /// A bookdown book's chapters are one document: `[x](#id)` finds a
    /// heading in any of them, by default every `.Rmd` file of the book's
    /// folder.
    #[test]
    fn bookdown_chapters_are_one_document() {
        let book = "//- book/_bookdown.yml\nbook_filename: b\n//- book/index.Rmd\n# 前言 {#preface}\n//- book/01-intro.Rmd\nSee [the preface](#preface) 😀\n//- book/_common.Rmd\n[x](#preface)\n";
        check(
            book,
            expect![[
                r#"broken-anchor book/_common.Rmd:1:6-1:13 "preface" no heading 'preface' in this note"#
            ]],
        );
        check(
            &book.replace("book_filename: b", "rmd_files: [01-intro.Rmd]"),
            expect![[r#"
                broken-anchor book/01-intro.Rmd:1:20-1:27 "preface" no heading 'preface' in this note
                broken-anchor book/_common.Rmd:1:6-1:13 "preface" no heading 'preface' in this note"#]],
        );
    }

    /// Found in Pandoc's manuals: `[Alignment]{#type-alignment}` gives a
    /// span that id, and definitions' paragraphs (indented four columns)
    /// link to it; an example indented as code holds an image that is no
    /// file. 8 of their 70 diagnostics were these.
    #[test]
    fn attribute_ids_are_anchors_and_indented_code_is_code() {
        check(
            "//- doc.md\r\n*[对齐 😀]{#type-alignment}* is a string.\r\n\r\n::: {#box .note}\r\nx\r\n:::\r\n\r\n[`AlignLeft`]{#pandoc.alignleft}\r\n\r\n:   Left.\r\n\r\n    See also: [Table](#type-alignment) [box](#box) [gone](#type-gone)\r\n\r\nIf your file links images, for example\r\n\r\n    ![Juliet](images/sun.jpg) 😀 [[Nowhere]]\r\n",
            expect![[r#"broken-anchor doc.md:11:60-11:69 "type-gone" no heading 'type-gone' in this note"#]],
        );
    }

    /// Found in a bookdown repository (202 of its 204 diagnostics): the
    /// `NEWS.md` beside the book thanks `@someone`, a GitHub handle. The
    /// book's `bibliography:` is not that file's (pkgdown renders it with
    /// citations off), so a bare `@word` there is no citation. It is one
    /// where a bibliography is in scope: the note's own, its book's, or,
    /// where notes declare none, one in the note's folder or above it (a
    /// vault's library; the book's file is not `NEWS.md`'s).
    #[test]
    fn bare_keys_are_citations_where_a_bibliography_is_in_scope() {
        let book = "//- book/_bookdown.yml\nbook_filename: b\n//- book/book.bib\n@book{xie2015, title={Dynamic Documents}}\n//- book/index.Rmd\n---\nbibliography: book.bib\n---\n见 @xie2015 和 @nope 😀\n//- book/01-intro.Rmd\n😀 @gone，[@xie2015]\r\n//- NEWS.md\n- 修复 😀 (thanks @someone, #12) [@missing]\r\n//- notes/own.md\n---\nbibliography: ../book/book.bib\n---\n@absent @xie2015\n";
        check(
            book,
            expect![[r#"
                unknown-citation NEWS.md:1:33-1:40 "missing" unknown citation key 'missing'
                unknown-citation book/01-intro.Rmd:1:4-1:8 "gone" unknown citation key 'gone'
                unknown-citation book/index.Rmd:4:15-4:19 "nope" unknown citation key 'nope'
                unknown-citation notes/own.md:4:2-4:8 "absent" unknown citation key 'absent'"#]],
        );
        // Where no note declares a file, a file serves the notes around it.
        check(
            &book.replace("bibliography:", "title:"),
            expect![[r#"
                unknown-citation NEWS.md:1:33-1:40 "missing" unknown citation key 'missing'
                unknown-citation book/01-intro.Rmd:1:4-1:8 "gone" unknown citation key 'gone'
                unknown-citation book/index.Rmd:4:15-4:19 "nope" unknown citation key 'nope'"#]],
        );
        check(
            &format!(
                "//- refs/library.bib\n@misc{{lib, title={{L}}}}\n{}",
                book.replace("bibliography:", "title:")
            ),
            expect![[r#"
                unknown-citation NEWS.md:1:17-1:24 "someone" unknown citation key 'someone'
                unknown-citation NEWS.md:1:33-1:40 "missing" unknown citation key 'missing'
                unknown-citation book/01-intro.Rmd:1:4-1:8 "gone" unknown citation key 'gone'
                unknown-citation book/index.Rmd:4:15-4:19 "nope" unknown citation key 'nope'
                unknown-citation notes/own.md:4:2-4:8 "absent" unknown citation key 'absent'"#]],
        );
    }

    /// gloss ends a key at a CJK character (`@wei2022提出` cites
    /// `wei2022`); `[pandoc] keys = "pandoc"`, and Quarto projects, read
    /// keys as Pandoc does, CJK included.
    #[test]
    fn keys_by_pandoc_rule_where_asked() {
        let notes = "//- refs.bib\n@misc{wei2022, title={T}}\n@misc{王2023, title={U}}\n//- n.md\n😀 @wei2022提出，[@王2023; @wei2022] 和 `@王2023` -@王2023。\n";
        check(notes, expect![""]);
        check(
            &format!("//- gloss.toml\n[pandoc]\nkeys = \"pandoc\"\n{notes}"),
            expect![[
                r#"unknown-citation n.md:1:4-1:13 "wei2022提出" unknown citation key 'wei2022提出'; did you mean 'wei2022'?"#
            ]],
        );
        check(
            &format!(
                "//- _quarto.yml\nproject: {{type: book}}\n{}",
                notes.replace("n.md", "n.qmd")
            ),
            expect![[
                r#"unknown-citation n.qmd:1:4-1:13 "wei2022提出" unknown citation key 'wei2022提出'; did you mean 'wei2022'?"#
            ]],
        );
    }

    /// A note's `references:` are a bibliography of that note alone, as in
    /// Pandoc: another note citing the same key does not see them, and two
    /// notes may both define `item1`. A CSL YAML file works like any other.
    #[test]
    fn front_matter_references_belong_to_their_note() {
        check(
            "//- refs.yaml\nreferences:\n- id: shared\n  title: S 😀\n- id: shared\n//- a.md\n---\nbibliography: refs.yaml\nreferences:\n- id: item1\n  title: 第一本书 😀\n- id: item1\n- title: no id\n---\n见 [@item1] 和 @shared，@nope。\n//- b.md\n---\nreferences:\n- id: item1\n---\n[@item1]\n//- c.md\n[@item1] [@shared]\n",
            expect![[r#"
                bib-syntax a.md:7:3-7:15 "title: no id" CSL item has no `id`
                duplicate-citation-key a.md:6:7-6:12 "item1" citation key 'item1' is already defined in a.md:4
                unknown-citation a.md:9:23-9:27 "nope" unknown citation key 'nope'
                unknown-citation c.md:1:3-1:8 "item1" unknown citation key 'item1'
                duplicate-citation-key refs.yaml:4:7-4:13 "shared" citation key 'shared' is already defined in refs.yaml:2"#]],
        );
    }

    /// Found in a thesis and two Pandoc projects: a note's own reference
    /// list names papers, a link's title is the link's, and a heading
    /// whose paragraph cites the paper right after it is how the text
    /// reads. A title outside those is still a mention.
    #[test]
    fn titles_in_reference_lists_link_titles_and_next_to_their_citation() {
        check(
            "//- refs.bib\n@misc{k1, title={Horn Clause Solvers for Program Verification}}\n@misc{k2, title={Scaling Laws for Neural Language Models}}\n\
             //- a.md\n### Scaling Laws for Neural Language Models\n\nKaplan et al. [@k2] 😀\n\n[3]: https://x.org/p \"Horn Clause Solvers for Program Verification\"\n\n\
             ## Список литературы\r\n1. Bjørner N. Horn Clause Solvers for Program Verification // 2015.\r\n### 参考文献\n- “Scaling Laws for Neural Language Models”\n\
             # References {.unnumbered}\n- “Horn Clause Solvers for Program Verification”\n\
             # Notes\n“Horn Clause Solvers for Program Verification”\n",
            expect![[r#"title-citation a.md:14:2-14:46 "Horn Clause Solvers for Program Verification" 'Horn Clause Solvers for Program Verification' is cited by title; cite it as [@k1]"#]],
        );
    }

    /// Found in an Obsidian vault using the Pandoc Extended Markdown
    /// plugin, and in MyST's documentation: `@st` names the div
    /// `{#st}` of the same note, which the tool numbers. An id of another
    /// note is not this note's element; an unknown key is still reported.
    #[test]
    fn a_key_naming_an_element_of_the_note() {
        check(
            "//- lib.bib\n@misc{k, title={T}}\n//- a.md\n::: Semantic Transparency 😀 {#st}\nA definition.\n:::\r\n\r\nDefending @st and [@k; @apprehension].\r\n\r\n[Apprehension]{.term #apprehension} @nope @other\n\
             //- b.md\n# Other {#other}\n",
            expect![[r#"
                unknown-citation a.md:7:38-7:42 "nope" unknown citation key 'nope'
                unknown-citation a.md:7:44-7:49 "other" unknown citation key 'other'"#]],
        );
    }

    /// Found in MyST's documentation and two Jupyter Books: `(label)=`
    /// and a directive's `:label:` are targets, which `[](#label)` and
    /// `@label` find on any page of the project. Outside a project a
    /// page's targets are its own.
    #[test]
    fn myst_targets_across_a_project() {
        check(
            "//- book/myst.yml\nversion: 1\n//- book/refs.bib\n@misc{k, title={T}}\n\
             //- book/a.md\n(intro-x)=\r\n# 引言 😀\r\n```{exercise}\n:label: my-exercise\n```\nSee [](#my-exercise), [](b.md#tbl:cells) and @intro-x [@k].\n\
             //- book/b.md\n```{list-table}\n:name: tbl:cells\n```\n[](#intro-x) @my-exercise [](#gone) @gone\n\
             //- jb/_config.yml\ntitle: x\n//- jb/_toc.yml\nroot: c\n//- jb/c.md\n(t)=\n# C\n//- jb/d.md\n[](#t)\n\
             //- other/e.md\n[](#t) [](#intro-x)\n",
            expect![[r#"
                broken-anchor book/b.md:4:31-4:35 "gone" no heading 'gone' in this document
                unknown-citation book/b.md:4:38-4:42 "gone" unknown citation key 'gone'
                broken-anchor other/e.md:1:5-1:6 "t" no heading 't' in this note
                broken-anchor other/e.md:1:12-1:19 "intro-x" no heading 'intro-x' in this note"#]],
        );
    }

    /// Found in a research vault whose Zotero library saves Wikipedia
    /// articles (`@inreference`): a short one's title is the concept's
    /// name, written as a term; a long one is still a title.
    #[test]
    fn a_reference_works_short_title_is_a_term() {
        check(
            "//- lib.bib\n@inreference{se, title={Standard Error}}\n@inreference{long, title={History of the Standard Error in Statistics}}\n\
             //- n.md\nDistinguish *measurement uncertainty* - standard error - and noise 😀.\n\n“History of the Standard Error in Statistics”\n",
            expect![[r#"title-citation n.md:3:2-3:45 "History of the Standard Error in Statistics" 'History of the Standard Error in Statistics' is cited by title; cite it as [@long]"#]],
        );
    }

    /// Found in a humanities dissertation: the paper is cited in a
    /// footnote (`[^15]: @clifford1988[22]`), which the text references
    /// right after naming it; the rendered page cites it there. A title
    /// far before the footnote's reference is still a mention.
    #[test]
    fn a_title_cited_in_its_footnote() {
        check(
            "//- refs.bib\n@book{clifford1988, title={The Predicament of Culture}}\n\
             //- ch1.md\n“The Predicament of Culture” first.[^16]\n\nx\n\ny\n\nz\n\n\
             As Clifford argues in “The Predicament of Culture” 😀,[^15] art changed.\r\n\r\n\
             [^15]: @clifford1988[22]\n[^16]: See below.\n",
            expect![[
                r#"title-citation ch1.md:1:2-1:28 "The Predicament of Culture" 'The Predicament of Culture' is cited by title; cite it as [@clifford1988]"#
            ]],
        );
    }

    /// Found in two Jupyter Books: MyST's citation roles cite, so a title
    /// beside ``{footcite}`cmmi` `` is cited, and a role's unknown key is
    /// reported like any other.
    #[test]
    fn myst_citation_roles() {
        check(
            "//- refs.bib\n@misc{cmmi, title={Capability Maturity Model Integration}}\n@misc{k2, title={T2}}\n\
             //- a.md\n**Capability Maturity Model Integration** {footcite}`cmmi` 😀\r\n\
             See {cite:p}`k2, gone;cmmi` and {cite}``cmmi`` {cite:t}`` {other}`gone` {cite}`a b`.\n",
            expect![[r#"unknown-citation a.md:2:18-2:22 "gone" unknown citation key 'gone'"#]],
        );
    }

    /// Found in Obsidian research vaults: the Citations plugin makes a note
    /// per paper, `@key.md` titled with the paper's title, which names its
    /// paper throughout; some name it `key.md`, or by another key with the
    /// paper's title as heading. Reference lists are also headed `##
    /// Reference` or `# 参考资料（暂时）`. Another note naming the paper
    /// still gets the hint.
    #[test]
    fn a_papers_own_note_and_reference_lists_with_remarks() {
        check(
            "//- .obsidian/.keep\n//- lib.bib\n@misc{he2016, title={Deep Residual Learning for Image Recognition}}\n@misc{vaswani2017, title={Attention Is All You Need}}\n\
             //- @he2016.md\n---\ntitle: \"@he2016\"\n---\n# Deep Residual Learning for Image Recognition\n\n## Deep Residual Learning for Image Recognition 😀\n\
             //- lit/He2016DeepResidualx.md\n# Deep Residual Learning for Image Recognition\r\nThe “Deep Residual Learning for Image Recognition” paper.\r\n\
             //- Vaswani2017b.md\n“Attention Is All You Need”，见下。\n\
             //- Attention is all you need.md\n# Notes\n“Attention Is All You Need”\n\
             //- d.md\n# 笔记\n\n## Reference\n- “Attention Is All You Need”\n# 参考资料（暂时）\n- “Deep Residual Learning for Image Recognition”\n## 8. References (draft)\n- “Attention Is All You Need”\n\
             //- e.md\n# 笔记 😀\n“Deep Residual Learning for Image Recognition”\n",
            expect![[r#"title-citation e.md:2:2-2:46 "Deep Residual Learning for Image Recognition" 'Deep Residual Learning for Image Recognition' is cited by title; cite it as [@he2016]"#]],
        );
    }

    /// Found in research vaults, theses and digital gardens: a title
    /// linked to a web page (the paper's, a PDF of it), a literature note
    /// the Citations plugin names `{{title}} {{authorString}}` or one that
    /// opens its paper in Zotero, a link to the paper's note named with its
    /// title (`:` written ` - `), a thesis's list of its author's works,
    /// `## Further Reading and …`, a table of abbreviations in raw TeX, a
    /// phrase of five words with a compound, and a topic of two words on a
    /// list item name no paper that is not cited. A title in running text
    /// still does.
    #[test]
    fn titles_a_note_refers_to_otherwise() {
        check(
            "//- .obsidian/.keep\n//- lib.bib\n@misc{faizi2020, title={Fluctuation Spectroscopy of Giant Unilamellar Vesicles}}\n@inbook{hofmann, title={Der {{Adel}} in {{Franken}}}}\n@misc{lewis1961, title={The Children of Sanchez}}\n@misc{cagua2019, title={The Trade-Offs of Sharing Pollinators: Species Roles}}\n@book{khorikov2020, title={Unit Testing Principles, Practices, and Patterns}, shorttitle={Unit Testing}}\n@online{rert, title={Reliability and Emergency Reserve Trader}}\n\
             //- a.md\nSee [Fluctuation Spectroscopy of Giant Unilamellar Vesicles - Soft Matter DOI:10.1039/D0SM00943A](https://pubs.rsc.org/x) 😀\n\
             //- Literatur/Der Adel in Franken Hanns Hubert Hofmann 1965.md\n# Der Adel in Franken - Hanns Hubert Hofmann\n\
             //- lewis.md\n[zotero](zotero://select/items/@lewis1961)\n\n# The Children of Sanchez\n\
             //- papers/README.md\n## [2019-11] The Trade-Offs of Sharing Pollinators: Species Roles\n\n[[The Trade-Offs of Sharing Pollinators - Species Roles]]\n\
             //- papers/The Trade-Offs of Sharing Pollinators - Species Roles.md\nx\n\
             //- thesis.md\n# Works arising from this thesis {.unnumbered}\n> Prakash, A. Reliability and Emergency Reserve Trader. Energy Policy.\n## Further Reading and Search Keywords\n- “The Children of Sanchez”\n# Abbreviations\n\\begin{longtable}{ll}\r\n\\textbf{RERT} & Reliability and Emergency Reserve Trader \\\\\r\n\\end{longtable}\n\n# Results\nwhere the trade-offs of sharing pollinators become large\n\n- Unit testing\n\nThe Children of Sanchez is a book.\n",
            expect![[r#"title-citation thesis.md:15:1-15:24 "The Children of Sanchez" 'The Children of Sanchez' is cited by title; cite it as [@lewis1961]"#]],
        );
    }

    /// Found in a Quarto manuscript with two bibliographies: the paper is
    /// cited under one key and named by the short title of another entry
    /// with the same DOI. Without a DOI in common it is another paper.
    #[test]
    fn a_title_cited_under_another_key_of_the_same_doi() {
        check(
            "//- a.bib\n@misc{a1, title={The Solar Wind Electron Instrument}, doi={10.1000/SWE}}\n@misc{c1, title={Other}, doi={10.1000/other}}\n//- b.bib\n@misc{b1, title={The Solar Wind Electron Instrument for the Mission}, shorttitle={Solar Wind Electron Instrument}, doi={10.1000/swe}}\n//- n.md\nSolar Wind Electron Instrument [@a1] 😀\n//- o.md\nx\n\nSolar Wind Electron Instrument [@c1]\n",
            expect![[r#"title-citation o.md:3:1-3:31 "Solar Wind Electron Instrument" 'Solar Wind Electron Instrument' is cited by title; cite it as [@b1]"#]],
        );
    }

    /// Found in theses and a Foam vault: a paper cited once and named by
    /// its title further on (a section named for it), a comment between a
    /// heading and its citing paragraph, a list of abbreviations in raw
    /// TeX, and an outline item `- Introduction` that is also a chapter's
    /// title. A title first, its citation far below, is still a mention.
    #[test]
    fn titles_of_papers_the_note_cites_raw_tex_and_single_words() {
        check(
            "//- refs.bib\n@misc{k1, title={Word Translation Without Parallel Data}}\n@misc{k2, title={mcmc: Markov Chain Monte Carlo}}\n@incollection{k3, title={Introduction}}\n\
             //- a.md\n- Word translation without parallel data [@k1] 😀\n\n# Method\n\n## Word Translation Without Parallel Data\nThey align two embeddings.\n\
             //- c.md\n## Word Translation Without Parallel Data\n<!-- TODO -->\nThey align two embeddings [@k1].\n\
             //- d.md\n“Word Translation Without Parallel Data”\n\nx\n\ny\n\nz [@k1]\n\
             //- e.md\n[@k1] 😀\n\nx\n\n“Word Translation Without Parallel Data”\n\ny\n\nz\n\nw [@k1]\n\
             //- b.md\n\\nomenclature{\\textbf{MCMC}}{Markov Chain Monte Carlo} 😀\r\n\\index[idx]{Word Translation Without Parallel Data}\r\n- Introduction\r\n\
             \\emph{Word Translation Without Parallel Data}\r\n",
            expect![[r#"
                title-citation b.md:4:7-4:45 "Word Translation Without Parallel Data" 'Word Translation Without Parallel Data' is cited by title; cite it as [@k1]
                title-citation d.md:1:2-1:40 "Word Translation Without Parallel Data" 'Word Translation Without Parallel Data' is cited by title; cite it as [@k1]"#]],
        );
    }

    /// A note's own `references:` are its papers alone: their titles are
    /// neither found nor in the way in another note, where the file's
    /// title, one edit away, is found.
    #[test]
    fn titles_of_a_notes_own_references_stay_in_it() {
        check(
            "//- refs.bib\n@misc{file, title={Scaling Laws for Neural Language Models}}\n//- a.md\n---\nreferences:\n- id: own\n  title: Scaling Law for Neural Language Models\n---\n——Scaling Law for Neural Language Models\n//- b.md\n——Scaling Law for Neural Language Models\n",
            expect![[r#"
                title-citation a.md:6:3-6:41 "Scaling Law for Neural Language Models" 'Scaling Law for Neural Language Models' is cited by title; cite it as [@own]
                title-citation b.md:1:3-1:41 "Scaling Law for Neural Language Models" 'Scaling Law for Neural Language Models' is cited by title; cite it as [@file]"#]],
        );
    }

    /// Found in a thesis that knits its chapters as child documents: a
    /// chapter links an appendix's heading, both knitted into one document
    /// by `thesis/main.Rmd`, whose child paths are from the project's
    /// root (`root.dir`) or its own folder. A child that is not there is
    /// a broken link; a plain Markdown note's chunks are not knitted.
    #[test]
    fn knitr_children_are_one_document() {
        check(
            "//- thesis/main.Rmd\n```{r, child = 'thesis/ch1.Rmd'}\n```\n\n```{r child=c(\"appA.Rmd\", 'gone.Rmd')}\n```\n\
             //- thesis/ch1.Rmd\n# Study 😀\r\nSee [Appendix A](#appendix-a) and [x](#nope).\r\n\
             //- thesis/appA.Rmd\n# Appendix A {#appendix-a}\nBack to [the study](#study).\n\
             //- readme.md\n```{r, child = 'missing.Rmd'}\n```\n",
            expect![[r#"
                broken-anchor thesis/ch1.Rmd:2:40-2:44 "nope" no heading 'nope' in this document
                broken-link thesis/main.Rmd:4:28-4:36 "gone.Rmd" no note or file 'gone.Rmd'"#]],
        );
    }

    /// Found in a bookdown book (571 links to sections a chunk prints per
    /// topic) and a Quarto site (figures a function prints per word): ids
    /// that knitted code writes are not known to be missing; code that is
    /// only shown (`{.r}`) writes nothing, nor does a plain note's.
    #[test]
    fn ids_that_knitted_code_writes() {
        check(
            "//- _bookdown.yml\nrmd_files: [\"index.Rmd\", \"02-topics.Rmd\"]\n\
             //- index.Rmd\n```{r, include=FALSE}\nfor (t in topics) cat(\"## \", t, \" {\", \"#topic55\", \"}\")\ncat(\"### \", x, \" {-#catbound\", i, \"}\")\n```\n\n```{.r}\ncat(\"{#shown-only\")\n```\n\
             //- 02-topics.Rmd\n[decision theory](#topic55) [x](#catbound23) [y](#nope) [z](#shown-only) 😀\r\n[slip](#topic55.) [slip](#topic 24)\n\
             //- _quarto.yml\nproject: {type: website}\n\
             //- site/page.qmd\n```{r}\ncat(':::: {#fig-', w, '}')\n```\nCompare @fig-his and @tbl-x.\n\
             //- plain.md\n```{r}\ncat(\"{#sec-\")\n```\n[a](#sec-a)\n",
            expect![[r#"
                broken-anchor 02-topics.Rmd:1:51-1:55 "nope" no heading 'nope' in this document
                broken-anchor 02-topics.Rmd:1:62-1:72 "shown-only" no heading 'shown-only' in this document
                broken-anchor 02-topics.Rmd:2:9-2:17 "topic55." no heading 'topic55.' in this document
                broken-anchor 02-topics.Rmd:2:27-2:35 "topic 24" no heading 'topic 24' in this document
                broken-anchor plain.md:4:6-4:11 "sec-a" no heading 'sec-a' in this note
                broken-cross-reference site/page.qmd:4:23-4:28 "tbl-x" no label 'tbl-x' ({#tbl-x})"#]],
        );
    }

    /// Found in a bookdown book with a Word edition: `_new-bookdown.yml`
    /// lists the edition's chapters, which link the sections of chapters
    /// both editions share. A configuration without `rmd_files:` is no
    /// book of its own.
    #[test]
    fn a_second_bookdown_configuration_is_a_book() {
        check(
            "//- _bookdown.yml\nrmd_files: [\"index.Rmd\", \"02-topics.Rmd\"]\n\
             //- _new-bookdown.yml\nrmd_files:\n  docx: [\"index-Word.Rmd\", \"01-Word.Rmd\", \"02-topics.Rmd\"]\n\
             //- _bookdown-old.yml\nbook_filename: old\n\
             //- index.Rmd\n# Preface\n//- index-Word.Rmd\n# Preface\n\
             //- 01-Word.Rmd\nSee [the next chapter](#all-90-topics) 😀 and [x](#nope).\r\n\
             //- 02-topics.Rmd\n# All 90 topics {#all-90-topics}\n//- 03-alone.Rmd\n[y](#all-90-topics)\n",
            expect![[r#"
                broken-anchor 01-Word.Rmd:1:51-1:55 "nope" no heading 'nope' in this document
                broken-anchor 03-alone.Rmd:1:6-1:19 "all-90-topics" no heading 'all-90-topics' in this note"#]],
        );
    }

    #[test]
    fn front_matter_links_are_checked() {
        check(
            "//- Related.md\n//- n.md\n---\nup: \"[[Related]]\"\nrelated:\n  - \"[[Related#Nope]]\"\n  - \"[[Missing note]]\"\ntags: [a]\n---\n",
            expect![[r#"
                broken-anchor n.md:4:16-4:20 "Nope" no heading 'Nope' in 'Related.md'
                broken-link n.md:5:8-5:20 "Missing note" no concept or note named 'Missing note'"#]],
        );
    }

    #[test]
    fn markdown_links_to_local_files_urls_never() {
        check(
            "//- notes/Two words.md\n//- img/a.png\n//- notes/n.md\n\
             [x](Two%20words.md) [x](<Two words.md>) [x](Two%20words) [x](../img/a.png) ![](/img/a.png)\n\
             [x](https://example.org/a.md) [x](www.example.org) [x](mailto:a@b.c) [x](#Top) [cloze](年)\n\
             ![x](../img/missing.png) [x](gone.pdf)\n\n# Top\n",
            expect![[r#"
                broken-link notes/n.md:3:6-3:24 "../img/missing.png" no note or file '../img/missing.png'
                broken-link notes/n.md:3:30-3:38 "gone.pdf" no note or file 'gone.pdf'"#]],
        );
    }

    /// Found on real vaults: `..` past the root stays at the root, as in
    /// Obsidian, and a relative path that misses is matched by its end; a
    /// path from the root stays exact.
    #[test]
    fn relative_paths_as_obsidian_repairs_them() {
        check(
            "//- b.md\n//- x/pics/p.png\n//- k2/k.md\n//- k2/k_(v2).md\n//- docs/a/note.md\n\
             [t](../../../b.md) ![d](../../pics/p.png) [[../../../b]]\n\
             ![r](/pics/p.png) ![m](../../pics/missing.png) [k](../k2/k.md)\n\
             [s](../../b.md#Scan%20with%20[t](../../b.md)) [w](../../k2/k_(v2).md)\n\
             [hub](../../k2/k%20) [gone](../../k2/gone%20) 😀\n",
            expect![[r#"
                broken-link docs/a/note.md:2:24-2:46 "../../pics/missing.png" no note or file '../../pics/missing.png'
                broken-link docs/a/note.md:2:52-2:62 "../k2/k.md" no note or file '../k2/k.md'
                broken-anchor docs/a/note.md:3:16-3:45 "Scan%20with%20[t](../../b.md)" no heading 'Scan with [t](../../b.md)' in 'b.md'
                broken-link docs/a/note.md:4:29-4:45 "../../k2/gone%20" no note or file '../../k2/gone '"#]],
        );
    }

    /// Found on Foam vaults: the link reference definitions Foam writes
    /// under a note say where its wikilinks go.
    #[test]
    fn foam_reference_definitions_resolve_wikilinks() {
        check(
            "//- notes/my-topic.md\n# My Topic\n//- hub.md\n[[My Topic]] [[Other Topic]]\n\n[//begin]: # \"Autogenerated link references\"\n[My Topic]: notes/my-topic \"My Topic\"\n[Other Topic]: other-topic \"Other Topic\"\n[//end]: # \"Autogenerated link references\"\n",
            expect![[r#"broken-link hub.md:1:16-1:27 "Other Topic" no concept or note named 'Other Topic'"#]],
        );
    }

    #[test]
    fn bare_at_words_need_a_bibliography_bracketed_ones_do_not() {
        let notes = "//- n.md\nmail @someone or see [@nokey]\n";
        check(
            notes,
            expect![[r#"
                unknown-citation n.md:1:24-1:29 "nokey" unknown citation key 'nokey'"#]],
        );
        check(
            &format!("//- refs.bib\n@misc{{known, title={{T}}}}\n{notes}"),
            expect![[r#"
                unknown-citation n.md:1:7-1:14 "someone" unknown citation key 'someone'
                unknown-citation n.md:1:24-1:29 "nokey" unknown citation key 'nokey'"#]],
        );
    }

    #[test]
    fn dendron_reads_links_label_first_with_vaults_and_ranges() {
        check(
            "//- dendron.yml\nversion: 5\nworkspace:\n  vaults:\n    - fsPath: notes\n      name: kitchen\n//- notes/cook.tools.md\n# Tools\n## Knives\n## Pans\n//- notes/cook.md\n😀 [[the tools|cook.tools]], [[刀|cook.tools#knives]], ![[cook.tools#knives,1:#pans]], ![[cook.tools#*]]\n[[dendron://kitchen/cook.tools#pans]] [[dendron://$this/cook.tools]]\nBroken: [[Tools|cook.gone]] [[x|cook.tools#forks:#*]] [[dendron://garden/cook.tools]] [[cook.tools|label]]\n",
            expect![[r#"
                broken-link notes/cook.md:3:17-3:26 "cook.gone" no note or file 'cook.gone'
                broken-anchor notes/cook.md:3:44-3:49 "forks" no heading 'forks' in 'notes/cook.tools.md'
                broken-link notes/cook.md:3:57-3:84 "dendron://garden/cook.tools" no note or file 'dendron://garden/cook.tools'
                broken-link notes/cook.md:3:100-3:105 "label" no concept or note named 'label'"#]],
        );
    }

    #[test]
    fn an_obsidian_vault_or_logseq_graph_without_a_bibliography_has_no_citations() {
        let graph = "//- logseq/config.edn\n{}\n//- pages/p.md\n- [maintainers=@ada, @bob](https://x.org) [@key]\n";
        check(graph, expect![[""]]);
        let vault =
            "//- .obsidian/.keep\nx\n//- n.md\nThe theme colours [@citekey] 😀 and @someone.\n";
        check(vault, expect![[""]]);
        check(
            &format!("//- refs.bib\n@misc{{known, title={{T}}}}\n{vault}"),
            expect![[r#"
                unknown-citation n.md:1:21-1:28 "citekey" unknown citation key 'citekey'
                unknown-citation n.md:1:37-1:44 "someone" unknown citation key 'someone'"#]],
        );
    }

    #[test]
    fn a_sites_sources_link_to_its_pages_and_their_ids() {
        // Found in Zettlr's documentation (VuePress): a table of contents'
        // marker, a page by the name it is rendered to, a French heading
        // by its id without accents.
        let site = "//- export/defaults.md\n# Défauts\n//- fr/réglages.md\n### Vérification orthographique\r\n\
                    //- guide/import.md\n[[toc]] 😀 [[_TOC_]]\r\n\
                    [Défauts](../export/defaults.html#defauts) [x](../fr/réglages.html#verification-orthographique)\n\
                    [gone](../export/gone.html) [[toc2]] [y](../export/defaults.html#défaut)\n";
        check(
            site,
            expect![[r#"
                broken-link guide/import.md:3:8-3:27 "../export/gone.html" no note or file '../export/gone.html'
                broken-link guide/import.md:3:31-3:35 "toc2" no concept or note named 'toc2'
                broken-anchor guide/import.md:3:66-3:72 "défaut" no heading 'défaut' in 'export/defaults.md'; did you mean 'Défauts'?"#]],
        );
        // An Obsidian vault opens files by their names only.
        check(
            &format!("//- .obsidian/.keep\n{site}"),
            expect![[r#"
                broken-link guide/import.md:1:3-1:6 "toc" no concept or note named 'toc'
                broken-link guide/import.md:1:13-1:18 "_TOC_" no concept or note named '_TOC_'
                broken-link guide/import.md:2:11-2:34 "../export/defaults.html" no note or file '../export/defaults.html'
                broken-link guide/import.md:2:48-2:67 "../fr/réglages.html" no note or file '../fr/réglages.html'
                broken-link guide/import.md:3:8-3:27 "../export/gone.html" no note or file '../export/gone.html'
                broken-link guide/import.md:3:31-3:35 "toc2" no concept or note named 'toc2'
                broken-link guide/import.md:3:42-3:65 "../export/defaults.html" no note or file '../export/defaults.html'"#]],
        );
    }
}
