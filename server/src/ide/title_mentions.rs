//! What several features need to know of a paper mentioned by its title:
//! whether a key cites it nearby, and how to name it in a few words.

use std::ops::Range;

use crate::workspace::titles::TitleMention;
use crate::workspace::{BibEntry, KeyLocation, NoteId, Workspace};

/// The lines around `offset`: the block (line, list item, heading) holding
/// it, with the blocks right before and after it.
fn lines_around(workspace: &Workspace, note: NoteId, offset: usize) -> Option<Range<usize>> {
    let blocks = &workspace.note(note).syntax.blocks;
    let at = blocks.partition_point(|b| b.range().end < offset);
    let block = blocks.get(at).filter(|b| b.range().start <= offset)?;
    let start = at
        .checked_sub(1)
        .map_or(block.range().start, |b| blocks[b].range().start);
    let end = blocks
        .get(at + 1)
        .map_or(block.range().end, |b| b.range().end);
    Some(start.min(block.range().start)..end.max(block.range().end))
}

/// Whether a citation on the mention's line, or the line before or after
/// it, cites the paper: then the title is only how the text reads (`###
/// Scaling Laws` over `Kaplan et al. [@kaplan2020] find…`), and nothing is
/// missing.
pub fn is_cited(workspace: &Workspace, note: NoteId, mention: &TitleMention) -> bool {
    let Some(lines) = lines_around(workspace, note, mention.range.start) else {
        return false;
    };
    // Citations are in the order of the text: those of the lines are one
    // run of them.
    let citations = &workspace.note(note).syntax.citations;
    let first = citations.partition_point(|c| c.token().start < lines.start);
    let on_line = citations[first..]
        .iter()
        .take_while(|c| c.token().start < lines.end);
    let mut keys = on_line
        .filter_map(|c| workspace.key_location(note, c.key().value))
        .peekable();
    if keys.peek().is_none() {
        return false;
    }
    let locations = workspace.title_locations(note, mention.title);
    // The same paper under another key (two `.bib` files, one with a
    // short title) is known by its DOI.
    let doi = |at: &KeyLocation| {
        let doi = workspace.bib_entry(*at).doi.as_deref()?;
        Some(doi.trim().to_ascii_lowercase()).filter(|d| !d.is_empty())
    };
    let dois: Vec<String> = locations.iter().filter_map(doi).collect();
    keys.any(|at| locations.contains(&at) || doi(&at).is_some_and(|d| dois.contains(&d)))
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
