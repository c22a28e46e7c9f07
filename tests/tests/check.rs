//! `gloss check` end to end: the real binary over fixture vaults, asserting
//! exact output for every format and exact exit statuses.

use expect_test::{expect, expect_file};
use gloss_e2e::{git, located, messages, Vault};

#[test]
fn tricky_vault_human() {
    let vault = Vault::fixture("tricky-vault");
    let run = vault.gloss(&["check"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    expect_file!["../snapshots/tricky-vault.human.txt"].assert_eq(&run.stdout());
}

#[test]
fn tricky_vault_json() {
    let vault = Vault::fixture("tricky-vault");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let json = run.json();
    assert_eq!(json["version"], 1);
    expect_file!["../snapshots/tricky-vault.json"].assert_eq(&run.stdout());
}

#[test]
fn tricky_vault_github() {
    let vault = Vault::fixture("tricky-vault");
    let run = vault.gloss(&["check", "--format", "github"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    expect_file!["../snapshots/tricky-vault.github.txt"].assert_eq(&run.stdout());
}

#[test]
fn tricky_vault_sarif() {
    let vault = Vault::fixture("tricky-vault");
    let run = vault.gloss(&["check", "--format", "sarif"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let sarif = run.json();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let json = vault.gloss(&["check", "--format", "json"]).json();
    assert_eq!(results.len(), json["diagnostics"].as_array().unwrap().len());
    for result in results {
        let rule = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            sarif["runs"][0]["tool"]["driver"]["rules"][rule]["id"],
            result["ruleId"]
        );
    }
    expect_file!["../snapshots/tricky-vault.sarif.json"].assert_eq(&run.stdout());
}

#[test]
fn example_vault_shows_its_deliberate_mistakes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let run = gloss_e2e::Run(
        std::process::Command::new(gloss_e2e::gloss_bin())
            .args(["check", "examples/llm-notes", "--format", "json"])
            .current_dir(&root)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code(), 1);
    expect_file!["../snapshots/example-vault.json"].assert_eq(&run.stdout());
}

#[test]
fn clean_vault_exits_zero() {
    let vault = Vault::empty();
    vault.write("glossary.md", "- Token：子词单元\n");
    vault.write("a.md", "# A\nSee [[Token]] and [[#A]].\n");
    let run = vault.gloss(&["check"]);
    assert_eq!(run.code(), 0);
    expect![[r#"
        0 errors, 0 warnings in 2 files
    "#]]
    .assert_eq(&run.stdout());
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let vault = Vault::empty();
    vault.write("a.md", "An empty link: [[]]\n");
    assert_eq!(vault.gloss(&["check"]).code(), 0);
    assert_eq!(vault.gloss(&["check", "--deny-warnings"]).code(), 1);
}

#[test]
fn configuration_errors_exit_two_with_their_location() {
    let vault = Vault::empty();
    vault.write("gloss.toml", "[severity]\nbroken-lnk = \"warning\"\n");
    vault.write("a.md", "text\n");
    let run = vault.gloss(&["check"]);
    assert_eq!(run.code(), 2);
    assert!(run.stdout().is_empty());
    let stderr = run.stderr();
    assert!(
        stderr.contains("unknown diagnostic code `broken-lnk`"),
        "{stderr}"
    );
    assert!(stderr.contains("gloss.toml:2:1"), "{stderr}");
}

#[test]
fn usage_errors_exit_two() {
    let vault = Vault::empty();
    let missing = vault.gloss(&["check", "no/such/folder"]);
    assert_eq!(missing.code(), 2);
    assert!(missing.stderr().contains("cannot check 'no/such/folder'"));
    assert_eq!(vault.gloss(&["check", "--format", "xml"]).code(), 2);
    assert_eq!(vault.gloss(&["frobnicate"]).code(), 2);
}

#[test]
fn help_and_version() {
    let vault = Vault::empty();
    let bare = vault.gloss(&[]);
    assert_eq!(bare.code(), 0);
    assert!(bare.stdout().contains("Usage: gloss <COMMAND>"));
    let version = vault.gloss(&["--version"]);
    assert_eq!(version.code(), 0);
    let version = version.stdout();
    assert!(
        version.starts_with("gloss ") && version.trim_end().split('.').count() == 3,
        "{version}"
    );
}

/// Columns count Unicode scalar values on lines with emoji, CJK, CRLF and
/// lone CR line endings.
#[test]
fn positions_on_emoji_cjk_crlf_and_lone_cr() {
    let vault = Vault::empty();
    vault.write("refs.bib", "@misc{other, title = {Other}}\n");
    vault.write("crlf.md", "# 标题 😀\r\n😀😀 中文 [[Missing]] @nokey\r\n");
    vault.write("cr.md", "first\rsecond 😀 [[Gone]]\rthird");
    let json = vault.gloss(&["check", "--format", "json"]).json();
    let positions: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}-{}:{} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["end_line"],
                d["end_column"],
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    expect![[r#"
        [
            "cr.md 2:12-2:16 broken-link",
            "crlf.md 2:9-2:16 broken-link",
            "crlf.md 2:20-2:25 unknown-citation",
        ]
    "#]]
    .assert_debug_eq(&positions);
}

#[test]
fn a_single_note_is_checked_against_the_whole_workspace() {
    let vault = Vault::fixture("tricky-vault");
    let run = vault.gloss(&["check", "notes/sub/deep.md", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["files_checked"], 1);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(diagnostics.iter().all(|d| d["path"] == "notes/sub/deep.md"));
    // [[Alpha]] resolves through notes/a.md's front matter.
    assert!(!diagnostics
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("Alpha")));
    assert_eq!(diagnostics.len(), 4, "{diagnostics:#?}");
}

#[test]
fn unreadable_input_is_a_diagnostic_and_the_rest_is_checked() {
    let vault = Vault::empty();
    vault.write("gloss.toml", "[files]\nmax-note-size = 1000\n");
    vault.write("latin1.md", b"caf\xe9 [[Missing]]\n".as_slice());
    vault.write(
        "binary.md",
        [0u8, 159, 146, 150, 0, 255, b'[', b'['].as_slice(),
    );
    vault.write("big.md", "x".repeat(2000));
    vault.write("ok.md", "[[Also Missing]]\n");
    std::fs::create_dir_all(vault.path().join("folder.md")).unwrap();
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(run.code(), 1);
    let summary: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    expect![[r#"
        [
            "big.md 1:1 file-too-large",
            "binary.md 1:2 invalid-utf8",
            "latin1.md 1:4 invalid-utf8",
            "latin1.md 1:8 broken-link",
            "ok.md 1:3 broken-link",
        ]
    "#]]
    .assert_debug_eq(&summary);
}

#[test]
fn gitignore_is_honoured_and_root_found_by_dot_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("notes/drafts")).unwrap();
    std::fs::write(root.join(".gitignore"), "drafts/\nplan.md\n").unwrap();
    std::fs::write(root.join("notes/a.md"), "[[b]] [[plan]] [p](../plan.md)\n").unwrap();
    std::fs::write(root.join("plan.md"), "[[nothing either]]\n").unwrap();
    std::fs::write(root.join("b.md"), "# B\n").unwrap();
    std::fs::write(root.join("notes/drafts/c.md"), "[[nothing]]\n").unwrap();
    let run = gloss_e2e::Run(
        std::process::Command::new(gloss_e2e::gloss_bin())
            .args(["check", "--format", "json", "notes"])
            .current_dir(root)
            .output()
            .unwrap(),
    );
    // `notes/` is checked, `[[b]]` resolves from the root found by `.git`,
    // and the ignored draft is not read. An ignored note is not checked but
    // is there: links to it are not broken (found on a real vault).
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.json()["files_checked"], 1);
}

/// Found in public vaults and books (359 links, one bibliography): a file
/// an ignore file keeps out of the repository is on the writer's machine
/// only (`*.pdf`, a `private/` folder, the `packages.bib` a bookdown
/// book's `knitr::write_bib` chunk writes), so a clone, where CI runs,
/// never has it. Links to it and its declaration are not reported; a key
/// cited from it is not either (it may be there), and other files are
/// checked as before.
#[test]
fn files_kept_out_of_the_repository_are_not_reported_missing() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(".gitignore", "*.pdf\n/private/\npackages.bib\n");
    write("refs.bib", "@book{real2020, title = {Real}, year = 2020}\n");
    write(
        "notes/笔记 😀.md",
        "---\nbibliography: [../refs.bib, ../packages.bib]\n---\n[书](../assets/书.pdf) [p](/private/plan.md) [[private/plan]]\r\n[gone](../assets/gone.png) [@R-knitr; @real2020]\n[wf](../.github/workflows/README.md) [hidden, gone](../.github/gone.md)\n",
    );
    write(".github/workflows/README.md", "# CI\n");
    write(
        "notes/other.md",
        "---\nbibliography: missing.bib\n---\n[@x]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""missing-bibliography" "notes/other.md":2 "cannot load bibliography 'missing.bib': no such file""#,
            r#""broken-link" "notes/笔记 😀.md":5 "no note or file '../assets/gone.png'""#,
            r#""broken-link" "notes/笔记 😀.md":6 "no note or file '../.github/gone.md'""#,
        ]
    );
}

/// Found in a thesis whose Makefile passes a git-ignored `references.bib`
/// to Pandoc: its notes' keys were checked against a sibling folder's
/// `.bib` and reported unknown. A note that declares a bibliography is
/// still checked against it, and a folder that keeps nothing out is too.
#[test]
fn keys_of_notes_beside_a_kept_out_bibliography_are_not_unknown() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(
        "ideas/.gitignore",
        "# exported by Zotero\nreferences.bib\n!keep.bib\n",
    );
    write(
        "ideas/makefile",
        "all:\n\tpandoc --bibliography=references.bib literature.md\n",
    );
    write(
        "ideas/literature.md",
        "Winter [@May1982] 😀 and [@Tylianakis2014].\r\n",
    );
    write(
        "ideas/declared.md",
        "---\nbibliography: ../report/report.bib\n---\n[@May1982]\n",
    );
    write(
        "report/report.bib",
        "@article{Tylianakis2013, title = {T}, year = 2013}\n",
    );
    write("report/note.md", "[@May1982]\n");
    // biblatex's auxiliary file, in GitHub's TeX template: no library.
    write("report/.gitignore", "*-blx.bib\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""unknown-citation" "ideas/declared.md":4 "unknown citation key 'May1982'""#,
            r#""unknown-citation" "report/note.md":1 "unknown citation key 'May1982'""#,
        ]
    );
}

/// Found in R Markdown books: a document knitted in `sub/` reads its
/// `packages.bib` there (R Markdown runs Pandoc in the document's
/// folder), never the book's own at the root; one its chunks write with
/// `knitr::write_bib` may hold any key. A plain note is read by Pandoc
/// from the root.
#[test]
fn a_knitted_documents_bibliography_is_its_folders() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write("packages.bib", "@Manual{foo, title = {Foo}, year = 2020}\n");
    write(".gitignore", "examples/*.bib\n");
    write(
        "examples/slides.Rmd",
        "---\nbibliography:\n  - packages.bib\n---\n用了 bookdown 包 [@bookdown2016] 😀\r\n",
    );
    write(
        "code/draft.Rmd",
        "---\nbibliography: packages.bib\n---\n[@rstan] [@foo]\n\n```{r}\nknitr::write_bib(c(.packages(), 'rstan'), 'packages.bib')\n```\n",
    );
    write("code/packages.bib", "@Manual{knitr, title = {knitr}}\n");
    write(
        "code/plain.md",
        "---\nbibliography: packages.bib\n---\n[@foo] [@nope]\n",
    );
    write(
        "other/doc.Rmd",
        "---\nbibliography: packages.bib\n---\n[@foo]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""unknown-citation" "code/plain.md":4 "unknown citation key 'nope'""#,
            r#""missing-bibliography" "other/doc.Rmd":2 "cannot load bibliography 'packages.bib': no such file""#,
        ]
    );
}

