//! Pandoc citations: `@key`, `[@key, p. 33]`, `[see @a, pp. 1-2; -@b]`.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{narrow, widen, Names, Packed, Spanned};

/// One cited key. Kept for every note: offsets in 32 bits, the key shared
/// and the suffix a range of the text near the key make it 32 bytes
/// instead of 88, and no allocation of its own (a locator such as `p. 28`
/// took one, 32 bytes with the allocator's, for most bracketed citations).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CitationItem {
    key: Packed,
    /// Every item of a group has the group's token: how hover finds them.
    token: [u32; 2],
    /// Bytes from the key's start to the suffix's, and its length: 0 for
    /// none. Only shown (in hover), so a locator longer than 64 KiB is cut
    /// to that, and one further than that from its key is none.
    suffix: [u16; 2],
    /// `-@key`: the author is suppressed.
    pub suppress_author: bool,
    /// Written in brackets, `[@key]` (else in the text, `@key`).
    pub bracketed: bool,
    /// `(@label)` or `@label.` starting a list item: the label of a Pandoc
    /// example, which the note's `@label`s refer to. Taken out, with those
    /// references, once the whole note is read ([`drop_examples`]).
    pub example_label: bool,
}

impl CitationItem {
    /// A citation of `key` in `token` (`@key` or the bracketed group), in
    /// the text, with no suffix.
    pub fn new(key: Spanned<String>, token: Range<usize>) -> CitationItem {
        CitationItem {
            key: Packed::new(key),
            token: narrow(token),
            suffix: [0, 0],
            suppress_author: false,
            bracketed: false,
            example_label: false,
        }
    }

    /// The key, without `@` or braces.
    pub fn key(&self) -> Spanned<&str> {
        self.key.get()
    }

    /// Takes the copy of the key that `names` keeps.
    pub fn share_names(&mut self, names: &mut Names) {
        self.key.share(names);
    }

    /// The whole citation token (`@key` or the bracketed group).
    pub fn token(&self) -> Range<usize> {
        widen(self.token)
    }

    /// Where the text after the key within its item is, e.g. `p. 33`.
    pub fn suffix_range(&self) -> Option<Range<usize>> {
        let [from_key, len] = self.suffix.map(usize::from);
        let start = self.key.get().range.start + from_key;
        (len > 0).then_some(start..start + len)
    }

    /// The text after the key within its item, e.g. `p. 33`, in the
    /// note's `text`.
    pub fn suffix<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.suffix_range()?)
    }

    /// Makes `suffix`, a slice of `whole`, which starts at byte `offset`
    /// of the note, the suffix; an empty one is none.
    fn set_suffix(&mut self, whole: &str, suffix: &str, offset: usize) {
        let start = offset + (suffix.as_ptr() as usize - whole.as_ptr() as usize);
        self.set_suffix_range(start..start + suffix.len());
    }

    /// Makes `range` the suffix, as [`CitationItem::suffix`] keeps it.
    fn set_suffix_range(&mut self, range: Range<usize>) {
        let from_key = range.start.checked_sub(self.key.get().range.start);
        self.suffix = match from_key.and_then(|n| u16::try_from(n).ok()) {
            Some(from_key) if !range.is_empty() => {
                [from_key, range.len().min(u16::MAX as usize) as u16]
            }
            _ => [0, 0],
        };
    }

    /// The citation with every offset mapped by `f` (a chunk of a note
    /// moved).
    pub fn map_ranges(&self, f: impl Fn(Range<usize>) -> Range<usize>) -> CitationItem {
        let mut moved = CitationItem {
            key: self.key.map_range(&f),
            token: narrow(f(self.token())),
            suffix: [0, 0],
            ..self.clone()
        };
        if let Some(suffix) = self.suffix_range() {
            moved.set_suffix_range(f(suffix));
        }
        moved
    }
}

