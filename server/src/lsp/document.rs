//! An open document: its text in a rope (so LSP positions map to offsets the
//! way LSP counts lines) and its tree-sitter tree, both edited in place.

use ropey::Rope;
use tree_sitter::{InputEdit, Point, Tree};

use crate::line_index::ColumnUnit;
use crate::syntax::{extract, parse_tree, NoteSyntax};

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
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let tree = parse_tree(&text, None);
        Document {
            version,
            rope: Rope::from_str(&text),
            text,
            tree,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn syntax(&self) -> NoteSyntax {
        match &self.tree {
            Some(tree) => extract(&self.text, tree),
            None => NoteSyntax::default(),
        }
    }

    /// The byte offset of a position, clamped: a line past the end is the
    /// end of the text, a column past the end of its line is the line's end,
    /// and a column inside a character (half a surrogate pair) is the
    /// character's start.
    pub fn offset(&self, line: u32, col: u32, unit: ColumnUnit) -> usize {
        let rope = &self.rope;
        if line as usize >= rope.len_lines() {
            return rope.len_bytes();
        }
        let mut char_index = rope.line_to_char(line as usize);
        let mut remaining = col as usize;
        for ch in rope.line(line as usize).chars() {
            if ch == '\n' || ch == '\r' {
                break;
            }
            let width = match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf32 => 1,
            };
            if remaining < width {
                break;
            }
            remaining -= width;
            char_index += 1;
        }
        rope.char_to_byte(char_index)
    }

    /// Applies changes in order, then reparses once, reusing the old tree.
    pub fn apply(&mut self, changes: Vec<Change>, version: i32, unit: ColumnUnit) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.text = change.text;
                    self.tree = None;
                }
                Some((start, end)) => {
                    let start = self.offset(start.0, start.1, unit);
                    let end = self.offset(end.0, end.1, unit).max(start);
                    self.replace(start, end, &change.text);
                }
            }
        }
        self.version = version;
        self.tree = parse_tree(&self.text, self.tree.as_ref());
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
    use crate::syntax::parse_note;

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

    #[test]
    fn incremental_parse_equals_full_parse() {
        let mut doc = Document::new("# T\n- a [[x]]\n```\ncode\n```\n".to_string(), 1);
        let edits = [
            change((1, 4), (1, 4), "@k "),
            change((2, 0), (2, 3), "~~~"),
            change((0, 0), (0, 0), "---\ntitle: t\n---\n"),
            change((5, 0), (6, 0), ""),
        ];
        for (i, edit) in edits.into_iter().enumerate() {
            doc.apply(vec![edit], i as i32 + 2, ColumnUnit::Utf16);
            let fresh = parse_note(doc.text());
            let incremental = doc.syntax();
            assert_eq!(
                format!("{:?}", incremental.blocks),
                format!("{:?}", fresh.blocks),
                "after edit {i}"
            );
            assert_eq!(incremental.links, fresh.links);
            assert_eq!(incremental.citations, fresh.citations);
        }
    }
}