/// Found in Obsidian vaults published without their settings
/// (`.obsidian` in `.gitignore`): `[@key]` with no bibliography is a
/// note on Pandoc's syntax there, as in any vault, and a link to a daily
/// note the repository keeps private (`[0-9][0-9][0-9][0-9]*.md`) is not
/// broken.
#[test]
fn a_vault_published_without_its_settings() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(
        ".gitignore",
        "# app\n.obsidian*\n[0-9][0-9][0-9][0-9]*.md\n",
    );
    write(
        "notas/@adler1998.md",
        "perciben los marginados [@adler1998, 16-17] 😀\r\n(cfr. [[2023-10-20 Diplomado racismo]]) [[nota perdida]]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-link" "notas/@adler1998.md":2 "no concept or note named 'nota perdida'""#]
    );

    // An ignored attachment folder holds attachments, not notes.
    let vault = gloss_e2e::Vault::empty();
    vault.write(".gitignore", ".obsidian/\nFiles/\n");
    vault.write(".obsidian/app.json", r#"{"attachmentFolderPath": "Files"}"#);
    vault.write("a.md", "![[plot.png]] [[Regrowth]]\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-link" "a.md":1 "no concept or note named 'Regrowth'""#]
    );
}

/// Found in Zettelkästen, lecture notes and vaults read on GitHub: a
/// link to the library (`[refs](references.bib)`) is to a file that is
/// there; `[[YouTube Video]](https://…)` is, to CommonMark, a link whose
/// text is in brackets (`[[API]](Ror, et OpenAlex)` is no link, and stays
/// a wikilink); `@end` alone on its line is a directive a conversion
/// left, `(@2024-05-06)` a reminder's date.
#[test]
fn library_links_bracketed_link_texts_directives_and_dates() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(
        "references.bib",
        "@book{real2020, title = {Real}, year = 2020}\n",
    );
    write(
        "BIBLIOGRAPHY.md",
        "*See [references.bib](references.bib) 😀 [r](./references.bib) [[references.bib]]*\r\n",
    );
    write(
        "docs/267/README.md",
        "[[YouTube Video]](https://youtu.be/x) [[API]](Ror, et OpenAlex) [[gone]]\n",
    );
    write(
        "hémolyse.md",
        "# Hémolyse\n\n@end\n\ncircle back (@2024-05-06) and @end of it [@real2020]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""broken-link" "docs/267/README.md":1 "no concept or note named 'API'""#,
            r#""broken-link" "docs/267/README.md":1 "no concept or note named 'gone'""#,
            r#""unknown-citation" "hémolyse.md":5 "unknown citation key 'end'""#,
        ]
    );
}

