//! Quick fixes: for a broken concept link, add the concept to the glossary
//! or change it to the closest name; for an unknown citation key, change it
//! to the closest key; for a paper mentioned by title, cite it by key.

use std::ops::Range;

use super::title_mentions::{resolved, Citing};
use super::FileId;
use crate::syntax::BlockKind;
use crate::workspace::{KeyKind, NoteId, Resolution, Workspace};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub file: FileId,
    pub range: Range<usize>,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// The diagnostic code it fixes.
    pub fixes: super::Code,
    pub edits: Vec<TextEdit>,
    /// The fix most likely wanted.
    pub preferred: bool,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

pub fn code_actions(workspace: &Workspace, note: NoteId, range: Range<usize>) -> Vec<CodeAction> {
    let syntax = &workspace.note(note).syntax;
    let mut out = Vec::new();
    for link in syntax.links.iter().filter(|l| overlaps(&l.range(), &range)) {
        let Some(target) = link.target() else {
            continue;
        };
        if workspace.resolve_link(note, link) != Resolution::Unresolved {
            continue;
        }
        if let Some(closest) = workspace.suggest_name(target.value) {
            out.push(CodeAction {
                title: format!("Change to '{closest}'"),
                fixes: super::Code::BrokenLink,
                edits: vec![TextEdit {
                    file: FileId::Note(note),
                    range: target.range.clone(),
                    new_text: closest.to_string(),
                }],
                preferred: true,
            });
        }
        if let Some(edit) = add_to_glossary(workspace, note, target.value) {
            out.push(CodeAction {
                title: format!("Add '{}' to the glossary", target.value),
                fixes: super::Code::BrokenLink,
                edits: vec![edit],
                preferred: false,
            });
        }
    }
    for citation in syntax
        .citations
        .iter()
        .filter(|c| overlaps(&c.key().range, &range))
    {
        // A known key, or a cross-reference: no key to suggest.
        if workspace.key_location(note, citation.key().value).is_some()
            || workspace.key_kind(note, citation.key().value) != KeyKind::Citation
        {
            continue;
        }
        if let Some(closest) = workspace.suggest_key(citation.key().value) {
            out.push(CodeAction {
                title: format!("Change to '{closest}'"),
                fixes: super::Code::UnknownCitation,
                edits: vec![TextEdit {
                    file: FileId::Note(note),
                    range: citation.key().range,
                    new_text: closest.to_string(),
                }],
                preferred: true,
            });
        }
    }
    out.extend(cite_titles(workspace, note, &range));
    out
}

/// For a paper mentioned by title: cite it after the title, or in its
/// place, or after every uncited mention of it in the note.
fn cite_titles(workspace: &Workspace, note: NoteId, range: &Range<usize>) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let mentions = resolved(workspace, note);
    let citing = Citing::of(workspace, note);
    let file = FileId::Note(note);
    let append = |outer: &Range<usize>, key: &str| TextEdit {
        file,
        range: outer.end..outer.end,
        new_text: format!(" [@{key}]"),
    };
    for (mention, at) in mentions.iter().filter(|(m, _)| overlaps(&m.outer, range)) {
        let key = &workspace.bib_entry(*at).key;
        let cited = citing.cites(workspace, note, mention);
        if !cited {
            out.push(CodeAction {
                title: format!("Cite as [@{key}]"),
                fixes: super::Code::TitleCitation,
                edits: vec![append(&mention.outer, key)],
                preferred: true,
            });
        }
        out.push(CodeAction {
            title: format!("Replace the title with [@{key}]"),
            fixes: super::Code::TitleCitation,
            edits: vec![TextEdit {
                file,
                range: mention.outer.clone(),
                new_text: format!("[@{key}]"),
            }],
            preferred: false,
        });
        let uncited: Vec<TextEdit> = mentions
            .iter()
            .filter(|(m, other)| other == at && !citing.cites(workspace, note, m))
            .map(|(m, _)| append(&m.outer, key))
            .collect();
        if uncited.len() > 1 || (uncited.len() == 1 && cited) {
            out.push(CodeAction {
                title: format!("Cite every mention of this paper in this note as [@{key}]"),
                fixes: super::Code::TitleCitation,
                edits: uncited,
                preferred: false,
            });
        }
    }
    out
}

