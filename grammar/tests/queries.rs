//! The editor queries (`queries/*.scm`, also shipped to Neovim as
//! `editors/nvim/queries/gloss/`) compile against the grammar and capture
//! what editors need.

use tree_sitter::{Parser, Query, QueryCursor, StreamingIterator};

const NOTE: &str = "---\ntitle: 笔记\n---\n# Scaling 📈\n\n见 [[Transformer]] [@vaswani2017attention, p. 3]，以及 `code`。\n\n```python\nx = 1\n```\n";

/// Every (capture name, captured text) of `query` on `NOTE`, in order.
fn captures(source: &str) -> Vec<(String, String)> {
    let language = tree_sitter_gloss::LANGUAGE.into();
    let query = Query::new(&language, source).expect("query compiles");
    let mut parser = Parser::new();
    parser.set_language(&language).unwrap();
    let tree = parser.parse(NOTE, None).unwrap();
    let mut cursor = QueryCursor::new();
    let mut found = Vec::new();
    let mut matches = cursor.matches(&query, tree.root_node(), NOTE.as_bytes());
    while let Some(m) = matches.next() {
        for capture in m.captures() {
            let name = query.capture_names()[capture.index as usize].to_string();
            let text = capture.node.utf8_text(NOTE.as_bytes()).unwrap().to_string();
            found.push((name, text));
        }
    }
    found
}

fn has(found: &[(String, String)], name: &str, text: &str) -> bool {
    found.iter().any(|(n, t)| n == name && t.contains(text))
}

#[test]
fn highlights_capture_links_citations_headings_and_code() {
    let found = captures(tree_sitter_gloss::HIGHLIGHTS_QUERY);
    assert!(has(&found, "markup.link", "[[Transformer]]"), "{found:?}");
    assert!(
        has(&found, "string.special.symbol", "@vaswani2017attention"),
        "{found:?}"
    );
    assert!(has(&found, "markup.heading", "Scaling 📈"), "{found:?}");
    assert!(has(&found, "markup.raw", "`code`"), "{found:?}");
    assert!(has(&found, "label", "python"), "{found:?}");
}

#[test]
fn injections_name_yaml_front_matter_and_fenced_code() {
    let found = captures(tree_sitter_gloss::INJECTIONS_QUERY);
    assert!(has(&found, "injection.content", "title: 笔记"), "{found:?}");
    assert!(has(&found, "injection.language", "python"), "{found:?}");
    assert!(has(&found, "injection.content", "x = 1"), "{found:?}");
}

#[test]
fn neovim_gets_the_same_query_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let nvim = root.join("../editors/nvim/queries/gloss");
    for file in ["highlights.scm", "injections.scm"] {
        let shipped = std::fs::read_to_string(nvim.join(file)).expect("query shipped to Neovim");
        let source = std::fs::read_to_string(root.join("queries").join(file)).unwrap();
        assert_eq!(shipped, source, "{file}");
    }
}
