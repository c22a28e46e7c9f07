//! Which notes a change can affect (`gloss check --changed-since`): the
//! changed notes themselves, and the notes whose links or citations point
//! at what changed — a note, a glossary entry, a bibliography entry — or at
//! what was deleted (a renamed note breaks the links to its old name).

use std::collections::HashSet;
use std::path::PathBuf;

use crate::workspace::names::normalize;
use crate::workspace::{strip_note_extension, NoteId, Resolution, Workspace};

/// What changed since a revision: paths that exist now (added or
/// modified) and paths that are gone (deleted, or renamed away), absolute;
/// and the names changed notes had then and have no more (a glossary
/// term, a title or an alias taken out).
#[derive(Debug, Default)]
pub struct Changes {
    pub changed: Vec<PathBuf>,
    pub deleted: Vec<PathBuf>,
    pub removed_names: HashSet<String>,
}

/// The normalised names a note with `text` at `path` defines: its stem,
/// title, aliases, glossary terms and their aliases.
pub fn names_in(workspace: &Workspace, path: &std::path::Path, text: &str) -> HashSet<String> {
    let file = crate::workspace::SourceFile::new(
        &workspace.root,
        path.to_path_buf(),
        text.to_string(),
        None,
    );
    let note =
        crate::workspace::Note::new(&workspace.config, file, crate::syntax::parse_note(text));
    note.keys().into_iter().map(|(name, _)| name).collect()
}

/// Whether everything must be checked again: the configuration changed.
pub fn affects_everything(workspace: &Workspace, changes: &Changes) -> bool {
    let configuration = |path: &PathBuf| {
        crate::workspace::is_configuration(path)
            || workspace
                .config
                .pandoc_defaults
                .iter()
                .any(|d| workspace.root.join(d) == *path)
    };
    changes
        .changed
        .iter()
        .chain(&changes.deleted)
        .any(configuration)
}

