//! What several features need to know of a paper mentioned by its title:
//! whether the note cites it, and how to name it in a few words.

use std::collections::HashMap;
use std::ops::Range;

use crate::workspace::titles::{fold, fold_title, TitleMention};
use crate::workspace::{BibEntry, KeyLocation, NoteId, Workspace};

/// The blocks around `offset`: the block (line, list item, heading)
/// holding it, the one before it and the two after it (a heading, a
/// comment or figure, then the paragraph that cites the paper).
fn blocks_around(workspace: &Workspace, note: NoteId, offset: usize) -> Option<Range<usize>> {
    let blocks = &workspace.note(note).syntax.blocks;
    let at = blocks.partition_point(|b| b.range().end < offset);
    let block = blocks.get(at).filter(|b| b.range().start <= offset)?;
    let start = at
        .checked_sub(1)
        .map_or(block.range().start, |b| blocks[b].range().start);
    let end =
        (blocks.get(at + 2).or(blocks.get(at + 1))).map_or(block.range().end, |b| b.range().end);
    Some(start.min(block.range().start)..end.max(block.range().end))
}

/// Where a note first cites each paper it cites: by entry, and by DOI
/// (the same paper under another key, in two `.bib` files, one with a
/// short title); and which paper the note is about, if it is a paper's
/// own note. Worked out once per note, then asked per mention.
pub struct Citing {
    by_entry: HashMap<KeyLocation, usize>,
    by_doi: HashMap<String, usize>,
    /// The note's file name without a leading `@`, and its title and
    /// file name folded.
    name: String,
    titles: [String; 2],
    /// The keys of the items the note opens in Zotero
    /// (`zotero://select/items/@key`, as literature-note templates write),
    /// read when a mention first asks.
    zotero_items: std::cell::OnceCell<Vec<String>>,
    /// The names of the notes the note links to, folded, with where: a
    /// link to a paper's note named with its title (`[[Octo - An
    /// Open-Source Generalist Robot Policy]]`) cites the paper.
    linked_names: Vec<(String, usize)>,
}

impl Citing {
    pub fn of(workspace: &Workspace, note: NoteId) -> Citing {
        let of = workspace.note(note);
        let mut citing = Citing {
            by_entry: HashMap::new(),
            by_doi: HashMap::new(),
            name: of.stem().trim_start_matches('@').to_string(),
            titles: [fold(of.title()), fold(of.stem())],
            zotero_items: std::cell::OnceCell::new(),
            linked_names: Vec::new(),
        };
        // A link to a paper's own note (`[[@vaswani2017|Transformer]]`, as
        // the Obsidian Citations plugin names them) cites it too.
        let syntax = &workspace.note(note).syntax;
        let linked = syntax.links.iter().filter_map(|link| {
            let key = link.target()?.value.strip_prefix('@')?;
            Some((key, link.range().start))
        });
        citing.linked_names = (syntax.links.iter())
            .filter(|link| !link.kind.is_markdown())
            .filter_map(|link| {
                let target = link.target()?.value;
                let name = target.rsplit('/').next().unwrap_or(target);
                let name = name.strip_suffix(".md").unwrap_or(name);
                Some((fold(name), link.range().start))
            })
            .filter(|(name, _)| name.contains(' '))
            .collect();
        let cited = syntax
            .citations
            .iter()
            .map(|c| (c.key().value, c.token().start));
        let mut cited: Vec<(&str, usize)> = cited.chain(linked).collect();
        if !cited.is_empty() {
            at_footnote_references(workspace.note(note).file.text(), &mut cited);
        }
        cited.sort_by_key(|&(_, offset)| offset);
        // In the order of the text: the first one wins.
        for (key, offset) in cited {
            let Some(at) = workspace.key_location(note, key) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(first) = citing.by_entry.entry(at) {
                first.insert(offset);
                if let Some(doi) = doi(workspace, at) {
                    citing.by_doi.entry(doi).or_insert(offset);
                }
            }
        }
        citing
    }

    /// Whether a key cites the paper before the mention, anywhere in the
    /// note (a paper is cited once, then named: a later section named for
    /// it), or in the blocks around it ([`blocks_around`]: `### Scaling
    /// Laws` over `Kaplan et al. [@kaplan2020] find…`): then the title is
    /// how the text reads, and nothing is missing.
    ///
    /// A paper's own note, as reference managers make one per paper (the
    /// Obsidian Citations plugin's `@{{citekey}}.md` with the title as
    /// its heading), names its paper wherever it likes: that is what it
    /// is about, not a citation missing.
    pub fn cites(&self, workspace: &Workspace, note: NoteId, mention: &TitleMention) -> bool {
        let locations = workspace.title_locations(note, mention.title);
        if locations
            .iter()
            .any(|at| self.is_about(workspace, note, *at))
        {
            return true;
        }
        if self.by_entry.is_empty() && self.linked_names.is_empty() {
            return false;
        }
        let around = blocks_around(workspace, note, mention.range.start);
        let end = around.map_or(mention.range.end, |a| a.end.max(mention.range.end));
        let before_end = |offset: Option<&usize>| offset.is_some_and(|&o| o < end);
        let linked = |at: &KeyLocation| {
            let entry = workspace.bib_entry(*at);
            let titles = [&entry.title, &entry.short_title].into_iter().flatten();
            let titles: Vec<String> = titles.map(|t| fold_title(t)).collect();
            (self.linked_names.iter()).any(|(name, offset)| *offset < end && titles.contains(name))
        };
        locations.iter().any(|at| {
            before_end(self.by_entry.get(at))
                || doi(workspace, *at).is_some_and(|d| before_end(self.by_doi.get(&d)))
                || (!self.linked_names.is_empty() && linked(at))
        })
    }

