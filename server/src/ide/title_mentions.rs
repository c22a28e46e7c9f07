//! What several features need to know of a paper mentioned by its title:
//! whether the note cites it, and how to name it in a few words.

use std::collections::HashMap;
use std::ops::Range;

use crate::workspace::titles::TitleMention;
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
/// short title). Worked out once per note, then asked per mention.
pub struct Citing {
    by_entry: HashMap<KeyLocation, usize>,
    by_doi: HashMap<String, usize>,
}

impl Citing {
    pub fn of(workspace: &Workspace, note: NoteId) -> Citing {
        let mut citing = Citing {
            by_entry: HashMap::new(),
            by_doi: HashMap::new(),
        };
        // Citations are in the order of the text: the first one wins.
        for citation in &workspace.note(note).syntax.citations {
            let Some(at) = workspace.key_location(note, citation.key().value) else {
                continue;
            };
            let offset = citation.token().start;
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
    pub fn cites(&self, workspace: &Workspace, note: NoteId, mention: &TitleMention) -> bool {
        if self.by_entry.is_empty() {
            return false;
        }
        let around = blocks_around(workspace, note, mention.range.start);
        let end = around.map_or(mention.range.end, |a| a.end.max(mention.range.end));
        let before_end = |offset: Option<&usize>| offset.is_some_and(|&o| o < end);
        workspace
            .title_locations(note, mention.title)
            .iter()
            .any(|at| {
                before_end(self.by_entry.get(at))
                    || doi(workspace, *at).is_some_and(|d| before_end(self.by_doi.get(&d)))
            })
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
