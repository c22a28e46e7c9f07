//! Inlay hints: who wrote a cited paper, and when (`Kaplan et al. 2020`),
//! after its key or its title, so a note reads without hovering.

use std::ops::Range;

use super::title_mentions::{resolved, short_label, Citing};
use crate::workspace::{KeyKind, KeyLocation, NoteId, Workspace};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint goes: after the key or the title.
    pub offset: usize,
    pub label: String,
    /// The paper's title.
    pub tooltip: Option<String>,
}

/// The hints of note `note` within `range`.
pub fn inlay_hints(workspace: &Workspace, note: NoteId, range: Range<usize>) -> Vec<InlayHint> {
    let within = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
    let keys = workspace
        .note(note)
        .syntax
        .citations
        .iter()
        .filter(|c| within(&c.key().range))
        .filter(|c| workspace.key_kind(note, c.key().value) == KeyKind::Citation)
        .filter_map(|c| {
            Some((
                c.key().range.end,
                workspace.key_location(note, c.key().value)?,
            ))
        });
    // A title its key cites on the line gets the key's hint only.
    let citing = Citing::of(workspace, note);
    let titles = resolved(workspace, note)
        .into_iter()
        .filter(|(m, _)| within(&m.outer) && !citing.cites(workspace, note, m))
        .map(|(m, at)| (m.outer.end, at));
    let mut hints: Vec<InlayHint> = keys
        .chain(titles)
        .map(|(offset, at)| hint(workspace, offset, at))
        .collect();
    hints.sort_by_key(|h| h.offset);
    hints
}

fn hint(workspace: &Workspace, offset: usize, at: KeyLocation) -> InlayHint {
    let entry = workspace.bib_entry(at);
    InlayHint {
        offset,
        label: short_label(entry),
        tooltip: entry.title.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    #[test]
    fn after_keys_and_titles_on_emoji_and_cjk_lines() {
        let f = fixture(
            "//- refs.bib\n@article{kaplan2020, title={Scaling Laws for Neural Language Models}, author={Kaplan, Jared and McCandlish, Sam and Henighan, Tom}, year={2020}}\n@article{solo, title={One}, author={Vaswani, Ashish}, year={2017}}\n@article{pair, title={Two}, author={Wei, Jason and Zhou, Denny}}\n//- n.md\n😀 研究来源:Scaling Laws for Neural Language Models——OpenAI [@solo; @pair] @missing$0\n",
        );
        let (note, _) = f.cursor();
        let text = f.workspace.note(note).file.text();
        let shown: Vec<String> = inlay_hints(&f.workspace, note, 0..text.len())
            .iter()
            .map(|h| {
                let before: String = text[..h.offset].chars().rev().take(6).collect();
                format!("{}|{}", before.chars().rev().collect::<String>(), h.label)
            })
            .collect();
        assert_eq!(
            shown,
            [
                "Models|Kaplan et al. 2020",
                "[@solo|Vaswani 2017",
                " @pair|Wei & Zhou",
            ]
        );
        // Outside the range asked for: none.
        assert!(inlay_hints(&f.workspace, note, 0..4).is_empty());
    }
}
