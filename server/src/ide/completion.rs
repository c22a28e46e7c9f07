//! Completion: glossary terms and notes after `[[`, a note's headings after
//! `[[Note#` and its block ids after `[[Note#^`, citation keys after `@`.

use std::ops::Range;

use super::reference_format::format_reference;
use crate::syntax::{
    is_crossref_label, is_quarto_label, starts_crossref, starts_quarto, BlockKind, Link, LinkKind,
    Spanned,
};
use crate::workspace::names::normalize;
use crate::workspace::{Anchor, NoteId, NoteName, Resolution, Target, Workspace};

/// Results beyond this many are dropped; the client asks again as the user
/// types.
const MAX_ITEMS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Concept,
    Note,
    Heading,
    Block,
    Citation,
    /// A cross-reference label (`fig:plot` after `@fig:`).
    Label,
}

/// What a completion item's documentation is about, so that it can be
/// filled in later (`completionItem/resolve`) from names rather than ids
/// that an edit in between may have changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Resolve {
    Entry {
        note: std::path::PathBuf,
        term: String,
    },
    Note {
        path: std::path::PathBuf,
    },
    /// A heading or block (`^id`) of a note.
    Anchor {
        path: std::path::PathBuf,
        anchor: String,
    },
    /// A citation key, cited in the note at `from` (whose own
    /// `references:` come first).
    Key {
        key: String,
        from: std::path::PathBuf,
    },
    /// A cross-reference label.
    Label(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub resolve: Resolve,
    /// Replaces `replace` in the note.
    pub insert: String,
    pub replace: Range<usize>,
}

/// How well `query` matches `candidate` (both normalised): lower is better.
fn score(query: &str, candidate: &str) -> Option<u8> {
    if query.is_empty() || candidate.starts_with(query) {
        return Some(0);
    }
    if candidate
        .split([' ', '-', '_', '/'])
        .any(|word| word.starts_with(query))
    {
        return Some(1);
    }
    if candidate.contains(query) {
        return Some(2);
    }
    // Characters in order: `cot` finds `chain of thought`.
    let mut rest = candidate.chars();
    query.chars().all(|q| rest.any(|c| c == q)).then_some(3)
}

pub fn completion(workspace: &Workspace, note: NoteId, offset: usize) -> Vec<CompletionItem> {
    let file = &workspace.note(note).file;
    let Some(offset) =
        (offset <= file.text().len() && file.text().is_char_boundary(offset)).then_some(offset)
    else {
        return Vec::new();
    };
    let line = file.line_index().line_of(offset);
    let line_start = file.line_index().line_start(line).unwrap_or(0);
    let before = &file.text()[line_start..offset];
    let after = &file.text()[offset..];

    if let Some(open) = before.rfind("[[") {
        let query = &before[open + 2..];
        if !query.contains("]]") && !query.contains('|') {
            let close = if after.starts_with("]]") { "" } else { "]]" };
            return match query.find('#') {
                None => concepts(workspace, query, line_start + open + 2..offset, close),
                Some(hash) => {
                    let target = &query[..hash];
                    // In a chain `#A#B`, the part after the last `#`.
                    let last = query.rfind('#').unwrap_or(hash) + 1;
                    let anchor = AnchorQuery {
                        target,
                        target_start: line_start + open + 2,
                        query: &query[last..],
                        replace: line_start + open + 2 + last..offset,
                    };
                    anchors(workspace, note, anchor, close)
                }
            };
        }
    }
    if let Some(at) = citation_start(before) {
        let replace = line_start + at + 1..offset;
        return citations(workspace, note, &before[at + 1..], replace);
    }
    Vec::new()
}

/// A link's anchor being typed: `[[target#…query`.
struct AnchorQuery<'a> {
    target: &'a str,
    target_start: usize,
    query: &'a str,
    replace: Range<usize>,
}

