//! Walks the tree-sitter tree of a note once and extracts its blocks, links,
//! citations and ignore comments.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use thin_vec::ThinVec;
use tree_sitter::{Parser, Tree, TreeCursor};

use super::chunks::Chunk;
use super::citation::{self, CitationItem};
use super::front_matter::{self, FrontMatter};
use super::link::{self, Link, LinkKind};
use super::{Block, BlockId, BlockKind, IgnoreComment, Spanned, ZettelId};

/// Everything gloss reads from one note, in source order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoteSyntax {
    /// Boxed: most notes of a large vault have none, and every note's
    /// syntax is kept.
    pub front_matter: Option<Box<FrontMatter>>,
    /// The front matter block, delimiters included.
    pub front_matter_range: Option<Range<usize>>,
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub citations: Vec<CitationItem>,
    /// This and the next two lists are empty in most notes: thin (one
    /// pointer, not three), as every note's syntax is kept.
    pub ignores: ThinVec<IgnoreComment>,
    /// Block ids (`^id` at the end of a block or on a line of its own).
    pub block_ids: ThinVec<BlockId>,
    /// Ids of Pandoc attribute blocks (`{#sec:intro}`), which
    /// cross-references name.
    pub labels: ThinVec<Spanned<String>>,
    /// Whether citation keys were read by Pandoc's rule exactly (CJK
    /// characters in keys): [`read_keys_as_pandoc`] was applied.
    pub pandoc_keys: bool,
    /// The first Zettelkasten id in the text ([`ZettelId::in_text`]): the
    /// note's id unless its file name has one.
    pub zettel_id: Option<ZettelId>,
}

impl NoteSyntax {
    /// Takes the copy that `names` keeps of every name the note's links
    /// and citations hold.
    pub fn share_names(&mut self, names: &mut super::Names) {
        for link in &mut self.links {
            link.share_names(names);
        }
        for citation in &mut self.citations {
            citation.share_names(names);
        }
    }

    /// Gives back what the lists grew by while extracting: a workspace
    /// keeps every note's syntax, and doubling growth leaves a third of
    /// it unused on average.
    pub fn shrink_to_fit(&mut self) {
        self.blocks.shrink_to_fit();
        self.links.shrink_to_fit();
        self.citations.shrink_to_fit();
        self.ignores.shrink_to_fit();
        self.block_ids.shrink_to_fit();
        self.labels.shrink_to_fit();
    }

    /// Whether the front matter is Logseq's page properties
    /// ([`front_matter::page_properties`]), which have no block of their
    /// own: names in a Logseq graph only.
    pub fn has_page_properties(&self) -> bool {
        self.front_matter.is_some() && self.front_matter_range.is_none()
    }

    /// Whether every byte range in the syntax lies inside `text`, on
    /// character boundaries: true of what parsing `text` gives, and
    /// checked of what the index cache gives back before it is used.
    pub fn ranges_fit(&self, text: &str) -> bool {
        self.ranges_fit_with(text.len(), |at| text.is_char_boundary(at))
    }

    /// Whether every byte range in the syntax lies inside a text of `len`
    /// bytes: what can be checked of a text left on disk, which is read
    /// again as what was parsed or as as many spaces (so every offset is
    /// a character boundary either way).
    pub fn ranges_within(&self, len: usize) -> bool {
        self.ranges_fit_with(len, |_| true)
    }

    fn ranges_fit_with(&self, len: usize, boundary: impl Fn(usize) -> bool) -> bool {
        let fits = |r: &Range<usize>| {
            r.start <= r.end && r.end <= len && boundary(r.start) && boundary(r.end)
        };
        let link = |l: &Link| {
            fits(&l.range()) && l.target().iter().chain(&l.anchor()).all(|s| fits(&s.range))
        };
        let citation = |c: &CitationItem| {
            fits(&c.key().range) && fits(&c.token()) && c.suffix_range().iter().all(fits)
        };
        let front_matter = self.front_matter.as_ref().is_none_or(|f| {
            f.title
                .iter()
                .chain(&f.aliases)
                .chain(&f.bibliography)
                .chain(f.error.as_deref())
                .all(|s| fits(&s.range))
        });
        front_matter
            && self.front_matter_range.iter().all(fits)
            && self
                .blocks
                .iter()
                .all(|b| fits(&b.range()) && fits(&b.content()))
            && self.links.iter().all(link)
            && self.citations.iter().all(citation)
            && self.ignores.iter().all(|i| fits(&(i.end..i.end)))
            && self
                .block_ids
                .iter()
                .all(|b| fits(&b.id.range) && fits(&b.block))
            && self.labels.iter().all(|l| fits(&l.range))
    }
}

/// Reads `note`'s citation keys as Pandoc does, where a CJK character is
/// part of a key (`[pandoc] keys = "pandoc"`, Quarto projects): keys that
/// run on into CJK text take it in, and keys that start with a CJK
/// character are found. Once per note.
pub fn read_keys_as_pandoc(note: &mut NoteSyntax, text: &str) {
    if note.pandoc_keys {
        return;
    }
    note.pandoc_keys = true;
    let code = code_blocks(note);
    let skip: Vec<Range<usize>> = code
        .iter()
        .cloned()
        .chain(note.front_matter_range.clone())
        .chain(
            note.links
                .iter()
                .filter_map(|l| l.target().map(|t| t.range.clone())),
        )
        .collect();
    citation::read_keys_as_pandoc(&mut note.citations, text, &skip, &code);
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

/// Node kind ids of the grammar, looked up once: comparing ids is cheaper
/// than comparing kind names on every node.
struct Kinds {
    front_matter: u16,
    heading: u16,
    list_item: u16,
    block_quote: u16,
    definition: u16,
    fenced_code: u16,
    line: u16,
    wiki_link: u16,
    embed: u16,
    inline_link: u16,
    citation: u16,
    citation_group: u16,
    html_comment: u16,
    section: u16,
    code_span: u16,
}

fn kinds() -> &'static Kinds {
    static KINDS: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_gloss::LANGUAGE.into();
        let id = |name| language.id_for_node_kind(name, true);
        Kinds {
            front_matter: id("front_matter"),
            heading: id("heading"),
            list_item: id("list_item"),
            block_quote: id("block_quote"),
            definition: id("definition"),
            fenced_code: id("fenced_code"),
            line: id("line"),
            wiki_link: id("wiki_link"),
            embed: id("embed"),
            inline_link: id("inline_link"),
            citation: id("citation"),
            citation_group: id("citation_group"),
            html_comment: id("html_comment"),
            section: id("section"),
            code_span: id("code_span"),
        }
    })
}

/// A parser for the gloss grammar.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_gloss::LANGUAGE.into())
        .expect("the grammar's ABI version is supported by the tree-sitter crate");
    parser
}

