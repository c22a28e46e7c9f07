//! BibTeX/BibLaTeX through the `biblatex` crate, with error recovery and
//! bounded cost.
//!
//! `biblatex` keeps byte spans of entries and keys and resolves `@string`
//! macros, month macros, LaTeX accents and `crossref`, but its parser stops at
//! the first error, and its resolution trusts its input (a macro cycle
//! overflows the stack, a doubling chain of macros grows exponentially,
//! deeply nested braces take quadratic time). So the file is cut into
//! chunks, one per `@` that starts a line, and each chunk is parsed on its
//! own: a malformed entry costs only itself. [`guard`] then takes out what
//! resolution could not survive, each with a diagnostic, and the rest is
//! resolved together, so that `@string` macros defined anywhere in the file
//! apply.

use std::collections::HashMap;
use std::ops::Range;

use biblatex::{Bibliography, ChunksExt, Entry, RawBibliography};
use rayon::prelude::*;

use super::guard;
use super::{BibEntry, BibError, ParsedBibliography, Person};

/// Entries read from one file; the rest of a larger file is reported and
/// not read. A large Zotero library has tens of thousands.
pub(super) const MAX_ENTRIES: usize = 200_000;
/// Entries resolved together when no entry has a `crossref`/`xdata` parent.
const RESOLVE_BATCH: usize = 2000;

/// A chunk that parsed.
pub(super) struct Chunk<'a> {
    pub range: Range<usize>,
    pub raw: RawBibliography<'a>,
}

pub fn parse(text: &str) -> ParsedBibliography {
    let mut parsed = ParsedBibliography::default();
    // Every entry needs a chunk: the chunks past the limit are never read.
    let ranges = chunks(text, MAX_ENTRIES + 1);
    let first_tries: Vec<Result<RawBibliography, biblatex::ParseError>> = ranges
        .par_iter()
        .map(|range| RawBibliography::parse(&text[range.clone()]).map(compact))
        .collect();
    // What Pandoc reads and biblatex does not: comment lines between an
    // entry's fields (`%  month = 7,`) and quotes inside a quoted value's
    // braces (`title = "{Correction to "A study"}"`, as NASA ADS writes
    // them). A chunk that does not parse is read again as Pandoc reads it,
    // and only then.
    let blanked: Vec<Option<String>> = ranges
        .iter()
        .zip(&first_tries)
        .map(|(range, raw)| {
            raw.is_err()
                .then(|| as_pandoc_reads(&text[range.clone()]))
                .flatten()
        })
        .collect();
    let raws: Vec<Result<RawBibliography, biblatex::ParseError>> = first_tries
        .into_iter()
        .zip(&blanked)
        .map(|(raw, blanked)| match (raw, blanked) {
            (Err(error), Some(blanked)) => RawBibliography::parse(blanked)
                .map(compact)
                .map_err(|_| error),
            (raw, _) => raw,
        })
        .collect();

    // Every entry of a large library is kept: no room to spare.
    let count: usize = raws.iter().flatten().map(|raw| raw.entries.len()).sum();
    parsed.entries.reserve_exact(count.min(MAX_ENTRIES));
    let mut good: Vec<Chunk> = Vec::new();
    // The first entry of each key is the one resolved.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (range, raw) in ranges.into_iter().zip(raws) {
        let raw = match raw {
            Ok(raw) => raw,
            Err(error) => {
                parsed.errors.push(chunk_error(text, &range, &error));
                continue;
            }
        };
        if parsed.entries.len() + raw.entries.len() > MAX_ENTRIES {
            parsed.errors.push(BibError {
                range: range.start..range.start + first_line_len(&text[range.clone()]),
                message: format!(
                    "the file has more than {MAX_ENTRIES} entries; this one and those after it were not read"
                ),
            });
            break;
        }
        let mut keep = true;
        for entry in &raw.entries {
            // Reported by the workspace as duplicate-citation-key; the first
            // definition wins, so the others are not resolved.
            let index = parsed.entries.len();
            keep &= *first.entry(entry.v.key.v).or_insert(index) == index;
            parsed.entries.push(BibEntry {
                key: entry.v.key.v.to_string(),
                key_range: shift(&entry.v.key.span, range.start),
                range: with_closing_delimiter(text, shift(&entry.span, range.start)),
                kind: entry.v.kind.v.to_ascii_lowercase(),
                ..BibEntry::default()
            });
        }
        if keep {
            good.push(Chunk { range, raw });
        }
    }

    let dropped = guard::unresolvable_chunks(text, &good, &mut parsed.errors);
    let mut index = 0;
    good.retain(|_| {
        index += 1;
        !dropped.contains(&(index - 1))
    });
    parsed.strings = good
        .iter()
        .filter(|c| is_string_chunk(&text[c.range.clone()]))
        .map(|c| &text[c.range.clone()])
        .collect::<Vec<_>>()
        .join("\n");
    resolve(text, good, &first, &mut parsed);
    parsed
}