/// An entry `- Term: ` appended to the note's own glossary section, else to
/// the workspace's glossary file.
fn add_to_glossary(workspace: &Workspace, note: NoteId, term: &str) -> Option<TextEdit> {
    let n = workspace.note(note);
    let in_this_note = n
        .glossary
        .last()
        .map(|e| (note, e.definition.end.max(e.term.range.end)));
    let target = in_this_note.or_else(|| {
        workspace
            .notes()
            .find(|(_, n)| workspace.config.glossary_files.contains(&n.file.rel))
            .map(|(id, n)| {
                let end = n
                    .syntax
                    .blocks
                    .iter()
                    .rev()
                    .find(|b| b.kind != BlockKind::Code)
                    .map_or(0, |b| b.range().end);
                (id, end)
            })
    })?;
    let (file, at) = target;
    let text = workspace.note(file).file.text();
    // Insert on a new line after the last entry (or the last block).
    let newline = if text[..at].is_empty() || text[..at].ends_with('\n') {
        ""
    } else {
        "\n"
    };
    Some(TextEdit {
        file: FileId::Note(file),
        range: at..at,
        new_text: format!("{newline}- {term}: "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    fn titles(text: &str) -> Vec<String> {
        let f = fixture(text);
        let (note, offset) = f.cursor();
        code_actions(&f.workspace, note, offset..offset)
            .iter()
            .map(|a| {
                let edits: Vec<String> = a
                    .edits
                    .iter()
                    .map(|e| format!("{} ← {:?}", f.show(e.file, &e.range), e.new_text))
                    .collect();
                format!("{}: {}", a.title, edits.join("; "))
            })
            .collect()
    }

    #[test]
    fn fixes_for_a_misspelt_concept() {
        assert_eq!(
            titles("//- glossary.md\n- Chain of Thought: x\n//- a.md\n😀 [[Chian of Th$0ought]]\n"),
            [
                "Change to 'Chain of Thought': a.md:1:5-1:21 \"Chian of Thought\" ← \"Chain of Thought\"",
                "Add 'Chian of Thought' to the glossary: glossary.md:1:22-1:22 \"\" ← \"\\n- Chian of Thought: \"",
            ]
        );
    }

    #[test]
    fn a_note_with_its_own_glossary_section_gets_the_entry() {
        assert_eq!(
            titles("//- a.md\n## 名词解释\n- RAG: retrieval\n\nsee [[Perplexity$0]]\n"),
            ["Add 'Perplexity' to the glossary: a.md:2:17-2:17 \"\" ← \"\\n- Perplexity: \""]
        );
    }

    #[test]
    fn fix_for_an_unknown_key() {
        assert_eq!(
            titles("//- refs.bib\n@misc{kaplan2020scaling, title={T}}\n//- a.md\n[@kaplan2021scal$0ing]\n"),
            ["Change to 'kaplan2020scaling': a.md:1:3-1:20 \"kaplan2021scaling\" ← \"kaplan2020scaling\""]
        );
    }

    #[test]
    fn cite_a_paper_mentioned_by_title() {
        let vault = "//- refs.bib\n@misc{kaplan2020scaling, title={Scaling Laws for Neural Language Models}}\n";
        // Quoted, with another uncited mention below: three actions.
        assert_eq!(
            titles(&format!("{vault}//- a.md\n😀 见“Scaling Laws for Neural$0 Language Models”。\n——Scaling laws for neural language models\n")),
            [
                "Cite as [@kaplan2020scaling]: a.md:1:45-1:45 \"\" ← \" [@kaplan2020scaling]\"",
                "Replace the title with [@kaplan2020scaling]: a.md:1:4-1:45 \"“Scaling Laws for Neural Language Models”\" ← \"[@kaplan2020scaling]\"",
                "Cite every mention of this paper in this note as [@kaplan2020scaling]: a.md:1:45-1:45 \"\" ← \" [@kaplan2020scaling]\"; a.md:2:42-2:42 \"\" ← \" [@kaplan2020scaling]\"",
            ]
        );
        // Already cited on its line: only the replacement.
        assert_eq!(
            titles(&format!("{vault}//- a.md\nScaling Laws for Neural$0 Language Models [@kaplan2020scaling]\n")),
            ["Replace the title with [@kaplan2020scaling]: a.md:1:1-1:40 \"Scaling Laws for Neural Language Models\" ← \"[@kaplan2020scaling]\""]
        );
    }
}
