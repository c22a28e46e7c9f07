//! YAML read into a small tree that keeps where each value is, for the
//! front matter and for CSL YAML bibliographies.
//!
//! yaml-rust2's event parser feeds a builder that charges every copy it
//! makes, for an anchor (kept for its aliases) or an alias: anchors and
//! aliases that expand exponentially ("billion laughs"), or anchors nested
//! hundreds deep, stop at [`COPY_BUDGET`] instead of exhausting memory,
//! while plain values, whose number the text's size already bounds, are
//! free (a front matter with hundreds of `references:` fits).

use std::collections::HashMap;
use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::line_index::{ColumnUnit, LineCol, LineIndex};

/// Values that anchors and aliases may copy in one document.
pub const COPY_BUDGET: usize = 100_000;

/// A YAML value and where it is: a scalar at the byte offset of its first
/// character (of its quote, when quoted), a collection over its bytes.
#[derive(Debug, Clone)]
pub enum Node {
    Scalar(String, usize),
    Seq(Vec<Node>, Range<usize>),
    Map(Vec<(Node, Node)>, Range<usize>),
}

impl Node {
    pub fn as_scalar(&self) -> Option<(&str, usize)> {
        match self {
            Node::Scalar(s, at) => Some((s, *at)),
            _ => None,
        }
    }

    /// A scalar or a sequence of scalars, as a list.
    pub fn scalars(&self) -> Vec<(&str, usize)> {
        match self {
            Node::Scalar(s, at) if !s.is_empty() => vec![(s, *at)],
            Node::Seq(items, _) => items.iter().filter_map(Node::as_scalar).collect(),
            _ => Vec::new(),
        }
    }

    /// Every scalar value below this node (map keys left out).
    pub fn values<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match self {
            Node::Scalar(s, at) if *at != usize::MAX => out.push((s, *at)),
            Node::Scalar(..) => {}
            Node::Seq(items, _) => items.iter().for_each(|i| i.values(out)),
            Node::Map(pairs, _) => pairs.iter().for_each(|(_, v)| v.values(out)),
        }
    }

    /// Where the node starts.
    pub fn start(&self) -> usize {
        match self {
            Node::Scalar(_, at) => *at,
            Node::Seq(_, range) | Node::Map(_, range) => range.start,
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs, _) => pairs
                .iter()
                .find(|(k, _)| k.as_scalar().is_some_and(|(s, _)| s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Why a YAML text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Byte offset in the text; None when the document as a whole is at
    /// fault (its aliases expand too far).
    pub at: Option<usize>,
    pub message: String,
}

/// The first document of `yaml`, or None for an empty one.
pub fn parse(yaml: &str) -> Result<Option<Node>, Error> {
    // yaml-rust2 reads a byte order mark as part of the first key. Two
    // blanks and a line break take its three bytes: every offset stays,
    // and the first line starts at column 0 as written.
    let mut yaml: std::borrow::Cow<str> = match yaml.strip_prefix('\u{feff}') {
        Some(rest) => format!("  \n{rest}").into(),
        None => yaml.into(),
    };
    // Each retry moves one more closing bracket; a document holds few.
    for _ in 0..MAX_MOVED_BRACKETS {
        match parse_as_is(&yaml) {
            Err(error) if error.message == "invalid indentation" => {
                let Some(moved) = error.at.and_then(|at| bracket_moved_up(&yaml, at)) else {
                    return Err(error);
                };
                yaml = moved.into();
            }
            Err(error)
                if error
                    .message
                    .starts_with("invalid indentation in quoted scalar") =>
            {
                let Some(joined) = error.at.and_then(|at| quoted_line_joined(&yaml, at)) else {
                    return Err(error);
                };
                yaml = joined.into();
            }
            done => return done,
        }
    }
    parse_as_is(&yaml)
}

/// `yaml` with the line breaks of the quoted scalar at `at` made blanks:
/// a quoted value whose next line is indented no further than its key
/// (`thanks: "first line` over `    second line"`), which Pandoc, libyaml
/// and js-yaml fold into one value and yaml-rust2 rejects, is then on one
/// line. The value differs by blanks only, and every offset stays. None
/// where no quoted scalar opens on the line of `at`.
fn quoted_line_joined(yaml: &str, at: usize) -> Option<String> {
    let line_start = yaml.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = yaml[at..].find('\n').map_or(yaml.len(), |i| at + i);
    // yaml-rust2 reports the scalar's opening quote; else the quote that
    // opens on that line and does not close on it.
    let line = &yaml[line_start..line_end];
    let reported = yaml[at..].chars().next().filter(|&c| c == '"' || c == '\'');
    let (open, quote) = match reported {
        Some(quote) => (at - line_start, quote),
        None => line
            .char_indices()
            .filter(|&(_, c)| c == '"' || c == '\'')
            .find(|&(i, c)| closing_quote(&line[i + 1..], c).is_none())?,
    };
    let from = line_start + open + 1;
    let close = from + closing_quote(&yaml[from..], quote)?;
    let mut joined = String::with_capacity(yaml.len());
    joined.push_str(&yaml[..from]);
    joined.extend(yaml[from..close].chars().map(|c| match c {
        '\n' | '\r' => ' ',
        c => c,
    }));
    joined.push_str(&yaml[close..]);
    Some(joined)
}

/// Where the scalar quoted by `quote` that `text` continues closes:
/// `\"` is escaped in double quotes, `''` in single ones.
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            _ if c == quote && quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                chars.next();
            }
            _ if c == quote => return Some(i),
            _ => {}
        }
    }
    None
}