/// Found in Obsidian vaults: daily notes in a folder the repository keeps
/// private (`/99_学习情况记录/`) are there for the writer; a template of
/// Zotero Integration's exports (`templatePath`) or in a numbered
/// `82 Templates/` folder is Nunjucks, not front matter. In a Logseq
/// graph, `../../assets/a.pdf` is the graph's `assets/a.pdf`.
#[test]
fn daily_notes_kept_private_templates_and_logseq_assets() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(".gitignore", "/99_学习情况记录/\n");
    write(
        ".obsidian/daily-notes.json",
        r#"{"folder": "99_学习情况记录", "format": "YYYY-MM-DD——dddd"}"#,
    );
    write(
        ".obsidian/plugins/obsidian-zotero-desktop-connector/data.json",
        r#"{"exportFormats": [{"templatePath": "_Vault/template_paper.md"}]}"#,
    );
    write(
        "02_博弈论/看板.md",
        "- [x] 博弈论10 @[[2024-03-30——星期六]] 😀\r\n- [[04_混合策略的纳什均衡]]\n",
    );
    let template = "---\ntags: {% if allTags %}{{allTags}}{% endif %}\n---\n";
    write("_Vault/template_paper.md", template);
    write("80 Meta/82 Templates/ZI_template.md", template);
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""broken-link" "02_博弈论/看板.md":2 "no concept or note named '04_混合策略的纳什均衡'""#
        ]
    );

    let graph = gloss_e2e::Vault::empty();
    graph.write("logseq/config.edn", "{}\n");
    graph.write(".gitignore", "*.pdf\n");
    graph.write(
        "pages/set theory.md",
        "- ![Jech.pdf](../../../../assets/Jech_0.pdf) ![gone](../../assets/gone.png)\n",
    );
    let run = graph.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-link" "pages/set theory.md":1 "no note or file '../../assets/gone.png'""#]
    );
}

/// Found in theses built by a Makefile, Obsidian vaults and a Dendron
/// vault: Pandoc reads `./source/figures/a.png` from where it runs (the
/// root); a URL's query is no part of a file's name; a file at the path,
/// kept out of the repository, is not one of the same name elsewhere;
/// `<h3 id="…">` is a heading's id.
#[test]
fn paths_from_the_root_queries_ignored_files_and_html_ids() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(".gitignore", "output/*\n!output/README.md\n");
    write("source/figures/a b.png", "png");
    write("diff/old/manuscript.md", "# Old\n");
    write("diff/new/manuscript.md", "# New\n");
    write(
        "output/README.md",
        "+ [`manuscript.md`](manuscript.md) 😀\n",
    );
    write(
        "source/13_reserves.md",
        "![NSW](./source/figures/a%20b.png){#fig:nsw}\r\n![raw](figures/a%20b.png?raw=true) ![gone](./source/figures/gone.png)\n[header](#1-my-header)\n<h3 id=\"1-my-header\">1. My header</h3>\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""broken-link" "source/13_reserves.md":2 "no note or file './source/figures/gone.png'""#,
        ]
    );
}

/// Found in a bookdown book that prints a section per topic from an R
/// file its first chapter sources, and a thesis that knits its chapters
/// as children named from the project's root.
#[test]
fn knitted_books_write_ids_and_take_children() {
    let vault = gloss_e2e::Vault::empty();
    let write = |rel: &str, text: &str| vault.write(rel, text);
    write(
        "_bookdown.yml",
        "rmd_files: [\"index.Rmd\", \"02-topics.Rmd\"]\n",
    );
    write(
        "index.Rmd",
        "```{r, include=FALSE}\nknitr::opts_chunk$set(results = 'asis')\nsource(\"R/topics 😀.R\")\n```\n",
    );
    write(
        "R/topics 😀.R",
        "for (t in topics) cat(\"## \", t, \" {\", \"#topic55\", \"}\")\n",
    );
    write(
        "02-topics.Rmd",
        "[decision theory](#topic55) [y](#topic56)\r\n",
    );
    write(
        "thesis/main.Rmd",
        "```{r, child = 'thesis/ch1.Rmd'}\n```\n```{r, child = \"appA.Rmd\"}\n```\n",
    );
    write(
        "thesis/ch1.Rmd",
        "# Study\nSee [Appendix A](#appendix-a).\n",
    );
    write("thesis/appA.Rmd", "# Appendix A {#appendix-a}\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-anchor" "02-topics.Rmd":1 "no heading 'topic56' in this document""#]
    );
}

