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

fn attribute_ids(text: &str) -> Vec<Spanned<String>> {
    let mut labels = Vec::new();
    for (at, _) in text.match_indices("{#") {
        let start = at + 2;
        let rest = &text[start..];
        let len = rest
            .find(|c: char| c.is_whitespace() || c == '}' || c == '{')
            .unwrap_or(rest.len());
        // An attribute block is short: look for its `}` nearby only, so that
        // a line of `{#` stays linear.
        let closed = rest.as_bytes()[len..]
            .iter()
            .take(256)
            .find(|&&b| matches!(b, b'}' | b'{' | b'\n' | b'\r'))
            == Some(&b'}');
        if len > 0 && closed {
            labels.push(Spanned {
                value: rest[..len].to_string(),
                range: start..start + len,
            });
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_ids_with_exact_ranges() {
        let text = "# 引言 😀 {#sec:intro .unnumbered}\r\n![图](a.png){#fig:plot width=50%}\n$$ x $$ {#eq:x}\n{#open and {#a}} {#}\n";
        let found: Vec<&str> = labels(text)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect();
        assert_eq!(found, ["sec:intro", "fig:plot", "eq:x", "a"]);
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
