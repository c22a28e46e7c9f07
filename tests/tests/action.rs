//! The GitHub Action (`action.yml`): its shell steps are `action/run.sh`,
//! run here as the Action runs them, on the example vault.

use std::path::Path;
use std::process::{Command, Output};

use gloss_e2e::gloss_bin;

fn run_sh(command: &str, env: &[(&str, &str)], cwd: &Path) -> Output {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    Command::new("bash")
        .arg(repo.join("action/run.sh"))
        .arg(command)
        .envs(env.iter().copied())
        .env("GLOSS", gloss_bin())
        .current_dir(cwd)
        .output()
        .expect("bash runs")
}

#[test]
fn check_step_annotates_summarises_and_fails_on_errors() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "").unwrap();
    let run = run_sh(
        "check",
        &[
            ("INPUT_PATHS", "examples/llm-notes"),
            ("INPUT_FORMAT", "github"),
            ("INPUT_ARGS", "--deny-warnings"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        repo,
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    // The example vault's deliberate mistakes: annotations, status 1.
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains("::error file=examples/llm-notes/index.md,line=23"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("## gloss check"), "{summary}");
    assert!(summary.contains("| error | `broken-link` |"), "{summary}");
    assert!(
        summary.contains("- `examples/llm-notes/index.md:23` error: no concept or note named"),
        "{summary}"
    );
    assert!(summary.contains("Exit status: 1"), "{summary}");
}

#[test]
fn check_step_writes_sarif_and_passes_a_clean_vault() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gloss.toml"), "").unwrap();
    std::fs::write(dir.path().join("a.md"), "# 笔记 😀\n[[b]]\n").unwrap();
    std::fs::write(dir.path().join("b.md"), "# B\n").unwrap();
    let summary = dir.path().join("summary.md");
    let run = run_sh(
        "check",
        &[
            ("INPUT_SARIF", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        dir.path(),
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("gloss.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("No problems found."));
}

/// `install` keeps a cached binary of the same version (the Action caches
/// `~/.gloss-action` per ref: `cargo install` takes minutes).
#[test]
fn install_step_keeps_a_cached_binary() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(gloss_bin(), bin.join("gloss")).unwrap();
    let run = run_sh(
        "install",
        &[("GLOSS_INSTALL_DIR", dir.path().to_str().unwrap())],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("gloss: cached (gloss 0.1.0)"), "{stdout}");
}