/// Found in a Logseq graph: a PDF highlights page names its PDF from the
/// graph's `assets/` folder, which `.gitignore` keeps out of the
/// repository.
#[test]
fn a_logseq_asset_kept_out_of_the_repository_is_not_missing() {
    let vault = gloss_e2e::Vault::empty();
    vault.write("logseq/config.edn", "{}\n");
    vault.write(".gitignore", "assets/zotero_link\n");
    vault.write(
        "pages/hls__拓扑 😀.md",
        "file:: [a.pdf](zotero_link/Maths/a.pdf)\n- [gone](zotero/b.pdf)\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-link" "pages/hls__拓扑 😀.md":2 "no note or file 'zotero/b.pdf'""#]
    );
}

/// Found in an Obsidian vault built into a thesis: its settings put
/// attachments in `figures/` (`attachmentFolderPath`), which `.gitignore`
/// keeps out of the repository, and notes name them by file name alone,
/// as Obsidian finds them anywhere. Another vault's `./` folder is the
/// note's own; a name outside it is still missing.
#[test]
fn an_obsidian_attachment_folder_kept_out_of_the_repository() {
    let vault = gloss_e2e::Vault::empty();
    vault.write(
        ".obsidian/app.json",
        r#"{"attachmentFolderPath": "figures"}"#,
    );
    vault.write(".gitignore", "figures/\nch/img/\n");
    vault.write("figures/there.png", "png");
    vault.write(
        "chapters/ch2 😀.md",
        "![a](ziapour.png){#fig:z} ![[there.png]] ![[gone.png]]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        Vec::<String>::new(),
        "{}",
        run.stdout()
    );
    vault.write(".obsidian/app.json", r#"{"attachmentFolderPath": "./img"}"#);
    vault.write("chapters/ch2 😀.md", "![a](ziapour.png) ![[gone.png]]\n");
    vault.write("ch/n.md", "![[in-img.png]]\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""broken-link" "chapters/ch2 😀.md":1 "no note or file 'ziapour.png'""#,
            r#""broken-link" "chapters/ch2 😀.md":1 "no note or file 'gone.png'""#,
        ]
    );
}

/// Found in a Chinese research vault: the Citations plugin's settings
/// name the vault's library (here in a hidden folder, which gloss does not
/// walk), which every note cites from; a link to a paper's own note (`[[@key|…]]`) cites the paper, so
/// its title beside the link is no missing citation. A plugin's library
/// that is not there (the writer's own path) is no problem of the notes.
#[test]
fn an_obsidian_citation_plugins_library_serves_the_whole_vault() {
    let vault = gloss_e2e::Vault::empty();
    vault.write(
        ".obsidian/plugins/obsidian-citation-plugin/data.json",
        r#"{"citationExportPath": ".zotero/Zotero.bib", "citationExportFormat": "biblatex"}"#,
    );
    vault.write(
        ".zotero/Zotero.bib",
        "@article{vaswani2017, title={Attention Is All You Need}}\n",
    );
    vault.write(
        "科研/ChatGPT 😀.md",
        "《Attention Is All You Need》即 [[@vaswani2017|Transformer]]，与 [@gone2020]。\n",
    );
    let run = vault.gloss(&["check", "--hints", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""broken-link" "科研/ChatGPT 😀.md":1 "no concept or note named '@vaswani2017'""#,
            r#""unknown-citation" "科研/ChatGPT 😀.md":1 "unknown citation key 'gone2020'""#,
        ]
    );
    vault.write(
        ".obsidian/plugins/obsidian-citation-plugin/data.json",
        r#"{"citationExportPath": "/Users/someone/Zotero/My Library.bib"}"#,
    );
    let run = vault.gloss(&["check", "--hints", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-link" "科研/ChatGPT 😀.md":1 "no concept or note named '@vaswani2017'""#]
    );
}

/// A symbolic link committed beside the notes to what a build writes
/// (`manuscript.pdf` → `v/latest/manuscript.pdf`, the folder ignored)
/// is there, if leading nowhere yet; a link to it is not broken.
#[test]
#[cfg(unix)]
fn a_link_to_a_symlink_into_build_output_is_not_broken() {
    let vault = gloss_e2e::Vault::empty();
    vault.write(
        ".gitignore",
        "v/
",
    );
    vault.write(
        "webpage/README.md",
        "[PDF 😀](manuscript.pdf) [gone](missing.pdf)
",
    );
    let link = vault.path().join("webpage/manuscript.pdf");
    std::os::unix::fs::symlink("v/latest/manuscript.pdf", link).unwrap();
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""broken-link" "webpage/README.md":1 "no note or file 'missing.pdf'""#]
    );
}

