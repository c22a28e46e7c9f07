//! Runs the corpus in `test/corpus/*.txt` through the Rust binding, so CI
//! checks the grammar without the tree-sitter CLI. The file format is the
//! CLI's: `===` header with the case name, the input, a `---` line, and the
//! expected S-expression (field names optional).

use std::fs;
use std::path::Path;

struct Case {
    file: String,
    name: String,
    input: String,
    expected: String,
}

fn is_rule(line: &str, c: char) -> bool {
    line.len() >= 3 && line.chars().all(|x| x == c)
}

fn parse_corpus(file: &str, text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        if !is_rule(lines[i].trim_end_matches(['\n', '\r']), '=') {
            i += 1;
            continue;
        }
        let name = lines[i + 1].trim().to_string();
        let body_start = i + 3; // header, name, header
        let mut end = body_start;
        while end < lines.len() && !is_rule(lines[end].trim_end_matches(['\n', '\r']), '=') {
            end += 1;
        }
        // As in the CLI, the divider is the last `---` line of the case, so an
        // input may itself hold `---` lines (front matter).
        let divider = (body_start..end)
            .rev()
            .find(|&k| is_rule(lines[k].trim_end_matches(['\n', '\r']), '-'))
            .unwrap_or_else(|| panic!("{file}: case {name:?} has no `---` divider"));
        let mut input: String = lines[body_start..divider].concat();
        let expected: String = lines[divider + 1..end].concat();
        i = end;
        // The CLI drops the newline that separates the input from `---`.
        if input.ends_with('\n') {
            input.pop();
        }
        cases.push(Case {
            file: file.to_string(),
            name,
            input,
            expected,
        });
    }
    cases
}

/// Collapses whitespace and drops `field:` labels so that the comparison is
/// the CLI's default one.
fn normalize(sexp: &str) -> String {
    let spaced = sexp.replace('(', " ( ").replace(')', " ) ");
    spaced
        .split_whitespace()
        .filter(|word| !word.ends_with(':'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_gloss::LANGUAGE.into())
        .unwrap();

    let mut entries: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in entries {
        let text = fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        for case in parse_corpus(&file, &text) {
            count += 1;
            let tree = parser.parse(&case.input, None).unwrap();
            let actual = normalize(&tree.root_node().to_sexp());
            let expected = normalize(&case.expected);
            if actual != expected {
                failures.push(format!(
                    "{} / {}\n  expected: {expected}\n  actual:   {actual}",
                    case.file, case.name
                ));
            }
        }
    }
    assert!(count >= 30, "only {count} corpus cases found");
    assert!(
        failures.is_empty(),
        "corpus failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn never_produces_errors() {
    // The grammar is designed to need no error recovery; spot-check nasty
    // inputs that are easy to get wrong.
    let inputs = [
        "[[".repeat(1000),
        "```".to_string(),
        "---".to_string(),
        "\u{feff}---\na: 1\n---\n".to_string(),
        "- ".repeat(100),
        "\r\r\n\n\r".to_string(),
        "<!--".to_string(),
        "@".repeat(50),
        // NUL is tree-sitter's end-of-input marker inside generated lexers, so
        // gloss replaces NUL bytes with U+0001 before parsing (same length).
        "\u{1}[[a\u{1}]]\u{1}".to_string(),
        "~~~\n".repeat(7),
    ];
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_gloss::LANGUAGE.into())
        .unwrap();
    for input in inputs {
        let tree = parser.parse(&input, None).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "error in tree for {input:?}: {}",
            tree.root_node().to_sexp()
        );
        assert_eq!(tree.root_node().end_byte(), input.len());
    }
}
