//! Helpers for end-to-end tests: the real `gloss` binary, run as a user
//! would, over fixture vaults copied into temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub mod lsp;
pub mod tools;

/// The `gloss` binary of this workspace, built once per test process with the
/// same profile as the tests.
pub fn gloss_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // target/<profile>/deps/<test binary>
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "gloss", "--bin", "gloss"]);
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building gloss failed");
        profile_dir.join(format!("gloss{}", std::env::consts::EXE_SUFFIX))
    })
}

/// The folder holding the committed fixture vaults.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A vault in a temporary folder; removed when dropped.
pub struct Vault {
    dir: tempfile::TempDir,
}

impl Vault {
    /// An empty vault (with a `gloss.toml`, so that it is its own workspace
    /// root rather than the enclosing repository).
    pub fn empty() -> Vault {
        let vault = Vault {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        vault.write("gloss.toml", "");
        vault
    }

    /// A copy of the fixture vault `name`.
    pub fn fixture(name: &str) -> Vault {
        Vault::copy_of(&fixtures().join(name))
    }

    /// A copy of any folder, such as the example vault.
    pub fn copy_of(source: &Path) -> Vault {
        let vault = Vault {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        copy_dir(source, vault.path());
        vault
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `relative`, creating folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(path, contents).expect("write file");
    }

    /// Runs `gloss` with `args` in the vault's folder.
    pub fn gloss(&self, args: &[&str]) -> Run {
        let output = Command::new(gloss_bin())
            .args(args)
            .current_dir(self.path())
            .env_remove("NO_COLOR")
            .output()
            .expect("gloss runs");
        Run(output)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy fixture file");
        }
    }
}

/// The outcome of one run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().expect("exited normally")
    }

    pub fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).expect("stdout is UTF-8")
    }

    pub fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).expect("stderr is UTF-8")
    }

    /// The `--format json` document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout()).expect("stdout is one JSON document")
    }
}

/// The messages of a `diagnostics` array (of `gloss check --format json`
/// or a `publishDiagnostics` notification), in order.
pub fn messages(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|d| d["message"].as_str().expect("a message").to_string())
        .collect()
}

/// `code path:line message` of each entry of a `diagnostics` array of
/// `gloss check --format json`, in order.
pub fn located(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|d| format!("{} {}:{} {}", d["code"], d["path"], d["line"], d["message"]))
        .collect()
}

/// Runs `command` to its end with stdin closed, draining stdout and stderr
/// on threads (a full pipe must not stall the child while this waits);
/// kills it and fails the test if it runs longer than `limit`.
pub fn output_within(command: &mut Command, limit: std::time::Duration) -> Output {
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).ok();
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs `git` in `dir` (with an identity, for commits), which must succeed.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=gloss",
            "-c",
            "user.email=gloss@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} in {}", dir.display());
}