/// The text tree-sitter sees. Generated lexers treat NUL as the end of input,
/// so NUL bytes are replaced by U+0001, which has the same length and keeps
/// every offset valid.
pub fn parser_input(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{1}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Parses `text`, reusing `old` (already edited to match) when given.
/// Returns None only if parsing was cancelled, which gloss never asks for.
pub fn parse_tree(text: &str, old: Option<&Tree>) -> Option<Tree> {
    let input = parser_input(text);
    PARSER.with(|parser| parser.borrow_mut().parse(input.as_ref(), old))
}

/// Parses and extracts a note.
pub fn parse_note(text: &str) -> NoteSyntax {
    match parse_tree(text, None) {
        Some(tree) => extract(text, &tree),
        None => NoteSyntax {
            zettel_id: ZettelId::in_text(text),
            ..NoteSyntax::default()
        },
    }
}

/// What of a note other notes may need before it is parsed: its front
/// matter (title, aliases, bibliographies) and its labels, read without
/// the parser, as parsing reads them. Everything else is left empty.
pub fn names_only(text: &str) -> NoteSyntax {
    let mut note = NoteSyntax::default();
    if let Some(range) = front_matter::token_range(text) {
        read_front_matter(&mut note, text, range);
    }
    note.labels = super::label::labels(text).into();
    read_page_properties(&mut note, text);
    note.zettel_id = ZettelId::in_text(text);
    note.shrink_to_fit();
    note
}

/// A note without front matter may open with Logseq's page properties,
/// which name it as front matter would. `alias:: [[QHE]]` declares a name:
/// it is no link to follow.
fn read_page_properties(note: &mut NoteSyntax, text: &str) {
    if note.front_matter.is_some() {
        return;
    }
    let Some(properties) = front_matter::page_properties(text) else {
        return;
    };
    let declares = |link: &Link| {
        let range = link.range();
        (properties.aliases.iter()).any(|a| range.start < a.range.start && a.range.end < range.end)
    };
    note.links.retain(|link| !declares(link));
    note.front_matter = Some(Box::new(properties));
}

/// Reads the front matter token at `range` into `note`: its fields, and
/// its wikilinks and `nocite` keys among the note's links and citations.
fn read_front_matter(note: &mut NoteSyntax, text: &str, range: Range<usize>) {
    let (fields, mentions) = front_matter::parse(&text[range.clone()], range.start);
    note.links.extend(mentions.links);
    note.citations.extend(mentions.nocite);
    note.front_matter = Some(Box::new(fields));
    note.front_matter_range = Some(range);
}

/// Extracts a note from its tree.
pub fn extract(text: &str, tree: &Tree) -> NoteSyntax {
    let mut note = NoteSyntax::default();
    // One cursor for the whole walk: moving a cursor is cheaper than asking
    // nodes for their children, which matters on every keystroke in a long
    // note.
    let mut cursor = tree.walk();
    if !cursor.goto_first_child() {
        return note;
    }
    let mut fence = None;
    loop {
        fence = fence.filter(|_| !previous_line_blank(text, cursor.node().start_byte()));
        fence = extract_top_level_node(text, &mut cursor, &mut note, fence);
        if !cursor.goto_next_sibling() {
            break;
        }
    }
    finish(&mut note, text);
    note.shrink_to_fit();
    note
}

/// What only the whole note decides, done over it once its parts are read
/// (they may come from several chunks of an incremental parse).
pub(super) fn finish(note: &mut NoteSyntax, text: &str) {
    drop_in_indented_code(note, text);
    read_setext_headings(note, text);
    drop_in_code_spans_across_lines(note, text);
    drop_in_attributes(note, text);
    drop_in_template_tags(note, text);
    drop_in_backslash_math(note, text);
    name_lone_block_ids(note);
    drop_in_opaque_blocks(note, text);
    citation::drop_examples(&mut note.citations);
    let code = code_blocks(note);
    citation::drop_raw_tex(&mut note.citations, text, &code);
    note.labels = super::label::labels(text).into();
    read_page_properties(note, text);
    note.zettel_id = ZettelId::in_text(text);
}

/// Display math on lines of its own (`$$` … `$$`) and raw HTML blocks of
/// `<script>`, `<style>`, `<pre>` or `<textarea>` (CommonMark's first kind
/// of HTML block, which runs to its closing tag, blank lines and all) are
/// read by MathJax or the browser: their lines are code, and nothing in
/// them links or cites (`[[a, b]]` in a matrix, CSS's `@media`).
fn drop_in_opaque_blocks(note: &mut NoteSyntax, text: &str) {
    let mut opaque: Vec<Range<usize>> = Vec::new();
    let blocks = &mut note.blocks;
    let mut i = 0;
    while i < blocks.len() {
        // A list item opens one too (`- $$` in Logseq and outliners): were
        // it left out, its closing `$$` would open one.
        let end = match blocks[i].kind {
            BlockKind::Line | BlockKind::Quote | BlockKind::ListItem { .. } => {
                opaque_block_end(text, blocks, i)
            }
            _ => None,
        };
        let Some(last) = end else {
            i += 1;
            continue;
        };
        // What follows the closing `$$` on its line is text again
        // (`\end{align}$$^f0316c`, a block id Obsidian wrote).
        let closing = blocks[last].content();
        let end = match text[blocks[i].content()].starts_with("$$") {
            true => text[closing.clone()]
                .rfind("$$")
                .map_or(closing.end, |at| closing.start + at + 2),
            false => blocks[last].range().end,
        };
        opaque.push(blocks[i].range().start..end);
        for block in &mut blocks[i..=last] {
            *block = Block::new(BlockKind::Code, block.range(), block.content());
        }
        i = last + 1;
    }
    drop_inside(note, &opaque);
}

/// Drops the links, citations and block ids inside `code` (ranges in
/// order).
fn drop_inside(note: &mut NoteSyntax, code: &[Range<usize>]) {
    if code.is_empty() {
        return;
    }
    let outside = |at: usize| {
        let i = code.partition_point(|r| r.end <= at);
        code.get(i).is_none_or(|r| at < r.start)
    };
    note.links.retain(|l| outside(l.range().start));
    note.citations.retain(|c| outside(c.key().range.start));
    note.block_ids.retain(|b| outside(b.id.range.start));
}

/// Indented code blocks: a line indented four columns or more (a tab
/// counting four) that starts the note or follows a blank line or a
/// heading, and the lines after it indented as far, blank lines between
/// them included. That is CommonMark's, Pandoc's and Obsidian's rule. In
/// a list item (or a definition) the four columns count from where the
/// item's text starts: its paragraphs and sub-items are indented less
/// (found in Pandoc's changelog, whose items hold code indented so). A
/// line right after a paragraph line continues the paragraph.
fn drop_in_indented_code(note: &mut NoteSyntax, text: &str) {
    let mut code: Vec<Range<usize>> = Vec::new();
    let blocks = &mut note.blocks;
    let line_start =
        |at: usize| memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..at]).map_or(0, |i| i + 1);
    let indent = |block: &Block| indent_width(&text[line_start(block.range().start)..]);
    let blank = |block: &Block| text[block.range()].trim().is_empty();
    // The column where the text of each item the lines are in starts,
    // the innermost last.
    let mut items: Vec<u16> = Vec::new();
    let mut previous: Option<BlockKind> = None;
    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        if blank(block) {
            i += 1;
            continue;
        }
        let after_break = || {
            previous.is_none_or(|kind| matches!(kind, BlockKind::Heading { .. }))
                || previous_line_blank(text, block.range().start)
        };
        let width = indent(block);
        let code_from = items.last().map_or(4, |&column| column.saturating_add(4));
        if width >= code_from && after_break() {
            let first = i;
            while i < blocks.len() && (indent(&blocks[i]) >= code_from || blank(&blocks[i])) {
                i += 1;
            }
            let last = (first..i)
                .rev()
                .find(|&b| !blank(&blocks[b]))
                .unwrap_or(first);
            code.push(blocks[first].range().start..blocks[last].range().end);
            for block in &mut blocks[first..i] {
                *block = Block::new(BlockKind::Code, block.range(), block.content());
            }
            previous = Some(BlockKind::Code);
            continue;
        }
        match block.kind {
            BlockKind::ListItem { .. } | BlockKind::Definition => {
                // A sibling or an outer item ends the items it is not in.
                while items.last().is_some_and(|&column| column > width) {
                    items.pop();
                }
                let start = line_start(block.range().start);
                let before_text = &text[start..block.content().start.max(start)];
                items.push(column_of(before_text));
            }
            // Not a heading inside an item's line (`1. ## Step`).
            BlockKind::Heading { .. }
                if width == 0 && line_start(block.range().start) == block.range().start =>
            {
                items.clear()
            }
            // A paragraph after a blank line belongs to the items whose
            // text it is indented to, or to none.
            _ if after_break() => {
                while items.last().is_some_and(|&column| column > width) {
                    items.pop();
                }
            }
            _ => {}
        }
        previous = Some(block.kind);
        i += 1;
    }
    drop_inside(note, &code);
}

/// The column after `line` (a line's start up to some point): tabs go to
/// the next multiple of four.
fn column_of(line: &str) -> u16 {
    line.chars().fold(0u16, |column, c| match c {
        '\t' => (column / 4 + 1).saturating_mul(4),
        _ => column.saturating_add(1),
    })
}

/// Setext headings: a paragraph's line underlined by a line of `=`
/// (level 1) or `-` (level 2), as CommonMark, Pandoc and Obsidian read
/// it (found in Pandoc's `CONTRIBUTING.md`: links to its `Tests`
/// heading were reported broken). The grammar reads a line at a time, so
/// the underlined line is a heading from here on; a paragraph of several
/// lines, which would be one heading, is left alone, as is a line that
/// continues a list item (the `---` after it is a rule).
fn read_setext_headings(note: &mut NoteSyntax, text: &str) {
    let blocks = &mut note.blocks;
    let adjacent = |a: &Block, b: &Block| {
        matches!(
            text.get(a.range().end..b.range().start),
            Some("\n" | "\r\n" | "\r")
        )
    };
    for i in 1..blocks.len() {
        let (line, underline) = (&blocks[i - 1], &blocks[i]);
        if line.kind != BlockKind::Line || underline.kind != BlockKind::Line {
            continue;
        }
        let Some(level) = setext_level(&text[underline.range()]) else {
            continue;
        };
        let first_of_paragraph = i < 2 || {
            let before = &blocks[i - 2];
            !adjacent(before, line)
                || matches!(before.kind, BlockKind::Heading { .. } | BlockKind::Code)
                // A rule (or an underline) ends the paragraph before it.
                || setext_level(&text[before.range()]).is_some()
        };
        let content = &text[line.content()];
        if first_of_paragraph
            && adjacent(line, underline)
            && !content.is_empty()
            && !content.starts_with(['|', '<'])
        {
            blocks[i - 1] = Block::new(BlockKind::Heading { level }, line.range(), line.content());
        }
    }
}

/// The level a setext underline gives (`===` 1, `---` 2): one character
/// repeated, after at most three blanks, blanks after it.
pub(crate) fn setext_level(line: &str) -> Option<u8> {
    let after_indent = line.trim_start_matches(' ');
    let indent = line.len() - after_indent.len();
    let marks = line.trim_matches([' ', '\t']);
    if indent > 3 || after_indent.starts_with('\t') || marks.is_empty() {
        return None;
    }
    match marks.bytes().next() {
        Some(b'=') if marks.bytes().all(|b| b == b'=') => Some(1),
        Some(b'-') if marks.bytes().all(|b| b == b'-') => Some(2),
        _ => None,
    }
}

