//! An open document: its text in a rope (so LSP positions map to offsets the
//! way LSP counts lines) and its tree-sitter tree, both edited in place.

use ropey::Rope;
use tree_sitter::{InputEdit, Point, Tree};

use crate::line_index::{rope_offset, ColumnUnit, LineCol};
use crate::syntax::{parse_note, parse_tree, ChunkedSyntax, Edit, NoteSyntax};
use crate::workspace::config::DEFAULT_MAX_NOTE_SIZE;
use crate::workspace::{unparsable, FileProblem};

/// A `didChange` with more edits than this is applied to the rope alone and
/// parsed afresh: each edit applied to the text and the tree costs the
/// document's length, a fresh parse costs it once.
const MAX_INCREMENTAL_EDITS: usize = 16;

/// One `contentChanges` item: a replaced range (line, column in the
/// negotiated unit) or, without a range, the whole text.
pub struct Change {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

pub struct Document {
    pub version: i32,
    rope: Rope,
    /// The same text as the rope, for the parser and the workspace.
    text: String,
    tree: Option<Tree>,
    /// The extraction of `text`, node by node, updated with the tree.
    chunks: ChunkedSyntax,
    /// The workspace's note size limit.
    max_size: u64,
    /// Why the text is not parsed (over a limit), if it is not.
    problem: Option<FileProblem>,
}

impl Document {
    /// A document with the default note size limit, parsed unless it is
    /// over a limit.
    pub fn new(text: String, version: i32) -> Document {
        let mut document = Document {
            version,
            rope: Rope::from_str(&text),
            text,
            tree: None,
            chunks: ChunkedSyntax::default(),
            max_size: DEFAULT_MAX_NOTE_SIZE,
            problem: None,
        };
        document.reparse();
        document
    }

    /// Sets the note size limit of the document's workspace, parsing or
    /// dropping the tree as the text now is within it or not.
    pub fn set_max_size(&mut self, max_size: u64) {
        if max_size != self.max_size {
            self.max_size = max_size;
            self.reparse();
        }
    }

    /// Why the text is over a limit: too large, or too dense with markup
    /// for the parser.
    fn check_limits(&self) -> Option<FileProblem> {
        let size = self.text.len() as u64;
        if size > self.max_size {
            return Some(FileProblem::TooLarge {
                size,
                limit: self.max_size,
            });
        }
        unparsable(&self.text)
    }

    /// Parses the text afresh, unless it is over a limit.
    fn reparse(&mut self) {
        self.problem = self.check_limits();
        self.tree = None;
        self.chunks = ChunkedSyntax::default();
        if self.problem.is_none() {
            self.tree = parse_tree(&self.text, None);
            if let Some(tree) = &self.tree {
                self.chunks = ChunkedSyntax::new(&self.text, tree);
            }
        }
    }

