//! Labels that cross-reference filters point at: the id of a Pandoc
//! attribute block, `# Intro {#sec:intro}`, `![Plot](a.png){#fig:plot}`,
//! `$$ E = mc^2 $$ {#eq:energy}`, `: Results {#tbl:results}`,
//! ```` ```{#lst:code .python} ````, `::: {#fig-panel}`, and a Quarto
//! chunk's `#| label: fig-plot`; and which citations are references to them
//! (`@sec:intro`, `[@fig:a; @fig:b]`, `@Fig:plot` as pandoc-crossref reads
//! them, `@fig-plot`, `@Fig-plot` as Quarto does).

use super::Spanned;

/// The prefixes of pandoc-crossref's references (its defaults).
const CROSSREF_PREFIXES: &[&str] = &["fig", "sec", "tbl", "eq", "lst"];

/// The label a citation key refers to if it is a pandoc-crossref reference:
/// `sec:intro` for `sec:intro` and for `Sec:intro` (capitalised at the
/// start of a sentence).
pub fn crossref_label(key: &str) -> Option<String> {
    let (prefix, rest) = key.split_once(':')?;
    (is_crossref_prefix(prefix) && !rest.is_empty())
        .then(|| format!("{}{}", prefix.to_ascii_lowercase(), &key[prefix.len()..]))
}

/// Whether `query` (a key being typed) starts with a pandoc-crossref
/// prefix and its colon: `fig:`, `Sec:m`.
pub fn starts_crossref(query: &str) -> bool {
    query
        .split_once(':')
        .is_some_and(|(prefix, _)| is_crossref_prefix(prefix))
}

/// `fig`, or `Fig` at the start of a sentence.
fn is_crossref_prefix(prefix: &str) -> bool {
    is_prefix_of(CROSSREF_PREFIXES, prefix)
}

/// Whether `prefix` is one of `prefixes`, or one capitalised.
fn is_prefix_of(prefixes: &[&str], prefix: &str) -> bool {
    prefixes
        .iter()
        // Compared as ASCII first, so the slices stay on char boundaries.
        .any(|p| p.eq_ignore_ascii_case(prefix) && prefix[1..] == p[1..])
}

/// `#| label: fig-plot` in a Quarto chunk (`//|`, `%%|` and `--|` in
/// languages whose comments start so: JavaScript and Graphviz, Mermaid,
/// SQL). The value may be quoted.
fn chunk_labels(text: &str) -> Vec<Spanned<String>> {
    let mut labels = Vec::new();
    for (at, _) in text.match_indices("| label:") {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let comment = text[line_start..at].trim_start();
        if !matches!(comment, "#" | "//" | "%%" | "--") {
            continue;
        }
        let value_start = at + "| label:".len();
        let line = &text[value_start..];
        let line = &line[..line.find(['\n', '\r']).unwrap_or(line.len())];
        let value = line.trim().trim_matches(['"', '\'']);
        if value.is_empty() || value.contains(char::is_whitespace) {
            continue;
        }
        let start = value_start + line.find(value).unwrap_or(0);
        labels.push(Spanned {
            value: value.to_string(),
            range: start..start + value.len(),
        });
    }
    labels
}

/// Whether `label` is one pandoc-crossref numbers (`fig:…`, `sec:…`, …).
pub fn is_crossref_label(label: &str) -> bool {
    crossref_label(label).is_some_and(|l| l == label)
}

/// Quarto's cross-reference kinds: `@fig-…` and friends are references to
/// labels, not citations.
const QUARTO_PREFIXES: &[&str] = &[
    "fig", "tbl", "lst", "tip", "nte", "wrn", "imp", "cau", "thm", "lem", "cor", "prp", "cnj",
    "def", "exm", "exr", "sol", "rem", "eq", "sec", "alg",
];

/// The label a citation key refers to if it is a Quarto cross-reference:
/// `fig-plot` for `fig-plot` and `Fig-plot`.
pub fn quarto_label(key: &str) -> Option<String> {
    let (prefix, rest) = key.split_once('-')?;
    (is_prefix_of(QUARTO_PREFIXES, prefix) && !rest.is_empty())
        .then(|| format!("{}{}", prefix.to_ascii_lowercase(), &key[prefix.len()..]))
}