/// A key, exactly: a letter, digit or `_` of any script but the CJK ones,
/// then more of them with single internal punctuation (and `//` after `:`
/// or `/`, for URLs); or a braced key without spaces,
/// `{https://x.org/?a&b}`. The grammar's `KEY` (`grammar/grammar.js`) is
/// the same with letters approximated by ranges of non-letters: it may take
/// in a rare symbol (a key ends there) or stop at a rare letter such as
/// `µ`, `ℓ` or `①` (the key ends there too).
static KEY: LazyLock<Regex> = LazyLock::new(|| {
    let key_char = r"[\p{L}\p{N}_&&[^\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]]";
    Regex::new(&format!(
        r"^(?:{key_char}+(?:(?:[:.#$%&\-+?<>~/]|[:/]/+){key_char}+)*|\{{[^{{}}@\s]+\}})"
    ))
    .expect("the key pattern compiles")
});

/// Pandoc's key, CJK characters included.
static PANDOC_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{L}\p{N}_]+(?:(?:[:.#$%&\-+?<>~/]|[:/]/+)[\p{L}\p{N}_]+)*")
        .expect("the key pattern compiles")
});

/// Whether `c` is a character gloss's own key rule ends a key at.
fn is_cjk(c: char) -> bool {
    static CJK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]$")
            .expect("the pattern compiles")
    });
    !c.is_ascii() && CJK.is_match(c.encode_utf8(&mut [0; 4]))
}

/// Pandoc's key rule over citations read by gloss's: a key followed by a
/// CJK character runs on (`@wei2022提出` cites `wei2022提出`), and an `@`
/// before a CJK character outside `skip` (code, front matter, link
/// destinations) and outside code spans, autolinks and tags starts one
/// (`@王2023`, `[@王2023]`), unless it is in a raw LaTeX environment
/// (`code` are the code blocks, for [`drop_raw_tex`]).
pub(super) fn read_keys_as_pandoc(
    citations: &mut Vec<CitationItem>,
    text: &str,
    skip: &[Range<usize>],
    code: &[Range<usize>],
) {
    for cited in citations.iter_mut() {
        let key = cited.key().range;
        let braced = text[..key.start].ends_with('{');
        let runs_on = text[key.end..].chars().next().is_some_and(is_cjk);
        if braced || !runs_on {
            continue;
        }
        let Some(found) = PANDOC_KEY.find(&text[key.start..]) else {
            continue;
        };
        let end = key.start + found.end();
        if cited.token().end == key.end {
            cited.token[1] = narrow(key.start..end)[1];
        }
        // The key's start, which the suffix is kept from, stays.
        cited.key = Packed::new(Spanned {
            value: text[key.start..end].to_string(),
            range: key.start..end,
        });
    }
    let starts: Vec<usize> = text
        .match_indices('@')
        .map(|(at, _)| at)
        .filter(|&at| text[at + 1..].chars().next().is_some_and(is_cjk))
        .filter(|&at| may_cite_after(&text[..at]))
        .filter(|&at| !skip.iter().any(|r| r.contains(&at)))
        .collect();
    if starts.is_empty() {
        return;
    }
    let hidden = hidden_ranges(text);
    let mut found = Vec::new();
    for at in starts.into_iter().filter(|&at| !inside(&hidden, at)) {
        let Some(key) = PANDOC_KEY.find(&text[at + 1..]) else {
            continue;
        };
        let key = at + 1..at + 1 + key.end();
        let before = text[..at].trim_end_matches(['-', ' ']);
        let line = text[key.end..].split(['\n', '\r']).next().unwrap_or("");
        let bracketed = before.ends_with(['[', ';']) && line.contains(']');
        let value = text[key.clone()].to_string();
        found.push(CitationItem {
            suppress_author: suppressed(&text[..at]),
            bracketed,
            ..CitationItem::new(
                Spanned {
                    value,
                    range: key.clone(),
                },
                at..key.end,
            )
        });
    }
    drop_raw_tex(&mut found, text, code);
    // Brackets that are a group by Pandoc's rule were text by gloss's:
    // the bare citations read in them are items of the group.
    let groups: Vec<Range<usize>> = found
        .iter()
        .filter(|c| c.bracketed)
        .filter_map(|c| {
            let open = text[..c.token().start].rfind('[')?;
            let end = c.key().range.end;
            let close = end + text[end..].find(']')?;
            Some(open..close)
        })
        .collect();
    for cited in citations.iter_mut() {
        if groups.iter().any(|g| g.contains(&cited.key().range.start)) {
            cited.bracketed = true;
        }
    }
    citations.extend(found);
    citations.sort_by_key(|c| c.key().range.start);
}

