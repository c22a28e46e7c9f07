//! YAML front matter: the fields gloss reads.
//!
//! The YAML is read through yaml-rust2's event parser into a small tree with a
//! node budget, so that anchors and aliases that expand exponentially
//! ("billion laughs") stop at the budget instead of exhausting memory.

use std::collections::HashMap;
use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::citation::{bare_citations_in, CitationItem};
use super::link::{parse_wiki, Link, LinkKind};
use super::Spanned;
use crate::line_index::{ColumnUnit, LineCol, LineIndex};

/// Nodes (scalars, sequences, mappings, alias copies) a front matter may
/// expand to.
const NODE_BUDGET: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<Spanned<String>>,
    pub aliases: Vec<Spanned<String>>,
    pub tags: Vec<String>,
    /// `bibliography:` paths as written, relative to the note.
    pub bibliography: Vec<Spanned<String>>,
    /// `gloss: {ignore: [code, …]}`
    pub ignore: Vec<String>,
    /// Wikilinks in any string value (`related: "[[Other note]]"`, lists of
    /// them): Obsidian's properties link notes this way.
    pub links: Vec<Link>,
    /// `nocite: "@a, @b"` (or a list): keys cited without a mention in the
    /// text, checked like citations; `@*` (every entry) is none.
    pub nocite: Vec<CitationItem>,
    /// A syntax error, or the budget running out.
    pub error: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
enum Node {
    Scalar(String, usize),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    fn as_scalar(&self) -> Option<(&str, usize)> {
        match self {
            Node::Scalar(s, at) => Some((s, *at)),
            _ => None,
        }
    }

    /// A scalar or a sequence of scalars, as a list.
    fn scalars(&self) -> Vec<(&str, usize)> {
        match self {
            Node::Scalar(s, at) if !s.is_empty() => vec![(s, *at)],
            Node::Seq(items) => items.iter().filter_map(Node::as_scalar).collect(),
            _ => Vec::new(),
        }
    }

