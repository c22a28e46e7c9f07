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
///
/// Columns are counted from the start of their line, which on a long line
/// of non-ASCII text would cost the line's length for every position (a
/// megabyte line with thousands of diagnostics took seconds). So ASCII
/// lines are marked (their columns are byte counts in every unit), and long
/// non-ASCII lines carry a checkpoint every [`CHECKPOINT`] bytes: a
/// conversion counts from the nearest one.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
    /// Bit `i` set: line `i` is ASCII only.
    ascii: Vec<u64>,
    /// On non-ASCII lines longer than [`CHECKPOINT`], in offset order.
    checkpoints: Vec<Checkpoint>,
}

/// Bytes between checkpoints on long lines.
const CHECKPOINT: usize = 1024;

/// A character boundary on a long line, with its columns.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    offset: u32,
    utf16: u32,
    chars: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_is_ascii = true;
        let mut push_ascii = |line: usize, is_ascii: bool| {
            if line / 64 >= ascii.len() {
                ascii.push(0u64);
            }
            if is_ascii {
                ascii[line / 64] |= 1 << (line % 64);
            }
        };
        let mut i = 0;
        while i < bytes.len() {
            let next = match bytes[i] {
                b'\n' => Some(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => Some(i + 2),
                b'\r' => Some(i + 1),
                b => {
                    line_is_ascii &= b < 0x80;
                    None
                }
            };
            if let Some(next) = next {
                push_ascii(line_starts.len() - 1, line_is_ascii);
                line_starts.push(next as u32);
                line_is_ascii = true;
                i = next;
            } else {
                i += 1;
            }
        }
        push_ascii(line_starts.len() - 1, line_is_ascii);
        line_starts.shrink_to_fit();
        ascii.shrink_to_fit();
        let mut index = LineIndex {
            line_starts,
            len: text.len() as u32,
            ascii,
            checkpoints: Vec::new(),
        };
        index.checkpoints = index.long_line_checkpoints(text);
        index
    }

    fn long_line_checkpoints(&self, text: &str) -> Vec<Checkpoint> {
        let mut out = Vec::new();
        for line in 0..self.line_starts.len() {
            let start = self.line_starts[line] as usize;
            let end = self
                .line_starts
                .get(line + 1)
                .map_or(text.len(), |&n| n as usize);
            if end - start <= CHECKPOINT || self.is_ascii(line as u32) {
                continue;
            }
            let (mut utf16, mut chars, mut next) = (0u32, 0u32, start + CHECKPOINT);
            for (i, c) in text[start..end].char_indices() {
                if start + i >= next {
                    out.push(Checkpoint {
                        offset: (start + i) as u32,
                        utf16,
                        chars,
                    });
                    next = start + i + CHECKPOINT;
                }
                utf16 += c.len_utf16() as u32;
                chars += 1;
            }
        }
        out
    }

    fn is_ascii(&self, line: u32) -> bool {
        let line = line as usize;
        self.ascii
            .get(line / 64)
            .is_some_and(|bits| bits & (1 << (line % 64)) != 0)
    }

    /// The nearest checkpoint at or before `offset` on the line starting at
    /// `line_start`, as (offset, UTF-16 column, character column); the line
    /// start itself if there is none.
    fn checkpoint_before(&self, line_start: usize, offset: usize) -> (usize, u32, u32) {
        let at = self
            .checkpoints
            .partition_point(|c| c.offset as usize <= offset);
        match at.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some(c) if c.offset as usize >= line_start => (c.offset as usize, c.utf16, c.chars),
            _ => (line_start, 0, 0),
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
        if self.is_ascii(line) || unit == ColumnUnit::Utf8 {
            return LineCol {
                line,
                col: (offset - start) as u32,
            };
        }
        let (from, utf16, chars) = self.checkpoint_before(start, offset);
        let prefix = &text[from..offset];
        let col = match unit {
            ColumnUnit::Utf8 => unreachable!("handled above"),
            ColumnUnit::Utf16 => utf16 + prefix.encode_utf16().count() as u32,
            ColumnUnit::Utf32 => chars + prefix.chars().count() as u32,
        };
        LineCol { line, col }
    }

    /// The byte offset of a position counted in `unit`. Positions past the
    /// end of a line clamp to its end; positions inside a character (half a
    /// surrogate pair) clamp to its start; lines past the end clamp to the
    /// end of the text.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let Some(&start) = self.line_starts.get(pos.line as usize) else {
            return text.len();
        };
        let start = start as usize;
        let range = self.line_range(pos.line, text);
        if self.is_ascii(pos.line) {
            return (start + pos.col as usize).min(range.end);
        }
        if unit == ColumnUnit::Utf8 {
            let offset = (start + pos.col as usize).min(range.end);
            return floor_char_boundary(text, offset);
        }
        // The last checkpoint whose column is at or before the wanted one.
        let column = |c: &Checkpoint| match unit {
            ColumnUnit::Utf16 => c.utf16,
            _ => c.chars,
        };
        let first = self
            .checkpoints
            .partition_point(|c| (c.offset as usize) < start);
        let last = self
            .checkpoints
            .partition_point(|c| (c.offset as usize) < range.end);
        let on_line = &self.checkpoints[first..last];
        let at = on_line.partition_point(|c| column(c) <= pos.col);
        let (from, mut remaining) = match at.checked_sub(1).map(|i| on_line[i]) {
            Some(c) => (c.offset as usize, (pos.col - column(&c)) as usize),
            None => (start, pos.col as usize),
        };
        for (i, ch) in text[from..range.end].char_indices() {
            let width = match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf32 => 1,
            };
            if remaining < width {
                return from + i;
            }
            remaining -= width;
        }
        range.end
    }
}