/// Code spans that run over a line break: `` `a [[b`` `` on one line and
/// ``c]]` `` on the next are one span in CommonMark, Pandoc and Obsidian,
/// which pair backticks within a paragraph. The grammar reads a line at a
/// time, so it leaves the opening run as text: here the note's
/// paragraphs are scanned for backtick runs, as CommonMark pairs them, and
/// links and citations inside a span that crosses a line are dropped.
fn drop_in_code_spans_across_lines(note: &mut NoteSyntax, text: &str) {
    if !text.contains('`') {
        return;
    }
    let mut spans = Vec::new();
    for paragraph in paragraphs(&note.blocks, text) {
        let lines = &text[paragraph.clone()];
        if lines.contains('`') && memchr::memchr2(b'\n', b'\r', lines.as_bytes()).is_some() {
            let crossing = code_spans(lines)
                .filter(|span| lines[span.clone()].contains(['\n', '\r']))
                .map(|span| paragraph.start + span.start..paragraph.start + span.end);
            spans.extend(crossing);
        }
    }
    drop_inside(note, &spans);
}

/// Pandoc attributes (`{#id .class key="value"}` after an image, a link,
/// a span, a heading or a div's `:::`) hold strings, not text: the
/// `@user` of `{fig-alt="Artwork by @user"}` is no citation, nor is
/// `[[3,1]]` in `::: {layout="[[3,1]]"}` a link.
fn drop_in_attributes(note: &mut NoteSyntax, text: &str) {
    let mut inside = Vec::new();
    for block in note.blocks.iter().filter(|b| b.kind != BlockKind::Code) {
        let line = &text[block.range()];
        if line.contains('{') {
            let start = block.range().start;
            inside.extend(attribute_blocks(line).map(|r| start + r.start..start + r.end));
        }
    }
    // A heading in a list item lies inside the item's line: both found it.
    inside.sort_by_key(|r| (r.start, r.end));
    inside.dedup();
    // A block id published as an attribute (`{ #id}`) is the attribute.
    let ids = std::mem::take(&mut note.block_ids);
    drop_inside(note, &inside);
    note.block_ids = ids;
}

/// TeX math between `\(` and `\)` on one line, as MathJax, KaTeX and
/// Typora read it (`\([[\!x\!]]\langle y\rangle\)`, found in paper
/// notes): nothing in it links or cites. A `\(` with no `\)` after it on
/// its line is an escaped parenthesis.
fn drop_in_backslash_math(note: &mut NoteSyntax, text: &str) {
    if note.links.is_empty() && note.citations.is_empty() {
        return;
    }
    let bytes = text.as_bytes();
    let mut math = Vec::new();
    let mut from = 0;
    while let Some(open) = memchr::memmem::find(&bytes[from..], b"\\(").map(|i| from + i) {
        let line = &bytes[open + 2..];
        let line = &line[..memchr::memchr2(b'\n', b'\r', line).unwrap_or(line.len())];
        match memchr::memmem::find(line, b"\\)") {
            Some(close) => {
                math.push(open..open + 2 + close + 2);
                from = open + 2 + close + 2;
            }
            None => from = open + 2 + line.len(),
        }
    }
    let ids = std::mem::take(&mut note.block_ids);
    drop_inside(note, &math);
    note.block_ids = ids;
}

/// Template tags (`<% … %>` of ERB, EJS and Obsidian's Templater) hold
/// code that writes the note: a `[[202001121202]]` in a Ruby string there
/// (found on zettelkasten.de) is no link. A tag is closed on its line: a
/// `<%` in prose and R's `%>%` further on pair nothing.
fn drop_in_template_tags(note: &mut NoteSyntax, text: &str) {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(open) = memchr::memmem::find(&text.as_bytes()[from..], b"<%").map(|i| from + i) {
        let line = &text[open + 2..];
        let line = &line[..memchr::memchr2(b'\n', b'\r', line.as_bytes()).unwrap_or(line.len())];
        match line.find("%>") {
            Some(close) => {
                tags.push(open..open + 2 + close + 2);
                from = open + 2 + close + 2;
            }
            None => from = open + 2 + line.len(),
        }
    }
    drop_inside(note, &tags);
}

/// The attribute blocks of a line: braces closed on the line (outside
/// quoted values, which may be long: an image's alt text) around what
/// [`super::attribute_block`] reads as attributes. A scan that fails goes
/// on from where it stopped, so a line of `{"` stays linear.
fn attribute_blocks(line: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(open) = line[from..].find('{').map(|i| from + i) {
            let inside = open + 1;
            let lines = super::label::Lines::One;
            match super::label::attribute_block_close(&line[inside..], usize::MAX, lines) {
                Ok(close) => {
                    from = inside + close + 1;
                    if super::attribute_block(&line[inside..inside + close]).is_some() {
                        return Some(open..inside + close + 1);
                    }
                }
                Err(stopped) => from = inside + stopped,
            }
        }
        None
    })
}

/// The ranges of the note's paragraphs of more than one line, in order: a
/// line, list item, quote line or definition and the lines that continue
/// it (quote lines continue a quote), up to a blank line or another block.
/// A table row (`|` first) is a paragraph of its own, as its cells are.
fn paragraphs<'a>(blocks: &'a [Block], text: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
    let is_row = |block: &Block| text[block.content()].starts_with('|');
    let continues = move |first: &Block, previous: &Block, next: &Block| {
        let gap = text.get(previous.range().end..next.range().start);
        matches!(gap, Some("\n" | "\r\n" | "\r"))
            && !is_row(next)
            && !is_rule(&text[next.range()])
            && !text[next.range()].trim().is_empty()
            && (next.kind == BlockKind::Line
                || (next.kind == BlockKind::Quote && first.kind == BlockKind::Quote))
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < blocks.len() {
            let first = i;
            i += 1;
            let opens = matches!(
                blocks[first].kind,
                BlockKind::Line
                    | BlockKind::ListItem { .. }
                    | BlockKind::Quote
                    | BlockKind::Definition
            ) && !is_row(&blocks[first])
                && !is_rule(&text[blocks[first].range()]);
            if !opens {
                continue;
            }
            while i < blocks.len() && continues(&blocks[first], &blocks[i - 1], &blocks[i]) {
                i += 1;
            }
            if i - first > 1 {
                return Some(blocks[first].range().start..blocks[i - 1].range().end);
            }
        }
        None
    })
}

/// Whether `line` is a thematic break (`***`, `- - -`, `___`) or a setext
/// underline: neither continues a paragraph.
fn is_rule(line: &str) -> bool {
    let mut marks = line.bytes().filter(|b| !matches!(b, b' ' | b'\t'));
    // Most lines are decided by their first character.
    let Some(mark) = marks
        .next()
        .filter(|m| matches!(m, b'*' | b'-' | b'_' | b'='))
    else {
        return false;
    };
    let count = marks.try_fold(1usize, |count, b| (b == mark).then_some(count + 1));
    let repeated = mark != b'=' && count.is_some_and(|count| count >= 3);
    repeated || setext_level(line).is_some()
}

/// The code spans of `text` as CommonMark finds them: a run of backticks
/// (not escaped by a backslash) opens one, closed by the next run of the
/// same length; a run that nothing closes is text. The runs are listed
/// once, by length, so that finding a closer (or that there is none)
/// does not scan the rest of the text again: runs of every length one
/// after another stay linear, as in cmark.
fn code_spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let run_at = move |at: usize| bytes[at..].iter().take_while(|&&b| b == b'`').count();
    let mut runs: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    let mut at = 0;
    while let Some(start) = bytes[at..].iter().position(|&b| b == b'`').map(|i| at + i) {
        let len = run_at(start);
        runs.entry(len).or_default().push(start);
        at = start + len;
    }
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'`' => {
                    let open = run_at(i);
                    let closer = runs.get(&open).and_then(|starts| {
                        let next = starts.partition_point(|&s| s < i + open);
                        starts.get(next).copied()
                    });
                    match closer {
                        Some(close) => {
                            let span = i..close + open;
                            i = span.end;
                            return Some(span);
                        }
                        None => i += open,
                    }
                }
                _ => i += 1,
            }
        }
        None
    })
}

/// The last block of the display math or raw HTML block that block
/// `first` opens, if it opens one that closes.
fn opaque_block_end(text: &str, blocks: &[Block], first: usize) -> Option<usize> {
    let line = &text[blocks[first].content()];
    if let Some(rest) = line.strip_prefix("$$") {
        if rest.contains("$$") {
            return None; // on one line: the grammar's
        }
        // To the next line holding `$$`, within the paragraph (a blank
        // line ends display math in Pandoc).
        for next in first + 1..blocks.len() {
            // A heading in a list item lies inside the item's line: no gap.
            let gap = text
                .get(blocks[next - 1].range().end..blocks[next].range().start)
                .unwrap_or("\n");
            if !matches!(gap, "\n" | "\r\n" | "\r") || blocks[next].kind == BlockKind::Code {
                return None;
            }
            if text[blocks[next].content()].contains("$$") {
                return Some(next);
            }
        }
        return None;
    }
    let tag = ["script", "style", "pre", "textarea"]
        .into_iter()
        .find(|tag| {
            let opens = line
                .get(..tag.len() + 1)
                .is_some_and(|o| o.starts_with('<') && o[1..].eq_ignore_ascii_case(tag));
            opens
                && line[tag.len() + 1..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == '>' || c.is_whitespace())
        })?;
    let closing = format!("</{tag}>");
    (first..blocks.len()).find(|&b| {
        text[blocks[b].content()]
            .to_ascii_lowercase()
            .contains(&closing)
    })
}

