//! Splitting a link token into target, heading anchor and label.

use std::ops::Range;

use super::{inset, narrow, outset, widen, Names, Packed, Spanned};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// `[[Target]]`
    Wiki,
    /// `![[Target]]`
    Embed,
    /// `[text](path.md#heading)` to a local file.
    Markdown,
    /// `![alt](image.png)` of a local file.
    Image,
    /// `{{< include _part.qmd >}}`: Quarto puts the file's text here before
    /// Pandoc reads the note.
    Include,
}

impl LinkKind {
    /// Whether the link names its target by path (Markdown) rather than by
    /// name (wiki links).
    pub fn is_markdown(self) -> bool {
        matches!(
            self,
            LinkKind::Markdown | LinkKind::Image | LinkKind::Include
        )
    }
}

/// A link to a concept, a note or a heading.
///
/// A vault has about a dozen links a note, kept for every note: offsets
/// are kept in 32 bits, as tree-sitter keeps its own, names as shared
/// strings, the token as how far it reaches around its target (as a
/// [`Block`](super::Block) keeps its content), and what few links have
/// boxed, which makes a link 32 bytes instead of 104.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    /// Whether `target` names something: not for `[[#Heading]]` and `[[]]`.
    has_target: bool,
    /// Bytes from the token's start to the target's, and from the target's
    /// end to the token's, unless `rare` holds the token.
    inset: [u16; 2],
    /// Names as resolved (unescaped, decoded); with no target, an empty
    /// name over the whole token.
    target: Packed,
    rare: Option<Box<Rare>>,
}

/// What few links have.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Rare {
    anchor: Option<Packed>,
    /// The token, when it reaches more than 64 KiB before or after the
    /// target (a label that long).
    token: Option<[u32; 2]>,
    /// What a wiki link names after its `|`, read as a target and anchor:
    /// Obsidian's label, but Dendron's target (`[[label|note.name#x]]`).
    /// Not rare in Obsidian vaults (31k in its help vault), where keeping
    /// it costs 2% of `gloss check`'s peak; extraction cannot know which
    /// reading the workspace wants.
    piped: Option<Box<Piped>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Piped {
    target: Option<Packed>,
    anchor: Option<Packed>,
    /// Whether the link is read label first, as Dendron reads it: set by
    /// the workspace ([`Link::read_label_first`]), never cached (what is
    /// cached is what parsing gave).
    #[serde(skip)]
    label_first: bool,
}

impl Link {
    /// Whether the link is a knitr child chunk's path
    /// ([`parse_knitr_children`]): an include whose token is its target,
    /// where Quarto's `{{< include >}}` token holds the shortcode around it.
    pub fn is_knitr_child(&self) -> bool {
        self.kind == LinkKind::Include && self.target().is_some_and(|t| t.range == self.range())
    }

    /// A link of `kind` over `range` (the whole token, brackets included)
    /// to `target` (the name or path, inside `range`; `None` for
    /// `[[#Heading]]` and `[[]]`) and `anchor` (after `#`).
    pub fn new(
        kind: LinkKind,
        range: Range<usize>,
        target: Option<Spanned<String>>,
        anchor: Option<Spanned<String>>,
    ) -> Link {
        let has_target = target.is_some();
        let target = Packed::new(target.unwrap_or(Spanned {
            value: String::new(),
            range: range.clone(),
        }));
        Link {
            kind,
            has_target,
            inset: [0, 0],
            target,
            rare: None,
        }
        .with_token(range, anchor.map(Packed::new))
    }

    /// The link over `range` with `anchor`: kept around the target when
    /// it fits, else boxed.
    fn with_token(mut self, range: Range<usize>, anchor: Option<Packed>) -> Link {
        let inset = inset(&range, &self.target.get().range);
        let fits = outset(self.target.get().range, inset) == range;
        self.inset = if fits { inset } else { [0, 0] };
        let token = (!fits).then(|| narrow(range));
        self.rare = (anchor.is_some() || token.is_some()).then(|| {
            Box::new(Rare {
                anchor,
                token,
                piped: None,
            })
        });
        self
    }

