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
/// SQL), and `#| lst-label: lst-code`, which labels the chunk's code as a
/// listing. The value may be quoted.
fn chunk_labels(text: &str) -> Vec<Spanned<String>> {
    let mut labels = Vec::new();
    for at in memchr::memmem::find_iter(text.as_bytes(), b"label:") {
        let Some(option) = text[..at]
            .strip_suffix("| ")
            .or_else(|| text[..at].strip_suffix("| lst-"))
        else {
            continue;
        };
        // The comment mark and its indent are short: the line's start is
        // looked for nearby only, so that a line of `| label:` stays
        // linear.
        let nearby = option.len().saturating_sub(64);
        let line_start = match option.as_bytes()[nearby..]
            .iter()
            .rposition(|&b| b == b'\n' || b == b'\r')
        {
            Some(i) => nearby + i + 1,
            None if nearby == 0 => 0,
            None => continue,
        };
        let comment = option[line_start..].trim_start();
        if !matches!(comment, "#" | "//" | "%%" | "--") {
            continue;
        }
        let value_start = at + "label:".len();
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

/// The labels of notebook cells a Quarto page embeds
/// (`{{< embed notebook.ipynb#fig-plot >}}`): the cell's figure is the
/// page's, and `@fig-plot` refers to it.
fn embedded_labels(text: &str) -> Vec<Spanned<String>> {
    let mut labels = Vec::new();
    const EMBED: &str = "{{< embed ";
    for at in memchr::memmem::find_iter(text.as_bytes(), EMBED.as_bytes()) {
        let start = at + EMBED.len();
        let rest = &text[start..];
        let path = &rest[..rest
            .find([' ', '\t', '>', '\n', '\r'])
            .unwrap_or(rest.len())];
        if let Some((_, label)) = path.split_once('#').filter(|(_, l)| !l.is_empty()) {
            let label_start = start + path.len() - label.len();
            labels.push(Spanned {
                value: label.to_string(),
                range: label_start..label_start + label.len(),
            });
        }
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

/// The figure or table whose subfigure `label` is: Quarto numbers the
/// subcaptions of a chunk labelled `fig-plot` (`fig-subcap:`) as
/// `fig-plot-1`, `fig-plot-2`, ….
pub fn subfloat_parent(label: &str) -> Option<&str> {
    let (parent, number) = label.rsplit_once('-')?;
    let numbered = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    (numbered && (parent.starts_with("fig-") || parent.starts_with("tbl-"))).then_some(parent)
}

/// Whether `label` is one Quarto numbers (`fig-…`, `sec-…`, …).
pub fn is_quarto_label(label: &str) -> bool {
    quarto_label(label).is_some_and(|l| l == label)
}

/// The ids of the attribute blocks of `text` (`{#id .class key=value}`
/// closed within its paragraph), the `label:` options of its Quarto chunks, and the
/// labels of its raw LaTeX (`\label{id}`, `\hypertarget{id}{…}`), which
/// references resolve to in LaTeX output.
pub(super) fn labels(text: &str) -> Vec<Spanned<String>> {
    let mut labels = attribute_ids(text);
    labels.extend(chunk_labels(text));
    labels.extend(embedded_labels(text));
    labels.extend(myst_targets(text));
    for command in ["\\label{", "\\hypertarget{"] {
        for at in memchr::memmem::find_iter(text.as_bytes(), command.as_bytes()) {
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

/// MyST's targets: a `(label)=` line (before a heading or block), a
/// directive's `:label:` or `:name:` option, a block break's `+++
/// {"label": …}` and a page's own `label:` in its front matter. MyST's
/// `[](#label)` and `@label` point at them.
fn myst_targets(text: &str) -> Vec<Spanned<String>> {
    let mut labels = Vec::new();
    // Most notes hold none: their lines are not looked at one by one.
    let may_hold = [")=", "label:", ":name:", "+++"]
        .iter()
        .any(|mark| memchr::memmem::find(text.as_bytes(), mark.as_bytes()).is_some());
    if !may_hold {
        return labels;
    }
    let mut start = 0;
    let mut in_front_matter = false;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let delimiter = content.trim_end() == "---" || (in_front_matter && content == "...");
        if delimiter && (index == 0 || in_front_matter) {
            in_front_matter = index == 0;
        }
        let indent = content.len() - content.trim_start_matches([' ', '\t']).len();
        let rest = &content[indent..];
        let label = if in_front_matter && indent == 0 {
            rest.strip_prefix("label:")
                .map(|value| value.trim().trim_matches(['"', '\'']))
        } else if let Some(inner) = rest.strip_prefix('(') {
            inner.trim_end().strip_suffix(")=")
        } else if let Some(metadata) = rest.strip_prefix("+++") {
            // A block break's metadata: `+++ {"label": "downloads"}`.
            let value = metadata
                .split_once("\"label\"")
                .map(|(_, v)| v.trim_start());
            value
                .and_then(|v| v.strip_prefix(':'))
                .and_then(|v| v.trim_start().strip_prefix('"'))
                .and_then(|v| v.split_once('"'))
                .map(|(label, _)| label)
        } else {
            [":label:", ":name:"]
                .iter()
                .find_map(|option| rest.strip_prefix(option))
                .filter(|value| value.starts_with([' ', '\t']))
                .map(str::trim)
        };
        let valid = |l: &&str| {
            !l.is_empty() && !l.contains(|c: char| c.is_whitespace() || "()".contains(c))
        };
        if let Some(label) = label.filter(valid) {
            let at = start + (label.as_ptr() as usize - line.as_ptr() as usize);
            labels.push(Spanned {
                value: label.to_string(),
                range: at..at + label.len(),
            });
        }
        start += line.len();
    }
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

/// Where the attribute block whose inside starts `rest` closes: its `}`,
/// braces in quoted values (`fig-pos="{r}{0.5}"`) left aside, on its line
/// or a later line of its paragraph (Pandoc reads `{#fig:y⏎width=5%}` as
/// one block). An attribute block is short: the `}` is looked for nearby
/// only, so that a line of `{` stays linear.
fn attribute_block_end(rest: &str) -> Option<usize> {
    attribute_block_close(rest, 256, Lines::OfParagraph).ok()
}

/// How far an attribute block may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lines {
    /// Its line only.
    One,
    /// The lines of its paragraph: up to a blank line.
    OfParagraph,
}

/// Where the attribute block whose inside starts `rest` closes, looking
/// at `limit` bytes at most: `Ok` with its `}`, or `Err` with where the
/// look stopped (a line break it may not cross, a `{` outside quotes, the
/// end or the limit).
pub(super) fn attribute_block_close(
    rest: &str,
    limit: usize,
    lines: Lines,
) -> Result<usize, usize> {
    let bytes = rest.as_bytes();
    // A line break ends the paragraph when only blanks follow it on the
    // next line (or nothing does).
    let ends_paragraph = |at: usize| {
        let next = &bytes[at + 1..];
        let next = next
            .strip_prefix(b"\n")
            .filter(|_| bytes[at] == b'\r')
            .unwrap_or(next);
        let blank = next
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        matches!(next.get(blank), None | Some(b'\n' | b'\r'))
    };
    let mut quote = None;
    for (at, &b) in bytes.iter().enumerate().take(limit) {
        match (quote, b) {
            (_, b'\n' | b'\r') if lines == Lines::One || ends_paragraph(at) => return Err(at),
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'}') => return Ok(at),
            (None, b'{') => return Err(at),
            (None, _) => {}
        }
    }
    Err(rest.len().min(limit))
}

/// The ids of the attribute blocks closed within their paragraph, the id among
/// other attributes (`{width=80% #fig:det}`, `{.unnumbered #sec:h}`), and
/// of HTML elements: `<div id="fig:x">`, which Pandoc reads as a div with
/// that id (pandoc-crossref's subfigures), and the `<a id="x">`, `<a
/// name="x">` and `<span id="x">` that notes put where a link should land
/// (found on zettelkasten.de).
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
    for (open, _) in text.match_indices('<') {
        let tag = &text[open + 1..];
        // Up to its `>`, or the next `<`: a line of `<` stays linear.
        let end = tag
            .bytes()
            .position(|b| matches!(b, b'>' | b'<' | b'\n' | b'\r'))
            .unwrap_or(tag.len());
        let tag = &tag[..end];
        // `<h3 id="…">`: a name is a letter, then letters or digits.
        let name_len = tag.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic())
            || !tag[name_len..].starts_with([' ', '\t'])
        {
            continue;
        }
        let is_anchor = tag[..name_len].eq_ignore_ascii_case("a");
        for attribute in ["id", "name"]
            .into_iter()
            .filter(|&a| a == "id" || is_anchor)
        {
            for quote in ['"', '\''] {
                let written = format!("{attribute}={quote}");
                let Some(at) = tag
                    .match_indices(&written)
                    .map(|(at, _)| at)
                    .find(|&at| tag[..at].ends_with([' ', '\t']))
                else {
                    continue;
                };
                let value = &tag[at + written.len()..];
                if let Some(len) = value.find(quote).filter(|&len| len > 0) {
                    let start = open + 1 + at + written.len();
                    labels.push(Spanned {
                        value: value[..len].to_string(),
                        range: start..start + len,
                    });
                }
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn myst_targets_with_exact_ranges() {
        let text = "---\nlabel: \"page-a\"\ntitle: x\n---\n(intro😀)=\r\n# 引言\n+++ {\"label\": \"dl\", \"x\": 1}\n+++\n```{figure} a.png\n:label: fig-a\n:name:\tfig:b \n```\n  (x)= \n(a b)=\n( )=\n(f(x))=\n:label:nospace\n";
        let targets = myst_targets(text);
        let found: Vec<&str> = targets
            .iter()
            .map(|l| {
                assert_eq!(&text[l.range.clone()], l.value);
                l.value.as_str()
            })
            .collect();
        assert_eq!(found, ["page-a", "intro😀", "dl", "fig-a", "fig:b", "x"]);
        // Not a front matter's past its end, nor a `label:` line in text.
        let text = "# T\n---\nlabel: no\n---\nlabel: no\n";
        assert!(myst_targets(text).is_empty());
    }

    #[test]
    fn attribute_ids_with_exact_ranges() {
        let text = "# 引言 😀 {#sec:intro .unnumbered}\r\n![图](a.png){#fig:plot width=50%}\n$$ x $$ {#eq:x}\n{#open and {#a}} {#}\n\
                    ![c](a.png){width=80% #fig:det} # H {.unnumbered #sec:h}\n: Cap {.striped #tbl:t}\n\
                    {#not words} \\frac{a}{b} <div id=\"fig:umap😀\" class=\"subfigures\"> <div class='x' id='fig:b'> <h3 id=\"1-my-header\">\n\
                    ::: {#fig-a fig-pos=\"{r}{0.5}\"}\n{#quoted title=\"a } b\"} {#unclosed a=\"}\n\
                    <a id=\"_refs\"></a> <a href=\"\" name=\"cmp😀\"></a> <span class=x id='y'>y</span> <p name=\"no\"> <a data-id=\"no\"> <b>id=\"no\"</b>\n";
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
                "1-my-header",
                "fig-a",
                "quoted",
                "_refs",
                "cmp😀",
                "y"
            ]
        );
        // Over a line break within a paragraph, as Pandoc reads them; not
        // over a blank line.
        let text =
            "![图](a.png){#fig:y short=\"a 😀\r\nb\" width=5%}\n[term]{#def-t\n.k} {#split\n\n}\n";
        let found: Vec<&str> = labels(text)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect();
        assert_eq!(found, ["fig:y", "def-t"]);
        let tex = "\\hypertarget{fig:b}{%\n\\caption{B}\\label{fig:b} \\label{bad label}";
        let found: Vec<&str> = labels(tex).iter().map(|l| &tex[l.range.clone()]).collect();
        assert_eq!(found, ["fig:b", "fig:b"]);
    }

    #[test]
    fn quarto_chunk_labels_and_references() {
        let text = "```{r}\n#| label: fig-plot😀\n#| fig-cap: x\n```\n```{mermaid}\n%%| label: \"fig-flow\"\n```\n不是 | label: x\n::: {#fig-panel}\n:::\n```{python}\n#| lst-label: lst-import\n#| x-label: no\n```\n";
        let found: Vec<&str> = labels(text)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect();
        assert_eq!(found, ["fig-plot😀", "fig-flow", "fig-panel", "lst-import"]);
        let text = "见 😀\n{{< embed nb/计算.ipynb#fig-viz echo=true >}}\n{{< embed nb.ipynb >}}\n{{< embed nb.ipynb# >}}\n";
        let found: Vec<&str> = labels(text)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect();
        assert_eq!(found, ["fig-viz"]);
        assert_eq!(subfloat_parent("fig-mpg-1"), Some("fig-mpg"));
        assert_eq!(subfloat_parent("tbl-a-12"), Some("tbl-a"));
        assert_eq!(subfloat_parent("fig-mpg-a"), None);
        assert_eq!(subfloat_parent("sec-a-1"), None);
        assert_eq!(subfloat_parent("fig-1"), None);
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
