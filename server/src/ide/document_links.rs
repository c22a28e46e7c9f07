//! Document links: every cited paper's DOI, arXiv page, URL or PDF, so the
//! editor opens the paper with one click on its key or its title.

use std::ops::Range;

use super::reference_format::paper_links;
use super::title_mentions::resolved;
use crate::workspace::{NoteId, Workspace};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    pub range: Range<usize>,
    pub target: String,
    pub tooltip: String,
}

pub fn document_links(workspace: &Workspace, note: NoteId) -> Vec<DocumentLink> {
    let keys = workspace
        .note(note)
        .syntax
        .citations
        .iter()
        .filter_map(|citation| {
            let at = workspace.key_location(note, citation.key().value)?;
            Some((citation.key().range, at))
        });
    let titles = resolved(workspace, note)
        .into_iter()
        .map(|(mention, at)| (mention.range, at));
    let mut links: Vec<DocumentLink> = keys
        .chain(titles)
        .filter_map(|(range, at)| {
            let link = paper_links(workspace.bib_entry(at)).into_iter().next()?;
            Some(DocumentLink {
                range,
                target: link.target,
                tooltip: format!("Open {}", link.label),
            })
        })
        .collect();
    links.sort_by_key(|l| l.range.start);
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    #[test]
    fn one_link_per_resolved_citation() {
        let f = fixture(
            "//- refs.bib\n@misc{a, doi={10.1/x}, eprint={1}, archiveprefix={arXiv}}\n@misc{b, eprint={2001.08361}, archiveprefix={arXiv}}\n@misc{c, title={no link}}\n//- n.md\n😀 [@a; @b] @c @missing$0\n",
        );
        let (note, _) = f.cursor();
        let links: Vec<String> = document_links(&f.workspace, note)
            .iter()
            .map(|l| {
                format!(
                    "{} → {}",
                    f.show(crate::ide::FileId::Note(note), &l.range),
                    l.target
                )
            })
            .collect();
        assert_eq!(
            links,
            [
                "n.md:1:5-1:6 \"a\" → https://doi.org/10.1/x",
                "n.md:1:9-1:10 \"b\" → https://arxiv.org/abs/2001.08361",
            ]
        );
    }
}
