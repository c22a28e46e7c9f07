//! Papers cited by title: a run of a note's text that is the title of a
//! bibliography entry is a mention of that paper, as readers of notes like
//! `“Transformer Feed-Forward Layers Are Key-Value Memories”给出了…` or
//! `研究来源:Scaling Laws for Neural Language Models——OpenAI` take it.
//!
//! Titles and text are compared folded ([`fold`]): case, punctuation,
//! quotes, hyphens, full-width forms and runs of spaces do not count. Two
//! ways to be a mention:
//!
//! - **Set off** from the sentence — in quotes (“…” "…" 《…》 「…」 ‘…’),
//!   next to a dash separator (`——`, `—`, ` - `), or as a whole list item:
//!   the text there may differ from the title by a few edits (one per 12
//!   characters, three in all).
//! - **Bare**, in running text: exactly a title of at least four words, two
//!   of them not stopwords (CJK: eight characters), on word boundaries, so
//!   that ordinary phrases are not papers.
//!
//! A mention lies within one line: a title broken across lines is not
//! found (as Obsidian's unlinked mentions). Code, URLs, link targets and
//! citations are never read. One automaton over every folded title finds
//! the bare ones in one pass over a line.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::mentions::is_cjk;
use super::{Bibliography, KeyLocation};
use crate::syntax::{BlockKind, NoteSyntax};

/// A title's index in [`Titles`].
pub type TitleId = u32;

/// A paper mentioned by its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleMention {
    /// The title as written, without quotes or the punctuation around it.
    pub range: Range<usize>,
    /// With its quotes, for a quoted title; else `range`.
    pub outer: Range<usize>,
    pub title: TitleId,
    /// Edits between the text and the title: 0 when they fold the same.
    pub edits: u8,
}

#[derive(Debug)]
struct Title {
    folded: String,
    /// Characters in `folded`.
    chars: u32,
    /// Words of the title in few others: what a near match is found by.
    distinctive: u8,
    /// Every entry with this title, short title or (unambiguous) main
    /// title, in load order.
    entries: Vec<KeyLocation>,
}

/// Every title of every loaded bibliography, folded, with the automaton
/// that finds them.
pub struct Titles {
    titles: Vec<Title>,
    by_text: HashMap<String, TitleId>,
    /// Over the first words of every title that may stand bare: a title's
    /// first four words are far fewer bytes than all of them, which keeps
    /// the automaton small for a 100k-entry bibliography.
    automaton: Option<AhoCorasick>,
    /// Automaton pattern → the titles that start with it.
    patterns: Vec<Vec<TitleId>>,
    /// Folded word → the titles holding it, for near matches.
    postings: HashMap<String, Vec<TitleId>>,
    /// Characters in the longest title: a longer phrase is none of them.
    longest: usize,
}

impl std::fmt::Debug for Titles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Titles({} titles)", self.titles.len())
    }
}

/// Words that do not make a phrase a title (`of the`, `in a`).
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does",
    "for", "from", "how", "in", "into", "is", "it", "its", "not", "of", "on", "or", "our", "that",
    "the", "their", "this", "to", "via", "we", "what", "when", "which", "why", "with", "you",
];

impl Titles {
    pub fn new(bibliographies: &[Bibliography]) -> Titles {
        let mut titles = Titles {
            titles: Vec::new(),
            by_text: HashMap::new(),
            automaton: None,
            patterns: Vec::new(),
            postings: HashMap::new(),
            longest: 0,
        };
        // Main title → the full titles that have it.
        let mut mains: HashMap<String, Vec<(String, KeyLocation)>> = HashMap::new();
        for (bib, file) in bibliographies.iter().enumerate() {
            for (entry, e) in file.entries.iter().enumerate() {
                let at = KeyLocation { bib, entry };
                if names_a_concept(e) {
                    continue;
                }
                if let Some(title) = &e.title {
                    let folded = fold_title(title);
                    if let Some(main) = main_title(title).map(fold_title) {
                        mains.entry(main).or_default().push((folded.clone(), at));
                    }
                    titles.add(folded, at);
                }
                if let Some(short) = &e.short_title {
                    titles.add(fold_title(short), at);
                }
            }
        }
        // A main title names its paper only where no other title has it.
        for (main, users) in mains {
            let one_paper = users.iter().all(|(full, _)| *full == users[0].0);
            if one_paper && !titles.by_text.contains_key(&main) && word_count(&main) >= 4 {
                for (_, at) in users {
                    titles.add(main.clone(), at);
                }
            }
        }
        titles.index();
        titles
    }

    fn add(&mut self, folded: String, at: KeyLocation) {
        if folded.is_empty() {
            return;
        }
        let id = *self.by_text.entry(folded.clone()).or_insert_with(|| {
            self.titles.push(Title {
                chars: folded.chars().count() as u32,
                distinctive: 0,
                folded,
                entries: Vec::new(),
            });
            (self.titles.len() - 1) as TitleId
        });
        let entries = &mut self.titles[id as usize].entries;
        if !entries.contains(&at) {
            entries.push(at);
        }
    }

