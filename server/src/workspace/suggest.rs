//! "Did you mean …?": the closest known name by edit distance.

use std::collections::HashMap;

use super::names::normalize;

/// Names bucketed by length in characters, so that a lookup compares only
/// names whose length is within the distance allowed.
#[derive(Debug, Default)]
struct Bucketed {
    /// length → (normalised, as written)
    by_len: HashMap<usize, Vec<(String, String)>>,
}

impl Bucketed {
    fn new(names: impl Iterator<Item = String>, fold: bool) -> Bucketed {
        let mut bucketed = Bucketed::default();
        let mut seen = std::collections::HashSet::new();
        for name in names {
            let key = if fold { normalize(&name) } else { name.clone() };
            if key.is_empty() || !seen.insert(key.clone()) {
                continue;
            }
            bucketed
                .by_len
                .entry(key.chars().count())
                .or_default()
                .push((key, name));
        }
        for names in bucketed.by_len.values_mut() {
            names.sort();
        }
        bucketed
    }

    fn closest(&self, wanted: &str) -> Option<&str> {
        let len = wanted.chars().count();
        // One edit in three characters, at least one, and never a full
        // rewrite of a short name.
        let max = (len / 3).max(1);
        let mut best: Option<(usize, &str)> = None;
        for candidate_len in len.saturating_sub(max)..=len + max {
            for (key, written) in self.by_len.get(&candidate_len).into_iter().flatten() {
                let distance = strsim::levenshtein(wanted, key);
                if distance <= max && distance < len && best.is_none_or(|(d, _)| distance < d) {
                    best = Some((distance, written));
                }
            }
        }
        best.map(|(_, name)| name)
    }
}

#[derive(Debug, Default)]
pub struct Candidates {
    names: Bucketed,
    keys: Bucketed,
}

impl Candidates {
    pub fn new(
        names: impl Iterator<Item = String>,
        keys: impl Iterator<Item = String>,
    ) -> Candidates {
        Candidates {
            names: Bucketed::new(names, true),
            keys: Bucketed::new(keys, false),
        }
    }

    pub fn closest_name(&self, name: &str) -> Option<&str> {
        self.names.closest(&normalize(name))
    }

    pub fn closest_key(&self, key: &str) -> Option<&str> {
        self.keys.closest(key)
    }
}

/// The closest of a few `names` to `wanted` (headings of a note, say).
pub fn closest(wanted: &str, names: &[String]) -> Option<String> {
    Bucketed::new(names.iter().cloned(), true)
        .closest(&normalize(wanted))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_within_a_third() {
        let names = ["Chain of Thought", "Scaling Laws", "思维链"].map(String::from);
        let candidates = Candidates::new(
            names.into_iter(),
            ["kaplan2020scaling".to_string()].into_iter(),
        );
        assert_eq!(
            candidates.closest_name("Chian of Thought"),
            Some("Chain of Thought")
        );
        assert_eq!(
            candidates.closest_name("chain-of-thought"),
            Some("Chain of Thought")
        );
        assert_eq!(candidates.closest_name("思维"), Some("思维链"));
        assert_eq!(candidates.closest_name("Something else"), None);
        assert_eq!(
            candidates.closest_key("kaplan2020scalin"),
            Some("kaplan2020scaling")
        );
        assert_eq!(candidates.closest_key("x"), None);
    }
}