/// Whether an `@` right after `before` may start a citation: not after a
/// letter or digit of any script, nor after `.` (Pandoc reads
/// `someone@example.com`, `参见@key` and `end.@key` as text), nor
/// escaped (`\@ref(fig:x)`, bookdown's cross-references, is a literal
/// `@`).
fn may_cite_after(before: &str) -> bool {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[\p{L}\p{N}.\\]$").expect("the pattern compiles"));
    before
        .chars()
        .next_back()
        .is_none_or(|c| !WORD.is_match(c.encode_utf8(&mut [0; 4])))
}

/// The key after the `@` at byte `at` of `text`: its range, without braces.
fn key_after_at(text: &str, at: usize) -> Option<Range<usize>> {
    let found = KEY.find(&text[at + 1..])?;
    let key = at + 1 + found.start()..at + 1 + found.end();
    Some(if text[key.clone()].starts_with('{') {
        key.start + 1..key.end - 1
    } else {
        key
    })
}

fn item(text: &str, at: usize, offset: usize, token: Range<usize>) -> Option<CitationItem> {
    let key = key_after_at(text, at)?;
    let value = text[key.clone()].to_string();
    let key_end = if text[key.end..].starts_with('}') {
        key.end + 1
    } else {
        key.end
    };
    let suffix = text[key_end..].trim_start_matches([',', '，']).trim();
    let key = Spanned {
        value,
        range: offset + key.start..offset + key.end,
    };
    let mut cited = CitationItem {
        suppress_author: suppressed(&text[..at]),
        ..CitationItem::new(key, token)
    };
    cited.set_suffix(text, suffix, offset);
    Some(cited)
}

/// `-@key`: the `-` right before the `@` asks to suppress the author,
/// unless it follows a word (`x-@key` is `x-` and `@key`).
fn suppressed(before: &str) -> bool {
    before.strip_suffix('-').is_some_and(may_cite_after)
}

/// A bare `@key` token at `start`; `before` and `after` are the note's text
/// around it (for `-@key` and example labels).
pub(super) fn parse_bare(
    token: &str,
    start: usize,
    before: &str,
    after: &str,
) -> Option<CitationItem> {
    let range = start..start + token.len();
    let mut cited = item(token, 0, start, range)?;
    cited.suffix = [0, 0];
    cited.suppress_author = suppressed(before);
    cited.example_label = is_example_label(before, after);
    Some(cited)
}

