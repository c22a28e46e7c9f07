//! What the fuzz targets share.

use std::ops::Range;

/// Panics unless `range` lies inside `text` and on character boundaries:
/// every range gloss extracts is later sliced and converted to positions.
pub fn assert_range_in(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what} {range:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what} {range:?} splits a character"
    );
}
