//! `gloss check --write-baseline` and `--baseline`: adopting gloss on a
//! vault that already has problems, so that CI fails only on new ones.

use gloss_e2e::{messages, Vault};

/// A vault with deliberate "write this later" links and an unknown key.
fn vault() -> Vault {
    let vault = Vault::empty();
    vault.write("refs.bib", "@misc{known, title = {T}}\n");
    vault.write(
        "a.md",
        "# 笔记 😀\n以后写 [[Later note]] 和 [[Later note]]，见 [@missing2020]。\n",
    );
    vault.write("b.md", "[[a]] [[Another later]]\n");
    vault
}

#[test]
fn a_baseline_hides_what_was_there_and_reports_what_is_new() {
    let vault = vault();
    let first = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(first.code(), 1);
    assert_eq!(messages(&first.json()).len(), 4);

    // Writing the baseline succeeds whatever it holds.
    let write = vault.gloss(&["check", "--write-baseline", "gloss-baseline.json"]);
    assert_eq!(write.code(), 0, "{}", write.stderr());
    assert!(
        write.stderr().contains("wrote 4 diagnostics"),
        "{}",
        write.stderr()
    );
    let file = std::fs::read_to_string(vault.path().join("gloss-baseline.json")).unwrap();
    assert!(file.contains("\"text\": \"Later note\""), "{file}");
    assert!(file.contains("\"count\": 2"), "{file}");
    assert!(!file.contains("\"line\""), "no line numbers: {file}");

    // Against it, the vault is clean, in every format.
    for format in ["human", "json", "github", "sarif"] {
        let run = vault.gloss(&[
            "check",
            "--format",
            format,
            "--baseline",
            "gloss-baseline.json",
        ]);
        assert_eq!(run.code(), 0, "{format}: {}{}", run.stdout(), run.stderr());
        assert!(
            run.stderr().contains("4 diagnostics left out"),
            "{}",
            run.stderr()
        );
        assert!(
            !run.stdout().contains("Later note"),
            "{format}: {}",
            run.stdout()
        );
    }

    // Lines added above the known problems change nothing; a new typo is
    // reported, and a third link to the missing note is new too.
    vault.write(
        "a.md",
        "---\ntitle: 笔记\n---\n\n新的一段。\n# 笔记 😀\n以后写 [[Later note]] 和 [[Later note]]，见 [@missing2020]。\n[[Later note]] [[Typo note]]\n",
    );
    let run = vault.gloss(&[
        "check",
        "--format",
        "json",
        "--baseline",
        "gloss-baseline.json",
    ]);
    assert_eq!(run.code(), 1);
    assert_eq!(
        messages(&run.json()),
        [
            "no concept or note named 'Later note'",
            "no concept or note named 'Typo note'"
        ]
    );

    // Fixing problems leaves stale entries, which the run counts.
    vault.write("a.md", "# 笔记 😀\n[@known]\n");
    let run = vault.gloss(&["check", "--baseline", "gloss-baseline.json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(
        run.stderr().contains("3 baseline entries no longer occur"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_baseline_named_in_gloss_toml_and_bad_baselines() {
    let vault = vault();
    vault.gloss(&["check", "--write-baseline", ".gloss/baseline.json"]);
    assert!(!vault.path().join(".gloss/baseline.json").exists());
    std::fs::create_dir_all(vault.path().join("ci")).unwrap();
    let write = vault.gloss(&["check", "--write-baseline", "ci/baseline.json"]);
    assert_eq!(write.code(), 0, "{}", write.stderr());
    vault.write("gloss.toml", "[check]\nbaseline = \"ci/baseline.json\"\n");
    let run = vault.gloss(&["check", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(messages(&run.json()), Vec::<String>::new());

    vault.write("ci/baseline.json", "{\"version\": 1, \"entries\": [}");
    let run = vault.gloss(&["check"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("not a gloss baseline"),
        "{}",
        run.stderr()
    );
    let run = vault.gloss(&["check", "--baseline", "missing.json"]);
    assert_eq!(run.code(), 2);
}

/// Found in review: a nested vault's `a.md` matched the outer vault's
/// entry, which baseline applied depended on the order of the paths, and a
/// baseline written from some files dropped the others' entries.
#[test]
fn baselines_of_nested_vaults_and_of_some_files() {
    let vault = vault();
    vault.write("gloss.toml", "[check]\nbaseline = \"baseline.json\"\n");
    std::fs::create_dir_all(vault.path().join("sub")).unwrap();
    vault.write("sub/gloss.toml", "");
    vault.write("sub/a.md", "[[Later note]]\n");
    let write = vault.gloss(&["check", "--write-baseline", "baseline.json", "a.md", "b.md"]);
    assert_eq!(write.code(), 0, "{}", write.stderr());
    // The nested vault's note is its own problem, in either order.
    for paths in [["a.md", "sub/a.md"], ["sub/a.md", "a.md"]] {
        let run = vault.gloss(&["check", "--format", "json", paths[0], paths[1]]);
        assert_eq!(
            messages(&run.json()),
            ["no concept or note named 'Later note'"],
            "{paths:?}: {}",
            run.stderr()
        );
    }
    // Rewriting from b.md alone keeps a.md's entries, and a run on b.md
    // does not call them stale.
    vault.write("b.md", "[[a]]\n");
    let write = vault.gloss(&["check", "--write-baseline", "baseline.json", "b.md"]);
    assert!(
        write.stderr().contains("wrote 3 diagnostics"),
        "{}",
        write.stderr()
    );
    let run = vault.gloss(&["check", "b.md"]);
    assert_eq!(run.code(), 0);
    assert!(
        !run.stderr().contains("no longer occur"),
        "{}",
        run.stderr()
    );
    let run = vault.gloss(&["check", "a.md"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
}