    /// The link with what its `|` is followed by, read as a target and an
    /// anchor.
    fn with_piped(mut self, piped: Piped) -> Link {
        let piped = Box::new(piped);
        let rare = self.rare.get_or_insert_with(|| {
            Box::new(Rare {
                anchor: None,
                token: None,
                piped: None,
            })
        });
        rare.piped = Some(piped);
        self
    }

    /// Reads the link label first, `[[label|target#anchor]]`, as Dendron
    /// does, or target first as everyone else does; a link without a `|`
    /// reads the same either way.
    pub fn read_label_first(&mut self, label_first: bool) {
        if let Some(piped) = self.rare.as_mut().and_then(|rare| rare.piped.as_mut()) {
            piped.label_first = label_first;
        }
    }

    /// What follows the `|`, when the link is read label first.
    fn label_first(&self) -> Option<&Piped> {
        self.rare
            .as_ref()?
            .piped
            .as_deref()
            .filter(|piped| piped.label_first)
    }

    /// The whole token, brackets included.
    pub fn range(&self) -> Range<usize> {
        match self.rare.as_ref().and_then(|rare| rare.token) {
            Some(token) => widen(token),
            None => outset(self.target.get().range, self.inset),
        }
    }

    /// The target name or path; `None` for `[[#Heading]]` and `[[]]`.
    pub fn target(&self) -> Option<Spanned<&str>> {
        match self.label_first() {
            Some(piped) => piped.target.as_ref().map(Packed::get),
            None => self.has_target.then(|| self.target.get()),
        }
    }

    /// The heading or block id after `#`, if any.
    pub fn anchor(&self) -> Option<Spanned<&str>> {
        let rare = self.rare.as_ref()?;
        match self.label_first() {
            Some(piped) => piped.anchor.as_ref().map(Packed::get),
            None => rare.anchor.as_ref().map(Packed::get),
        }
    }

