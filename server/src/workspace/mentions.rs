//! Plain-text mentions of glossary terms: one Aho-Corasick automaton over
//! every term and alias, so that finding the mention under the cursor costs
//! one pass over a line whatever the size of the glossary.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{EntryId, Workspace};

pub struct Mentions {
    automaton: Option<AhoCorasick>,
    /// Pattern index → entry.
    entries: Vec<EntryId>,
}

impl std::fmt::Debug for Mentions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mentions({} names)", self.entries.len())
    }
}

/// Latin-script names match whole words only (`RAG` is not in `fragment`);
/// CJK names match anywhere, since CJK text has no spaces between words.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // kana
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // Hangul
        | 0xF900..=0xFAFF   // compatibility ideographs
        | 0x20000..=0x2FFFF)
}

impl Mentions {
    pub fn new(workspace: &Workspace) -> Mentions {
        let mut patterns = Vec::new();
        let mut entries = Vec::new();
        for (id, entry) in workspace.glossary() {
            for name in entry.names() {
                // One- and two-letter Latin names would match everywhere.
                let long_enough = name.value.chars().count() >= 3 || name.value.chars().any(is_cjk);
                if long_enough {
                    patterns.push(name.value.clone());
                    entries.push(id);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok();
        Mentions { automaton, entries }
    }

    pub fn at(&self, text: &str, offset: usize) -> Option<(EntryId, Range<usize>)> {
        let automaton = self.automaton.as_ref()?;
        for found in automaton.find_iter(text) {
            if found.start() > offset {
                break;
            }
            if offset > found.end() {
                continue;
            }
            let name = &text[found.range()];
            let before = text[..found.start()].chars().next_back();
            let after = text[found.end()..].chars().next();
            let latin_edges = !name.chars().next().is_some_and(is_cjk)
                || !name.chars().next_back().is_some_and(is_cjk);
            let whole_word =
                before.is_none_or(|c| !is_word_char(c)) && after.is_none_or(|c| !is_word_char(c));
            if !latin_edges || whole_word {
                return Some((self.entries[found.pattern().as_usize()], found.range()));
            }
        }
        None
    }
}
