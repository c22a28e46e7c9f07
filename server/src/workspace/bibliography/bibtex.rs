//! BibTeX/BibLaTeX through the `biblatex` crate, with error recovery.
//!
//! `biblatex` keeps byte spans of entries and keys and resolves `@string`
//! macros, month macros, LaTeX accents and `crossref`, but its parser stops at
//! the first error. So the file is cut into chunks, one per `@` that starts a
//! line, and each chunk is parsed on its own: a malformed entry costs only
//! itself. The good chunks are then resolved together, so that `@string`
//! macros defined anywhere in the file apply.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use biblatex::{Bibliography, ChunksExt, Entry, RawBibliography, RawChunk};

use super::{BibEntry, BibError, ParsedBibliography, Person};

/// How many entries with unresolvable macros or cross-references are taken
/// out one by one before the rest are resolved entry by entry.
const MAX_RESOLVE_RETRIES: usize = 16;
/// `biblatex` resolves `@string` macros and `crossref`/`xdata` parents
/// recursively, with no guard: a cycle, or a chain deep enough, overflows
/// the stack and kills the process. Chains longer than this (real files
/// have one or two levels) and cycles are taken out before resolving.
const MAX_REFERENCE_DEPTH: usize = 32;
/// Entries resolved together when no entry has a `crossref`/`xdata` parent.
const RESOLVE_BATCH: usize = 2000;

