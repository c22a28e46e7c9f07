//! Rename: a glossary term (the entry and every link to it), a heading (and
//! every `#Heading` link to it), and the links to a note when the note is
//! renamed or moved.

use std::ops::Range;
use std::path::{Component, Path};

use super::code_actions::TextEdit;
use super::cursor::{item_at, Item};
use super::FileId;
use crate::syntax::{Link, LinkKind};
use crate::workspace::dendron::VaultTarget;
use crate::workspace::names::{normalize, slug};
use crate::workspace::{Anchor, EntryId, NoteId, Resolution, Workspace};

/// What a rename at a position changes.
enum Subject {
    /// The glossary entry's name whose normalised form is given.
    Name(EntryId, String),
    /// A heading: note and block index.
    Heading(NoteId, usize),
}

fn subject(workspace: &Workspace, note: NoteId, offset: usize) -> Option<(Subject, Range<usize>)> {
    match item_at(workspace, note, offset)? {
        Item::Entry(entry) => {
            let name = workspace
                .entry(entry)
                .names()
                .find(|n| n.range.start <= offset && offset <= n.range.end)?;
            Some((
                Subject::Name(entry, normalize(&name.value)),
                name.range.clone(),
            ))
        }
        Item::Heading(block) => {
            let range = workspace.note(note).syntax.blocks[block].content();
            Some((Subject::Heading(note, block), range))
        }
        Item::Link(link) => match workspace.resolve_link(note, link) {
            Resolution::Glossary(entry) => {
                let target = link.target()?;
                Some((
                    Subject::Name(entry, normalize(target.value)),
                    target.range.clone(),
                ))
            }
            Resolution::Note {
                note: target,
                anchor: Some(Anchor::Heading(block)),
            } => {
                // (Of a Dendron range, `knives,1:#pans`, the heading it
                // starts at.)
                let anchor = workspace.anchor_of(link)?;
                (anchor.range.start <= offset && offset <= anchor.range.end)
                    .then(|| (Subject::Heading(target, block), anchor.range.clone()))
            }
            _ => None,
        },
        Item::Citation(_) | Item::Title(_) => None,
    }
}

/// The range a rename at `offset` would change, or None where renaming
/// means nothing (plain text, a citation, a broken link).
pub fn prepare_rename(workspace: &Workspace, note: NoteId, offset: usize) -> Option<Range<usize>> {
    subject(workspace, note, offset).map(|(_, range)| range)
}

/// Whether `name` can be written where links will find it: nothing that
/// ends a link's name (`#`, `|`, `^`, brackets) or a line, or starts a
/// comment.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name cannot be empty".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, '#' | '|' | '^' | '[' | ']' | '\n' | '\r' | '\0'))
    {
        return Err(format!(
            "a name cannot contain {c:?}: links could not name it"
        ));
    }
    if name.contains("<!--") || name.contains("-->") {
        return Err("a name cannot contain an HTML comment".to_string());
    }
    Ok(())
}

/// Whether the glossary entry still defines `new_name` once `defined` (one
/// of its names) is replaced by it: `Term: x` cannot become `Te:rm: x`.
fn entry_keeps_name(
    workspace: &Workspace,
    entry: EntryId,
    defined: &Range<usize>,
    new_name: &str,
) -> bool {
    let n = workspace.note(entry.note);
    let Some(block) = n
        .syntax
        .blocks
        .iter()
        .find(|b| b.content().start <= defined.start && defined.end <= b.content().end)
    else {
        return true;
    };
    if !matches!(block.kind, crate::syntax::BlockKind::ListItem { .. }) {
        // A definition list's term is its whole line.
        return true;
    }
    let content = &n.file.text()[block.content()];
    let at = defined.start - block.content().start..defined.end - block.content().start;
    let edited = format!("{}{new_name}{}", &content[..at.start], &content[at.end..]);
    crate::syntax::parse_glossary_entry(&edited, 0).is_some_and(|e| {
        std::iter::once(&e.term)
            .chain(&e.aliases)
            .any(|n| normalize(&n.value) == normalize(new_name))
    })
}

