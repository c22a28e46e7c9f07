//! The anchors of one note: what `#…` after a link can name in it. Built
//! once per note on first use, so that a note with thousands of headings
//! linked thousands of times costs one hash lookup per link, not a scan of
//! every heading.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::names::{
    docsify_slug, github_slug, heading_attributes, heading_key, normalize, pandoc_identifier, slug,
    unaccented,
};
use super::suggest::Candidates;
use crate::syntax::{BlockKind, NoteSyntax};

/// A heading's text after its number (`6.2 Dinatural Transformation`,
/// `1. Intro`), if it starts with one.
fn without_number(heading: &str) -> Option<&str> {
    let digits = heading.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let numbered =
        digits.len() < heading.len() && heading.starts_with(|c: char| c.is_ascii_digit());
    let rest = digits.strip_prefix([' ', '\t'])?.trim_start();
    (numbered && !rest.is_empty()).then_some(rest)
}

/// A value computed on first use and dropped by `clone`: a copy of a note
/// (made when a note is replaced) rebuilds it rather than sharing stale
/// data.
pub struct Lazy<T>(OnceLock<Box<T>>);

impl<T> Default for Lazy<T> {
    fn default() -> Lazy<T> {
        Lazy(OnceLock::new())
    }
}

impl<T> Lazy<T> {
    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(|| Box::new(init()))
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

/// What an anchor names in a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// A heading: its block index.
    Heading(usize),
    /// A block with a `^id`: the block's range.
    Block(std::ops::Range<usize>),
}

/// One heading, for matching anchors and chains.
#[derive(Debug)]
struct Heading {
    block: usize,
    level: u8,
}

#[derive(Debug)]
pub struct Anchors {
    /// Every heading, in order.
    headings: Vec<Heading>,
    /// Heading key → indexes into `headings`, in order.
    by_key: HashMap<String, Vec<usize>>,
    /// GitHub-style slug → indexes into `headings`, in order.
    by_slug: HashMap<String, Vec<usize>>,
    /// Block id (compared case-insensitively) → the block it names.
    blocks: HashMap<String, std::ops::Range<usize>>,
    /// The block ids as written, in order.
    block_ids: Vec<String>,
    /// The ids of Pandoc attributes elsewhere (`[term]{#id}`, `::: {#id}`,
    /// `![a](p.png){#fig:a}`): Pandoc gives the element that id, and a
    /// link to `#id` lands there. Compared as written.
    labels: HashMap<String, std::ops::Range<usize>>,
    /// The headings as written, for "did you mean".
    heading_names: Candidates,
    /// Numbered headings (`6.2 Dinatural Transformation`), by their text
    /// without the number folded, and as written: a link written before
    /// the numbers were added (by hand or by Obsidian's Number Headings
    /// plugin) means that heading.
    numbered: Vec<(String, String)>,
    /// The block ids as written, for "did you mean".
    block_names: Candidates,
}

