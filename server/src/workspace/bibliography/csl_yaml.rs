//! CSL YAML: Pandoc's own bibliography format (`bibliography: refs.yaml`)
//! and the `references:` of a note's front matter. Items are a list at the
//! top of the document or under `references:`. Each is read as the CSL-JSON
//! it stands for (Pandoc's YAML dates turned into CSL's), so the two formats
//! share one conversion and one renderer.

use std::ops::Range;

use serde_json::{Map, Value};

use super::bibtex::MAX_ENTRIES;
use super::csl_json;
use super::{BibError, ParsedBibliography};
use crate::syntax::yaml::{self, scalar_range, Node};

/// Fields holding a date.
const DATE_FIELDS: [&str; 6] = [
    "issued",
    "accessed",
    "event-date",
    "original-date",
    "submitted",
    "available-date",
];

pub fn parse(text: &str) -> ParsedBibliography {
    let mut parsed = ParsedBibliography::default();
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => return parsed,
        Err(error) => {
            let at = error.at.unwrap_or(0);
            parsed.errors.push(BibError {
                range: at..at,
                message: format!("invalid YAML: {}", error.message),
            });
            return parsed;
        }
    };
    let items = match (&root, root.get("references")) {
        (Node::Seq(items, _), _) | (_, Some(Node::Seq(items, _))) => items,
        _ => {
            let first = text.len() - text.trim_start().len();
            parsed.errors.push(BibError {
                range: first..first,
                message: "CSL YAML must be a list of items, or have one under `references:`"
                    .to_string(),
            });
            return parsed;
        }
    };
    if items.len() > MAX_ENTRIES {
        parsed.errors.push(BibError {
            range: 0..0,
            message: format!(
                "the file has more than {MAX_ENTRIES} items; those after them were not read"
            ),
        });
    }
    for item in items.iter().take(MAX_ENTRIES) {
        let (Node::Map(_, range), Some(Node::Scalar(id, at))) = (item, item.get("id")) else {
            // The item's first line.
            let at = item.start();
            let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
            parsed.errors.push(BibError {
                range: at..end,
                message: "CSL item has no `id`".to_string(),
            });
            continue;
        };
        if id.is_empty() {
            continue;
        }
        let key_range = scalar_range(text, id, *at);
        let key_range = if key_range.is_empty() {
            *at..*at
        } else {
            key_range
        };
        let value = json(item, text, false);
        parsed.entries.push(csl_json::entry(
            &value,
            id.clone(),
            key_range,
            range.clone(),
        ));
    }
    parsed
}

/// The CSL-JSON of the item at `range` of `text`, read again on its own (for
/// rendering: entries keep no copy of their fields).
pub fn item_value(text: &str, range: Range<usize>) -> Option<Value> {
    // The item alone, at the column it has in the file: what comes before
    // it on its line (`- `, indentation) becomes blanks.
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let columns = text[line_start..range.start]
        .chars()
        .filter(|&c| c != '\u{feff}')
        .count();
    let blanks = " ".repeat(columns);
    let alone = format!("{blanks}{}", text.get(range)?);
    let node = yaml::parse(&alone).ok()??;
    matches!(node, Node::Map(..)).then(|| json(&node, &alone, false))
}

/// `node` as JSON. Scalars stay strings (CSL-JSON takes strings for
/// numbers), except the parts of a date.
fn json(node: &Node, text: &str, numbers: bool) -> Value {
    match node {
        Node::Scalar(s, at) => {
            let plain = !matches!(text.as_bytes().get(*at), Some(b'"' | b'\''));
            match s.parse::<i64>() {
                Ok(n) if numbers && plain => n.into(),
                _ => Value::String(s.clone()),
            }
        }
        Node::Seq(items, _) => items.iter().map(|i| json(i, text, numbers)).collect(),
        Node::Map(pairs, _) => {
            let mut out = Map::new();
            for (key, value) in pairs {
                let Some((key, _)) = key.as_scalar() else {
                    continue;
                };
                let value = if DATE_FIELDS.contains(&key) {
                    date(value, text)
                } else {
                    json(value, text, numbers || key == "date-parts")
                };
                out.insert(key.to_string(), value);
            }
            Value::Object(out)
        }
    }
}

