//! CSL-JSON (Zotero, Better BibTeX): an array of items with an `id`.
//!
//! The array is read one item at a time (serde_json hands each item over as
//! a slice of the text, which also gives its span), so a huge file costs
//! one item's worth of memory beyond the entries kept, and a file of
//! millions of tiny values stops at [`MAX_ENTRIES`] items. A small scanner
//! finds the span of each item's `id`, which serde_json does not keep.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::ops::Range;

use serde::de::{Deserializer, Error as _, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::bibtex::MAX_ENTRIES;
use super::{BibEntry, BibError, ParsedBibliography, Person};
use crate::line_index::{ColumnUnit, LineCol, LineIndex};

/// The text of one item, at most (real items are a few kilobytes).
const MAX_ITEM_SIZE: usize = 1024 * 1024;

/// Collects the items of the top-level array, up to [`MAX_ENTRIES`].
struct Items<'a, 'de> {
    items: &'a RefCell<Vec<&'de RawValue>>,
    /// Set when reading stopped at the limit.
    truncated: &'a Cell<bool>,
}

impl<'de> Visitor<'de> for Items<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an array of CSL items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            let mut items = self.items.borrow_mut();
            if items.len() == MAX_ENTRIES {
                self.truncated.set(true);
                return Err(A::Error::custom("too many items"));
            }
            items.push(item);
        }
        Ok(())
    }
}

pub fn parse(text: &str) -> ParsedBibliography {
    let mut parsed = ParsedBibliography::default();
    // A byte order mark is not JSON; three spaces in its place keep every
    // offset.
    let text: Cow<str> = match text.strip_prefix('\u{feff}') {
        Some(rest) => Cow::Owned(format!("   {rest}")),
        None => Cow::Borrowed(text),
    };
    let text = text.as_ref();
    let first = text.len() - text.trim_start().len();
    if !text[first..].starts_with('[') {
        parsed.errors.push(BibError {
            // The first character that is not blank, whole (any character
            // may be there; a byte order mark is not, it was blanked).
            range: first..first + text[first..].chars().next().map_or(0, char::len_utf8),
            message: "CSL-JSON must be an array of items".to_string(),
        });
        return parsed;
    }
    let (items, truncated) = (RefCell::new(Vec::new()), Cell::new(false));
    let mut reader = serde_json::Deserializer::from_str(text);
    let read = reader
        .deserialize_seq(Items {
            items: &items,
            truncated: &truncated,
        })
        .and_then(|()| reader.end());
    if let Err(error) = read {
        let at = error_offset(text, error.line(), error.column());
        if !truncated.get() {
            parsed.errors.push(BibError {
                range: at..at,
                message: format!("invalid JSON: {error}"),
            });
            return parsed;
        }
        // The items read so far are used.
        parsed.errors.push(BibError {
            range: at..at,
            message: format!(
                "the file has more than {MAX_ENTRIES} items; those after them were not read"
            ),
        });
    }
    for raw in items.into_inner() {
        let item_text = raw.get();
        let start = item_text.as_ptr() as usize - text.as_ptr() as usize;
        let span = start..start + item_text.len();
        if item_text.len() > MAX_ITEM_SIZE {
            parsed.errors.push(BibError {
                range: span.start..span.start + 1,
                message: format!(
                    "CSL-JSON item is {} bytes, over the limit of {MAX_ITEM_SIZE}; not read",
                    item_text.len()
                ),
            });
            continue;
        }
        let Ok(item) = serde_json::from_str::<Value>(item_text) else {
            continue;
        };
        // Manubot's references written by hand may name an item by its
        // `standard_citation` alone (`infer_id`).
        let id = item.get("id").or_else(|| item.get("standard_citation"));
        let Some(key) = id.and_then(id_string) else {
            parsed.errors.push(BibError {
                range: span.start..span.start + 1,
                message: "CSL-JSON item has no \"id\"".to_string(),
            });
            continue;
        };
        let key_range =
            id_span(item_text).map_or(span.clone(), |id| start + id.start..start + id.end);
        parsed.entries.push(entry(&item, key, key_range, span));
    }
    parsed
}