/// Pandoc's example list markers: `(@label)` or `@label.` or `@label)` at
/// the start of a line (up to three spaces in), then a space or the line's
/// end.
fn is_example_label(before: &str, after: &str) -> bool {
    let (before, closing) = match before.strip_suffix('(') {
        Some(before) => (before, &[')'][..]),
        None => (before, &['.', ')'][..]),
    };
    let indent = before.len() - before.trim_end_matches([' ', '\t']).len();
    let line_start = before[..before.len() - indent]
        .chars()
        .next_back()
        .is_none_or(|c| c == '\n' || c == '\r');
    let mut after = after.chars();
    line_start
        && indent <= 3
        && after.next().is_some_and(|c| closing.contains(&c))
        && after
            .next()
            .is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// The citations of a MyST citation role, ``{cite}`a,b` `` (and
/// `{cite:p}`, `{cite:t}`, `{footcite}`, … of mystmd and
/// sphinxcontrib-bibtex): `before` is the text up to the code span `span`
/// at `start`, which holds the keys.
pub(super) fn parse_role(before: &str, span: &str, start: usize) -> Vec<CitationItem> {
    // A role's name is short: a text of many `}` and no `{` is not
    // searched back to its start for each span.
    let from = before.len().saturating_sub(32);
    let open = (before.as_bytes()[from..].iter()).rposition(|&b| b == b'{');
    let Some(open) = open.map(|at| from + at).filter(|_| before.ends_with('}')) else {
        return Vec::new();
    };
    let role = &before[open + 1..before.len() - 1];
    let (name, variant) = role.split_once(':').unwrap_or((role, ""));
    let is_role =
        matches!(name, "cite" | "footcite") && variant.bytes().all(|b| b.is_ascii_alphanumeric());
    let ticks = span.bytes().take_while(|&b| b == b'`').count();
    let Some(inner) = span
        .get(ticks..span.len().saturating_sub(ticks))
        .filter(|_| is_role)
    else {
        return Vec::new();
    };
    let token = open..start + span.len();
    let mut at = start + ticks;
    let mut citations = Vec::new();
    for part in inner.split([',', ';']) {
        let key = part.trim();
        if !key.is_empty() && !key.contains(char::is_whitespace) {
            let key_start = at + (key.as_ptr() as usize - part.as_ptr() as usize);
            let key = Spanned {
                value: key.to_string(),
                range: key_start..key_start + key.len(),
            };
            let mut citation = CitationItem::new(key, token.clone());
            citation.bracketed = true;
            citations.push(citation);
        }
        at += part.len() + 1;
    }
    citations
}

/// Takes Pandoc example labels out of `citations`, and the references to
/// them written like citations (`@label`, `(@label)`, `-@label`; in
/// brackets, `[@label]` stays a citation).
pub(super) fn drop_examples(citations: &mut Vec<CitationItem>) {
    if !citations.iter().any(|c| c.example_label) {
        return;
    }
    let labels: std::collections::HashSet<String> = citations
        .iter()
        .filter(|c| c.example_label)
        .map(|c| c.key().value.to_string())
        .collect();
    citations.retain(|c| c.bracketed || !labels.contains(c.key().value));
}

/// The bare citations in `text` (a link's label, or brackets that are no
/// citation group), which starts at byte `start` of the note.
pub(super) fn bare_citations_in(text: &str, start: usize) -> Vec<CitationItem> {
    let hidden = hidden_ranges(text);
    text.match_indices('@')
        .filter(|&(at, _)| may_cite_after(&text[..at]))
        .filter(|&(at, _)| !inside(&hidden, at))
        .filter_map(|(at, _)| {
            let key = key_after_at(text, at)?;
            let end = key.end + usize::from(text[key.end..].starts_with('}'));
            let mut cited = item(&text[..end], at, start, start + at..start + end)?;
            cited.suffix = [0, 0];
            Some(cited)
        })
        .collect()
}

/// Takes out the citations inside raw LaTeX environments of `text`
/// (`\begin{lstlisting}` … `@Override` … `\end{lstlisting}`): Pandoc
/// passes them to LaTeX untouched. Links stay: Obsidian, which knows no raw
/// LaTeX, follows them.
/// `code` are the note's code blocks: `\begin` and `\end` in them, or in
/// code spans, are code (a ```` ```{=latex} ```` block may open an
/// environment that another one closes; Pandoc keeps both as code).
pub(super) fn drop_raw_tex(citations: &mut Vec<CitationItem>, text: &str, code: &[Range<usize>]) {
    if citations.is_empty() {
        return;
    }
    let raw = raw_tex_environments(text, code);
    citations.retain(|c| !inside(&raw, c.key().range.start));
}

/// The raw LaTeX environments of `text` ([`raw_tex_ranges`]), `code`
/// being its code blocks (in order).
pub(crate) fn raw_tex_environments(text: &str, code: &[Range<usize>]) -> Vec<Range<usize>> {
    if !text.contains("\\begin{") {
        return Vec::new();
    }
    let spans = code_spans(text);
    raw_tex_ranges(text, &|at| inside(code, at) || inside(&spans, at))
}

/// Whether `at` is in one of `ranges` (sorted and disjoint).
pub(crate) fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    let before = ranges.partition_point(|r| r.start <= at);
    before
        .checked_sub(1)
        .is_some_and(|i| ranges[i].contains(&at))
}

/// The code spans of `text`, line by line.
fn code_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line.contains('`') {
            spans.extend(
                hidden_ranges(line)
                    .into_iter()
                    .filter(|r| line.as_bytes()[r.start] == b'`')
                    .map(|r| line_start + r.start..line_start + r.end),
            );
        }
        line_start += line.len();
    }
    spans
}

