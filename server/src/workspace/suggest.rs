//! "Did you mean …?": the closest known name by edit distance.
//!
//! A vault has tens of thousands of names and a broken link is checked
//! against all of them, so candidates are found through an index and only
//! they are compared, by a Levenshtein distance that gives up past the
//! bound. The cost per query stays near-constant as the vault grows:
//! - a name within `k` edits of the query keeps all but at most `3k` of the
//!   query's distinct trigrams, so it shares at least one of any `3k + 1` of
//!   them: only the postings of the query's `3k + 1` rarest trigrams are
//!   read. Trigrams, not bigrams: a bigram such as `12` or `on` is in a
//!   share of all names, so its postings grow with the vault, and with them
//!   the work per broken link (found at 40k notes, where comparing names
//!   was an eighth of `gloss check`);
//! - queries with too few trigrams for that use bigrams the same way (all
//!   but `2k` of them are kept);
//! - queries too short for that (three characters, one edit allowed) look
//!   up their one-deletion variants, which any name within one edit shares;
//! - the rare query with too few distinct bigrams (`aaaaab`) is compared
//!   with the names of a close length.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use super::names::normalize;

/// The most edits a suggestion may be away: one in four characters, at
/// least one, at most three.
fn max_distance(len: usize) -> usize {
    (len / 4).clamp(1, 3)
}

/// Names lighter than this get no suggestion: one edit away from a
/// three-letter name is a different word far more often than a typo
/// (`man` → `Max`, `Lip` → `ip` on a real vault). A CJK character weighs
/// two: `思维` is a name worth correcting.
const MIN_WEIGHT: usize = 4;

