//! Arbitrary bytes as a note: reading (lossy UTF-8, as gloss reports invalid
//! UTF-8 and goes on), parsing and extraction must not panic, and every range
//! extracted must lie inside the text on character boundaries, so that later
//! slicing and position conversion cannot panic either.
#![no_main]

use gloss::syntax::parse_note;
use gloss_fuzz::assert_range_in as check;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let syntax = parse_note(&text);
    for block in &syntax.blocks {
        check(&text, &block.range, "block");
        check(&text, &block.content, "block content");
    }
    for link in &syntax.links {
        check(&text, &link.range, "link");
        for part in [&link.target, &link.anchor].into_iter().flatten() {
            check(&text, &part.range, "link part");
        }
    }
    for citation in &syntax.citations {
        check(&text, &citation.token, "citation");
        check(&text, &citation.key.range, "citation key");
    }
    if let Some(range) = &syntax.front_matter_range {
        check(&text, range, "front matter");
    }
});