/// The raw LaTeX environments of `text`, in order: `\begin{name}` through
/// its `\end{name}` (nested ones of the same name counted), anywhere, as
/// Pandoc reads them. One never closed is text.
fn raw_tex_ranges(text: &str, in_code: &dyn Fn(usize) -> bool) -> Vec<Range<usize>> {
    const BEGIN: &str = "\\begin{";
    let mut ranges = Vec::new();
    // Names with no `\end` after some `\begin`: none after a later one
    // either (searching again would make a note of them quadratic).
    let mut unclosed = std::collections::HashSet::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(BEGIN) {
        let start = from + found;
        let name_start = start + BEGIN.len();
        from = name_start;
        let Some(len) = text[name_start..].bytes().take(65).position(|b| b == b'}') else {
            continue;
        };
        let name = &text[name_start..name_start + len];
        if name.is_empty()
            || name.contains(char::is_whitespace)
            || unclosed.contains(name)
            || in_code(start)
        {
            continue;
        }
        match environment_end(text, name_start + len + 1, name, in_code) {
            Some(end) => {
                ranges.push(start..end);
                from = end;
            }
            None => {
                unclosed.insert(name);
            }
        }
    }
    ranges
}

/// Where the environment `name` opened before `from` ends: after its
/// `\end{name}`, counting the same environments nested in it.
fn environment_end(
    text: &str,
    mut from: usize,
    name: &str,
    in_code: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    let (open, close) = (format!("\\begin{{{name}}}"), format!("\\end{{{name}}}"));
    let mut depth = 1usize;
    loop {
        let at = from + text[from..].find(&close)?;
        depth += text[from..at]
            .match_indices(&open)
            .filter(|(i, _)| !in_code(from + i))
            .count();
        if !in_code(at) {
            depth -= 1;
        }
        from = at + close.len();
        if depth == 0 {
            return Some(from);
        }
    }
}

/// The parts of `text` whose `@` is no citation, as the grammar reads them
/// outside brackets: code spans, HTML comments (`[<!-- TODO: @Abby … -->
/// @real]` cites `real`, found in a dissertation), and autolinks and HTML
/// tags (`<…>` with no space inside, or opening a tag with attributes,
/// `<span title="@x">`).
pub(crate) fn hidden_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut hidden = Vec::new();
    // Backtick runs of a length that found no closing run: none later will
    // (searching again would make a line of them quadratic); so for a
    // comment left open.
    let mut unclosed = std::collections::HashSet::new();
    let mut comment_unclosed = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' if bytes[i..].starts_with(b"<!--") => {
                let close = match comment_unclosed {
                    true => None,
                    false => text[i + 4..].find("-->"),
                };
                match close {
                    Some(close) => {
                        let end = i + 4 + close + 3;
                        hidden.push(i..end);
                        i = end;
                    }
                    None => {
                        comment_unclosed = true;
                        i += 4;
                    }
                }
            }
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                let fence = &text[i..i + run];
                let close = match unclosed.contains(&run) {
                    true => None,
                    false => text[i + run..].find(fence),
                };
                match close {
                    Some(close) => {
                        let end = i + run + close + run;
                        hidden.push(i..end);
                        i = end;
                    }
                    None => {
                        unclosed.insert(run);
                        i += run;
                    }
                }
            }
            b'<' => {
                let inside = text[i + 1..].split(['<', '>']).next().unwrap_or("");
                let closed = text[i + 1 + inside.len()..].starts_with('>');
                let tag = inside.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
                    && inside.contains('=');
                if closed && (tag || !inside.contains(char::is_whitespace)) {
                    hidden.push(i..i + inside.len() + 2);
                    i += inside.len() + 2;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    hidden
}

/// Brackets holding an `@` (a `citation_group` token) at `start`, read by
/// what surrounds them as Pandoc does: `before` and `after` are the note's
/// text around them, `previous` the citation read before them.
/// - `[@a; -@b, p. 3]`: a group, each item citing a key.
/// - `^[…]` (an inline note), `[…]{.class}` (a span), or brackets where
///   an item has no key (`[see above; @b]`): text, whose citations are
///   bare ones. (`![@a]` is a group since Pandoc 3; Pandoc 2 read it as
///   text.)
/// - `@a [p. 33; @b]`: a locator of the bare `@a` before it, then items.
pub(super) fn parse_brackets(
    token: &str,
    start: usize,
    (before, after): (&str, &str),
    previous: Option<&mut CitationItem>,
) -> Vec<CitationItem> {
    let inner = &token[1..token.len() - 1];
    let bare = || bare_citations_in(inner, start + 1);
    if before.ends_with('^') || after.starts_with('{') {
        return bare();
    }
    let parts = parts(token);
    if let Some(items) = group(token, start, &parts) {
        return items;
    }
    // A locator right after a bare citation (blanks between).
    let Some(previous) = previous.filter(|p| {
        !p.bracketed
            && p.token().end <= start
            && before[p.token().end..]
                .chars()
                .all(|c| c == ' ' || c == '\t')
    }) else {
        return bare();
    };
    let Some((locator, rest)) = parts.split_first() else {
        return bare();
    };
    match group(token, start, rest) {
        Some(items) => {
            let locator = token[locator.clone()].trim();
            previous.set_suffix(token, locator, start);
            items
        }
        None => bare(),
    }
}

/// The items of a group, one per `;`-separated part of `token` (ranges
/// in it), each citing the first `@` that may start a citation (see
/// [`may_cite_after`]); `None` if a part has no key.
fn group(token: &str, start: usize, parts: &[Range<usize>]) -> Option<Vec<CitationItem>> {
    let range = start..start + token.len();
    let mut items = Vec::new();
    for part in parts {
        let text = &token[part.clone()];
        // Code spans are code: `` [`@Component`] `` cites nothing.
        let hidden = hidden_ranges(text);
        let (at, _) = text.match_indices('@').find(|&(at, _)| {
            may_cite_after(&text[..at]) && !inside(&hidden, at) && key_after_at(text, at).is_some()
        })?;
        // A Quarto cross-reference is an item, not a citation.
        items.extend(
            item(text, at, start + part.start, range.clone()).map(|cited| CitationItem {
                bracketed: true,
                ..cited
            }),
        );
    }
    Some(items)
}

/// The `;`-separated parts inside brackets, as ranges of `token`.
fn parts(token: &str) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut from = 1;
    for (at, separator) in token[..token.len() - 1].match_indices([';', '；']) {
        parts.push(from..at);
        from = at + separator.len();
    }
    parts.push(from..token.len() - 1);
    parts
}

