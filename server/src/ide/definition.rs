//! Go to definition: a concept link to its glossary entry, note or heading; a
//! citation, or a paper's title, to its bibliography entry.

use std::ops::Range;

use super::cursor::{item_at, Item};
use super::FileId;
use crate::workspace::titles::TitleMention;
use crate::workspace::{Anchor, FileRef, KeyKind, KeyLocation, NoteId, Resolution, Workspace};

/// Where to go: the file, the whole item, and the part to select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationTarget {
    pub file: FileId,
    pub full_range: Range<usize>,
    pub focus_range: Range<usize>,
}

pub fn goto_definition(
    workspace: &Workspace,
    note: NoteId,
    offset: usize,
) -> Vec<NavigationTarget> {
    match item_at(workspace, note, offset) {
        Some(Item::Link(link)) => match workspace.resolve_link(note, link) {
            Resolution::Glossary(entry) => {
                let e = workspace.entry(entry);
                vec![NavigationTarget {
                    file: FileId::Note(entry.note),
                    full_range: e.term.range.start..e.definition.end.max(e.term.range.end),
                    focus_range: e.term.range.clone(),
                }]
            }
            Resolution::Note {
                note: target,
                anchor,
            } => vec![note_target(workspace, target, anchor)],
            Resolution::File(index) => vec![file_target(FileId::Attachment(index))],
            Resolution::Ambiguous(files) => files
                .into_iter()
                .map(|f| match f {
                    FileRef::Note(n) => note_target(workspace, n, None),
                    FileRef::Other(index) => file_target(FileId::Attachment(index)),
                })
                .collect(),
            Resolution::BrokenAnchor { note: target } => vec![note_target(workspace, target, None)],
            _ => Vec::new(),
        },
        Some(Item::Citation(citation)) => {
            match cross_reference(workspace, note, citation.key().value) {
                Some((note, range)) => vec![NavigationTarget {
                    file: FileId::Note(note),
                    full_range: range.clone(),
                    focus_range: range,
                }],
                None => workspace
                    .key_locations(note, citation.key().value)
                    .into_iter()
                    .map(|at| bib_target(workspace, at))
                    .collect(),
            }
        }
        Some(Item::Title(mention)) => title_targets(workspace, note, &mention),
        // A heading may be a paper's title.
        Some(Item::Heading(_)) => workspace
            .title_mention_at(note, offset)
            .map_or_else(Vec::new, |m| title_targets(workspace, note, &m)),
        _ => Vec::new(),
    }
}

fn title_targets(
    workspace: &Workspace,
    note: NoteId,
    mention: &TitleMention,
) -> Vec<NavigationTarget> {
    workspace
        .title_locations(note, mention.title)
        .into_iter()
        .map(|at| bib_target(workspace, at))
        .collect()
}

fn bib_target(workspace: &Workspace, at: KeyLocation) -> NavigationTarget {
    let entry = workspace.bib_entry(at);
    NavigationTarget {
        file: FileId::Bibliography(at.bib),
        full_range: entry.range.clone(),
        focus_range: entry.key_range.clone(),
    }
}

/// The label a cross-reference (`@sec:intro` where pandoc-crossref is
/// used, `@fig-plot` in a Quarto project) names.
fn cross_reference(
    workspace: &Workspace,
    note: NoteId,
    key: &str,
) -> Option<(NoteId, Range<usize>)> {
    match workspace.key_kind(note, key) {
        KeyKind::CrossReference(label) => workspace.label(&label),
        _ => None,
    }
}

fn note_target(workspace: &Workspace, note: NoteId, anchor: Option<Anchor>) -> NavigationTarget {
    let n = workspace.note(note);
    match anchor {
        Some(Anchor::Heading(block)) => {
            let b = &n.syntax.blocks[block];
            NavigationTarget {
                file: FileId::Note(note),
                full_range: b.range(),
                focus_range: b.content(),
            }
        }
        Some(Anchor::Block(range)) => NavigationTarget {
            file: FileId::Note(note),
            full_range: range.clone(),
            focus_range: range.start..range.start,
        },
        None => NavigationTarget {
            file: FileId::Note(note),
            full_range: 0..n.file.text_len(),
            focus_range: 0..0,
        },
    }
}

