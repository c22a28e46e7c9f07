//! gloss: a language server and linter for Markdown research notes.
//!
//! Layers, each using only the ones above it:
//! - [`syntax`]: tree-sitter parse of one note → typed structure with byte ranges;
//! - [`workspace`]: notes, glossary, bibliographies, configuration and name resolution;
//! - [`ide`]: features over the workspace (diagnostics, …), protocol-agnostic;
//! - [`cli`] and [`lsp`]: the command line and the language server, the only
//!   places that know output formats and the protocol.

pub mod cli;
pub mod ide;
pub mod line_index;
pub mod lsp;
pub mod syntax;
pub mod workspace;
