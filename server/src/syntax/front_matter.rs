//! YAML front matter: the fields gloss reads.

use std::ops::Range;

use thin_vec::ThinVec;

use super::citation::{bare_citations_in, CitationItem};
use super::link::{parse_wiki, Link, LinkKind};
use super::yaml::{self, scalar_range, Node};
use super::Spanned;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    pub title: Option<Spanned<String>>,
    pub aliases: Vec<Spanned<String>>,
    /// `bibliography:` paths as written, relative to the note. This list,
    /// the next and the error are rare: thin or boxed, as every note's
    /// front matter is kept.
    pub bibliography: ThinVec<Spanned<String>>,
    /// `gloss: {ignore: [code, …]}`
    pub ignore: ThinVec<String>,
    /// Whether a `references:` list is there: inline CSL items, which the
    /// workspace reads as this note's own bibliography.
    pub has_references: bool,
    /// Whether a template writes part of the page (a Quarto `listing:`
    /// with a `template:` of its own): its headings cannot be known here.
    pub templated: bool,
    /// A syntax error, or the alias budget running out.
    pub error: Option<Box<Spanned<String>>>,
}

/// What a front matter adds to its note's links and citations: kept with
/// the note's own, not a second time with the fields.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Wikilinks in any string value (`related: "[[Other note]]"`, lists of
    /// them): Obsidian's properties link notes this way.
    pub links: Vec<Link>,
    /// `nocite: "@a, @b"` (or a list): keys cited without a mention in the
    /// text, checked like citations; `@*` (every entry) is none.
    pub nocite: Vec<CitationItem>,
}

/// Parses the front matter token `token` (delimiters included) that starts at
/// byte `start` of the note.
pub fn parse(token: &str, start: usize) -> (FrontMatter, Mentions) {
    // The YAML proper starts after the opening `---` line and ends before the
    // closing delimiter line.
    let body_start = token.find('\n').map_or(token.len(), |i| i + 1);
    let body_end = token
        .trim_end()
        .rfind(['\n', '\r'])
        .map_or(body_start, |i| i + 1)
        .max(body_start);
    let yaml = &token[body_start..body_end];
    let offset = start + body_start;

    let mut front_matter = FrontMatter::default();
    let root = match yaml::parse(yaml) {
        Ok(Some(root)) => root,
        Ok(None) => return (front_matter, Mentions::default()),
        Err(error) => {
            front_matter.error = Some(Box::new(match error.at {
                // YAML notices a key written with a full-width colon
                // (`categories：`) a line later: pointed at where it is.
                Some(at) if full_width_key(&yaml[..at]).is_some() => {
                    let key = full_width_key(&yaml[..at]).unwrap_or(at);
                    Spanned {
                        value: format!(
                            "{} (a key ends with a full-width colon '：', not ':')",
                            error.message
                        ),
                        range: offset + key..offset + key,
                    }
                }
                Some(at) => Spanned {
                    value: error.message,
                    range: offset + at..offset + at,
                },
                // The budget is the document's, not a place in it.
                None => Spanned {
                    value: format!("front matter: {}", error.message),
                    range: start..start + 3,
                },
            }));
            return (front_matter, Mentions::default());
        }
    };
    let spanned = |(value, at): (&str, usize)| Spanned {
        value: value.to_string(),
        range: {
            let r = scalar_range(yaml, value, at);
            offset + r.start..offset + r.end
        },
    };
    front_matter.title = root.get("title").and_then(Node::as_scalar).map(spanned);
    front_matter.aliases = root
        .get("aliases")
        .map(|n| n.scalars().into_iter().map(spanned).collect())
        .unwrap_or_default();
    // A path knitr computes (`` "`r 'refs.bib'`" ``) is known only once
    // the document is knitted.
    front_matter.bibliography = root
        .get("bibliography")
        .map(|n| {
            n.scalars()
                .into_iter()
                .map(spanned)
                .filter(|path| !path.value.contains("`r "))
                .collect()
        })
        .unwrap_or_default();
    front_matter.has_references =
        matches!(root.get("references"), Some(Node::Seq(items, _)) if !items.is_empty());
    front_matter.templated = match root.get("listing") {
        Some(Node::Seq(listings, _)) => listings.iter().any(|l| l.get("template").is_some()),
        Some(listing) => listing.get("template").is_some(),
        None => false,
    };
    let nocite = root
        .get("nocite")
        .map(|n| {
            n.scalars()
                .into_iter()
                .map(spanned)
                // A scalar whose text is not where it stands (escapes, a
                // block scalar) has no range to cite from.
                .filter(|s| !s.range.is_empty())
                .flat_map(|s| bare_citations_in(&s.value, s.range.start))
                .collect()
        })
        .unwrap_or_default();
    front_matter.ignore = root
        .get("gloss")
        .and_then(|g| g.get("ignore"))
        .map(|n| {
            n.scalars()
                .into_iter()
                .map(|(s, _)| s.to_string())
                .collect()
        })
        .unwrap_or_default();
    let mentions = Mentions {
        links: links(&root, yaml, offset),
        nocite,
    };
    (front_matter, mentions)
}

