//! Glossary entries: list items under a glossary heading, top-level list
//! items of a glossary file, and Pandoc definition lists anywhere.

use std::ops::Range;

use crate::syntax::{parse_glossary_entry, Block, BlockKind, Spanned};

use super::names::normalize;

/// One defined term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryEntry {
    pub term: Spanned<String>,
    pub aliases: Vec<Spanned<String>>,
    /// The definition, continuation lines and nested items included.
    pub definition: Range<usize>,
    /// Whether the term heads a Pandoc definition list (`Term` then
    /// `: definition`) rather than an item of a glossary list.
    pub in_definition_list: bool,
}

impl GlossaryEntry {
    /// The term, then the aliases.
    pub fn names(&self) -> impl Iterator<Item = &Spanned<String>> {
        std::iter::once(&self.term).chain(&self.aliases)
    }
}

/// Where list items define terms.
#[derive(Clone, Copy)]
enum Scope {
    /// Under a glossary heading of this level.
    Section { level: u8 },
    /// The whole file.
    File,
}

/// The entries of one note.
pub fn entries(
    text: &str,
    blocks: &[Block],
    is_glossary_file: bool,
    section_names: &[String],
) -> Vec<GlossaryEntry> {
    let mut out: Vec<GlossaryEntry> = Vec::new();
    let mut scope = is_glossary_file.then_some(Scope::File);
    // The indentation of the items that define terms in the current scope;
    // deeper items continue the previous definition.
    let mut entry_indent: Option<u16> = None;
    // Whether the last entry may still take continuation lines.
    let mut open = false;
    let section_names: Vec<String> = section_names.iter().map(|n| normalize(n)).collect();

    for (i, block) in blocks.iter().enumerate() {
        match block.kind {
            BlockKind::Heading { level } => {
                open = false;
                if let Some(Scope::Section { level: section }) = scope {
                    if level <= section {
                        scope = is_glossary_file.then_some(Scope::File);
                    }
                }
                let heading = normalize(&text[block.content()]);
                if section_names.contains(&heading) {
                    scope = Some(Scope::Section { level });
                    entry_indent = None;
                }
            }
            BlockKind::ListItem { indent } if scope.is_some() => {
                let defines = entry_indent.is_none_or(|base| indent <= base);
                if defines {
                    entry_indent = Some(entry_indent.map_or(indent, |base| base.min(indent)));
                    let content = &text[block.content()];
                    match parse_glossary_entry(content, block.content().start) {
                        Some(entry) => {
                            out.push(GlossaryEntry {
                                term: entry.term,
                                aliases: entry.aliases,
                                definition: entry.definition,
                                in_definition_list: false,
                            });
                            open = true;
                        }
                        None => open = false,
                    }
                } else if open {
                    extend(&mut out, block.range().end);
                }
            }
            BlockKind::Definition => {
                let term = i.checked_sub(1).map(|p| &blocks[p]);
                let follows_term = term.is_some_and(|t| {
                    t.kind == BlockKind::Line
                        && is_next_line(text, t.range().end, block.range().start)
                });
                if follows_term {
                    let term = term.expect("checked above");
                    let name = text[term.content()].to_string();
                    out.push(GlossaryEntry {
                        term: Spanned {
                            value: name,
                            range: term.content(),
                        },
                        aliases: Vec::new(),
                        definition: block.content(),
                        in_definition_list: true,
                    });
                    open = true;
                } else if open && is_next_line(text, blocks[i - 1].range().end, block.range().start)
                {
                    extend(&mut out, block.range().end);
                } else {
                    open = false;
                }
            }
            BlockKind::Line | BlockKind::Quote | BlockKind::Code if open => {
                // A continuation line of the entry's paragraph, if it
                // directly follows and is indented.
                let previous_end = blocks[i - 1].range().end;
                let indented = text[block.range()].starts_with([' ', '\t']);
                if indented && is_next_line(text, previous_end, block.range().start) {
                    extend(&mut out, block.range().end);
                } else {
                    open = false;
                }
            }
            _ => open = false,
        }
    }
    out
}

/// Whether [`entries`] may find any entry in `text`, known without
/// parsing it: it is a glossary file, or a line may be a heading that names
/// a glossary section or a definition (`: …`, `~ …`). Never false where
/// there are entries (a test holds it to that); a note it is false of
/// defines no term, and its names are known from its front matter alone.
pub fn may_define_terms(text: &str, is_glossary_file: bool, section_names: &[String]) -> bool {
    if is_glossary_file {
        return true;
    }
    let section_names: Vec<String> = section_names.iter().map(|n| normalize(n)).collect();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let names_a_section = |line: &str| {
        // The heading's text is part of the line, and normalising keeps
        // that so.
        let line = normalize(line);
        section_names
            .iter()
            .any(|name| line.contains(name.as_str()))
    };
    let mut previous = "";
    // Lines, `\r\n` one break (an underline is the very next line).
    let mut lines = text
        .split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'));
    lines.any(|line| {
        // A setext heading: the line before its underline.
        let underlined = crate::syntax::setext_level(line).is_some() && names_a_section(previous);
        previous = line;
        // Looser than the grammar's markers (which allow three blanks and
        // no quote marker): a line it calls a heading or definition is
        // one of these.
        let line = line.trim_start_matches([' ', '\t', '>']);
        // A list item may hold a heading (`1. ## Glossary`).
        let line = after_list_marker(line).unwrap_or(line);
        let mut chars = line.chars();
        underlined
            || match chars.next() {
                Some(':' | '~') => chars.next().is_some_and(|c| c == ' ' || c == '\t'),
                Some('#') => names_a_section(line),
                _ => false,
            }
    })
}

