//! Find references: every use, across the workspace, of the glossary entry,
//! note, heading or paper under the cursor. A paper's uses are its
//! citations and the mentions of its title.

use std::ops::Range;

use super::cursor::{item_at, Item};
use super::FileId;
use crate::workspace::{
    Anchor, BibId, EntryId, KeyKind, KeyLocation, NoteId, Resolution, Workspace,
};

/// What the references are to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Entry(EntryId),
    /// A note, or a heading or block in it.
    Note(NoteId, Option<Anchor>),
    /// A file that is not a note.
    File(usize),
    /// A citation key, and the entry it resolves to where it is cited.
    Key(String, Option<KeyLocation>),
    /// A cross-reference's label (`sec:intro`, `fig-plot`).
    Label(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub file: FileId,
    pub range: Range<usize>,
}

fn subject(workspace: &Workspace, note: NoteId, offset: usize) -> Option<Subject> {
    Some(match item_at(workspace, note, offset)? {
        Item::Link(link) => match workspace.resolve_link(note, link) {
            Resolution::Glossary(entry) => Subject::Entry(entry),
            Resolution::Note { note, anchor } => Subject::Note(note, anchor),
            Resolution::File(index) => Subject::File(index),
            _ => return None,
        },
        Item::Citation(citation) => {
            let key = citation.key().value;
            match workspace.key_kind(note, key) {
                KeyKind::CrossReference(label) => Subject::Label(label),
                _ => Subject::Key(key.to_string(), workspace.key_location(note, key)),
            }
        }
        Item::Entry(entry) => Subject::Entry(entry),
        Item::Title(mention) => {
            let at = workspace.title_location(note, mention.title)?;
            Subject::Key(workspace.bib_entry(at).key.clone(), Some(at))
        }
        Item::Heading(block) => Subject::Note(note, Some(Anchor::Heading(block))),
    })
}

