//! Pandoc citations: `@key`, `[@key, p. 33]`, `[see @a, pp. 1-2; -@b]`.

use std::ops::Range;

use super::Spanned;

/// One cited key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitationItem {
    pub key: Spanned<String>,
    /// The whole citation token (`@key` or the bracketed group).
    pub token: Range<usize>,
    /// Text after the key within its item, e.g. `p. 33`.
    pub suffix: Option<String>,
    /// `-@key`: the author is suppressed.
    pub suppress_author: bool,
}

/// Quarto cross-reference prefixes: `@fig-…` and friends are not citations.
const QUARTO_PREFIXES: &[&str] = &[
    "fig", "tbl", "lst", "tip", "nte", "wrn", "imp", "cau", "thm", "lem", "cor", "prp", "cnj",
    "def", "exm", "exr", "sol", "rem", "eq", "sec", "alg",
];

pub fn is_quarto_cross_reference(key: &str) -> bool {
    key.split_once('-')
        .is_some_and(|(prefix, rest)| !rest.is_empty() && QUARTO_PREFIXES.contains(&prefix))
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || ('\u{C0}'..='\u{24F}').contains(&c)
}

const INTERNAL_PUNCTUATION: &str = ":.#$%&-+?<>~/";

/// The key after the `@` at byte `at` of `text`: its range, without braces.
fn key_after_at(text: &str, at: usize) -> Option<Range<usize>> {
    let rest = &text[at + 1..];
    if let Some(braced) = rest.strip_prefix('{') {
        let close = braced.find('}')?;
        let key = at + 2..at + 2 + close;
        return (!text[key.clone()].trim().is_empty()).then_some(key);
    }
    let mut chars = rest.char_indices().peekable();
    let mut end = 0;
    while let Some((i, c)) = chars.next() {
        if is_key_char(c) {
            end = i + c.len_utf8();
        } else if end > 0 && INTERNAL_PUNCTUATION.contains(c) {
            match chars.peek() {
                Some(&(_, next)) if is_key_char(next) => {}
                _ => break,
            }
        } else {
            break;
        }
    }
    (end > 0).then_some(at + 1..at + 1 + end)
}

fn item(text: &str, at: usize, offset: usize, token: Range<usize>) -> Option<CitationItem> {
    let key = key_after_at(text, at)?;
    let value = text[key.clone()].to_string();
    if is_quarto_cross_reference(&value) {
        return None;
    }
    let key_end = if text[key.end..].starts_with('}') {
        key.end + 1
    } else {
        key.end
    };
    let suffix = text[key_end..]
        .trim_start_matches([',', '，'])
        .trim()
        .to_string();
    Some(CitationItem {
        key: Spanned {
            value,
            range: offset + key.start..offset + key.end,
        },
        token,
        suffix: (!suffix.is_empty()).then_some(suffix),
        suppress_author: text[..at].ends_with('-'),
    })
}

/// A bare `@key` token at `start`.
pub(super) fn parse_bare(token: &str, start: usize) -> Option<CitationItem> {
    let range = start..start + token.len();
    let mut cited = item(token, 0, start, range)?;
    cited.suffix = None;
    Some(cited)
}

/// A bracketed group at `start`. Items are separated by `;`; an item cites
/// the first `@` that follows the item's start, whitespace, `-` or
/// punctuation. A group without any key yields nothing: it is plain text.
pub(super) fn parse_group(token: &str, start: usize) -> Vec<CitationItem> {
    let inner = &token[1..token.len() - 1];
    let range = start..start + token.len();
    let mut items = Vec::new();
    let mut item_start = 1;
    for part in inner.split([';', '；']) {
        let at = part.char_indices().find(|&(i, c)| {
            c == '@'
                && part[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|prev| !prev.is_alphanumeric())
        });
        if let Some((at, _)) = at {
            // Offsets are relative to `part`, which starts at `item_start`
            // in the token.
            if let Some(cited) = item(part, at, start + item_start, range.clone()) {
                items.push(cited);
            }
        }
        item_start += part.len() + part_separator_len(token, item_start + part.len());
    }
    items
}

fn part_separator_len(token: &str, at: usize) -> usize {
    token[at..].chars().next().map_or(0, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(items: &[CitationItem], text: &str) -> Vec<String> {
        items
            .iter()
            .map(|i| {
                assert_eq!(&text[i.key.range.clone()], i.key.value);
                format!(
                    "{}{}{}",
                    if i.suppress_author { "-" } else { "" },
                    i.key.value,
                    i.suffix
                        .as_deref()
                        .map(|s| format!(" [{s}]"))
                        .unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn groups_with_prefixes_locators_and_suppression() {
        let text = "[see @wei2022, pp. 1-2；-@wang2023; also @{odd key}, ch. 3]";
        let items = parse_group(text, 0);
        assert_eq!(
            keys(&items, text),
            ["wei2022 [pp. 1-2]", "-wang2023", "odd key [ch. 3]"]
        );
    }

    #[test]
    fn keys_follow_pandoc_punctuation_rules() {
        let text = "@doe:2020.v2.";
        assert_eq!(parse_bare(text, 0).unwrap().key.value, "doe:2020.v2");
        assert_eq!(parse_bare("@wei2022提出", 0).unwrap().key.value, "wei2022");
        assert_eq!(
            parse_bare("@Müller2020", 0).unwrap().key.value,
            "Müller2020"
        );
        assert!(parse_bare("@fig-scaling", 0).is_none());
        assert!(parse_bare("@sec-intro", 0).is_none());
        assert_eq!(parse_bare("@figure-1", 0).unwrap().key.value, "figure-1");
    }

    #[test]
    fn brackets_without_a_key_are_text() {
        assert!(parse_group("[mail me at a@b.org]", 0).is_empty());
        assert!(parse_group("[@]", 0).is_empty());
        assert!(parse_group("[@{}]", 0).is_empty());
    }

    #[test]
    fn offsets_are_absolute() {
        let text = "xx[@a; @中b; @c]";
        let items = parse_group(&text[2..], 2);
        assert_eq!(keys(&items, text), ["a", "c"]);
    }
}
