//! Position conversion on arbitrary text (emoji, CJK, `\r\n`, lone `\r`):
//! - every character boundary survives offset → line/column → offset in
//!   UTF-8, UTF-16 and UTF-32 columns (an offset inside a line break comes
//!   back as the end of its line, where LSP has the position);
//! - any line/column, however wrong, maps to a character boundary inside the
//!   text;
//! - the rope-based mapping of open documents (`lsp::document`) agrees with
//!   the line index used for everything else.
#![no_main]

use arbitrary::Arbitrary;
use gloss::line_index::{ColumnUnit, LineCol, LineIndex};
use gloss::lsp::document::Document;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    text: String,
    positions: Vec<(u32, u32, u8)>,
}

const UNITS: [ColumnUnit; 3] = [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32];

fuzz_target!(|input: Input| {
    let text = &input.text;
    let index = LineIndex::new(text);
    for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
        for unit in UNITS {
            let position = index.line_col(text, offset, unit);
            let expected = offset.min(index.line_range(position.line, text).end);
            assert_eq!(
                index.offset(text, position, unit),
                expected,
                "{position:?} in {unit:?}"
            );
        }
    }
    let document = Document::new(text.clone(), 0);
    for &(line, col, unit) in &input.positions {
        let unit = UNITS[unit as usize % UNITS.len()];
        // Small lines and columns are the interesting ones.
        let (line, col) = (line % 64, col % 256);
        let offset = index.offset(text, LineCol { line, col }, unit);
        assert!(offset <= text.len() && text.is_char_boundary(offset));
        assert_eq!(
            document.offset(line, col, unit),
            offset,
            "line {line} col {col} {unit:?}"
        );
    }
});
