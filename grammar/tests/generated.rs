//! The generated parser is committed so that building gloss needs no
//! tree-sitter CLI. These tests fail when `grammar.js` was edited without
//! regenerating (`tree-sitter generate` in `grammar/`, with the CLI version
//! pinned in README.md).

use std::path::Path;

fn grammar_json_from_js() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    tree_sitter_generate::load_grammar_file(&root.join("grammar.js"), Some("native"))
        .expect("grammar.js loads")
}

fn committed(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap()
}

#[test]
fn committed_grammar_json_matches_grammar_js() {
    let from_js: serde_json::Value = serde_json::from_str(&grammar_json_from_js()).unwrap();
    let committed: serde_json::Value =
        serde_json::from_str(&committed("src/grammar.json")).unwrap();
    assert!(
        from_js == committed,
        "src/grammar.json is stale: run `tree-sitter generate` in grammar/"
    );
}

#[test]
fn committed_parser_matches_grammar_json() {
    let mut diagnostics = Vec::new();
    let (_, c_code) = tree_sitter_generate::generate_parser_for_grammar(
        &committed("src/grammar.json"),
        Some((0, 1, 0)),
        tree_sitter_generate::OptLevel::default(),
        &mut diagnostics,
    )
    .expect("grammar generates");
    assert!(
        c_code == committed("src/parser.c"),
        "src/parser.c is stale: run `tree-sitter generate` in grammar/"
    );
}