/// Logseq's page properties: `key:: value` lines that open a note with no
/// front matter, up to the first line that is not one. Logseq reads
/// `title::` as the page's name and each of the comma-separated `alias::`
/// values (`alias:: QHE, [[Hall effect]]`) as another name of it; `None`
/// when the note gives neither.
pub fn page_properties(text: &str) -> Option<FrontMatter> {
    let mut front_matter = FrontMatter::default();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let at = start;
        start += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let Some((key, value)) = line
            .split_once(":: ")
            .or_else(|| line.strip_suffix("::").map(|k| (k, "")))
        else {
            break;
        };
        let is_key = key.starts_with(|c: char| c.is_ascii_alphabetic())
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !is_key {
            break;
        }
        // The value ends the line.
        let value_at = at + line.len() - value.len();
        match key.to_ascii_lowercase().as_str() {
            "title" => front_matter.title = property_value(value, value_at),
            "alias" => {
                let mut item_at = value_at;
                for item in value.split(',') {
                    front_matter.aliases.extend(property_value(item, item_at));
                    item_at += item.len() + 1;
                }
            }
            _ => {}
        }
    }
    (front_matter.title.is_some() || !front_matter.aliases.is_empty()).then_some(front_matter)
}

/// One property value at byte `at`, trimmed and out of its `[[…]]`, or of
/// the `#` or `#[[…]]` of a tag (Logseq reads `#X`, `#[[X]]` and `[[X]]`
/// all as the page X).
fn property_value(value: &str, at: usize) -> Option<Spanned<String>> {
    let trimmed = value.trim_start();
    let at = at + value.len() - trimmed.len();
    let trimmed = trimmed.trim_end();
    let (trimmed, at) = match trimmed.strip_prefix('#') {
        Some(tag) => (tag, at + 1),
        None => (trimmed, at),
    };
    let (inner, at) = match trimmed
        .strip_prefix("[[")
        .and_then(|v| v.strip_suffix("]]"))
    {
        Some(inner) => (inner, at + 2),
        None => (trimmed, at),
    };
    (!inner.is_empty()).then(|| Spanned {
        value: inner.to_string(),
        range: at..at + inner.len(),
    })
}

/// The wikilinks in the string values of `root`, located in `yaml` (which
/// starts at byte `offset` of the note).
fn links(root: &Node, yaml: &str, offset: usize) -> Vec<Link> {
    let mut values = Vec::new();
    root.values(&mut values);
    let mut out = Vec::new();
    for (value, at) in values {
        let mut searched = at.min(yaml.len());
        let mut rest = value;
        while let Some(open) = rest.find("[[") {
            let after = &rest[open + 2..];
            let Some(close) = after.find(['[', ']', '\n', '\r']) else {
                break;
            };
            if !after[close..].starts_with("]]") {
                rest = &after[close..];
                continue;
            }
            let token = &rest[open..open + 2 + close + 2];
            rest = &after[close + 2..];
            // The value as written in the YAML holds the same characters
            // (escapes in quoted scalars aside): find them there.
            let Some(found) = yaml.get(searched..).and_then(|y| y.find(token)) else {
                continue;
            };
            let start = searched + found;
            searched = start + token.len();
            let embed = yaml[..start].ends_with('!');
            out.push(if embed {
                parse_wiki(
                    &yaml[start - 1..searched],
                    offset + start - 1,
                    LinkKind::Embed,
                )
            } else {
                parse_wiki(token, offset + start, LinkKind::Wiki)
            });
        }
    }
    out
}