/// Closing brackets [`parse`] moves before it gives up.
const MAX_MOVED_BRACKETS: usize = 16;

/// `yaml` with the closing bracket at `at`, first on its line, moved to
/// the end of the line of the collection's last item: the same text for
/// Pandoc and libyaml, which accept a bracket dedented to its key's
/// column (the R Markdown documentation writes `pandoc_args: [` and `]`
/// so), where yaml-rust2 follows the specification and rejects it. Only
/// the bytes between the two places move, by one: no scalar is there, so
/// every offset a value reports stays. None where that does not hold.
fn bracket_moved_up(yaml: &str, at: usize) -> Option<String> {
    let bracket = *yaml.as_bytes().get(at)?;
    let line_start = yaml[..at].rfind('\n').map_or(0, |i| i + 1);
    if !matches!(bracket, b']' | b'}') || !yaml[line_start..at].trim().is_empty() {
        return None;
    }
    // The last line before it with content (comment lines may come between).
    let mut end = line_start;
    let item_end = loop {
        let before = yaml[..end].trim_end_matches(['\n', '\r']);
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before[start..].trim();
        if !line.is_empty() && !line.starts_with('#') {
            break start + before[start..].trim_end().len();
        }
        if start == 0 {
            return None;
        }
        end = start;
    };
    // A comment at the end of that line would take the bracket in: it
    // goes before the comment.
    let item_start = yaml[..item_end].rfind('\n').map_or(0, |i| i + 1);
    let item_end = match comment_start(&yaml[item_start..item_end]) {
        Some(comment) => item_start + yaml[item_start..item_start + comment].trim_end().len(),
        None => item_end,
    };
    let mut moved = String::with_capacity(yaml.len());
    moved.push_str(&yaml[..item_end]);
    moved.push(bracket as char);
    moved.push_str(&yaml[item_end..at]);
    moved.push_str(&yaml[at + 1..]);
    Some(moved)
}

/// Where a comment starts on a line of a flow collection: a `#` after a
/// blank (or first on the line) outside a quoted scalar. A quote opens a
/// scalar only where a scalar starts (after `[`, `{`, `,`, `:`, `-`, `?`
/// or at the line's start), so the `'` of `it's` opens nothing; a quoted
/// scalar running on from the line before is not seen, and a bracket put
/// inside one would make the document fail to parse, not read wrongly.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote = None;
    let mut last_mark = None; // the last byte that is not a blank
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(q) if b == q => {
                if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None if matches!(b, b'"' | b'\'')
                && matches!(
                    last_mark,
                    None | Some(b'[' | b'{' | b',' | b':' | b'-' | b'?')
                ) =>
            {
                quote = Some(b)
            }
            None if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) => {
                return Some(i);
            }
            None => {}
        }
        if !matches!(b, b' ' | b'\t') {
            last_mark = Some(b);
        }
        i += 1;
    }
    None
}