    fn index(&mut self) {
        let mut prefixes: HashMap<&str, usize> = HashMap::new();
        let mut patterns = Vec::new();
        for (id, title) in self.titles.iter().enumerate() {
            self.longest = self.longest.max(title.chars as usize);
            if may_stand_bare(&title.folded) {
                let prefix = prefix(&title.folded);
                let pattern = *prefixes.entry(prefix).or_insert_with(|| {
                    patterns.push(prefix);
                    self.patterns.push(Vec::new());
                    patterns.len() - 1
                });
                self.patterns[pattern].push(id as TitleId);
            }
            let mut words: Vec<&str> = title.folded.split(' ').collect();
            words.sort_unstable();
            words.dedup();
            for word in words {
                self.postings
                    .entry(word.to_string())
                    .or_default()
                    .push(id as TitleId);
            }
        }
        self.automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        // Words in many titles (`language`, `models`) tell titles apart too
        // little to be worth counting.
        let common = (self.titles.len() / 50).max(64);
        self.postings.retain(|_, titles| titles.len() <= common);
        for title in &mut self.titles {
            let mut words: Vec<&str> = title.folded.split(' ').collect();
            words.sort_unstable();
            words.dedup();
            let distinctive = words
                .iter()
                .filter(|w| self.postings.contains_key(**w))
                .count();
            title.distinctive = distinctive.min(u8::MAX as usize) as u8;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.titles.is_empty()
    }

    /// The entries with title `id`, in load order.
    pub fn entries(&self, id: TitleId) -> &[KeyLocation] {
        &self.titles[id as usize].entries
    }

    /// The titles `entry` is mentioned by.
    pub fn of_entry(&self, entry: KeyLocation) -> Vec<TitleId> {
        (0..self.titles.len() as TitleId)
            .filter(|&id| self.entries(id).contains(&entry))
            .collect()
    }

    /// The papers mentioned by title in note text `text` with syntax
    /// `syntax`, in order.
    pub fn scan_note(&self, text: &str, syntax: &NoteSyntax) -> Vec<TitleMention> {
        self.scan_note_with(text, syntax, None, &|_| true)
    }

    /// [`Titles::scan_note`] for a note scanned before: lines as they
    /// were then are not read again. `cache` is what the last scan left,
    /// and is left with this one's lines. Only titles `visible` from the
    /// note are looked for (another note's own `references:` are not).
    pub fn scan_note_with(
        &self,
        text: &str,
        syntax: &NoteSyntax,
        mut cache: Option<&mut LineCache>,
        visible: &dyn Fn(TitleId) -> bool,
    ) -> Vec<TitleMention> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut lines = LineCache::default();
        let front_matter = syntax.front_matter_range.clone().unwrap_or(0..0);
        // Links whole: a title in a link's target, anchor or label is the
        // link's business (and an edit there would break the link).
        let mut hidden: Vec<Range<usize>> = syntax
            .links
            .iter()
            .map(|l| l.range())
            .chain(syntax.citations.iter().map(|c| c.token()))
            .collect();
        hidden.sort_by_key(|r| r.start);
        // Pandoc passes raw LaTeX environments (a `longtable` of
        // abbreviations) to LaTeX as they are: nothing there is cited.
        let code: Vec<Range<usize>> = (syntax.blocks.iter())
            .filter(|b| b.kind == BlockKind::Code)
            .map(|b| b.range())
            .collect();
        let raw_tex = crate::syntax::raw_tex_environments(text, &code);
        // The level of the reference list's heading while in one.
        let mut reference_list: Option<u8> = None;
        for block in &syntax.blocks {
            if let BlockKind::Heading { level } = block.kind {
                if reference_list.is_some_and(|list| level <= list) {
                    reference_list = None;
                }
                let heading = text.get(block.content()).unwrap_or("");
                if is_reference_list(heading) {
                    reference_list = Some(level);
                }
            }
            if block.kind == BlockKind::Code
                || block.range().start < front_matter.end
                || reference_list.is_some()
                || crate::syntax::inside(&raw_tex, block.range().start)
            {
                continue;
            }
            let line = block.content();
            let Some(source) = text.get(line.clone()) else {
                continue;
            };
            // `[3]: https://… "Paper Title"`: a link's title, not a mention.
            if block.kind == BlockKind::Line && is_link_definition(source) {
                continue;
            }
            let from = hidden.partition_point(|r| r.end <= line.start);
            let to = hidden.partition_point(|r| r.start < line.end);
            let hidden: Vec<Range<usize>> = hidden[from..to]
                .iter()
                .map(|r| r.start.max(line.start) - line.start..r.end.min(line.end) - line.start)
                .filter(|r| r.start < r.end)
                .collect();
            let whole_line = matches!(block.kind, BlockKind::ListItem { .. });
            let found = match cache.as_deref_mut() {
                None => self.scan_line(source, hidden, whole_line, visible),
                Some(cache) => {
                    let key = LineCache::key(source, &hidden, whole_line);
                    // Looked up, not taken: a line may occur twice. What a
                    // colliding hash would give is checked to fit the line.
                    let fits = |found: &&Vec<TitleMention>| {
                        found.iter().all(|m| {
                            [m.range.start, m.range.end, m.outer.start, m.outer.end]
                                .iter()
                                .all(|&at| source.is_char_boundary(at))
                        })
                    };
                    let found = match cache.0.get(&key).filter(fits) {
                        Some(found) => found.clone(),
                        None => self.scan_line(source, hidden, whole_line, visible),
                    };
                    lines.0.insert(key, found.clone());
                    found
                }
            };
            out.extend(found.into_iter().map(|m| TitleMention {
                range: m.range.start + line.start..m.range.end + line.start,
                outer: m.outer.start + line.start..m.outer.end + line.start,
                ..m
            }));
        }
        if let Some(cache) = cache {
            *cache = lines;
        }
        out
    }

    /// The mentions in the line `source`, in its offsets, skipping `hidden`
    /// (sorted).
    fn scan_line(
        &self,
        source: &str,
        mut hidden: Vec<Range<usize>>,
        whole_line: bool,
        visible: &dyn Fn(TitleId) -> bool,
    ) -> Vec<TitleMention> {
        hidden.extend(crate::syntax::hidden_ranges(source));
        hidden.extend(urls(source));
        hidden.extend(tex_commands(source));
        hidden.sort_by_key(|r| r.start);
        let folded = Folded::new(source, &hidden);
        let mut found = Vec::new();
        self.bare(source, &folded, visible, &mut found);
        // A title fits in its length in bytes, with room for the
        // punctuation folding drops.
        let window = 4 * (self.longest + 3);
        for segment in set_off_segments(source, &hidden, whole_line, window) {
            self.set_off(&folded, segment, visible, &mut found);
        }
        // The longest wins where mentions overlap, then the closest; the
        // same title found bare and in quotes keeps its quotes.
        found.sort_by_key(|m: &TitleMention| {
            let longest = std::cmp::Reverse((m.range.len(), m.outer.len()));
            (longest, m.edits, m.range.start)
        });
        let mut kept: Vec<TitleMention> = Vec::new();
        for m in found {
            if kept
                .iter()
                .all(|k| m.outer.end <= k.outer.start || k.outer.end <= m.outer.start)
            {
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.range.start);
        // Folding drops a title's closing parenthesis (`…guide to SO(3)`):
        // the mention keeps it.
        for m in &mut kept {
            let text = &source[m.range.clone()];
            for (open, close) in [('(', ')'), ('（', '）')] {
                let unclosed = text.matches(open).count() > text.matches(close).count();
                if unclosed && source[m.range.end..].starts_with(close) {
                    let widened = m.range.start..m.range.end + close.len_utf8();
                    if m.outer == m.range {
                        m.outer = widened.clone();
                    }
                    m.range = widened;
                }
            }
        }
        // A title linked to a web page (the paper's, a PDF of it, a
        // publisher's) is referred to as the web does: no citation is
        // missing there.
        let linked = web_link_texts(source);
        kept.retain(|m| {
            !linked
                .iter()
                .any(|text| text.start <= m.range.start && m.range.end <= text.end)
        });
        for m in &mut kept {
            m.outer = with_link(source, m.outer.clone());
        }
        kept
    }

    /// Exact titles in running text, on word boundaries, written as titles
    /// are (see [`reads_as_title`]).
    fn bare(
        &self,
        source: &str,
        folded: &Folded,
        visible: &dyn Fn(TitleId) -> bool,
        found: &mut Vec<TitleMention>,
    ) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        let text = folded.text.as_str();
        let open = |edge: Option<char>, inner: Option<char>| {
            edge.is_none_or(|c| c == ' ' || c == BARRIER || is_cjk(c)) || inner.is_some_and(is_cjk)
        };
        for m in automaton.find_overlapping_iter(text) {
            let start = m.start();
            let before = text[..start].chars().next_back();
            let first = text[start..].chars().next();
            if !open(before, first) {
                continue;
            }
            // The titles starting with the words found, whole.
            for &id in &self.patterns[m.pattern().as_usize()] {
                if !visible(id) {
                    continue;
                }
                let title = &self.titles[id as usize].folded;
                if !text[start..].starts_with(title.as_str()) {
                    continue;
                }
                let end = start + title.len();
                let after = text[end..].chars().next();
                let last = title.chars().next_back();
                if !open(after, last) {
                    continue;
                }
                let range = folded.source(start..end);
                if reads_as_title(&source[range.clone()]) {
                    found.push(TitleMention {
                        outer: range.clone(),
                        range,
                        title: id,
                        edits: 0,
                    });
                }
            }
        }
    }