pub fn parse(text: &str) -> ParsedBibliography {
    let mut parsed = ParsedBibliography::default();
    // The chunks that parsed, for resolving fields afterwards.
    let mut good: Vec<Range<usize>> = Vec::new();
    let mut seen = HashSet::new();

    for chunk in chunks(text) {
        let source = &text[chunk.clone()];
        match RawBibliography::parse(source) {
            Ok(raw) => {
                let mut keep = true;
                for entry in &raw.entries {
                    let key = entry.v.key.v.to_string();
                    let key_range = shift(&entry.v.key.span, chunk.start);
                    if !seen.insert(key.clone()) {
                        // Reported by the workspace as duplicate-citation-key;
                        // the first definition wins.
                        keep = false;
                    }
                    parsed.entries.push(BibEntry {
                        key,
                        key_range,
                        range: with_closing_delimiter(text, shift(&entry.span, chunk.start)),
                        kind: entry.v.kind.v.to_ascii_lowercase(),
                        ..BibEntry::default()
                    });
                }
                if keep {
                    good.push(chunk);
                }
            }
            Err(error) => parsed.errors.push(chunk_error(text, &chunk, &error)),
        }
    }

    let has_parents = drop_unresolvable_chains(text, &mut good, &mut parsed.errors);
    // The first entry of each key is the one resolved.
    let mut by_key = HashMap::new();
    for (i, entry) in parsed.entries.iter().enumerate() {
        by_key.entry(entry.key.clone()).or_insert(i);
    }
    if has_parents {
        // A parent may be anywhere in the file: resolve it all at once.
        resolve_fields(text, &good, &by_key, &mut parsed);
    } else {
        // biblatex's resolved form of a whole large export takes many
        // times the file's size; in batches (each with every `@string`
        // in front) only one batch of it is alive at a time.
        let (strings, entries): (Vec<_>, Vec<_>) = good
            .iter()
            .cloned()
            .partition(|c| is_string_chunk(&text[c.clone()]));
        for batch in entries.chunks(RESOLVE_BATCH) {
            let chunks: Vec<Range<usize>> = strings.iter().chain(batch).cloned().collect();
            resolve_fields(text, &chunks, &by_key, &mut parsed);
        }
        if entries.is_empty() {
            resolve_fields(text, &strings, &by_key, &mut parsed);
        }
        // A bad `@string` is reported by every batch; once is enough.
        let mut seen = HashSet::new();
        parsed
            .errors
            .retain(|e| seen.insert((e.range.clone(), e.message.clone())));
    }
    parsed.strings = good
        .iter()
        .map(|c| &text[c.clone()])
        .filter(|c| {
            c.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("@string"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    parsed
}

/// Byte ranges that each start at an `@` that begins a line (after
/// indentation) and run to the next one.
fn chunks(text: &str) -> Vec<Range<usize>> {
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('@') {
            starts.push(line_start + line.len() - trimmed.len());
        }
        line_start += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        out.push(start..end);
    }
    out
}

/// An error in a chunk. One at the very end of the chunk (an unclosed
/// entry) is reported on the entry's first line, where the fix is.
fn chunk_error(text: &str, chunk: &Range<usize>, error: &biblatex::ParseError) -> BibError {
    let source = &text[chunk.clone()];
    let header = &source[..first_line_len(source)];
    let name = header
        .split_once('{')
        .map(|(_, rest)| rest.split([',', '}']).next().unwrap_or("").trim())
        .filter(|key| !key.is_empty())
        .map_or_else(String::new, |key| format!(" '{key}'"));
    let at_end = error.span.start >= source.trim_end().len();
    if at_end {
        BibError {
            range: chunk.start..chunk.start + header.len(),
            message: format!(
                "malformed entry{name}: {} (is a closing brace missing?)",
                error.kind
            ),
        }
    } else {
        BibError {
            range: clamp(shift(&error.span, chunk.start), chunk.end),
            message: format!("malformed entry{name}: {}", error.kind),
        }
    }
}

/// biblatex's entry span stops before the closing `}` (or `)`); the entry
/// includes it.
fn with_closing_delimiter(text: &str, range: Range<usize>) -> Range<usize> {
    let rest = &text[range.end..];
    let blank = rest.len() - rest.trim_start().len();
    match rest.trim_start().chars().next() {
        Some('}' | ')') => range.start..range.end + blank + 1,
        _ => range,
    }
}

fn shift(range: &Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

fn clamp(range: Range<usize>, end: usize) -> Range<usize> {
    range.start.min(end)..range.end.min(end)
}

/// Fills titles, authors and the like from the resolved bibliography.
fn resolve_fields(
    text: &str,
    good: &[Range<usize>],
    by_key: &HashMap<String, usize>,
    parsed: &mut ParsedBibliography,
) {
    let fill = |parsed: &mut ParsedBibliography, entry: &Entry| {
        if let Some(&i) = by_key.get(&entry.key) {
            fill(&mut parsed.entries[i], entry);
        }
    };
    let mut chunks: Vec<Range<usize>> = good.to_vec();
    for _ in 0..MAX_RESOLVE_RETRIES {
        let source = concat(text, &chunks);
        match Bibliography::parse(&source.text) {
            Ok(bibliography) => {
                for entry in bibliography.iter() {
                    fill(parsed, entry);
                }
                return;
            }
            Err(error) => {
                // Take the offending chunk out, report it, and try again.
                let Some(culprit) = source.chunk_at(error.span.start) else {
                    break;
                };
                let range = chunks.remove(culprit);
                parsed.errors.push(BibError {
                    range: range.start..range.start + first_line_len(&text[range.clone()]),
                    message: format!("cannot resolve entry: {}", error.kind),
                });
            }
        }
    }
    // Many broken references: resolve what can be resolved one by one,
    // with the file's `@string` definitions in front.
    let strings: Vec<Range<usize>> = chunks
        .iter()
        .filter(|c| {
            text[(*c).clone()]
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("@string"))
        })
        .cloned()
        .collect();
    let prelude = concat(text, &strings).text;
    for chunk in &chunks {
        if let Ok(bibliography) =
            Bibliography::parse(&format!("{prelude}\n{}", &text[chunk.clone()]))
        {
            for entry in bibliography.iter() {
                fill(parsed, entry);
            }
        }
    }
}

/// Takes out of `good` the chunks whose `@string` macros or whose entries'
/// `crossref`/`xdata` parents form a cycle or a chain deeper than
/// [`MAX_REFERENCE_DEPTH`], and reports each. Returns whether any entry
/// has a parent at all.
fn drop_unresolvable_chains(
    text: &str,
    good: &mut Vec<Range<usize>>,
    errors: &mut Vec<BibError>,
) -> bool {
    // Name → (chunks defining it, names it refers to), for macros and for
    // entries. A macro defined twice gets the references of both: which
    // definition biblatex keeps is its business, and either may loop.
    let mut macros: HashMap<String, (Vec<usize>, Vec<String>)> = HashMap::new();
    let mut parents: HashMap<String, (Vec<usize>, Vec<String>)> = HashMap::new();
    for (i, chunk) in good.iter().enumerate() {
        let Ok(raw) = RawBibliography::parse(&text[chunk.clone()]) else {
            continue;
        };
        for pair in &raw.abbreviations {
            let (chunks, refs) = macros.entry(pair.key.v.to_string()).or_default();
            chunks.push(i);
            refs.extend(abbreviations(&pair.value.v).map(str::to_string));
        }
        for entry in &raw.entries {
            let (chunks, refs) = parents.entry(entry.v.key.v.to_string()).or_default();
            chunks.push(i);
            for field in &entry.v.fields {
                let name = field.key.v.to_ascii_lowercase();
                if name == "crossref" || name == "xdata" {
                    let value: String = field
                        .value
                        .v
                        .iter()
                        .filter_map(|c| match c.v {
                            RawChunk::Normal(s) => Some(s),
                            RawChunk::Abbreviation(_) => None,
                        })
                        .collect();
                    refs.extend(
                        value
                            .split(',')
                            .map(|k| k.trim().to_string())
                            .filter(|k| !k.is_empty()),
                    );
                }
            }
        }
    }
    let mut dropped = HashSet::new();
    for (what, graph) in [
        ("@string macro", &macros),
        ("crossref/xdata parent", &parents),
    ] {
        let mut bad: Vec<&String> = unresolvable(graph).into_iter().collect();
        bad.sort_by_key(|name| graph[*name].0[0]);
        for name in bad {
            for &chunk in &graph[name].0 {
                if dropped.insert(chunk) {
                    let range = good[chunk].clone();
                    errors.push(BibError {
                        range: range.start..range.start + first_line_len(&text[range.clone()]),
                        message: format!(
                            "'{name}' refers to itself through its {what}s, or nests them deeper than {MAX_REFERENCE_DEPTH} levels; not resolved"
                        ),
                    });
                }
            }
        }
    }
    let mut index = 0;
    good.retain(|_| {
        index += 1;
        !dropped.contains(&(index - 1))
    });
    parents.values().any(|(_, refs)| !refs.is_empty())
}

fn is_string_chunk(chunk: &str) -> bool {
    chunk
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("@string"))
}

fn abbreviations<'a>(
    field: &'a [biblatex::Spanned<RawChunk<'a>>],
) -> impl Iterator<Item = &'a str> + 'a {
    field.iter().filter_map(|c| match c.v {
        RawChunk::Abbreviation(name) => Some(name),
        RawChunk::Normal(_) => None,
    })
}

