//! Document symbols: the heading outline with the glossary entries under
//! their headings.

use std::ops::Range;

use crate::syntax::BlockKind;
use crate::workspace::{NoteId, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Heading,
    Term,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    pub detail: Option<String>,
    /// The whole section or entry.
    pub range: Range<usize>,
    /// The heading text or term.
    pub selection_range: Range<usize>,
    pub children: Vec<Symbol>,
}

pub fn document_symbols(workspace: &Workspace, note: NoteId) -> Vec<Symbol> {
    let n = workspace.note(note);
    let text = n.file.text();
    // (level, symbol) for headings; terms are level 7, below any heading.
    let mut flat: Vec<(u8, Symbol)> = Vec::new();
    for block in &n.syntax.blocks {
        if let BlockKind::Heading { level } = block.kind {
            flat.push((
                level,
                Symbol {
                    name: text[block.content()].to_string(),
                    kind: SymbolKind::Heading,
                    detail: None,
                    range: block.range(),
                    selection_range: block.content(),
                    children: Vec::new(),
                },
            ));
        }
    }
    for entry in &n.glossary {
        let aliases: Vec<&str> = entry.aliases.iter().map(|a| a.value.as_str()).collect();
        flat.push((
            7,
            Symbol {
                name: entry.term.value.clone(),
                kind: SymbolKind::Term,
                detail: (!aliases.is_empty()).then(|| aliases.join(", ")),
                range: entry.term.range.start..entry.definition.end.max(entry.term.range.end),
                selection_range: entry.term.range.clone(),
                children: Vec::new(),
            },
        ));
    }
    flat.sort_by_key(|(_, s)| s.range.start);
    // A section runs to the next heading of the same or a higher level.
    let ends: Vec<usize> = (0..flat.len())
        .map(|i| {
            let (level, symbol) = &flat[i];
            if *level == 7 {
                return symbol.range.end;
            }
            flat[i + 1..]
                .iter()
                .find(|(l, _)| l <= level)
                .map_or(text.len(), |(_, next)| next.range.start)
        })
        .collect();
    for ((_, symbol), end) in flat.iter_mut().zip(ends) {
        symbol.range.end = end.max(symbol.range.end);
    }
    nest(flat)
}

/// Turns a flat, ordered list into a tree: each symbol goes under the last
/// open symbol of a lower level.
fn nest(flat: Vec<(u8, Symbol)>) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    let mut stack: Vec<(u8, Symbol)> = Vec::new();
    let close = |stack: &mut Vec<(u8, Symbol)>, roots: &mut Vec<Symbol>| {
        let (_, done) = stack.pop().expect("non-empty");
        match stack.last_mut() {
            Some((_, parent)) => parent.children.push(done),
            None => roots.push(done),
        }
    };
    for (level, symbol) in flat {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            close(&mut stack, &mut roots);
        }
        stack.push((level, symbol));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    fn render(symbols: &[Symbol], depth: usize, out: &mut String) {
        for s in symbols {
            out.push_str(&format!(
                "{}{:?} {} {:?}\n",
                "  ".repeat(depth),
                s.kind,
                s.name,
                s.range
            ));
            render(&s.children, depth + 1, out);
        }
    }

    #[test]
    fn outline_with_terms_under_their_section() {
        let f = fixture(
            "//- n.md\n# Top\n## 名词解释\n- CoT（思维链）：x$0\n## Next\n### Deep\n# Second\n",
        );
        let (note, _) = f.cursor();
        let mut out = String::new();
        render(&document_symbols(&f.workspace, note), 0, &mut out);
        expect_test::expect![[r#"
            Heading Top 0..64
              Heading 名词解释 6..47
                Term CoT 24..46
              Heading Next 47..64
                Heading Deep 55..64
            Heading Second 64..73
        "#]]
        .assert_eq(&out);
    }
}
