//! Arbitrary bytes as a note: reading (lossy UTF-8, as gloss reports invalid
//! UTF-8 and goes on), parsing and extraction must not panic, and every range
//! extracted must lie inside the text on character boundaries, so that later
//! slicing and position conversion cannot panic either. The same holds for
//! the papers the note mentions by title, against a bibliography whose
//! titles have CJK, full-width forms, quotes, dashes and subtitles. The
//! syntax survives the index cache's encoding unchanged. What the language
//! server reads of a note before parsing it (its front matter, labels and
//! whether it may define glossary terms) agrees with the parse.
#![no_main]

use std::sync::LazyLock;

use gloss::syntax::parse_note;
use gloss::workspace::titles::Titles;
use gloss::workspace::{BibFormat, Bibliography, Config, Note, SourceFile};
use gloss_fuzz::assert_range_in as check;
use libfuzzer_sys::fuzz_target;

const BIB: &str = r#"
@article{a, title = {Scaling Laws for Neural Language Models}}
@article{b, title = {Rethinking the Role of Demonstrations: What Makes In-Context Learning Work?}}
@article{c, title = {面向中文的大规模预训练语言模型研究}, shorttitle = {大模型}}
@article{d, title = {{BERT}: Pre-training of Deep Bidirectional Transformers}}
@article{e, title = {“Quoted” — and ＦＵＬＬ－ＷＩＤＴＨ: a Title (With Parens)}}
@article{f, title = {Let's Verify Step by Step}}
"#;

static TITLES: LazyLock<Titles> = LazyLock::new(|| {
    let root = std::path::Path::new("/fuzz");
    let file = SourceFile::new(root, root.join("refs.bib"), BIB.to_string(), None);
    Titles::new(&[Bibliography::new(file, BibFormat::BibTeX)])
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let syntax = parse_note(&text);
    for block in &syntax.blocks {
        check(&text, &block.range(), "block");
        check(&text, &block.content(), "block content");
    }
    for link in &syntax.links {
        check(&text, &link.range(), "link");
        for part in [link.target(), link.anchor()].into_iter().flatten() {
            check(&text, &part.range, "link part");
        }
    }
    for citation in &syntax.citations {
        check(&text, &citation.token(), "citation");
        check(&text, &citation.key().range, "citation key");
    }
    if let Some(range) = &syntax.front_matter_range {
        check(&text, range, "front matter");
    }
    // The whole check the index cache makes of what it gives back: true of
    // every parse, else cached notes would be parsed again for nothing.
    assert!(syntax.ranges_fit(&text), "a range out of the text");
    // And what the cache stores (an entry, and the table of the names it
    // holds) decodes to the same syntax.
    let table = std::sync::Mutex::new(gloss::syntax::NameTable::default());
    let encoded = gloss::syntax::encoding_with(&table, || postcard::to_stdvec(&syntax))
        .expect("syntax encodes");
    let mut table_bytes = Vec::new();
    let table = table.into_inner().expect("table");
    table.write(&mut table_bytes).expect("table encodes");
    let names = gloss::syntax::read_table(&table_bytes, encoded.len()).expect("table decodes");
    let decoded: gloss::syntax::NoteSyntax =
        gloss::syntax::decoding_with(&names, || postcard::from_bytes(&encoded)).expect("decodes");
    assert_eq!(decoded, syntax, "the cache's encoding changed the syntax");
    // Names first: what is read of the note before it is parsed.
    let names = gloss::syntax::names_only(&text);
    assert_eq!(
        names.front_matter_range, syntax.front_matter_range,
        "front matter found apart"
    );
    assert_eq!(
        names.front_matter, syntax.front_matter,
        "front matter read apart"
    );
    assert_eq!(names.labels, syntax.labels, "labels found apart");
    let config = Config::default();
    let root = std::path::Path::new("/fuzz");
    let file = SourceFile::new(root, root.join("note.md"), text.to_string(), None);
    if !Note::names_need_parsing(&config, &file) {
        let note = Note::new(&config, file, syntax.clone());
        assert!(
            note.glossary.is_empty(),
            "a glossary entry where none may be"
        );
    }
    for mention in TITLES.scan_note(&text, &syntax) {
        check(&text, &mention.range, "title mention");
        check(&text, &mention.outer, "title mention with its quotes");
    }
});