/// The headings, or after `^` the block ids, of the note `anchor.target`
/// names (the note being written when it is empty).
fn anchors(
    workspace: &Workspace,
    note: NoteId,
    anchor: AnchorQuery,
    close: &str,
) -> Vec<CompletionItem> {
    let Some(target) = anchor_target(workspace, note, anchor.target, anchor.target_start) else {
        return Vec::new();
    };
    let n = workspace.note(target);
    let item = |label: String, kind: CompletionKind, detail: String| CompletionItem {
        insert: format!("{label}{close}"),
        resolve: Resolve::Anchor {
            path: n.file.path.clone(),
            anchor: label.clone(),
        },
        label,
        kind,
        detail: Some(detail),
        replace: anchor.replace.clone(),
    };
    let mut scored = Vec::new();
    if let Some(query) = anchor.query.strip_prefix('^') {
        let query = query.to_lowercase();
        for id in n.anchors().block_ids() {
            if let Some(score) = score(&query, &id.to_lowercase()) {
                let line = match n.anchors().find(&format!("^{id}")) {
                    Some(Anchor::Block(range)) => n.file.line_index().line_of(range.start) + 1,
                    _ => 0,
                };
                let detail = format!("{}:{line}", n.file.rel);
                scored.push((
                    score,
                    0,
                    item(format!("^{id}"), CompletionKind::Block, detail),
                ));
            }
        }
        return rank(scored);
    }
    let query = normalize(anchor.query);
    for (order, block) in n.syntax.blocks.iter().enumerate() {
        let BlockKind::Heading { level } = block.kind else {
            continue;
        };
        // A link cannot hold these; Obsidian leaves them out, and the
        // heading still matches without them.
        let label: String = n.file.text()[block.content()]
            .chars()
            .filter(|c| !"#|[]^".contains(*c))
            .collect();
        let label = label.trim().to_string();
        if label.is_empty() {
            continue;
        }
        if let Some(score) = score(&query, &normalize(&label)) {
            let detail = format!("{} {}", "#".repeat(level as usize), n.file.rel);
            // Document order within a score: the outline as written.
            scored.push((score, order, item(label, CompletionKind::Heading, detail)));
        }
    }
    scored.sort_by_key(|&(score, order, _)| (score, order));
    // Two headings of one text: the link finds the first.
    let mut seen = std::collections::HashSet::new();
    scored
        .into_iter()
        .filter(|(_, _, item)| seen.insert(item.label.clone()))
        .take(MAX_ITEMS)
        .map(|(_, _, item)| item)
        .collect()
}

/// The note a link's target names, as the link with an anchor would
/// resolve (a glossary term's name with an anchor means a note).
fn anchor_target(
    workspace: &Workspace,
    note: NoteId,
    target: &str,
    start: usize,
) -> Option<NoteId> {
    if target.trim().is_empty() {
        return Some(note);
    }
    let link = Link::new(
        LinkKind::Wiki,
        start..start + target.len(),
        Some(Spanned {
            value: target.trim().to_string(),
            range: start..start + target.len(),
        }),
        // No heading has this name: the link resolves to its note with a
        // broken anchor.
        Some(Spanned {
            value: "\0".to_string(),
            range: start + target.len()..start + target.len(),
        }),
    );
    match workspace.resolve_link(note, &link) {
        Resolution::Note { note, .. } | Resolution::BrokenAnchor { note } => Some(note),
        _ => None,
    }
}

/// The `@` that starts the key being typed at the end of `before`, if it
/// follows the start of the line, whitespace, `[`, `-`, `;` or punctuation
/// (so emails stay quiet).
fn citation_start(before: &str) -> Option<usize> {
    let at = before.rfind('@')?;
    let key = &before[at + 1..];
    let is_key = key
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || ":.#$%&-+?<>~/".contains(c));
    let prev = before[..at].chars().next_back();
    (is_key && prev.is_none_or(|p| !p.is_alphanumeric())).then_some(at)
}