    /// A set-off phrase (`segment`, a range of the line) that is a title,
    /// exactly or within a few edits.
    fn set_off(
        &self,
        folded: &Folded,
        segment: Segment,
        visible: &dyn Fn(TitleId) -> bool,
        found: &mut Vec<TitleMention>,
    ) {
        let Some(range) = folded.folded_range(segment.inner.clone()) else {
            return;
        };
        let phrase = &folded.text[range.clone()];
        // One word set off (`- BERT`, `“Introduction”`, `“大模型”`) is a
        // name or a heading more often than a paper (a thesis's list item
        // `- Introduction` is no book chapter of that title); in 《》 it is
        // a title. A CJK character counts as a word of its own; a phrase of
        // a script written without spaces (Thai) is a word only if short.
        let cjk = phrase.chars().filter(|&c| is_cjk(c)).count();
        let short = !phrase.contains(' ')
            && if cjk > 0 {
                cjk < 4
            } else {
                phrase.chars().count() < 24
            };
        // Two words alone on a list item (`- Unit testing`, `* Machine
        // Learning`) name a topic, not the book of that short title.
        let topic = !segment.quoted && !segment.book && cjk == 0 && phrase.split(' ').count() < 3;
        if phrase.contains(BARRIER) || (short && !segment.book) || topic {
            return;
        }
        let source = folded.source(range);
        let outer = if segment.quoted {
            segment.outer
        } else {
            source.clone()
        };
        if let Some(&title) = self.by_text.get(phrase).filter(|&&t| visible(t)) {
            found.push(TitleMention {
                range: source,
                outer,
                title,
                edits: 0,
            });
        } else if let Some((title, edits)) = self.near(phrase, visible) {
            found.push(TitleMention {
                range: source,
                outer,
                title,
                edits,
            });
        }
    }

    /// The one title within the edit budget of `phrase` (one edit per 12
    /// characters, three in all), if exactly one is closest.
    ///
    /// Comparing characters costs too much to try every title, so only
    /// titles sharing at least half of their distinctive words (those in
    /// few titles) with the phrase are compared: a title with a typo or
    /// two keeps most of its words, and a sentence that merely uses the
    /// same common words is not looked at.
    fn near(&self, phrase: &str, visible: &dyn Fn(TitleId) -> bool) -> Option<(TitleId, u8)> {
        let chars: Vec<char> = phrase.chars().collect();
        let budget = (chars.len() / 12).min(3);
        if budget == 0 || chars.len() > self.longest + budget {
            return None;
        }
        let mut words: Vec<&str> = phrase.split(' ').collect();
        words.sort_unstable();
        words.dedup();
        let mut shared: HashMap<TitleId, u8> = HashMap::new();
        for list in words.iter().filter_map(|w| self.postings.get(*w)) {
            for &id in list {
                let title = &self.titles[id as usize];
                if (title.chars as usize).abs_diff(chars.len()) <= budget {
                    *shared.entry(id).or_default() += 1;
                }
            }
        }
        let mut best: Option<(TitleId, usize)> = None;
        let mut tied = false;
        let mut title: Vec<char> = Vec::new();
        for (id, count) in shared {
            let candidate = &self.titles[id as usize];
            if 2 * count < candidate.distinctive || !visible(id) {
                continue;
            }
            title.clear();
            title.extend(candidate.folded.chars());
            let Some(d) = super::suggest::bounded_levenshtein(&chars, &title, budget) else {
                continue;
            };
            match best {
                Some((_, b)) if d > b => {}
                Some((_, b)) if d == b => tied = true,
                _ => {
                    best = Some((id, d));
                    tied = false;
                }
            }
        }
        best.filter(|_| !tied).map(|(id, d)| (id, d as u8))
    }
}

/// Commands that set their argument in the text: a title in them is read
/// (`\emph{Attention Is All You Need}`).
const TEXT_COMMANDS: [&str; 15] = [
    "emph",
    "textit",
    "textbf",
    "textsc",
    "textsl",
    "textup",
    "textrm",
    "textsf",
    "texttt",
    "underline",
    "mbox",
    "text",
    "enquote",
    "mkbibquote",
    "footnote",
];

/// Raw TeX commands with their arguments (`\nomenclature{MCMC}{Markov
/// Chain Monte Carlo}`, `\index[idx]{…}`), but for [`TEXT_COMMANDS`]:
/// Pandoc passes them to LaTeX as they are, so a title in them is no
/// mention in the text (found in a thesis's list of abbreviations).
/// Arguments are the `[…]` and balanced `{…}` groups right after the name.
fn tex_commands(line: &str) -> Vec<Range<usize>> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(slash) = line[at..].find('\\').map(|i| at + i) {
        let name = bytes[slash + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let mut end = slash + 1 + name;
        if TEXT_COMMANDS.contains(&&line[slash + 1..end]) {
            at = end;
            continue;
        }
        if name == 0 {
            at = end.min(line.len());
            if at < line.len() {
                at += line[at..].chars().next().map_or(1, char::len_utf8);
            }
            continue;
        }
        loop {
            let group = match bytes.get(end) {
                Some(b'[') => line[end..].find(']').map(|i| end + i + 1),
                Some(b'{') => balanced_group_end(line, end),
                _ => None,
            };
            match group {
                Some(group_end) => end = group_end,
                // A group open to the line's end: so would be those of
                // every command after it (looking again for each would
                // make a long line of them quadratic).
                None if bytes.get(end) == Some(&b'{') => {
                    found.push(slash..line.len());
                    return found;
                }
                None => break,
            }
        }
        found.push(slash..end);
        at = end;
    }
    found
}

