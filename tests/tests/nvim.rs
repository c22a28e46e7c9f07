//! The Neovim plugin (`editors/nvim`) in a real, headless Neovim: attach,
//! hover, go to the glossary entry and the `.bib` entry, diagnostics,
//! keymaps and `:checkhealth gloss` (see `editors/nvim/tests/e2e.lua`).
//!
//! Neovim is a test dependency (Debian: `apt-get install neovim`, 0.7.2);
//! a missing `nvim` fails this test rather than skipping it, so CI cannot
//! pass without having run it. Set `GLOSS_SKIP_NVIM=1` to skip it on
//! purpose on a machine without Neovim.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use gloss_e2e::{gloss_bin, output_within, Vault};

#[test]
fn plugin_attaches_and_answers_in_real_neovim() {
    if std::env::var_os("GLOSS_SKIP_NVIM").is_some_and(|v| v == "1") {
        eprintln!("GLOSS_SKIP_NVIM=1: skipping the Neovim test");
        return;
    }
    let nvim = which("nvim").unwrap_or_else(|| {
        panic!("Neovim (`nvim`) is not on PATH: install it (apt-get install neovim) or set GLOSS_SKIP_NVIM=1")
    });
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let vault = Vault::copy_of(&repo.join("examples/llm-notes"));
    let script = repo.join("editors/nvim/tests/e2e.lua");

    // The script stops itself after 60 s; this is the guard behind it.
    let output = output_within(
        Command::new(nvim)
            .args(["--headless", "--clean", "-c"])
            .arg(format!("luafile {}", script.display()))
            .env("GLOSS_BIN", gloss_bin())
            .env("GLOSS_VAULT", vault.path()),
        Duration::from_secs(90),
    );
    let (status, log) = (output.status, String::from_utf8_lossy(&output.stderr));
    eprintln!("{log}");
    assert!(status.success(), "the Neovim test failed ({status})");
    assert!(
        log.contains("all checks passed"),
        "the script did not finish: {log}"
    );
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}
