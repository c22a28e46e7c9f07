//! Arbitrary text as a bibliography, BibTeX, CSL-JSON or CSL YAML by the
//! first byte:
//! parsing must not panic or hang, and every entry and error range must lie
//! inside the text on character boundaries (diagnostics and go-to-definition
//! slice and convert them).
#![no_main]

use gloss::workspace::bibliography::{parse, BibFormat};
use gloss_fuzz::assert_range_in as check;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => BibFormat::BibTeX,
        1 => BibFormat::CslJson,
        _ => BibFormat::CslYaml,
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
    // Entries render (through hayagriva, which must not be handed what
    // it panics on); a CSL YAML entry reads its own text again.
    for entry in parsed.entries.iter().take(4) {
        let _ = gloss::workspace::bibliography::csl::format(
            &text,
            &parsed.strings,
            format,
            entry,
            "apa",
        );
    }
});
