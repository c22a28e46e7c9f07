//! Semantic tokens: what gloss understands in a note, for editors to colour
//! without the tree-sitter grammar (VS Code's Markdown, Neovim's): concept
//! links (resolved or broken), citations, cross-references, papers
//! mentioned by title, and glossary terms where they are defined.

use std::ops::Range;

use super::title_mentions::resolved;
use crate::workspace::{KeyKind, NoteId, Resolution, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    ConceptLink,
    Citation,
    CrossReference,
    PaperTitle,
    GlossaryTerm,
}

impl TokenKind {
    /// Every kind, in the order of the legend the server announces.
    pub const ALL: [TokenKind; 5] = [
        TokenKind::ConceptLink,
        TokenKind::Citation,
        TokenKind::CrossReference,
        TokenKind::PaperTitle,
        TokenKind::GlossaryTerm,
    ];

    /// The token type's name in the protocol (editors theme by it).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::ConceptLink => "conceptLink",
            TokenKind::Citation => "citation",
            TokenKind::CrossReference => "crossReference",
            TokenKind::PaperTitle => "paperTitle",
            TokenKind::GlossaryTerm => "glossaryTerm",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: Range<usize>,
    pub kind: TokenKind,
    /// A link, key or label that names nothing.
    pub unresolved: bool,
    /// A glossary term where its entry defines it.
    pub declaration: bool,
}

/// The tokens of note `note`, in order, none overlapping.
pub fn semantic_tokens(workspace: &Workspace, note: NoteId) -> Vec<SemanticToken> {
    let n = workspace.note(note);
    let token = |range: Range<usize>, kind, unresolved| SemanticToken {
        range,
        kind,
        unresolved,
        declaration: false,
    };
    let mut tokens = Vec::new();
    for link in &n.syntax.links {
        let broken = matches!(
            workspace.resolve_link(note, link),
            Resolution::Unresolved | Resolution::BrokenAnchor { .. } | Resolution::Empty
        );
        tokens.push(token(link.range(), TokenKind::ConceptLink, broken));
    }
    for citation in &n.syntax.citations {
        let key = citation.key().value;
        // With the `@` when it is there.
        let at = citation.key().range.start.saturating_sub(1);
        let start = if n.file.text().as_bytes().get(at) == Some(&b'@') {
            at
        } else {
            citation.key().range.start
        };
        let range = start..citation.key().range.end;
        match workspace.key_kind(note, key) {
            KeyKind::CrossReference(label) => tokens.push(token(
                range,
                TokenKind::CrossReference,
                !workspace.has_label(&label),
            )),
            KeyKind::Citation => {
                let known = workspace.key_location(note, key).is_some();
                // A bare `@word` is a citation only where it resolves, or
                // where a bibliography says keys are meant.
                if known || citation.bracketed || workspace.has_bibliography(note) {
                    tokens.push(token(range, TokenKind::Citation, !known));
                }
            }
            KeyKind::Neither => {}
        }
    }
    for (mention, _) in resolved(workspace, note) {
        tokens.push(token(mention.range, TokenKind::PaperTitle, false));
    }
    for entry in &n.glossary {
        for name in entry.names() {
            tokens.push(SemanticToken {
                range: name.range.clone(),
                kind: TokenKind::GlossaryTerm,
                unresolved: false,
                declaration: true,
            });
        }
    }
    tokens.sort_by_key(|t| (t.range.start, std::cmp::Reverse(t.range.end)));
    let mut out: Vec<SemanticToken> = Vec::with_capacity(tokens.len());
    for t in tokens {
        if out
            .last()
            .is_none_or(|last| last.range.end <= t.range.start)
            && !t.range.is_empty()
        {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    #[test]
    fn links_keys_titles_and_terms() {
        let f = fixture(
            "//- glossary.md\n# Glossary\n- CoT（思维链）：step by step\n//- refs.bib\n@article{kaplan2020, title={Scaling Laws for Neural Language Models}}\n//- n.md\n---\ntitle: x\n---\n😀 [[CoT]] [[Nowhere]] [@kaplan2020] [@nokey]\n“Scaling Laws for Neural Language Models”给出了 $0\n",
        );
        let show = |note: NoteId| -> Vec<String> {
            semantic_tokens(&f.workspace, note)
                .iter()
                .map(|t| {
                    format!(
                        "{} {}{}{}",
                        f.show(crate::ide::FileId::Note(note), &t.range),
                        t.kind.as_str(),
                        if t.unresolved { " unresolved" } else { "" },
                        if t.declaration { " declaration" } else { "" }
                    )
                })
                .collect()
        };
        let (note, _) = f.cursor();
        expect_test::expect![[r#"
            [
                "n.md:4:3-4:10 \"[[CoT]]\" conceptLink",
                "n.md:4:11-4:22 \"[[Nowhere]]\" conceptLink unresolved",
                "n.md:4:24-4:35 \"@kaplan2020\" citation",
                "n.md:4:38-4:44 \"@nokey\" citation unresolved",
                "n.md:5:2-5:41 \"Scaling Laws for Neural Language Models\" paperTitle",
            ]
        "#]]
        .assert_debug_eq(&show(note));
        let glossary = f
            .workspace
            .note_by_path(std::path::Path::new("/vault/glossary.md"))
            .unwrap();
        expect_test::expect![[r#"
            [
                "glossary.md:2:3-2:6 \"CoT\" glossaryTerm declaration",
                "glossary.md:2:7-2:10 \"思维链\" glossaryTerm declaration",
            ]
        "#]]
        .assert_debug_eq(&show(glossary));
    }
}
