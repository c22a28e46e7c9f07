//! Property tests: for random notes and random edit sequences, incremental
//! state equals a fresh start.
//! - the document (rope, tree-sitter tree as an S-expression, extraction)
//!   equals a fresh parse of its final text, and that text equals the edits
//!   applied naively;
//! - the server's diagnostics for the open note equal `gloss check`'s
//!   (a workspace loaded from disk with the final text).
//!
//! Shrunk failures are kept by proptest in `proptest-regressions/` and
//! replayed first on every run.

use std::path::Path;

use proptest::prelude::*;

use super::document::{Change, Document};
use super::session::Session;
use crate::ide;
use crate::line_index::{ColumnUnit, LineCol, LineIndex};
use crate::workspace::{Config, Workspace};

/// Pieces notes are made of: every construct, the line endings, wide and
/// astral characters, and half-constructs that edits join or split.
const PIECES: &[&str] = &[
    "[[Attention]]",
    "[[注意力]]",
    "[[Missing]]",
    "[[other#Results]]",
    "[[other#Nope]]",
    "[[#Local]]",
    "[[Termx]]",
    "[[术语x]]",
    "![[other]]",
    "[x](other.md)",
    "@vaswani2017",
    "[@vaswani2017, p. 3]",
    "[see @unknownkey; -@vaswani2017]",
    "a@b.org",
    "# Local\n",
    "## 名词解释\n",
    "- Term: def\n",
    "- 术语：定义\n",
    "Term\n: def\n",
    "```\n",
    "~~~py\n",
    "---\n",
    "title: x\n",
    "aliases: [A]\n",
    "bibliography: refs.bib\n",
    "alias:: [[Termx]], B\n",
    "title:: [[Missing]]\n",
    "<!-- gloss-ignore: broken-link -->",
    "`code [[x]]`",
    "> quote ",
    "    ",
    "\t",
    "> ```md\n",
    "> [!tip]\n",
    "- ```\n",
    " ^block-1",
    "[[other#^block-1]]",
    "related: \"[[other]]\"\n",
    "![[figure.png|200]]",
    "$$\n",
    "- # Heading in an item\n",
    "1. ### Q?\n",
    "<style>\n",
    "</style>\n",
    "{{< include other.md >}}\n",
    "\r\n",
    "\n",
    "\r",
    "😀",
    "中文",
    "，",
    " ",
    "text ",
    "[[",
    "]]",
    "@",
    "[",
    "]",
    "#",
];

const UNITS: [ColumnUnit; 3] = [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
}

/// (line, column, length in the same unit, inserted piece)
type Edit = (u32, u32, u32, &'static str);

fn batches() -> impl Strategy<Value = Vec<(usize, Vec<Edit>)>> {
    let edit = (0..14u32, 0..24u32, 0..6u32, prop::sample::select(PIECES));
    prop::collection::vec((0..UNITS.len(), prop::collection::vec(edit, 1..4)), 1..12)
}

fn changes(edits: &[Edit]) -> Vec<Change> {
    edits
        .iter()
        .map(|&(line, col, len, piece)| Change {
            range: Some(((line, col), (line, col + len))),
            text: piece.to_string(),
        })
        .collect()
}

/// The edit applied to a plain string through the line index.
fn apply_naively(text: &mut String, edits: &[Edit], unit: ColumnUnit) {
    for &(line, col, len, piece) in edits {
        let index = LineIndex::new(text);
        let start = index.offset(text, LineCol { line, col }, unit);
        let end = index
            .offset(
                text,
                LineCol {
                    line,
                    col: col + len,
                },
                unit,
            )
            .max(start);
        text.replace_range(start..end, piece);
    }
}

/// A small vault: a glossary, a bibliography and a note with a heading.
/// When `declared`, a paper declares the bibliography: it is the note's
/// too only while its front matter declares it.
fn vault(declared: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| std::fs::write(dir.path().join(rel), text).unwrap();
    write("gloss.toml", "");
    write(
        "glossary.md",
        "# Glossary\n\n- Attention: mixing tokens.\n- 注意力：同上。\n- Attention: twice.\n",
    );
    write(
        "refs.bib",
        "@article{vaswani2017, title = {Attention Is All You Need}, year = 2017}\n",
    );
    write("other.md", "# Results\n\ntext\n");
    if declared {
        write("paper.md", "---\nbibliography: refs.bib\n---\n");
    }
    dir
}

/// `gloss check`'s view: the workspace loaded from disk.
fn checked(root: &Path, rel: &str) -> String {
    let workspace = Workspace::load(root, Config::load(root).unwrap());
    let id = workspace.note_by_path(&workspace.root.join(rel)).unwrap();
    format!("{:#?}", ide::note_diagnostics(&workspace, id))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_document_equals_fresh_parse(start in text(), batches in batches()) {
        let mut document = Document::new(start.clone(), 0);
        let mut expected = start;
        for (version, (unit, edits)) in batches.iter().enumerate() {
            let unit = UNITS[*unit];
            apply_naively(&mut expected, edits, unit);
            document.apply(changes(edits), version as i32 + 1, unit);
            prop_assert_eq!(document.text(), expected.as_str());
            if let Some(differences) = document.differences_from_full_parse() {
                return Err(TestCaseError::fail(differences));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn open_note_diagnostics_equal_check(
        start in text(),
        batches in batches(),
        declared in any::<bool>(),
    ) {
        let dir = vault(declared);
        let root = dir.path().canonicalize().unwrap();
        let path = root.join("note.md");
        std::fs::write(&path, &start).unwrap();
        let (mut session, world, _) = Session::for_tests(ColumnUnit::Utf16);
        session.add_folders(vec![root.clone()]);
        session.open(path.clone(), start, 1);
        for (version, (unit, edits)) in batches.iter().enumerate() {
            world.write().unwrap().unit = UNITS[*unit];
            session.change(&path, changes(edits), version as i32 + 2);
            // As the server does after every change: this builds the
            // caches (suggestions, mentions) that later edits must renew.
            let world = world.read().unwrap();
            let (workspace, id) = world.note(&path).unwrap();
            ide::note_diagnostics(workspace, id);
        }
        let text = session.document(&path).unwrap().text().to_string();
        let world = world.read().unwrap();
        let (workspace, id) = world.note(&path).unwrap();
        let live = format!("{:#?}", ide::note_diagnostics(workspace, id));
        std::fs::write(&path, &text).unwrap();
        prop_assert_eq!(live, checked(&root, "note.md"), "text: {:?}", text);
    }
}
