//! What `biblatex`'s resolution could not survive, found before it runs.
//!
//! Resolution recurses through `@string` macros and `crossref`/`xdata`
//! parents and copies what they expand to. A file anyone can commit must not
//! make that overflow the stack (a cycle), grow exponentially (a macro
//! defined as itself twice over, 26 times), take quadratic time (100,000
//! nested braces) or copy a huge parent into every child. Each chunk that
//! would is taken out here with a `bib-syntax` error saying why, and the
//! rest of the file resolves as usual.

use std::collections::{HashMap, HashSet};

use biblatex::{Pair, RawChunk, RawEntry};

use super::bibtex::{first_line_len, Chunk};
use super::BibError;

/// Longest chain of `@string` macros or of parents (real files have one or
/// two levels).
const MAX_REFERENCE_DEPTH: usize = 32;
/// Fields of one entry (real entries have a few dozen at most).
const MAX_FIELDS: usize = 256;
/// Brace nesting within a field: resolving it takes time quadratic in the
/// depth.
const MAX_BRACE_DEPTH: usize = 64;
/// Bytes a macro or all the fields of one entry may expand to.
const MAX_EXPANSION: usize = 64 * 1024;
/// Fields all `crossref`/`xdata` resolution of a file may copy.
const MAX_INHERITED_FIELDS: usize = 1_000_000;

