//! "Did you mean …?": the closest known name by edit distance.
//!
//! A vault has tens of thousands of names and a broken link is checked
//! against all of them, so candidates are first filtered by the bigrams they
//! share with the query (strings within `k` edits of each other share at
//! least `len - 1 - 2k` bigrams), and only those are compared by Levenshtein
//! distance.

use std::collections::{HashMap, HashSet};

use super::names::normalize;

/// The most edits a suggestion may be away: one in four characters, at
/// least one, at most three.
fn max_distance(len: usize) -> usize {
    (len / 4).clamp(1, 3)
}

fn bigrams(name: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = name.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Names indexed by their bigrams.
#[derive(Debug, Default)]
struct Index {
    /// (normalised, as written, length in characters)
    names: Vec<(String, String, usize)>,
    postings: HashMap<(char, char), Vec<u32>>,
}

impl Index {
    fn new(names: impl Iterator<Item = String>, fold: bool) -> Index {
        let mut index = Index::default();
        let mut seen = HashSet::new();
        for name in names {
            let key = if fold { normalize(&name) } else { name.clone() };
            if key.is_empty() || !seen.insert(key.clone()) {
                continue;
            }
            let id = index.names.len() as u32;
            for bigram in bigrams(&key) {
                index.postings.entry(bigram).or_default().push(id);
            }
            let len = key.chars().count();
            index.names.push((key, name, len));
        }
        index
    }

    fn closest(&self, wanted: &str) -> Option<&str> {
        let len = wanted.chars().count();
        let max = max_distance(len);
        let needed = (len.saturating_sub(1)).saturating_sub(2 * max);
        let candidates: Vec<u32> = if needed == 0 {
            // Too short for the filter to help: compare with every name of
            // a close length.
            (0..self.names.len() as u32).collect()
        } else {
            let mut shared = vec![0u16; self.names.len()];
            for bigram in bigrams(wanted) {
                for &id in self.postings.get(&bigram).into_iter().flatten() {
                    shared[id as usize] = shared[id as usize].saturating_add(1);
                }
            }
            (0..self.names.len() as u32)
                .filter(|&id| shared[id as usize] as usize >= needed)
                .collect()
        };
        candidates
            .into_iter()
            .map(|id| &self.names[id as usize])
            .filter(|(_, _, n)| n.abs_diff(len) <= max)
            .filter_map(|(key, written, _)| {
                let distance = strsim::levenshtein(wanted, key);
                (distance <= max && distance < len).then_some((distance, written.as_str()))
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

/// The closest of a few `names` to `wanted` (headings of a note, say).
pub fn closest(wanted: &str, names: &[String]) -> Option<String> {
    Index::new(names.iter().cloned(), true)
        .closest(&normalize(wanted))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_filter_never_drops_a_match() {
        // Every name within the distance bound is found through the bigram
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
}
