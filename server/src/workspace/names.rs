//! How names compare: the one normalisation used for terms, aliases, note
//! titles, stems and headings.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Normalises a name for comparison: Unicode NFC, full-width ASCII folded to
/// ASCII (`ＧＰＴ－４` → `gpt-4`), case folded, runs of whitespace collapsed
/// to one space, and trimmed.
pub fn normalize(name: &str) -> String {
    if name.is_ascii() {
        // ASCII is already NFC and has no full-width forms, and folds a
        // byte at a time (every note's names are normalised on load).
        return fold_ascii(name);
    }
    fold(name.nfc())
}

/// [`fold`] of ASCII text.
fn fold_ascii(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for b in name.bytes() {
        // `char::is_whitespace` on ASCII (which, unlike
        // `u8::is_ascii_whitespace`, includes the vertical tab).
        if matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(b.to_ascii_lowercase() as char);
    }
    out
}

fn fold(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in chars {
        let c = fold_width(c);
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Full-width forms U+FF01..U+FF5E are ASCII shifted by 0xFEE0; U+3000 is
/// the ideographic space.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// How a heading and a `#anchor` compare: every character that is not a
/// letter, digit or mark (punctuation, symbols, emoji, markup such as `**`
/// or `$`) becomes a space, then the result is normalised. A link's heading
/// part cannot hold some characters, so people (and Obsidian's link
/// suggester) leave them out: `[[FAQ#How large can it be]]` finds
/// `## How large can it be?`, `#Chapter 3 sections 3 1` finds
/// `## Chapter 3 (sections 3.1)`, `[[note#Results]]` finds `## Results 📈`.
pub fn heading_key(heading: &str) -> String {
    let kept: String = heading
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || is_combining_mark(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    normalize(&kept)
}

/// A GitHub-style heading slug (`## Scaling Laws!` → `scaling-laws`), so that
/// `[x](note.md#scaling-laws)` finds the heading.
pub fn slug(heading: &str) -> String {
    normalize(heading)
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// A heading's text as a site renders it, for the slugs made from that:
/// a link's text without its destination (`[r s](u)` is `r s`).
fn rendered(heading: &str) -> String {
    let mut text = String::with_capacity(heading.len());
    let mut rest = heading;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        let destination = &rest[at + 2..];
        match destination.find(')') {
            Some(close) => rest = &destination[close + 1..],
            None => {
                rest = destination;
                break;
            }
        }
    }
    text.push_str(rest);
    text
}

/// GitHub's own slug (github-slugger over the rendered text): lower
/// case, every character but letters, digits, `-`, `_` and spaces
/// dropped, and each space a `-`, runs of them too (`### 1.3  ==与equals`
/// is `#13--与equals`), which [`slug`] squeezes.
pub fn github_slug(heading: &str) -> String {
    rendered(heading)
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if is_other_number(c) => None,
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Numbers that are not digits (Unicode's "other number": `²`, `½`, `①`),
/// which GitHub's `[^\p{Word}\- ]` drops from an id (`## Phase 1 — I²C`
/// is `#phase-1--ic`).
fn is_other_number(c: char) -> bool {
    matches!(c,
        '\u{B2}' | '\u{B3}' | '\u{B9}' | '\u{BC}'..='\u{BE}'
        | '\u{2070}'..='\u{2079}' | '\u{2080}'..='\u{2089}'
        | '\u{2150}'..='\u{215F}' | '\u{2460}'..='\u{24FF}'
        | '\u{2776}'..='\u{2793}' | '\u{3251}'..='\u{325F}'
        | '\u{3280}'..='\u{3289}' | '\u{32B1}'..='\u{32BF}')
}

/// docsify's slug: ASCII letters in lower case, ASCII punctuation and
/// general punctuation (U+2000–U+206F, U+2E00–U+2E7F) dropped while
/// full-width punctuation stays (`### Thread#interrupted()，返回：` is
/// `#threadinterrupted，返回：`), each space a `-`, runs of `-` one, and
/// `_` before a leading digit (`## 1、分布式` is `#_1、分布式`).
pub fn docsify_slug(heading: &str) -> String {
    const DROPPED: &str = "\\'!\"#$%&()*+,./:;<=>?@[]^`{|}~";
    let mut slug = String::new();
    for c in rendered(heading).trim().chars() {
        let general =
            ('\u{2000}'..='\u{206F}').contains(&c) || ('\u{2E00}'..='\u{2E7F}').contains(&c);
        if general || DROPPED.contains(c) {
            continue;
        }
        let c = if c.is_whitespace() {
            '-'
        } else {
            c.to_ascii_lowercase()
        };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    if slug.starts_with(|c: char| c.is_ascii_digit()) {
        slug.insert(0, '_');
    }
    slug
}

/// `slug` with its accents dropped (`général` → `general`, `中文` kept):
/// decomposed, and the combining diacritical marks removed, as VuePress
/// and VitePress make a heading's id.
pub fn unaccented(slug: &str) -> String {
    slug.nfkd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .nfc()
        .collect()
}

/// A heading's text and its explicit id: Pandoc's attributes at the end,
/// `Intro {#sec-intro .unnumbered}` (or `{-}`), are not part of its text.
pub fn heading_attributes(heading: &str) -> (&str, Option<&str>) {
    let trimmed = heading.trim_end();
    let Some(open) = trimmed.rfind('{').filter(|_| trimmed.ends_with('}')) else {
        return (heading, None);
    };
    let inner = &trimmed[open + 1..trimmed.len() - 1];
    // Words that are not attributes: heading text (`Sets {a, b}`).
    match crate::syntax::attribute_block(inner) {
        Some(attributes) => (trimmed[..open].trim_end(), attributes.id),
        None => (heading, None),
    }
}

/// The identifier Pandoc gives a heading (`auto_identifiers`): letters,
/// digits, `_`, `-` and `.` kept, spaces as `-`, lower case, nothing before
/// the first letter; `section` if nothing is left.
pub fn pandoc_identifier(heading: &str) -> String {
    // Formatting goes, and with it a link's destination or an autolink.
    static MARKUP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\]\([^)]*\)|<[^>]*>").expect("the pattern compiles")
    });
    let text = MARKUP.replace_all(heading, "]");
    let kept: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.') || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase();
    match kept.find(char::is_alphabetic) {
        Some(first) => kept[first..].to_string(),
        None => "section".to_string(),
    }
}

/// The name of the Logseq page stored in a file of stem `stem`: Logseq
/// writes a namespace's `/` as `___` (its `:triple-lowbar` file names) and
/// percent-encodes what a file name cannot hold (`Why%3F` for `Why?`).
pub fn logseq_page_name(stem: &str) -> Cow<'_, str> {
    if !stem.contains("___") && !stem.contains('%') {
        return Cow::Borrowed(stem);
    }
    let name = stem.replace("___", "/");
    let mut bytes = Vec::with_capacity(name.len());
    let mut rest = name.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        let hex = (after.get(..2))
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex
            .filter(|_| byte == b'%')
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            Some(decoded) => {
                bytes.push(decoded);
                rest = &after[2..];
            }
            None => {
                bytes.push(byte);
                rest = after;
            }
        }
    }
    Cow::Owned(String::from_utf8(bytes).unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte-at-a-time ASCII path folds as the general one does.
        #[test]
        fn ascii_folds_as_every_name_does(name in "[\\x00-\\x7f]{0,40}") {
            proptest::prop_assert_eq!(fold_ascii(&name), fold(name.chars()));
        }
    }

    #[test]
    fn folds_case_width_whitespace_and_composition() {
        assert_eq!(normalize("  Chain  of\tThought "), "chain of thought");
        assert_eq!(normalize("ＧＰＴ－４"), "gpt-4");
        assert_eq!(normalize("思维链"), "思维链");
        // "é" as e + combining acute composes to the same name as U+00E9.
        assert_eq!(normalize("Cafe\u{301}"), normalize("Café"));
        assert_eq!(normalize("Straße"), "straße");
        assert_eq!(normalize("LLM\u{3000}Notes"), "llm notes");
    }

    #[test]
    fn heading_keys_drop_punctuation_symbols_and_markup() {
        assert_eq!(heading_key("Results 📈"), heading_key("results"));
        assert_eq!(heading_key("两次范式转换 🔄"), "两次范式转换");
        assert_ne!(heading_key("Results 2"), heading_key("Results"));
        for (heading, link) in [
            (
                "How large can each remote vault be?",
                "How large can each remote vault be",
            ),
            (
                "Chapter 3 (sections 3.1 to 3.5)",
                "Chapter 3 sections 3 1 to 3 5",
            ),
            ("Interpretação ($I$)", "Interpretação I"),
            ("[3] Dēclīnātiō **tertia**", "3 Dēclīnātiō tertia"),
            (
                "如何收起文件列表/左侧侧边栏/左侧面板",
                "如何收起文件列表 左侧侧边栏 左侧面板",
            ),
            ("在代码段里输入 `", "在代码段里输入"),
            ("नमस्ते दुनिया", "नमस्ते दुनिया"),
        ] {
            assert_eq!(heading_key(heading), heading_key(link), "{heading}");
        }
    }

    #[test]
    fn heading_attributes_and_pandoc_identifiers() {
        assert_eq!(
            heading_attributes("Intro 😀 {#sec-intro .unnumbered}"),
            ("Intro 😀", Some("sec-intro"))
        );
        assert_eq!(heading_attributes("Preface {-}"), ("Preface", None));
        assert_eq!(heading_attributes("Sets {a, b}"), ("Sets {a, b}", None));
        assert_eq!(heading_attributes("x {width=50%}"), ("x", None));
        assert_eq!(
            heading_attributes("Dogs {#dogs-1 key=\"a b\"}"),
            ("Dogs", Some("dogs-1"))
        );
        assert_eq!(
            pandoc_identifier("1.2 Scaling Laws: *why*?"),
            "scaling-laws-why"
        );
        assert_eq!(
            pandoc_identifier("Dogs?--in *my* house?"),
            "dogs--in-my-house"
        );
        assert_eq!(
            pandoc_identifier("[Link](/url) and `code`"),
            "link-and-code"
        );
        assert_eq!(pandoc_identifier("引言 第一节"), "引言-第一节");
        // Found in review: a link's destination was read as text.
        assert_eq!(
            pandoc_identifier("See [the paper](https://x.org/p) now"),
            "see-the-paper-now"
        );
        assert_eq!(pandoc_identifier("2024"), "section");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Scaling Laws!"), "scaling-laws");
        assert_eq!(slug("名词 解释"), "名词-解释");
        assert_eq!(
            unaccented(&slug("Vérification orthographique")),
            "verification-orthographique"
        );
        assert_eq!(unaccented(&slug("Thème 한국어 😀")), "theme-한국어-");
    }

    #[test]
    fn logseq_page_names_from_file_names() {
        assert_eq!(
            logseq_page_name("Quantum Hall Effect"),
            "Quantum Hall Effect"
        );
        assert_eq!(
            logseq_page_name("Article___Why Always Paulis%3F"),
            "Article/Why Always Paulis?"
        );
        assert_eq!(logseq_page_name("a___b___c"), "a/b/c");
        assert_eq!(logseq_page_name("100%"), "100%");
        assert_eq!(logseq_page_name("a%+1___b"), "a%+1/b");
        assert_eq!(logseq_page_name("%E9%87%8F%E5%AD%90"), "量子");
        // Not UTF-8 once decoded: left as it is.
        assert_eq!(logseq_page_name("bad%FF___x"), "bad%FF/x");
    }
}
