//! Syntax: tree-sitter parse of a note → typed note structure with byte
//! ranges.
//!
//! Nothing here knows about other files. The workspace model resolves what is
//! extracted here against the rest of the workspace.

mod chunks;
mod citation;
mod extract;
pub mod front_matter;
mod glossary_entry;
mod label;
mod link;
mod name_table;
pub mod yaml;
mod zettel_id;

use arcstr::ArcStr;
use std::ops::Range;

pub use chunks::{ChunkedSyntax, Edit};
pub use citation::CitationItem;
pub(crate) use citation::{hidden_ranges, inside, raw_tex_environments};
pub(crate) use extract::setext_level;
pub use extract::{extract, names_only, parse_note, parse_tree, read_keys_as_pandoc, NoteSyntax};
pub use front_matter::FrontMatter;
pub use glossary_entry::{parse_glossary_entry, EntryText};
pub use label::{
    attribute_block, crossref_label, is_crossref_label, is_quarto_label, quarto_label,
    starts_crossref, starts_quarto, subfloat_parent,
};
pub use link::{reference_definition, Link, LinkKind};
pub use name_table::{decoding_with, encoding_with, read_table, NameTable};
pub use zettel_id::ZettelId;

/// The most line breaks and markup characters a note may have to be
/// parsed. The parser keeps about a hundred bytes per token, and on text
/// that is all markup (`[[[[…`, `@@@@…`, lines of one character) every
/// character is a token: a 10 MiB note of them took over a gigabyte. Real
/// notes have a few percent of such characters; this bound keeps the worst
/// case near 200 MB and under a second.
pub const MAX_MARKUP: usize = 2_000_000;

/// Line breaks (`\r\n` once) and characters that may start an inline
/// construct (`[ ! \` @ < \\`) in `text`: an upper bound on the parser's
/// tokens, up to a constant. Texts of at most [`MAX_MARKUP`] bytes count as
/// 0, which is all the callers need to know of them.
pub fn markup_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    if bytes.len() <= MAX_MARKUP {
        // Each counted character is a byte: a short text cannot be over.
        return 0;
    }
    let mut count = 0;
    for (i, &b) in bytes.iter().enumerate() {
        count += match b {
            b'\n' if i > 0 && bytes[i - 1] == b'\r' => 0,
            b'\n' | b'\r' | b'[' | b'!' | b'`' | b'@' | b'<' | b'\\' => 1,
            _ => 0,
        };
    }
    count
}

/// A byte range with its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    pub range: Range<usize>,
}

/// A [`Spanned`] name as the syntax of every note keeps it: offsets in 32
/// bits, as tree-sitter keeps its own, and the text shared through a thin
/// pointer (16 bytes instead of 40: a vault of 100k notes holds about four
/// million links and citations). A vault names the same notes and keys
/// over and over; one copy of each name is kept ([`Names`],
/// [`NameSharer`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Packed {
    #[serde(
        serialize_with = "name_table::encode_name",
        deserialize_with = "name_table::decode_name"
    )]
    value: ArcStr,
    range: [u32; 2],
}

impl Packed {
    fn new(spanned: Spanned<String>) -> Packed {
        Packed {
            value: ArcStr::from(spanned.value),
            range: narrow(spanned.range),
        }
    }

    fn get(&self) -> Spanned<&str> {
        Spanned {
            value: &self.value,
            range: widen(self.range),
        }
    }

    fn share(&mut self, names: &mut Names) {
        names.share(&mut self.value);
    }

    fn map_range(&self, f: impl Fn(Range<usize>) -> Range<usize>) -> Packed {
        Packed {
            value: self.value.clone(),
            range: narrow(f(widen(self.range))),
        }
    }
}

/// A byte range in 32 bits; past 4 GiB (no note is parsed there), the end.
fn narrow(range: Range<usize>) -> [u32; 2] {
    [range.start, range.end].map(|at| u32::try_from(at).unwrap_or(u32::MAX))
}

fn widen(range: [u32; 2]) -> Range<usize> {
    range[0] as usize..range[1] as usize
}

/// How far `outer` reaches before and after `inner`, which it holds, in
/// 16 bits each way: further than 64 KiB is cut to that (the callers say
/// what can reach so far).
fn inset(outer: &Range<usize>, inner: &Range<usize>) -> [u16; 2] {
    let lead = inner.start.saturating_sub(outer.start);
    let trail = outer.end.saturating_sub(inner.end);
    [lead, trail].map(|n| n.min(u16::MAX as usize) as u16)
}

