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
fn ids(text: &str) -> impl Iterator<Item = (usize, ZettelId)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut run = 0;
        while at < bytes.len() {
            if bytes[at].is_ascii_digit() {
                run += 1;
                at += 1;
                if run == DIGITS {
                    let start = at - DIGITS;
                    return Some((start, ZettelId::parse(&text[start..at])?));
                }
            } else {
                run = 0;
                at += 1;
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
