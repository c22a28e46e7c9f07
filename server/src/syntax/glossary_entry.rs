//! The text of one glossary entry: `Term (Alias, Alias 2): definition`.
//!
//! Accepted shapes, with ASCII or full-width punctuation:
//! `Term: definition`, `**Term**: definition`, `Term (Alias): definition`,
//! `CoT（Chain of Thought，思维链）：definition`, and
//! `FFN (Feed-Forward Network) definition` without a colon after the
//! aliases. A line with neither a colon, nor aliases, nor a bold term is not
//! an entry.

use std::ops::Range;

use super::Spanned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryText {
    pub term: Spanned<String>,
    pub aliases: Vec<Spanned<String>>,
    /// The definition on the entry's own line (continuation lines are added
    /// by the caller).
    pub definition: Range<usize>,
}

const COLONS: [char; 2] = [':', '：'];
const OPEN: [char; 2] = ['(', '（'];
const CLOSE: [char; 2] = [')', '）'];
const ALIAS_SEPARATORS: [char; 5] = [',', '，', '、', ';', '；'];
/// Longer "terms" are sentences that happen to contain a colon.
const MAX_TERM_CHARS: usize = 80;

/// Parses the entry in `text`, which starts at byte `start` of the note.
pub fn parse_glossary_entry(text: &str, start: usize) -> Option<EntryText> {
    let (head, mut pos, bold) = if let Some(rest) = text.strip_prefix("**") {
        let close = rest.find("**")?;
        (2..2 + close, 2 + close + 2, true)
    } else if let Some(rest) = text.strip_prefix("__") {
        let close = rest.find("__")?;
        (2..2 + close, 2 + close + 2, true)
    } else {
        let end = text.find(|c| COLONS.contains(&c) || OPEN.contains(&c))?;
        (0..end, end, false)
    };

    let (term, mut aliases, head_has_aliases) = split_term(text, head);
    let mut has_aliases = head_has_aliases;
    pos = skip_blanks(text, pos);
    if text[pos..].starts_with(OPEN) {
        let (group, after) = paren_group(text, pos)?;
        aliases.extend(split_aliases(text, group));
        has_aliases = true;
        pos = skip_blanks(text, after);
    }
    let has_colon = text[pos..].starts_with(COLONS);
    if has_colon {
        pos += text[pos..].chars().next().map_or(0, char::len_utf8);
    }
    if !(has_colon || has_aliases || bold) {
        return None;
    }
    let term = spanned(text, term, start)?;
    // `- $(X,d_{X})$ be a metric space`: maths, not a term and its aliases.
    if term.value.chars().count() > MAX_TERM_CHARS || term.value.contains('$') {
        return None;
    }
    let definition = skip_blanks(text, pos)..text.trim_end().len().max(skip_blanks(text, pos));
    Some(EntryText {
        term,
        aliases: aliases
            .into_iter()
            .filter_map(|range| spanned(text, range, start))
            .collect(),
        definition: start + definition.start..start + definition.end,
    })
}

/// Splits `Term (Alias)` inside a head (a bold head may carry its aliases).
fn split_term(text: &str, head: Range<usize>) -> (Range<usize>, Vec<Range<usize>>, bool) {
    if let Some(open) = text[head.clone()].find(OPEN) {
        let open = head.start + open;
        if let Some((group, after)) = paren_group(text, open) {
            if text[after..head.end].trim().is_empty() {
                return (head.start..open, split_aliases(text, group), true);
            }
        }
    }
    (head, Vec::new(), false)
}

/// The parenthesised group at `open`: its inside and the offset after it.
fn paren_group(text: &str, open: usize) -> Option<(Range<usize>, usize)> {
    let inner_start = open + text[open..].chars().next()?.len_utf8();
    let close = inner_start + text[inner_start..].find(CLOSE)?;
    let after = close + text[close..].chars().next()?.len_utf8();
    Some((inner_start..close, after))
}

fn split_aliases(text: &str, group: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = group.start;
    for part in text[group.clone()].split(ALIAS_SEPARATORS) {
        out.push(at..at + part.len());
        at += part.len();
        at += text[at..group.end].chars().next().map_or(0, char::len_utf8);
    }
    out
}

fn skip_blanks(text: &str, pos: usize) -> usize {
    pos + (text[pos..].len() - text[pos..].trim_start().len())
}

/// Trims a name and drops `[[…]]` or `**…**` around it.
fn spanned(text: &str, range: Range<usize>, start: usize) -> Option<Spanned<String>> {
    let raw = &text[range.clone()];
    let mut value = raw.trim();
    let mut lead = raw.len() - raw.trim_start().len();
    for (open, close) in [("[[", "]]"), ("**", "**"), ("`", "`")] {
        if let Some(inner) = value.strip_prefix(open).and_then(|v| v.strip_suffix(close)) {
            value = inner.trim();
            lead += open.len();
        }
    }
    (!value.is_empty()).then(|| Spanned {
        value: value.to_string(),
        range: start + range.start + lead..start + range.start + lead + value.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        match parse_glossary_entry(text, 0) {
            None => "none".to_string(),
            Some(entry) => {
                assert_eq!(&text[entry.term.range.clone()], entry.term.value);
                for alias in &entry.aliases {
                    assert_eq!(&text[alias.range.clone()], alias.value);
                }
                let aliases: Vec<_> = entry.aliases.iter().map(|a| a.value.as_str()).collect();
                format!(
                    "{} {:?} = {:?}",
                    entry.term.value,
                    aliases,
                    &text[entry.definition.clone()]
                )
            }
        }
    }

    #[test]
    fn entry_shapes() {
        let cases = [
            (
                "Transformer: an architecture",
                r#"Transformer [] = "an architecture""#,
            ),
            (
                "**RLHF**: reinforcement learning",
                r#"RLHF [] = "reinforcement learning""#,
            ),
            ("**RLHF**：人类反馈", r#"RLHF [] = "人类反馈""#),
            (
                "Scaling Law (Scaling Laws, 缩放定律): loss falls",
                r#"Scaling Law ["Scaling Laws", "缩放定律"] = "loss falls""#,
            ),
            (
                "CoT（Chain of Thought，思维链）：先写推理步骤",
                r#"CoT ["Chain of Thought", "思维链"] = "先写推理步骤""#,
            ),
            (
                "FFN (Feed-Forward Network) 前馈网络层",
                r#"FFN ["Feed-Forward Network"] = "前馈网络层""#,
            ),
            (
                "**ICL（In-Context Learning）**：上下文学习",
                r#"ICL ["In-Context Learning"] = "上下文学习""#,
            ),
            (
                "[[Emergence]]: appears with scale",
                r#"Emergence [] = "appears with scale""#,
            ),
            ("涌现能力、思维链", "none"),
            ("Term:", r#"Term [] = """#),
            (": no term", "none"),
            ("**unclosed: x", "none"),
            ("Term (unclosed: x", "none"),
            // Found in a maths vault's `## Definitions`: maths opens the item.
            ("$(X,d_{X})$ be a metric space", "none"),
            ("$\\mathcal{P}(X)$ the power set of $X$", "none"),
        ];
        for (input, expected) in cases {
            assert_eq!(show(input), expected, "for {input:?}");
        }
    }

    #[test]
    fn ranges_are_absolute() {
        let entry = parse_glossary_entry("CoT（思维链）：x", 100).unwrap();
        assert_eq!(entry.term.range, 100..103);
        assert_eq!(entry.aliases[0].range, 106..115);
    }
}
