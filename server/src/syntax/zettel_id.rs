//! Zettelkasten ids: the fourteen-digit timestamps (`20200303175402`)
//! Zettlr gives notes, which `[[20200303175402]]` links name.
//!
//! A note's id is, as Zettlr reads it (its default id pattern `(\d{14})`),
//! the first fourteen digits in a row in its file name, else the first in
//! its text that do not open a wikilink (`[[20200101120000]]` links to
//! another note; it is not this one's id). The text is read whole, front
//! matter and code included, as Zettlr does.

use std::fmt;

/// How many digits an id has.
const DIGITS: usize = 14;

/// A note's Zettelkasten id: fourteen digits, leading zeros kept, as the
/// number they spell in six bytes (below 2^47): every note's syntax holds
/// one, and six bytes with the option's tag fill what a flag beside them
/// leaves unused (eight bytes of a record otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ZettelId([u8; 6]);

impl ZettelId {
    /// The id `digits` spells, if it is fourteen ASCII digits exactly.
    pub fn parse(digits: &str) -> Option<ZettelId> {
        let bytes = digits.as_bytes();
        if bytes.len() != DIGITS || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = bytes
            .iter()
            .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
        let mut six = [0; 6];
        six.copy_from_slice(&value.to_le_bytes()[..6]);
        Some(ZettelId(six))
    }

    fn value(self) -> u64 {
        let mut eight = [0; 8];
        eight[..6].copy_from_slice(&self.0);
        u64::from_le_bytes(eight)
    }

    /// The first id in a file's name (with or without its extension).
    pub fn in_file_name(name: &str) -> Option<ZettelId> {
        ids(name).next().map(|(_, id)| id)
    }

    /// The first id in a note's text that does not open a wikilink.
    pub fn in_text(text: &str) -> Option<ZettelId> {
        let bytes = text.as_bytes();
        ids(text)
            .find(|&(at, _)| at < 2 || &bytes[at - 2..at] != b"[[")
            .map(|(_, id)| id)
    }
}

impl fmt::Display for ZettelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value(), width = DIGITS)
    }
}

/// Each match of `\d{14}` in `text`, left to right and not overlapping, as
/// a regular expression finds them: a longer run of digits gives its first
/// fourteen, then goes on after them.
///
/// Every note's text is scanned, so it is scanned as a string search
/// skips: when the fourteenth byte from `at` is not a digit, no match
/// starts before it; else a match starts after the last non-digit before
/// it, if any. Most bytes of a text are never looked at.
fn ids(text: &str) -> impl Iterator<Item = (usize, ZettelId)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at + DIGITS <= bytes.len() {
            let last = at + DIGITS - 1;
            if !bytes[last].is_ascii_digit() {
                at = last + 1;
                continue;
            }
            match (at..last).rev().find(|&i| !bytes[i].is_ascii_digit()) {
                Some(non_digit) => at = non_digit + 1,
                None => {
                    let start = at;
                    at += DIGITS;
                    return Some((start, ZettelId::parse(&text[start..at])?));
                }
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(id: Option<ZettelId>) -> String {
        id.map_or_else(|| "none".to_string(), |id| id.to_string())
    }

    /// The skipping scan finds what the regular expression `\d{14}` finds.
    #[test]
    fn ids_are_the_matches_of_fourteen_digits() {
        let pattern = regex::Regex::new("[0-9]{14}").unwrap();
        let mut texts: Vec<String> = [
            "",
            "1234567890123",
            "12345678901234",
            "123456789012345",
            "1234567890123412345678901234",
            "12345678901234123456789012345",
            "x1234567890123 12345678901234😀20200303175402",
            "见20200303175402。[[20200303175403]]",
        ]
        .map(String::from)
        .to_vec();
        // Runs of every length from 0 to 30 between CJK and ASCII text.
        for run in 0..30 {
            let digits: String = (0..run)
                .map(|i| char::from(b'0' + (i % 10) as u8))
                .collect();
            texts.push(format!("笔记{digits}x{digits}{digits}é{digits}"));
        }
        for text in &texts {
            let found: Vec<usize> = ids(text).map(|(at, _)| at).collect();
            let expected: Vec<usize> = pattern.find_iter(text).map(|m| m.start()).collect();
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn an_id_is_fourteen_digits_with_its_leading_zeros() {
        assert_eq!(shown(ZettelId::parse("20200303175402")), "20200303175402");
        assert_eq!(shown(ZettelId::parse("00000000000000")), "00000000000000");
        assert_eq!(shown(ZettelId::parse("00000000000042")), "00000000000042");
        for not_one in ["2020030317540", "202003031754021", "2020030317540x", ""] {
            assert_eq!(ZettelId::parse(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn a_file_name_gives_its_first_fourteen_digits() {
        let named = ZettelId::in_file_name;
        assert_eq!(shown(named("20200303175402 - keynes.md")), "20200303175402");
        assert_eq!(shown(named("money -20200315170318.md")), "20200315170318");
        // A longer run gives its first fourteen, as `\d{14}` does.
        assert_eq!(shown(named("2020030317540299 x.md")), "20200303175402");
        assert_eq!(shown(named("2020-03-03 notes 笔记.md")), "none");
    }

    #[test]
    fn a_text_gives_its_first_id_that_opens_no_wikilink() {
        let text = "---\ntitle: 货币 💴\n---\nSee [[20200101120000]], then 20200202120000.\n";
        assert_eq!(shown(ZettelId::in_text(text)), "20200202120000");
        assert_eq!(
            shown(ZettelId::in_text("id: 20191231235959\r\n")),
            "20191231235959"
        );
        // A link's label or a Markdown link is not a wikilink's start.
        let labelled = "[[note|20200101120000]] [x](20200101120001.md)";
        assert_eq!(shown(ZettelId::in_text(labelled)), "20200101120000");
        assert_eq!(shown(ZettelId::in_text("[[20200101120000]] only")), "none");
        assert_eq!(
            shown(ZettelId::in_text("2020 and 12345678901234x")),
            "12345678901234"
        );
    }
}