/// Whether `query` (a key being typed) starts with a Quarto prefix and its
/// dash: `fig-`, `Tbl-x`.
pub fn starts_quarto(query: &str) -> bool {
    query
        .split_once('-')
        .is_some_and(|(prefix, _)| is_prefix_of(QUARTO_PREFIXES, prefix))
}

/// Whether `label` is one Quarto numbers (`fig-…`, `sec-…`, …).
pub fn is_quarto_label(label: &str) -> bool {
    quarto_label(label).is_some_and(|l| l == label)
}

/// The ids of the attribute blocks of `text` (`{#id .class key=value}`
/// closed on its line), the `label:` options of its Quarto chunks, and the
/// labels of its raw LaTeX (`\label{id}`, `\hypertarget{id}{…}`), which
/// references resolve to in LaTeX output.
pub(super) fn labels(text: &str) -> Vec<Spanned<String>> {
    let mut labels = attribute_ids(text);
    labels.extend(chunk_labels(text));
    for command in ["\\label{", "\\hypertarget{"] {
        for (at, _) in text.match_indices(command) {
            let start = at + command.len();
            let rest = &text[start..];
            let len = rest
                .find(|c: char| c.is_whitespace() || c == '}' || c == '{')
                .unwrap_or(rest.len());
            if len > 0 && rest[len..].starts_with('}') {
                labels.push(Spanned {
                    value: rest[..len].to_string(),
                    range: start..start + len,
                });
            }
        }
    }
    labels.sort_by_key(|l| l.range.start);
    labels
}

/// What a Pandoc attribute block (`{#id .class key=value}`) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attributes<'a> {
    /// The id (`#id`, in any place among the attributes), if any.
    pub id: Option<&'a str>,
}

/// The attributes of an attribute block's inside (between its braces):
/// `None` unless every blank-separated token is an id (`#x`), a class
/// (`.x`), a `key=value` or `-` (`Sets {a, b}` is text).
pub fn attribute_block(inner: &str) -> Option<Attributes<'_>> {
    let tokens = attribute_tokens(inner);
    let attribute = |token: &&str| {
        *token == "-"
            || token.starts_with(['#', '.'])
            || token
                .split_once('=')
                .is_some_and(|(k, _)| !k.is_empty() && !k.contains(['"', '\'']))
    };
    if tokens.is_empty() || !tokens.iter().all(attribute) {
        return None;
    }
    let id = tokens
        .iter()
        .find_map(|t| t.strip_prefix('#'))
        .filter(|id| !id.is_empty());
    Some(Attributes { id })
}

/// The blank-separated tokens of an attribute block's inside, a quoted
/// value (`key="a b"`) being part of its token.
fn attribute_tokens(inner: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    tokens.push(&inner[s..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        tokens.push(&inner[s..]);
    }
    tokens
}

/// Where the attribute block whose inside starts `rest` closes: its `}`
/// on the same line, braces in quoted values (`fig-pos="{r}{0.5}"`) left
/// aside. An attribute block is short: the `}` is looked for nearby only,
/// so that a line of `{` stays linear.
fn attribute_block_end(rest: &str) -> Option<usize> {
    let mut quote = None;
    for (at, b) in rest.bytes().enumerate().take(256) {
        match (quote, b) {
            (_, b'\n' | b'\r') => return None,
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'}') => return Some(at),
            (None, b'{') => return None,
            (None, _) => {}
        }
    }
    None
}

