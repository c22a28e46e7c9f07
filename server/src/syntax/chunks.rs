//! Extraction kept per top-level node (a section, or a block before the
//! first heading), so that an edited note re-extracts only the nodes an edit
//! touched: on a long note, extracting everything again would cost more than
//! the incremental reparse itself.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Tree;

use super::extract::{extract_top_level, NoteSyntax, QuoteFence};
use super::front_matter::FrontMatter;
use super::{Block, BlockId, CitationItem, IgnoreComment, Link};

/// One text edit in byte offsets: `start..old_end` became `start..new_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

/// What one top-level node contributed.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub range: Range<usize>,
    pub front_matter: Option<(Box<FrontMatter>, Range<usize>)>,
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub citations: Vec<CitationItem>,
    pub ignores: thin_vec::ThinVec<IgnoreComment>,
    pub block_ids: thin_vec::ThinVec<BlockId>,
    /// The quote-fence state before and after the node (see
    /// [`QuoteFence`]): a chunk is reused only from the same state.
    pub fence_in: QuoteFence,
    pub fence_out: QuoteFence,
}

impl Chunk {
    /// The chunk moved by `delta` bytes. Front matter is only ever at the
    /// start of a note and is never moved: callers re-extract it.
    fn shifted(&self, delta: isize) -> Chunk {
        let s = |at: usize| (at as isize + delta) as usize;
        let r = |range: &Range<usize>| s(range.start)..s(range.end);
        Chunk {
            range: r(&self.range),
            front_matter: None,
            blocks: self
                .blocks
                .iter()
                .map(|b| Block::new(b.kind, r(&b.range()), r(&b.content())))
                .collect(),
            links: self
                .links
                .iter()
                .map(|l| l.map_ranges(|range| r(&range)))
                .collect(),
            citations: self
                .citations
                .iter()
                .map(|c| c.map_ranges(|range| r(&range)))
                .collect(),
            ignores: self
                .ignores
                .iter()
                .map(|i| IgnoreComment {
                    end: s(i.end),
                    codes: i.codes.clone(),
                })
                .collect(),
            block_ids: self
                .block_ids
                .iter()
                .map(|b| BlockId {
                    id: crate::syntax::Spanned {
                        value: b.id.value.clone(),
                        range: r(&b.id.range),
                    },
                    block: r(&b.block),
                })
                .collect(),
            fence_in: self.fence_in,
            fence_out: self.fence_out,
        }
    }
}

/// A note's extraction, chunk by chunk.
#[derive(Debug, Clone, Default)]
pub struct ChunkedSyntax {
    pub chunks: Vec<Chunk>,
}

/// Where `range` of the text before `edits` is after them, or None if an
/// edit touches it (a touching insertion could extend the node, so it counts).
fn map_range(range: &Range<usize>, edits: &[Edit]) -> Option<Range<usize>> {
    let mut range = range.clone();
    for edit in edits {
        if edit.start <= range.end && edit.old_end >= range.start {
            return None;
        }
        if range.start >= edit.old_end {
            let delta = edit.new_end as isize - edit.old_end as isize;
            range = (range.start as isize + delta) as usize..(range.end as isize + delta) as usize;
        }
    }
    Some(range)
}

impl ChunkedSyntax {
    /// Extracts every top-level node of `tree`.
    pub fn new(text: &str, tree: &Tree) -> ChunkedSyntax {
        ChunkedSyntax {
            chunks: extract_top_level(text, tree, &mut |_| None),
        }
    }

    /// Extracts `tree`, the parse of `text` after `edits` were applied (in
    /// order) to the text `self` was extracted from. `changed` are the
    /// ranges tree-sitter reports as changed between the edited old tree and
    /// `tree`. Nodes untouched by both are copied from `self`, moved.
    pub fn update(
        &self,
        text: &str,
        tree: &Tree,
        edits: &[Edit],
        changed: &[Range<usize>],
    ) -> ChunkedSyntax {
        let mut reusable: HashMap<(usize, usize), &Chunk> = HashMap::new();
        for chunk in self.chunks.iter().filter(|c| c.front_matter.is_none()) {
            if let Some(moved) = map_range(&chunk.range, edits) {
                reusable.insert((moved.start, moved.end), chunk);
            }
        }
        let mut reuse = |range: &Range<usize>| {
            let touched = changed
                .iter()
                .any(|c| c.start <= range.end && c.end >= range.start);
            if touched {
                return None;
            }
            let old = reusable.get(&(range.start, range.end))?;
            Some(old.shifted(range.start as isize - old.range.start as isize))
        };
        ChunkedSyntax {
            chunks: extract_top_level(text, tree, &mut reuse),
        }
    }

    /// The whole note's extraction; `text` is the note's.
    pub fn to_syntax(&self, text: &str) -> NoteSyntax {
        let mut note = NoteSyntax::default();
        for chunk in &self.chunks {
            if let Some((fm, range)) = &chunk.front_matter {
                note.front_matter = Some(fm.clone());
                note.front_matter_range = Some(range.clone());
            }
            note.blocks.extend_from_slice(&chunk.blocks);
            note.links.extend_from_slice(&chunk.links);
            note.citations.extend_from_slice(&chunk.citations);
            note.ignores.extend_from_slice(&chunk.ignores);
            note.block_ids.extend_from_slice(&chunk.block_ids);
        }
        super::extract::finish(&mut note, text);
        note
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_move_with_edits_and_touching_edits_dirty_them() {
        let edit = Edit {
            start: 10,
            old_end: 12,
            new_end: 15,
        };
        assert_eq!(map_range(&(0..5), &[edit]), Some(0..5));
        assert_eq!(map_range(&(20..30), &[edit]), Some(23..33));
        assert_eq!(map_range(&(5..10), &[edit]), None);
        assert_eq!(map_range(&(12..20), &[edit]), None);
        assert_eq!(map_range(&(11..11), &[edit]), None);
        // Edits in sequence use the coordinates left by the previous ones.
        let second = Edit {
            start: 0,
            old_end: 1,
            new_end: 0,
        };
        assert_eq!(map_range(&(20..30), &[edit, second]), Some(22..32));
    }
}
