//! Workspace symbols: glossary terms, notes and papers matching a query.

use std::ops::Range;

use super::FileId;
use crate::workspace::names::normalize;
use crate::workspace::Workspace;

const MAX_SYMBOLS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceSymbolKind {
    Term,
    Note,
    Paper,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: WorkspaceSymbolKind,
    pub file: FileId,
    pub range: Range<usize>,
    /// Where it lives, for display.
    pub container: String,
}

/// Every term, note and paper whose name contains the query's characters in
/// order (case- and width-insensitive).
pub fn workspace_symbols(workspace: &Workspace, query: &str) -> Vec<WorkspaceSymbol> {
    let query = normalize(query);
    let matches = |name: &str| {
        let name = normalize(name);
        let mut rest = name.chars();
        query.chars().all(|q| q == ' ' || rest.any(|c| c == q))
    };
    let mut out = Vec::new();
    for (id, entry) in workspace.glossary() {
        if entry.names().any(|n| matches(&n.value)) {
            out.push(WorkspaceSymbol {
                name: entry.term.value.clone(),
                kind: WorkspaceSymbolKind::Term,
                file: FileId::Note(id.note),
                range: entry.term.range.clone(),
                container: workspace.note(id.note).file.rel.clone(),
            });
        }
    }
    for (id, note) in workspace.notes() {
        if matches(note.title()) || matches(note.stem()) {
            out.push(WorkspaceSymbol {
                name: note.title().to_string(),
                kind: WorkspaceSymbolKind::Note,
                file: FileId::Note(id),
                range: 0..0,
                container: note.file.rel.clone(),
            });
        }
    }
    for (bib, file) in workspace.bibliographies.iter().enumerate() {
        for entry in &file.entries {
            let title = entry.title.as_deref().unwrap_or("");
            if matches(&entry.key) || matches(title) {
                out.push(WorkspaceSymbol {
                    name: format!("{} — {title}", entry.key),
                    kind: WorkspaceSymbolKind::Paper,
                    file: FileId::Bibliography(bib),
                    range: entry.key_range.clone(),
                    container: file.file.rel.clone(),
                });
            }
        }
    }
    out.truncate(MAX_SYMBOLS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;

    #[test]
    fn terms_notes_and_papers() {
        let f = fixture("//- glossary.md\n- CoT（思维链）：x\n//- notes/scaling.md\n# Scaling 📈\n//- refs.bib\n@misc{kaplan2020scaling, title={Scaling Laws}}\n");
        let names = |q: &str| -> Vec<String> {
            workspace_symbols(&f.workspace, q)
                .iter()
                .map(|s| format!("{:?} {}", s.kind, s.name))
                .collect()
        };
        assert_eq!(names("思维"), ["Term CoT"]);
        assert_eq!(
            names("scal"),
            ["Note Scaling 📈", "Paper kaplan2020scaling — Scaling Laws"]
        );
    }
}