/// What follows a list marker (`- `, `* `, `+ `, `1. `, `2) `) at the
/// start of `line`.
fn after_list_marker(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = match digits {
        0 => line.strip_prefix(['-', '*', '+'])?,
        1..=9 => line[digits..].strip_prefix(['.', ')'])?,
        _ => return None,
    };
    rest.starts_with([' ', '\t'])
        .then(|| rest.trim_start_matches([' ', '\t']))
}

fn extend(out: &mut [GlossaryEntry], end: usize) {
    if let Some(last) = out.last_mut() {
        last.definition.end = last.definition.end.max(end);
    }
}

/// Whether `next_start` is the start of the line right after the line that
/// ends (before its line break) at `end`.
fn is_next_line(text: &str, end: usize, next_start: usize) -> bool {
    // `None` when the next block starts inside this one (a heading in a
    // list item).
    let between = text.get(end..next_start);
    matches!(between, Some("\n" | "\r\n" | "\r"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_note;

    fn names(text: &str, is_file: bool) -> Vec<String> {
        let note = parse_note(text);
        let sections: Vec<String> = crate::workspace::config::DEFAULT_SECTION_NAMES
            .iter()
            .map(|s| s.to_string())
            .collect();
        entries(text, &note.blocks, is_file, &sections)
            .iter()
            .map(|e| {
                let aliases: Vec<_> = e.aliases.iter().map(|a| a.value.as_str()).collect();
                format!(
                    "{} {:?}: {}",
                    e.term.value,
                    aliases,
                    &text[e.definition.clone()]
                )
            })
            .collect()
    }

    proptest::proptest! {
        /// A note [`may_define_terms`] says defines nothing has no entry:
        /// its names are read from its front matter alone. Lines mix
        /// headings (of sections or not, in other cases and widths, quoted,
        /// indented, CRLF), definitions and list items.
        #[test]
        fn notes_said_to_define_nothing_have_no_entry(
            lines in proptest::collection::vec(proptest::sample::select(vec![
                "# Glossary", "## 名词解释", "###  GLOSSARY  ##", "# Ｇｌｏｓｓａｒｙ", "#Glossary",
                "   # Terms", "> # Glossary", "# Glossary of terms", "# Notes", "## 术语表 😀",
                "- **CoT** (思维链): 逐步推理", "- term: definition", "  - nested: item",
                "Term", ": definition", "~ definition", "   : indented", "\t: tab", ":no blank",
                "> : quoted", "```", "~~~", "text 😀", "", "---", "title: x",
                "- ## Glossary", "1. ### 名词解释", "  2) # Terms", "-## Glossary",
                "Glossary", "名词解释 😀", "===", "-----", "   --", "    ---",
            ]), 0..12),
            crlf in proptest::bool::ANY,
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            let sections: Vec<String> = crate::workspace::config::DEFAULT_SECTION_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect();
            if !may_define_terms(&text, false, &sections) {
                let note = parse_note(&text);
                proptest::prop_assert!(entries(&text, &note.blocks, false, &sections).is_empty());
            }
        }
    }

    #[test]
    fn what_may_define_terms() {
        let sections = ["Glossary".to_string()];
        let may = |text: &str| may_define_terms(text, false, &sections);
        assert!(may("x\n## Ｇｌｏｓｓａｒｙ\n- a: b"));
        assert!(may("Term\r\n: definition 😀"));
        assert!(may("\u{feff}# glossary"));
        assert!(!may("# Notes 😀\n- a: b\n:no blank\nglossary"));
        assert!(may_define_terms("- a: b", true, &sections));
        assert!(may("Glossary 😀\r\n--------\r\n- a: b"));
        assert!(!may("Glossary\n\n---\n- a: b"));
    }

    #[test]
    fn section_entries_until_next_heading() {
        let text = "# Note\n- not: an entry\n## 名词解释\n- **CoT**（思维链）：逐步推理\n  - 细节一\n  continued\n- FFN (Feed-Forward Network) 前馈层\n- plain sentence\n### Sub\n- Sub: deeper heading still in section\n## Next\n- Out: of section\n";
        assert_eq!(
            names(text, false),
            [
                "CoT [\"思维链\"]: 逐步推理\n  - 细节一\n  continued",
                "FFN [\"Feed-Forward Network\"]: 前馈层",
                "Sub []: deeper heading still in section",
            ]
        );
    }

    #[test]
    fn glossary_file_top_level_items() {
        let text = "# Glossary of my vault\n- Transformer: architecture\n  - Attention: nested, part of the definition\n- Token：子词单元\n";
        assert_eq!(
            names(text, true),
            [
                "Transformer []: architecture\n  - Attention: nested, part of the definition",
                "Token []: 子词单元",
            ]
        );
    }

    #[test]
    fn definition_lists_anywhere() {
        let text =
            "Some paragraph.\n\nPerplexity\n: exp of the loss\n: second definition\n\n: orphan\n";
        assert_eq!(
            names(text, false),
            ["Perplexity []: exp of the loss\n: second definition"]
        );
    }

    #[test]
    fn crlf_sections() {
        let text = "## Terms\r\n- RAG: retrieval\r\n";
        assert_eq!(names(text, false), ["RAG []: retrieval"]);
    }
}