/// The end of the `{…}` group opening at `start`, counting nested braces
/// (`\{` escaped ones not); `None` if it does not close on the line.
fn balanced_group_end(line: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, b) in line.bytes().enumerate().skip(start) {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// What each line of a note gave when last scanned, by a hash of the line
/// and what is hidden in it, with offsets in the line.
/// A keystroke hashes every line of the note: with Fx, a 1 MB note costs a
/// fraction of a millisecond (SipHash, the default, takes several times
/// longer). The lines are the user's own, so collisions are no attack
/// surface; one would show another line's mentions, so what a hit gives is
/// checked to fit the line before it is used.
#[derive(Debug, Default)]
pub struct LineCache(rustc_hash::FxHashMap<u64, Vec<TitleMention>>);

impl LineCache {
    fn key(line: &str, hidden: &[Range<usize>], whole_line: bool) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        line.hash(&mut hasher);
        hidden.hash(&mut hasher);
        whole_line.hash(&mut hasher);
        hasher.finish()
    }
}

/// Stands in for hidden text (code, a URL) in folded text: no title holds
/// it, so no match runs through it.
const BARRIER: char = '\u{0}';

/// A line folded for comparison, with the source range of each byte.
struct Folded {
    text: String,
    /// For each byte of `text`, the source range of the character it
    /// comes from.
    from: Vec<(u32, u32)>,
}

impl Folded {
    fn new(source: &str, hidden: &[Range<usize>]) -> Folded {
        let mut folded = Folded {
            text: String::with_capacity(source.len()),
            from: Vec::with_capacity(source.len()),
        };
        let mut hidden = hidden.iter().peekable();
        let mut skip_to = 0;
        let mut space = true;
        for (at, c) in source.char_indices() {
            if at < skip_to {
                continue;
            }
            while hidden.peek().is_some_and(|r| r.end <= at) {
                hidden.next();
            }
            if let Some(r) = hidden.peek().filter(|r| r.start <= at) {
                folded.push(BARRIER, at..r.end);
                skip_to = r.end;
                space = true;
                continue;
            }
            let end = at + c.len_utf8();
            match fold_char(c) {
                // Most of a note is ASCII: one byte in, one byte out.
                Some(c) if c.is_ascii() => {
                    folded.text.push(c.to_ascii_lowercase());
                    folded.from.push((at as u32, end as u32));
                    space = false;
                }
                Some(c) if is_cjk(c) => {
                    folded.push(c, at..end);
                    space = false;
                }
                Some(c) => {
                    for lower in c.to_lowercase() {
                        folded.push(lower, at..end);
                    }
                    space = false;
                }
                None if !space => {
                    folded.push(' ', at..end);
                    space = true;
                }
                None => {}
            }
        }
        folded
    }

    fn push(&mut self, c: char, from: Range<usize>) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.from.push((from.start as u32, from.end as u32));
        }
    }

    /// The source range of folded bytes `range`.
    fn source(&self, range: Range<usize>) -> Range<usize> {
        self.from[range.start].0 as usize..self.from[range.end - 1].1 as usize
    }

    /// The folded bytes of source range `range`, without spaces at either
    /// end; `None` when nothing is left.
    fn folded_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let mut start = self.from.partition_point(|f| (f.0 as usize) < range.start);
        let mut end = self.from.partition_point(|f| (f.1 as usize) <= range.end);
        let bytes = self.text.as_bytes();
        while start < end && bytes[start] == b' ' {
            start += 1;
        }
        while end > start && bytes[end - 1] == b' ' {
            end -= 1;
        }
        (start < end).then_some(start..end)
    }
}

/// The character `c` folds to, `None` for a separator (punctuation,
/// quotes, hyphens, spaces).
fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric().then_some(c);
    }
    if is_cjk(c) {
        // Most of the rest: a letter with no case.
        return Some(c);
    }
    let c = match c {
        // Full-width ASCII forms (`ＧＰＴ`, `：`).
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.is_alphanumeric().then_some(c)
}

/// `text` folded: lowercase, one space between words, no punctuation.
pub fn fold(text: &str) -> String {
    Folded::new(text, &[]).text.trim_end().to_string()
}

/// A bibliography title folded, its LaTeX markup dropped first:
/// `{BERT}: Pre-training`, `\emph{Attention} Is All You Need`.
pub fn fold_title(title: &str) -> String {
    let mut plain = String::with_capacity(title.len());
    let mut chars = title.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(c) if c.is_ascii_alphabetic() => {
                    while chars.peek().is_some_and(char::is_ascii_alphabetic) {
                        chars.next();
                    }
                }
                // `\"{U}` and `\'e`: the accent is dropped with its letter
                // kept; `\&`, `\%`: the character.
                _ => {}
            },
            '{' | '}' | '$' => {}
            c => plain.push(c),
        }
    }
    fold(&plain)
}

/// The title before its subtitle (`Chinchilla: Training …` → `Chinchilla`).
fn main_title(title: &str) -> Option<&str> {
    let cut = [": ", "：", "? ", "! ", " - ", " — ", "—", " ("]
        .iter()
        .filter_map(|sep| title.find(sep).map(|at| (at, sep.len())))
        .min()?;
    let main = title[..cut.0 + usize::from(title[cut.0..].starts_with(['?', '!']))].trim();
    let rest = title[cut.0 + cut.1..].trim();
    (!main.is_empty() && !rest.is_empty()).then_some(main)
}

/// The first four words of a folded title (a CJK character counts as a
/// word): what the automaton looks for.
fn prefix(folded: &str) -> &str {
    let mut words = 0;
    let mut in_word = false;
    for (at, c) in folded.char_indices() {
        let cjk = is_cjk(c);
        if c == ' ' || cjk {
            if in_word {
                words += 1;
                in_word = false;
            }
            if words == 4 {
                return &folded[..at];
            }
            if cjk {
                words += 1;
                if words == 4 {
                    return &folded[..at + c.len_utf8()];
                }
            }
        } else {
            in_word = true;
        }
    }
    folded
}

