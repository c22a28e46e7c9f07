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

/// `install` keeps a binary built from the same sources (the Action caches
/// `~/.gloss-action` under the `key` of its sources: `cargo install` takes
/// minutes).
#[test]
fn install_step_keeps_a_binary_built_from_the_same_sources() {
    let dir = tempfile::tempdir().unwrap();
    let key = run_sh(
        "key",
        &[("RUNNER_OS", "Linux"), ("RUNNER_ARCH", "X64")],
        dir.path(),
    );
    let key = String::from_utf8_lossy(&key.stdout).trim().to_string();
    assert!(key.starts_with("key=gloss-Linux-X64-"), "{key}");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(gloss_bin(), bin.join("gloss")).unwrap();
    let source_key = key.rsplit('-').next().unwrap();
    std::fs::write(dir.path().join("source-key"), format!("{source_key}\n")).unwrap();
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

/// Found in review: a summary of thousands of problems ended the step with
/// SIGPIPE, a message holding `::` was cut there, a multi-line `args` lost
/// its second line, and a failed run said "No problems found".
#[test]
fn summary_of_many_problems_odd_messages_and_failures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gloss.toml"), "").unwrap();
    let mut note = String::from("# 笔记 😀\n[[C++::std]]\n");
    for i in 0..3000 {
        note.push_str(&format!("[[missing {i}]]\n"));
    }
    std::fs::write(dir.path().join("a.md"), note).unwrap();
    std::fs::write(
        dir.path().join("base.json"),
        "{\"version\": 1, \"entries\": []}",
    )
    .unwrap();
    let summary = dir.path().join("summary.md");
    let run = run_sh(
        "check",
        &[
            ("INPUT_ARGS", "--deny-warnings\n--baseline base.json"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("left out as in the baseline"), "{stderr}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("| error | `broken-link` | 3001 |"), "{text}");
    assert!(
        text.contains("no concept or note named 'C++::std'"),
        "{text}"
    );
    assert!(text.contains("</details>"), "{text}");

    std::fs::write(&summary, "").unwrap();
    let run = run_sh(
        "check",
        &[
            ("INPUT_CHANGED_SINCE", "no-such-ref"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(2));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("gloss failed (exit status 2)"), "{text}");
}
