//! An open document fed arbitrary `didChange` batches: ranges past the end,
//! reversed, inside surrogate pairs or between `\r` and `\n`, in any column
//! unit, and whole-text replacements. After every batch the incrementally
//! edited rope, tree and extraction must equal a fresh parse, and the text
//! must equal the edits applied naively through the line index.
#![no_main]

use arbitrary::Arbitrary;
use gloss::line_index::{ColumnUnit, LineCol, LineIndex};
use gloss::lsp::document::{Change, Document};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    text: String,
    batches: Vec<(u8, Vec<Edit>)>,
}

#[derive(Debug, Arbitrary)]
struct Edit {
    whole: bool,
    start: (u8, u8),
    end: (u8, u8),
    text: String,
}

const UNITS: [ColumnUnit; 3] = [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32];

/// What the document must hold after `change`: the range mapped through the
/// line index of the current text, an end before the start treated as the
/// start (as the document does).
fn apply_naively(text: &mut String, change: &Change, unit: ColumnUnit) {
    let Some((start, end)) = change.range else {
        *text = change.text.clone();
        return;
    };
    let index = LineIndex::new(text);
    let offset = |(line, col): (u32, u32)| index.offset(text, LineCol { line, col }, unit);
    let start = offset(start);
    let end = offset(end).max(start);
    text.replace_range(start..end, &change.text);
}

fuzz_target!(|input: Input| {
    let mut document = Document::new(input.text.clone(), 0);
    let mut expected = input.text;
    for (version, (unit, edits)) in input.batches.into_iter().enumerate().take(16) {
        let unit = UNITS[unit as usize % UNITS.len()];
        let changes: Vec<Change> = edits
            .into_iter()
            .take(8)
            .map(|edit| Change {
                range: (!edit.whole).then_some((
                    (edit.start.0 as u32, edit.start.1 as u32),
                    (edit.end.0 as u32, edit.end.1 as u32),
                )),
                text: edit.text,
            })
            .collect();
        for change in &changes {
            apply_naively(&mut expected, change, unit);
        }
        document.apply(changes, version as i32 + 1, unit);
        assert_eq!(document.text(), expected);
        if let Some(differences) = document.differences_from_full_parse() {
            panic!("{differences}");
        }
    }
});
