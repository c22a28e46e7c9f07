//! The anchors of one note: what `#…` after a link can name in it. Built
//! once per note on first use, so that a note with thousands of headings
//! linked thousands of times costs one hash lookup per link, not a scan of
//! every heading.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::names::{heading_key, normalize, slug};
use super::suggest::Candidates;
use crate::syntax::{Block, BlockKind};

/// A value computed on first use and dropped by `clone`: a copy of a note
/// (made when a note is replaced) rebuilds it rather than sharing stale
/// data.
pub struct Lazy<T>(OnceLock<T>);

impl<T> Default for Lazy<T> {
    fn default() -> Lazy<T> {
        Lazy(OnceLock::new())
    }
}

impl<T> Lazy<T> {
    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(init)
    }
}

impl<T> Clone for Lazy<T> {
    fn clone(&self) -> Lazy<T> {
        Lazy::default()
    }
}

impl<T> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lazy")
    }
}

#[derive(Debug)]
pub struct Anchors {
    /// Heading key (see [`heading_key`]) → heading block indexes, in order.
    by_text: HashMap<String, Vec<usize>>,
    /// GitHub-style slug → heading block indexes, in order.
    by_slug: HashMap<String, Vec<usize>>,
    /// The headings as written, for "did you mean".
    suggestions: Candidates,
}

impl Anchors {
    pub fn new(text: &str, blocks: &[Block]) -> Anchors {
        let mut by_text: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_slug: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names = Vec::new();
        for (index, block) in blocks.iter().enumerate() {
            if !matches!(block.kind, BlockKind::Heading { .. }) {
                continue;
            }
            let heading = &text[block.content.clone()];
            by_text.entry(heading_key(heading)).or_default().push(index);
            by_slug.entry(slug(heading)).or_default().push(index);
            names.push(heading.to_string());
        }
        Anchors {
            by_text,
            by_slug,
            suggestions: Candidates::names(names.into_iter()),
        }
    }

    /// The block index of the first heading named `anchor`, by its text or
    /// its slug.
    pub fn heading(&self, anchor: &str) -> Option<usize> {
        let by_text = self.by_text.get(&heading_key(anchor)).map(|v| v[0]);
        let by_slug = self.by_slug.get(&normalize(anchor)).map(|v| v[0]);
        match (by_text, by_slug) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The heading closest to `anchor`, for "did you mean".
    pub fn closest_heading(&self, anchor: &str) -> Option<String> {
        self.suggestions.closest(anchor)
    }
}