/// The names of `graph` that reach a cycle or a chain longer than
/// [`MAX_REFERENCE_DEPTH`]. Iterative, so that a long chain cannot overflow
/// this stack either.
fn unresolvable(graph: &HashMap<String, (Vec<usize>, Vec<String>)>) -> HashSet<&String> {
    // The longest chain below each finished name; `None` while on the path.
    let mut depth: HashMap<&String, Option<usize>> = HashMap::new();
    let mut bad = HashSet::new();
    for start in graph.keys() {
        if depth.contains_key(start) {
            continue;
        }
        // (name, index of the next reference to visit)
        let mut path: Vec<(&String, usize)> = vec![(start, 0)];
        depth.insert(start, None);
        while let Some(&mut (name, ref mut next)) = path.last_mut() {
            let refs = &graph[name].1;
            if let Some(child) = refs.get(*next) {
                *next += 1;
                let Some((child, _)) = graph.get_key_value(child) else {
                    continue; // undefined: biblatex reports it
                };
                match depth.get(child) {
                    None => {
                        depth.insert(child, None);
                        path.push((child, 0));
                    }
                    Some(None) => {
                        // Back on the path: everything on the cycle is bad.
                        let from = path.iter().position(|(n, _)| *n == child).unwrap_or(0);
                        bad.extend(path[from..].iter().map(|(n, _)| *n));
                    }
                    Some(Some(_)) => {}
                }
                continue;
            }
            let below = refs
                .iter()
                .filter_map(|r| graph.get_key_value(r))
                .map(|(r, _)| depth.get(r).copied().flatten().unwrap_or(0) + 1)
                .max()
                .unwrap_or(0);
            let reaches_bad = refs
                .iter()
                .any(|r| graph.get_key_value(r).is_some_and(|(r, _)| bad.contains(r)));
            if below > MAX_REFERENCE_DEPTH || reaches_bad {
                bad.insert(name);
            }
            depth.insert(name, Some(below));
            path.pop();
        }
    }
    bad
}