fn concepts(
    workspace: &Workspace,
    query: &str,
    replace: Range<usize>,
    close: &str,
) -> Vec<CompletionItem> {
    let query = normalize(query);
    // Score every name cheaply, keep the best, and only then build items:
    // a one-letter query matches most of a large vault.
    let keep = MAX_ITEMS * 2;
    // Prefix matches rank first; when there are enough of them (typical for
    // the first letters typed in a large vault), the sorted name list gives
    // them without looking at every name.
    let mut scored: Vec<(u8, usize, &str, Target)> = workspace
        .names_with_prefix(&query)
        .flat_map(|(name, targets)| targets.iter().map(move |t| (0, name.len(), name, *t)))
        .take(keep + 1)
        .collect();
    if scored.len() <= keep {
        scored.clear();
        for (name, targets) in workspace.names() {
            if let Some(score) = score(&query, name) {
                // Byte length is a good enough "shorter first", and cheap.
                scored.extend(targets.iter().map(|t| (score, name.len(), name, *t)));
            }
        }
    }
    // Ids are names only where links are read as Zettlr reads them.
    if !workspace.reads_zettel_ids() {
        scored.retain(|(_, _, _, target)| !matches!(target, Target::Note(_, NoteName::Id)));
    }
    if scored.len() > keep {
        // Comparing numbers only: ties are ordered by name in `rank`.
        scored.select_nth_unstable_by_key(keep, |&(score, len, _, _)| (score, len));
        scored.truncate(keep);
    }
    let items = scored
        .into_iter()
        .map(|(score, len, name, target)| {
            let item = match target {
                Target::Glossary(entry) => {
                    let e = workspace.entry(entry);
                    // Show the name as written; say which term an alias is of.
                    let written = e
                        .names()
                        .find(|n| normalize(&n.value) == *name)
                        .map_or(e.term.value.as_str(), |n| n.value.as_str());
                    CompletionItem {
                        label: written.to_string(),
                        kind: CompletionKind::Concept,
                        detail: Some(if written == e.term.value {
                            "glossary".to_string()
                        } else {
                            format!("alias of {}", e.term.value)
                        }),
                        resolve: Resolve::Entry {
                            note: workspace.note(entry.note).file.path.clone(),
                            term: e.term.value.clone(),
                        },
                        insert: format!("{written}{close}"),
                        replace: replace.clone(),
                    }
                }
                Target::Note(id, kind) => {
                    let n = workspace.note(id);
                    let label = if kind == NoteName::Id {
                        name
                    } else if normalize(n.stem()) == *name {
                        n.stem()
                    } else {
                        n.title()
                    };
                    CompletionItem {
                        label: label.to_string(),
                        kind: CompletionKind::Note,
                        detail: Some(n.file.rel.clone()),
                        resolve: Resolve::Note {
                            path: n.file.path.clone(),
                        },
                        insert: format!("{label}{close}"),
                        replace: replace.clone(),
                    }
                }
            };
            (score, len, item)
        })
        .collect();
    rank(items)
}

fn rank(mut scored: Vec<(u8, usize, CompletionItem)>) -> Vec<CompletionItem> {
    scored.sort_by(|a, b| (a.0, a.1, &a.2.label).cmp(&(b.0, b.1, &b.2.label)));
    scored.dedup_by(|a, b| a.2.label == b.2.label && a.2.kind == b.2.kind);
    scored
        .into_iter()
        .take(MAX_ITEMS)
        .map(|(_, _, item)| item)
        .collect()
}