/// A file that is not a note: the whole of it, from its start.
fn file_target(file: FileId) -> NavigationTarget {
    NavigationTarget {
        file,
        full_range: 0..0,
        focus_range: 0..0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let f = fixture(text);
        let (note, offset) = f.cursor();
        let targets: Vec<String> = goto_definition(&f.workspace, note, offset)
            .iter()
            .map(|t| match t.file {
                // Not a text gloss reads: its path.
                FileId::Attachment(i) => f.workspace.files().other(i).unwrap_or("").to_string(),
                file => f.show(file, &t.focus_range),
            })
            .collect();
        expect.assert_debug_eq(&targets);
    }

    #[test]
    fn to_glossary_entry_note_heading_and_bib_entry() {
        let vault = "//- glossary.md\n- 😀 pad\n- CoT（思维链）：x\n//- notes/b.md\n# B\n## 小节 🚀\n//- refs.bib\n@misc{k1, title={T}}\n";
        check(
            &format!("{vault}//- a.md\n中文 [[思维$0链]]\r\n"),
            expect![[r#"
                [
                    "glossary.md:2:3-2:6 \"CoT\"",
                ]
            "#]],
        );
        check(
            &format!("{vault}//- a.md\n[[notes/b#小节$0]]\n"),
            expect![[r#"
                [
                    "notes/b.md:2:4-2:8 \"小节 🚀\"",
                ]
            "#]],
        );
        check(
            &format!("{vault}//- a.md\n@k$01 and [@k1]\n"),
            expect![[r#"
                [
                    "refs.bib:1:7-1:9 \"k1\"",
                ]
            "#]],
        );
        check(
            &format!("{vault}//- a.md\n[[nothing$0]]\n"),
            expect!["[]\n"],
        );
    }

    #[test]
    fn to_an_item_of_the_front_matter_references() {
        check(
            "//- a.md\n---\nreferences:\n- id: \"wang2023\"\n  title: 大模型 😀\n---\n见 [@wang20$023]\n",
            expect![[r#"
                [
                    "a.md:3:8-3:16 \"wang2023\"",
                ]
            "#]],
        );
    }

    #[test]
    fn to_a_cross_reference_label() {
        check(
            "//- 02-method.md\n![图 😀](a.png){#fig:plot}\r\n\\label{tbl:raw}\n//- a.png\n//- 01-intro.md\n[@fig:pl$0ot]\n",
            expect![[r#"
                [
                    "02-method.md:1:16-1:24 \"fig:plot\"",
                ]
            "#]],
        );
        check(
            "//- 02-method.md\n# M {#sec:m}\n\\label{tbl:raw}\n//- 01-intro.md\n@tbl:r$0aw\n",
            expect![[r#"
                [
                    "02-method.md:2:8-2:15 \"tbl:raw\"",
                ]
            "#]],
        );
    }

    #[test]
    fn to_attachments_blocks_chains_and_from_front_matter() {
        let vault = "//- Sidebar.md\n# Open\n## Mobile\nold\n# Other\n## Mobile\n侧栏 ^tip\n//- img/a b.png\nPNG\n//- notes/img/a b.png\nPNG\n";
        check(
            &format!("{vault}//- notes/n.md\n😀 ![[a b$0.png|100]]\n"),
            expect![[r#"
                [
                    "img/a b.png",
                ]
            "#]],
        );
        check(
            &format!("{vault}//- n.md\n[[Sidebar#Other#Mob$0ile]]\r\n"),
            expect![[r#"
                [
                    "Sidebar.md:5:4-5:10 \"Mobile\"",
                ]
            "#]],
        );
        check(
            &format!("{vault}//- n.md\n中文[[Sidebar#^t$0ip]]\n"),
            expect![[r#"
                [
                    "Sidebar.md:6:1-6:1 \"\"",
                ]
            "#]],
        );
        check(
            &format!("{vault}//- n.md\n---\nup: \"[[Side$0bar]]\"\n---\n"),
            expect![[r#"
                [
                    "Sidebar.md:1:1-1:1 \"\"",
                ]
            "#]],
        );
    }
}