fn first_line_len(text: &str) -> usize {
    text.find(['\n', '\r']).unwrap_or(text.len())
}

struct Concatenated {
    text: String,
    /// Start offset of each chunk in `text`.
    starts: Vec<usize>,
}

impl Concatenated {
    fn chunk_at(&self, offset: usize) -> Option<usize> {
        self.starts.partition_point(|&s| s <= offset).checked_sub(1)
    }
}

fn concat(text: &str, chunks: &[Range<usize>]) -> Concatenated {
    let mut out = Concatenated {
        text: String::new(),
        starts: Vec::with_capacity(chunks.len()),
    };
    for chunk in chunks {
        out.starts.push(out.text.len());
        out.text.push_str(&text[chunk.clone()]);
        out.text.push('\n');
    }
    out
}

fn field(entry: &Entry, name: &str) -> Option<String> {
    let value = entry.get(name)?.format_verbatim();
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!value.is_empty()).then_some(value)
}

fn fill(target: &mut BibEntry, entry: &Entry) {
    target.title = field(entry, "title");
    target.authors = entry
        .author()
        .map(|people| {
            people
                .iter()
                .map(|p| {
                    let family = [p.prefix.as_str(), p.name.as_str(), p.suffix.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" ");
                    Person {
                        family,
                        given: p.given_name.clone(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    target.year = field(entry, "year").or_else(|| {
        field(entry, "date").map(|d| d.chars().take_while(|c| c.is_ascii_digit()).collect())
    });
    target.container = field(entry, "journaltitle")
        .or_else(|| field(entry, "journal"))
        .or_else(|| field(entry, "booktitle"));
    target.doi = field(entry, "doi");
    target.url = field(entry, "url");
    let eprint_type = field(entry, "eprinttype")
        .or_else(|| field(entry, "archiveprefix"))
        .map(|t| t.to_ascii_lowercase());
    target.arxiv = field(entry, "eprint").filter(|_| eprint_type.as_deref() == Some("arxiv"));
    target.file = field(entry, "file");
    target.abstract_text = field(entry, "abstract");
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIB: &str = r#"% Exported by hand
@string{acl = "Proceedings of ACL"}

@article{kaplan2020scaling,
  title   = {Scaling Laws for Neural Language Models},
  author  = {Kaplan, Jared and McCandlish, Sam},
  year    = 2020,
  eprint  = {2001.08361},
  archivePrefix = {arXiv},
}

@inproceedings{broken,
  title = {Unclosed {brace},
  year = 2021

@inproceedings{mueller2021,
  title = {{\"U}ber Sprachmodelle},
  author = {M{\"u}ller, J{\"o}rg},
  booktitle = acl,
  month = jun,
  year = 2021,
  doi = {10.1000/xyz},
}
"#;

    /// Found by the bad-input suite: biblatex resolves macros and parents
    /// recursively, so these overflowed the stack and killed the process.
    #[test]
    fn cycles_and_deep_chains_are_reported_not_followed() {
        let mut deep = String::new();
        for i in 0..200 {
            deep.push_str(&format!("@string{{m{i} = m{}}}\n", i + 1));
        }
        deep.push_str("@string{m200 = \"end\"}\n@article{uses_deep, title = m0}\n");
        let cases = [
            (
                "@string{a = b}\n@string{b = a}\n@article{k, title = a # b}\n",
                "'a' refers to itself",
            ),
            (
                "@string{me = \"x\" # me}\n@article{k, title = me}\n",
                "'me' refers to itself",
            ),
            (
                "@book{p, title = {P}, crossref = {q}}\n@book{q, title = {Q}, crossref = {p}}\n",
                "'p' refers to itself",
            ),
            ("@book{c, xdata = {c}}\n", "'c' refers to itself"),
            (deep.as_str(), "deeper than 32 levels"),
            // Found by the `bibliography` fuzz target: only the second
            // definition of a macro loops.
            (
                "@string{full = acl}\n@string{acl = \"ACL\"}\n@string{full = full}\n@article{k, booktitle = full}\n",
                "'full' refers to itself",
            ),
        ];
        for (bib, message) in cases {
            let parsed = parse(bib);
            assert!(
                parsed.errors.iter().any(|e| e.message.contains(message)),
                "{bib}: {:?}",
                parsed.errors
            );
        }
        // A chain of normal depth still resolves.
        let parsed = parse("@string{a = b}\n@string{b = \"Deep\"}\n@article{k, title = a}\n");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.entries[0].title.as_deref(), Some("Deep"));
    }

    #[test]
    fn malformed_entry_does_not_hide_the_others() {
        let parsed = parse(BIB);
        let keys: Vec<_> = parsed.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["kaplan2020scaling", "mueller2021"]);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        // Reported where the fix is: the unclosed entry's first line.
        assert_eq!(
            &BIB[parsed.errors[0].range.clone()],
            "@inproceedings{broken,"
        );
        assert!(parsed.errors[0].message.contains("'broken'"));
        for entry in &parsed.entries {
            assert_eq!(&BIB[entry.key_range.clone()], entry.key);
            assert!(BIB[entry.range.clone()].starts_with('@'));
            assert!(BIB[entry.range.clone()].ends_with('}'));
        }
    }

    #[test]
    fn fields_are_resolved_and_decoded() {
        let parsed = parse(BIB);
        let kaplan = &parsed.entries[0];
        assert_eq!(
            kaplan.title.as_deref(),
            Some("Scaling Laws for Neural Language Models")
        );
        let names: Vec<String> = kaplan.authors.iter().map(|p| p.full_name()).collect();
        assert_eq!(names, ["Jared Kaplan", "Sam McCandlish"]);
        assert_eq!(kaplan.authors[0].apa_name(), "Kaplan, J.");
        assert_eq!(kaplan.year.as_deref(), Some("2020"));
        assert_eq!(kaplan.arxiv.as_deref(), Some("2001.08361"));
        let mueller = &parsed.entries[1];
        assert_eq!(mueller.title.as_deref(), Some("Über Sprachmodelle"));
        assert_eq!(mueller.authors[0].full_name(), "Jörg Müller");
        assert_eq!(mueller.container.as_deref(), Some("Proceedings of ACL"));
        assert_eq!(mueller.doi.as_deref(), Some("10.1000/xyz"));
    }

    #[test]
    fn unknown_macro_costs_only_its_entry() {
        let bib = "@article{a, title = {A}, journal = nosuchmacro}\n@article{b, title = {B}}\n";
        let parsed = parse(bib);
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.entries[1].title.as_deref(), Some("B"));
        assert!(
            parsed
                .errors
                .iter()
                .any(|e| e.message.contains("nosuchmacro")),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn duplicates_keep_both_spans() {
        let parsed = parse("@misc{a, title={One}}\n@misc{a, title={Two}}\n");
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.entries[0].title.as_deref(), Some("One"));
    }

    #[test]
    fn garbage_is_survivable() {
        for text in [
            "@",
            "@@@\n@{",
            "@article{",
            "}}}}",
            "@string{a = b # a}\n@misc{x, t = a}",
            "\u{0}@misc{\u{0}",
        ] {
            let _ = parse(text);
        }
    }
}