/// The edits of renaming what is at `offset` to `new_name`; `Ok(None)` where
/// there is nothing to rename, `Err` with the reason when the name cannot
/// be used.
pub fn rename(
    workspace: &Workspace,
    note: NoteId,
    offset: usize,
    new_name: &str,
) -> Result<Option<Vec<TextEdit>>, String> {
    let new_name = new_name.trim();
    check_name(new_name)?;
    let Some((subject, _)) = subject(workspace, note, offset) else {
        return Ok(None);
    };
    let mut edits = Vec::new();
    match subject {
        Subject::Name(entry, name) => {
            let Some(defined) = workspace
                .entry(entry)
                .names()
                .find(|n| normalize(&n.value) == name)
            else {
                return Ok(None);
            };
            if !entry_keeps_name(workspace, entry, &defined.range, new_name) {
                return Err(format!(
                    "'{new_name}' would change how the glossary entry reads (a colon or parenthesis in a term starts its definition or aliases)"
                ));
            }
            edits.push(TextEdit {
                file: FileId::Note(entry.note),
                range: defined.range.clone(),
                new_text: new_name.to_string(),
            });
            for (id, n) in workspace.notes() {
                for link in &n.syntax.links {
                    let Some(target) = link.target() else {
                        continue;
                    };
                    if normalize(target.value) == name
                        && workspace.resolve_link(id, link) == Resolution::Glossary(entry)
                    {
                        edits.push(TextEdit {
                            file: FileId::Note(id),
                            range: target.range.clone(),
                            new_text: new_name.to_string(),
                        });
                    }
                }
            }
        }
        Subject::Heading(target, block) => {
            let content = workspace.note(target).syntax.blocks[block].content();
            edits.push(TextEdit {
                file: FileId::Note(target),
                range: content,
                new_text: new_name.to_string(),
            });
            for (id, n) in workspace.notes() {
                for link in &n.syntax.links {
                    let Some(anchor) = workspace.anchor_of(link) else {
                        continue;
                    };
                    let same = workspace.resolve_link(id, link)
                        == Resolution::Note {
                            note: target,
                            anchor: Some(Anchor::Heading(block)),
                        };
                    if same {
                        // Markdown links usually carry slugs; keep their
                        // style.
                        let markdown = link.kind == LinkKind::Markdown;
                        let new_anchor = if markdown && anchor.value == slug(anchor.value) {
                            slug(new_name)
                        } else {
                            new_name.to_string()
                        };
                        let (range, new_text) = if markdown {
                            destination_edit(n.file.text(), link, None, Some(&new_anchor))
                        } else {
                            (anchor.range.clone(), new_anchor)
                        };
                        edits.push(TextEdit {
                            file: FileId::Note(id),
                            range,
                            new_text,
                        });
                    }
                }
            }
        }
    }
    Ok(Some(edits))
}

/// The edit that gives Markdown `link` the path `path` and the anchor
/// `anchor` (`None`: as written). Only the changed part is replaced, unless
/// the result holds a space and the destination is not in `<…>` already:
/// then the whole destination is written again, in `<…>`, since a space
/// would end it.
fn destination_edit(
    text: &str,
    link: &Link,
    path: Option<&str>,
    anchor: Option<&str>,
) -> (Range<usize>, String) {
    let written =
        |part: Option<crate::syntax::Spanned<&str>>| part.map(|p| text[p.range].to_string());
    let new_path = path.map(str::to_string).or_else(|| written(link.target()));
    let new_anchor = anchor
        .map(str::to_string)
        .or_else(|| written(link.anchor()));
    // Where the destination starts and ends in the text.
    let start = link
        .target()
        .map(|t| t.range.start)
        .or_else(|| link.anchor().map(|a| a.range.start - 1))
        .unwrap_or(link.range().start);
    let end = link
        .anchor()
        .or(link.target())
        .map_or(start, |p| p.range.end);
    let bracketed = text[..start].ends_with('<');
    let spaced = new_path.iter().chain(&new_anchor).any(|p| p.contains(' '));
    if bracketed || !spaced {
        let changed = if path.is_some() {
            link.target().map(|t| (t.range, new_path.clone()))
        } else {
            link.anchor().map(|a| (a.range, new_anchor.clone()))
        };
        if let Some((range, Some(new_text))) = changed {
            return (range, new_text);
        }
    }
    let mut destination = new_path.unwrap_or_default();
    if let Some(anchor) = new_anchor {
        destination.push('#');
        destination.push_str(&anchor);
    }
    (start..end, format!("<{destination}>"))
}

