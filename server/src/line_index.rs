//! Byte offsets ↔ line/column positions.
//!
//! gloss works in byte offsets everywhere; this is the one place that turns
//! them into lines and columns. Lines end at `\n`, `\r\n` or a lone `\r`,
//! exactly as the Language Server Protocol counts them.

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Unicode scalar values (characters); `gloss check` reports these.
    Utf32,
}

/// A zero-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of every line of a text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i as u32 + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    line_starts.push(i as u32 + 2);
                    i += 1;
                }
                b'\r' => line_starts.push(i as u32 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where `line` starts.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line as usize).map(|&s| s as usize)
    }

    /// The line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> u32 {
        let offset = (offset as u32).min(self.len);
        (self.line_starts.partition_point(|&start| start <= offset) - 1) as u32
    }

    /// Byte range of line `line` without its line ending.
    pub fn line_range(&self, line: u32, text: &str) -> std::ops::Range<usize> {
        let start = self.line_starts[line as usize] as usize;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(text.len(), |&next| next as usize);
        let content = text[start..end].trim_end_matches(['\n', '\r']);
        start..start + content.len()
    }

    /// The position of `offset`, counted in `unit`. An offset inside a
    /// character is moved back to the start of that character, and one
    /// inside a line break (between `\r` and `\n`) to the end of its line:
    /// LSP has no position there.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let offset = offset.min(self.line_range(line, text).end);
        let start = self.line_starts[line as usize] as usize;
        let prefix = &text[start..offset];
        let col = match unit {
            ColumnUnit::Utf8 => prefix.len(),
            ColumnUnit::Utf16 => prefix.encode_utf16().count(),
            ColumnUnit::Utf32 => prefix.chars().count(),
        };
        LineCol {
            line,
            col: col as u32,
        }
    }

    /// The byte offset of a position counted in `unit`. Positions past the
    /// end of a line clamp to its end; positions inside a character (half a
    /// surrogate pair) clamp to its start; lines past the end clamp to the
    /// end of the text.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let Some(&start) = self.line_starts.get(pos.line as usize) else {
            return text.len();
        };
        let range = self.line_range(pos.line, text);
        let line = &text[range.clone()];
        let mut remaining = pos.col as usize;
        for (i, ch) in line.char_indices() {
            let width = match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf32 => 1,
            };
            if remaining < width {
                return start as usize + i;
            }
            remaining -= width;
        }
        range.end
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a😀b\r\n中文x\rlast\n";

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let index = LineIndex::new(TEXT);
        assert_eq!(index.line_count(), 4);
        assert_eq!(&TEXT[index.line_range(0, TEXT)], "a😀b");
        assert_eq!(&TEXT[index.line_range(1, TEXT)], "中文x");
        assert_eq!(&TEXT[index.line_range(2, TEXT)], "last");
        assert_eq!(&TEXT[index.line_range(3, TEXT)], "");
    }

    #[test]
    fn columns_in_every_unit() {
        let index = LineIndex::new(TEXT);
        let b = TEXT.find('b').unwrap();
        let at = |unit| index.line_col(TEXT, b, unit);
        assert_eq!(at(ColumnUnit::Utf8), LineCol { line: 0, col: 5 });
        assert_eq!(at(ColumnUnit::Utf16), LineCol { line: 0, col: 3 });
        assert_eq!(at(ColumnUnit::Utf32), LineCol { line: 0, col: 2 });
        let x = TEXT.find('x').unwrap();
        assert_eq!(
            index.line_col(TEXT, x, ColumnUnit::Utf16),
            LineCol { line: 1, col: 2 }
        );
        assert_eq!(
            index.line_col(TEXT, x, ColumnUnit::Utf8),
            LineCol { line: 1, col: 6 }
        );
    }

    /// Found by the `positions` fuzz target: the offset between `\r` and
    /// `\n` came back as a column past the end of its line.
    #[test]
    fn inside_a_crlf_pair_is_the_end_of_the_line() {
        let text = "--\r\ntitle:";
        let index = LineIndex::new(text);
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32] {
            assert_eq!(index.line_col(text, 3, unit), LineCol { line: 0, col: 2 });
            assert_eq!(index.offset(text, index.line_col(text, 3, unit), unit), 2);
        }
    }

    #[test]
    fn round_trips_and_clamps() {
        let index = LineIndex::new(TEXT);
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32] {
            for (offset, _) in TEXT.char_indices() {
                let pos = index.line_col(TEXT, offset, unit);
                let back = index.offset(TEXT, pos, unit);
                // Line endings map to the end of their line's content.
                let expected = if matches!(TEXT.as_bytes()[offset], b'\r' | b'\n') {
                    index.line_range(pos.line, TEXT).end
                } else {
                    offset
                };
                assert_eq!(back, expected, "{unit:?} at {offset}");
            }
        }
        // Inside the surrogate pair of 😀 (UTF-16 column 2) clamps to its start.
        let inside = index.offset(TEXT, LineCol { line: 0, col: 2 }, ColumnUnit::Utf16);
        assert_eq!(inside, 1);
        // Past the end of a line and past the last line.
        let past = index.offset(TEXT, LineCol { line: 0, col: 99 }, ColumnUnit::Utf16);
        assert_eq!(past, TEXT.find('\r').unwrap());
        assert_eq!(
            index.offset(TEXT, LineCol { line: 40, col: 0 }, ColumnUnit::Utf8),
            TEXT.len()
        );
        // An offset inside a character moves back to its start.
        assert_eq!(
            index.line_col(TEXT, 3, ColumnUnit::Utf32),
            LineCol { line: 0, col: 1 }
        );
    }
}