/// The range that reaches `inset` around `inner` ([`inset`]).
fn outset(inner: Range<usize>, inset: [u16; 2]) -> Range<usize> {
    let [lead, trail] = inset.map(usize::from);
    inner.start.saturating_sub(lead)..inner.end.saturating_add(trail)
}

/// One copy of each name (link target, heading anchor, citation key) that
/// the notes of a workspace hold: a note takes the copy already there
/// when it is added ([`NoteSyntax::share_names`]). A name no note holds
/// any more is dropped when the set has doubled since it was last swept.
#[derive(Debug, Default)]
pub struct Names {
    /// Hashed with Fx: every name of every note is looked up here.
    names: rustc_hash::FxHashSet<ArcStr>,
    swept_at: usize,
}

impl Names {
    /// Makes `name` the copy kept, or the one already kept.
    fn share(&mut self, name: &mut ArcStr) {
        match self.names.get(&**name) {
            Some(kept) => {
                if !ArcStr::ptr_eq(kept, name) {
                    *name = ArcStr::clone(kept);
                }
            }
            None => {
                self.names.insert(ArcStr::clone(name));
                if self.names.len() > 2 * self.swept_at + 1024 {
                    self.sweep();
                }
            }
        }
    }

    /// Drops the names only this set holds.
    fn sweep(&mut self) {
        // (A name from a literal, with no count, is never one.)
        self.names
            .retain(|name| ArcStr::strong_count(name).is_some_and(|n| n > 1));
        self.names.shrink_to_fit();
        self.swept_at = self.names.len();
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn clear(&mut self) {
        *self = Names::default();
    }
}

/// Shares names among the notes of one load, on the threads that parse
/// them (notes from the index cache hold its table's names already,
/// [`decoding_with`]): each thread keeps its own set while the load lasts, so
/// a name is kept once per thread and no thread waits for another (one
/// set behind one lock, or sixteen, made a warm start at 100k notes
/// slower still).
#[derive(Debug)]
pub struct NameSharer {
    load: u64,
}

thread_local! {
    /// The names of the load running on this thread, by load.
    static LOAD_NAMES: std::cell::RefCell<(u64, Names)> = Default::default();
}

/// Runs `f` on this thread's names of `load`, forgetting those of an
/// earlier load.
fn with_load_names<T>(load: u64, f: impl FnOnce(&mut Names) -> T) -> T {
    LOAD_NAMES.with(|names| {
        let (current, names) = &mut *names.borrow_mut();
        if *current != load {
            names.clear();
            *current = load;
        }
        f(names)
    })
}

impl NameSharer {
    pub fn new() -> NameSharer {
        static LOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NameSharer {
            load: LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Makes `syntax` hold this thread's copy of each of its names.
    pub fn share(&self, syntax: &mut NoteSyntax) {
        with_load_names(self.load, |names| syntax.share_names(names));
    }
}

impl Default for NameSharer {
    fn default() -> NameSharer {
        NameSharer::new()
    }
}

impl Drop for NameSharer {
    /// The load is over: every thread of the pool forgets its names (the
    /// notes hold them now).
    fn drop(&mut self) {
        let load = self.load;
        let forget = || {
            LOAD_NAMES.with(|names| {
                let (current, names) = &mut *names.borrow_mut();
                if *current == load {
                    names.clear();
                }
            });
        };
        // This thread too, if it shared any (it is not the pool's).
        forget();
        rayon::broadcast(|_| forget());
    }
}

/// One line-level block of a note. The grammar is line-oriented, so nesting
/// is carried by `indent` (list items) and `level` (headings).
///
/// A note has a block for about every line, the most numerous thing kept
/// of it (3.2 million in a vault of 100k notes): its offsets are kept in 32
/// bits, as tree-sitter keeps its own, and its content as how far it lies
/// inside the block, in 16 bits, which makes a block 16 bytes instead of
/// 40. A block reaches at most 64 KiB before or after its content (only
/// blanks and a marker are there); the rare block that would reach further
/// is cut to that, its content kept exact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    range: [u32; 2],
    /// Bytes from the block's start to its content's start, and from its
    /// content's end to its end.
    inset: [u16; 2],
}

impl Block {
    pub fn new(kind: BlockKind, range: Range<usize>, content: Range<usize>) -> Block {
        let inset = inset(&range, &content);
        Block {
            kind,
            range: narrow(outset(content, inset)),
            inset,
        }
    }