#[test]
fn lsp_accepts_the_stdio_flag_clients_pass_and_rejects_others() {
    // vscode-languageclient appends `--stdio` for a stdio transport; with
    // stdin closed the server ends cleanly.
    let vault = Vault::empty();
    let run = vault.gloss(&["lsp", "--stdio"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let run = vault.gloss(&["lsp", "--tcp"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("--tcp"), "{}", run.stderr());
}

/// Found on a Chinese Obsidian vault with no bibliography: handles and
/// placeholders (`@somedesigner`, `@yyyy-mm-dd`) were reported as unknown
/// citations. Without any bibliography only bracketed citations count.
#[test]
fn bare_at_words_count_only_where_there_is_a_bibliography() {
    let vault = Vault::empty();
    vault.write(
        "credits.md",
        "这个样式最初由 @somedesigner 设计。他在@labA，@labB 工作过。\n插件支持 @yyyy-mm-dd 格式。\n引用 [@smith2020, p. 3]。\n",
    );
    let keys = |vault: &Vault| -> Vec<String> {
        messages(&vault.gloss(&["check", "--format", "json"]).json())
    };
    assert_eq!(keys(&vault), ["unknown citation key 'smith2020'"]);
    vault.write("refs.bib", "@misc{smith2020, title = {T}}\n");
    assert_eq!(
        keys(&vault),
        [
            "unknown citation key 'somedesigner'",
            "unknown citation key 'labB'",
            "unknown citation key 'yyyy-mm-dd'"
        ]
    );
}

/// Found in Pandoc's repository, where `changelog.md` thanks `@user`s
/// beside the test suite's `.bib` files and a web example's, and in a
/// thesis whose Typst sources hold one: a bibliography no note declares
/// serves the notes of the first folder, from its own up to two above it,
/// that holds any (a vault's `Meta/Zotero/`).
#[test]
fn a_bibliography_nothing_declares_serves_the_notes_around_it() {
    let vault = Vault::empty();
    vault.write("changelog.md", "- 修复 😀 (thanks @jdpipe) [@gone]\n");
    vault.write("test/command/biblio.bib", "@misc{doe99, title = {T}}\n");
    vault.write("test/command/t.md", "@doe99 and @nokey\n");
    vault.write("wasm/examples/cite/refs.bib", "@misc{ex, title = {E}}\n");
    let keys = |vault: &Vault| -> Vec<String> {
        messages(&vault.gloss(&["check", "--format", "json"]).json())
    };
    assert_eq!(
        keys(&vault),
        [
            "unknown citation key 'gone'",
            "unknown citation key 'nokey'"
        ]
    );
    vault.write("Meta/Zotero/library.bib", "@misc{lib, title = {L}}\n");
    assert_eq!(
        keys(&vault),
        [
            "unknown citation key 'jdpipe'",
            "unknown citation key 'gone'",
            "unknown citation key 'nokey'"
        ]
    );
}

/// An Obsidian vault written the way the surveyed public vaults are:
/// attachments by name and path with sizes and `#page=`, aliases beside file
/// names, `\|` in tables, block ids, heading chains and punctuation left out,
/// fenced code in quotes and list items, front-matter links, a template
/// folder the vault ignores and a vault inside it. Only the lines the notes
/// mark "broken" are reported, and the nested vault is checked against
/// itself.
#[test]
fn an_obsidian_vault_reports_only_what_is_broken() {
    let vault = Vault::fixture("obsidian-vault");
    let run = vault.gloss(&["check"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    expect_file!["../snapshots/obsidian-vault.human.txt"].assert_eq(&run.stdout());
    // In JSON too the nested vault's notes keep their folder.
    let all = vault.gloss(&["check", "--format", "json"]).json();
    let nested: Vec<&str> = (all["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["message"] == "no concept or note named 'Home'")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(nested, ["Archive/Old.md"]);
    // The nested vault alone: its own links resolve, the outer vault's
    // notes are not its business.
    let inner = vault
        .gloss(&["check", "--format", "json", "Archive"])
        .json();
    assert_eq!(messages(&inner), ["no concept or note named 'Home'"]);
}

/// Found in Foam's documentation, opened as its own workspace: a link out
/// of the root to a file the repository has opens in the editor, so it is
/// not broken. Its existence is asked, never its contents, and not at all
/// under `--untrusted`.
#[test]
fn a_link_out_of_the_root_to_a_file_that_exists_is_not_broken() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("GUIDE.md"), "# Guide\n").unwrap();
    let docs = outer.path().join("docs");
    std::fs::create_dir_all(docs.join("dev")).unwrap();
    std::fs::write(docs.join("gloss.toml"), "").unwrap();
    std::fs::write(
        docs.join("dev/contributing.md"),
        "[guide](../../GUIDE.md) [[../../GUIDE]] [gone](../../GONE.md)\n",
    )
    .unwrap();
    let run = |args: &[&str]| messages_of_run_in(&docs, args);
    assert_eq!(
        run(&["check", "--format", "json"]),
        ["no note or file '../../GONE.md'"]
    );
    let untrusted = run(&["check", "--format", "json", "--untrusted"]);
    assert_eq!(untrusted.len(), 3);
    assert!(untrusted[0].ends_with("points outside the workspace (not followed with --untrusted)"));
}

/// The messages of `gloss ARGS` (a JSON format) run in `dir`.
fn messages_of_run_in(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let output = std::process::Command::new(gloss_e2e::gloss_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    messages(&serde_json::from_slice(&output.stdout).unwrap())
}

/// Found in Typora paper notes: an image named by its absolute path on
/// the author's machine (`/Users/…/屏幕快照.png`) shows where that file is
/// there, and is broken where it is not. Not asked under `--untrusted`.
#[test]
fn an_absolute_path_that_exists_is_not_broken() {
    let outer = tempfile::tempdir().unwrap();
    let pictures = outer.path().join("Pictures");
    std::fs::create_dir_all(&pictures).unwrap();
    std::fs::write(pictures.join("屏幕快照 😀.png"), "png").unwrap();
    let notes = outer.path().join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(notes.join("gloss.toml"), "").unwrap();
    let there = pictures.join("屏幕快照 😀.png");
    let gone = pictures.join("gone.png");
    std::fs::write(
        notes.join("paper.md"),
        format!("![a](<{}>)\n![b](<{}>)\n", there.display(), gone.display()),
    )
    .unwrap();
    let run = |args: &[&str]| messages_of_run_in(&notes, args);
    assert_eq!(
        run(&["check", "--format", "json"]),
        [format!("no note or file '{}'", gone.display())]
    );
    assert_eq!(run(&["check", "--format", "json", "--untrusted"]).len(), 2);
}

/// A Quarto book: `.qmd` chapters are notes, `_quarto.yml`'s CSL YAML
/// bibliography and a chapter's `references:` resolve its citations,
/// cross-references resolve across chapters; the one planted missing label
/// is reported, and a renamed heading id breaks the links to it.
#[test]
fn a_quarto_book_reports_only_what_is_broken() {
    let vault = Vault::fixture("quarto-book");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let report = run.json();
    assert_eq!(report["files_checked"], 3);
    assert_eq!(
        messages(&report),
        ["no label 'tbl-missing' ({#tbl-missing})"]
    );
    let method = std::fs::read_to_string(vault.path().join("method.qmd")).unwrap();
    vault.write(
        "method.qmd",
        method.replace("{#sec-method ", "{#sec-methods "),
    );
    let report = vault.gloss(&["check", "--format", "json"]).json();
    assert_eq!(
        messages(&report),
        [
            "no label 'sec-method' ({#sec-method})",
            "no label 'tbl-missing' ({#tbl-missing})",
            "no heading 'sec-method' in this document; did you mean 'sec-methods'?"
        ]
    );
}

/// A thesis built by `pandoc -d thesis.yaml`: the defaults file named in
/// `gloss.toml` makes its inputs one document and its YAML inputs with
/// `references:` a bibliography, as Pandoc reads them.
#[test]
fn a_pandoc_defaults_file_gives_documents_and_bibliographies() {
    let vault = Vault::empty();
    vault.write("gloss.toml", "[pandoc]\ndefaults = [\"thesis.yaml\"]\n");
    vault.write(
        "thesis.yaml",
        "input-files:\n- ${.}/refs.yml\n- metadata.yml\n- ch/1.md\n- ch/2.md\n",
    );
    vault.write(
        "refs.yml",
        "---\nreferences:\n- id: wei2022\n  title: 思维链 😀\n  issued: 2022\n...\n",
    );
    vault.write("metadata.yml", "title: 论文\nlang: zh\n");
    vault.write(
        "ch/1.md",
        "# 引言 {#sec:intro}\n见 [@wei2022] 和[方法](#sec:method)。\n",
    );
    vault.write(
        "ch/2.md",
        "# 方法 {#sec:method}\n回到[引言](#sec:intro)，[@nope]。\n",
    );
    let report = vault.gloss(&["check", "--format", "json"]).json();
    assert_eq!(messages(&report), ["unknown citation key 'nope'"]);
}

/// `--changed-since`: a note renamed in a commit breaks the links of notes
/// that did not change, and those are reported; old problems elsewhere are
/// not, nor is a bad revision taken for an option.
#[test]
fn changed_since_reports_what_a_rename_broke() {
    let vault = Vault::empty();
    vault.write("old-name.md", "# 旧名 😀\n");
    vault.write("links.md", "见 [[old-name]]。\n");
    vault.write("elsewhere.md", "[[Written later]]\n");
    git(vault.path(), &["init", "-q"]);
    git(vault.path(), &["add", "."]);
    git(vault.path(), &["commit", "-q", "-m", "notes"]);
    git(vault.path(), &["mv", "old-name.md", "new-name.md"]);
    git(vault.path(), &["commit", "-q", "-m", "rename"]);
    vault.write("draft.md", "[[Typo]]\n");

    let run = vault.gloss(&["check", "--format", "json", "--changed-since", "HEAD~1"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let report = run.json();
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["draft.md", "links.md"]);
    assert!(run.stderr().contains("since HEAD~1"), "{}", run.stderr());

    let run = vault.gloss(&["check", "--changed-since", "--output=x"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let run = vault.gloss(&["check", "--changed-since", "no-such-ref"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("git diff failed"), "{}", run.stderr());
}

/// Found in review: a glossary term taken out of a changed note breaks
/// `[[Term]]` in notes that did not change, and a new note of the same
/// name makes a link ambiguous; both are reported. Outside a git
/// repository the message says so.
#[test]
fn changed_since_reports_removed_names_and_new_ambiguity() {
    let vault = Vault::empty();
    vault.write(
        "glossary.md",
        "# 名词解释\n- CoT（思维链）：先写推理步骤 😀\n- RAG：检索增强\n",
    );
    vault.write("uses.md", "[[CoT]] [[RAG]]\n");
    vault.write("a/Other.md", "# Other\n");
    vault.write("c/links.md", "[[Other]]\n");
    let run = vault.gloss(&["check", "--changed-since", "HEAD"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("not in a git repository"),
        "{}",
        run.stderr()
    );
    git(vault.path(), &["init", "-q"]);
    git(vault.path(), &["add", "."]);
    git(vault.path(), &["commit", "-q", "-m", "notes"]);
    vault.write("glossary.md", "# 名词解释\n- RAG：检索增强\n");
    vault.write("b/Other.md", "# Other too\n");
    let run = vault.gloss(&["check", "--format", "json", "--changed-since", "HEAD"]);
    let report = run.json();
    let found: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("c/links.md", "ambiguous-link"), ("uses.md", "broken-link")]
    );
}

/// Papers cited by title are hints: left out of `gloss check` unless asked
/// for with `--hints`, and then listed with the key to cite them by.
#[test]
fn title_citations_are_hints_shown_when_asked() {
    let vault = Vault::fixture("title-vault");
    let quiet = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(quiet.code(), 0, "{}", quiet.stderr());
    assert_eq!(quiet.json()["diagnostics"], serde_json::json!([]));

    let run = vault.gloss(&["check", "--hints", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let shown: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["line"], d["column"], d["severity"], d["message"]
            )
        })
        .collect();
    expect![[r#"
        8:21 "hint" "'Transformer Feed-Forward Layers Are Key-Value Memories' is cited by title; cite it as [@geva2021transformer]"
        9:27 "hint" "'Locating and Editing Factual Associations in GPT' is cited by title; cite it as [@meng2022locating]"
        9:78 "hint" "'Mass-Editing Memory in a Transformer' is cited by title; cite it as [@meng2023mass]"
        13:7 "hint" "'Scaling Laws for Neural Language Models' is cited by title; cite it as [@kaplan2020scaling]"
        14:7 "hint" "'Training Compute Optimal Large Language Models' is cited by title; cite it as [@hoffmann2022training]"
        16:11 "hint" "'Emergent Abilities of Large Language Models' is cited by title; cite it as [@wei2022emergent]"
        20:3 "hint" "'Rethinking the Role of Demonstrations: What Makes In-Context Learning Work' is cited by title; cite it as [@min2022rethinking]"
        21:3 "hint" "'What learning algorithm is in-context learning? Investigations with linear models' is cited by title; cite it as [@akyurek2023learning]"
        22:5 "hint" "'Chain of thought prompting elicits reasoning in large language models' is cited by title; cite it as [@wei2022chain]""#]].assert_eq(&shown.join("\n"));
}

/// Found in a Quarto site whose posts declare bibliographies by absolute
/// paths on the author's machine: each post reported every key it cites
/// as unknown besides the missing file. Pandoc stops at the missing file,
/// so that is the one problem of such a note; a note whose bibliographies
/// all load still gets its unknown keys.
#[test]
fn a_note_whose_bibliography_cannot_be_loaded_reports_that_not_its_keys() {
    let vault = Vault::empty();
    vault.write("refs.bib", "@book{wei2022, title = {思维链 😀}}\n");
    vault.write(
        "a.md",
        "---\nbibliography: [refs.bib, /nowhere/gone.bib, gone.bib]\n---\n😀 [@wei2022] [@only_in_gone]\r\n",
    );
    vault.write(
        "b.md",
        "---\nbibliography: refs.bib\n---\n[@wei2022] [@nope]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    expect![[r#"
        "missing-bibliography" "a.md":2 "cannot load bibliography '/nowhere/gone.bib': no such file"
        "missing-bibliography" "a.md":2 "cannot load bibliography 'gone.bib': no such file"
        "unknown-citation" "b.md":4 "unknown citation key 'nope'""#]]
    .assert_eq(&located(&run.json()).join("\n"));
}

/// Found in a Quarto site whose posts name their author's library by an
/// absolute path: a bibliography out of the workspace is read, as Pandoc
/// reads it, unless gloss runs with `--untrusted`; a file out of it that
/// is no bibliography is never read.
#[test]
fn a_bibliography_outside_the_workspace_is_the_authors_library() {
    let library = Vault::empty();
    library.write(
        "Zotero 😀/library.bib",
        "@book{wei2022, title = {思维链}}\n",
    );
    library.write("secret.txt", "@book{leak, title = {secret}}\n");
    let bib = library.path().join("Zotero 😀/library.bib");
    let secret = library.path().join("secret.txt").display().to_string();
    let vault = Vault::empty();
    vault.write(
        "post.md",
        format!(
            "---\nbibliography: \"{}\"\n---\n[@wei2022] [@nope]\r\n",
            bib.display()
        ),
    );
    vault.write(
        "leak.md",
        format!("---\nbibliography: \"{secret}\"\n---\n[@leak]\n"),
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(
        located(&run.json()),
        [
            format!(
                r#""missing-bibliography" "leak.md":2 "cannot load bibliography '{secret}': only .bib, .bibtex, CSL .json and CSL .yaml files are read""#
            ),
            r#""unknown-citation" "post.md":4 "unknown citation key 'nope'""#.to_string(),
        ]
    );
    let untrusted = vault.gloss(&["check", "--untrusted", "--format", "json"]);
    let shown = located(&untrusted.json()).join("\n");
    assert!(shown.contains("it is outside the workspace"), "{shown}");
    assert!(!shown.contains("unknown citation key 'nope'"), "{shown}");
}

/// Found in a bookdown book (its `index.Rmd` names `packages.bib`, which
/// the build writes) and a Quarto site (a page whose bibliography is on
/// its author's machine includes a part that cites): 610 keys were
/// reported unknown. The bibliography of a document's `index.Rmd`, or of
/// the page that includes a part, is the part's too.
#[test]
fn parts_of_a_document_whose_bibliography_cannot_be_loaded_report_that_not_their_keys() {
    let vault = Vault::empty();
    vault.write("book/_bookdown.yml", "book_filename: 书\n");
    vault.write(
        "book/literature.bib",
        "@book{wei2022, title = {思维链 😀}}\n",
    );
    vault.write(
        "book/index.Rmd",
        "---\nbibliography: [packages.bib, literature.bib]\n---\n# 前言\n",
    );
    vault.write("book/01-intro.Rmd", "😀 [@wei2022] [@R-knitr]\r\n");
    vault.write("site/_quarto.yml", "project:\n  type: website\n");
    vault.write(
        "site/page.qmd",
        "---\nbibliography: /Users/someone/refs.yaml\n---\n{{< include _part.qmd >}}\n",
    );
    vault.write("site/_part.qmd", "[@WOSA1956CEQ2500001]\n");
    vault.write("site/other.qmd", "[@R-knitr]\n");
    // A Quarto book renders each chapter with its own front matter.
    vault.write(
        "qbook/_quarto.yml",
        "project:\n  type: book\nbook:\n  chapters: [a.qmd, b.qmd]\n",
    );
    vault.write("qbook/a.qmd", "---\nbibliography: gone.bib\n---\n[@x]\n");
    vault.write("qbook/b.qmd", "[@nope]\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    expect![[r#"
        "missing-bibliography" "book/index.Rmd":2 "cannot load bibliography 'packages.bib': no such file"
        "missing-bibliography" "qbook/a.qmd":2 "cannot load bibliography 'gone.bib': no such file"
        "unknown-citation" "qbook/b.qmd":1 "unknown citation key 'nope'"
        "unknown-citation" "site/other.qmd":1 "unknown citation key 'R-knitr'"
        "missing-bibliography" "site/page.qmd":2 "cannot load bibliography '/Users/someone/refs.yaml': no such file""#]]
    .assert_eq(&located(&run.json()).join("\n"));
}

/// Found in rstudio/bookdown and rstudio/rmarkdown: 202 of 204 and 213 of
/// 245 diagnostics were the `@user` handles their `NEWS.md` thanks. Where
/// notes declare their `.bib`, a bare `@word` outside those documents (and
/// their project's) is no citation. Checked with the files on disk, as
/// the walk finds them and as notes name them (`./`, `../`).
#[test]
fn handles_outside_a_document_with_a_bibliography_are_not_citations() {
    let vault = Vault::empty();
    vault.write("book/_bookdown.yml", "book_filename: 书\n");
    vault.write("book/book.bib", "@book{xie2015, title = {动态文档 😀}}\n");
    vault.write(
        "book/index.Rmd",
        "---\nbibliography: ./book.bib\n---\n见 @xie2015 和 @nope\n",
    );
    vault.write("book/01-intro.Rmd", "😀 @gone\r\n");
    vault.write("NEWS.md", "- 修复 😀 (thanks @yihui, #12)\r\n");
    // A project's bibliography is each of its pages', whoever else names it.
    vault.write("site/_quarto.yml", "bibliography: refs.bib\n");
    vault.write("site/refs.bib", "@misc{y, title = {Y}}\n");
    vault.write("site/a.qmd", "---\nbibliography: refs.bib\n---\n@y\n");
    vault.write("site/b.qmd", "@y @nowhere\n");
    vault.write(
        "vignettes/own.Rmd",
        "---\nbibliography: ../book/book.bib\n---\n见 @absent\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    let before = located(&run.json());
    expect![[r#"
        "unknown-citation" "book/01-intro.Rmd":1 "unknown citation key 'gone'"
        "unknown-citation" "book/index.Rmd":4 "unknown citation key 'nope'"
        "unknown-citation" "site/b.qmd":1 "unknown citation key 'nowhere'"
        "unknown-citation" "vignettes/own.Rmd":4 "unknown citation key 'absent'""#]]
    .assert_eq(&before.join("\n"));
    // rstudio/rmarkdown: a test resource no note names is still not theirs.
    vault.write("tests/resources/UTF8.bib", "@misc{x, title = {X}}\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(located(&run.json()), before);
    // Where no note declares a file, a file serves the notes of its
    // folder: the book's `@xie2015`, not the handles beside the book, nor
    // the vignette that no longer declares it.
    std::fs::remove_file(vault.path().join("tests/resources/UTF8.bib")).unwrap();
    for rel in ["book/index.Rmd", "site/a.qmd", "vignettes/own.Rmd"] {
        let text = std::fs::read_to_string(vault.path().join(rel)).unwrap();
        vault.write(rel, text.replace("bibliography:", "title:"));
    }
    let run = vault.gloss(&["check", "--format", "json"]);
    expect![[r#"
        "unknown-citation" "book/01-intro.Rmd":1 "unknown citation key 'gone'"
        "unknown-citation" "book/index.Rmd":4 "unknown citation key 'nope'"
        "unknown-citation" "site/b.qmd":1 "unknown citation key 'nowhere'""#]]
    .assert_eq(&located(&run.json()).join("\n"));
    // And a library at the root serves every note.
    vault.write("library.bib", "@misc{lib, title = {L}}\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    expect![[r#"
        "unknown-citation" "NEWS.md":1 "unknown citation key 'yihui'"
        "unknown-citation" "book/01-intro.Rmd":1 "unknown citation key 'gone'"
        "unknown-citation" "book/index.Rmd":4 "unknown citation key 'nope'"
        "unknown-citation" "site/b.qmd":1 "unknown citation key 'nowhere'"
        "unknown-citation" "vignettes/own.Rmd":4 "unknown citation key 'absent'""#]]
    .assert_eq(&located(&run.json()).join("\n"));
}

/// Found in a paper kept with a copy of its `.bib` per journal template,
/// and a Quarto blog: a key in two files is a duplicate only where one
/// build reads both files.
#[test]
fn a_key_is_a_duplicate_only_in_files_read_together() {
    let vault = Vault::empty();
    let entry = "@article{wei2022, title = {思维链 😀}}\n";
    vault.write("paper/references.bib", entry);
    vault.write("paper/jmlr/references.bib", entry);
    vault.write("paper/jmlr/main.md", "[@wei2022]\n");
    vault.write("thesis/a.bib", "@book{k, title = {A}}\n");
    vault.write(
        "thesis/b.bib",
        "@book{k, title = {B}}\n@book{k, title = {B again}}\n",
    );
    vault.write(
        "thesis/thesis.md",
        "---\nbibliography: [a.bib, b.bib]\n---\n[@k] [@wei2022]\n",
    );
    let run = vault.gloss(&["check", "--format", "json"]);
    expect![[r#"
        "duplicate-citation-key" "thesis/b.bib":1 "citation key 'k' is already defined in thesis/a.bib:1"
        "duplicate-citation-key" "thesis/b.bib":2 "citation key 'k' is already defined in thesis/a.bib:1""#]]
    .assert_eq(&located(&run.json()).join("\n"));
}

/// Found in Manubot manuscripts: every `[@doi:…]`, `[@arxiv:…]` and
/// `[@tag:…]` (1,196 citations) was reported unknown, though Manubot's
/// filter resolves them, not a bibliography; so were Bioregistry
/// prefixes (`clinicaltrials:`), identifiers whose prefix Manubot infers
/// (`10.1248/…`, `PMC…`), and the keys of references written by hand in
/// `content/manual-references*.json` (filed under `standard_citation` or
/// the `standard_id:` of their note). A citation outside `content/` (a
/// README, an old build kept for comparison) is no build's. Without
/// Manubot's build they are keys like any other.
#[test]
fn a_manubot_manuscript_cites_persistent_identifiers() {
    let note = "见 [@doi:10.1038/nature14539; @arXiv:1409.0473] 😀 [@tag:Smith2020]\r\n\n[@tag:Smith2020]: doi:10.1000/abc\n\n[@pmid:29424689] [@missing_key]\n\
                [@pubmed:11895036; @clinicaltrials:NCT03739372] [@10.1248/cpb.56.1473; @10/gjgdzm; @PMC4719068; @1409.0473v2]\n\
                [@decandolle1816; @Strehl2002; @url:https://x.org/a]\n";
    let unknown = |vault: &Vault| -> Vec<String> {
        let run = vault.gloss(&["check", "--format", "json"]);
        run.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "unknown-citation")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let manuscript = Vault::empty();
    manuscript.write(
        "build/pandoc/defaults/common.yaml",
        "filters:\n- pandoc-manubot-cite\n- citeproc\n",
    );
    manuscript.write("content/01.intro.md", note);
    manuscript.write(
        "content/manual-references.json",
        r#"[{"id": "xVEzsOX1", "type": "book", "title": "Essai", "note": "This CSL Item was generated by hand.\nstandard_id: decandolle1816"},
 {"type": "webpage", "standard_citation": "url:https://x.org/a", "title": "A"}]"#,
    );
    manuscript.write(
        "content/manual-references-old.json",
        r#"[{"id": "Strehl2002", "title": "Cluster ensembles"}, {"id": "xVEzsOX1"}]"#,
    );
    manuscript.write("README.md", "[@missing_in_readme]\n");
    manuscript.write("output/old/manuscript.md", "[@16CgM2x0z]\n");
    let run = manuscript.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [r#""unknown-citation" "content/01.intro.md":5 "unknown citation key 'missing_key'""#]
    );

    let plain = Vault::empty();
    plain.write("content/01.intro.md", note);
    assert_eq!(unknown(&plain).len(), 15, "{:?}", unknown(&plain));
}

/// Found in a Manubot manuscript: `manubot process` joins `content/*.md`
/// into one document, so a section of one is linked from another; a file
/// in a folder below is not part of it.
#[test]
fn a_manubot_manuscript_is_one_document() {
    let manuscript = Vault::empty();
    let write = |rel: &str, text: &str| manuscript.write(rel, text);
    write(
        "build/pandoc/defaults/common.yaml",
        "filters:\n- pandoc-manubot-cite\n- citeproc\n",
    );
    write(
        "content/03.methods.md",
        "See the [supplement](#sec:supp) 😀\r\n",
    );
    write(
        "content/99.supp.md",
        "## Supplement {#sec:supp}\n[Results](#sec:results) [x](#sec:nope)\n",
    );
    write("content/04.results.md", "## Results {#sec:results}\n");
    write("content/drafts/old.md", "[s](#sec:supp)\n");
    let run = manuscript.gloss(&["check", "--format", "json"]);
    assert_eq!(
        gloss_e2e::located(&run.json()),
        [
            r#""broken-anchor" "content/99.supp.md":2 "no heading 'sec:nope' in this document""#,
            r#""broken-anchor" "content/drafts/old.md":1 "no heading 'sec:supp' in this note""#,
        ]
    );
}