/// `to` relative to the folder `from_dir`, `/`-separated.
fn relative_path(from_dir: &Path, to: &Path) -> String {
    let from: Vec<Component> = from_dir.components().collect();
    let target: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn without_extension(path: &str) -> &str {
    crate::workspace::strip_note_extension(path)
}

/// The edits that keep every link to `old` working once the note is at `new`
/// (both absolute paths).
pub fn rename_note_file(workspace: &Workspace, old: &Path, new: &Path) -> Vec<TextEdit> {
    let Some(moved) = workspace.note_by_path(old) else {
        return Vec::new();
    };
    let old_stem = workspace.note(moved).stem().to_string();
    let new_file = new
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let new_stem = without_extension(&new_file).to_string();
    let mut edits = Vec::new();
    for (id, n) in workspace.notes() {
        for link in &n.syntax.links {
            let Some(target) = link.target() else {
                continue;
            };
            let resolved = match workspace.resolve_link(id, link) {
                Resolution::Note { note, .. } | Resolution::BrokenAnchor { note } => note,
                _ => continue,
            };
            if resolved != moved {
                continue;
            }
            let written = target.value.replace('\\', "/");
            let path_like = link.kind == LinkKind::Markdown
                || written.contains('/')
                || without_extension(&written) != written;
            let dendron = (workspace.config.dendron.as_ref()).filter(|_| !link.kind.is_markdown());
            let new_text = if let Some(dendron) = dendron {
                // Dendron names a note by its file's stem (`cook.tools`),
                // after the vault's prefix if the link has one.
                let prefix = match dendron.vault_target(&written) {
                    VaultTarget::Here(name) => &written[..written.len() - name.len()],
                    _ => "",
                };
                format!("{prefix}{new_stem}")
            } else if path_like {
                // The linking note's folder, after the move if it is the
                // moved note itself; for a part a Quarto page includes,
                // the page's if the link is read from there.
                let base = workspace.link_base(id, link);
                let from = if base == moved {
                    new
                } else {
                    workspace.note(base).file.path.as_path()
                };
                let from_dir = from.parent().unwrap_or(&workspace.root);
                let mut path = if written.starts_with('/') {
                    format!("/{}", relative_path(&workspace.root, new))
                } else {
                    relative_path(from_dir, new)
                };
                if written.ends_with(".html") && !path.ends_with(".html") {
                    // A site's page, named as rendered (`defaults.html`).
                    path = format!("{}.html", without_extension(&path));
                } else if without_extension(&written) == written {
                    path = without_extension(&path).to_string();
                }
                path
            } else if normalize(&written) == normalize(&old_stem) {
                new_stem.clone()
            } else {
                // Linked by title or alias, which the move does not change.
                continue;
            };
            if new_text == target.value {
                continue;
            }
            let (range, new_text) = if link.kind == LinkKind::Markdown {
                destination_edit(n.file.text(), link, Some(&new_text), None)
            } else {
                (target.range.clone(), new_text)
            };
            {
                edits.push(TextEdit {
                    file: FileId::Note(id),
                    range,
                    new_text,
                });
            }
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::{fixture, ROOT};

    fn show_edits(f: &crate::workspace::fixture::Fixture, edits: &[TextEdit]) -> Vec<String> {
        edits
            .iter()
            .map(|e| format!("{} ← {:?}", f.show(e.file, &e.range), e.new_text))
            .collect()
    }

    #[test]
    fn renames_a_term_and_its_links_but_not_other_aliases() {
        let f = fixture("//- glossary.md\n- CoT（思维链）：x\n//- a.md\n😀 [[Co$0T]] [[cot#x]] [[思维链]]\n//- b.md\n[[CoT|label]]\n");
        let (note, offset) = f.cursor();
        assert_eq!(prepare_rename(&f.workspace, note, offset), Some(7..10));
        let edits = rename(&f.workspace, note, offset, "Chain of Thought")
            .unwrap()
            .unwrap();
        assert_eq!(
            show_edits(&f, &edits),
            [
                "glossary.md:1:3-1:6 \"CoT\" ← \"Chain of Thought\"",
                "a.md:1:5-1:8 \"CoT\" ← \"Chain of Thought\"",
                "b.md:1:3-1:6 \"CoT\" ← \"Chain of Thought\"",
            ]
        );
    }

    #[test]
    fn renames_a_heading_and_its_anchors() {
        let f = fixture("//- a.md\n## Res$0ults 📈\n[[#Results]]\n//- b.md\n[[a#results]] [x](a.md#results) [[a]]\n");
        let (note, offset) = f.cursor();
        let edits = rename(&f.workspace, note, offset, "Main Findings")
            .unwrap()
            .unwrap();
        assert_eq!(
            show_edits(&f, &edits),
            [
                "a.md:1:4-1:13 \"Results 📈\" ← \"Main Findings\"",
                "a.md:2:4-2:11 \"Results\" ← \"Main Findings\"",
                "b.md:1:5-1:12 \"results\" ← \"Main Findings\"",
                "b.md:1:24-1:31 \"results\" ← \"main-findings\"",
            ]
        );
    }

    /// Found by the second hardening round: these names produced edits
    /// after which the links no longer resolved.
    #[test]
    fn names_links_could_not_find_are_refused() {
        let f = fixture("//- glossary.md\n- CoT: x\n//- a.md\n[[Co$0T]]\n## H\n");
        let (note, offset) = f.cursor();
        for bad in [
            "A#B",
            "a|b",
            "x^y",
            "x]]",
            "[[x",
            "two\nlines",
            "nul\0",
            "a <!-- b",
            "Te:rm",
            "T (alias)",
        ] {
            assert!(rename(&f.workspace, note, offset, bad).is_err(), "{bad:?}");
        }
        assert!(rename(&f.workspace, note, offset, "C++ 思维链")
            .unwrap()
            .is_some());
    }

    #[test]
    fn spaces_in_markdown_destinations_are_bracketed() {
        let f = fixture("//- a.md\n## Res$0ults\n//- b.md\n[x](a.md#Results) [[a#Results]]\n");
        let (note, offset) = f.cursor();
        let edits = rename(&f.workspace, note, offset, "Main Findings")
            .unwrap()
            .unwrap();
        let texts: Vec<&str> = edits.iter().map(|e| e.new_text.as_str()).collect();
        assert_eq!(
            texts,
            ["Main Findings", "<a.md#Main Findings>", "Main Findings"]
        );
        let f = fixture("//- a.md\n# A\n//- b.md\n[x](a.md) [y](<a.md>)$0\n");
        let old = Path::new(ROOT).join("a.md");
        let edits = rename_note_file(&f.workspace, &old, &Path::new(ROOT).join("sp ace.md"));
        let texts: Vec<&str> = edits.iter().map(|e| e.new_text.as_str()).collect();
        assert_eq!(texts, ["<sp ace.md>", "sp ace.md"]);
    }

    #[test]
    fn nothing_to_rename_in_plain_text_or_citations() {
        let f = fixture("//- a.md\nplain te$0xt @key\n");
        let (note, offset) = f.cursor();
        assert_eq!(prepare_rename(&f.workspace, note, offset), None);
        assert_eq!(rename(&f.workspace, note, offset, "x"), Ok(None));
    }

    /// Found in review: Dendron's note references keep their range and
    /// vault prefix, and its notes are named by their stems.
    #[test]
    fn renames_in_a_dendron_workspace() {
        let vault = "//- dendron.yml\nvaults:\n  - fsPath: notes\n//- notes/cook.tools.md\n## Kni$0ves 🔪\n## Pans\n//- notes/cook.md\n![[cook.tools#knives,1:#pans]] [[刀|dendron://notes/cook.tools#knives]]\n";
        let f = fixture(vault);
        let (note, offset) = f.cursor();
        let edits = rename(&f.workspace, note, offset, "blades")
            .unwrap()
            .unwrap();
        assert_eq!(
            show_edits(&f, &edits),
            [
                "notes/cook.tools.md:1:4-1:12 \"Knives 🔪\" ← \"blades\"",
                "notes/cook.md:1:15-1:21 \"knives\" ← \"blades\"",
                "notes/cook.md:1:63-1:69 \"knives\" ← \"blades\"",
            ]
        );
        let root = Path::new(ROOT);
        let edits = rename_note_file(
            &f.workspace,
            &root.join("notes/cook.tools.md"),
            &root.join("notes/cook.knives.md"),
        );
        assert_eq!(
            show_edits(&f, &edits),
            [
                "notes/cook.md:1:4-1:14 \"cook.tools\" ← \"cook.knives\"",
                "notes/cook.md:1:36-1:62 \"dendron://notes/cook.tools\" ← \"dendron://notes/cook.knives\"",
            ]
        );
    }

    /// Found in review: a Quarto page's link to a heading of a part it
    /// includes is the page's, and a part's link read from the page's
    /// folder is rewritten from there.
    #[test]
    fn moving_notes_of_a_quarto_page_and_its_parts() {
        let vault = "//- site/_quarto.yml\nproject:\n  type: website\n//- site/page.qmd\n{{< include inc/_part.qmd >}}\n//- site/inc/_part.qmd\n## Kernel Daemon 😀\n\n[r](render.qmd)\n//- site/render.qmd\n# R\n//- site/other.qmd\n[k](page.qmd#kernel-daemon-)$0\n";
        let f = fixture(vault);
        let root = Path::new(ROOT);
        let part = root.join("site/inc/_part.qmd");
        let edits = rename_note_file(&f.workspace, &part, &root.join("site/inc/_renamed.qmd"));
        assert_eq!(
            show_edits(&f, &edits),
            ["site/page.qmd:1:13-1:26 \"inc/_part.qmd\" ← \"inc/_renamed.qmd\""]
        );
        let page = root.join("site/page.qmd");
        let edits = rename_note_file(&f.workspace, &page, &root.join("site/home.qmd"));
        assert_eq!(
            show_edits(&f, &edits),
            ["site/other.qmd:1:5-1:13 \"page.qmd\" ← \"home.qmd\""]
        );
        let render = root.join("site/render.qmd");
        let edits = rename_note_file(&f.workspace, &render, &root.join("site/render2.qmd"));
        assert_eq!(
            show_edits(&f, &edits),
            ["site/inc/_part.qmd:3:5-3:15 \"render.qmd\" ← \"render2.qmd\""]
        );
    }

    #[test]
    fn moving_a_note_updates_paths_and_stems() {
        let f = fixture("//- papers/scaling.md\n# S\n[[../index]]\n//- index.md\n[[scaling]] [[papers/scaling#S]] [[/papers/scaling.md]] [t](papers/scaling.md)$0\n//- notes/n.md\n[[../papers/scaling]]\n");
        let old = Path::new(ROOT).join("papers/scaling.md");
        let new = Path::new(ROOT).join("archive/2020/kaplan.md");
        let edits = rename_note_file(&f.workspace, &old, &new);
        assert_eq!(
            show_edits(&f, &edits),
            [
                "index.md:1:3-1:10 \"scaling\" ← \"kaplan\"",
                "index.md:1:15-1:29 \"papers/scaling\" ← \"archive/2020/kaplan\"",
                "index.md:1:36-1:54 \"/papers/scaling.md\" ← \"/archive/2020/kaplan.md\"",
                "index.md:1:61-1:78 \"papers/scaling.md\" ← \"archive/2020/kaplan.md\"",
                "notes/n.md:1:3-1:20 \"../papers/scaling\" ← \"../archive/2020/kaplan\"",
            ]
        );
    }

    /// Found in review: a site's link to a page as rendered
    /// (`defaults.html`) lost its extension when the note moved.
    #[test]
    fn moving_a_sites_page_keeps_its_rendered_name() {
        let f = fixture(
            "//- export/defaults.md\n# D\n//- guide/导入.md\n😀 [D](../export/defaults.html#d)$0\n",
        );
        let old = Path::new(ROOT).join("export/defaults.md");
        let new = Path::new(ROOT).join("settings.md");
        let edits = rename_note_file(&f.workspace, &old, &new);
        assert_eq!(
            show_edits(&f, &edits),
            ["guide/导入.md:1:7-1:30 \"../export/defaults.html\" ← \"../settings.html\""]
        );
    }
}