/// The ranges of the note's code blocks, in order.
fn code_blocks(note: &NoteSyntax) -> Vec<Range<usize>> {
    note.blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Code)
        .map(Block::range)
        .collect()
}

/// An id alone on its line (`^id` under a paragraph, list or table) names
/// the block before it (which may be in another chunk).
fn name_lone_block_ids(note: &mut NoteSyntax) {
    let blocks = &note.blocks;
    for id in &mut note.block_ids {
        let Ok(at) = blocks.binary_search_by_key(&id.block.start, |b| b.range().start) else {
            continue;
        };
        // `^id`, or `{ #id}` as the Digital Garden plugin publishes it.
        let content = blocks[at].content();
        let alone = content.start + 1 == id.id.range.start
            || (content.start + 3 == id.id.range.start && content.end == id.id.range.end + 1);
        if alone && at > 0 {
            id.block = blocks[at - 1].range();
        }
    }
}

/// Extracts each top-level node of `tree` into its own chunk, unless
/// `reuse` returns one for the node's range that was extracted from the
/// same quote-fence state.
pub(super) fn extract_top_level(
    text: &str,
    tree: &Tree,
    reuse: &mut dyn FnMut(&Range<usize>) -> Option<Chunk>,
) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut cursor = tree.walk();
    if !cursor.goto_first_child() {
        return chunks;
    }
    let mut fence = None;
    loop {
        let range = cursor.node().byte_range();
        // The blank line before a node ends a quoted fence: the state a
        // chunk starts from is settled before it is compared.
        fence = fence.filter(|_| !previous_line_blank(text, range.start));
        let is_front_matter = cursor.node().kind_id() == kinds().front_matter;
        let reused = reuse(&range).filter(|c| !is_front_matter && c.fence_in == fence);
        match reused {
            Some(chunk) => {
                fence = chunk.fence_out;
                chunks.push(chunk);
            }
            None => {
                let mut note = NoteSyntax::default();
                let fence_in = fence;
                fence = extract_top_level_node(text, &mut cursor, &mut note, fence);
                chunks.push(Chunk {
                    range,
                    front_matter: note.front_matter.zip(note.front_matter_range),
                    blocks: note.blocks,
                    links: note.links,
                    citations: note.citations,
                    ignores: note.ignores,
                    block_ids: note.block_ids,
                    fence_in,
                    fence_out: fence,
                });
            }
        }
        if !cursor.goto_next_sibling() {
            break;
        }
    }
    chunks
}

/// A fence opened inside a block quote (`> ```md`): its character and
/// length. The grammar reads quote lines one by one, so the extractor keeps
/// track of it; a line that is not a quote ends the quote and the fence. It
/// is the one state extraction carries from a top-level node to the next.
pub(super) type QuoteFence = Option<(char, usize)>;

/// A section (a heading and the blocks under it) or a single block, with
/// the quote-fence state before it; returns the state after it.
fn extract_top_level_node(
    text: &str,
    cursor: &mut TreeCursor,
    note: &mut NoteSyntax,
    mut fence: QuoteFence,
) -> QuoteFence {
    if cursor.node().kind_id() != kinds().section {
        extract_block(text, cursor, note, &mut fence);
        return fence;
    }
    if cursor.goto_first_child() {
        loop {
            extract_block(text, cursor, note, &mut fence);
            if !cursor.goto_next_sibling() {
                break;
            }
        }
        cursor.goto_parent();
    }
    fence
}

/// A fence (three or more backticks or tildes) at the start of `line`: its
/// character and length.
fn fence_at(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = line.chars().take_while(|x| *x == c).count();
    (len >= 3).then_some((c, len))
}

/// Whether the line before the one starting at `start` is blank.
fn previous_line_blank(text: &str, start: usize) -> bool {
    let before = text[..start]
        .strip_suffix('\n')
        .map(|b| b.strip_suffix('\r').unwrap_or(b))
        .or_else(|| text[..start].strip_suffix('\r'));
    let Some(before) = before else {
        return false;
    };
    let line_start = memchr::memrchr2(b'\n', b'\r', before.as_bytes()).map_or(0, |i| i + 1);
    before[line_start..].trim().is_empty()
}

/// The text of a quote line after all its `>` markers.
fn quoted(line: &str) -> &str {
    let mut rest = line;
    while let Some(inner) = rest.trim_start().strip_prefix('>') {
        rest = inner;
    }
    rest.trim_start()
}

/// Whether a quote line is code: it opens or closes a quoted fence, or is
/// inside one. Updates `fence`.
fn quoted_code(line: &str, fence: &mut QuoteFence) -> bool {
    let line = quoted(line);
    match *fence {
        Some((c, len)) => {
            let closes = fence_at(line).is_some_and(|(d, n)| d == c && n >= len)
                && line.trim_start_matches(c).trim().is_empty();
            if closes {
                *fence = None;
            }
            true
        }
        None => {
            *fence = fence_at(line);
            // A backtick fence's info string has no backtick; else it is an
            // inline code span.
            if fence.is_some_and(|(c, len)| c == '`' && line[len..].contains('`')) {
                *fence = None;
            }
            fence.is_some()
        }
    }
}

/// `^id` at the end of `content` (after a space, or right after an embed,
/// a link or display math, as Obsidian writes `![[image.png]]^id` and
/// `$$x$$^id`) or as
/// all of it: the id's range (without the caret) relative to `content`.
/// Obsidian's ids are letters, digits and `-`; Dendron's take `_` too.
fn block_id(content: &str) -> Option<Range<usize>> {
    let trimmed = content.trim_end();
    if let Some(id) = published_block_id(trimmed) {
        return Some(id);
    }
    let caret = trimmed.rfind('^')?;
    let id = &trimmed[caret + 1..];
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let before = &trimmed[..caret];
    // `>>^id` closes a nested callout (the first `>` is the marker).
    let separated = caret == 0
        || before.bytes().all(|b| b == b'>')
        || before.ends_with([' ', '\t'])
        || before.ends_with("]]")
        || before.ends_with(')')
        || before.ends_with("$$");
    (valid && separated).then_some(caret + 1..trimmed.len())
}

/// `{ #id}` at the end of `line`, as the Obsidian Digital Garden plugin
/// publishes a block's `^id` (for markdown-it-attrs): links to `#^id`
/// still find it. The id's range.
fn published_block_id(line: &str) -> Option<Range<usize>> {
    let open = line.strip_suffix('}')?.rfind("{ #")?;
    let id = &line[open + 3..line.len() - 1];
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some(open + 3..line.len() - 1)
}

fn line_content(text: &str, range: Range<usize>) -> Range<usize> {
    let line = text[range.clone()].trim_end_matches(['\n', '\r']);
    range.start..range.start + line.len()
}

fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    start..start.max(range.start + slice.trim_end().len())
}

/// `content` without a heading's closing sequence of `#`s.
fn without_closing_hashes(text: &str, content: Range<usize>) -> Range<usize> {
    let without = text[content.clone()].trim_end_matches('#');
    if without.len() < content.len() && (without.is_empty() || without.ends_with([' ', '\t'])) {
        trimmed(text, content.start..content.start + without.len())
    } else {
        content
    }
}

/// The heading a list item's content (`### Title` of `1. ### Title`) is.
fn heading_in_item(text: &str, content: Range<usize>) -> Option<Block> {
    let item = &text[content.clone()];
    let level = item.bytes().take_while(|&b| b == b'#').count();
    let rest = &item[level..];
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let heading = without_closing_hashes(text, trimmed(text, content.start + level..content.end));
    Some(Block::new(
        BlockKind::Heading { level: level as u8 },
        content,
        heading,
    ))
}

fn indent_width(marker: &str) -> u16 {
    marker
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .fold(0u16, u16::saturating_add)
}

/// What a block node is, before its marker is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Heading,
    ListItem,
    Quote,
    Definition,
    Code,
    Line,
}