fn citations(
    workspace: &Workspace,
    note: NoteId,
    query: &str,
    replace: Range<usize>,
) -> Vec<CompletionItem> {
    let capitalised = query.starts_with(|c: char| c.is_uppercase());
    let query = query.to_lowercase();
    let mut scored = Vec::new();
    // `@fig:` where the workspace uses pandoc-crossref, `@fig-` in a Quarto
    // project: the labels of that kind.
    let crossref = starts_crossref(&query) && workspace.uses_pandoc_crossref();
    let quarto = starts_quarto(&query) && workspace.uses_quarto(note);
    if crossref || quarto {
        let wanted = |l: &&str| match crossref {
            true => is_crossref_label(l),
            false => is_quarto_label(l),
        };
        for label in workspace.labels().filter(wanted) {
            let Some(score) = score(&query, label) else {
                continue;
            };
            let insert = match capitalised {
                true => label[..1].to_uppercase() + &label[1..],
                false => label.to_string(),
            };
            scored.push((
                score,
                label.len(),
                CompletionItem {
                    label: insert.clone(),
                    kind: CompletionKind::Label,
                    // Where it is defined.
                    detail: workspace
                        .label(label)
                        .map(|(note, _)| workspace.note(note).file.rel.to_string()),
                    resolve: Resolve::Label(label.to_string()),
                    insert,
                    replace: replace.clone(),
                },
            ));
        }
    }
    for (_, bib) in workspace.bibliographies_of(note) {
        for entry in &bib.entries {
            // By key first; then by author, title words or year.
            let by_key = score(&query, &entry.key.to_lowercase());
            let score = by_key.or_else(|| {
                let mut haystack = entry
                    .authors
                    .iter()
                    .map(|p| p.family.to_lowercase())
                    .collect::<Vec<_>>();
                haystack.extend(entry.title.iter().map(|t| t.to_lowercase()));
                haystack.extend(entry.year.iter().cloned());
                haystack.iter().any(|h| h.contains(&query)).then_some(4)
            });
            let Some(score) = score else {
                continue;
            };
            let first_author = entry.authors.first().map_or("", |p| p.family.as_str());
            let detail = format!(
                "{first_author}{} {} — {}",
                if entry.authors.len() > 1 {
                    " et al."
                } else {
                    ""
                },
                entry.year.as_deref().unwrap_or("n.d."),
                entry.title.as_deref().unwrap_or("")
            );
            scored.push((
                score,
                entry.key.len(),
                CompletionItem {
                    label: entry.key.clone(),
                    kind: CompletionKind::Citation,
                    detail: Some(detail),
                    resolve: Resolve::Key {
                        key: entry.key.clone(),
                        from: workspace.note(note).file.path.clone(),
                    },
                    insert: entry.key.clone(),
                    replace: replace.clone(),
                },
            ));
        }
    }
    rank(scored)
}