fn parse_as_is(yaml: &str) -> Result<Option<Node>, Error> {
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        copied: 0,
        over_budget: false,
        yaml,
        index: LineIndex::new(yaml),
        cursor: (0, 0, 0),
    };
    let result = Parser::new_from_str(yaml).load(&mut builder, false);
    if let Err(error) = result {
        return Err(Error {
            at: Some(builder.offset(error.marker())),
            message: error.info().to_string(),
        });
    }
    if builder.over_budget {
        return Err(Error {
            at: None,
            message: format!(
                "anchors and aliases expand to more than {COPY_BUDGET} values; it was not read"
            ),
        });
    }
    Ok(builder.root)
}

/// The range of the scalar `value` found at `at` in `text`: past an
/// opening quote, and empty when the text there is not the value itself
/// (escapes, folded or block scalars), which then has no place to point at.
pub fn scalar_range(text: &str, value: &str, at: usize) -> Range<usize> {
    let quoted = matches!(text.as_bytes().get(at), Some(b'"' | b'\''));
    let begin = at + usize::from(quoted);
    let len = if text
        .get(begin..)
        .is_some_and(|rest| rest.starts_with(value))
    {
        value.len()
    } else {
        0
    };
    begin..begin + len
}

/// Builds a [`Node`] tree from parser events. Every node carries its size
/// (itself and everything below it), so that an alias is charged for the
/// copy it makes before it is made.
struct Builder<'a> {
    /// Open containers with their anchor and size so far.
    stack: Vec<(Node, usize, usize)>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    /// Values copied for anchors and aliases so far.
    copied: usize,
    over_budget: bool,
    yaml: &'a str,
    index: LineIndex,
    /// The last marker converted, as (line, column, byte offset): markers
    /// come in order, so converting from there keeps a long line linear
    /// instead of rescanning it from its start for every scalar.
    cursor: (usize, usize, usize),
}

impl Builder<'_> {
    fn offset(&mut self, mark: &Marker) -> usize {
        // Markers count lines from 1 and columns in characters from 0.
        let (line, col) = (mark.line().saturating_sub(1), mark.col());
        let (last_line, last_col, last_offset) = self.cursor;
        let offset = if line == last_line && col >= last_col {
            // Walk forward, never past the end of the line.
            let steps = col - last_col;
            let mut advance = 0;
            for (taken, (i, c)) in self.yaml[last_offset..].char_indices().enumerate() {
                if taken == steps || matches!(c, '\n' | '\r') {
                    advance = i;
                    break;
                }
                advance = i + c.len_utf8();
            }
            last_offset + advance
        } else {
            let pos = LineCol {
                line: line as u32,
                col: col as u32,
            };
            self.index.offset(self.yaml, pos, ColumnUnit::Utf32)
        };
        self.cursor = (line, col, offset);
        offset
    }

    /// Charges a copy of `size` values against the budget.
    fn charge(&mut self, size: usize) -> bool {
        self.copied = self.copied.saturating_add(size);
        if self.copied > COPY_BUDGET {
            self.over_budget = true;
        }
        !self.over_budget
    }

    /// The end of a collection whose end event is marked at `at`: after a
    /// closing bracket, else before the blanks and comments that precede
    /// the next token.
    fn end_of(&self, start: usize, at: usize) -> usize {
        let at = at.max(start).min(self.yaml.len());
        if matches!(self.yaml.as_bytes().get(at), Some(b']' | b'}')) {
            return at + 1;
        }
        let mut end = start + self.yaml[start..at].trim_end().len();
        // A comment line between this value and the next token.
        while let Some(line_start) = self.yaml[start..end].rfind('\n').map(|i| start + i + 1) {
            if !self.yaml[line_start..end].trim_start().starts_with('#') {
                break;
            }
            end = start + self.yaml[start..line_start].trim_end().len();
        }
        end
    }

    fn push_value(&mut self, node: Node, anchor: usize, size: usize) {
        if anchor > 0 {
            // Kept for its aliases: a copy, charged like theirs.
            if !self.charge(size) {
                return;
            }
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            Some((Node::Seq(items, _), _, total)) => {
                items.push(node);
                *total += size;
            }
            Some((Node::Map(pairs, _), _, total)) => {
                match pairs.last_mut() {
                    Some((_, value @ Node::Scalar(..))) if is_pending(value) => *value = node,
                    _ => pairs.push((node, pending())),
                }
                *total += size;
            }
            Some((Node::Scalar(..), _, _)) => {}
            None => self.root = Some(node),
        }
    }
}