/// Extracts the block at the cursor, leaving the cursor where it was.
fn extract_block(
    text: &str,
    cursor: &mut TreeCursor,
    note: &mut NoteSyntax,
    fence: &mut QuoteFence,
) {
    let k = kinds();
    let node = cursor.node();
    let id = node.kind_id();
    if id == k.front_matter {
        read_front_matter(note, text, node.byte_range());
        return;
    }
    let shape = match id {
        _ if id == k.heading => Shape::Heading,
        _ if id == k.list_item => Shape::ListItem,
        _ if id == k.block_quote => Shape::Quote,
        _ if id == k.definition => Shape::Definition,
        _ if id == k.fenced_code => Shape::Code,
        _ if id == k.line => Shape::Line,
        _ => return,
    };
    let range = line_content(text, node.byte_range());
    let has_children = cursor.goto_first_child();
    // Headings, list items, quotes and definitions start with their marker.
    let has_marker = matches!(
        shape,
        Shape::Heading | Shape::ListItem | Shape::Quote | Shape::Definition
    );
    let marker = if has_children && has_marker {
        &text[cursor.node().byte_range()]
    } else {
        ""
    };
    let kind = match shape {
        Shape::Heading => BlockKind::Heading {
            level: marker.bytes().filter(|b| *b == b'#').count() as u8,
        },
        Shape::ListItem => BlockKind::ListItem {
            indent: indent_width(marker),
        },
        // Lines of a fence inside a quote are code, the fences included. A
        // blank line ends the quote, and the fence with it.
        Shape::Quote
            if {
                if previous_line_blank(text, range.start) {
                    *fence = None;
                }
                quoted_code(&text[range.clone()], fence)
            } =>
        {
            BlockKind::Code
        }
        Shape::Quote => BlockKind::Quote,
        Shape::Definition => BlockKind::Definition,
        Shape::Code => BlockKind::Code,
        Shape::Line => BlockKind::Line,
    };
    if shape != Shape::Quote {
        *fence = None;
    }
    let after_marker = (range.start + marker.len()).min(range.end);
    let mut content = trimmed(text, after_marker..range.end);
    if let BlockKind::Heading { .. } = kind {
        content = without_closing_hashes(text, content);
    }
    // A list item that is a fenced code block (`- ```js`): the item is its
    // first line, and the fence a code block of its own.
    // Asking the tree costs a walk over the item's children; the text says
    // first whether there can be a fence at all.
    let code_fence = (shape == Shape::ListItem
        && has_children
        && fence_at(text[after_marker..range.end].trim_start()).is_some())
    .then(|| fence_child(cursor))
    .flatten();
    let (range, content) = match &code_fence {
        // The item is its first line: the marker and the opening fence.
        Some(_) => {
            let end = text[range.clone()]
                .find(['\n', '\r'])
                .map_or(range.end, |i| range.start + i);
            (range.start..end, after_marker.min(end)..end)
        }
        None => (range, content),
    };
    if matches!(
        kind,
        BlockKind::Line | BlockKind::ListItem { .. } | BlockKind::Quote
    ) {
        if let Some(id) = block_id(&text[content.clone()]) {
            let id = content.start + id.start..content.start + id.end;
            // An id alone on its line is pointed at the block before it by
            // `name_lone_block_ids`, once every block is known.
            note.block_ids.push(BlockId {
                id: Spanned {
                    value: text[id.clone()].to_string(),
                    range: id,
                },
                block: range.clone(),
            });
        }
    }
    if kind == BlockKind::Code {
        let code = &text[content.clone()];
        let header = &code[..code.find(['\n', '\r']).unwrap_or(code.len())];
        if header.contains("child") {
            note.links
                .extend(link::parse_knitr_children(header, content.start));
        }
    }
    if kind == BlockKind::Line && text[content.clone()].starts_with("{{<") {
        note.links.extend(link::parse_quarto_include(
            &text[content.clone()],
            content.start,
        ));
    }
    let item_heading = match kind {
        BlockKind::ListItem { .. } => heading_in_item(text, content.clone()),
        _ => None,
    };
    note.blocks.push(Block::new(kind, range, content));
    // `1. ### Title` is a list item that holds a heading (CommonMark):
    // GitHub gives it an id, and tables of contents link to it.
    note.blocks.extend(item_heading);
    if let Some(code) = code_fence {
        let code = line_content(text, code);
        note.blocks
            .push(Block::new(BlockKind::Code, code.clone(), code));
    }
    if has_children {
        if kind != BlockKind::Code {
            extract_inline(text, cursor, note);
        }
        cursor.goto_parent();
    }
}

/// The range of a `fenced_code` child among the siblings from the cursor on
/// (the cursor is left where it was).
fn fence_child(cursor: &TreeCursor) -> Option<Range<usize>> {
    // A cursor of its own: `Node::next_sibling` walks down from the parent
    // each time.
    let mut siblings = cursor.clone();
    loop {
        if siblings.node().kind_id() == kinds().fenced_code {
            return Some(siblings.node().byte_range());
        }
        if !siblings.goto_next_sibling() {
            return None;
        }
    }
}

/// Reads the inline tokens from the cursor (on a block's first child) to
/// the block's last child.
fn extract_inline(text: &str, cursor: &mut TreeCursor, note: &mut NoteSyntax) {
    let k = kinds();
    loop {
        let child = cursor.node();
        let id = child.kind_id();
        let start = child.start_byte();
        let token = &text[child.byte_range()];
        if (id == k.wiki_link || id == k.embed) && link::is_not_a_wikilink(token) {
            // Text, as the rest of the line is.
        } else if id == k.wiki_link {
            note.links
                .push(link::parse_wiki(token, start, LinkKind::Wiki));
        } else if id == k.embed {
            note.links
                .push(link::parse_wiki(token, start, LinkKind::Embed));
        } else if id == k.inline_link {
            note.links.extend(link::parse_markdown(token, start));
            // Pandoc reads a link's text as text: `[@key](url)` cites. But
            // a handle linked to its profile, `[@ada](https://github.com/ada)`,
            // is a mention, whatever Pandoc would make of it.
            let open = usize::from(token.starts_with('!')) + 1;
            if let Some(close) = token.find("](").filter(|&c| token[..c].contains('@')) {
                let (label, destination) = (&token[open..close], &token[close + 2..]);
                let names_it = |key: &str| {
                    destination
                        .split(['/', '?', '#', '=', '&', ')', '.'])
                        .any(|part| part.trim_start_matches('@').eq_ignore_ascii_case(key))
                };
                note.citations.extend(
                    citation::bare_citations_in(label, start + open)
                        .into_iter()
                        .filter(|c| !names_it(c.key().value)),
                );
            }
        } else if id == k.citation {
            let (before, after) = (&text[..start], &text[child.end_byte()..]);
            note.citations
                .extend(citation::parse_bare(token, start, before, after));
        } else if id == k.citation_group {
            let around = (&text[..start], &text[child.end_byte()..]);
            let items = citation::parse_brackets(token, start, around, note.citations.last_mut());
            note.citations.extend(items);
        } else if id == k.html_comment {
            note.ignores.extend(ignore_comment(token, child.end_byte()));
        } else if id == k.code_span && text[..start].ends_with('}') {
            note.citations
                .extend(citation::parse_role(&text[..start], token, start));
        }
        if !cursor.goto_next_sibling() {
            break;
        }
    }
}