/// The notes to report after `changes`.
pub fn affected_notes(workspace: &Workspace, changes: &Changes) -> HashSet<NoteId> {
    let changed: HashSet<NoteId> = changes
        .changed
        .iter()
        .filter_map(|p| workspace.note_by_path(p))
        .collect();
    // Names that went: a deleted note's, and those changed notes dropped.
    // Links to them are broken now.
    let mut gone: HashSet<String> = changes
        .deleted
        .iter()
        .filter_map(|p| p.file_name()?.to_str())
        .map(|name| normalize(strip_note_extension(name)))
        .collect();
    gone.extend(changes.removed_names.iter().cloned());
    // A deleted note's Zettelkasten id may have been in its text, which
    // is not at hand: every link by an id may have lost its note.
    let note_deleted = changes.deleted.iter().any(|p| crate::workspace::is_note(p));
    let names_gone = |target: &str| {
        let last = target.rsplit('/').next().unwrap_or(target);
        // `x.html` is the page of `x.md` on a site.
        let last = last.strip_suffix(".html").unwrap_or(last);
        gone.contains(&normalize(target))
            || gone.contains(&normalize(strip_note_extension(last)))
            || (note_deleted && crate::syntax::ZettelId::parse(target.trim()).is_some())
    };
    let changed_bibliographies: HashSet<usize> = workspace
        .bibliographies
        .iter()
        .enumerate()
        .filter(|(_, b)| b.owner.is_none() && changes.changed.contains(&b.file.path))
        .map(|(id, _)| id)
        .collect();
    let bibliography_gone = changes
        .deleted
        .iter()
        .any(|p| crate::workspace::BibFormat::from_path(p).is_some());

    // Where titles count (`title-citation` is on), a changed bibliography
    // may make a title of it appear in any note.
    let titles_count = workspace
        .config
        .severity(crate::workspace::Code::TitleCitation)
        .is_some();
    if titles_count && (bibliography_gone || !changed_bibliographies.is_empty()) {
        return workspace.notes().map(|(id, _)| id).collect();
    }

    // A Quarto part's headings are anchors of the pages that include it.
    let mut targets = changed.clone();
    for &part in &changed {
        targets.extend(workspace.pages_including(part));
    }
    let mut out = changed.clone();
    for (id, note) in workspace.notes() {
        if out.contains(&id) {
            continue;
        }
        let by_link = note
            .syntax
            .links
            .iter()
            .any(|link| match workspace.resolve_link(id, link) {
                Resolution::Note { note, .. } | Resolution::BrokenAnchor { note } => {
                    targets.contains(&note)
                }
                Resolution::Glossary(entry) => changed.contains(&entry.note),
                Resolution::Unresolved => link.target().is_some_and(|t| names_gone(t.value)),
                // A new note of the same name makes a link ambiguous.
                Resolution::Ambiguous(candidates) => candidates.iter().any(
                    |c| matches!(c, crate::workspace::FileRef::Note(n) if changed.contains(n)),
                ),
                _ => false,
            });
        let by_citation = note.syntax.citations.iter().any(|c| {
            match workspace.key_location(id, c.key().value) {
                Some(at) => changed_bibliographies.contains(&at.bib),
                // Unknown now: perhaps the bibliography that had it went.
                None => bibliography_gone || !changed_bibliographies.is_empty(),
            }
        });
        if by_link || by_citation {
            out.insert(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    #[test]
    fn changed_notes_and_what_points_at_them() {
        let vault = "//- refs.bib\n@misc{k, title={T}}\n//- glossary.md\n- CoT：思维链\n//- target.md\n# H\n//- links-target.md\n[[target#H]] 😀\n//- uses-term.md\n[[CoT]]\n//- old-name-link.md\n[[Renamed away]]\n//- cites.md\n[@k]\n//- unrelated.md\n[[links-target]]\n";
        // Where titles count, a changed bibliography may be mentioned
        // anywhere: every note.
        let with_titles = fixture(vault);
        let bib = Changes {
            changed: vec![with_titles.workspace.root.join("refs.bib")],
            ..Changes::default()
        };
        assert_eq!(affected_notes(&with_titles.workspace, &bib).len(), 7);
        // As `gloss check` runs without `--hints`.
        let mut f = fixture(vault);
        f.workspace
            .config
            .set_severity(crate::workspace::Code::TitleCitation, None);
        let w = &f.workspace;
        let root = w.root.clone();
        let names = |set: HashSet<NoteId>| {
            let mut v: Vec<String> = set
                .into_iter()
                .map(|id| w.note(id).file.rel.clone())
                .collect();
            v.sort();
            v
        };
        let changes = Changes {
            changed: vec![root.join("target.md"), root.join("glossary.md")],
            deleted: vec![root.join("Renamed away.md")],
            removed_names: HashSet::new(),
        };
        assert_eq!(
            names(affected_notes(w, &changes)),
            [
                "glossary.md",
                "links-target.md",
                "old-name-link.md",
                "target.md",
                "uses-term.md"
            ]
        );
        let changes = Changes {
            changed: vec![root.join("refs.bib")],
            ..Changes::default()
        };
        assert_eq!(names(affected_notes(w, &changes)), ["cites.md"]);
        let config = Changes {
            changed: vec![root.join("gloss.toml")],
            ..Changes::default()
        };
        assert!(affects_everything(w, &config));
    }

    /// Found in review: a deleted note's Zettelkasten id may have been in
    /// its text, and a site's page is linked as rendered (`x.html`).
    #[test]
    fn deleted_notes_named_by_id_or_page() {
        let f = fixture("//- by-id.md\n[[20200303175402]] 😀\n//- by-page.md\n[D](defaults.html)\n//- other.md\n[[by-id]]\n");
        let root = f.workspace.root.clone();
        let deleted = |name: &str| Changes {
            deleted: vec![root.join(name)],
            ..Changes::default()
        };
        let rels = |changes: &Changes| {
            let mut v: Vec<String> = affected_notes(&f.workspace, changes)
                .into_iter()
                .map(|id| f.workspace.note(id).file.rel.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(rels(&deleted("Demand.md")), ["by-id.md"]);
        assert_eq!(rels(&deleted("defaults.md")), ["by-id.md", "by-page.md"]);
        assert!(rels(&deleted("figure.png")).is_empty());
    }
}
