//! Tree-sitter grammar of gloss research notes.
//!
//! The note format is described in this crate's `README.md`. Load the grammar
//! into a [`tree_sitter::Parser`] with [`LANGUAGE`]:
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_gloss::LANGUAGE.into()).unwrap();
//! let tree = parser.parse("- **CoT**: see [[Chain of Thought]] [@wei2022]\n", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_gloss() -> *const ();
}

/// The tree-sitter [`LanguageFn`] of this grammar.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_gloss) };

/// The content of the `node-types.json` file of this grammar.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// The syntax highlighting query of this grammar.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// The language injection query of this grammar (front matter, code blocks).
pub const INJECTIONS_QUERY: &str = include_str!("../../queries/injections.scm");