/// `raw` without the room its lists grew: every entry's parse is alive
/// until the file is resolved, and a field's value, one piece of text
/// mostly, had room for four (a 20k-entry library took 28 MB for them).
fn compact(mut raw: RawBibliography) -> RawBibliography {
    for entry in &mut raw.entries {
        entry.v.fields.shrink_to_fit();
        for field in &mut entry.v.fields {
            field.value.v.shrink_to_fit();
        }
    }
    raw
}

/// Fills titles, authors and the like from the resolved entries; `by_key`
/// is the index of each key's first entry.
fn resolve(
    text: &str,
    good: Vec<Chunk>,
    by_key: &HashMap<&str, usize>,
    parsed: &mut ParsedBibliography,
) {
    let mut abbreviations = Vec::new();
    let mut entries = Vec::new();
    let mut starts = Vec::new();
    for chunk in good {
        abbreviations.extend(chunk.raw.abbreviations);
        for entry in chunk.raw.entries {
            starts.push(chunk.range.start);
            entries.push(entry);
        }
    }
    let undefined = guard::as_their_names(entries.iter().map(|e| &e.v), &abbreviations);
    // Styled references read the entry's text after the file's `@string`s:
    // they need these too.
    for pair in &undefined {
        let value: String = pair
            .value
            .v
            .iter()
            .map(|chunk| match chunk.v {
                biblatex::RawChunk::Normal(text) => format!("{{{text}}}"),
                biblatex::RawChunk::Abbreviation(name) => name.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" # ");
        parsed
            .strings
            .push_str(&format!("\n@string{{{} = {value}}}", pair.key.v));
    }
    abbreviations.extend(undefined);
    // A parent may be anywhere in the file: with parents, resolve it all at
    // once. Without, resolve in batches, so that only one batch of
    // biblatex's resolved form (many times the text's size) is alive at a
    // time.
    let has_parents = entries
        .iter()
        .any(|e| guard::parents_of(&e.v).next().is_some());
    let batch = if has_parents {
        entries.len().max(1)
    } else {
        RESOLVE_BATCH
    };
    // Batches resolve on every core; each gives the entries it filled.
    let resolved: Vec<Resolved> = entries
        .par_chunks(batch)
        .zip(starts.par_chunks(batch))
        .map(|(batch, starts)| resolve_batch(text, batch, starts, &abbreviations, by_key, parsed))
        .collect();
    for Resolved { filled, errors } in resolved {
        for (i, entry) in filled {
            parsed.entries[i] = entry;
        }
        parsed.errors.extend(errors);
    }
}

/// What resolving a batch of entries gave: the entries filled, by index
/// in [`ParsedBibliography::entries`], and the errors.
struct Resolved {
    filled: Vec<(usize, BibEntry)>,
    errors: Vec<BibError>,
}

/// Resolves `batch`, whose entries' chunks start at `starts`, with the
/// file's `abbreviations`: the entries of `parsed` it holds, filled.
fn resolve_batch(
    text: &str,
    batch: &[biblatex::Spanned<biblatex::RawEntry>],
    starts: &[usize],
    abbreviations: &[biblatex::Pair],
    by_key: &HashMap<&str, usize>,
    parsed: &ParsedBibliography,
) -> Resolved {
    let mut resolved = Resolved {
        filled: Vec::new(),
        errors: Vec::new(),
    };
    let mut fill_from = |bibliography: &Bibliography| {
        for entry in bibliography.iter() {
            if let Some(&i) = by_key.get(entry.key.as_str()) {
                let mut filled = parsed.entries[i].clone();
                fill(&mut filled, entry);
                resolved.filled.push((i, filled));
            }
        }
    };
    let raw = RawBibliography {
        preamble: String::new(),
        entries: batch.to_vec(),
        abbreviations: abbreviations.to_vec(),
    };
    if let Ok(bibliography) = Bibliography::from_raw(raw) {
        fill_from(&bibliography);
        return resolved;
    }
    // Something the guard does not foresee (an unbalanced `$`, say):
    // resolve this batch entry by entry, each with only the macros it
    // uses; an entry that fails is read as Pandoc reads it, without the
    // fields that fail; the ones that fail even so are reported.
    let mut errors = Vec::new();
    for (entry, &start) in batch.iter().zip(starts) {
        let resolved = resolve_entry(entry, abbreviations)
            .or_else(|error| without_failing_fields(entry, abbreviations).ok_or(error));
        match resolved {
            Ok(bibliography) => fill_from(&bibliography),
            Err(error) => {
                let at = start + entry.span.start;
                errors.push(BibError {
                    range: at..at + first_line_len(&text[at..]),
                    message: format!("cannot resolve entry: {}", error.kind),
                });
            }
        }
    }
    resolved.errors = errors;
    resolved
}

/// `entry` resolved on its own, with the macros it uses.
fn resolve_entry<'a>(
    entry: &biblatex::Spanned<biblatex::RawEntry<'a>>,
    abbreviations: &[biblatex::Pair<'a>],
) -> Result<Bibliography, biblatex::ParseError> {
    Bibliography::from_raw(RawBibliography {
        preamble: String::new(),
        entries: vec![entry.clone()],
        abbreviations: guard::macros_used(&entry.v, abbreviations),
    })
}

/// `entry`, which does not resolve, resolved without the fields that do
/// not resolve on their own, as Pandoc reads it: Pandoc drops a field it
/// cannot read (a title with one `$`, which opens math that never
/// closes: `{Costs over $500}`) and cites the entry without a warning.
/// None when no field fails alone, or the rest fails even so.
fn without_failing_fields<'a>(
    entry: &biblatex::Spanned<biblatex::RawEntry<'a>>,
    abbreviations: &[biblatex::Pair<'a>],
) -> Option<Bibliography> {
    let with_fields = |fields: Vec<biblatex::Pair<'a>>| {
        let mut entry = entry.clone();
        entry.v.fields = fields;
        entry
    };
    let fields = &entry.v.fields;
    let readable: Vec<biblatex::Pair> = fields
        .iter()
        .filter(|field| resolve_entry(&with_fields(vec![(*field).clone()]), abbreviations).is_ok())
        .cloned()
        .collect();
    if readable.len() == fields.len() {
        return None;
    }
    resolve_entry(&with_fields(readable), abbreviations).ok()
}