/// The references to what is at `offset`; with `include_declaration`, the
/// definition too (the glossary term or bibliography key).
pub fn find_references(
    workspace: &Workspace,
    note: NoteId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Reference> {
    // On an item of the note's own `references:`.
    let own = workspace.own_references(note);
    let on_own = |&bib: &BibId| {
        workspace.bibliographies[bib]
            .entries
            .iter()
            .any(|e| e.range.contains(&offset))
    };
    if let Some(bib) = own.filter(on_own) {
        return find_bibliography_references(workspace, bib, offset, include_declaration);
    }
    let Some(subject) = subject(workspace, note, offset) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if include_declaration {
        match &subject {
            Subject::Entry(entry) => out.push(Reference {
                file: FileId::Note(entry.note),
                range: workspace.entry(*entry).term.range.clone(),
            }),
            Subject::Key(key, _) => {
                for at in workspace.key_locations(note, key) {
                    out.push(Reference {
                        file: FileId::Bibliography(at.bib),
                        range: workspace.bib_entry(at).key_range.clone(),
                    });
                }
            }
            Subject::Label(label) => {
                if let Some((note, range)) = workspace.label(label) {
                    out.push(Reference {
                        file: FileId::Note(note),
                        range,
                    });
                }
            }
            Subject::Note(..) | Subject::File(_) => {}
        }
    }
    if let Subject::Key(_, Some(at)) = &subject {
        out.extend(title_references(workspace, *at));
    }
    for (id, n) in workspace.notes() {
        match &subject {
            Subject::Key(key, at) => out.extend(key_references_in(workspace, id, key, *at)),
            // `@fig-plot` and `@Fig-plot` alike.
            Subject::Label(label) => out.extend(
                n.syntax
                    .citations
                    .iter()
                    .filter(|c| {
                        workspace.key_kind(id, c.key().value)
                            == KeyKind::CrossReference(label.clone())
                    })
                    .map(|c| Reference {
                        file: FileId::Note(id),
                        range: c.key().range,
                    }),
            ),
            _ => {
                for link in &n.syntax.links {
                    let same = match (workspace.resolve_link(id, link), &subject) {
                        (Resolution::Glossary(e), Subject::Entry(s)) => e == *s,
                        (Resolution::Note { note, anchor }, Subject::Note(sn, sa)) => {
                            note == *sn && (sa.is_none() || anchor == *sa)
                        }
                        (Resolution::File(f), Subject::File(s)) => f == *s,
                        _ => false,
                    };
                    if same {
                        out.push(Reference {
                            file: FileId::Note(id),
                            range: link.range(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The references to the bibliography entry at `offset` of bibliography
/// `bib` (the cursor in a `.bib` or CSL-JSON file); with
/// `include_declaration`, the entry's key first.
pub fn find_bibliography_references(
    workspace: &Workspace,
    bib: BibId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Reference> {
    let entries = &workspace.bibliographies[bib].entries;
    let Some(index) = entries
        .iter()
        .position(|e| e.range.start <= offset && offset <= e.range.end)
    else {
        return Vec::new();
    };
    let entry = &entries[index];
    let mut out = Vec::new();
    if include_declaration {
        out.push(Reference {
            file: FileId::Bibliography(bib),
            range: entry.key_range.clone(),
        });
    }
    let at = KeyLocation { bib, entry: index };
    out.extend(find_key_references(workspace, &entry.key, Some(at)));
    out.extend(title_references(workspace, at));
    out
}

/// Every mention, by title, of entry `at`, in every note. The first call
/// reads every note (in parallel); later ones use what it found.
fn title_references(workspace: &Workspace, at: KeyLocation) -> Vec<Reference> {
    use rayon::prelude::*;
    let titles = workspace.titles().of_entry(at);
    if titles.is_empty() {
        return Vec::new();
    }
    let found: Vec<Vec<Reference>> = workspace
        .note_ids()
        .into_par_iter()
        .map(|id| {
            workspace
                .title_mentions(id)
                .iter()
                .filter(|m| {
                    titles.contains(&m.title)
                        && workspace.title_locations(id, m.title).contains(&at)
                })
                .map(|m| Reference {
                    file: FileId::Note(id),
                    range: m.range.clone(),
                })
                .collect()
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// Every citation of `key` that resolves to entry `at` (every citation of
/// an unknown key, for `None`).
pub fn find_key_references(
    workspace: &Workspace,
    key: &str,
    at: Option<KeyLocation>,
) -> Vec<Reference> {
    workspace
        .notes()
        .flat_map(|(id, _)| key_references_in(workspace, id, key, at))
        .collect()
}

/// The citations of `key` in note `id`, if there it resolves to `at`: a
/// note's own `references:` come first in that note alone.
fn key_references_in(
    workspace: &Workspace,
    id: NoteId,
    key: &str,
    at: Option<KeyLocation>,
) -> Vec<Reference> {
    let note = workspace.note(id);
    if !note.syntax.citations.iter().any(|c| c.key().value == key)
        || workspace.key_location(id, key) != at
    {
        return Vec::new();
    }
    note.syntax
        .citations
        .iter()
        .filter(|c| c.key().value == key)
        .map(|c| Reference {
            file: FileId::Note(id),
            range: c.key().range,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;
    use expect_test::{expect, Expect};

    fn check(text: &str, include_declaration: bool, expect: Expect) {
        let f = fixture(text);
        let (note, offset) = f.cursor();
        let refs: Vec<String> = find_references(&f.workspace, note, offset, include_declaration)
            .iter()
            .map(|r| f.show(r.file, &r.range))
            .collect();
        expect.assert_debug_eq(&refs);
    }

    #[test]
    fn concept_references_across_notes_and_aliases() {
        check(
            "//- glossary.md\n- CoT（思维链）：x\n//- a.md\n[[Co$0T]] 😀 [[思维链]]\n//- sub/b.md\n[[cot]] [[Other]]\n",
            true,
            expect![[r#"
                [
                    "glossary.md:1:3-1:6 \"CoT\"",
                    "a.md:1:1-1:8 \"[[CoT]]\"",
                    "a.md:1:11-1:18 \"[[思维链]]\"",
                    "sub/b.md:1:1-1:8 \"[[cot]]\"",
                ]
            "#]],
        );
    }

    #[test]
    fn citation_references() {
        check(
            "//- refs.bib\n@misc{k1, title={T}}\n//- a.md\n[@k$01, p. 2]\n//- b.md\n中文 @k1。\n",
            true,
            expect![[r#"
                [
                    "refs.bib:1:7-1:9 \"k1\"",
                    "a.md:1:3-1:5 \"k1\"",
                    "b.md:1:5-1:7 \"k1\"",
                ]
            "#]],
        );
    }

    /// A paper's references are its citations and the mentions of its
    /// title, whichever of them the cursor is on.
    #[test]
    fn titles_and_keys_of_one_paper() {
        let vault = "//- refs.bib\n@misc{k1, title={Scaling Laws for Neural Language Models}}\n@misc{k2, title={Other}}\n//- b.md\n😀 读了“Scaling laws for neural language models”。\n";
        check(
            &format!("{vault}//- a.md\n[@k$01]\n"),
            true,
            expect![[r#"
                [
                    "refs.bib:1:7-1:9 \"k1\"",
                    "b.md:1:6-1:45 \"Scaling laws for neural language models\"",
                    "a.md:1:3-1:5 \"k1\"",
                ]
            "#]],
        );
        check(
            &format!(
                "{vault}//- a.md\n[@k1]\n//- c.md\n——Scaling Laws for Ne$0ural Language Models\n"
            ),
            false,
            expect![[r#"
                [
                    "b.md:1:6-1:45 \"Scaling laws for neural language models\"",
                    "c.md:1:3-1:42 \"Scaling Laws for Neural Language Models\"",
                    "a.md:1:3-1:5 \"k1\"",
                ]
            "#]],
        );
    }

    /// A heading that is a paper's title stays a heading for references
    /// (and rename); hover and definition still find the paper.
    #[test]
    fn a_heading_that_is_a_title() {
        let vault = "//- refs.bib\n@misc{v, title={Attention Is All You Need}}\n//- b.md\n[[a#Attention Is All You Need]]\n";
        check(
            &format!("{vault}//- a.md\n## Attention Is All$0 You Need\n"),
            false,
            expect![[r#"
                [
                    "b.md:1:1-1:32 \"[[a#Attention Is All You Need]]\"",
                ]
            "#]],
        );
        let f = fixture(&format!(
            "{vault}//- a.md\n## Attention Is All$0 You Need\n"
        ));
        let (note, offset) = f.cursor();
        assert_eq!(
            crate::ide::prepare_rename(&f.workspace, note, offset),
            Some(3..28)
        );
        let hover = crate::ide::hover(&f.workspace, note, offset, Default::default()).unwrap();
        assert!(
            hover.markdown.contains("Attention Is All You Need"),
            "{}",
            hover.markdown
        );
        assert_eq!(
            crate::ide::goto_definition(&f.workspace, note, offset).len(),
            1
        );
    }

    /// From an item of a note's `references:`: that note's citations only.
    #[test]
    fn references_to_an_inline_reference() {
        check(
            "//- a.md\n---\nreferences:\n- id: it$0em1\n  title: T\n---\n[@item1] 😀 @item1\n//- b.md\n[@item1]\n",
            true,
            expect![[r#"
                [
                    "a.md:3:7-3:12 \"item1\"",
                    "a.md:6:3-6:8 \"item1\"",
                    "a.md:6:13-6:18 \"item1\"",
                ]
            "#]],
        );
    }

    /// From `@Fig-plot`: the label and every reference to it, however
    /// capitalised, in any chapter.
    #[test]
    fn cross_reference_references() {
        check(
            "//- _quarto.yml\nproject: {type: book}\n//- a.qmd\n见 @Fig-pl$0ot 😀\n//- b.qmd\n```{r}\n#| label: fig-plot\n```\n[@fig-plot; @fig-other]\n",
            true,
            expect![[r#"
                [
                    "b.qmd:2:11-2:19 \"fig-plot\"",
                    "a.qmd:1:4-1:12 \"Fig-plot\"",
                    "b.qmd:4:3-4:11 \"fig-plot\"",
                ]
            "#]],
        );
    }

    #[test]
    fn heading_references() {
        check(
            "//- a.md\n## Res$0ults 📈\n[[#Results]]\n//- b.md\n[[a#results]] [[a]]\n",
            false,
            expect![[r#"
                [
                    "a.md:2:1-2:13 \"[[#Results]]\"",
                    "b.md:1:1-1:14 \"[[a#results]]\"",
                ]
            "#]],
        );
    }
}