/// A map key waiting for its value is stored with this placeholder value.
fn pending() -> Node {
    Node::Scalar(String::new(), usize::MAX)
}

fn is_pending(node: &Node) -> bool {
    matches!(node, Node::Scalar(s, usize::MAX) if s.is_empty())
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.over_budget {
            return;
        }
        match event {
            Event::Scalar(value, _, anchor, _) => {
                let at = self.offset(&mark);
                self.push_value(Node::Scalar(value, at), anchor, 1);
            }
            Event::SequenceStart(anchor, _) => {
                let at = self.offset(&mark);
                self.stack.push((Node::Seq(Vec::new(), at..at), anchor, 1));
            }
            Event::MappingStart(anchor, _) => {
                let at = self.offset(&mark);
                self.stack.push((Node::Map(Vec::new(), at..at), anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let at = self.offset(&mark);
                if let Some((mut node, anchor, size)) = self.stack.pop() {
                    // A block mapping's start event is marked after its
                    // first key: the collection starts at its first child.
                    let first = match &node {
                        Node::Seq(items, _) => items.first().map(Node::start),
                        Node::Map(pairs, _) => pairs.first().map(|(k, _)| k.start()),
                        Node::Scalar(..) => None,
                    };
                    if let Node::Seq(_, range) | Node::Map(_, range) = &mut node {
                        range.start = first.map_or(range.start, |f| f.min(range.start));
                        range.end = self.end_of(range.start, at);
                    }
                    self.push_value(node, anchor, size);
                }
            }
            Event::Alias(id) => {
                let size = self.anchors.get(&id).map_or(1, |(_, size)| *size);
                if !self.charge(size) {
                    return;
                }
                let node = match self.anchors.get(&id) {
                    Some((node, _)) => node.clone(),
                    None => Node::Scalar(String::new(), self.offset(&mark)),
                };
                self.push_value(node, 0, size);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_span_their_text() {
        let yaml = "refs:\n- id: a😀\n  title: T\n  # note\n- {id: b, title: U}\nnext: 1\n";
        let root = parse(yaml).unwrap().unwrap();
        let Some(Node::Seq(items, _)) = root.get("refs") else {
            panic!("{root:?}");
        };
        let spans: Vec<&str> = items
            .iter()
            .map(|i| match i {
                Node::Map(_, r) => &yaml[r.clone()],
                _ => "",
            })
            .collect();
        assert_eq!(spans, ["id: a😀\n  title: T", "{id: b, title: U}"]);
    }

    #[test]
    fn a_byte_order_mark_keeps_offsets_and_the_first_key() {
        let yaml = "\u{feff}- id: a\n  title: T\n- id: b\n";
        let root = parse(yaml).unwrap().unwrap();
        let Node::Seq(items, _) = &root else {
            panic!("{root:?}");
        };
        assert_eq!(items.len(), 2);
        let (id, at) = items[1].get("id").unwrap().as_scalar().unwrap();
        assert_eq!((id, &yaml[at..at + 1]), ("b", "b"));
        assert!(items[0].get("title").is_some());
        let map = parse("\u{feff}book: x\n").unwrap().unwrap();
        assert!(map.get("book").is_some());
    }

    /// Found in a Quarto site: a quoted value whose next line is at its
    /// key's column, or the margin, which Pandoc and js-yaml fold into one
    /// value and yaml-rust2 rejected. Values after it keep their offsets.
    #[test]
    fn a_quoted_value_continued_at_its_keys_column_is_read_as_pandoc_reads_it() {
        let yaml = "format:\r\n  pdf:\r\n    thanks: \"I've discussed 😀\r\n    with many\r\n    people\"\r\n    toc: true\ntitle: \"a\nb\"\nafter: x\n";
        let root = parse(yaml).unwrap().unwrap();
        let thanks = root
            .get("format")
            .and_then(|f| f.get("pdf"))
            .and_then(|p| p.get("thanks"));
        let (thanks, _) = thanks.and_then(Node::as_scalar).unwrap();
        assert_eq!(
            thanks.split_whitespace().collect::<Vec<_>>().join(" "),
            "I've discussed 😀 with many people"
        );
        let (title, _) = root.get("title").and_then(Node::as_scalar).unwrap();
        assert_eq!(title.split_whitespace().collect::<Vec<_>>(), ["a", "b"]);
        let (after, at) = root.get("after").and_then(Node::as_scalar).unwrap();
        assert_eq!((after, &yaml[at..at + 1]), ("x", "x"));
    }

    /// Found in rstudio/rmarkdown, whose documentation writes options so:
    /// Pandoc and libyaml read a closing bracket at its key's column,
    /// yaml-rust2 reported "invalid indentation". Values keep their
    /// offsets. Below an item that ends in a comment, the bracket moves
    /// before the comment.
    #[test]
    fn a_closing_bracket_at_its_keys_column_is_read_as_pandoc_reads_it() {
        let yaml = "output:\r\n  html_document:\r\n    pandoc_args: [\r\n      \"--title-prefix\", \"标题 😀\",\r\n      # last\r\n    ]\r\n    toc: {a: 1,\n      b: 2\n    }\nafter: x\n";
        let root = parse(yaml).unwrap().unwrap();
        let options = root.get("output").unwrap().get("html_document").unwrap();
        let args = options.get("pandoc_args").unwrap().scalars();
        let shown: Vec<(&str, &str)> = args
            .iter()
            .map(|&(value, at)| (value, &yaml[scalar_range(yaml, value, at)]))
            .collect();
        assert_eq!(
            shown,
            [("--title-prefix", "--title-prefix"), ("标题 😀", "标题 😀")]
        );
        let (b, at) = options
            .get("toc")
            .unwrap()
            .get("b")
            .unwrap()
            .as_scalar()
            .unwrap();
        assert_eq!((b, &yaml[at..at + 1]), ("2", "2"));
        let (after, at) = root.get("after").unwrap().as_scalar().unwrap();
        assert_eq!((after, &yaml[at..at + 1]), ("x", "x"));
        // A comment after the last item: the bracket goes before it. A
        // `#` in a quoted scalar or inside a word is no comment.
        let commented = "a:\n  b: [1, \"x # y\", 'it''s # z', c#d, 'e' # two, it's\n  ]\n";
        let items = parse(commented).unwrap().unwrap();
        let items: Vec<&str> = items
            .get("a")
            .unwrap()
            .get("b")
            .unwrap()
            .scalars()
            .iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(items, ["1", "x # y", "it's # z", "c#d", "e"]);
    }

    /// Found in review: anchors nested hundreds deep each kept a copy of
    /// everything below them (a 242 KB file took 2.4 GB).
    #[test]
    fn nested_anchors_are_bounded() {
        let depth = 250;
        let mut yaml = String::new();
        for i in 0..depth {
            yaml.push_str(&format!("&a{i} ["));
        }
        yaml.push_str(&"x, ".repeat(20_000));
        yaml.push('x');
        yaml.push_str(&"]".repeat(depth));
        assert_eq!(parse(&yaml).unwrap_err().at, None);
    }

    #[test]
    fn many_plain_values_fit_but_aliases_are_bounded() {
        let items: String = (0..5000)
            .map(|i| format!("- id: k{i}\n  title: T\n"))
            .collect();
        assert!(parse(&items).is_ok());
        let mut yaml = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9u8 {
            let (prev, next) = ((b'a' + i) as char, (b'a' + i + 1) as char);
            let refs = vec![format!("*{prev}"); 10].join(", ");
            yaml.push_str(&format!("{next}: &{next} [{refs}]\n"));
        }
        assert_eq!(parse(&yaml).unwrap_err().at, None);
    }
}