/// A date as CSL-JSON has it, from any of the forms Pandoc reads: an EDTF
/// string (`2020`, `2020-05-01`, `2020/2021`), `{year, month, day}` or a
/// list of those (pandoc-citeproc), or CSL's own `date-parts`.
fn date(node: &Node, text: &str) -> Value {
    let parts = |node: &Node| -> Option<Value> {
        let parts: Vec<Value> = ["year", "month", "day"]
            .iter()
            .map_while(|field| node.get(field)?.as_scalar()?.0.trim().parse::<i64>().ok())
            .map(Value::from)
            .collect();
        (!parts.is_empty()).then_some(Value::Array(parts))
    };
    match node {
        Node::Scalar(s, _) => {
            let edtf = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '~' | '?'));
            let field = if edtf { "raw" } else { "literal" };
            serde_json::json!({ field: s })
        }
        Node::Map(..) => match parts(node) {
            Some(parts) => serde_json::json!({ "date-parts": [parts] }),
            None => json(node, text, false),
        },
        Node::Seq(items, _) => {
            let all: Vec<Value> = items.iter().filter_map(parts).collect();
            serde_json::json!({ "date-parts": all })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_at_the_top_or_under_references_with_exact_ranges() {
        let text = "---\nreferences:\n- id: 王2023😀\n  type: article-journal\n  title: 大模型的涌现\n  author:\n  - family: 王\n    given: 小明\n  issued: 2023-05\n- id: \"doe\"\n  title: First Book\n  issued:\n  - year: 2005\n  container-title: Journal\n...\n";
        let parsed = parse(text);
        assert_eq!(parsed.errors, []);
        let keys: Vec<&str> = parsed
            .entries
            .iter()
            .map(|e| &text[e.key_range.clone()])
            .collect();
        assert_eq!(keys, ["王2023😀", "doe"]);
        let first = &parsed.entries[0];
        assert_eq!(first.title.as_deref(), Some("大模型的涌现"));
        assert_eq!(first.authors[0].full_name(), "小明 王");
        assert_eq!(first.year.as_deref(), Some("2023"));
        assert!(text[first.range.clone()].ends_with("issued: 2023-05"));
        assert_eq!(parsed.entries[1].year.as_deref(), Some("2005"));

        let list = "- {id: a, title: T, issued: {date-parts: [[1999]]}}\n";
        let parsed = parse(list);
        assert_eq!(parsed.entries[0].year.as_deref(), Some("1999"));
        assert_eq!(
            &list[parsed.entries[0].range.clone()],
            &list[2..list.len() - 1]
        );
    }

    #[test]
    fn problems_are_errors_not_panics() {
        assert!(parse("title: no items\n").errors[0]
            .message
            .contains("list of items"));
        assert!(parse("- id: [unclosed\n").errors[0]
            .message
            .contains("invalid YAML"));
        let parsed = parse("- title: no id\n- id: ok\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.entries.len(), 1);
        // Found in review: a byte order mark lost items and fields.
        let bom = "\u{feff}- id: a\n  title: T\n- id: b\n";
        let parsed = parse(bom);
        assert_eq!(parsed.errors, []);
        let keys: Vec<&str> = parsed
            .entries
            .iter()
            .map(|e| &bom[e.key_range.clone()])
            .collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(parsed.entries[0].title.as_deref(), Some("T"));
        let value = item_value(bom, parsed.entries[0].range.clone()).unwrap();
        assert_eq!(value["title"], "T");
        assert_eq!(parse("\u{feff}references:\n- id: a\n").entries.len(), 1);
        assert!(parse("").entries.is_empty());
    }

    #[test]
    fn an_item_reads_again_on_its_own() {
        let text = "references:\n  - id: k\n    title: T\n    issued: 2020\n  - id: m\n";
        let parsed = parse(text);
        let value = item_value(text, parsed.entries[0].range.clone()).unwrap();
        assert_eq!(value["title"], "T");
        assert_eq!(value["issued"]["raw"], "2020");
    }
}