    /// Whether the note is the paper's own: named by its key (`@key.md`,
    /// `key.md`, in any case; `@keya.md`, as Better BibTeX tells apart
    /// two papers of one key), titled or named with its title (or named
    /// with it and then its authors, as the Citations plugin's
    /// `{{title}} {{authorString}}` names them), or opening it in Zotero.
    fn is_about(&self, workspace: &Workspace, note: NoteId, at: KeyLocation) -> bool {
        let entry = workspace.bib_entry(at);
        let named_by_key = self.name.len() >= entry.key.len()
            && self.name.is_char_boundary(entry.key.len())
            && self.name[..entry.key.len()].eq_ignore_ascii_case(&entry.key)
            && matches!(self.name.as_bytes()[entry.key.len()..], [] | [b'a'..=b'z']);
        let titled = || {
            [&entry.title, &entry.short_title]
                .into_iter()
                .flatten()
                .map(|title| fold_title(title))
                .any(|title| {
                    let named_first = || {
                        let stem = &self.titles[1];
                        stem.strip_prefix(title.as_str())
                            .is_some_and(|rest| rest.starts_with(' ') && title.contains(' '))
                    };
                    !title.is_empty() && (self.titles.contains(&title) || named_first())
                })
        };
        let in_zotero = || {
            let file = &workspace.note(note).file;
            (self
                .zotero_items
                .get_or_init(|| file.with_text(zotero_items)))
            .contains(&entry.key)
        };
        named_by_key || titled() || in_zotero()
    }
}

/// The keys of `zotero://select/items/@key` links in `text`.
fn zotero_items(text: &str) -> Vec<String> {
    const LINK: &str = "zotero://select/items/";
    text.match_indices(LINK)
        .filter_map(|(at, _)| {
            let rest = text[at + LINK.len()..].strip_prefix('@')?;
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || "_-:.+".contains(c)))
                .unwrap_or(rest.len());
            let key = rest[..end].trim_end_matches(['.', ':']);
            (!key.is_empty()).then(|| key.to_string())
        })
        .collect()
}

/// Moves each citation in a footnote (`[^15]: @clifford1988, 22`) to
/// where the footnote is referenced (`…as Clifford articulates.[^15]`):
/// the rendered text cites the paper there, as notes-and-bibliography
/// styles do.
fn at_footnote_references(text: &str, cited: &mut [(&str, usize)]) {
    if !text.contains("[^") {
        return;
    }
    let bytes = text.as_bytes();
    // In text order, one per line at most.
    let mut definitions: Vec<(Range<usize>, &str)> = Vec::new();
    let mut first_reference: HashMap<&str, usize> = HashMap::new();
    // Where the line of the current `[^` starts, found going forward only
    // (a long line of footnote marks stays linear).
    let (mut line_start, mut scanned) = (0, 0);
    for (at, _) in text.match_indices("[^") {
        if let Some(newline) = memchr::memrchr(b'\n', &bytes[scanned..at]) {
            line_start = scanned + newline + 1;
        }
        scanned = at;
        let rest = &text[at + 2..];
        // A label is short: a `[^` with no `]` soon after is text.
        let Some(close) = rest.bytes().take(100).position(|b| b == b']') else {
            continue;
        };
        let label = &rest[..close];
        if label.is_empty() || label.contains(char::is_whitespace) {
            continue;
        }
        // A definition starts its line (indented three spaces at most).
        let defines = rest[close + 1..].starts_with(':')
            && at - line_start <= 3
            && bytes[line_start..at].iter().all(|&b| b == b' ');
        if defines {
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i);
            definitions.push((at..end, label));
        } else {
            first_reference.entry(label).or_insert(at);
        }
    }
    for (_, offset) in cited.iter_mut() {
        let after = definitions.partition_point(|(line, _)| line.start <= *offset);
        let footnote = after
            .checked_sub(1)
            .map(|i| &definitions[i])
            .filter(|(line, _)| line.contains(offset));
        if let Some(&reference) = footnote.and_then(|(_, label)| first_reference.get(label)) {
            *offset = reference;
        }
    }
}

/// An entry's DOI, compared without case.
fn doi(workspace: &Workspace, at: KeyLocation) -> Option<String> {
    let doi = workspace.bib_entry(at).doi.as_deref()?;
    Some(doi.trim().to_ascii_lowercase()).filter(|d| !d.is_empty())
}

/// The entries title mentions in note `note` name, with each mention: the
/// mentions of papers in no bibliography the note sees are left out.
pub fn resolved(workspace: &Workspace, note: NoteId) -> Vec<(TitleMention, KeyLocation)> {
    workspace
        .title_mentions(note)
        .iter()
        .filter_map(|m| Some((m.clone(), workspace.title_location(note, m.title)?)))
        .collect()
}

/// `Kaplan et al. 2020`, `Wei & Zhou 2022`, `Vaswani 2017`: an entry in
/// the few words an inline hint has room for.
pub fn short_label(entry: &BibEntry) -> String {
    let family = |i: usize| {
        let person = &entry.authors[i];
        if person.family.is_empty() {
            person.given.clone()
        } else {
            person.family.clone()
        }
    };
    let names = match entry.authors.len() {
        0 => String::new(),
        1 => family(0),
        2 => format!("{} & {}", family(0), family(1)),
        _ => format!("{} et al.", family(0)),
    };
    let year = entry.year.clone().unwrap_or_default();
    let label = format!("{names} {year}");
    match label.trim() {
        "" => entry.key.clone(),
        label => label.to_string(),
    }
}