fn word_count(folded: &str) -> usize {
    folded.split(' ').filter(|w| !w.is_empty()).count()
}

/// Whether a folded title may be found in running text: four words, two
/// of them not stopwords, or eight characters for a title in CJK.
fn may_stand_bare(folded: &str) -> bool {
    if folded.chars().any(is_cjk) {
        return folded.chars().filter(|c| *c != ' ').count() >= 8;
    }
    let words: Vec<&str> = folded.split(' ').collect();
    let content = words.iter().filter(|w| !STOPWORDS.contains(w)).count();
    words.len() >= 4 && content >= 2
}

/// The texts of the links in `line` to web pages (`[text](https://…)`,
/// `[text](<http://…>)`, `[text](doi:…)`), brackets left out.
fn web_link_texts(line: &str) -> Vec<Range<usize>> {
    let mut texts = Vec::new();
    for (close, _) in line.match_indices("](") {
        let destination = line[close + 2..].trim_start_matches('<');
        let web = ["http://", "https://", "doi:", "www."]
            .iter()
            .any(|scheme| {
                destination
                    .get(..scheme.len())
                    .is_some_and(|d| d.eq_ignore_ascii_case(scheme))
            });
        if !web {
            continue;
        }
        // The `[` that opens the text, brackets inside it nesting.
        let mut depth = 0usize;
        let open = line[..close].bytes().rposition(|b| match b {
            b']' => {
                depth += 1;
                false
            }
            b'[' if depth == 0 => true,
            b'[' => {
                depth -= 1;
                false
            }
            _ => false,
        });
        if let Some(open) = open {
            texts.push(open + 1..close);
        }
    }
    texts
}

/// `outer`, or the whole `[title](https://…)` when it is a link's text:
/// a citation goes after the link, not inside its text.
fn with_link(line: &str, outer: Range<usize>) -> Range<usize> {
    if !line[..outer.start].ends_with('[') {
        return outer;
    }
    // The title may stop before punctuation of the link text (`Work?](…`).
    let rest = &line[outer.end..];
    let Some(text_end) = rest.find(']') else {
        return outer;
    };
    if rest[..text_end].chars().any(|c| c.is_alphanumeric()) {
        return outer;
    }
    let Some(url) = rest[text_end..].strip_prefix("](") else {
        return outer;
    };
    // Parentheses in the URL (`…/Attention_(machine_learning))`) nest.
    let mut depth = 0usize;
    for (at, c) in url.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return outer.start - 1..outer.end + text_end + 2 + at + 1,
            ')' => depth -= 1,
            c if c.is_whitespace() => break,
            _ => {}
        }
    }
    outer
}

/// Whether a line is a link reference definition, `[label]: destination
/// "title"`.
fn is_link_definition(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('[') else {
        return false;
    };
    // `[^1]: …` is a footnote, whose text is read.
    rest.find("]:").is_some_and(|close| {
        close > 0
            && !rest.starts_with('^')
            && !rest[..close].contains(['[', ']'])
            && rest[close + 2..].starts_with([' ', '\t'])
    })
}

/// Whether `entry` is an article of a reference work with a title of
/// three words at most (`Standard Error`, Wikipedia's, as Zotero saves it
/// `@inreference`): such a title is the concept's own name, which notes
/// write as a term (`*measurement uncertainty* - standard error - and`),
/// not as the article's title.
fn names_a_concept(entry: &crate::workspace::BibEntry) -> bool {
    const REFERENCE_WORKS: [&str; 6] = [
        "inreference",
        "entry-encyclopedia",
        "entry-dictionary",
        "entry",
        "encyclopedia",
        "dictionary",
    ];
    let short = |title: &String| word_count(&fold_title(title)) <= 3;
    REFERENCE_WORKS
        .iter()
        .any(|kind| entry.kind.eq_ignore_ascii_case(kind))
        && entry.title.as_ref().is_none_or(short)
}

/// Headings of a note's own list of references: its entries name papers
/// as a bibliography does, they do not mention them.
const REFERENCE_LISTS: &[&str] = &[
    "references",
    "reference",
    "reference list",
    "further reading",
    "reading list",
    // A thesis's list of its author's own papers.
    "publications",
    "list of publications",
    "publication list",
    "selected publications",
    "works arising from this thesis",
    "bibliography",
    "works cited",
    "literature",
    "sources",
    "literaturverzeichnis",
    "bibliographie",
    "références",
    "referencias",
    "bibliografía",
    "bibliografia",
    "riferimenti bibliografici",
    "список литературы",
    "литература",
    "参考文献",
    "参考资料",
    "文献",
    "引用文献",
    "참고문헌",
];

/// Whether a heading's text names a list of references (`## References`,
/// `## 参考文献`, `# Список литературы`, `# References {.unnumbered}`),
/// numbered or not, with a remark in parentheses or not (`# 参考资料（暂时）`,
/// `## References (draft)`).
fn is_reference_list(heading: &str) -> bool {
    // `# References {.unnumbered}`: the attributes are not the text.
    let (heading, _) = super::names::heading_attributes(heading);
    let heading = heading
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
        .trim_end_matches([':', '：'])
        .trim();
    let heading = without_remark(heading).to_lowercase();
    // `Further Reading and Search Keywords`, `References & Notes`.
    let and_more = |rest: &str| {
        [" and ", " & ", ", "]
            .iter()
            .any(|and| rest.starts_with(and))
    };
    REFERENCE_LISTS.iter().any(|list| {
        heading
            .strip_prefix(list)
            .is_some_and(|rest| rest.is_empty() || and_more(rest))
    })
}

/// `text` without a parenthesised remark at its end (`参考资料（暂时）`).
fn without_remark(text: &str) -> &str {
    let open = match text.chars().last() {
        Some(')') => '(',
        Some('）') => '（',
        _ => return text,
    };
    match text.rfind(open) {
        Some(at) if at > 0 => text[..at].trim_end(),
        _ => text,
    }
}

/// Words title case leaves in lower case besides the stopwords
/// (`Intrinsic vs Extrinsic Properties`, `Mind over Matter`).
const TITLE_CASE_MINOR: &[&str] = &[
    "vs", "versus", "nor", "but", "so", "yet", "per", "than", "up", "off", "out", "over", "under",
    "upon", "between", "against", "without", "within", "among", "through", "toward", "towards",
    "across", "beyond", "like", "onto", "et", "al", "de", "la", "le", "von", "van", "der",
];