/// `chunk` as Pandoc reads it, with every byte where it was (so that
/// every span stays): a line between fields that starts with `%` (after
/// blanks) turned into spaces, and the quotes of a quoted value that holds
/// a quote inside braces turned into braces (`"{A "B"}"` is `{{A "B"}}`).
/// A character after `\` is escaped, as biblatex and Pandoc read it.
/// `None` if that changes nothing.
fn as_pandoc_reads(chunk: &str) -> Option<String> {
    let mut bytes = chunk.as_bytes().to_vec();
    // Braces around the entry's fields count 1: between fields, or in a
    // quoted value, where a quote closes the value.
    let (mut depth, mut quoted, mut inner_quote) = (0usize, None, false);
    let mut line_start = true;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'%' && line_start && depth == 1 && quoted.is_none() {
            while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') {
                bytes[at] = b' ';
                at += 1;
            }
            continue;
        }
        line_start = byte == b'\n' || (line_start && byte.is_ascii_whitespace());
        match byte {
            b'\\' => at += 1,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'"' if depth == 1 => match quoted {
                None => (quoted, inner_quote) = (Some(at), false),
                Some(open) => {
                    if inner_quote {
                        (bytes[open], bytes[at]) = (b'{', b'}');
                    }
                    quoted = None;
                }
            },
            b'"' if quoted.is_some() => inner_quote = true,
            _ => {}
        }
        at += 1;
    }
    let read = String::from_utf8(bytes).ok()?;
    (read != chunk).then_some(read)
}

pub(super) fn is_string_chunk(chunk: &str) -> bool {
    chunk
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("@string"))
}