/// The ids of the attribute blocks closed on their line, the id among
/// other attributes (`{width=80% #fig:det}`, `{.unnumbered #sec:h}`), and
/// of HTML `<div id="fig:x">`s, which Pandoc reads as divs with that id
/// (pandoc-crossref's subfigures).
fn attribute_ids(text: &str) -> Vec<Spanned<String>> {
    let mut labels = Vec::new();
    for (open, _) in text.match_indices('{') {
        let rest = &text[open + 1..];
        let Some(close) = attribute_block_end(rest) else {
            continue;
        };
        let inner = &rest[..close];
        if !inner.contains('#') {
            continue;
        }
        if let Some(id) = attribute_block(inner).and_then(|a| a.id) {
            let start = open + 1 + (id.as_ptr() as usize - inner.as_ptr() as usize);
            labels.push(Spanned {
                value: id.to_string(),
                range: start..start + id.len(),
            });
        }
    }
    for (open, _) in text.match_indices("<div ") {
        let tag = &text[open..];
        let tag = &tag[..tag.find(['>', '\n', '\r']).unwrap_or(tag.len())];
        for quote in ['"', '\''] {
            let Some(at) = tag.find(&format!(" id={quote}")) else {
                continue;
            };
            let value = &tag[at + 5..];
            if let Some(len) = value.find(quote).filter(|&len| len > 0) {
                let start = open + at + 5;
                labels.push(Spanned {
                    value: value[..len].to_string(),
                    range: start..start + len,
                });
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_ids_with_exact_ranges() {
        let text = "# 引言 😀 {#sec:intro .unnumbered}\r\n![图](a.png){#fig:plot width=50%}\n$$ x $$ {#eq:x}\n{#open and {#a}} {#}\n\
                    ![c](a.png){width=80% #fig:det} # H {.unnumbered #sec:h}\n: Cap {.striped #tbl:t}\n\
                    {#not words} \\frac{a}{b} <div id=\"fig:umap😀\" class=\"subfigures\"> <div class='x' id='fig:b'>\n\
                    ::: {#fig-a fig-pos=\"{r}{0.5}\"}\n{#quoted title=\"a } b\"} {#unclosed a=\"}\n";
        let found: Vec<&str> = labels(text)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect();
        assert_eq!(
            found,
            [
                "sec:intro",
                "fig:plot",
                "eq:x",
                "a",
                "fig:det",
                "sec:h",
                "tbl:t",
                "fig:umap😀",
                "fig:b",
                "fig-a",
                "quoted"
            ]
        );
        let tex = "\\hypertarget{fig:b}{%\n\\caption{B}\\label{fig:b} \\label{bad label}";
        let found: Vec<&str> = labels(tex).iter().map(|l| &tex[l.range.clone()]).collect();
        assert_eq!(found, ["fig:b", "fig:b"]);
    }

    #[test]
    fn quarto_chunk_labels_and_references() {
        let text = "```{r}\n#| label: fig-plot😀\n#| fig-cap: x\n```\n```{mermaid}\n%%| label: \"fig-flow\"\n```\n不是 | label: x\n::: {#fig-panel}\n:::\n";
        let found: Vec<&str> = labels(text)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect();
        assert_eq!(found, ["fig-plot😀", "fig-flow", "fig-panel"]);
        assert_eq!(quarto_label("Fig-plot").as_deref(), Some("fig-plot"));
        assert_eq!(quarto_label("sec-a-b").as_deref(), Some("sec-a-b"));
        assert_eq!(quarto_label("doe-2020"), None);
        assert_eq!(quarto_label("fig-"), None);
        assert!(is_quarto_label("tbl-x") && !is_quarto_label("Tbl-x"));
        assert!(starts_quarto("fig-") && !starts_quarto("fig"));
    }

    #[test]
    fn crossref_references() {
        assert_eq!(crossref_label("sec:intro").as_deref(), Some("sec:intro"));
        assert_eq!(crossref_label("Fig:plot").as_deref(), Some("fig:plot"));
        assert_eq!(crossref_label("FIG:plot"), None);
        assert_eq!(crossref_label("doe:2020"), None);
        assert_eq!(crossref_label("sec:"), None);
        assert!(is_crossref_label("tbl:results"));
        assert!(!is_crossref_label("Tbl:results"));
        assert!(!is_crossref_label("intro"));
        assert!(starts_crossref("fig:") && starts_crossref("Sec:m"));
        assert!(!starts_crossref("fig") && !starts_crossref("é:x"));
        assert_eq!(crossref_label("é:x"), None);
    }
}