/// Whether a title found in running text reads as one there rather than as
/// a phrase of the sentence: capitalised as titles are (`The Structure of
/// Scientific Revolutions`, not `the grammar of graphics` or `long short
/// term memory`), or six words or more, which ordinary phrases rarely
/// match. CJK titles have no case; their length rule is enough.
fn reads_as_title(text: &str) -> bool {
    // A compound is one word (`the trade-offs of sharing pollinators` is
    // a phrase of five).
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.len() >= 6 || text.chars().any(is_cjk) {
        return true;
    }
    // `3D Human Pose Estimation`: a digit starts a title word as well.
    let capitalised = |w: &str| {
        w.chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    // Every word that is not a stopword capitalised, a compound by its
    // first part (`Few-Shot`, `Pre-training`): `Monte Carlo
    // cross-validation` is a method named in a sentence.
    let minor = |w: &str| {
        let w = w.to_lowercase();
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        STOPWORDS.contains(&w) || TITLE_CASE_MINOR.contains(&w)
    };
    let content: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric) && !minor(w))
        .collect();
    words.first().is_some_and(|w| capitalised(w))
        && content.len() >= 2
        && content.iter().all(|w| capitalised(w))
}

/// URLs in a line (`https://…`, `www.…`), to the next space or non-ASCII
/// character, and HTML comments.
fn urls(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // Most lines have no URL: one pass over the bytes says so.
    let bytes = line.as_bytes();
    if !bytes.contains(&b':') && !line.contains("www.") && !line.contains("<!--") {
        return out;
    }
    for scheme in ["http://", "https://", "www.", "doi:"] {
        let mut from = 0;
        while let Some(at) = line[from..].find(scheme) {
            let start = from + at;
            // Notes run CJK text on after a URL (`…/2001.08361，《…》`).
            let len = line[start..]
                .find(|c: char| c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"'))
                .unwrap_or(line.len() - start);
            out.push(start..start + len);
            from = start + len.max(1);
        }
    }
    let mut from = 0;
    while let Some(at) = line[from..].find("<!--") {
        let start = from + at;
        let end = line[start..]
            .find("-->")
            .map_or(line.len(), |i| start + i + 3);
        out.push(start..end);
        from = end;
    }
    out
}

/// A phrase set off from its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    /// The phrase, quotes excluded.
    inner: Range<usize>,
    /// With its quotes.
    outer: Range<usize>,
    quoted: bool,
    /// In 《》, the marks of a book or paper title in Chinese.
    book: bool,
}

const QUOTES: &[(char, char)] = &[
    ('“', '”'),
    ('"', '"'),
    ('《', '》'),
    ('「', '」'),
    ('『', '』'),
    ('‘', '’'),
];

/// What ends a phrase next to a dash: quotes, brackets, list separators,
/// sentence ends and the line's ends. A colon ends one too, but a title may
/// hold one (`Rethinking …: What Makes …`): both readings are tried.
fn is_hard_boundary(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '"'
            | '《'
            | '》'
            | '「'
            | '」'
            | '『'
            | '』'
            | '‘'
            | '’'
            | '('
            | ')'
            | '（'
            | '）'
            | '['
            | ']'
            | '【'
            | '】'
            | '、'
            | '/'
            | '。'
            | '；'
            | '，'
            | '|'
    )
}

fn is_colon(c: char) -> bool {
    matches!(c, ':' | '：')
}

const DASHES: &[&str] = &["——", "—", " - ", " – ", "--"];

/// The first dash of `line` at or after `from`, the longest where several
/// start there.
fn next_dash(line: &str, from: usize) -> Option<(usize, &'static str)> {
    let mut at = from;
    loop {
        // Every dash has one of these; most lines have none.
        at += line[at..].find(['—', '–', '-'])?;
        // ` - ` and ` – ` start with their space.
        let start = if at > from && line.as_bytes()[at - 1] == b' ' {
            at - 1
        } else {
            at
        };
        if let Some(dash) = DASHES.iter().find(|d| line[start..].starts_with(**d)) {
            return Some((start, dash));
        }
        if let Some(dash) = DASHES.iter().find(|d| line[at..].starts_with(**d)) {
            return Some((at, dash));
        }
        at += line[at..].chars().next().map_or(1, char::len_utf8);
    }
}