pub(super) fn first_line_len(text: &str) -> usize {
    text.find(['\n', '\r']).unwrap_or(text.len())
}

/// Byte ranges that each start at an `@` that begins a line (after
/// indentation) and run to the next one; at most `max` of them.
fn chunks(text: &str, max: usize) -> Vec<Range<usize>> {
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('@') {
            if starts.len() == max + 1 {
                break;
            }
            starts.push(line_start + line.len() - trimmed.len());
        }
        line_start += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate().take(max) {
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

fn field(entry: &Entry, name: &str) -> Option<String> {
    let value = entry.get(name)?.format_verbatim();
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!value.is_empty()).then_some(value)
}

fn fill(target: &mut BibEntry, entry: &Entry) {
    target.title = field(entry, "title");
    target.short_title = field(entry, "shorttitle");
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

    /// Each of these took seconds to minutes, or gigabytes, before the
    /// guard (the second hardening round); each is now one error.
    #[test]
    fn costly_input_is_refused_with_a_reason() {
        let mut doubling = String::from("@string{s0 = \"ab\"}\n");
        for i in 1..=26 {
            doubling.push_str(&format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1));
        }
        doubling.push_str("@article{k, title = s26}\n@article{fine, title = s3}\n");
        let nested = format!(
            "@article{{k, title = {}{}}}\n@article{{fine, title = {{x}}}}\n",
            "{".repeat(10_000),
            "}".repeat(10_000)
        );
        let wide = format!(
            "@article{{k, {}}}\n@article{{fine, title = {{x}}}}\n",
            (0..300)
                .map(|i| format!("f{i} = {{v}}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let cases = [
            (doubling.as_str(), "expands to"),
            (nested.as_str(), "nests braces 9999 levels deep"),
            (wide.as_str(), "has 300 fields"),
        ];
        for (bib, message) in cases {
            let started = std::time::Instant::now();
            let parsed = parse(bib);
            assert!(
                parsed.errors.iter().any(|e| e.message.contains(message)),
                "{message}: {:?}",
                parsed.errors
            );
            let fine = parsed.entries.iter().find(|e| e.key == "fine").unwrap();
            assert!(fine.title.is_some(), "{message}: the good entry resolved");
            assert!(
                started.elapsed().as_secs() < 5,
                "{message}: took {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn an_undefined_macro_reads_as_its_name() {
        let mut bib: String = (0..2000)
            .map(|i| format!("@string{{m{i} = \"x\"}}\n"))
            .collect();
        for i in 0..40 {
            bib.push_str(&format!(
                "@article{{k{i}, journal = undefined{i}, month = jun}}\n"
            ));
        }
        bib.push_str("@article{fine, journal = m7, month = jun}\n");
        let parsed = parse(&bib);
        assert_eq!(parsed.errors, [], "as Pandoc reads them");
        let container = |key: &str| {
            let entry = parsed.entries.iter().find(|e| e.key == key).unwrap();
            entry.container.clone()
        };
        assert_eq!(container("fine").as_deref(), Some("x"));
        assert_eq!(container("k7").as_deref(), Some("undefined7"));
        // Defined with another case, as Pandoc finds it; and in the
        // `@string`s styled references read.
        let parsed = parse("@string{ADS = {Astrophys. Data Sys.}}\n@misc{m, howpublished = ads # {, 2024}, journal = jmlr}\n");
        assert_eq!(parsed.errors, []);
        assert!(
            parsed
                .strings
                .contains("@string{ads = {Astrophys. Data Sys.}}"),
            "{}",
            parsed.strings
        );
        assert!(
            parsed.strings.contains("@string{jmlr = {jmlr}}"),
            "{}",
            parsed.strings
        );
        assert_eq!(parsed.entries[0].container.as_deref(), Some("jmlr"));
    }

    #[test]
    fn crossref_copies_are_bounded() {
        let parent = (0..200)
            .map(|i| format!("f{i} = {{v}}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut bib = format!("@book{{parent, title = {{P}}, {parent}}}\n");
        for i in 0..6000 {
            bib.push_str(&format!("@inbook{{c{i}, crossref = {{parent}}}}\n"));
        }
        let parsed = parse(&bib);
        assert!(
            parsed
                .errors
                .iter()
                .any(|e| e.message.contains("copy more than")),
            "{:?}",
            parsed.errors.first()
        );
        // Those within the budget still inherit from the parent (its title
        // is a child's booktitle).
        assert_eq!(parsed.entries[1].container.as_deref(), Some("P"));
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

    /// Found on a public course book's library: an abstract with one `$`
    /// (a price) was a `bib-syntax` error; `pandoc --citeproc` cites the
    /// entry without a warning and drops the field.
    #[test]
    fn a_field_with_one_dollar_is_dropped_as_pandoc_drops_it() {
        let parsed = parse(concat!(
            "@article{price, title = {Costs over $500 a year}, author = {Doe, Jane}, year = 2015}\n",
            "@article{math, title = {Balanced $x^2$ and \\$5}, author = {Roe, Ann},\n",
            "  abstract = {Paid $5 for 😀 数据}, year = 2016}\n",
        ));
        assert_eq!(parsed.errors, []);
        let entry = |key: &str| parsed.entries.iter().find(|e| e.key == key).unwrap();
        assert_eq!(entry("price").title, None);
        assert_eq!(entry("price").authors[0].family, "Doe");
        assert_eq!(entry("price").year.as_deref(), Some("2015"));
        assert!(entry("math").title.as_deref().unwrap().contains("$5"));
        assert_eq!(entry("math").abstract_text, None);
        assert_eq!(entry("math").year.as_deref(), Some("2016"));
    }

    #[test]
    fn comment_lines_and_quotes_in_quoted_braces_as_pandoc_reads_them() {
        let bib = "@techreport{DSCOVR:info,\r\n  title = {Deep Space 😀},\r\n%  number = {2},\r\n  year = 2018,\r\n   % month = 7,\r\n}\r\n@misc{pct, title = {100\n% of it}}\n@misc{broken, title = {x}\n% y\n";
        let parsed = parse(bib);
        let entry = &parsed.entries[0];
        assert_eq!(entry.title.as_deref(), Some("Deep Space 😀"));
        assert_eq!(&bib[entry.key_range.clone()], "DSCOVR:info");
        assert!(bib[entry.range.clone()].ends_with("7,\r\n}"));
        // Inside a braced value, `%` is text; a chunk that parses is not
        // touched.
        assert_eq!(parsed.entries[1].title.as_deref(), Some("100 % of it"));
        // Nor does it make a malformed entry parse, nor touch a `%` line
        // inside a value or an escaped quote.
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert!(parsed.errors[0].message.contains("'broken'"));

        let bib = "@ARTICLE{Agapitov12:GRL,\n    title = \"{Correction to \"A study of 波\"}\",\n   journal = \"Geophys.\" # { Res. Lett.}, year = 2012\n}\n";
        let parsed = parse(bib);
        assert_eq!(parsed.errors, []);
        let entry = &parsed.entries[0];
        assert_eq!(
            entry.title.as_deref(),
            Some("Correction to \"A study of 波\"")
        );
        assert_eq!(entry.container.as_deref(), Some("Geophys. Res. Lett."));

        assert_eq!(&bib[entry.key_range.clone()], "Agapitov12:GRL");

        let bib = "@article{esc, author = \"M\\\"uller and G\\\"odel\",\n%  note = {x},\n  abstract = {Of them 40\n% improve\nlater},\n}\n";
        let parsed = parse(bib);
        assert_eq!(parsed.errors, []);
        let entry = &parsed.entries[0];
        assert_eq!(entry.authors.len(), 2, "{:?}", entry.authors);
        assert_eq!(
            as_pandoc_reads(bib).unwrap().lines().nth(2),
            Some("  abstract = {Of them 40")
        );
        assert_eq!(
            as_pandoc_reads(bib).unwrap().lines().nth(3),
            Some("% improve")
        );
    }

    #[test]
    fn unknown_macro_is_read_as_its_name_in_its_entry_alone() {
        let bib =
            "@article{a, title = {A}, journal = nosuchmacro # { 😀}}\n@article{b, title = {B}}\n";
        let parsed = parse(bib);
        assert_eq!(parsed.errors, []);
        assert_eq!(parsed.entries[0].title.as_deref(), Some("A"));
        assert_eq!(
            parsed.entries[0].container.as_deref(),
            Some("nosuchmacro 😀")
        );
        assert_eq!(parsed.entries[1].title.as_deref(), Some("B"));
        assert_eq!(parsed.entries[1].container, None);
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
