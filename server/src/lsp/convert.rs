//! Conversions between gloss's byte offsets and LSP positions, URIs and
//! types. The only place that knows both sides.

use std::collections::hash_map::{Entry, HashMap};
use std::ops::Range;
use std::path::PathBuf;

use tower_lsp_server::ls_types as lsp;

use crate::ide::{self, FileId};
use crate::line_index::{ColumnUnit, LineCol};
use crate::workspace::{SourceFile, Workspace};

// A note that is not open is read again for a conversion, not kept.
pub fn position(file: &SourceFile, offset: usize, unit: ColumnUnit) -> lsp::Position {
    file.with_text(|text| position_in(file, text, offset, unit))
}

fn position_in(file: &SourceFile, text: &str, offset: usize, unit: ColumnUnit) -> lsp::Position {
    let LineCol { line, col } = file.line_index().line_col(text, offset, unit);
    lsp::Position::new(line, col)
}

pub fn range(file: &SourceFile, range: &Range<usize>, unit: ColumnUnit) -> lsp::Range {
    file.with_text(|text| {
        lsp::Range::new(
            position_in(file, text, range.start, unit),
            position_in(file, text, range.end, unit),
        )
    })
}

/// The byte offset of an LSP position, clamped into the text.
pub fn offset(file: &SourceFile, position: lsp::Position, unit: ColumnUnit) -> usize {
    let pos = LineCol {
        line: position.line,
        col: position.character,
    };
    file.with_text(|text| file.line_index().offset(text, pos, unit))
}

/// The byte range of an LSP range, clamped into the text.
pub fn byte_range(file: &SourceFile, range: lsp::Range, unit: ColumnUnit) -> Range<usize> {
    offset(file, range.start, unit)..offset(file, range.end, unit)
}

pub fn uri(path: &std::path::Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(path)
}

/// The file path of a `file:` URI, with `.` and `..` segments resolved
/// lexically: `file:///vault/a/../../etc/x.md` is `/etc/x.md`, which is
/// not inside `/vault`, whatever the string starts with.
pub fn path(uri: &lsp::Uri) -> Option<PathBuf> {
    let path = uri.to_file_path()?;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// A location in a file of the workspace; in a file gloss has not read (an
/// attachment), its start.
pub fn location(
    workspace: &Workspace,
    file: FileId,
    range: &Range<usize>,
    unit: ColumnUnit,
) -> Option<lsp::Location> {
    let range = match workspace.source(file) {
        Some(source) => self::range(source, range, unit),
        None => lsp::Range::default(),
    };
    Some(lsp::Location::new(uri(&workspace.path_of(file)?)?, range))
}

fn severity(severity: ide::Severity) -> lsp::DiagnosticSeverity {
    match severity {
        ide::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        ide::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        ide::Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        ide::Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// Converts `diagnostics`, each file's text read once for all of them: a
/// note whose text was left on disk would be read again for every range
/// (a 2 MB note's 40,000 diagnostics took minutes, found by the bad-input
/// suite when indexing read the note before the editor opened it).
pub fn diagnostics(
    workspace: &Workspace,
    diagnostics: &[ide::Diagnostic],
    unit: ColumnUnit,
) -> Vec<lsp::Diagnostic> {
    let mut texts: HashMap<FileId, String> = HashMap::new();
    let files = diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.file).chain(d.related.iter().map(|r| r.file)));
    for file in files {
        if let (Entry::Vacant(slot), Some(source)) = (texts.entry(file), workspace.source(file)) {
            slot.insert(source.with_text(str::to_owned));
        }
    }
    let range_in = |file: FileId, range: &Range<usize>| -> Option<lsp::Range> {
        let (source, text) = (workspace.source(file)?, texts.get(&file)?);
        Some(lsp::Range::new(
            position_in(source, text, range.start, unit),
            position_in(source, text, range.end, unit),
        ))
    };
    diagnostics
        .iter()
        .filter_map(|d| diagnostic(workspace, d, &range_in))
        .collect()
}

fn diagnostic(
    workspace: &Workspace,
    diagnostic: &ide::Diagnostic,
    range_in: &dyn Fn(FileId, &Range<usize>) -> Option<lsp::Range>,
) -> Option<lsp::Diagnostic> {
    let related = diagnostic
        .related
        .iter()
        .filter_map(|r| {
            let range = range_in(r.file, &r.range).unwrap_or_default();
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri(&workspace.path_of(r.file)?)?, range),
                message: r.message.clone(),
            })
        })
        .collect::<Vec<_>>();
    Some(lsp::Diagnostic {
        range: range_in(diagnostic.file, &diagnostic.range)?,
        severity: Some(severity(diagnostic.severity)),
        code: Some(lsp::NumberOrString::String(
            diagnostic.code.as_str().to_string(),
        )),
        source: Some("gloss".to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    })
}

pub fn completion_item(
    file: &SourceFile,
    item: ide::CompletionItem,
    unit: ColumnUnit,
    rank: usize,
) -> lsp::CompletionItem {
    let kind = match item.kind {
        ide::CompletionKind::Concept => lsp::CompletionItemKind::KEYWORD,
        ide::CompletionKind::Note => lsp::CompletionItemKind::FILE,
        ide::CompletionKind::Heading => lsp::CompletionItemKind::MODULE,
        ide::CompletionKind::Block => lsp::CompletionItemKind::VALUE,
        ide::CompletionKind::Citation => lsp::CompletionItemKind::REFERENCE,
        ide::CompletionKind::Label => lsp::CompletionItemKind::CONSTANT,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail,
        // Filled in by `completionItem/resolve`.
        data: serde_json::to_value(&item.resolve).ok(),
        // gloss has ranked the items; keep that order.
        sort_text: Some(format!("{rank:04}")),
        filter_text: Some(file.text()[item.replace.clone()].to_string() + &item.label),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            range(file, &item.replace, unit),
            item.insert,
        ))),
        ..lsp::CompletionItem::default()
    }
}

#[allow(deprecated)] // `deprecated` is a required field of DocumentSymbol.
pub fn symbol(file: &SourceFile, symbol: ide::Symbol, unit: ColumnUnit) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if symbol.name.is_empty() {
            " ".to_string()
        } else {
            symbol.name
        },
        detail: symbol.detail,
        kind: match symbol.kind {
            ide::SymbolKind::Heading => lsp::SymbolKind::NAMESPACE,
            ide::SymbolKind::Term => lsp::SymbolKind::KEY,
        },
        tags: None,
        deprecated: None,
        range: range(file, &symbol.range, unit),
        selection_range: range(file, &symbol.selection_range, unit),
        children: Some(
            symbol
                .children
                .into_iter()
                .map(|c| self::symbol(file, c, unit))
                .collect(),
        ),
    }
}

/// Edits in gloss's terms as a `WorkspaceEdit`, grouped by file.
pub fn workspace_edit(
    workspace: &Workspace,
    edits: &[ide::TextEdit],
    unit: ColumnUnit,
) -> Option<lsp::WorkspaceEdit> {
    let mut changes: std::collections::HashMap<lsp::Uri, Vec<lsp::TextEdit>> =
        std::collections::HashMap::new();
    for edit in edits {
        let target = workspace.source(edit.file)?;
        changes
            .entry(uri(&target.path)?)
            .or_default()
            .push(lsp::TextEdit::new(
                range(target, &edit.range, unit),
                edit.new_text.clone(),
            ));
    }
    Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..lsp::WorkspaceEdit::default()
    })
}
