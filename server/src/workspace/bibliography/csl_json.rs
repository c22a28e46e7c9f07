//! CSL-JSON (Zotero, Better BibTeX): an array of items with an `id`.
//!
//! serde_json reads the values; a small scanner over the same text finds
//! the byte span of each item and of its `id`, which serde_json does not
//! keep.

use std::ops::Range;

use serde_json::Value;

use super::{BibEntry, BibError, ParsedBibliography, Person};
use crate::line_index::{ColumnUnit, LineCol, LineIndex};

pub fn parse(text: &str) -> ParsedBibliography {
    let mut parsed = ParsedBibliography::default();
    let items = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            parsed.errors.push(BibError {
                range: 0..text.len().min(1),
                message: "CSL-JSON must be an array of items".to_string(),
            });
            return parsed;
        }
        Err(error) => {
            let at = error_offset(text, error.line(), error.column());
            parsed.errors.push(BibError {
                range: at..at,
                message: format!("invalid JSON: {error}"),
            });
            return parsed;
        }
    };
    let spans = item_spans(text);
    for (i, item) in items.iter().enumerate() {
        let span = spans.get(i).cloned().unwrap_or_default();
        let Some(key) = item.get("id").and_then(id_string) else {
            parsed.errors.push(BibError {
                range: span.item.start..span.item.start + 1,
                message: "CSL-JSON item has no \"id\"".to_string(),
            });
            continue;
        };
        parsed.entries.push(BibEntry {
            key,
            key_range: span.id.unwrap_or(span.item.clone()),
            range: span.item,
            kind: string(item, "type").unwrap_or_default(),
            title: string(item, "title"),
            authors: authors(item),
            year: year(item),
            container: string(item, "container-title"),
            doi: string(item, "DOI"),
            url: string(item, "URL"),
            arxiv: arxiv(item),
            file: None,
            abstract_text: string(item, "abstract"),
        });
    }
    parsed
}

fn id_string(id: &Value) -> Option<String> {
    match id {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn string(item: &Value, key: &str) -> Option<String> {
    match item.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(values) => values.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn authors(item: &Value) -> Vec<Person> {
    let Some(Value::Array(people)) = item.get("author") else {
        return Vec::new();
    };
    let text = |p: &Value, key: &str| p.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    people
        .iter()
        .filter_map(|p| {
            if let Some(literal) = p.get("literal").and_then(Value::as_str) {
                return Some(Person {
                    family: literal.to_string(),
                    given: String::new(),
                });
            }
            let particle = text(p, "non-dropping-particle");
            let family = text(p, "family");
            let family = if particle.is_empty() {
                family
            } else {
                format!("{particle} {family}")
            };
            let person = Person {
                family,
                given: text(p, "given"),
            };
            (!person.family.is_empty() || !person.given.is_empty()).then_some(person)
        })
        .collect()
}

fn year(item: &Value) -> Option<String> {
    let issued = item.get("issued")?;
    if let Some(year) = issued.pointer("/date-parts/0/0") {
        return match year {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
    }
    issued
        .get("raw")
        .and_then(Value::as_str)
        .map(|raw| raw.chars().take_while(|c| c.is_ascii_digit()).collect())
}

fn arxiv(item: &Value) -> Option<String> {
    let number = string(item, "number")?;
    let publisher = string(item, "publisher").or_else(|| string(item, "container-title"))?;
    publisher
        .to_ascii_lowercase()
        .contains("arxiv")
        .then_some(number)
}

fn error_offset(text: &str, line: usize, column: usize) -> usize {
    // serde_json counts lines from 1 and columns from 1, in characters.
    let index = LineIndex::new(text);
    let pos = LineCol {
        line: line.saturating_sub(1) as u32,
        col: column.saturating_sub(1) as u32,
    };
    index.offset(text, pos, ColumnUnit::Utf32)
}

#[derive(Debug, Clone, Default)]
struct ItemSpan {
    item: Range<usize>,
    id: Option<Range<usize>>,
}

/// The spans of the top-level array's objects and of each object's `"id"`
/// value (without quotes). Called only on text serde_json accepted.
fn item_spans(text: &str) -> Vec<ItemSpan> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut current: Option<ItemSpan> = None;
    // Inside an item: the last string read at depth 2 and whether a `:`
    // followed it (so the next value belongs to that key).
    let mut last_key: Option<Range<usize>> = None;
    let mut expecting_value = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let string = start..i.min(bytes.len());
                if depth == 2 {
                    if expecting_value {
                        if last_key.as_ref().is_some_and(|k| &text[k.clone()] == "id") {
                            if let Some(item) = current.as_mut() {
                                item.id = Some(string);
                            }
                        }
                        expecting_value = false;
                    } else {
                        last_key = Some(string);
                    }
                }
            }
            b':' if depth == 2 => expecting_value = true,
            b',' if depth == 2 => expecting_value = false,
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 && bytes[i] == b'{' {
                    current = Some(ItemSpan {
                        item: i..i,
                        id: None,
                    });
                }
                if depth == 3 {
                    expecting_value = false;
                }
            }
            b'}' | b']' => {
                if depth == 2 {
                    if let Some(mut item) = current.take() {
                        item.item.end = i + 1;
                        spans.push(item);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            c if depth == 2 && expecting_value && (c.is_ascii_digit() || c == b'-') => {
                // A numeric id.
                let start = i;
                while i + 1 < bytes.len()
                    && (bytes[i + 1].is_ascii_alphanumeric() || b".-+".contains(&bytes[i + 1]))
                {
                    i += 1;
                }
                if last_key.as_ref().is_some_and(|k| &text[k.clone()] == "id") {
                    if let Some(item) = current.as_mut() {
                        item.id = Some(start..i + 1);
                    }
                }
                expecting_value = false;
            }
            _ => {}
        }
        i += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_with_spans() {
        let text = r#"[
  {"id": "wei2022chain", "type": "paper-conference", "title": "Chain-of-Thought Prompting",
   "author": [{"family": "Wei", "given": "Jason"}, {"literal": "Google Brain"}],
   "issued": {"date-parts": [[2022, 1]]}, "note": "has \"id\": inside"},
  {"type": "article", "id": 42, "title": "Numbers"}
]"#;
        let parsed = parse(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let first = &parsed.entries[0];
        assert_eq!(&text[first.key_range.clone()], "wei2022chain");
        let names: Vec<String> = first.authors.iter().map(|p| p.full_name()).collect();
        assert_eq!(names, ["Jason Wei", "Google Brain"]);
        assert_eq!(first.year.as_deref(), Some("2022"));
        assert!(text[first.range.clone()].starts_with('{'));
        assert_eq!(&text[parsed.entries[1].key_range.clone()], "42");
    }

    #[test]
    fn not_an_array_or_not_json() {
        assert!(parse(r#"{"id": "x"}"#).errors[0].message.contains("array"));
        let bad = parse("[\n  {\"id\": }\n]");
        assert!(bad.errors[0].message.contains("invalid JSON"));
        assert_eq!(bad.errors[0].range.start, 11); // the `}`
    }
}