/// A group alone, with nothing around it (tests).
#[cfg(test)]
fn parse_group(token: &str, start: usize) -> Vec<CitationItem> {
    parse_brackets(token, start, ("", ""), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(items: &[CitationItem], text: &str) -> Vec<String> {
        items
            .iter()
            .map(|i| {
                assert_eq!(&text[i.key().range], i.key().value);
                format!(
                    "{}{}{}",
                    if i.suppress_author { "-" } else { "" },
                    i.key().value,
                    i.suffix(text)
                        .map(|s| format!(" [{s}]"))
                        .unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn pandoc_key_rule_takes_cjk_in() {
        let text = "---\nx: \"@王\"\n---\n😀 @wei2022提出，[@王2023; @a] 和 `@王2023` -@王2023 [x](@王) @{王2}x\n```\n@王\n```\n";
        let mut note = crate::syntax::parse_note(text);
        let before: Vec<String> = keys(&note.citations, text);
        assert_eq!(before, ["wei2022", "a", "王2"]);
        crate::syntax::read_keys_as_pandoc(&mut note, text);
        let after = keys(&note.citations, text);
        assert_eq!(after, ["wei2022提出", "王2023", "a", "-王2023", "王2"]);
        let modes: Vec<bool> = note.citations.iter().map(|c| c.bracketed).collect();
        assert_eq!(modes, [false, true, true, false, false]);
        assert_eq!(&text[note.citations[0].token()], "@wei2022提出");
        // Once only.
        crate::syntax::read_keys_as_pandoc(&mut note, text);
        assert_eq!(keys(&note.citations, text), after);
    }

    #[test]
    fn groups_with_prefixes_locators_and_suppression() {
        let text = "[see @wei2022, pp. 1-2；-@wang2023; also @{odd&key}, ch. 3]";
        let items = parse_group(text, 0);
        assert_eq!(
            keys(&items, text),
            ["wei2022 [pp. 1-2]", "-wang2023", "odd&key [ch. 3]"]
        );
        assert!(items.iter().all(|i| i.bracketed));
    }

    /// Hover finds a group's items by their token: every item of a group
    /// longer than 64 KiB has the whole group as its token too.
    #[test]
    fn every_item_of_a_long_group_has_the_groups_token() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("@k{i}, p. {i}")).collect();
        let token = format!("[{}]", keys.join("; "));
        assert!(token.len() > 100_000);
        let items = parse_group(&token, 5);
        assert_eq!(items.len(), 10_000);
        assert!(items.iter().all(|i| i.token() == (5..5 + token.len())));
        let last = items.last().unwrap();
        assert_eq!(last.key().value, "k9999");
        assert_eq!(
            last.suffix(&format!("{}{token}", " ".repeat(5))),
            Some("p. 9999")
        );
    }

    #[test]
    fn a_citation_is_kept_in_32_bytes_with_its_offsets() {
        assert_eq!(std::mem::size_of::<CitationItem>(), 32);
        let far = 4_000_000_000;
        let token = "[@wei2022, 第 3 页 😀]";
        let cited = parse_group(token, far).remove(0);
        assert_eq!(cited.key().value, "wei2022");
        assert_eq!(cited.key().range, far + 2..far + 9);
        assert_eq!(cited.token(), far..far + token.len());
        let suffix = far + 11..far + token.len() - 1;
        assert_eq!(cited.suffix_range(), Some(suffix.clone()));
        let moved = cited.map_ranges(|r| r.start - far..r.end - far);
        assert_eq!(moved.key().range, 2..9);
        assert_eq!(moved.suffix(token), Some("第 3 页 😀"));
        // The locator of `@key [p. 3; @other]`, after the key's token.
        let text = "😀 @wei2022 [第 3 页; @kojima2022]";
        let note = crate::syntax::parse_note(text);
        assert_eq!(note.citations[0].suffix(text), Some("第 3 页"));
        assert_eq!(parse_group("[@wei2022]", 0)[0].suffix_range(), None);
    }

    /// Found in a Java notebook (`` [`@Component`] ``) and in bookdown
    /// books (`\@ref(fig:x)`, an escaped `@` in an e-mail address): none
    /// is a citation, as Pandoc reads them.
    #[test]
    fn code_spans_and_escaped_at_signs_in_brackets_cite_nothing() {
        let text = "- [`@Component`] 😀\r\n[表 \\@ref(tab:x); @k1]\n[ripley\\@stats.ox.ac.uk](mailto:ripley@stats.ox.ac.uk)\n[`@a` and @b]\n";
        let note = crate::syntax::parse_note(text);
        let keys: Vec<&str> = note.citations.iter().map(|c| c.key().value).collect();
        assert_eq!(keys, ["k1", "b"]);
    }

    #[test]
    fn keys_follow_pandoc_punctuation_rules() {
        let text = "@doe:2020.v2.";
        assert_eq!(
            parse_bare(text, 0, "", "").unwrap().key().value,
            "doe:2020.v2"
        );
        assert_eq!(
            parse_bare("@wei2022提出", 0, "", "").unwrap().key().value,
            "wei2022"
        );
        assert_eq!(
            parse_bare("@Müller2020", 0, "", "").unwrap().key().value,
            "Müller2020"
        );
        // Quarto's cross-references are read as Pandoc reads them; the
        // workspace decides what they are.
        assert_eq!(
            parse_bare("@fig-scaling", 0, "", "").unwrap().key().value,
            "fig-scaling"
        );
        assert_eq!(
            parse_bare("@figure-1", 0, "", "").unwrap().key().value,
            "figure-1"
        );
    }

    #[test]
    fn keys_of_every_script_but_cjk_and_urls() {
        let key = |text: &str| parse_bare(text, 0, "", "").map(|c| c.key().value.to_string());
        assert_eq!(key("@пункт3").as_deref(), Some("пункт3"));
        assert_eq!(key("@wei2022提出").as_deref(), Some("wei2022"));
        assert_eq!(
            key("@https://openreview.net/forum?id=Hk").as_deref(),
            Some("https://openreview.net/forum?id")
        );
        assert_eq!(key("@{a&b}").as_deref(), Some("a&b"));
        assert_eq!(key("@{a b}"), None);
    }

    #[test]
    fn a_dash_before_suppresses_the_author_unless_it_follows_a_word() {
        let suppressed = |before: &str| parse_bare("@k", 0, before, "").unwrap().suppress_author;
        assert!(suppressed("see -"));
        assert!(suppressed("-"));
        assert!(suppressed("（-"));
        assert!(!suppressed("x-"));
        assert!(!suppressed("see "));
    }

    #[test]
    fn example_labels_start_a_line() {
        let label = |before: &str, after: &str| {
            parse_bare("@good", 0, before, after).unwrap().example_label
        };
        assert!(label("(", ") An example."));
        assert!(label("para\n  (", ") An example."));
        assert!(label("", ". An example."));
        assert!(label("x\r\n", ") An example."));
        assert!(!label("As (", ") shows"));
        assert!(!label("    (", ") four spaces in"));
        assert!(label("", ")"));
        assert!(!label("(", ").")); // no space after
        assert!(!label("", " said"));
    }

    #[test]
    fn examples_and_their_references_are_no_citations() {
        let mut items: Vec<CitationItem> = [("(", ") Ex."), ("As (", ") shows")]
            .iter()
            .flat_map(|(before, after)| parse_bare("@good", 0, before, after))
            .chain(parse_bare("@other", 0, "", ""))
            .chain(parse_group("[@good]", 0))
            .collect();
        drop_examples(&mut items);
        let left: Vec<_> = items.iter().map(|i| (i.key().value, i.bracketed)).collect();
        assert_eq!(left, [("other", false), ("good", true)]);
    }

    #[test]
    fn brackets_with_an_item_without_a_key_hold_bare_citations() {
        let text = "[see above; -@b, p. 3]";
        let items = parse_group(text, 0);
        assert_eq!(keys(&items, text), ["-b"]);
        assert!(!items[0].bracketed);
        let text = "[a@b.org @c]";
        assert_eq!(keys(&parse_group(text, 0), text), ["c"]);
    }

    #[test]
    fn no_bare_citations_in_code_autolinks_or_tags() {
        let text = "see `@code` <https://x.org/@me> <a@b.org> <span title=\"@t\"> <see @k>";
        assert_eq!(keys(&bare_citations_in(text, 0), text), ["k"]);
    }

    #[test]
    fn raw_latex_environments_hold_no_citations() {
        let text = "\\begin{lstlisting}\n@Override\n\n\\begin{lstlisting}@in\\end{lstlisting} @still\n\\end{lstlisting}\n@after \\begin{x} @unclosed \\begin{y}@y\\end{y}";
        let mut items: Vec<CitationItem> = text
            .match_indices('@')
            .filter_map(|(at, _)| {
                let end = at + 1 + key_after_at(text, at)?.len();
                parse_bare(&text[at..end], at, &text[..at], &text[end..])
            })
            .collect();
        drop_raw_tex(&mut items, text, &[]);
        assert_eq!(keys(&items, text), ["after", "unclosed"]);
        // In code, `\begin` and `\end` are code.
        let text = "`\\begin{x}` @a `\\end{x}` and \\begin{y} @b `\\end{y}`";
        let mut items: Vec<CitationItem> = ["@a", "@b"]
            .iter()
            .map(|k| text.find(k).unwrap())
            .filter_map(|at| parse_bare(&text[at..at + 2], at, &text[..at], &text[at + 2..]))
            .collect();
        drop_raw_tex(&mut items, text, &[]);
        assert_eq!(keys(&items, text), ["a", "b"]);
    }

    #[test]
    fn bare_citations_in_a_label() {
        let text = "xx[see @a and @b.c](u)";
        let items = bare_citations_in(&text[3..19], 3);
        assert_eq!(keys(&items, text), ["a", "b.c"]);
    }

    #[test]
    fn brackets_without_a_key_are_text() {
        assert!(parse_group("[mail me at a@b.org]", 0).is_empty());
        assert!(parse_group("[@]", 0).is_empty());
        assert!(parse_group("[@{}]", 0).is_empty());
    }

    #[test]
    fn offsets_are_absolute() {
        let text = "xx[@a; @中b; @c]";
        let items = parse_group(&text[2..], 2);
        assert_eq!(keys(&items, text), ["a", "c"]);
    }
}
