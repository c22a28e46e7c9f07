//! IDE features over the workspace model, one module each. Protocol-agnostic:
//! byte ranges and plain Rust types in and out.

pub mod affected;
pub mod baseline;
mod code_actions;
mod completion;
mod cursor;
mod definition;
mod diagnostics;
mod document_links;
mod hover;
mod inlay_hints;
mod reference_format;
mod references;
mod rename;
mod semantic_tokens;
mod symbols;
mod title_mentions;
mod workspace_symbols;

use std::ops::Range;

pub use code_actions::{code_actions, CodeAction, TextEdit};
pub use completion::{
    completion, completion_documentation, CompletionItem, CompletionKind, Resolve,
};
pub use definition::{goto_definition, NavigationTarget};
pub use diagnostics::{
    bibliography_diagnostics, diagnostics_within, note_diagnostics, workspace_diagnostics,
};
pub use document_links::{document_links, DocumentLink};
pub use hover::{hover, HoverConfig, HoverResult};
pub use inlay_hints::{inlay_hints, InlayHint};
pub use reference_format::{format_reference, paper_links, PaperLink};
pub use references::{
    find_bibliography_references, find_key_references, find_references, Reference,
};
pub use rename::{prepare_rename, rename, rename_note_file};
pub use semantic_tokens::{semantic_tokens, SemanticToken, TokenKind};
pub use symbols::{document_symbols, Symbol, SymbolKind};
pub use workspace_symbols::{workspace_symbols, WorkspaceSymbol, WorkspaceSymbolKind};

pub use crate::workspace::{Code, FileId, Severity};

/// Secondary location of a diagnostic, such as the first definition of a
/// duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: FileId,
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub related: Vec<Related>,
}
