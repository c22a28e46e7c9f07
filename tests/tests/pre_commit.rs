//! The pre-commit hook (`.pre-commit-hooks.yaml`), run by the real
//! `pre-commit` from PyPI with `try-repo` against a temporary git
//! repository: pre-commit installs gloss from this repository's root with
//! `cargo install` and runs it on the changed files.

use std::path::Path;
use std::process::{Command, Output};

use gloss_e2e::git;
use gloss_e2e::tools::{target_dir, which, Venv};

/// The `pre-commit` release the test runs.
const PRE_COMMIT: &str = "4.7.0";

fn try_repo(pre_commit: &Path, repo: &Path, files: &[&str]) -> Output {
    let gloss_repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    Command::new(pre_commit)
        .args(["try-repo"])
        .arg(gloss_repo)
        .args(["gloss-check", "--verbose", "--files"])
        .args(files)
        .current_dir(repo)
        // The hook's environment is built under target/, and its `cargo
        // install` shares the tests' target folder (dependencies built once).
        .env("PRE_COMMIT_HOME", target_dir().join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("NO_COLOR")
        .output()
        .expect("pre-commit runs")
}

#[test]
fn the_hook_installs_and_reports_only_the_changed_notes() {
    if which("git").is_none() {
        panic!("git is needed for pre-commit (apt install git)");
    }
    let pre_commit = Venv {
        package: "pre-commit",
        version: PRE_COMMIT,
        program: "pre-commit",
    }
    .install();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::write(repo.join("gloss.toml"), "").unwrap();
    std::fs::write(repo.join("a.md"), "# 笔记 😀\n[[Missing note]] [[b]]\n").unwrap();
    std::fs::write(repo.join("b.md"), "# B\n[[a]]\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "notes"]);

    // A changed note with a broken link fails the hook, with the message.
    let run = try_repo(&pre_commit, repo, &["a.md"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        !run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains("no concept or note named 'Missing note'"),
        "{stdout}"
    );

    // Another changed note passes: a.md's problem is not its business, and
    // its link to a.md resolves against the whole vault.
    let run = try_repo(&pre_commit, repo, &["b.md"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