    /// Why the document is not parsed, if it is not.
    pub fn problem(&self) -> Option<&FileProblem> {
        self.problem.as_ref()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn syntax(&self) -> NoteSyntax {
        self.chunks.to_syntax(&self.text)
    }

    /// How the incrementally maintained state differs from parsing the
    /// text afresh: the rope's text, the tree's S-expression and the
    /// extraction. `None` when they agree. For tests, property tests and
    /// fuzzing (`fuzz/`), which check this after every edit.
    pub fn differences_from_full_parse(&self) -> Option<String> {
        let text = self.text();
        if self.problem.is_some() {
            return (self.rope != text).then(|| "rope text".to_string());
        }
        let mut differences = Vec::new();
        if self.rope != text {
            differences.push("rope text".to_string());
        }
        let mut compare = |what: &str, incremental: String, fresh: String| {
            if incremental != fresh {
                differences.push(format!(
                    "{what}\n  incremental: {incremental}\n  fresh:       {fresh}"
                ));
            }
        };
        let sexp = |tree: Option<&Tree>| format!("{:?}", tree.map(|t| t.root_node().to_sexp()));
        compare(
            "tree",
            sexp(self.tree.as_ref()),
            sexp(parse_tree(text, None).as_ref()),
        );
        let (incremental, fresh) = (self.syntax(), parse_note(text));
        let debug = |value: &dyn std::fmt::Debug| format!("{value:?}");
        compare("blocks", debug(&incremental.blocks), debug(&fresh.blocks));
        compare("links", debug(&incremental.links), debug(&fresh.links));
        compare(
            "citations",
            debug(&incremental.citations),
            debug(&fresh.citations),
        );
        compare(
            "ignores",
            debug(&incremental.ignores),
            debug(&fresh.ignores),
        );
        compare(
            "block ids",
            debug(&incremental.block_ids),
            debug(&fresh.block_ids),
        );
        compare(
            "front matter",
            debug(&incremental.front_matter),
            debug(&fresh.front_matter),
        );
        (!differences.is_empty()).then(|| format!("{} for {text:?}", differences.join("\n")))
    }

    /// The byte offset of a position, clamped: a line past the end is the
    /// end of the text, a column past the end of its line is the line's end,
    /// and a column inside a character (half a surrogate pair) is the
    /// character's start.
    pub fn offset(&self, line: u32, col: u32, unit: ColumnUnit) -> usize {
        rope_offset(&self.rope, LineCol { line, col }, unit)
    }

    /// Applies changes in order, then reparses once, reusing the old tree,
    /// and re-extracts only the top-level nodes the changes touched. A long
    /// batch of changes goes to the rope alone and is parsed afresh.
    pub fn apply(&mut self, changes: Vec<Change>, version: i32, unit: ColumnUnit) {
        self.version = version;
        if changes.len() > MAX_INCREMENTAL_EDITS {
            for change in changes {
                match change.range {
                    None => self.rope = Rope::from_str(&change.text),
                    Some((start, end)) => {
                        let start = self.offset(start.0, start.1, unit);
                        let end = self.offset(end.0, end.1, unit).max(start);
                        let start_char = self.rope.byte_to_char(start);
                        self.rope.remove(start_char..self.rope.byte_to_char(end));
                        self.rope.insert(start_char, &change.text);
                    }
                }
            }
            self.text = self.rope.to_string();
            self.reparse();
            return;
        }
        let mut edits = Vec::new();
        let mut replaced_all = false;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.text = change.text;
                    self.tree = None;
                    replaced_all = true;
                }
                Some((start, end)) => {
                    let start = self.offset(start.0, start.1, unit);
                    let end = self.offset(end.0, end.1, unit).max(start);
                    self.replace(start, end, &change.text);
                    edits.push(Edit {
                        start,
                        old_end: end,
                        new_end: start + change.text.len(),
                    });
                }
            }
        }
        self.problem = self.check_limits();
        if self.problem.is_some() {
            self.tree = None;
            self.chunks = ChunkedSyntax::default();
            return;
        }
        let edited_old = self.tree.take();
        self.tree = parse_tree(&self.text, edited_old.as_ref());
        self.chunks = match (&edited_old, &self.tree) {
            (Some(old), Some(new)) if !replaced_all => {
                let changed: Vec<std::ops::Range<usize>> = old
                    .changed_ranges(new)
                    .map(|r| r.start_byte..r.end_byte)
                    .collect();
                self.chunks.update(&self.text, new, &edits, &changed)
            }
            (_, Some(new)) => ChunkedSyntax::new(&self.text, new),
            _ => ChunkedSyntax::default(),
        };
    }

    fn replace(&mut self, start: usize, end: usize, new_text: &str) {
        let start_position = point(&self.text, start);
        let old_end_position = point(&self.text, end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        self.text.replace_range(start..end, new_text);
        let new_end = start + new_text.len();
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position: point(&self.text, new_end),
            });
        }
    }
}

