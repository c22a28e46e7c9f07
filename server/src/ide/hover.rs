//! Hover: the glossary entry behind a concept link, the note or heading a
//! link opens, the formatted reference of a citation or of a paper
//! mentioned by title, or what is wrong with a broken one.

use std::ops::Range;

use super::cursor::{item_at, Item};
use super::reference_format::{format_reference, paper_links};
use super::{diagnostics_within, Code};
use crate::syntax::{BlockKind, CitationItem, Link};
use crate::workspace::titles::TitleMention;
use crate::workspace::{
    Anchor, EntryId, KeyKind, KeyLocation, Note, NoteId, Resolution, Workspace,
};

/// References a hover on a citation group shows, at most.
const MAX_STACKED: usize = 10;

/// What hover shows beyond the essentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoverConfig {
    /// Definitions on plain-text mentions of glossary terms.
    pub mentions: bool,
    /// Abstracts of cited papers.
    pub abstracts: bool,
    /// What is wrong with a broken link or an unknown key. Off while the
    /// workspace is first read: a link may look broken only because its
    /// target is not read yet (diagnostics are held back then too).
    pub problems: bool,
}

impl Default for HoverConfig {
    fn default() -> HoverConfig {
        HoverConfig {
            mentions: true,
            abstracts: false,
            problems: true,
        }
    }
}

/// Markdown to show, and the range it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    pub range: Range<usize>,
    pub markdown: String,
}

pub fn hover(
    workspace: &Workspace,
    note: NoteId,
    offset: usize,
    config: HoverConfig,
) -> Option<HoverResult> {
    let Some(item) = item_at(workspace, note, offset) else {
        return config
            .mentions
            .then(|| mention_hover(workspace, note, offset))
            .flatten();
    };
    match item {
        Item::Link(link) => link_hover(workspace, note, link, config),
        Item::Citation(citation) => citation_hover(workspace, note, citation, offset, config),
        Item::Entry(entry) => {
            let range = workspace
                .entry(entry)
                .names()
                .find(|n| n.range.start <= offset && offset <= n.range.end)
                .map(|n| n.range.clone())?;
            Some(HoverResult {
                range,
                markdown: entry_markdown(workspace, entry),
            })
        }
        Item::Title(mention) => title_hover(workspace, note, mention, config),
        // A heading may be a paper's title.
        Item::Heading(_) => {
            let mention = workspace.title_mention_at(note, offset)?;
            title_hover(workspace, note, mention, config)
        }
    }
}

/// A paper mentioned by its title: its reference, as for a key.
fn title_hover(
    workspace: &Workspace,
    note: NoteId,
    mention: TitleMention,
    config: HoverConfig,
) -> Option<HoverResult> {
    let at = workspace.title_location(note, mention.title)?;
    Some(HoverResult {
        range: mention.range,
        markdown: reference_markdown(workspace, at, None, config),
    })
}

/// A glossary term mentioned in plain text (outside code).
fn mention_hover(workspace: &Workspace, note: NoteId, offset: usize) -> Option<HoverResult> {
    let n = workspace.note(note);
    let block = n
        .syntax
        .blocks
        .iter()
        .find(|b| b.range().start <= offset && offset <= b.range().end)?;
    if block.kind == BlockKind::Code {
        return None;
    }
    let (entry, range) =
        workspace.mention_at(&n.file.text()[block.range()], offset - block.range().start)?;
    Some(HoverResult {
        range: block.range().start + range.start..block.range().start + range.end,
        markdown: entry_markdown(workspace, entry),
    })
}

fn location(workspace: &Workspace, note: NoteId, offset: usize) -> String {
    let file = &workspace.note(note).file;
    format!("{}:{}", file.rel, file.line_index().line_of(offset) + 1)
}

/// `**Term** (Alias, Alias 2)`, the definition, and where it is defined.
pub fn entry_markdown(workspace: &Workspace, id: EntryId) -> String {
    let entry = workspace.entry(id);
    let text = workspace.note(id.note).file.text();
    let mut out = format!("**{}**", entry.term.value);
    if !entry.aliases.is_empty() {
        let aliases: Vec<&str> = entry.aliases.iter().map(|a| a.value.as_str()).collect();
        out.push_str(&format!(" ({})", aliases.join(", ")));
    }
    let definition = text[entry.definition.clone()].trim();
    if !definition.is_empty() {
        out.push_str("\n\n");
        out.push_str(definition);
    }
    out.push_str(&format!(
        "\n\n*{}*",
        location(workspace, id.note, entry.term.range.start)
    ));
    out
}