/// The byte offset of a position in a rope whose lines break as LSP's do
/// (`\n`, `\r\n`, a lone `\r`: ropey's `cr_lines`), with the same clamping
/// as [`LineIndex::offset`]. For open documents, whose text changes with
/// every edit: a rope answers in logarithmic time where a line index would
/// have to be rebuilt.
pub fn rope_offset(rope: &ropey::Rope, pos: LineCol, unit: ColumnUnit) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_char(line);
    let content = rope.line(line);
    let breaks = content
        .chars_at(content.len_chars())
        .reversed()
        .take(2)
        .take_while(|c| matches!(c, '\n' | '\r'))
        .count();
    // `\n\r` ending a line is a `\n` then an empty line, not one break.
    let breaks = if breaks == 2 && content.char(content.len_chars() - 1) == '\r' {
        1
    } else {
        breaks
    };
    let end = start + content.len_chars() - breaks;
    let col = pos.col as usize;
    let char_index = match unit {
        ColumnUnit::Utf32 => (start + col).min(end),
        ColumnUnit::Utf16 => {
            let target = rope.char_to_utf16_cu(start) + col;
            if target >= rope.char_to_utf16_cu(end) {
                end
            } else {
                // Inside a surrogate pair: the character's start.
                rope.utf16_cu_to_char(target)
            }
        }
        ColumnUnit::Utf8 => {
            let target = rope.char_to_byte(start) + col;
            if target >= rope.char_to_byte(end) {
                end
            } else {
                // Inside a character: its start.
                rope.byte_to_char(target)
            }
        }
    };
    rope.char_to_byte(char_index)
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

    /// Long lines use checkpoints; they must agree with counting from the
    /// line's start, in every unit, on both sides of each checkpoint.
    #[test]
    fn long_lines_agree_with_counting_from_the_start() {
        let line = "a😀中".repeat(900);
        let text = format!("short\r\n{line}\n{}\nend", "x".repeat(5000));
        let index = LineIndex::new(&text);
        assert!(!index.checkpoints.is_empty());
        let start = text.find('a').unwrap();
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32] {
            for (i, _) in text.char_indices().step_by(7) {
                let pos = index.line_col(&text, i, unit);
                let line_start = index.line_start(pos.line).unwrap();
                let prefix = &text[line_start..i.min(index.line_range(pos.line, &text).end)];
                let expected = match unit {
                    ColumnUnit::Utf8 => prefix.len(),
                    ColumnUnit::Utf16 => prefix.encode_utf16().count(),
                    ColumnUnit::Utf32 => prefix.chars().count(),
                };
                assert_eq!(pos.col as usize, expected, "{unit:?} at {i}");
                if !matches!(text.as_bytes()[i], b'\r' | b'\n') {
                    assert_eq!(
                        index.offset(&text, pos, unit),
                        i,
                        "{unit:?} back from {pos:?}"
                    );
                }
            }
            // Inside a surrogate pair on a long line clamps to its start.
            let emoji = start + 1 + "a😀中".len() * 500;
            let pos = index.line_col(&text, emoji, ColumnUnit::Utf16);
            let inside = LineCol {
                line: pos.line,
                col: pos.col + 1,
            };
            assert_eq!(index.offset(&text, inside, ColumnUnit::Utf16), emoji);
        }
    }

    /// The rope conversion open documents use agrees with the line index.
    #[test]
    fn rope_offsets_agree_with_the_line_index() {
        let text = format!("{TEXT}\r\n\n\r😀\r\r\n{}", "中a".repeat(700));
        let rope = ropey::Rope::from_str(&text);
        let index = LineIndex::new(&text);
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32] {
            for line in 0..index.line_count() as u32 + 2 {
                for col in (0..12).chain([1400, 2100, 9999]) {
                    let pos = LineCol { line, col };
                    assert_eq!(
                        rope_offset(&rope, pos, unit),
                        index.offset(&text, pos, unit),
                        "{unit:?} {pos:?}"
                    );
                }
            }
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