/// The range of the front matter token at the start of `text`, found as
/// the grammar's scanner finds it (`grammar/src/scanner.c`,
/// `scan_front_matter`): after optional byte-order marks, a line of exactly
/// three `-`, then lines up to the first line of exactly three `-` or `.`
/// (blanks may follow either), which the token ends with. Without a
/// closing line there is none. What a note's names are read from before
/// it is parsed; a test holds the two to the same answer.
pub fn token_range(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    // The parser starts after a byte-order mark, and so does the token; the
    // scanner passes over one more.
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut at = start;
    if text[start..].starts_with('\u{feff}') {
        at += 3;
    }
    // Where a delimiter line of `c` starting at `at` ends, blanks included.
    let delimiter_line = |at: usize, c: u8| {
        let run = bytes[at..].iter().take_while(|&&b| b == c).count();
        let blanks = bytes[at + run..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let end = at + run + blanks;
        (run == 3 && matches!(bytes.get(end), None | Some(b'\n' | b'\r'))).then_some(end)
    };
    // The start of the line after the one `at` is on.
    let next_line = |at: usize| {
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |i| at + i);
        match &bytes[end..] {
            [b'\r', b'\n', ..] => end + 2,
            [] => end,
            _ => end + 1,
        }
    };
    delimiter_line(at, b'-')?;
    at = next_line(at);
    while at < bytes.len() {
        if let Some(end) = delimiter_line(at, b'-').or_else(|| delimiter_line(at, b'.')) {
            return Some(start..end);
        }
        at = next_line(at);
    }
    None
}

/// Where, in `before` (the YAML up to an error), the last line starts
/// that reads as a key with a full-width colon and no `:` of its own.
fn full_width_key(before: &str) -> Option<usize> {
    let mut start = before.len();
    for line in before.split_inclusive('\n').rev() {
        start -= line.len();
        let written = line.trim();
        let is_key = !line.starts_with([' ', '\t', '-', '#'])
            && written.contains('：')
            && !written.contains(':');
        if is_key {
            return Some(start);
        }
    }
    None
}