/// Months are macros biblatex defines itself.
const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn is_month(name: &str) -> bool {
    MONTHS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

/// A definition for each macro `entries` use that `macros` do not define
/// (months aside), read as Pandoc reads it, without a word (texlab says
/// nothing either; BibTeX warns and leaves it empty): as the macro defined
/// with another case (`ads` for `@string{ADS = …}`), else as its own name
/// (`number = A15` is "A15").
pub(super) fn as_their_names<'a, 'e>(
    entries: impl Iterator<Item = &'e RawEntry<'a>>,
    macros: &[Pair<'a>],
) -> Vec<Pair<'a>>
where
    'a: 'e,
{
    let defined: HashSet<&str> = macros.iter().map(|p| p.key.v).collect();
    let by_lowercase: HashMap<String, &Pair<'a>> =
        macros.iter().map(|p| (p.key.v.to_lowercase(), p)).collect();
    let mut undefined: Vec<(&str, std::ops::Range<usize>)> = entries
        .flat_map(|e| &e.fields)
        .flat_map(|f| &f.value.v)
        .filter_map(|chunk| match chunk.v {
            RawChunk::Abbreviation(name) => Some((name, chunk.span.clone())),
            RawChunk::Normal(_) => None,
        })
        .filter(|(name, _)| !defined.contains(name) && !is_month(name))
        .collect();
    undefined.sort_by_key(|(name, _)| *name);
    undefined.dedup_by_key(|(name, _)| *name);
    undefined
        .into_iter()
        .map(|(name, span)| {
            let value = match by_lowercase.get(&name.to_lowercase()) {
                Some(other_case) => other_case.value.clone(),
                None => {
                    let text = vec![biblatex::Spanned::new(RawChunk::Normal(name), span.clone())];
                    biblatex::Spanned::new(text, span.clone())
                }
            };
            Pair::new(biblatex::Spanned::new(name, span), value)
        })
        .collect()
}

/// The macros a field refers to.
fn macros_in<'a>(field: &'a [biblatex::Spanned<RawChunk<'a>>]) -> impl Iterator<Item = &'a str> {
    field.iter().filter_map(|c| match c.v {
        RawChunk::Abbreviation(name) => Some(name),
        RawChunk::Normal(_) => None,
    })
}

/// The literal bytes of a field, macros not counted.
fn literal_len(field: &[biblatex::Spanned<RawChunk<'_>>]) -> usize {
    field
        .iter()
        .map(|c| match c.v {
            RawChunk::Normal(s) => s.len(),
            RawChunk::Abbreviation(_) => 0,
        })
        .sum()
}

fn brace_depth(field: &[biblatex::Spanned<RawChunk<'_>>]) -> usize {
    let mut deepest = 0;
    for chunk in field {
        if let RawChunk::Normal(text) = chunk.v {
            let mut depth = 0usize;
            for b in text.bytes() {
                match b {
                    b'{' => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
    }
    deepest
}

/// The keys an entry names as `crossref` or `xdata` parents.
pub(super) fn parents_of<'a>(entry: &'a RawEntry<'a>) -> impl Iterator<Item = String> + 'a {
    entry
        .fields
        .iter()
        .filter(|f| {
            f.key.v.eq_ignore_ascii_case("crossref") || f.key.v.eq_ignore_ascii_case("xdata")
        })
        .flat_map(|f| {
            let value: String = f
                .value
                .v
                .iter()
                .filter_map(|c| match c.v {
                    RawChunk::Normal(s) => Some(s),
                    RawChunk::Abbreviation(_) => None,
                })
                .collect();
            value
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect::<Vec<_>>()
        })
}

/// The macros `entry` uses, directly or through other macros, from
/// `macros`: what it needs to be resolved on its own.
pub(super) fn macros_used<'a>(entry: &RawEntry<'a>, macros: &[Pair<'a>]) -> Vec<Pair<'a>> {
    let by_name: HashMap<&str, &Pair> = macros.iter().map(|p| (p.key.v, p)).collect();
    let mut wanted: Vec<&str> = entry
        .fields
        .iter()
        .flat_map(|f| macros_in(&f.value.v))
        .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while let Some(name) = wanted.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(pair) = by_name.get(name) {
            wanted.extend(macros_in(&pair.value.v));
            out.push((*pair).clone());
        }
    }
    out
}

/// A name with the chunks that define it and the names it refers to.
type Graph = HashMap<String, (Vec<usize>, Vec<String>)>;

/// The indexes of the chunks of `good` that must not be resolved, each
/// reported in `errors`.
pub(super) fn unresolvable_chunks(
    text: &str,
    good: &[Chunk],
    errors: &mut Vec<BibError>,
) -> HashSet<usize> {
    // Chunk → the first reason it cannot be resolved.
    let mut dropped: HashMap<usize, String> = HashMap::new();
    fn record(dropped: &mut HashMap<usize, String>, chunk: usize, why: String) {
        dropped.entry(chunk).or_insert(why);
    }

    // Macros and parents as graphs. A macro defined twice gets the
    // references of both: which definition biblatex keeps is its business,
    // and either may loop.
    let mut macros: Graph = HashMap::new();
    let mut literal: HashMap<&str, usize> = HashMap::new();
    let mut parents: Graph = HashMap::new();
    for (i, chunk) in good.iter().enumerate() {
        for pair in &chunk.raw.abbreviations {
            let (chunks, refs) = macros.entry(pair.key.v.to_string()).or_default();
            chunks.push(i);
            refs.extend(macros_in(&pair.value.v).map(str::to_string));
            let len = literal.entry(pair.key.v).or_default();
            *len = (*len).max(literal_len(&pair.value.v));
        }
    }
    // Parents matter only in files that use them (most do not); then every
    // entry may be one.
    let with_parents = good
        .iter()
        .flat_map(|c| &c.raw.entries)
        .any(|e| parents_of(&e.v).next().is_some());
    for (i, chunk) in good.iter().enumerate().filter(|_| with_parents) {
        for entry in &chunk.raw.entries {
            let (chunks, refs) = parents.entry(entry.v.key.v.to_string()).or_default();
            chunks.push(i);
            refs.extend(parents_of(&entry.v));
        }
    }

    // Cycles and chains too deep, in macros and in parents.
    for (what, graph) in [
        ("@string macro", &macros),
        ("crossref/xdata parent", &parents),
    ] {
        let mut bad: Vec<&String> = unresolvable(graph).into_iter().collect();
        bad.sort_by_key(|name| graph[*name].0[0]);
        for name in bad {
            for &chunk in &graph[name].0 {
                record(&mut dropped, chunk, format!(
                    "'{}' refers to itself through its {what}s, or nests them deeper than {MAX_REFERENCE_DEPTH} levels; not resolved",
                    excerpt(name)
                ));
            }
        }
    }

    // How long each macro expands to, with the macros it cannot be
    // resolved without (undefined, or dropped above) marked `None`.
    let expansion = expansions(&macros, &literal, |name| {
        macros[name].0.iter().any(|c| dropped.contains_key(c))
    });
    for (name, length) in &expansion {
        let chunks = &macros[*name].0;
        match length {
            None => {
                for &chunk in chunks {
                    record(
                        &mut dropped,
                        chunk,
                        format!(
                            "macro '{}' uses an undefined or unresolvable macro; not resolved",
                            excerpt(name)
                        ),
                    );
                }
            }
            Some(length) if *length > MAX_EXPANSION => {
                for &chunk in chunks {
                    record(&mut dropped, chunk, format!("macro '{}' expands to {length} bytes, over the limit of {MAX_EXPANSION}; not resolved", excerpt(name)));
                }
            }
            Some(_) => {}
        }
    }

    // Entries: their own size, and what their macros expand to.
    let expansion: HashMap<&str, Option<usize>> = expansion
        .into_iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    for (i, chunk) in good.iter().enumerate() {
        for entry in &chunk.raw.entries {
            if let Some(why) = entry_problem(&entry.v, &expansion) {
                record(&mut dropped, i, why);
            }
        }
    }

    // What crossref/xdata resolution would copy: every child copies its
    // parents' fields, and theirs.
    if !with_parents {
        return report(text, good, dropped, errors);
    }
    let fields: HashMap<&str, usize> = good
        .iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains_key(i))
        .flat_map(|(_, c)| &c.raw.entries)
        .map(|e| (e.v.key.v, e.v.fields.len()))
        .collect();
    let mut inherited = 0usize;
    for (i, chunk) in good.iter().enumerate() {
        for entry in &chunk.raw.entries {
            let copied = chain_fields(&entry.v, &fields, &parents);
            if copied == 0 {
                continue;
            }
            inherited = inherited.saturating_add(copied);
            if inherited > MAX_INHERITED_FIELDS {
                record(&mut dropped, i, format!("crossref/xdata parents of this file copy more than {MAX_INHERITED_FIELDS} fields into their children; not resolved"));
            }
        }
    }

    report(text, good, dropped, errors)
}

/// Reports each dropped chunk, in file order, and returns their indexes.
fn report(
    text: &str,
    good: &[Chunk],
    dropped: HashMap<usize, String>,
    errors: &mut Vec<BibError>,
) -> HashSet<usize> {
    let mut out: Vec<(usize, String)> = dropped.into_iter().collect();
    out.sort();
    for (chunk, why) in &out {
        let range = good[*chunk].range.clone();
        errors.push(BibError {
            range: range.start..range.start + first_line_len(&text[range.clone()]),
            message: why.clone(),
        });
    }
    out.into_iter().map(|(chunk, _)| chunk).collect()
}

/// Why an entry cannot be resolved: too many fields, braces nested too
/// deep, a macro it uses that is undefined or unresolvable, or too much
/// text once its macros are expanded.
fn entry_problem(entry: &RawEntry, expansion: &HashMap<&str, Option<usize>>) -> Option<String> {
    if entry.fields.len() > MAX_FIELDS {
        return Some(format!(
            "entry has {} fields, over the limit of {MAX_FIELDS}; not resolved",
            entry.fields.len()
        ));
    }
    let mut size = 0usize;
    for field in &entry.fields {
        let depth = brace_depth(&field.value.v);
        if depth > MAX_BRACE_DEPTH {
            return Some(format!(
                "field '{}' nests braces {depth} levels deep, over the limit of {MAX_BRACE_DEPTH}; not resolved",
                excerpt(field.key.v)
            ));
        }
        size = size.saturating_add(literal_len(&field.value.v));
        for name in macros_in(&field.value.v) {
            match expansion.get(name) {
                Some(Some(length)) => size = size.saturating_add(*length),
                Some(None) => {
                    return Some(format!(
                        "macro '{}' cannot be resolved; entry not resolved",
                        excerpt(name)
                    ))
                }
                // Undefined: read as its own name ([`as_their_names`]).
                None => size = size.saturating_add(name.len()),
            }
        }
    }
    (size > MAX_EXPANSION).then(|| {
        format!("entry expands to {size} bytes, over the limit of {MAX_EXPANSION}; not resolved")
    })
}

/// Fields an entry's parents (and theirs) hold, which resolution copies.
fn chain_fields(entry: &RawEntry, fields: &HashMap<&str, usize>, parents: &Graph) -> usize {
    let mut total = 0usize;
    let mut pending: Vec<String> = parents_of(entry).collect();
    let mut seen = HashSet::new();
    while let Some(parent) = pending.pop() {
        // Cycles were taken out above; `seen` only bounds a diamond.
        if !seen.insert(parent.clone()) {
            continue;
        }
        total = total.saturating_add(fields.get(parent.as_str()).copied().unwrap_or(0));
        if let Some((_, refs)) = parents.get(&parent) {
            pending.extend(refs.iter().cloned());
        }
    }
    total
}

/// The expanded length of every macro; `None` for one that uses an
/// undefined macro or one for which `is_dropped` holds (itself or below).
fn expansions<'g>(
    macros: &'g Graph,
    literal: &HashMap<&str, usize>,
    is_dropped: impl Fn(&str) -> bool,
) -> HashMap<&'g String, Option<usize>> {
    let mut done: HashMap<&String, Option<usize>> = HashMap::new();
    for start in macros.keys() {
        // Iterative post-order; the graph has no cycles left that matter,
        // and a name on the path is treated as unresolvable.
        let mut path: Vec<(&String, usize)> = vec![(start, 0)];
        let mut on_path: HashSet<&String> = HashSet::from([start]);
        while let Some(&mut (name, ref mut next)) = path.last_mut() {
            if done.contains_key(name) {
                on_path.remove(name);
                path.pop();
                continue;
            }
            let refs = &macros[name].1;
            if let Some(child) = refs.get(*next) {
                *next += 1;
                if let Some((child, _)) = macros.get_key_value(child) {
                    if !done.contains_key(child) && on_path.insert(child) {
                        path.push((child, 0));
                    }
                }
                continue;
            }
            let mut length = Some(literal.get(name.as_str()).copied().unwrap_or(0));
            if is_dropped(name) {
                length = None;
            }
            for r in refs {
                let below = match macros.get_key_value(r) {
                    Some((r, _)) => done.get(r).copied().flatten(),
                    None if is_month(r) => Some(9),
                    None => None,
                };
                length = length.zip(below).map(|(a, b)| a.saturating_add(b));
            }
            done.insert(name, length);
            on_path.remove(name);
            path.pop();
        }
    }
    done
}

/// Names quoted in messages are the file's text: keep them short.
fn excerpt(name: &str) -> String {
    crate::workspace::read::excerpt(name, 60)
}

/// The names of `graph` that reach a cycle or a chain longer than
/// [`MAX_REFERENCE_DEPTH`]. Iterative, so that a long chain cannot overflow
/// this stack either.
fn unresolvable(graph: &Graph) -> HashSet<&String> {
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