/// `<!-- gloss-ignore: broken-link, unknown-citation -->`
fn ignore_comment(token: &str, end: usize) -> Option<IgnoreComment> {
    let body = token.strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let codes = body.strip_prefix("gloss-ignore")?.trim_start();
    let codes = codes.strip_prefix(':').unwrap_or(codes);
    Some(IgnoreComment {
        end,
        codes: codes
            .split([',', ' ', '\t'])
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    /// Renders what was extracted, one item per line, with the source text
    /// of every range so that offsets are checked too.
    fn check(text: &str, expect: Expect) {
        let note = parse_note(text);
        let mut out = String::new();
        if let Some(fm) = &note.front_matter {
            out.push_str(&format!(
                "front matter: title={:?} aliases={:?}\n",
                fm.title.as_ref().map(|t| &text[t.range.clone()]),
                fm.aliases
                    .iter()
                    .map(|a| &text[a.range.clone()])
                    .collect::<Vec<_>>()
            ));
        }
        for block in &note.blocks {
            out.push_str(&format!("{:?} {:?}\n", block.kind, &text[block.content()]));
        }
        for link in &note.links {
            out.push_str(&format!(
                "link {:?} {:?} target={:?} anchor={:?}\n",
                link.kind,
                &text[link.range()],
                link.target().map(|t| &text[t.range.clone()]),
                link.anchor().map(|t| &text[t.range.clone()]),
            ));
        }
        for cite in &note.citations {
            out.push_str(&format!(
                "cite {:?} in {:?}\n",
                &text[cite.key().range],
                &text[cite.token()]
            ));
        }
        for ignore in &note.ignores {
            out.push_str(&format!("ignore {:?} after {}\n", ignore.codes, ignore.end));
        }
        for id in &note.block_ids {
            out.push_str(&format!(
                "block id {:?} names {:?}\n",
                &text[id.id.range.clone()],
                &text[id.block.clone()]
            ));
        }
        expect.assert_eq(&out);
    }

    /// Display math over several lines and raw `<style>`/`<script>`
    /// blocks are code; math cut by a blank line, or never closed, is not.
    #[test]
    fn display_math_and_raw_html_blocks_are_code() {
        check(
            "$$\r\nx = [[a, b]] 😀 [@k1]\r\n$$ {#eq:m}\r\n> $$\n> [x](\\mathbf C)\n> $$\n<style>\n@media (min-width: 1px) {}\n\n[[in style]]\n</style>\n$$\n[[open]]\n\n$$\n[[after]] [@k2]\n",
            expect![[r#"
                Code "$$"
                Code "x = [[a, b]] 😀 [@k1]"
                Code "$$ {#eq:m}"
                Code "$$"
                Code "[x](\\mathbf C)"
                Code "$$"
                Code "<style>"
                Code "@media (min-width: 1px) {}"
                Code "[[in style]]"
                Code "</style>"
                Line "$$"
                Line "[[open]]"
                Line "$$"
                Line "[[after]] [@k2]"
                link Wiki "[[open]]" target=Some("open") anchor=None
                link Wiki "[[after]]" target=Some("after") anchor=None
                cite "k2" in "[@k2]"
            "#]],
        );
    }

    /// Found in an Obsidian vault: Obsidian writes a block's id right
    /// after the `$$` that closes its math, and a link after the math
    /// is read.
    #[test]
    fn a_block_id_after_display_math() {
        check(
            "$$\\begin{align}\nx &= [[a]]\n\\end{align}$$^f0316c\n\n$$P(R \\vert d)$$^87f37c\n\n$$ 😀\r\na\r\n$$ [[b]] ^spaced1\r\n",
            expect![[r#"
                Code "$$\\begin{align}"
                Code "x &= [[a]]"
                Code "\\end{align}$$^f0316c"
                Line "$$P(R \\vert d)$$^87f37c"
                Code "$$ 😀"
                Code "a"
                Code "$$ [[b]] ^spaced1"
                link Wiki "[[b]]" target=Some("b") anchor=None
                block id "f0316c" names "\\end{align}$$^f0316c"
                block id "87f37c" names "$$P(R \\vert d)$$^87f37c"
                block id "spaced1" names "$$ [[b]] ^spaced1"
            "#]],
        );
    }

    /// Found in a digital garden the Obsidian Digital Garden plugin
    /// publishes: it writes a block's `^id` as `{ #id}`.
    #[test]
    fn a_block_id_as_the_digital_garden_publishes_it() {
        check(
            "- 셀 병합 😀 { #kgf9w8}\n>#와드  { #snnal4tkkzo}\r\nnot { #a b} nor {#attr} { #}\n![a](a.png)\n{ #alone1}\n",
            expect![[r##"
                ListItem { indent: 0 } "셀 병합 😀 { #kgf9w8}"
                Quote "#와드  { #snnal4tkkzo}"
                Line "not { #a b} nor {#attr} { #}"
                Line "![a](a.png)"
                Line "{ #alone1}"
                link Image "![a](a.png)" target=Some("a.png") anchor=None
                block id "kgf9w8" names "- 셀 병합 😀 { #kgf9w8}"
                block id "snnal4tkkzo" names ">#와드  { #snnal4tkkzo}"
                block id "alone1" names "![a](a.png)"
            "##]],
        );
    }

    /// Found in paper notes that write inline math as `\(…\)`: a
    /// Toeplitz matrix `[[\!x\!]]` is no link; an escaped parenthesis
    /// is text.
    #[test]
    fn inline_math_between_backslash_parentheses() {
        check(
            "矩阵 \\([[\\!x\\!]]\\langle y\\rangle @k\\) 😀 [[a]]\r\n\\(see [[b]] [@c]\n\\( \\) [[d]]\n",
            expect![[r#"
                Line "矩阵 \\([[\\!x\\!]]\\langle y\\rangle @k\\) 😀 [[a]]"
                Line "\\(see [[b]] [@c]"
                Line "\\( \\) [[d]]"
                link Wiki "[[a]]" target=Some("a") anchor=None
                link Wiki "[[b]]" target=Some("b") anchor=None
                link Wiki "[[d]]" target=Some("d") anchor=None
                cite "c" in "[@c]"
            "#]],
        );
    }

    /// Found on a Logseq graph: math opened by a list item (`- $$`) ends
    /// at its `$$`, which opens nothing after it.
    #[test]
    fn display_math_opened_by_a_list_item() {
        check(
            "- $$\n  x = [[a, b]]\n  $$\n- [[After]] 😀\n",
            expect![[r#"
                Code "$$"
                Code "x = [[a, b]]"
                Code "$$"
                ListItem { indent: 0 } "[[After]] 😀"
                link Wiki "[[After]]" target=Some("After") anchor=None
            "#]],
        );
    }

    /// Found on a Logseq graph, where every heading is a list item: the
    /// heading's block starts inside its item's line, and the search for
    /// the end of display math sliced the text backwards.
    #[test]
    fn display_math_up_to_a_heading_in_a_list_item() {
        check(
            "$$\n- # T 😀\n$$\n",
            expect![[r##"
                Code "$$"
                Code "# T 😀"
                Code "T 😀"
                Code "$$"
            "##]],
        );
    }

    /// A list item whose content is an ATX heading holds that heading.
    #[test]
    fn headings_inside_list_items() {
        check(
            "442. ### What is a 闭包? 😀 ###\r\n- ## 名词解释\r\n- #tag is no heading\r\n  - #\r\n* ####### seven\r\n",
            expect![[r########"
                ListItem { indent: 0 } "### What is a 闭包? 😀 ###"
                Heading { level: 3 } "What is a 闭包? 😀"
                ListItem { indent: 0 } "## 名词解释"
                Heading { level: 2 } "名词解释"
                ListItem { indent: 0 } "#tag is no heading"
                ListItem { indent: 2 } "#"
                Heading { level: 1 } ""
                ListItem { indent: 0 } "####### seven"
            "########]],
        );
    }

    /// Quarto's include shortcode on a line of its own; not escaped, not
    /// commented out, not in code, not inside other text.
    #[test]
    fn quarto_include_shortcodes() {
        check(
            "{{< include _部分😀.qmd >}}\r\n\r\n{{< include \"parts/two words.qmd\" >}}\r\n\r\n{{{< include _escaped.qmd >}}}\r\n\r\n{{</* include _comment.qmd */>}}\r\n\r\nsee {{< include _inline.qmd >}}\r\n\r\n{{< include a b >}}\r\n\r\n{{< include \"\" >}}\r\n\r\n```\r\n{{< include _code.qmd >}}\r\n```\r\n",
            expect![[r#"
                Line "{{< include _部分😀.qmd >}}"
                Line "{{< include \"parts/two words.qmd\" >}}"
                Line "{{{< include _escaped.qmd >}}}"
                Line "{{</* include _comment.qmd */>}}"
                Line "see {{< include _inline.qmd >}}"
                Line "{{< include a b >}}"
                Line "{{< include \"\" >}}"
                Code "```\r\n{{< include _code.qmd >}}\r\n```"
                link Include "{{< include _部分😀.qmd >}}" target=Some("_部分😀.qmd") anchor=None
                link Include "{{< include \"parts/two words.qmd\" >}}" target=Some("parts/two words.qmd") anchor=None
            "#]],
        );
    }

    /// knitr's child documents, named in a chunk's header (found in a
    /// thesis that knits its chapters into one document); the same words
    /// in a chunk's code or another option's name are no child.
    #[test]
    fn knitr_child_chunks() {
        check(
            "```{r, child = \"thesis/ch1😀.Rmd\"}\r\n```\r\n\r\n```{r child=c('a.Rmd', \"b.Rmd\"), echo=FALSE}\n```\n\n```{r}\nknitr::knit_child(child = 'x.Rmd')\n```\n\n```{r, my_child='y.Rmd', child.dir = 'z'}\n```\n",
            expect![[r#"
                Code "```{r, child = \"thesis/ch1😀.Rmd\"}\r\n```"
                Code "```{r child=c('a.Rmd', \"b.Rmd\"), echo=FALSE}\n```"
                Code "```{r}\nknitr::knit_child(child = 'x.Rmd')\n```"
                Code "```{r, my_child='y.Rmd', child.dir = 'z'}\n```"
                link Include "thesis/ch1😀.Rmd" target=Some("thesis/ch1😀.Rmd") anchor=None
                link Include "a.Rmd" target=Some("a.Rmd") anchor=None
                link Include "b.Rmd" target=Some("b.Rmd") anchor=None
            "#]],
        );
    }

    #[test]
    fn mixed_cjk_emoji_crlf_note() {
        check(
            "---\r\ntitle: 笔记 😀\r\naliases: [LLM Notes]\r\n---\r\n## 名词解释 ##\r\n- **CoT**（思维链）：见 [[Chain of Thought|思维链]] 😀 [@wei2022, p. 3]\r\n  - 细节 (@wang2023)，mail a@b.org\r\n",
            expect![[r#"
                front matter: title=Some("笔记 😀") aliases=["LLM Notes"]
                Heading { level: 2 } "名词解释"
                ListItem { indent: 0 } "**CoT**（思维链）：见 [[Chain of Thought|思维链]] 😀 [@wei2022, p. 3]"
                ListItem { indent: 2 } "细节 (@wang2023)，mail a@b.org"
                link Wiki "[[Chain of Thought|思维链]]" target=Some("Chain of Thought") anchor=None
                cite "wei2022" in "[@wei2022, p. 3]"
                cite "wang2023" in "@wang2023"
            "#]],
        );
    }

    /// Brackets read by what surrounds them, link text, profile links,
    /// Pandoc examples and math, as Pandoc reads them (tests/pandoc.rs
    /// checks the same against Pandoc itself), with exact ranges after
    /// CJK, emoji and CRLF.
    #[test]
    fn citations_in_context() {
        check(
            "(@ex) 例子 😀\r\n\r\n见 @wei2022 [p. 3; @kojima2022] 和 [@a](https://x.org) [@ada](https://github.com/ada) [*Ada (@ada2)*](https://ada2.github.io/)\r\n^[@note2020] ![@img] [@span]{.x} [see above; -@b] (@ex) $x @m$ @ex\r\n",
            expect![[r#"
                Line "(@ex) 例子 😀"
                Line "见 @wei2022 [p. 3; @kojima2022] 和 [@a](https://x.org) [@ada](https://github.com/ada) [*Ada (@ada2)*](https://ada2.github.io/)"
                Line "^[@note2020] ![@img] [@span]{.x} [see above; -@b] (@ex) $x @m$ @ex"
                cite "wei2022" in "@wei2022"
                cite "kojima2022" in "[p. 3; @kojima2022]"
                cite "a" in "@a"
                cite "note2020" in "@note2020"
                cite "img" in "[@img]"
                cite "span" in "@span"
                cite "b" in "@b"
            "#]],
        );
        let text = "@wei2022 [p. 3; @kojima2022]";
        let note = parse_note(text);
        assert_eq!(note.citations[0].suffix(text), Some("p. 3"));
        assert!(note.citations[1].bracketed);
        let note = parse_note("x -@b");
        assert!(note.citations[0].suppress_author);
    }

    /// Found in rstudio/rmarkdown's test snapshots: a link in an indented
    /// code block (`    See [A](#a)`) was reported broken. Four columns of
    /// indentation after a blank line or a heading make code (CommonMark,
    /// Pandoc, Obsidian), to the next line indented less; not in a list,
    /// whose items' paragraphs and sub-items are indented so, and not
    /// after a paragraph line, which it continues.
    #[test]
    fn indented_code_blocks() {
        check(
            "# 标题 😀\r\n    [[no]] @no\r\n\r\n\t# no heading [x](#no)\r\n\r\n        ^no-id\r\nPara [[yes]]\r\n    [[yes2]] @yes\r\n\r\n- item\r\n\r\n    [[in-item]]\r\n\r\n    - sub [[sub]]\r\n\r\nAfter\r\n\r\n    [[no3]]\r\n  [[back]]\r\n",
            expect![[r#"
                Heading { level: 1 } "标题 😀"
                Code "[[no]] @no"
                Code "no heading [x](#no)"
                Code "^no-id"
                Line "Para [[yes]]"
                Line "[[yes2]] @yes"
                ListItem { indent: 0 } "item"
                Line "[[in-item]]"
                ListItem { indent: 4 } "sub [[sub]]"
                Line "After"
                Code "[[no3]]"
                Line "[[back]]"
                link Wiki "[[yes]]" target=Some("yes") anchor=None
                link Wiki "[[yes2]]" target=Some("yes2") anchor=None
                link Wiki "[[in-item]]" target=Some("in-item") anchor=None
                link Wiki "[[sub]]" target=Some("sub") anchor=None
                link Wiki "[[back]]" target=Some("back") anchor=None
                cite "yes" in "@yes"
            "#]],
        );
    }

    /// A code span may run over a line break within a paragraph (CommonMark,
    /// Pandoc, Obsidian): what is inside is code, on both lines. Runs pair
    /// by length, an escaped backtick opens nothing, and a span never
    /// crosses a blank line, a new item, a heading or a table row.
    #[test]
    fn code_spans_across_lines() {
        check(
            "用 `[[no1]] 😀\r\n@no2 [[no3]]` 然后 [[yes1]]\r\na `b\r\n***\r\nc [[yes12]]` d\r\n\r\n``a `[[no4]]\n[[no5]]`` [[yes2]] \\`[[yes3]]\n[[yes4]]`\n\n`open [[yes5]]\n\n[[yes6]]` x`\n- item `[[yes7]]\n- next [[yes8]]`\n> q `[[no6]]\n> [[no7]]` [[yes9]]\n| a `[[yes10]] |\n| b [[yes11]]` |\n",
            expect![[r#"
                Line "用 `[[no1]] 😀"
                Line "@no2 [[no3]]` 然后 [[yes1]]"
                Line "a `b"
                Line "***"
                Line "c [[yes12]]` d"
                Line "``a `[[no4]]"
                Line "[[no5]]`` [[yes2]] \\`[[yes3]]"
                Line "[[yes4]]`"
                Line "`open [[yes5]]"
                Line "[[yes6]]` x`"
                ListItem { indent: 0 } "item `[[yes7]]"
                ListItem { indent: 0 } "next [[yes8]]`"
                Quote "q `[[no6]]"
                Quote "[[no7]]` [[yes9]]"
                Line "| a `[[yes10]] |"
                Line "| b [[yes11]]` |"
                link Wiki "[[yes1]]" target=Some("yes1") anchor=None
                link Wiki "[[yes12]]" target=Some("yes12") anchor=None
                link Wiki "[[yes3]]" target=Some("yes3") anchor=None
                link Wiki "[[yes4]]" target=Some("yes4") anchor=None
                link Wiki "[[yes5]]" target=Some("yes5") anchor=None
                link Wiki "[[yes6]]" target=Some("yes6") anchor=None
                link Wiki "[[yes7]]" target=Some("yes7") anchor=None
                link Wiki "[[yes8]]" target=Some("yes8") anchor=None
                link Wiki "[[yes9]]" target=Some("yes9") anchor=None
                link Wiki "[[yes10]]" target=Some("yes10") anchor=None
                link Wiki "[[yes11]]" target=Some("yes11") anchor=None
            "#]],
        );
    }

    /// Template tags are code: in ERB (a site's image helper) and Templater.
    #[test]
    fn nothing_inside_template_tags_is_a_link_or_citation() {
        check(
            "<%= image title: %Q{见 [[202001121202]] 😀} %> [[yes1]]\r\n<% tp.file.include(\"[[no2]]\")\n@no3 %> @yes2 <% [[yes3]] unclosed\n",
            expect![[r#"
                Line "<%= image title: %Q{见 [[202001121202]] 😀} %> [[yes1]]"
                Line "<% tp.file.include(\"[[no2]]\")"
                Line "@no3 %> @yes2 <% [[yes3]] unclosed"
                link Wiki "[[yes1]]" target=Some("yes1") anchor=None
                link Wiki "[[no2]]" target=Some("no2") anchor=None
                link Wiki "[[yes3]]" target=Some("yes3") anchor=None
                cite "no3" in "@no3"
                cite "yes2" in "@yes2"
            "#]],
        );
    }

    /// Found in quarto-web: the alt text of an image's attributes named
    /// `@user` and quoted a citation, and a div's layout read as a link.
    /// Text outside attributes, and braces that open none, still count.
    #[test]
    fn nothing_inside_attributes_is_a_link_or_citation() {
        check(
            "![图 😀](a.png){fig-alt=\"Art by @no1 and [[no2]]\" width=\"4\"} @yes1\r\n::: {layout=\"[[3,1]]\"}\r\n# 标题 {#sec-x data-x='@no3 }'} [[yes2]]\n[span]{.note key=\"@no4\"} {not attributes @yes3} {x @yes4 = 1}\n1. ### 问 {#q} [x]{.c k=\"@no5\"} @yes5\n",
            expect![[r####"
                Line "![图 😀](a.png){fig-alt=\"Art by @no1 and [[no2]]\" width=\"4\"} @yes1"
                Line "::: {layout=\"[[3,1]]\"}"
                Heading { level: 1 } "标题 {#sec-x data-x='@no3 }'} [[yes2]]"
                Line "[span]{.note key=\"@no4\"} {not attributes @yes3} {x @yes4 = 1}"
                ListItem { indent: 0 } "### 问 {#q} [x]{.c k=\"@no5\"} @yes5"
                Heading { level: 3 } "问 {#q} [x]{.c k=\"@no5\"} @yes5"
                link Image "![图 😀](a.png)" target=Some("a.png") anchor=None
                link Wiki "[[yes2]]" target=Some("yes2") anchor=None
                cite "yes1" in "@yes1"
                cite "yes3" in "@yes3"
                cite "yes4" in "@yes4"
                cite "yes5" in "@yes5"
            "####]],
        );
    }

    /// A line underlined by `=` or `-` is a heading, also after a rule;
    /// not the second line of a paragraph, not a list item's, and no
    /// underline after a blank line or indented four columns.
    #[test]
    fn setext_headings() {
        check(
            "标题 😀\r\n===\r\n\r\nTests\n-----  \n\nTab\n\t---\n\nTwo\nlines\n---\n- item\n---\n\n---\nAfter [[x]]\n   --\n    ---\n",
            expect![[r#"
                Heading { level: 1 } "标题 😀"
                Line "==="
                Heading { level: 2 } "Tests"
                Line "-----"
                Line "Tab"
                Line "---"
                Line "Two"
                Line "lines"
                Line "---"
                ListItem { indent: 0 } "item"
                Line "---"
                Line "---"
                Heading { level: 2 } "After [[x]]"
                Line "--"
                Line "---"
                link Wiki "[[x]]" target=Some("x") anchor=None
            "#]],
        );
    }

    /// Found in Pandoc's changelog: in a list item, code is indented four
    /// columns past where the item's text starts; its paragraphs and
    /// sub-items less. A paragraph back at the margin leaves the list.
    #[test]
    fn indented_code_blocks_in_list_items() {
        check(
            "1. ## 步骤\n\n    [[yes0]] ^k\n\n- 项目 😀\n\n      [see @no1] [x](/no2)\n\n  para [[yes1]]\n\n    - sub [[yes2]]\n\n          [[no3]]\n\n      sub para [[yes3]]\n\n1.  ordered\r\n\r\n        [[no4]]\r\n\r\n\t- tab [[yes4]]\n\nback [[yes5]]\n\n    [[no5]]\n",
            expect![[r###"
                ListItem { indent: 0 } "## 步骤"
                Heading { level: 2 } "步骤"
                Line "[[yes0]] ^k"
                ListItem { indent: 0 } "项目 😀"
                Code "[see @no1] [x](/no2)"
                Line "para [[yes1]]"
                ListItem { indent: 4 } "sub [[yes2]]"
                Code "[[no3]]"
                Line "sub para [[yes3]]"
                ListItem { indent: 0 } "ordered"
                Code "[[no4]]"
                ListItem { indent: 4 } "tab [[yes4]]"
                Line "back [[yes5]]"
                Code "[[no5]]"
                link Wiki "[[yes0]]" target=Some("yes0") anchor=None
                link Wiki "[[yes1]]" target=Some("yes1") anchor=None
                link Wiki "[[yes2]]" target=Some("yes2") anchor=None
                link Wiki "[[yes3]]" target=Some("yes3") anchor=None
                link Wiki "[[yes4]]" target=Some("yes4") anchor=None
                link Wiki "[[yes5]]" target=Some("yes5") anchor=None
                block id "k" names "    [[yes0]] ^k"
            "###]],
        );
    }

    #[test]
    fn nothing_inside_code_is_a_link_or_citation() {
        check(
            "```python\n[[no]] @no\n```\n`[[no]]` and ``@no``\n  ~~~\n  [@no]\n",
            expect![[r#"
                Code "```python\n[[no]] @no\n```"
                Line "`[[no]]` and ``@no``"
                Code "~~~\n  [@no]"
            "#]],
        );
    }

    #[test]
    fn nothing_inside_an_obsidian_comment_or_raw_tex_is_read() {
        check(
            "Seen [[a]] %% hidden [[no]] @no %% and 😀 [[b]].\n%%\n# Not a heading\n![[no#x]]\n%%\n\\index{x()@no \\texttt{x}} 50% of a!b@no, but [@yes]\n",
            expect![[r#"
                Line "Seen [[a]] %% hidden [[no]] @no %% and 😀 [[b]]."
                Line "%%\n# Not a heading\n![[no#x]]\n%%"
                Line "\\index{x()@no \\texttt{x}} 50% of a!b@no, but [@yes]"
                link Wiki "[[a]]" target=Some("a") anchor=None
                link Wiki "[[b]]" target=Some("b") anchor=None
                cite "yes" in "[@yes]"
            "#]],
        );
    }

    #[test]
    fn a_comment_in_a_bracketed_group_cites_nothing() {
        check(
            "见 [<!-- TODO: 😀 letter, @Abby Weed Grey Papers --> @real, p. 3] and <!-- @gone --> [@kept]\n",
            expect![[r#"
                Line "见 [<!-- TODO: 😀 letter, @Abby Weed Grey Papers --> @real, p. 3] and <!-- @gone --> [@kept]"
                cite "real" in "[<!-- TODO: 😀 letter, @Abby Weed Grey Papers --> @real, p. 3]"
                cite "kept" in "[@kept]"
            "#]],
        );
    }

    /// Found in a docsify site of lecture notes and notes on shell
    /// scripts: a bracket expression's POSIX class, escaped closing
    /// brackets and Bash's `[[ … ]]` tests are text, not wikilinks.
    #[test]
    fn posix_classes_and_escaped_brackets_are_not_wikilinks() {
        check(
            "如括号表达式[[:alpha:]]。 [[Slides\\]](https://x.org/s.pdf) [[ \\]]和[ ] 😀 [[a\\\\]] [[:nope:]] ![[:digit:]]\n# 10. [[ ]] [[]] [[ -z \"$TRASH\" ]] [[ $a == b ]] [[ Note ]]\n",
            expect![[r#"
                Line "如括号表达式[[:alpha:]]。 [[Slides\\]](https://x.org/s.pdf) [[ \\]]和[ ] 😀 [[a\\\\]] [[:nope:]] ![[:digit:]]"
                Heading { level: 1 } "10. [[ ]] [[]] [[ -z \"$TRASH\" ]] [[ $a == b ]] [[ Note ]]"
                link Wiki "[[a\\\\]]" target=Some("a\\") anchor=None
                link Wiki "[[:nope:]]" target=Some(":nope:") anchor=None
                link Wiki "[[]]" target=None anchor=None
                link Wiki "[[ Note ]]" target=Some("Note") anchor=None
            "#]],
        );
    }

    #[test]
    fn links_of_every_kind_and_ignore_comments() {
        check(
            "<!-- gloss-ignore: broken-link, unknown-citation -->\n![[Diagram]] [[#Intro]] [[]] [x](../papers/a.md#Results) [y](https://x.org/a.md)\n: def @fig-1 @sec-intro\n",
            expect![[r#"
                Line "<!-- gloss-ignore: broken-link, unknown-citation -->"
                Line "![[Diagram]] [[#Intro]] [[]] [x](../papers/a.md#Results) [y](https://x.org/a.md)"
                Definition "def @fig-1 @sec-intro"
                link Embed "![[Diagram]]" target=Some("Diagram") anchor=None
                link Wiki "[[#Intro]]" target=None anchor=Some("Intro")
                link Wiki "[[]]" target=None anchor=None
                link Markdown "[x](../papers/a.md#Results)" target=Some("../papers/a.md") anchor=Some("Results")
                cite "fig-1" in "@fig-1"
                cite "sec-intro" in "@sec-intro"
                ignore ["broken-link", "unknown-citation"] after 52
            "#]],
        );
    }

    #[test]
    fn block_ids_at_the_end_of_blocks_or_alone_after_them() {
        check(
            "A sentence worth quoting. ^key-idea\n\n- an item\n- another ^item-2\n\n^list-block\n| a | b | ^row\nnot^an-id and x^ nor ^bad.id\nDendron's ^blk_1\n\n![[图.png]]^img-1\n\n> [!note]\n>>\\end{alignat}$$\n>>^nested-1\n",
            expect![[r#"
                Line "A sentence worth quoting. ^key-idea"
                ListItem { indent: 0 } "an item"
                ListItem { indent: 0 } "another ^item-2"
                Line "^list-block"
                Line "| a | b | ^row"
                Line "not^an-id and x^ nor ^bad.id"
                Line "Dendron's ^blk_1"
                Line "![[图.png]]^img-1"
                Quote "[!note]"
                Quote ">\\end{alignat}$$"
                Quote ">^nested-1"
                link Embed "![[图.png]]" target=Some("图.png") anchor=None
                block id "key-idea" names "A sentence worth quoting. ^key-idea"
                block id "item-2" names "- another ^item-2"
                block id "list-block" names "- another ^item-2"
                block id "row" names "| a | b | ^row"
                block id "blk_1" names "Dendron's ^blk_1"
                block id "img-1" names "![[图.png]]^img-1"
                block id "nested-1" names ">>^nested-1"
            "#]],
        );
    }

    /// Found on the Obsidian help vault: a fence inside a callout is code,
    /// and so is one right after a list marker.
    #[test]
    fn fences_in_quotes_and_list_items_are_code() {
        check(
            "> [!tip]\n> ```md\n> | [[Some page\\|label]] |\n> > ```\n> [[after]]\n- ```js\n  [[no]]\n  ```\n[[yes]]\n",
            expect![[r#"
                Quote "[!tip]"
                Code "```md"
                Code "| [[Some page\\|label]] |"
                Code "> ```"
                Quote "[[after]]"
                ListItem { indent: 0 } "```js"
                Code "```js\n  [[no]]\n  ```"
                Line "[[yes]]"
                link Wiki "[[after]]" target=Some("after") anchor=None
                link Wiki "[[yes]]" target=Some("yes") anchor=None
            "#]],
        );
    }

    /// Found on a real vault: a fence opened in a callout whose closing
    /// fence never came hid every later link of the note. A blank line ends
    /// the quote and its fence.
    #[test]
    fn a_blank_line_ends_a_quoted_fence() {
        check(
            "> [!info]\n> ```js\nlazy line\n> ```\n>\n\n> [!note]\n> [[checked]]\n",
            expect![[r#"
                Quote "[!info]"
                Code "```js"
                Line "lazy line"
                Code "```"
                Code ""
                Quote "[!note]"
                Quote "[[checked]]"
                link Wiki "[[checked]]" target=Some("checked") anchor=None
            "#]],
        );
    }

    #[test]
    fn nul_bytes_keep_offsets() {
        check(
            "a\0b [[x\0]] @k\n",
            expect![[r#"
                Line "a\0b [[x\0]] @k"
                link Wiki "[[x\0]]" target=Some("x\0") anchor=None
                cite "k" in "@k"
            "#]],
        );
    }
}
