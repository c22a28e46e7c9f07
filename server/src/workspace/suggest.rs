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

#[derive(Debug, Default)]
pub struct Candidates {
    names: Index,
    keys: Index,
    /// Answers already given: a note re-checked on every keystroke asks
    /// about the same broken names again and again.
    memo: std::sync::Mutex<HashMap<(bool, String), Option<String>>>,
}

impl Candidates {
    pub fn new(
        names: impl Iterator<Item = String>,
        keys: impl Iterator<Item = String>,
    ) -> Candidates {
        Candidates {
            names: Index::new(names, true),
            keys: Index::new(keys, false),
            memo: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn memoized(
        &self,
        is_name: bool,
        query: &str,
        find: impl FnOnce() -> Option<String>,
    ) -> Option<String> {
        let key = (is_name, query.to_string());
        if let Some(known) = self.memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return known;
        }
        let found = find();
        if let Ok(mut memo) = self.memo.lock() {
            memo.insert(key, found.clone());
        }
        found
    }

    pub fn closest_name(&self, name: &str) -> Option<String> {
        self.memoized(true, name, || {
            self.names.closest(&normalize(name)).map(str::to_string)
        })
    }

    pub fn closest_key(&self, key: &str) -> Option<String> {
        self.memoized(false, key, || self.keys.closest(key).map(str::to_string))
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
        let candidates = Candidates::new(names.into_iter(), keys.into_iter());
        let name = |q: &str| candidates.closest_name(q);
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
        let key = candidates.closest_key("kaplan2021scaling");
        assert_eq!(key.as_deref(), Some("kaplan2020scaling"));
        assert_eq!(candidates.closest_key("x"), None);
    }

    #[test]
    fn the_filter_never_drops_a_match() {
        // Every name within the distance bound is found through the bigram
        // filter, including edits at both ends.
        let names: Vec<String> = (0..200).map(|i| format!("Concept number {i}")).collect();
        let candidates = Candidates::new(names.clone().into_iter(), std::iter::empty());
        for (i, name) in names.iter().enumerate().step_by(17) {
            let typo = format!("X{}Y", &name[1..name.len() - 1]);
            let found = candidates.closest_name(&typo).expect("a suggestion");
            assert_eq!(
                strsim::levenshtein(&normalize(&found), &normalize(&typo)),
                2,
                "{i}"
            );
        }
    }
}