    /// Takes the copies of its names that `names` keeps.
    pub fn share_names(&mut self, names: &mut Names) {
        self.target.share(names);
        let Some(rare) = self.rare.as_mut() else {
            return;
        };
        let piped = rare.piped.as_deref_mut();
        let piped = piped
            .into_iter()
            .flat_map(|p| [&mut p.target, &mut p.anchor]);
        for name in std::iter::once(&mut rare.anchor).chain(piped).flatten() {
            name.share(names);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.target().is_none() && self.anchor().is_none()
    }

    /// The link with every offset mapped by `f` (a chunk of a note moved).
    pub fn map_ranges(&self, f: impl Fn(Range<usize>) -> Range<usize>) -> Link {
        let anchor = (self.rare.as_ref())
            .and_then(|rare| rare.anchor.as_ref())
            .map(|a| a.map_range(&f));
        let mut link = Link {
            target: self.target.map_range(&f),
            ..self.clone()
        }
        .with_token(f(self.range()), anchor);
        if let Some(piped) = self.rare.as_ref().and_then(|rare| rare.piped.as_deref()) {
            let map = |name: &Option<Packed>| name.as_ref().map(|n| n.map_range(&f));
            link = link.with_piped(Piped {
                target: map(&piped.target),
                anchor: map(&piped.anchor),
                label_first: piped.label_first,
            });
        }
        link
    }
}

/// Whether a `[[…]]` token is text that only looks like a wikilink: its
/// closing brackets escaped (`[[Slides\]](slides.pdf)` is a Markdown link
/// whose text is `[Slides]`; `[[ \]]` an escaped bracket), a POSIX
/// character class of a bracket expression (`[[:alpha:]]`), or Bash's
/// test (`[[ ]]`, `[[ -z "$TRASH" ]]`: spaces inside both brackets, then
/// an operator or a variable).
pub(super) fn is_not_a_wikilink(token: &str) -> bool {
    const CLASSES: [&str; 12] = [
        "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
        "upper", "xdigit",
    ];
    let inner = token.trim_start_matches('!');
    let inner = inner.get(2..inner.len().saturating_sub(2)).unwrap_or("");
    let class = inner
        .strip_prefix(':')
        .and_then(|c| c.strip_suffix(':'))
        .is_some_and(|c| CLASSES.contains(&c));
    let bash_test = inner.starts_with(' ')
        && inner.ends_with(' ')
        && (inner.trim().is_empty() || {
            let test = inner.trim();
            test.starts_with(['-', '!', '"']) || test.contains('$') || test.contains(" == ")
        });
    class || bash_test || (inner.ends_with('\\') && !inner.ends_with("\\\\"))
}

/// Parses `[[Target#Heading|label]]` (or `![[…]]`) at `start`.
pub(super) fn parse_wiki(token: &str, start: usize, kind: LinkKind) -> Link {
    let open = if kind == LinkKind::Embed { 3 } else { 2 };
    let inner_start = start + open;
    let inner = &token[open..token.len() - 2];
    // The label after `|` is only shown, never resolved (but by Dendron,
    // which reads the label first). In a table the separator is written
    // `\|` (a bare `|` would end the cell).
    let (first, piped) = match inner.split_once('|') {
        Some((first, piped)) => (first, Some(piped)),
        None => (inner, None),
    };
    let first = first.strip_suffix('\\').unwrap_or(first);
    let (target, anchor) = target_and_anchor(first, inner_start);
    let link = Link::new(kind, start..start + token.len(), target, anchor);
    match piped.filter(|piped| !piped.trim().is_empty()) {
        Some(piped) => {
            let (target, anchor) =
                target_and_anchor(piped, inner_start + inner.len() - piped.len());
            link.with_piped(Piped {
                target: target.map(Packed::new),
                anchor: anchor.map(Packed::new),
                label_first: false,
            })
        }
        None => link,
    }
}

/// `Target#Anchor` at `at`, each trimmed; `None` for an empty one.
fn target_and_anchor(text: &str, at: usize) -> (Option<Spanned<String>>, Option<Spanned<String>>) {
    match text.find('#') {
        Some(hash) => (
            trimmed(&text[..hash], at),
            trimmed(&text[hash + 1..], at + hash + 1),
        ),
        None => (trimmed(text, at), None),
    }
}

/// Parses a Quarto include shortcode that makes up a whole line,
/// `{{< include _part.qmd >}}` (the path may be quoted), whose content
/// starts at `start`. Escaped (`{{{< … >}}}`) and commented-out
/// (`{{</* … */>}}`) shortcodes are text.
pub(super) fn parse_quarto_include(line: &str, start: usize) -> Option<Link> {
    let inner = line.trim_end().strip_prefix("{{<")?.strip_suffix(">}}")?;
    let args = inner.trim_start().strip_prefix("include")?;
    if !args.starts_with([' ', '\t']) {
        return None;
    }
    let mut path = args.trim();
    let mut at = start + 3 + (inner.len() - inner.trim_start().len()) + "include".len();
    at += args.len() - args.trim_start().len();
    let quoted = ['"', '\'']
        .iter()
        .find_map(|&q| path.strip_prefix(q)?.strip_suffix(q));
    match quoted {
        Some(inner) => {
            path = inner;
            at += 1;
        }
        // Unquoted, a blank ends the path.
        None if path.contains(char::is_whitespace) => return None,
        None => {}
    }
    // Quarto stops at an include of nothing; it links nowhere.
    if path.trim().is_empty() {
        return None;
    }
    let end = start + line.trim_end().len();
    Some(Link::new(
        LinkKind::Include,
        start..end,
        trimmed(path, at),
        None,
    ))
}

/// The child documents a knitr chunk's header names (```` ```{r, child =
/// "ch1.Rmd"} ````, `child = c('a.Rmd', "b.Rmd")`): knitr knits each into
/// the document, so they are includes. `header` is the fence's first line,
/// at `start`.
pub(super) fn parse_knitr_children(header: &str, start: usize) -> Vec<Link> {
    let Some(options) = header
        .trim_start_matches(['`', '~'])
        .trim_start()
        .strip_prefix('{')
    else {
        return Vec::new();
    };
    let options_start = start + header.len() - options.len();
    let mut children = Vec::new();
    let mut from = 0;
    while let Some(found) = options[from..].find("child") {
        let at = from + found;
        from = at + "child".len();
        // A whole option name: `child`, not `my_child` or `child.dir`.
        let before = options[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let Some(value) = options[from..].trim_start().strip_prefix('=') else {
            continue;
        };
        let mut value_at = options.len() - value.len();
        let mut value = value.trim_start();
        value_at += options[value_at..].len() - value.len();
        if let Some(list) = value.strip_prefix("c(") {
            value_at += 2;
            value = &list[..list.find(')').unwrap_or(list.len())];
        } else {
            value = &value[..value.find([',', '}']).unwrap_or(value.len())];
        }
        let mut rest = value;
        while let Some(open) = rest.find(['"', '\'']) {
            let quote = rest.as_bytes()[open] as char;
            let Some(len) = rest[open + 1..].find(quote) else {
                break;
            };
            let path_at = options_start + value_at + (value.len() - rest.len()) + open + 1;
            let path = &rest[open + 1..open + 1 + len];
            if let Some(target) = trimmed(path, path_at) {
                children.push(Link::new(
                    LinkKind::Include,
                    target.range.clone(),
                    Some(target),
                    None,
                ));
            }
            rest = &rest[open + len + 2..];
        }
    }
    children
}

/// Parses `[text](destination)` or `![alt](destination)` at `start`;
/// `None` unless the destination is a local file or a same-note
/// `#heading` (URLs, `mailto:` and the like are never resolved).
pub(super) fn parse_markdown(token: &str, start: usize) -> Option<Link> {
    let kind = if token.starts_with('!') {
        LinkKind::Image
    } else {
        LinkKind::Markdown
    };
    // The text holds no brackets: the first `](` ends it (the destination
    // may hold another link's `](`).
    let open = token.find("](")? + 2;
    let mut dest = &token[open..token.len() - 1];
    let mut dest_start = start + open;
    // Leading blanks are allowed before the destination.
    let blank = dest.len() - dest.trim_start().len();
    dest = &dest[blank..];
    dest_start += blank;
    if let Some(inner) = dest.strip_prefix('<') {
        // `<path with spaces.md>`, maybe followed by a title.
        dest = &inner[..inner.find('>')?];
        dest_start += 1;
    } else {
        // Drop a title: `(path.md "Title")`. What is left may hold spaces:
        // Obsidian reads `[x](./Two words.md)` as a link.
        dest = without_title(dest);
    }
    let blank = dest.len() - dest.trim_start().len();
    dest = dest[blank..].trim_end();
    dest_start += blank;
    if is_url(dest) {
        return None; // URLs, mailto:, file:// — never resolved
    }
    let (path, anchor) = match dest.find('#') {
        Some(hash) => (
            &dest[..hash],
            Some((&dest[hash + 1..], dest_start + hash + 1)),
        ),
        None => (dest, None),
    };
    if path.is_empty() && anchor.is_none() {
        return None;
    }
    Some(Link::new(
        kind,
        start..start + token.len(),
        (!path.is_empty()).then(|| Spanned {
            value: percent_decode(path),
            range: dest_start..dest_start + path.len(),
        }),
        anchor.and_then(|(text, at)| {
            let decoded = percent_decode(text);
            (!decoded.is_empty()).then(|| Spanned {
                value: decoded,
                range: at..at + text.len(),
            })
        }),
    ))
}

/// A destination without its title (`"…"`, `'…'` or `(…)` after a
/// blank).
fn without_title(dest: &str) -> &str {
    let trimmed = dest.trim_end();
    for (open, close) in [('"', '"'), ('\'', '\''), ('(', ')')] {
        if trimmed.ends_with(close) {
            let body = &trimmed[..trimmed.len() - close.len_utf8()];
            if let Some(at) = body.rfind(open) {
                if body[..at].ends_with([' ', '\t']) {
                    return &body[..at];
                }
            }
        }
    }
    trimmed
}

/// Whether a destination is a URL rather than a local path: a scheme
/// (`https:`, `mailto:`, `obsidian:`), `://` even with a full-width colon,
/// `www.`, or a protocol-relative URL (`//cdn.example.com/a.png`, which a
/// browser fetches with the page's scheme).
fn is_url(dest: &str) -> bool {
    has_scheme(dest)
        || dest.contains("://")
        || dest.contains("：//")
        || dest.starts_with("www.")
        || is_protocol_relative(dest)
}

/// `//host.name/…`: a host with a dot in it after the two slashes.
fn is_protocol_relative(dest: &str) -> bool {
    let Some(rest) = dest.strip_prefix("//") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    host.starts_with(|c: char| c.is_ascii_alphanumeric())
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:".contains(c))
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn trimmed(text: &str, at: usize) -> Option<Spanned<String>> {
    let lead = text.len() - text.trim_start().len();
    let value = text.trim();
    (!value.is_empty()).then(|| Spanned {
        value: value.to_string(),
        range: at + lead..at + lead + value.len(),
    })
}

/// Decodes `%20`-style escapes; invalid escapes stay as they are.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// A link reference definition, `[label]: destination "title"`, as Foam
/// writes them under a note so that its wikilinks work in any Markdown
/// viewer: the label and the destination (percent-decoded, without `<…>`).
/// `None` for anything else, and for Foam's `[//begin]: #` markers.
pub fn reference_definition(line: &str) -> Option<(&str, String)> {
    let rest = line.trim_start().strip_prefix('[')?;
    let close = rest.find("]:")?;
    let label = rest[..close].trim();
    if label.is_empty() || label.contains(['[', ']']) || label.starts_with("//") {
        return None;
    }
    let after = rest[close + 2..].trim_start();
    let destination = match after.strip_prefix('<') {
        Some(inner) => &inner[..inner.find('>')?],
        None => after.split_whitespace().next()?,
    };
    if destination.is_empty() || destination.starts_with('#') || is_url(destination) {
        return None;
    }
    Some((label, percent_decode(destination)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_kept_in_32_bytes_with_its_offsets() {
        assert_eq!(std::mem::size_of::<Link>(), 32);
        let far = 4_000_000_000;
        let link = parse_wiki("[[名词 😀#Part]]", far, LinkKind::Wiki);
        assert_eq!(link.range(), far..far + "[[名词 😀#Part]]".len());
        assert_eq!(
            link.target().unwrap().range,
            far + 2..far + 2 + "名词 😀".len()
        );
        let moved = link.map_ranges(|r| r.start - far..r.end - far);
        assert_eq!(moved.anchor().unwrap().range, 14..18);
        assert_eq!(moved.anchor().unwrap().value, "Part");
    }

    /// A link's token is kept as how far it reaches around its target,
    /// or whole when its label is longer than 64 KiB: exact either way.
    #[test]
    fn a_link_reaching_far_around_its_target_is_kept_exact() {
        let token = format!("[{}](笔记.md#第二节)", "😀".repeat(20_000));
        let link = parse_markdown(&token, 7).unwrap();
        let end = 7 + token.len();
        let target = end - 1 - "笔记.md#第二节".len();
        let target = target..target + "笔记.md".len();
        assert_eq!(link.range(), 7..end);
        assert_eq!(link.target().unwrap().range, target);
        assert_eq!(link.target().unwrap().value, "笔记.md");
        assert_eq!(link.anchor().unwrap().value, "第二节");
        let moved = link.map_ranges(|r| r.start - 7..r.end - 7);
        assert_eq!(moved.range(), 0..token.len());
        assert_eq!(
            moved.target().unwrap().range,
            target.start - 7..target.end - 7
        );
        let near = parse_markdown("[😀](笔记.md)", 7).unwrap();
        assert_eq!(near.range(), 7..7 + "[😀](笔记.md)".len());
        assert!(near.rare.is_none());
        let empty = parse_wiki("[[]]", 3, LinkKind::Wiki);
        assert_eq!((empty.range(), empty.target()), (3..7, None));
        assert!(empty.is_empty());
    }

    /// Found in an Obsidian vault: `![](//cdn.example.com/a.gif)` loads
    /// from the network, with the page's scheme.
    #[test]
    fn protocol_relative_urls_are_urls() {
        assert!(is_url("//cdn.example.com/a.gif"));
        assert!(is_url("//localhost.lan:8080/x"));
        assert!(!is_url("//server/share/a.png"));
        assert!(!is_url("//"));
        assert!(!is_url("/img/图.png"));
    }

    #[test]
    fn wiki_link_parts() {
        let link = parse_wiki("[[ Scaling Laws #Kaplan 2020|laws]]", 10, LinkKind::Wiki);
        let target = link.target().unwrap();
        assert_eq!(target.value, "Scaling Laws");
        assert_eq!(target.range, 13..25);
        let anchor = link.anchor().unwrap();
        assert_eq!(anchor.value, "Kaplan 2020");
        assert_eq!(anchor.range, 27..38);
    }

    #[test]
    fn same_note_anchor_and_empty() {
        let link = parse_wiki("[[#本节]]", 0, LinkKind::Wiki);
        assert!(link.target().is_none());
        assert_eq!(link.anchor().unwrap().value, "本节");
        assert!(parse_wiki("[[ ]]", 0, LinkKind::Wiki).is_empty());
    }

    #[test]
    fn escaped_pipe_separates_the_label_in_tables() {
        let link = parse_wiki("[[Table view\\|Table]]", 0, LinkKind::Wiki);
        assert_eq!(link.target().unwrap().value, "Table view");
        let link = parse_wiki("[[Note#Usage\\|usage]]", 0, LinkKind::Wiki);
        assert_eq!(link.anchor().unwrap().value, "Usage");
    }

    #[test]
    fn markdown_links_to_local_files_only() {
        let link = parse_markdown("[x](papers/a%20b.md#Results)", 0).unwrap();
        assert_eq!(link.target().unwrap().value, "papers/a b.md");
        assert_eq!(link.anchor().unwrap().value, "Results");
        assert!(parse_markdown("[x](https://arxiv.org/abs/2001.08361)", 0).is_none());
        assert!(parse_markdown("[x](file:///etc/passwd.md)", 0).is_none());
        assert!(parse_markdown("[x](mailto:a@b.org)", 0).is_none());
        let image = parse_markdown("![a plot](figures/plot.png \"Plot\")", 0).unwrap();
        assert_eq!(image.kind, LinkKind::Image);
        assert_eq!(image.target().unwrap().value, "figures/plot.png");
        assert_eq!(
            parse_markdown("[x](Two%20words)", 0)
                .unwrap()
                .target()
                .unwrap()
                .value,
            "Two words"
        );
        assert_eq!(
            parse_markdown("[x](#intro)", 0)
                .unwrap()
                .anchor()
                .unwrap()
                .value,
            "intro"
        );
        assert_eq!(
            parse_markdown("[x](<my note.md> \"t\")", 0)
                .unwrap()
                .target()
                .unwrap()
                .value,
            "my note.md"
        );
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("%2e%2E/x"), "../x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%E4%B8%AD"), "中");
    }

    #[test]
    fn reference_definitions_as_foam_writes_them() {
        assert_eq!(
            reference_definition("[My Topic]: notes/my%20topic \"My Topic\""),
            Some(("My Topic", "notes/my topic".to_string()))
        );
        assert_eq!(
            reference_definition("[x]: <two words.md>"),
            Some(("x", "two words.md".to_string()))
        );
        assert_eq!(reference_definition("[//begin]: # \"Autogenerated\""), None);
        assert_eq!(reference_definition("[site]: https://example.org"), None);
        assert_eq!(reference_definition("[a] [b]: c"), None);
        assert_eq!(reference_definition("plain text"), None);
    }
}
