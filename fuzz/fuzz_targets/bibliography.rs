//! Arbitrary text as a bibliography, BibTeX or CSL-JSON by the first byte:
//! parsing must not panic or hang, and every entry and error range must lie
//! inside the text on character boundaries (diagnostics and go-to-definition
//! slice and convert them).
#![no_main]

use std::ops::Range;

use gloss::workspace::bibliography::{parse, BibFormat};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, range: &Range<usize>, what: &str) {
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

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let format = if selector % 2 == 0 {
        BibFormat::BibTeX
    } else {
        BibFormat::CslJson
    };
    let text = String::from_utf8_lossy(rest);
    let parsed = parse(&text, format);
    for entry in &parsed.entries {
        check(&text, &entry.range, "entry");
        check(&text, &entry.key_range, "entry key");
    }
    for error in &parsed.errors {
        check(&text, &error.range, "error");
    }
});