/// The phrases of `line` set off by quotes or dashes, and the whole line
/// for a list item.
fn set_off_segments(
    line: &str,
    hidden: &[Range<usize>],
    whole_line: bool,
    window: usize,
) -> Vec<Segment> {
    // No phrase longer than the longest title is worth looking at: each
    // search is bounded by `window` bytes, so that a line of many dashes or
    // unclosed quotes costs time in proportion to its length.
    let floor = |at: usize| {
        (0..=at)
            .rev()
            .find(|&i| line.is_char_boundary(i))
            .unwrap_or(0)
    };
    let ceil = |at: usize| {
        (at.min(line.len())..=line.len())
            .find(|&i| line.is_char_boundary(i))
            .unwrap_or(line.len())
    };
    let is_hidden = |at: usize| {
        let before = hidden.partition_point(|r| r.start <= at);
        before
            .checked_sub(1)
            .is_some_and(|i| hidden[i].contains(&at))
    };
    let mut out = Vec::new();
    let plain = |r: Range<usize>| Segment {
        inner: r.clone(),
        outer: r,
        quoted: false,
        book: false,
    };
    if whole_line {
        out.push(plain(0..line.len()));
    }
    // Quotes: each opening quote with the next closing one on the line.
    let mut straight_open = false;
    for (at, c) in line.char_indices() {
        let Some(&(_, close)) = QUOTES.iter().find(|(open, _)| *open == c) else {
            continue;
        };
        // A quote in code or a tag quotes nothing.
        if is_hidden(at) {
            continue;
        }
        let inner = at + c.len_utf8();
        if c == '"' {
            // Straight quotes pair up in order: every other one closes.
            straight_open = !straight_open;
            if !straight_open {
                continue;
            }
        }
        if let Some(len) = line[inner..ceil(inner + window)].find(close) {
            out.push(Segment {
                inner: inner..inner + len,
                outer: at..inner + len + close.len_utf8(),
                quoted: true,
                book: c == '《',
            });
        }
    }
    // Dashes: the phrase before and the phrase after each.
    let mut from = 0;
    while let Some((at, dash)) = next_dash(line, from) {
        let end = at + dash.len();
        let window_start = floor(at.saturating_sub(window));
        let before = &line[window_start..at];
        let hard = window_start
            + before.rfind(is_hard_boundary).map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let soft = line[hard..at]
            .rfind(is_colon)
            .map(|i| hard + i + line[hard + i..].chars().next().map_or(1, char::len_utf8));
        out.push(plain(hard..at));
        if let Some(soft) = soft {
            out.push(plain(soft..at));
        }
        let after = &line[end..ceil(end + window)];
        let stop = after
            .find(|c: char| is_hard_boundary(c) || is_colon(c))
            .unwrap_or(after.len());
        let next = next_dash(&after[..stop], 0).map_or(stop, |(at, _)| at);
        out.push(plain(end..end + next));
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::bibliography::{BibEntry, BibFormat};
    use crate::workspace::SourceFile;

    fn titles(list: &[&str]) -> Titles {
        let file = SourceFile::new(
            std::path::Path::new("/v"),
            "/v/refs.bib".into(),
            String::new(),
            None,
        );
        let mut bib = Bibliography::new(file, BibFormat::BibTeX);
        bib.entries = list
            .iter()
            .enumerate()
            .map(|(i, t)| BibEntry {
                key: format!("k{i}"),
                title: Some(t.to_string()),
                ..BibEntry::default()
            })
            .collect();
        Titles::new(&[bib])
    }

    /// The mentions in `line`, as `[text]→entry index (edits)`.
    fn show(titles: &Titles, line: &str) -> String {
        let syntax = crate::syntax::parse_note(line);
        titles
            .scan_note(line, &syntax)
            .iter()
            .map(|m| {
                let entry = titles.entries(m.title)[0].entry;
                format!("[{}]→{entry} ({})", &line[m.range.clone()], m.edits)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn folding_ignores_case_quotes_hyphens_braces_and_widths() {
        assert_eq!(
            fold("Chain-of-Thought  Prompting"),
            "chain of thought prompting"
        );
        assert_eq!(fold("Let’s Verify"), fold("Let's verify"));
        assert_eq!(fold("ＧＰＴ－４：技术报告"), "gpt 4 技术报告");
        assert_eq!(
            fold_title("{BERT}: Pre-training of \\emph{Deep} Bidirectional Transformers"),
            "bert pre training of deep bidirectional transformers"
        );
        assert_eq!(
            main_title("Chinchilla: Training Compute"),
            Some("Chinchilla")
        );
        assert_eq!(main_title("What is it? A study"), Some("What is it?"));
        assert_eq!(main_title("No subtitle"), None);
        assert_eq!(
            prefix("scaling laws for neural language models"),
            "scaling laws for neural"
        );
        assert_eq!(prefix("a b"), "a b");
        assert_eq!(prefix("面向中文的大规模"), "面向中文");
        assert_eq!(prefix("gpt 4 技术报告"), "gpt 4 技术");
        assert_eq!(
            main_title("Large Language Models Still Can't Plan (A Benchmark for LLMs)"),
            Some("Large Language Models Still Can't Plan")
        );
    }

    #[test]
    fn the_ways_notes_write_titles() {
        let t = titles(&[
            "Scaling Laws for Neural Language Models",
            "Emergent Abilities of Large Language Models",
            "Transformer Feed-Forward Layers Are Key-Value Memories",
            "Chain of Thought Prompting Elicits Reasoning in Large Language Models",
            "Towards Tracing Factual Knowledge in Language Models Back to the Training Data",
            "Rethinking the Role of Demonstrations: What Makes In-Context Learning Work?",
            "Mass-Editing Memory in a Transformer",
            "Locating and Editing Factual Associations in GPT",
            "Intrinsic vs Extrinsic Properties",
        ]);
        let cases = [
            (
                "研究来源1:Scaling Laws for Neural Language Models——OpenAI",
                "[Scaling Laws for Neural Language Models]→0 (0)",
            ),
            (
                "原因:——Emergent Abilities of Large Language Models",
                "[Emergent Abilities of Large Language Models]→1 (0)",
            ),
            (
                "“Transformer Feed-Forward Layers Are Key-Value Memories”给出了视角。",
                "[Transformer Feed-Forward Layers Are Key-Value Memories]→2 (0)",
            ),
            (
                "——Chain of thought prompting elicits reasoning in large language models——202201",
                "[Chain of thought prompting elicits reasoning in large language models]→3 (0)",
            ),
            (
                "(参考文章:“Towards Tracing Factual Knowledge in Language Model Back to the Training Data”)",
                "[Towards Tracing Factual Knowledge in Language Model Back to the Training Data]→4 (1)",
            ),
            (
                "- Rethinking the Role of Demonstrations: What Makes In-Context Learning Work?——试图证明",
                "[Rethinking the Role of Demonstrations: What Makes In-Context Learning Work]→5 (0)",
            ),
            (
                "可以参考“Locating and Editing Factual Associations in GPT”和“Mass-Editing Memory in a Transformer”。",
                "[Locating and Editing Factual Associations in GPT]→7 (0), [Mass-Editing Memory in a Transformer]→6 (0)",
            ),
            (
                "见 Mass Editing Memory in a Transformer、Locating and Editing Factual Associations in GPT",
                "[Mass Editing Memory in a Transformer]→6 (0), [Locating and Editing Factual Associations in GPT]→7 (0)",
            ),
            // Bare, in title case with its lower-case words.
            (
                "[^2]: See Intrinsic vs Extrinsic Properties 😀 (2002).",
                "[Intrinsic vs Extrinsic Properties]→8 (0)",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(show(&t, line), expected, "{line}");
        }
    }

    #[test]
    fn near_misses_do_not_match() {
        let t = titles(&[
            "Large Language Models Are Zero-Shot Reasoners",
            "Deep Residual Learning",
            "Attention Is All You Need",
            "Training language models to follow instructions with human feedback",
            "Long Short-Term Memory",
            "{Monte Carlo} cross validation",
        ]);
        for line in [
            // A common phrase that begins a title.
            "Large language models are everywhere now.",
            // A three-word title in running text.
            "We use deep residual learning here.",
            // A short title used as a phrase of the sentence.
            "An LSTM (long short term memory) keeps state.",
            // A method named in a sentence, capitalised for a name in it.
            "an iteration of Monte Carlo cross-validation runs 😀",
            "we ran Monte Carlo cross validation again",
            "the attention is all you need slogan",
            // Inside code, a URL, a link target.
            "`Attention Is All You Need` and https://example.org/Attention-Is-All-You-Need",
            "See [[Attention Is All You Need]].",
            // Part of a longer word.
            "Training language models to follow instructions with human feedbackers",
            // Quoted, but too far from the title.
            "“Training language model to follow the instruction with humans feedback”",
        ] {
            assert_eq!(show(&t, line), "", "{line}");
        }
        // Set off, a short title matches exactly.
        assert_eq!(
            show(&t, "——Deep Residual Learning"),
            "[Deep Residual Learning]→1 (0)"
        );
    }

    #[test]
    fn a_shared_main_title_names_neither_paper() {
        let t = titles(&[
            "Language Models Are Few-Shot Learners: The GPT-3 Paper",
            "Language Models Are Few-Shot Learners: A Replication",
            "Sparks of Artificial General Intelligence: Early Experiments with GPT-4",
        ]);
        assert_eq!(
            show(&t, "as Language Models Are Few-Shot Learners shows"),
            ""
        );
        assert_eq!(
            show(&t, "in Sparks of Artificial General Intelligence we read"),
            "[Sparks of Artificial General Intelligence]→2 (0)"
        );
    }

    #[test]
    fn cjk_titles_by_length_or_in_book_quotes() {
        let t = titles(&["大语言模型综述", "面向中文的大规模预训练语言模型研究"]);
        assert_eq!(
            show(&t, "这篇面向中文的大规模预训练语言模型研究很好"),
            "[面向中文的大规模预训练语言模型研究]→1 (0)"
        );
        assert_eq!(show(&t, "我读了大语言模型综述。"), "");
        assert_eq!(
            show(&t, "我读了《大语言模型综述》。"),
            "[大语言模型综述]→0 (0)"
        );
    }

    #[test]
    fn a_title_broken_across_lines_is_not_a_mention() {
        let t = titles(&["Scaling Laws for Neural Language Models"]);
        assert_eq!(show(&t, "Scaling Laws for Neural\nLanguage Models"), "");
    }

    /// Scanning again with the lines of the last scan finds what a scan
    /// from nothing finds, whatever the edits between.
    #[test]
    fn a_rescan_after_edits_equals_a_fresh_scan() {
        let t = titles(&[
            "Scaling Laws for Neural Language Models",
            "Emergent Abilities of Large Language Models",
        ]);
        let mut text = String::from(
            "# 笔记 😀\n见“Scaling Laws for Neural Language Models”。\n- ——Emergent Abilities of Large Language Models——2022\n普通的一行\n",
        );
        let mut cache = LineCache::default();
        let edits: &[(&str, &str)] = &[
            (
                "普通的一行",
                "Scaling Laws for Neural Language Models 在这里",
            ),
            ("“Scaling", "`code` “Scaling"),
            ("——Emergent", "——Emergent Emergent"),
            ("# 笔记 😀\n", ""),
            ("Emergent Emergent", "Emergent"),
            ("在这里", "[@key] 在这里"),
        ];
        for (from, to) in edits {
            let syntax = crate::syntax::parse_note(&text);
            let cached = t.scan_note_with(&text, &syntax, Some(&mut cache), &|_| true);
            assert_eq!(cached, t.scan_note(&text, &syntax), "{text}");
            text = text.replacen(from, to, 1);
        }
        assert!(!cache.0.is_empty());
    }

    /// Found in a vault of paper notes: a title ending in parentheses
    /// is found with its closing one.
    #[test]
    fn a_title_ending_in_parentheses() {
        let t = titles(&["Learning with 3D Rotations, a Hitchhiker's Guide to SO(3)"]);
        assert_eq!(
            show(
                &t,
                "## [2024-04] Learning with 3D rotations, a hitchhiker's guide to SO(3) 😀"
            ),
            "[Learning with 3D rotations, a hitchhiker's guide to SO(3)]→0 (0)"
        );
    }

    /// What the review of the first version found: link parts, comments,
    /// a URL running into CJK text, short set-off names, quotes in code.
    #[test]
    fn links_comments_urls_and_short_names() {
        let t = titles(&[
            "Attention Is All You Need",
            "Scaling Laws for Neural Language Models",
            "BERT",
            "大模型",
        ]);
        for line in [
            "见 [[a#Attention Is All You Need]] 和 [[p|Attention Is All You Need]]",
            "<!-- Attention Is All You Need -->",
            "- BERT",
            "用 “BERT” 做分类，BERT - a model",
            "`\"` Attention is all you need \"",
        ] {
            assert_eq!(show(&t, line), "", "{line}");
        }
        assert_eq!(
            show(&t, "链接:https://arxiv.org/abs/2001.08361，《Scaling Laws for Neural Language Models》"),
            "[Scaling Laws for Neural Language Models]→1 (0)"
        );
        assert_eq!(show(&t, "读了《大模型》"), "[大模型]→3 (0)");
        // A link's text: the citation goes after the link.
        let line = "see [Attention Is All You Need](zotero://select/items/@vaswani2017) today";
        let syntax = crate::syntax::parse_note(line);
        let found = t.scan_note(line, &syntax);
        assert_eq!(
            &line[found[0].outer.clone()],
            "[Attention Is All You Need](zotero://select/items/@vaswani2017)"
        );
        // Found in research vaults: a title linked to a web page (the
        // paper's, a PDF of it) refers to it as the web does.
        for line in [
            "see [Attention Is All You Need](https://arxiv.org/abs/1706.03762) 😀",
            "[PDF: Attention Is All You Need - arXiv](<HTTP://x.org/a b.pdf>)",
            "[[x] Attention Is All You Need [y]](doi:10.48550/arXiv.1706.03762)",
        ] {
            assert_eq!(show(&t, line), "", "{line}");
        }
        // Punctuation the title leaves out, parentheses in the URL.
        let t = titles(&[
            "Attention Is All You Need",
            "What Makes In-Context Learning Work?",
            "3D Human Pose Estimation in the Wild",
            "大语言模型综述",
        ]);
        for (line, link) in [
            (
                "see [What Makes In-Context Learning Work?](zotero://select/a) now",
                "[What Makes In-Context Learning Work?](zotero://select/a)",
            ),
            (
                "see [Attention Is All You Need](zotero://select/Attention_(ml)) now",
                "[Attention Is All You Need](zotero://select/Attention_(ml))",
            ),
        ] {
            let syntax = crate::syntax::parse_note(line);
            let found = t.scan_note(line, &syntax);
            assert_eq!(&line[found[0].outer.clone()], link);
        }
        // A title starting with a digit; a CJK title in quotes.
        assert_eq!(
            show(&t, "we used 3D Human Pose Estimation in the Wild data"),
            "[3D Human Pose Estimation in the Wild]→2 (0)"
        );
        assert_eq!(show(&t, "读了“大语言模型综述”。"), "[大语言模型综述]→3 (0)");
    }
}