    /// The whole block without its line ending.
    pub fn range(&self) -> Range<usize> {
        widen(self.range)
    }

    /// The text after the block marker, trimmed. (An inset past the
    /// block's end, which only a corrupt cache could hold, gives an
    /// inverted range, which [`NoteSyntax::ranges_fit`] rejects.)
    pub fn content(&self) -> Range<usize> {
        let [start, end] = self.range;
        let [lead, trail] = self.inset;
        start as usize + lead as usize..(end as usize).saturating_sub(trail as usize)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BlockKind {
    Heading {
        level: u8,
    },
    /// `indent` is the marker's column, tabs counting as four (at most
    /// 65535).
    ListItem {
        indent: u16,
    },
    Quote,
    /// A `: definition` line.
    Definition,
    Code,
    Line,
}

/// A block id: `^id` at the end of a paragraph, list item, quote or table
/// row, or on a line of its own after the block it names. `#^id` links
/// to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlockId {
    /// The id without its caret.
    pub id: Spanned<String>,
    /// The block it names.
    pub block: Range<usize>,
}

/// `<!-- gloss-ignore: code, code -->`: silences the codes on the line after
/// the comment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IgnoreComment {
    /// Byte offset of the end of the comment.
    pub end: usize,
    pub codes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_share_one_copy_of_each_name_until_none_holds_it() {
        let mut names = Names::default();
        let text = "[[注意力 😀#Part]] [@wei2022] [[注意力 😀]]\r\n";
        let mut a = crate::syntax::parse_note(text);
        let mut b = crate::syntax::parse_note(text);
        a.share_names(&mut names);
        b.share_names(&mut names);
        // One target, one anchor, one key, whatever the number of notes.
        assert_eq!(names.len(), 3);
        let targets: Vec<*const u8> = [&a, &b]
            .iter()
            .flat_map(|n| &n.links)
            .filter_map(|l| l.target())
            .map(|t| t.value.as_ptr())
            .collect();
        assert_eq!(targets.len(), 4);
        assert!(targets.iter().all(|&t| t == targets[0]));
        let key = |n: &NoteSyntax| n.citations[0].key().value.as_ptr();
        assert_eq!(key(&a), key(&b));
        // Names no note holds any more are swept once the set has grown.
        drop((a, b));
        for i in 0..2000 {
            let mut note = crate::syntax::parse_note(&format!("[[n{i}]]"));
            note.share_names(&mut names);
        }
        assert!(names.len() < 2000, "{} names kept", names.len());
    }

    #[test]
    fn a_load_shares_names_among_its_notes_and_forgets_them_when_over() {
        let text = "[[注意力 😀#Part]] [@wei2022]\r\n";
        let (mut a, mut b) = (parse_note(text), parse_note(text));
        let target = |n: &NoteSyntax| n.links[0].target().unwrap().value.as_ptr();
        assert_ne!(target(&a), target(&b));
        let sharer = NameSharer::new();
        sharer.share(&mut a);
        sharer.share(&mut b);
        assert_eq!(target(&a), target(&b));
        let key = |n: &NoteSyntax| n.citations[0].key().value.as_ptr();
        assert_eq!(key(&a), key(&b));
        drop(sharer);
        LOAD_NAMES.with(|names| assert!(names.borrow().1.is_empty()));
        // The pool's threads forget theirs too.
        let sharer = NameSharer::new();
        rayon::broadcast(|_| sharer.share(&mut parse_note(text)));
        drop(sharer);
        let kept = rayon::broadcast(|_| LOAD_NAMES.with(|names| names.borrow().1.len()));
        assert!(kept.iter().all(|&n| n == 0), "{kept:?}");
    }

    #[test]
    fn a_block_is_kept_in_16_bytes_with_its_offsets() {
        assert_eq!(std::mem::size_of::<Block>(), 16);
        let far = 4_000_000_000;
        let block = Block::new(
            BlockKind::ListItem { indent: 4 },
            far..far + 90,
            far + 2..far + 80,
        );
        assert_eq!(block.range(), far..far + 90);
        assert_eq!(block.content(), far + 2..far + 80);
        // Blanks past 64 KiB of a content are cut off the block, not the
        // content.
        let block = Block::new(BlockKind::Line, 0..200_000, 100_000..100_003);
        assert_eq!(block.range(), 100_000 - 65_535..100_003 + 65_535);
        assert_eq!(block.content(), 100_000..100_003);
    }
}