    /// Every scalar value below this node (map keys left out).
    fn values<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match self {
            Node::Scalar(s, at) if *at != usize::MAX => out.push((s, *at)),
            Node::Scalar(..) => {}
            Node::Seq(items) => items.iter().for_each(|i| i.values(out)),
            Node::Map(pairs) => pairs.iter().for_each(|(_, v)| v.values(out)),
        }
    }

    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_scalar().is_some_and(|(s, _)| s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Builds a [`Node`] tree from parser events. Every node carries its size
/// (itself and everything below it), so that an alias is charged for the
/// copy it makes before it is made.
struct Builder<'a> {
    /// Open containers with their anchor and size so far.
    stack: Vec<(Node, usize, usize)>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    nodes: usize,
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

    /// Charges `size` nodes against the budget.
    fn charge(&mut self, size: usize) -> bool {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > NODE_BUDGET {
            self.over_budget = true;
        }
        !self.over_budget
    }

    fn push_value(&mut self, node: Node, anchor: usize, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            Some((Node::Seq(items), _, total)) => {
                items.push(node);
                *total += size;
            }
            Some((Node::Map(pairs), _, total)) => {
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
                if self.charge(1) {
                    self.push_value(Node::Scalar(value, at), anchor, 1);
                }
            }
            Event::SequenceStart(anchor, _) => self.stack.push((Node::Seq(Vec::new()), anchor, 1)),
            Event::MappingStart(anchor, _) => self.stack.push((Node::Map(Vec::new()), anchor, 1)),
            Event::SequenceEnd | Event::MappingEnd => {
                let closed = self.stack.pop();
                if let Some((node, anchor, size)) = closed.filter(|_| self.charge(1)) {
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

/// Parses the front matter token `token` (delimiters included) that starts at
/// byte `start` of the note.
pub fn parse(token: &str, start: usize) -> FrontMatter {
    // The YAML proper starts after the opening `---` line and ends before the
    // closing delimiter line.
    let body_start = token.find('\n').map_or(token.len(), |i| i + 1);
    let body_end = token
        .trim_end()
        .rfind(['\n', '\r'])
        .map_or(body_start, |i| i + 1)
        .max(body_start);
    let yaml = &token[body_start..body_end];
    let offset = start + body_start;

    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        over_budget: false,
        yaml,
        index: LineIndex::new(yaml),
        cursor: (0, 0, 0),
    };
    let mut front_matter = FrontMatter::default();
    let result = Parser::new_from_str(yaml).load(&mut builder, false);
    if let Err(error) = result {
        let at = offset + builder.offset(error.marker());
        front_matter.error = Some(Spanned {
            value: error.info().to_string(),
            range: at..at,
        });
        return front_matter;
    }
    if builder.over_budget {
        front_matter.error = Some(Spanned {
            value: format!("front matter expands to more than {NODE_BUDGET} values (anchors and aliases); it was not read"),
            range: start..start + 3,
        });
        return front_matter;
    }
    let Some(root) = builder.root else {
        return front_matter;
    };
    let spanned = |(value, at): (&str, usize)| {
        // A scalar's marker points at its first character; a quoted scalar's
        // at the quote.
        let at = offset + at;
        let quoted = matches!(token.as_bytes().get(at - start), Some(b'"' | b'\''));
        let begin = at + usize::from(quoted);
        let len = if token
            .get(begin - start..)
            .is_some_and(|rest| rest.starts_with(value))
        {
            value.len()
        } else {
            0
        };
        Spanned {
            value: value.to_string(),
            range: begin..begin + len,
        }
    };
    front_matter.title = root.get("title").and_then(Node::as_scalar).map(spanned);
    front_matter.aliases = root
        .get("aliases")
        .map(|n| n.scalars().into_iter().map(spanned).collect())
        .unwrap_or_default();
    front_matter.tags = root
        .get("tags")
        .map(|n| {
            n.scalars()
                .into_iter()
                .map(|(s, _)| s.to_string())
                .collect()
        })
        .unwrap_or_default();
    front_matter.bibliography = root
        .get("bibliography")
        .map(|n| n.scalars().into_iter().map(spanned).collect())
        .unwrap_or_default();
    front_matter.links = links(&root, yaml, offset);
    front_matter.nocite = root
        .get("nocite")
        .map(|n| {
            n.scalars()
                .into_iter()
                .map(spanned)
                // A scalar whose text is not where it stands (escapes, a
                // block scalar) has no range to cite from.
                .filter(|s| !s.range.is_empty())
                .flat_map(|s| bare_citations_in(&s.value, s.range.start))
                .collect()
        })
        .unwrap_or_default();
    front_matter.ignore = root
        .get("gloss")
        .and_then(|g| g.get("ignore"))
        .map(|n| {
            n.scalars()
                .into_iter()
                .map(|(s, _)| s.to_string())
                .collect()
        })
        .unwrap_or_default();
    front_matter
}

/// The wikilinks in the string values of `root`, located in `yaml` (which
/// starts at byte `offset` of the note).
fn links(root: &Node, yaml: &str, offset: usize) -> Vec<Link> {
    let mut values = Vec::new();
    root.values(&mut values);
    let mut out = Vec::new();
    for (value, at) in values {
        let mut searched = at.min(yaml.len());
        let mut rest = value;
        while let Some(open) = rest.find("[[") {
            let after = &rest[open + 2..];
            let Some(close) = after.find(['[', ']', '\n', '\r']) else {
                break;
            };
            if !after[close..].starts_with("]]") {
                rest = &after[close..];
                continue;
            }
            let token = &rest[open..open + 2 + close + 2];
            rest = &after[close + 2..];
            // The value as written in the YAML holds the same characters
            // (escapes in quoted scalars aside): find them there.
            let Some(found) = yaml.get(searched..).and_then(|y| y.find(token)) else {
                continue;
            };
            let start = searched + found;
            searched = start + token.len();
            let embed = yaml[..start].ends_with('!');
            out.push(if embed {
                parse_wiki(
                    &yaml[start - 1..searched],
                    offset + start - 1,
                    LinkKind::Embed,
                )
            } else {
                parse_wiki(token, offset + start, LinkKind::Wiki)
            });
        }
    }
    out
}

/// The byte range of a whole front matter error line, for display.
pub fn error_range(text: &str, at: usize) -> Range<usize> {
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    at..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_stay_exact_along_one_long_line() {
        // Offsets are converted from the previous marker onwards (a 500 KB
        // flow sequence took seconds when every scalar rescanned its line).
        let items: Vec<String> = (0..500).map(|i| format!("词{i}😀")).collect();
        let text = format!("---\naliases: [{}]\ntitle: 末尾\n---", items.join(", "));
        let fm = parse(&text, 0);
        let aliases: Vec<&str> = fm.aliases.iter().map(|a| &text[a.range.clone()]).collect();
        assert_eq!(aliases, items);
        assert_eq!(&text[fm.title.unwrap().range], "末尾");
    }

    #[test]
    fn reads_fields_with_exact_ranges() {
        let text = "---\ntitle: 注意力机制 😀\naliases: [Attention, \"注意力\"]\ntags: llm\nbibliography:\n  - papers.bib\n  - refs/more.json\ngloss: {ignore: [broken-link]}\n---";
        let fm = parse(text, 0);
        assert_eq!(fm.error, None);
        let title = fm.title.unwrap();
        assert_eq!(&text[title.range], "注意力机制 😀");
        let aliases: Vec<_> = fm.aliases.iter().map(|a| &text[a.range.clone()]).collect();
        assert_eq!(aliases, ["Attention", "注意力"]);
        assert_eq!(fm.tags, ["llm"]);
        let bibs: Vec<_> = fm
            .bibliography
            .iter()
            .map(|a| &text[a.range.clone()])
            .collect();
        assert_eq!(bibs, ["papers.bib", "refs/more.json"]);
        assert_eq!(fm.ignore, ["broken-link"]);
    }

    #[test]
    fn wikilinks_in_properties_are_links() {
        let text = "---\nrelated: \"[[Other note]]\"\nup:\n  - \"[[A|a]]\"\n  - plain\nbanner: \"![[pic.png]]\"\ntitle: x\n---";
        let fm = parse(text, 0);
        let links: Vec<(&str, LinkKind)> = fm
            .links
            .iter()
            .map(|l| (&text[l.range.clone()], l.kind))
            .collect();
        assert_eq!(
            links,
            [
                ("[[Other note]]", LinkKind::Wiki),
                ("[[A|a]]", LinkKind::Wiki),
                ("![[pic.png]]", LinkKind::Embed)
            ]
        );
        assert_eq!(&text[fm.links[1].target.clone().unwrap().range], "A");
    }

    #[test]
    fn nocite_keys_with_exact_ranges() {
        let text = "---\nnocite: \"@wei2022, @王2023x [@*]\"\nother: [\"@no\"]\n---\n";
        let fm = parse(text, 0);
        let keys: Vec<&str> = fm
            .nocite
            .iter()
            .map(|c| &text[c.key.range.clone()])
            .collect();
        assert_eq!(keys, ["wei2022"]);
        let list = "---\nnocite:\n  - \"@a\"\n  - '@b'\n---\n";
        let fm = parse(list, 0);
        let keys: Vec<&str> = fm
            .nocite
            .iter()
            .map(|c| &list[c.key.range.clone()])
            .collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn malformed_yaml_is_an_error_not_a_panic() {
        let text = "---\ntitle: [unclosed\n---";
        let fm = parse(text, 0);
        assert!(fm.error.is_some());
        assert!(fm.title.is_none());
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut yaml = String::from("---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            yaml.push_str(&format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        yaml.push_str("---");
        let fm = parse(&yaml, 0);
        assert!(fm.error.unwrap().value.contains("anchors and aliases"));
    }

    #[test]
    fn crlf_and_empty() {
        let text = "---\r\ntitle: x\r\n---";
        assert_eq!(parse(text, 0).title.unwrap().value, "x");
        assert_eq!(parse("---\n---", 0), FrontMatter::default());
    }
}