/// The documentation of a completion item, as Markdown.
pub fn completion_documentation(workspace: &Workspace, resolve: &Resolve) -> Option<String> {
    match resolve {
        Resolve::Entry { note, term } => {
            let id = workspace.note_by_path(note)?;
            let index = workspace
                .note(id)
                .glossary
                .iter()
                .position(|e| &e.term.value == term)?;
            Some(super::hover::entry_markdown(
                workspace,
                crate::workspace::EntryId { note: id, index },
            ))
        }
        Resolve::Note { path } => {
            let id = workspace.note_by_path(path)?;
            Some(super::hover::note_markdown(workspace, id, None))
        }
        Resolve::Anchor { path, anchor } => {
            let id = workspace.note_by_path(path)?;
            Some(match workspace.note(id).anchors().find(anchor)? {
                Anchor::Heading(block) => super::hover::note_markdown(workspace, id, Some(block)),
                Anchor::Block(range) => super::hover::block_markdown(workspace, id, &range),
            })
        }
        Resolve::Key { key, from } => {
            let at = match workspace.note_by_path(from) {
                Some(note) => workspace.key_location(note, key)?,
                None => *workspace.citation_key(key).first()?,
            };
            Some(format_reference(workspace.bib_entry(at)))
        }
        Resolve::Label(label) => super::hover::cross_reference_markdown(workspace, label),
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
        let items: Vec<String> = completion(&f.workspace, note, offset)
            .iter()
            .map(|i| {
                format!(
                    "{:?} {} ({}) insert {:?} over {}",
                    i.kind,
                    i.label,
                    i.detail.as_deref().unwrap_or(""),
                    i.insert,
                    f.show(crate::ide::FileId::Note(note), &i.replace)
                )
            })
            .collect();
        expect.assert_debug_eq(&items);
    }

    const VAULT: &str = "//- glossary.md\n- CoT（Chain of Thought，思维链）：x\n- Scaling Law: y\n//- notes/chain.md\n# Chain notes\n//- refs.bib\n@article{wei2022chain, title={Chain-of-Thought Prompting}, author={Wei, Jason and Zhou, Denny}, year=2022}\n@article{kaplan2020scaling, title={Scaling Laws}, author={Kaplan, Jared}, year=2020}\n";

    #[test]
    fn concepts_and_notes_after_double_bracket() {
        check(
            &format!("{VAULT}//- a.md\n😀 see [[cha$0\n"),
            expect![[r#"
                [
                    "Note chain (notes/chain.md) insert \"chain]]\" over a.md:1:9-1:12 \"cha\"",
                    "Concept Chain of Thought (alias of CoT) insert \"Chain of Thought]]\" over a.md:1:9-1:12 \"cha\"",
                ]
            "#]],
        );
    }

    #[test]
    fn zettelkasten_ids_where_links_name_notes_by_them() {
        let zettels = "//- 20200303175402 有效需求.md\n//- Money.md\nid 20200315170318\n";
        check(
            &format!("{zettels}//- a.md\n💴 [[2020031$0\n"),
            expect![[r#"
                [
                    "Note 20200315170318 (Money.md) insert \"20200315170318]]\" over a.md:1:5-1:12 \"2020031\"",
                    "Note 20200303175402 (20200303175402 有效需求.md) insert \"20200303175402]]\" over a.md:1:5-1:12 \"2020031\"",
                    "Note 20200303175402 有效需求 (20200303175402 有效需求.md) insert \"20200303175402 有效需求]]\" over a.md:1:5-1:12 \"2020031\"",
                ]
            "#]],
        );
        // Not in an Obsidian vault, which would not find them.
        check(
            &format!("{zettels}//- .obsidian/.keep\n//- a.md\n[[2020031$0\n"),
            expect![[r#"
                [
                    "Note 20200303175402 有效需求 (20200303175402 有效需求.md) insert \"20200303175402 有效需求]]\" over a.md:1:3-1:10 \"2020031\"",
                ]
            "#]],
        );
    }

    #[test]
    fn labels_after_a_cross_reference_prefix() {
        let thesis = "//- 02.md\n# M {#sec:method}\n![P](p.png){#fig:plot}\n\\label{fig:raw}\n{#plain}\n//- p.png\n";
        check(
            &format!("{thesis}//- 01.md\n见 [@fig:$0]\n"),
            expect![[r#"
                [
                    "Label fig:raw (02.md) insert \"fig:raw\" over 01.md:1:5-1:9 \"fig:\"",
                    "Label fig:plot (02.md) insert \"fig:plot\" over 01.md:1:5-1:9 \"fig:\"",
                ]
            "#]],
        );
        check(
            &format!("{thesis}//- 01.md\n@Sec:m$0\n"),
            expect![[r#"
                [
                    "Label Sec:method (02.md) insert \"Sec:method\" over 01.md:1:2-1:7 \"Sec:m\"",
                ]
            "#]],
        );
    }

    #[test]
    fn keys_after_at_by_key_author_or_title() {
        check(
            &format!("{VAULT}//- a.md\n如 [@wei$0]\n"),
            expect![[r#"
                [
                    "Citation wei2022chain (Wei et al. 2022 — Chain-of-Thought Prompting) insert \"wei2022chain\" over a.md:1:5-1:8 \"wei\"",
                ]
            "#]],
        );
        check(
            &format!("{VAULT}//- a.md\n@scaling$0\n"),
            expect![[r#"
                [
                    "Citation kaplan2020scaling (Kaplan 2020 — Scaling Laws) insert \"kaplan2020scaling\" over a.md:1:2-1:9 \"scaling\"",
                ]
            "#]],
        );
    }

    #[test]
    fn documentation_is_resolved_later() {
        let f = fixture(&format!("{VAULT}//- a.md\n[@kaplan$0\n"));
        let (note, offset) = f.cursor();
        let item = &completion(&f.workspace, note, offset)[0];
        assert_eq!(
            completion_documentation(&f.workspace, &item.resolve).as_deref(),
            Some("Kaplan, J. (2020). Scaling Laws.")
        );
        let f = fixture(&format!("{VAULT}//- a.md\n[[Co$0\n"));
        let (note, offset) = f.cursor();
        let item = &completion(&f.workspace, note, offset)[0];
        assert!(completion_documentation(&f.workspace, &item.resolve)
            .unwrap()
            .starts_with("**CoT**"));
    }

    /// Found in review: the documentation of a key two notes define in
    /// their `references:` came from the other note.
    #[test]
    fn a_notes_own_references_are_offered_and_documented() {
        let notes = "//- a.md\n---\nreferences:\n- id: item1\n  title: From A\n---\n//- b.md\n---\nreferences:\n- id: item1\n  title: From B 😀\n---\n[@ite$0\n";
        let f = fixture(notes);
        let (note, offset) = f.cursor();
        let items = completion(&f.workspace, note, offset);
        assert_eq!(items.len(), 1, "{items:?}");
        let documentation = completion_documentation(&f.workspace, &items[0].resolve).unwrap();
        assert!(documentation.contains("From B"), "{documentation}");
    }

    const OUTLINE: &str = "//- notes/outline.md\n# Attention 注意力\n## Why? 🤔\nIt scales. ^why-block\n## [[Linked]] heading\n- a list item ^item-2\n";

    #[test]
    fn headings_after_hash_in_document_order() {
        check(
            &format!("{OUTLINE}//- a.md\n😀 [[outline#$0\n"),
            expect![[r#"
                [
                    "Heading Attention 注意力 (# notes/outline.md) insert \"Attention 注意力]]\" over a.md:1:13-1:13 \"\"",
                    "Heading Why? 🤔 (## notes/outline.md) insert \"Why? 🤔]]\" over a.md:1:13-1:13 \"\"",
                    "Heading Linked heading (## notes/outline.md) insert \"Linked heading]]\" over a.md:1:13-1:13 \"\"",
                ]
            "#]],
        );
        // The part after the last `#` of a chain; the closing brackets are
        // not doubled.
        check(
            &format!("{OUTLINE}//- a.md\n[[outline#Attention 注意力#wh$0]]\n"),
            expect![[r#"
                [
                    "Heading Why? 🤔 (## notes/outline.md) insert \"Why? 🤔\" over a.md:1:25-1:27 \"wh\"",
                ]
            "#]],
        );
        // A glossary term's name with `#` means the note of that name, and
        // a heading of two sections is offered once.
        check(
            "//- glossary.md\n- Transformer: a model\n//- Transformer.md\n# A\n## Notes\n# B\n## Notes\n//- a.md\n[[Transformer#$0\n",
            expect![[r#"
                [
                    "Heading A (# Transformer.md) insert \"A]]\" over a.md:1:15-1:15 \"\"",
                    "Heading Notes (## Transformer.md) insert \"Notes]]\" over a.md:1:15-1:15 \"\"",
                    "Heading B (# Transformer.md) insert \"B]]\" over a.md:1:15-1:15 \"\"",
                ]
            "#]],
        );
        // `[[#` is the note being written.
        check(
            "//- a.md\n# Intro\n## Method\nsee [[#me$0\n",
            expect![[r#"
                [
                    "Heading Method (## a.md) insert \"Method]]\" over a.md:3:8-3:10 \"me\"",
                ]
            "#]],
        );
    }

    #[test]
    fn block_ids_after_hash_caret() {
        check(
            &format!("{OUTLINE}//- a.md\n中文 [[notes/outline#^$0\n"),
            expect![[r#"
                [
                    "Block ^item-2 (notes/outline.md:5) insert \"^item-2]]\" over a.md:1:20-1:21 \"^\"",
                    "Block ^why-block (notes/outline.md:3) insert \"^why-block]]\" over a.md:1:20-1:21 \"^\"",
                ]
            "#]],
        );
        let f = fixture(&format!("{OUTLINE}//- a.md\n[[outline#^wh$0\n"));
        let (note, offset) = f.cursor();
        let items = completion(&f.workspace, note, offset);
        assert_eq!(items.len(), 1);
        assert_eq!(
            completion_documentation(&f.workspace, &items[0].resolve).as_deref(),
            Some("**Attention 注意力** › block\n\nIt scales.\n\n*notes/outline.md:3*")
        );
        check(
            &format!("{OUTLINE}//- a.md\n[[missing#^$0\n"),
            expect!["[]\n"],
        );
    }

    #[test]
    fn emails_and_closed_links_stay_quiet() {
        check(
            &format!("{VAULT}//- a.md\nmail me@wei$0\n"),
            expect!["[]\n"],
        );
        check(
            &format!("{VAULT}//- a.md\n[[CoT]] and $0\n"),
            expect!["[]\n"],
        );
    }
}