/// The entry a CSL item (JSON, or YAML read as JSON) describes.
pub(super) fn entry(
    item: &Value,
    key: String,
    key_range: Range<usize>,
    range: Range<usize>,
) -> BibEntry {
    BibEntry {
        key,
        key_range,
        range,
        kind: string(item, "type").unwrap_or_default(),
        title: string(item, "title"),
        short_title: string(item, "title-short").or_else(|| string(item, "shortTitle")),
        authors: authors(item),
        year: year(item),
        container: string(item, "container-title"),
        doi: string(item, "DOI"),
        url: string(item, "URL"),
        arxiv: arxiv(item),
        file: None,
        abstract_text: string(item, "abstract"),
    }
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
        .or_else(|| issued.get("literal"))
        .and_then(Value::as_str)
        .map(|raw| {
            raw.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
        })
        .filter(|year| !year.is_empty())
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
    // serde_json counts lines from 1 and columns from 1, in bytes.
    let index = LineIndex::new(text);
    let pos = LineCol {
        line: line.saturating_sub(1) as u32,
        col: column.saturating_sub(1) as u32,
    };
    index.offset(text, pos, ColumnUnit::Utf8)
}

/// The span of the `"id"` value (without quotes) of one item's text,
/// which serde_json accepted.
fn id_span(item: &str) -> Option<Range<usize>> {
    let bytes = item.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // The last string read at depth 1 and whether a `:` followed it (so the
    // next value belongs to that key).
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
                if depth == 1 {
                    if expecting_value {
                        if last_key.as_ref().is_some_and(|k| &item[k.clone()] == "id") {
                            return Some(string);
                        }
                        expecting_value = false;
                    } else {
                        last_key = Some(string);
                    }
                }
            }
            b':' if depth == 1 => expecting_value = true,
            b',' if depth == 1 => expecting_value = false,
            b'{' | b'[' => {
                depth += 1;
                expecting_value &= depth == 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            c if depth == 1 && expecting_value && (c.is_ascii_digit() || c == b'-') => {
                // A numeric id.
                let start = i;
                while i + 1 < bytes.len()
                    && (bytes[i + 1].is_ascii_alphanumeric() || b".-+".contains(&bytes[i + 1]))
                {
                    i += 1;
                }
                if last_key.as_ref().is_some_and(|k| &item[k.clone()] == "id") {
                    return Some(start..i + 1);
                }
                expecting_value = false;
            }
            _ => {}
        }
        i += 1;
    }
    None
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
    fn a_byte_order_mark_is_not_an_error() {
        let text = "\u{feff}[{\"id\": \"k\", \"title\": \"T\"}]";
        let parsed = parse(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(&text[parsed.entries[0].key_range.clone()], "k");
    }

    #[test]
    fn not_an_array_or_not_json() {
        assert!(parse(r#"{"id": "x"}"#).errors[0].message.contains("array"));
        let bad = parse("[\n  {\"id\": }\n]");
        assert!(bad.errors[0].message.contains("invalid JSON"));
        assert_eq!(bad.errors[0].range.start, 11); // the `}`
                                                   // serde_json's columns are bytes: on a line with CJK the error is
                                                   // still on the `}`.
        let text = "[\n  {\"标题\": }\n]";
        let bad = parse(text);
        assert_eq!(&text[bad.errors[0].range.start..][..1], "}");
    }

    /// Found by the `bibliography` fuzz target: a file starting with a
    /// character of several bytes (or a byte order mark) got an error range
    /// splitting it.
    #[test]
    fn not_an_array_starting_with_a_wide_character() {
        for (text, wrong) in [
            ("\u{fffd}{\"id\": \"x\"}", "\u{fffd}"),
            ("文献", "文"),
            ("🦀", "🦀"),
            ("\u{feff} {\"id\": \"x\"}", "{"),
            ("\u{feff}  ", ""),
        ] {
            let range = parse(text).errors[0].range.clone();
            assert_eq!(&text[range.clone()], wrong, "{text:?}: {range:?}");
        }
    }
}