impl Anchors {
    pub fn new(text: &str, syntax: &NoteSyntax) -> Anchors {
        let mut anchors = Anchors {
            headings: Vec::new(),
            by_key: HashMap::new(),
            by_slug: HashMap::new(),
            blocks: HashMap::new(),
            block_ids: Vec::new(),
            labels: HashMap::new(),
            heading_names: Candidates::default(),
            block_names: Candidates::default(),
            numbered: Vec::new(),
        };
        let mut names = Vec::new();
        // How many headings had each automatic id before: GitHub and
        // Pandoc give a repeated one `-1`, `-2`, … (`#twitter-1`).
        let mut seen: HashMap<(usize, String), usize> = HashMap::new();
        for (block, b) in syntax.blocks.iter().enumerate() {
            let BlockKind::Heading { level } = b.kind else {
                continue;
            };
            // Linked by its text (Obsidian), its GitHub slug, its Pandoc
            // identifier, or the id its attributes give it.
            let (heading, id) = heading_attributes(&text[b.content()]);
            let index = anchors.headings.len();
            anchors
                .by_key
                .entry(heading_key(heading))
                .or_default()
                .push(index);
            // Its ids by GitHub (as gloss long read them, and exactly),
            // by Pandoc, without accents as VuePress and VitePress make
            // them (`Général` is `#general`), with runs of `-` made one as
            // Python-Markdown (MkDocs) makes them (`A - B/C` is `#a-bc`),
            // and by docsify; each generator numbers its own repeats
            // (`general-1`).
            let github = slug(heading);
            let plain = match github.is_ascii() {
                true => github.clone(),
                false => unaccented(&github),
            };
            let single_dashes = plain
                .split('-')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            let schemes = [
                github,
                pandoc_identifier(heading),
                plain,
                single_dashes,
                github_slug(heading),
                docsify_slug(heading),
            ];
            let mut ids = Vec::new();
            for (scheme, auto) in schemes.into_iter().enumerate() {
                let before = seen.entry((scheme, auto.clone())).or_default();
                if *before > 0 {
                    ids.push(format!("{auto}-{before}"));
                }
                *before += 1;
                ids.push(auto);
            }
            ids.extend(id.map(normalize));
            // An id is what a link to it was meant to say.
            names.extend(id.map(str::to_string));
            ids.sort_unstable();
            ids.dedup();
            // Looked up normalised, as a link's anchor is (`，` is `,`).
            for id in ids {
                anchors
                    .by_slug
                    .entry(normalize(&id))
                    .or_default()
                    .push(index);
            }
            anchors.headings.push(Heading { block, level });
            if let Some(unnumbered) = without_number(heading) {
                (anchors.numbered).push((normalize(unnumbered), heading.to_string()));
            }
            names.push(heading.to_string());
        }
        anchors.heading_names = Candidates::names(names.into_iter());
        for id in &syntax.block_ids {
            anchors
                .blocks
                .entry(id.id.value.to_lowercase())
                .or_insert_with(|| id.block.clone());
            anchors.block_ids.push(id.id.value.clone());
        }
        anchors.block_names =
            Candidates::names(syntax.block_ids.iter().map(|b| format!("^{}", b.id.value)));
        for label in syntax.labels.iter() {
            (anchors.labels)
                .entry(label.value.clone())
                .or_insert_with(|| label.range.clone());
        }
        anchors
    }

    /// What `anchor` (the text after `#`, without it) names: `^id` a block,
    /// `A#B` heading B under heading A, a heading by its text or slug, else
    /// the element an attribute gives that id (as a block).
    pub fn find(&self, anchor: &str) -> Option<Anchor> {
        if let Some(id) = anchor.strip_prefix('^') {
            return self
                .blocks
                .get(&id.to_lowercase())
                .cloned()
                .map(Anchor::Block);
        }
        if let Some(heading) = self.find_heading(anchor) {
            return Some(heading);
        }
        self.labels.get(anchor).cloned().map(Anchor::Block)
    }

    /// The heading `anchor` names: by text or slug, `A#B` heading B under
    /// heading A.
    fn find_heading(&self, anchor: &str) -> Option<Anchor> {
        let mut parts = anchor.split('#').filter(|p| !p.trim().is_empty());
        let first = parts.next()?;
        // The first heading named so, then each further part among the
        // headings nested under the previous one.
        let mut at = self.matching(first).next()?;
        for part in parts {
            let parent = &self.headings[at];
            let end = self.headings[at + 1..]
                .iter()
                .position(|h| h.level <= parent.level)
                .map_or(self.headings.len(), |i| at + 1 + i);
            at = self.matching(part).find(|&i| i > at && i < end)?;
        }
        Some(Anchor::Heading(self.headings[at].block))
    }

    /// The indexes of the headings that `name` names, by text or slug, in
    /// order.
    fn matching(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        let by_key = self
            .by_key
            .get(&heading_key(name))
            .map_or(&[][..], Vec::as_slice);
        let by_slug = self
            .by_slug
            .get(&normalize(name))
            .map_or(&[][..], Vec::as_slice);
        let mut all: Vec<usize> = by_key.iter().chain(by_slug).copied().collect();
        all.sort_unstable();
        all.dedup();
        all.into_iter()
    }

    /// The heading or block id closest to `anchor`, for "did you mean".
    pub fn closest(&self, anchor: &str) -> Option<String> {
        if anchor.starts_with('^') {
            return self.block_names.closest(anchor);
        }
        let last = anchor.rsplit('#').next().unwrap_or(anchor);
        let wanted = normalize(last);
        let renumbered = self.numbered.iter().find(|(text, _)| *text == wanted);
        match renumbered {
            Some((_, heading)) => Some(heading.clone()),
            None => self.heading_names.closest(last),
        }
    }

    /// The block ids, as written, for completion.
    pub fn block_ids(&self) -> &[String] {
        &self.block_ids
    }
}