/// Tree-sitter's position of `offset`: rows count `\n` only, columns bytes.
fn point(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point {
        row,
        column: offset - line_start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> Change {
        Change {
            range: Some((start, end)),
            text: text.to_string(),
        }
    }

    #[test]
    fn edits_in_utf16_on_emoji_cjk_and_crlf_lines() {
        let mut doc = Document::new("😀 [[A]]\r\n中文 @k\rlast".to_string(), 1);
        // After 😀 (two UTF-16 units) and a space: `[[A]]` becomes `[[B]]`.
        doc.apply(vec![change((0, 5), (0, 6), "B")], 2, ColumnUnit::Utf16);
        assert_eq!(doc.text(), "😀 [[B]]\r\n中文 @k\rlast");
        // A lone \r ends line 1; insert at the start of line 2.
        doc.apply(vec![change((2, 0), (2, 0), "[[C]] ")], 3, ColumnUnit::Utf16);
        assert_eq!(doc.text(), "😀 [[B]]\r\n中文 @k\r[[C]] last");
        // Inside the surrogate pair clamps to the emoji's start.
        doc.apply(vec![change((0, 1), (0, 1), "x")], 4, ColumnUnit::Utf16);
        assert_eq!(doc.text(), "x😀 [[B]]\r\n中文 @k\r[[C]] last");
        // UTF-8 columns: 中文 is six bytes.
        doc.apply(vec![change((1, 7), (1, 9), "@key2")], 5, ColumnUnit::Utf8);
        assert_eq!(doc.text(), "x😀 [[B]]\r\n中文 @key2\r[[C]] last");
        // Past the end clamps.
        doc.apply(vec![change((9, 0), (9, 0), "!")], 6, ColumnUnit::Utf16);
        assert!(doc.text().ends_with("last!"));
    }

    fn assert_same_as_full_parse(doc: &Document, when: &str) {
        if let Some(differences) = doc.differences_from_full_parse() {
            panic!("{when}: {differences}");
        }
    }

    #[test]
    fn incremental_parse_equals_full_parse() {
        let start = "intro [[a]]\n# T\n- a [[x]] @k0\n```\ncode [[no]]\n```\n## Two\ntext [@k1]\n## Three\n: def\n<!-- gloss-ignore: broken-link -->\n[[y]]\n";
        let mut doc = Document::new(start.to_string(), 1);
        let edits = vec![
            vec![change((2, 4), (2, 4), "@k ")],
            // Opening a fence swallows the sections after it, then closing it.
            vec![change((6, 0), (6, 0), "```\n")],
            vec![change((6, 0), (7, 0), "")],
            vec![change((3, 0), (3, 3), "~~~")],
            vec![change((0, 0), (0, 0), "---\ntitle: t\n---\n")],
            vec![change((5, 0), (6, 0), "")],
            // Edits at the boundary between two sections, and in a batch.
            vec![
                change((8, 0), (8, 0), "more [[z]]\n"),
                change((0, 0), (0, 1), ""),
            ],
            vec![change((9, 0), (9, 0), "# New heading\n")],
            vec![change((12, 2), (12, 5), "")],
            vec![Change {
                range: None,
                text: "# all new [[b]]\n".to_string(),
            }],
            vec![change((1, 0), (1, 0), "tail @k9\n")],
        ];
        for (i, batch) in edits.into_iter().enumerate() {
            doc.apply(batch, i as i32 + 2, ColumnUnit::Utf16);
            assert_same_as_full_parse(&doc, &format!("after edit {i}"));
        }
    }

    #[test]
    fn random_edits_keep_incremental_equal_to_full() {
        let mut doc = Document::new(
            "# A 😀\n- [[x]] @k\n## B\n```\n[[no]]\n```\ntext [@k2]\n# C\nTerm\n: def\n".repeat(5),
            1,
        );
        let pieces = [
            "[[", "]]", "\n", "# ", "```\n", "@k ", "中", "😀", "", "- ", "\r\n",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for version in 2..300 {
            let lines = doc.text().matches('\n').count() + 1;
            let line = next(lines) as u32;
            let col = next(8) as u32;
            let len = next(3) as u32;
            let piece = pieces[next(pieces.len())];
            doc.apply(
                vec![change((line, col), (line, col + len), piece)],
                version,
                ColumnUnit::Utf16,
            );
            assert_same_as_full_parse(&doc, &format!("at version {version}"));
        }
    }
}