fn weight(name: &[char]) -> usize {
    name.iter()
        .map(|&c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum()
}

/// Longer names are never suggested, and longer queries get no
/// suggestion: nobody types them by hand, and comparing them costs time
/// proportional to their length.
const MAX_LEN: usize = 200;

/// The distinct bigrams of `name`, sorted.
fn bigrams(name: &[char]) -> Vec<(char, char)> {
    let mut grams: Vec<_> = name.windows(2).map(|w| (w[0], w[1])).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// The distinct trigrams of `name`, sorted.
fn trigrams(name: &[char]) -> Vec<(char, char, char)> {
    let mut grams: Vec<_> = name.windows(3).map(|w| (w[0], w[1], w[2])).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// The union of the `take` shortest of the lists of `keys` (distinct).
fn rarest<K: std::hash::Hash + Eq>(
    keys: &[K],
    postings: &HashMap<K, Vec<u32>>,
    take: usize,
) -> Vec<u32> {
    let mut lists: Vec<&[u32]> = keys
        .iter()
        .map(|k| postings.get(k).map_or(&[][..], Vec::as_slice))
        .collect();
    lists.sort_by_key(|l| l.len());
    lists[..take.min(lists.len())].concat()
}

/// A one-deletion variant by its hash: the index keeps hashes, not
/// strings (short names have several variants each, and there are tens
/// of thousands of short aliases in a large vault). A name found through a
/// colliding hash is compared like any other candidate, and dropped as
/// too far.
fn variant_hash(variant: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(variant)
}

/// `name` with each character left out in turn, and itself.
fn deletions(name: &[char]) -> Vec<String> {
    let mut out = vec![name.iter().collect()];
    for skip in 0..name.len() {
        out.push(
            name.iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| c)
                .collect(),
        );
    }
    out
}

/// The Levenshtein distance of `a` and `b` if it is at most `max`: only a
/// band of width `2 max + 1` around the diagonal is computed, and the
/// computation stops as soon as the band exceeds `max`.
pub(crate) fn bounded_levenshtein(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Rows on the stack for names of ordinary length: this runs for every
    // candidate of every broken link.
    const ON_STACK: usize = 256;
    if b.len() < ON_STACK {
        let (mut previous, mut current) = ([0usize; ON_STACK], [0usize; ON_STACK]);
        return banded_levenshtein(a, b, max, &mut previous, &mut current);
    }
    let (mut previous, mut current) = (vec![0; b.len() + 1], vec![0; b.len() + 1]);
    banded_levenshtein(a, b, max, &mut previous, &mut current)
}

/// [`bounded_levenshtein`] in rows `previous` and `current` of at least
/// `b.len() + 1` cells.
fn banded_levenshtein(
    a: &[char],
    b: &[char],
    max: usize,
    previous: &mut [usize],
    current: &mut [usize],
) -> Option<usize> {
    let (mut previous, mut current) = (&mut previous[..=b.len()], &mut current[..=b.len()]);
    let inf = max + 1;
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j.min(inf);
    }
    for i in 1..=a.len() {
        let from = i.saturating_sub(max).max(1);
        let to = (i + max).min(b.len());
        // Only the band is computed; the cells just outside it read as
        // "too far" (the rest is never read).
        current[0] = i.min(inf);
        if from > 1 {
            current[from - 1] = inf;
        }
        let mut best = current[0];
        for j in from..=to {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let value = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(inf);
            current[j] = value;
            best = best.min(value);
        }
        if to < b.len() {
            current[to + 1] = inf;
        }
        if best > max {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= max).then_some(distance)
}

/// Names indexed by their trigrams and bigrams, the short ones by their
/// deletions, and all by their length.
#[derive(Debug, Default)]
struct Index {
    /// (normalised, as written if that differs). Characters are collected
    /// again for the few names a query compares: kept for every name, they
    /// were most of the index's memory.
    names: Vec<(Box<str>, Option<Box<str>>)>,
    postings: HashMap<(char, char), Vec<u32>>,
    trigram_postings: HashMap<(char, char, char), Vec<u32>>,
    /// Hashes of one-deletion variants of short names → names.
    variants: HashMap<u64, Vec<u32>>,
    /// Length in characters → names.
    by_length: Vec<Vec<u32>>,
}

/// Names up to this many characters go into the deletion index; short
/// queries (which the gram filters cannot narrow) look there.
const SHORT: usize = 4;

impl Index {
    /// Each name that the index takes, normalised if `fold`, with the
    /// name as written where that differs.
    fn indexable(
        names: impl Iterator<Item = String>,
        fold: bool,
    ) -> Vec<(Box<str>, Option<Box<str>>)> {
        names
            .filter_map(|name| {
                let (key, written) = match fold {
                    true => {
                        let key = normalize(&name);
                        let written = (name != key).then(|| name.into_boxed_str());
                        (key, written)
                    }
                    false => (name, None),
                };
                let indexed = !key.is_empty() && key.chars().nth(MAX_LEN).is_none();
                indexed.then(|| (key.into_boxed_str(), written))
            })
            .collect()
    }

    fn new(names: impl Iterator<Item = String>, fold: bool) -> Index {
        let mut index = Index {
            names: Self::indexable(names, fold),
            ..Index::default()
        };
        // The first of the names with the same key is the one suggested.
        // Found by sorting the keys' hashes: a set of the keys would hold
        // them twice while the index is built (30 MB at 100k notes), and
        // sorting the keys themselves compares strings all over memory.
        // Keyed at random: no vault can name its notes to collide.
        let keys = RandomState::new();
        let mut by_hash: Vec<(u64, u32)> = (index.names.iter().enumerate())
            .map(|(id, (key, _))| (keys.hash_one(key), id as u32))
            .collect();
        by_hash.sort_unstable();
        let mut first = vec![true; index.names.len()];
        let key = |id: u32| &index.names[id as usize].0;
        for group in by_hash.chunk_by(|a, b| a.0 == b.0) {
            // The distinct keys of one hash, first seen first: one, unless
            // two keys collide.
            let mut distinct: Vec<u32> = Vec::new();
            for &(_, id) in group {
                match distinct.iter().any(|&seen| key(seen) == key(id)) {
                    true => first[id as usize] = false,
                    false => distinct.push(id),
                }
            }
        }
        drop(by_hash);
        let mut first = first.into_iter();
        index.names.retain(|_| first.next() == Some(true));
        let mut chars = Vec::new();
        for (id, (key, _)) in index.names.iter().enumerate() {
            let id = id as u32;
            chars.clear();
            chars.extend(key.chars());
            for bigram in bigrams(&chars) {
                index.postings.entry(bigram).or_default().push(id);
            }
            for trigram in trigrams(&chars) {
                index.trigram_postings.entry(trigram).or_default().push(id);
            }
            if chars.len() <= SHORT {
                for variant in deletions(&chars) {
                    let ids = index.variants.entry(variant_hash(&variant)).or_default();
                    // Variants of one name can be equal (`aab`).
                    if ids.last() != Some(&id) {
                        ids.push(id);
                    }
                }
            }
            if index.by_length.len() <= chars.len() {
                index.by_length.resize(chars.len() + 1, Vec::new());
            }
            index.by_length[chars.len()].push(id);
        }
        index.shrink_to_fit();
        index
    }

    /// The lists grew by doubling; the index is kept as long as the names.
    fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.postings.values_mut().for_each(Vec::shrink_to_fit);
        self.trigram_postings
            .values_mut()
            .for_each(Vec::shrink_to_fit);
        self.variants.values_mut().for_each(Vec::shrink_to_fit);
    }

    fn closest(&self, wanted: &str) -> Option<&str> {
        let wanted: Vec<char> = wanted.chars().collect();
        let len = wanted.len();
        if len > MAX_LEN || weight(&wanted) < MIN_WEIGHT {
            return None;
        }
        let max = max_distance(len);
        let query = bigrams(&wanted);
        let query3 = trigrams(&wanted);
        let mut candidates: Vec<u32> = if len < SHORT {
            // Short: one edit at most (see `max_distance`).
            deletions(&wanted)
                .iter()
                .filter_map(|v| self.variants.get(&variant_hash(v)))
                .flatten()
                .copied()
                .collect()
        } else if query3.len() > 3 * max {
            rarest(&query3, &self.trigram_postings, 3 * max + 1)
        } else if query.len() > 2 * max {
            rarest(&query, &self.postings, 2 * max + 1)
        } else {
            let lengths = len.saturating_sub(max)..=(len + max).min(MAX_LEN);
            lengths
                .filter_map(|l| self.by_length.get(l))
                .flatten()
                .copied()
                .collect()
        };
        candidates.sort_unstable();
        candidates.dedup();
        let mut chars = Vec::new();
        candidates
            .into_iter()
            .map(|id| &self.names[id as usize])
            .filter_map(|(key, written)| {
                chars.clear();
                chars.extend(key.chars());
                let distance = bounded_levenshtein(&wanted, &chars, max)?;
                (distance < len).then_some((distance, written.as_deref().unwrap_or(key)))
            })
            // The nearest; among equals, the first in name order, so the
            // answer does not depend on hashing.
            .min()
            .map(|(_, written)| written)
    }
}

/// Concept names (compared case- and width-folded) or citation keys
/// (compared as written), with the answers already given: a note re-checked
/// on every keystroke asks about the same broken names again and again.
#[derive(Debug, Default)]
pub struct Candidates {
    index: Index,
    fold: bool,
    memo: std::sync::Mutex<HashMap<String, Option<String>>>,
}

impl Candidates {
    pub fn names(names: impl Iterator<Item = String>) -> Candidates {
        Candidates::new(names, true)
    }

    pub fn keys(keys: impl Iterator<Item = String>) -> Candidates {
        Candidates::new(keys, false)
    }

    fn new(items: impl Iterator<Item = String>, fold: bool) -> Candidates {
        Candidates {
            index: Index::new(items, fold),
            fold,
            memo: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The closest candidate to `query`, if one is close enough.
    pub fn closest(&self, query: &str) -> Option<String> {
        if let Some(known) = self.memo.lock().ok().and_then(|m| m.get(query).cloned()) {
            return known;
        }
        let wanted = if self.fold {
            normalize(query)
        } else {
            query.to_string()
        };
        let found = self.index.closest(&wanted).map(str::to_string);
        if let Ok(mut memo) = self.memo.lock() {
            memo.insert(query.to_string(), found.clone());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn closest_within_a_few_edits() {
        let names = ["Chain of Thought", "Scaling Laws", "思维链"].map(String::from);
        let keys = ["kaplan2020scaling", "hoffmann2022training"].map(String::from);
        let (names, keys) = (
            Candidates::names(names.into_iter()),
            Candidates::keys(keys.into_iter()),
        );
        let name = |q: &str| names.closest(q);
        assert_eq!(
            name("Chian of Thought").as_deref(),
            Some("Chain of Thought")
        );
        assert_eq!(
            name("chain-of-thought").as_deref(),
            Some("Chain of Thought")
        );
        assert_eq!(name("思维").as_deref(), Some("思维链"));
        assert_eq!(name("Something else"), None);
        // Asked again, answered the same from the memo.
        assert_eq!(
            name("Chian of Thought").as_deref(),
            Some("Chain of Thought")
        );
        let key = keys.closest("kaplan2021scaling");
        assert_eq!(key.as_deref(), Some("kaplan2020scaling"));
        assert_eq!(keys.closest("x"), None);
        // Keys are compared as written: case matters.
        assert_eq!(keys.closest("KAPLAN2020SCALING"), None);
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "kitten",
            "sitting",
            "思维链",
            "思维",
            "banana",
            "bananas",
            "anana",
        ];
        for a in words {
            for b in words {
                let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let full = strsim::levenshtein(
                    &a.iter().collect::<String>(),
                    &b.iter().collect::<String>(),
                );
                for max in 0..4 {
                    let expected = (full <= max).then_some(full);
                    assert_eq!(
                        bounded_levenshtein(&a, &b, max),
                        expected,
                        "{a:?} {b:?} {max}"
                    );
                }
            }
        }
    }

    /// Found by the second hardening round: repeated bigrams defeated the
    /// filter (it counted distinct bigrams against the length), and short
    /// names were compared with every name.
    #[test]
    fn repetitive_and_short_names_are_found() {
        let long = "a".repeat(150);
        let names =
            Candidates::names([long.clone(), "abcd".to_string(), "wxyz".to_string()].into_iter());
        assert_eq!(
            names.closest(&format!("{long}b")).as_deref(),
            Some(long.as_str())
        );
        assert_eq!(names.closest("abce").as_deref(), Some("abcd"));
        assert_eq!(names.closest("abcde").as_deref(), Some("abcd"));
        assert_eq!(names.closest("qqqq"), None);
        // Too short to guess at: `abc` is as likely a word of its own.
        assert_eq!(names.closest("abc"), None);
        // Past the length bound: no suggestion, at no cost.
        assert_eq!(names.closest(&"a".repeat(40_000)), None);
    }

    #[test]
    fn the_filter_never_drops_a_match() {
        // Every name within the distance bound is found through the gram indexes
        // filter, including edits at both ends.
        let names: Vec<String> = (0..200).map(|i| format!("Concept number {i}")).collect();
        let candidates = Candidates::names(names.clone().into_iter());
        for (i, name) in names.iter().enumerate().step_by(17) {
            let typo = format!("X{}Y", &name[1..name.len() - 1]);
            let found = candidates.closest(&typo).expect("a suggestion");
            assert_eq!(
                strsim::levenshtein(&normalize(&found), &normalize(&typo)),
                2,
                "{i}"
            );
        }
    }

    /// What the index must answer: the nearest of every name, by brute
    /// force.
    fn closest_by_brute_force(names: &[String], query: &str) -> Option<String> {
        let wanted: Vec<char> = normalize(query).chars().collect();
        if wanted.len() > MAX_LEN || weight(&wanted) < MIN_WEIGHT {
            return None;
        }
        let max = max_distance(wanted.len());
        let mut seen = HashSet::new();
        names
            .iter()
            .filter(|name| seen.insert(normalize(name)))
            .filter_map(|name| {
                let chars: Vec<char> = normalize(name).chars().collect();
                if chars.is_empty() || chars.len() > MAX_LEN {
                    return None;
                }
                let distance = strsim::generic_levenshtein(&wanted, &chars);
                (distance <= max && distance < wanted.len()).then_some((distance, name.clone()))
            })
            .min()
            .map(|(_, name)| name)
    }

    proptest::proptest! {
        /// The index (gram postings, hashed deletion variants, lengths)
        /// finds what comparing every name finds, short names and CJK
        /// included.
        #[test]
        fn the_index_answers_as_brute_force(
            names in proptest::collection::vec("[abc思维 ]{1,7}", 1..40),
            queries in proptest::collection::vec("[abcd思维 ]{1,8}", 1..10),
        ) {
            let candidates = Candidates::names(names.clone().into_iter());
            for query in &queries {
                proptest::prop_assert_eq!(
                    candidates.closest(query),
                    closest_by_brute_force(&names, query),
                    "{:?}", query
                );
            }
        }

        /// The banded distance is the full one wherever that is within the
        /// bound, whether its rows are on the stack or not.
        #[test]
        fn banded_equals_full_distance(
            a in "[ab😀思 ]{0,12}",
            b in "[ab😀思 ]{0,12}",
            long in proptest::bool::ANY,
            max in 0usize..4,
        ) {
            let pad = if long { "x".repeat(300) } else { String::new() };
            let (a, b) = (format!("{pad}{a}"), format!("{pad}{b}"));
            let full = strsim::levenshtein(&a, &b);
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            let expected = (full <= max).then_some(full);
            proptest::prop_assert_eq!(bounded_levenshtein(&a, &b, max), expected);
        }
    }
}