/// The byte range of a whole front matter error line, for display.
pub fn error_range(text: &str, at: usize) -> Range<usize> {
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    at..end
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// [`token_range`] finds the front matter the parser finds, on
        /// texts made of delimiter-like lines, blanks and line breaks of
        /// every kind.
        #[test]
        fn the_token_is_where_the_parser_finds_it(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "---", "...", "----", "--", "-", ".", "..", " ", "\t", "\n", "\r\n", "\r",
                "title: 😀", "a", "\u{feff}", "# h", "`", "```",
            ]), 0..14),
        ) {
            let text: String = parts.concat();
            let parsed = crate::syntax::parse_note(&text);
            proptest::prop_assert_eq!(token_range(&text), parsed.front_matter_range);
        }
    }

    #[test]
    fn the_token_with_a_byte_order_mark_blanks_and_crlf() {
        for text in [
            "---\ntitle: x\n---\n# h",
            "\u{feff}--- \r\ntitle: 标题 😀\r\n... \t\r\nbody",
            "\u{feff}\u{feff}---\ntitle: x\n---\n",
            "\u{feff}\u{feff}\u{feff}---\ntitle: x\n---\n",
            "---\n\u{feff}---\n",
            "---\n---",
            "---\r---\r",
            "---\ntitle: x\n----\n",
            "----\ntitle: x\n---\n",
            " ---\ntitle: x\n---\n",
        ] {
            let parsed = crate::syntax::parse_note(text);
            assert_eq!(token_range(text), parsed.front_matter_range, "{text:?}");
        }
        assert_eq!(token_range("---\ntitle: x\n---\n# h"), Some(0..16));
        assert_eq!(token_range("---\ntitle: x\n----\n"), None);
    }

    #[test]
    fn ranges_stay_exact_along_one_long_line() {
        // Offsets are converted from the previous marker onwards (a 500 KB
        // flow sequence took seconds when every scalar rescanned its line).
        let items: Vec<String> = (0..500).map(|i| format!("词{i}😀")).collect();
        let text = format!("---\naliases: [{}]\ntitle: 末尾\n---", items.join(", "));
        let (fm, _) = parse(&text, 0);
        let aliases: Vec<&str> = fm.aliases.iter().map(|a| &text[a.range.clone()]).collect();
        assert_eq!(aliases, items);
        assert_eq!(&text[fm.title.unwrap().range], "末尾");
    }

    #[test]
    fn reads_fields_with_exact_ranges() {
        let text = "---\ntitle: 注意力机制 😀\naliases: [Attention, \"注意力\"]\ntags: llm\nbibliography:\n  - papers.bib\n  - refs/more.json\n  - \"`r knitr::write_bib()`\"\ngloss: {ignore: [broken-link]}\n---";
        let (fm, _) = parse(text, 0);
        assert_eq!(fm.error, None);
        let title = fm.title.unwrap();
        assert_eq!(&text[title.range], "注意力机制 😀");
        let aliases: Vec<_> = fm.aliases.iter().map(|a| &text[a.range.clone()]).collect();
        assert_eq!(aliases, ["Attention", "注意力"]);
        let bibs: Vec<_> = fm
            .bibliography
            .iter()
            .map(|a| &text[a.range.clone()])
            .collect();
        // What knitr computes is no path yet (found in quarto-cli).
        assert_eq!(bibs, ["papers.bib", "refs/more.json"]);
        assert_eq!(fm.ignore, ["broken-link"]);
    }

    #[test]
    fn wikilinks_in_properties_are_links() {
        let text = "---\nrelated: \"[[Other note]]\"\nup:\n  - \"[[A|a]]\"\n  - plain\nbanner: \"![[pic.png]]\"\ntitle: x\n---";
        let (_, fm) = parse(text, 0);
        let links: Vec<(&str, LinkKind)> = fm
            .links
            .iter()
            .map(|l| (&text[l.range()], l.kind))
            .collect();
        assert_eq!(
            links,
            [
                ("[[Other note]]", LinkKind::Wiki),
                ("[[A|a]]", LinkKind::Wiki),
                ("![[pic.png]]", LinkKind::Embed)
            ]
        );
        assert_eq!(&text[fm.links[1].target().unwrap().range], "A");
    }

    #[test]
    fn nocite_keys_with_exact_ranges() {
        let text = "---\nnocite: \"@wei2022, @王2023x [@*]\"\nother: [\"@no\"]\n---\n";
        let (_, fm) = parse(text, 0);
        let keys: Vec<&str> = fm.nocite.iter().map(|c| &text[c.key().range]).collect();
        assert_eq!(keys, ["wei2022"]);
        let list = "---\nnocite:\n  - \"@a\"\n  - '@b'\n---\n";
        let (_, fm) = parse(list, 0);
        let keys: Vec<&str> = fm.nocite.iter().map(|c| &list[c.key().range]).collect();
        assert_eq!(keys, ["a", "b"]);
    }

    /// Found in a Hexo blog's scaffold: YAML finds a key written with a
    /// full-width colon one line later.
    #[test]
    fn a_key_with_a_full_width_colon_is_pointed_at() {
        let text = "---\r\ntitle: 草稿 😀\r\ncategories：\r\ntags:\r\n---\r\n";
        let (fm, _) = parse(text, 0);
        let error = fm.error.unwrap();
        assert!(text[error.range.start..].starts_with("categories：\r\ntags"));
        assert!(error.value.contains("full-width colon"), "{}", error.value);
    }

    #[test]
    fn malformed_yaml_is_an_error_not_a_panic() {
        let text = "---\ntitle: [unclosed\n---";
        let (fm, _) = parse(text, 0);
        assert!(fm.error.is_some());
        assert!(fm.title.is_none());
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut yaml = String::from("---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            yaml.push_str(&format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        yaml.push_str("---");
        let (fm, _) = parse(&yaml, 0);
        assert!(fm.error.unwrap().value.contains("anchors and aliases"));
    }

    #[test]
    fn crlf_and_empty() {
        let text = "---\r\ntitle: x\r\n---";
        assert_eq!(parse(text, 0).0.title.unwrap().value, "x");
        assert_eq!(
            parse("---\n---", 0),
            (FrontMatter::default(), Mentions::default())
        );
    }

    #[test]
    fn logseq_page_properties_name_the_page() {
        let text = "title:: 量子 Hall 😀\r\nalias:: QHE, [[Hall effect]] , #[[霍尔 效应]], #QH\ntags:: physics\n\n- alias:: not a property\n";
        let fm = page_properties(text).unwrap();
        let title = fm.title.unwrap();
        assert_eq!(&text[title.range.clone()], "量子 Hall 😀");
        let aliases: Vec<(&str, &str)> = fm
            .aliases
            .iter()
            .map(|a| (a.value.as_str(), &text[a.range.clone()]))
            .collect();
        assert_eq!(
            aliases,
            [
                ("QHE", "QHE"),
                ("Hall effect", "Hall effect"),
                ("霍尔 效应", "霍尔 效应"),
                ("QH", "QH")
            ]
        );
        // Properties open the note, or there are none.
        assert_eq!(page_properties("# QHE\nalias:: QHE\n"), None);
        assert_eq!(page_properties("tags:: a\n"), None);
        assert_eq!(page_properties("note:: alias:: x\n"), None);
    }
}