/// The first paragraph (consecutive plain lines) from block `from` on. Within
/// a section it stops at the next heading; for a whole note it skips the
/// headings at the top.
fn first_paragraph(note: &Note, from: usize, within_section: bool) -> Option<String> {
    let text = note.file.text();
    let mut lines: Vec<&str> = Vec::new();
    let mut previous_end = None;
    for block in note.syntax.blocks.iter().skip(from) {
        let is_heading = matches!(block.kind, BlockKind::Heading { .. });
        if block.kind != BlockKind::Line {
            if !lines.is_empty() || (is_heading && within_section) {
                break;
            }
            continue;
        }
        // A blank line ends the paragraph.
        if let Some(end) = previous_end {
            let between = &text[end..block.range().start];
            if between.matches('\n').count() + between.matches('\r').count()
                - between.matches("\r\n").count()
                > 1
            {
                break;
            }
        }
        lines.push(text[block.content()].trim());
        previous_end = Some(block.range().end);
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

pub(super) fn note_markdown(workspace: &Workspace, note: NoteId, heading: Option<usize>) -> String {
    let n = workspace.note(note);
    let mut out = format!("**{}**", n.title());
    let paragraph = match heading {
        Some(block) => {
            let b = &n.syntax.blocks[block];
            out.push_str(&format!(" › {}", &n.file.text()[b.content()]));
            first_paragraph(n, block + 1, true)
        }
        None => first_paragraph(n, 0, false),
    };
    if let Some(paragraph) = paragraph {
        out.push_str("\n\n");
        out.push_str(&paragraph);
    }
    let offset = heading.map_or(0, |b| n.syntax.blocks[b].range().start);
    out.push_str(&format!("\n\n*{}*", location(workspace, note, offset)));
    out
}

fn link_hover(
    workspace: &Workspace,
    note: NoteId,
    link: &Link,
    config: HoverConfig,
) -> Option<HoverResult> {
    let range = link.range();
    let markdown = match workspace.resolve_link(note, link) {
        Resolution::Glossary(entry) => entry_markdown(workspace, entry),
        Resolution::Note {
            note: target,
            anchor: Some(Anchor::Block(block)),
        } => block_markdown(workspace, target, &block),
        Resolution::Note {
            note: target,
            anchor: Some(Anchor::Heading(block)),
        } => note_markdown(workspace, target, Some(block)),
        Resolution::Note { note: target, .. } => note_markdown(workspace, target, None),
        Resolution::File(index) => file_markdown(workspace, index),
        Resolution::Folder => format!("folder `{}`", link.target()?.value),
        _ if config.problems => problem_markdown(workspace, note, &range)?,
        _ => return None,
    };
    Some(HoverResult { range, markdown })
}

/// A block named by `^id`: its text and where it is.
pub(super) fn block_markdown(workspace: &Workspace, note: NoteId, block: &Range<usize>) -> String {
    let n = workspace.note(note);
    let text = n.file.text()[block.clone()].trim();
    // The ` ^id` marker is how the block is named, not what it says.
    let text = match text.rsplit_once(char::is_whitespace) {
        Some((before, id)) if id.starts_with('^') => before.trim_end(),
        _ => text,
    };
    format!(
        "**{}** › block\n\n{text}\n\n*{}*",
        n.title(),
        location(workspace, note, block.start)
    )
}

/// A file that is not a note: its path, and for an image a preview.
fn file_markdown(workspace: &Workspace, index: usize) -> String {
    let rel = workspace.files().other(index).unwrap_or("");
    let mut out = format!("`{rel}`");
    let is_image = rel.rsplit_once('.').is_some_and(|(_, ext)| {
        ["png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
    });
    if is_image {
        let path = crate::workspace::path_of_rel(workspace, rel);
        out.push_str(&format!("\n\n![{rel}]({})", file_url(&path)));
    }
    out
}

/// `file://` and the path, with every byte that cannot stand in a Markdown
/// link destination or a URL percent-encoded.
fn file_url(path: &std::path::Path) -> String {
    let mut out = String::from("file://");
    for &byte in path.to_string_lossy().as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// What `gloss check` says about `range`, so hover and diagnostics agree.
fn problem_markdown(workspace: &Workspace, note: NoteId, range: &Range<usize>) -> Option<String> {
    let problems: Vec<String> = diagnostics_within(workspace, note, range)
        .into_iter()
        .filter(|d| d.range.start >= range.start && d.range.end <= range.end)
        .map(|d| format!("**{}** `{}`", d.message, d.code.as_str()))
        .collect();
    (!problems.is_empty()).then(|| problems.join("\n\n"))
}

fn citation_hover(
    workspace: &Workspace,
    note: NoteId,
    citation: &CitationItem,
    offset: usize,
    config: HoverConfig,
) -> Option<HoverResult> {
    let syntax = &workspace.note(note).syntax;
    // On a key: that key. Elsewhere in a group: every item, stacked.
    // Keys of a filter the note is not written for (`@fig-x` outside
    // Quarto) are not explained.
    let explained = |c: &&CitationItem| workspace.key_kind(note, c.key().value) != KeyKind::Neither;
    let items: Vec<&CitationItem> =
        if citation.key().range.start <= offset && offset <= citation.key().range.end {
            vec![citation]
        } else {
            syntax
                .citations
                .iter()
                .filter(|c| c.token() == citation.token())
                .collect()
        };
    let items: Vec<&CitationItem> = items.into_iter().filter(explained).collect();
    if items.is_empty() {
        return None;
    }
    let range = if items.len() == 1 {
        items[0].key().range
    } else {
        citation.token()
    };
    // A group of thousands of keys shows the first few and a count: each
    // costs a CSL rendering.
    let more = items.len().saturating_sub(MAX_STACKED);
    let mut parts: Vec<String> = items
        .iter()
        .take(MAX_STACKED)
        .filter_map(|item| {
            let label = match workspace.key_kind(note, item.key().value) {
                KeyKind::CrossReference(label) => Some(label),
                _ => None,
            };
            if let Some(markdown) = label.and_then(|l| cross_reference_markdown(workspace, &l)) {
                return Some(markdown);
            }
            match workspace.key_location(note, item.key().value) {
                Some(location) => Some(workspace.note(note).file.with_text(|text| {
                    reference_markdown(workspace, location, item.suffix(text), config)
                })),
                // Its bibliography may not be read yet.
                None if !config.problems => None,
                None => Some(
                    problem_markdown(workspace, note, &item.key().range).unwrap_or_else(|| {
                        format!(
                            "**unknown citation key '{}'** `{}`",
                            item.key().value,
                            Code::UnknownCitation.as_str()
                        )
                    }),
                ),
            }
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    if more > 0 {
        parts.push(format!("*and {more} more*"));
    }
    Some(HoverResult {
        range,
        markdown: parts.join("\n\n---\n\n"),
    })
}

/// A cross-reference's `label`, where it exists: the line that defines it
/// (a heading, a caption, a chunk option) and where.
pub(super) fn cross_reference_markdown(workspace: &Workspace, label: &str) -> Option<String> {
    let (note, range) = workspace.label(label)?;
    let note = workspace.note(note);
    let text = note.file.text();
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| range.end + i);
    let line = crate::workspace::read::excerpt(text[line_start..line_end].trim(), 200);
    Some(format!("{line}\n\n*{}*", note.file.rel))
}

/// A cited paper: the reference in the configured style (plain when the CSL
/// engine cannot convert the entry), the locator, links that open it, the
/// abstract if asked for, and where it is defined.
fn reference_markdown(
    workspace: &Workspace,
    location: KeyLocation,
    suffix: Option<&str>,
    config: HoverConfig,
) -> String {
    let entry = workspace.bib_entry(location);
    let bib = &workspace.bibliographies[location.bib];
    let mut out = bib
        .format_entry(entry, &workspace.config.citation_style)
        .unwrap_or_else(|| format_reference(entry));
    if let Some(suffix) = suffix {
        out.push_str(&format!(" — {suffix}"));
    }
    let mut links: Vec<String> = paper_links(entry)
        .into_iter()
        .map(|l| format!("[{}]({})", l.label, l.target))
        .collect();
    links.push(format!("[Zotero](zotero://select/items/@{})", entry.key));
    out.push_str("\n\n");
    out.push_str(&links.join(" · "));
    if let Some(text) = entry.abstract_text.as_ref().filter(|_| config.abstracts) {
        out.push_str(&format!("\n\n> {text}"));
    }
    let line = bib.file.line_index().line_of(entry.key_range.start) + 1;
    out.push_str(&format!("\n\n*{}:{line}*", bib.file.rel));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let f = fixture(text);
        let (note, offset) = f.cursor();
        let result = match hover(&f.workspace, note, offset, HoverConfig::default()) {
            Some(h) => format!(
                "{}\n{}",
                f.show(crate::ide::FileId::Note(note), &h.range),
                h.markdown
            ),
            None => "no hover".to_string(),
        };
        expect.assert_eq(&result);
    }

    const VAULT: &str = r#"//- glossary.md
# Glossary
- CoT（Chain of Thought，思维链）：先写推理步骤 [@wei2022chain]。
  - 细节也算定义的一部分。
//- papers/scaling.md
---
title: Scaling Laws 笔记
---
# Scaling 📈
损失随规模按幂律下降。
第二行。

## Chinchilla
参数和数据等比例增长。
//- refs.bib
@inproceedings{wei2022chain,
  title = {Chain-of-Thought Prompting Elicits Reasoning in Large Language Models},
  author = {Wei, Jason and Wang, Xuezhi and Zhou, Denny},
  booktitle = {NeurIPS},
  year = 2022,
  eprint = {2201.11903}, archivePrefix = {arXiv},
}
"#;

    #[test]
    fn glossary_link_on_a_line_with_emoji_and_crlf() {
        check(
            &format!("{VAULT}//- a.md\n😀😀 中文 [[思维$0链]]\r\n"),
            expect![[r#"
                a.md:1:7-1:14 "[[思维链]]"
                **CoT** (Chain of Thought, 思维链)

                先写推理步骤 [@wei2022chain]。
                  - 细节也算定义的一部分。

                *glossary.md:2*"#]],
        );
    }

    /// A note's `references:` (CSL YAML in its front matter) format like
    /// any entry.
    #[test]
    fn inline_reference_in_the_front_matter() {
        check(
            "//- a.md\n---\nreferences:\n- id: vaswani2017\n  type: paper-conference\n  title: Attention is all you need\n  author:\n  - family: Vaswani\n    given: Ashish\n  container-title: NeurIPS\n  issued: 2017\n  DOI: 10.48550/arXiv.1706.03762\n---\n😀 注意力 [@vasw$0ani2017]\r\n",
            expect![[r#"
                a.md:13:9-13:20 "vaswani2017"
                Vaswani, A. (2017). Attention is all you need. Neurips. https://doi.org/10.48550/arXiv.1706.03762

                [doi:10.48550/arXiv.1706.03762](https://doi.org/10.48550/arXiv.1706.03762) · [Zotero](zotero://select/items/@vaswani2017)

                *a.md:3*"#]],
        );
    }

    #[test]
    fn note_and_heading_links() {
        check(
            &format!("{VAULT}//- a.md\nsee [[papers/scaling$0]]\n"),
            expect![[r#"
                a.md:1:5-1:23 "[[papers/scaling]]"
                **Scaling Laws 笔记**

                损失随规模按幂律下降。
                第二行。

                *papers/scaling.md:1*"#]],
        );
        check(
            &format!("{VAULT}//- a.md\nsee [[Scaling Laws 笔记#Chinchilla$0]]\n"),
            expect![[r#"
                a.md:1:5-1:35 "[[Scaling Laws 笔记#Chinchilla]]"
                **Scaling Laws 笔记** › Chinchilla

                参数和数据等比例增长。

                *papers/scaling.md:8*"#]],
        );
    }

    const TARGETS: &str = "//- Sidebar.md\n# Open hidden sidebars\n## Mobile 📱\nSwipe from the edge.\n## Desktop\n侧栏可以拖动。 ^drag-tip\n//- Attachments/diagram one.png\nPNG\n//- papers/paper.pdf\nPDF\n";

    #[test]
    fn attachments_blocks_chains_and_front_matter_links() {
        check(
            &format!("{TARGETS}//- a.md\n😀 ![[diagram one.png$0|300]]\n"),
            expect![[r#"
                a.md:1:3-1:27 "![[diagram one.png|300]]"
                `Attachments/diagram one.png`

                ![Attachments/diagram one.png](file:///vault/Attachments/diagram%20one.png)"#]],
        );
        check(
            &format!("{TARGETS}//- a.md\n[[paper.pdf#page=$03]]\n"),
            expect![[r#"
                a.md:1:1-1:21 "[[paper.pdf#page=3]]"
                `papers/paper.pdf`"#]],
        );
        check(
            &format!("{TARGETS}//- a.md\n中文 [[Sidebar#^drag$0-tip]]\r\n"),
            expect![[r#"
                a.md:1:4-1:25 "[[Sidebar#^drag-tip]]"
                **Open hidden sidebars** › block

                侧栏可以拖动。

                *Sidebar.md:5*"#]],
        );
        check(
            &format!("{TARGETS}//- a.md\n[[Sidebar#Open hidden sidebars#Mobile$0]]\n"),
            expect![[r#"
                a.md:1:1-1:40 "[[Sidebar#Open hidden sidebars#Mobile]]"
                **Open hidden sidebars** › Mobile 📱

                Swipe from the edge.

                *Sidebar.md:2*"#]],
        );
        check(
            &format!("{TARGETS}//- a.md\n---\nrelated:\n  - \"[[Side$0bar]]\"\n---\n"),
            expect![[r#"
                a.md:3:6-3:17 "[[Sidebar]]"
                **Open hidden sidebars**

                Swipe from the edge.

                *Sidebar.md:1*"#]],
        );
        check(
            &format!("{TARGETS}//- a.md\n[[Sidebar#^no-such$0-block]]\n"),
            expect![[r#"
                a.md:1:1-1:27 "[[Sidebar#^no-such-block]]"
                **no block '^no-such-block' in 'Sidebar.md'** `broken-anchor`"#]],
        );
    }

    #[test]
    fn citation_with_locator_and_links() {
        check(
            &format!("{VAULT}//- a.md\n如 [see @wei2022$0chain, p. 3] 所示\n"),
            expect![[r#"
                a.md:1:9-1:21 "wei2022chain"
                Wei, J., Wang, X., & Zhou, D. (2022). Chain-of-Thought Prompting Elicits Reasoning in Large Language Models. Neurips. — p. 3

                [arXiv:2201.11903](https://arxiv.org/abs/2201.11903) · [Zotero](zotero://select/items/@wei2022chain)

                *refs.bib:1*"#]],
        );
    }

    #[test]
    fn cross_reference_to_a_label() {
        let thesis = "//- 02-method.md\n# 方法 😀 {#sec:method}\r\n//- 01-intro.md\n";
        check(
            &format!("{thesis}见 [@Sec:met$0hod]\n"),
            expect![[r#"
                01-intro.md:1:5-1:15 "Sec:method"
                # 方法 😀 {#sec:method}

                *02-method.md*"#]],
        );
        check(
            &format!("{thesis}见 @sec:go$0ne\n"),
            expect![[r#"
                01-intro.md:1:4-1:12 "sec:gone"
                **no label 'sec:gone' ({#sec:gone})** `broken-cross-reference`"#]],
        );
    }

    #[test]
    fn abstracts_behind_a_setting() {
        let text =
            "//- refs.bib\n@misc{k, title={T}, abstract={We study things.}}\n//- a.md\n@k$0\n";
        let f = fixture(text);
        let (note, offset) = f.cursor();
        let with = HoverConfig {
            abstracts: true,
            ..HoverConfig::default()
        };
        assert!(hover(&f.workspace, note, offset, with)
            .unwrap()
            .markdown
            .contains("> We study things."));
        let without = hover(&f.workspace, note, offset, HoverConfig::default()).unwrap();
        assert!(!without.markdown.contains("We study"));
    }

    #[test]
    fn broken_link_and_unknown_key_explain_themselves() {
        check(
            &format!("{VAULT}//- a.md\n[[Chian of Though$0t]]\n"),
            expect![[r#"
                a.md:1:1-1:21 "[[Chian of Thought]]"
                **no concept or note named 'Chian of Thought'; did you mean 'Chain of Thought'?** `broken-link`"#]],
        );
        check(
            &format!("{VAULT}//- a.md\n[@wei2022chian$0; @wei2022chain]\n"),
            expect![[r#"
                a.md:1:3-1:15 "wei2022chian"
                **unknown citation key 'wei2022chian'; did you mean 'wei2022chain'?** `unknown-citation`"#]],
        );
    }

    /// Found by the second hardening round: a group of 60,000 keys was
    /// formatted whole (24 s, a 7 MB reply).
    #[test]
    fn a_huge_group_shows_its_first_items_and_a_count() {
        let keys: Vec<String> = (0..500).map(|i| format!("@k{i}")).collect();
        let text = format!(
            "//- refs.bib\n@misc{{k1, title={{T}}}}\n//- a.md\n$0[{}]\n",
            keys.join("; ")
        );
        let f = fixture(&text);
        let (note, offset) = f.cursor();
        let markdown = hover(&f.workspace, note, offset, HoverConfig::default())
            .unwrap()
            .markdown;
        assert_eq!(markdown.matches("\n---\n").count(), MAX_STACKED);
        assert!(markdown.ends_with("*and 490 more*"), "{markdown}");
    }

    /// The glossary's "Chain of Thought" is inside the title: the paper,
    /// the longer match, wins.
    #[test]
    fn a_paper_mentioned_by_title_on_a_cjk_line() {
        check(
            &format!("{VAULT}//- a.md\n😀 见“Chain of Thought Prompting Elicits Reasoning in Large Lang$0uage Models”。\r\n"),
            expect![[r#"
                a.md:1:5-1:74 "Chain of Thought Prompting Elicits Reasoning in Large Language Models"
                Wei, J., Wang, X., & Zhou, D. (2022). Chain-of-Thought Prompting Elicits Reasoning in Large Language Models. Neurips.

                [arXiv:2201.11903](https://arxiv.org/abs/2201.11903) · [Zotero](zotero://select/items/@wei2022chain)

                *refs.bib:1*"#]],
        );
        check(
            &format!("{VAULT}//- a.md\n😀 见 Chain of Tho$0ught 的解释\n"),
            expect![[r#"
                a.md:1:5-1:21 "Chain of Thought"
                **CoT** (Chain of Thought, 思维链)

                先写推理步骤 [@wei2022chain]。
                  - 细节也算定义的一部分。

                *glossary.md:2*"#]],
        );
    }

    #[test]
    fn definition_site_and_plain_text() {
        check(
            "//- glossary.md\n- Tok$0en：子词单元\n",
            expect![[r#"
                glossary.md:1:3-1:8 "Token"
                **Token**

                子词单元

                *glossary.md:1*"#]],
        );
        check("//- a.md\nplain $0text\n", expect!["no hover"]);
    }

    #[test]
    fn plain_mentions_whole_words_for_latin_substrings_for_cjk() {
        let vault = "//- glossary.md\n- RAG (Retrieval-Augmented Generation): retrieval first\n- 思维链：逐步推理\n";
        check(
            &format!("{vault}//- a.md\n我们用 ra$0g 检索\n"),
            expect![[r#"
                a.md:1:5-1:8 "rag"
                **RAG** (Retrieval-Augmented Generation)

                retrieval first

                *glossary.md:1*"#]],
        );
        check(
            &format!("{vault}//- a.md\na frag$0ment\n"),
            expect!["no hover"],
        );
        check(
            &format!("{vault}//- a.md\n用思维$0链推理\n"),
            expect![[r#"
                a.md:1:2-1:5 "思维链"
                **思维链**

                逐步推理

                *glossary.md:2*"#]],
        );
        check(
            &format!("{vault}//- a.md\n```\nRA$0G\n```\n"),
            expect!["no hover"],
        );
    }
}
