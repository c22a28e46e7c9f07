//! What is under the cursor: a link, a citation, a glossary term where it is
//! defined, a paper's title, or a heading.

use crate::syntax::{BlockKind, CitationItem, Link};
use crate::workspace::titles::TitleMention;
use crate::workspace::{EntryId, NoteId, Workspace};

#[derive(Debug, Clone)]
pub enum Item<'a> {
    Link(&'a Link),
    Citation(&'a CitationItem),
    /// A term or alias where its glossary entry defines it.
    Entry(EntryId),
    /// A paper mentioned by its title.
    Title(TitleMention),
    /// A heading (block index).
    Heading(usize),
}

/// The item at `offset` in note `note`. Ranges include their end, so a
/// cursor right after `]]` still finds the link, as editors expect.
pub fn item_at(workspace: &Workspace, note: NoteId, offset: usize) -> Option<Item<'_>> {
    let syntax = &workspace.note(note).syntax;
    let within = |range: &std::ops::Range<usize>| range.start <= offset && offset <= range.end;
    if let Some(link) = syntax.links.iter().find(|l| within(&l.range())) {
        return Some(Item::Link(link));
    }
    // Prefer the item whose key is under the cursor, then any item of the
    // citation group.
    if let Some(citation) = syntax
        .citations
        .iter()
        .find(|c| within(&c.key().range))
        .or_else(|| syntax.citations.iter().find(|c| within(&c.token())))
    {
        return Some(Item::Citation(citation));
    }
    let glossary = &workspace.note(note).glossary;
    if let Some(index) = glossary
        .iter()
        .position(|e| e.names().any(|n| within(&n.range)))
    {
        return Some(Item::Entry(EntryId { note, index }));
    }
    // A heading that is a paper's title is a heading first: rename and
    // references are about it (hover and definition also try the paper).
    if let Some(heading) = syntax
        .blocks
        .iter()
        .position(|b| matches!(b.kind, BlockKind::Heading { .. }) && within(&b.range()))
    {
        return Some(Item::Heading(heading));
    }
    workspace.title_mention_at(note, offset).map(Item::Title)
}
