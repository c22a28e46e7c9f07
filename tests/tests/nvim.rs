//! The Neovim plugin (`editors/nvim`) in a real, headless Neovim: attach,
//! hover, go to the glossary entry and the `.bib` entry, diagnostics,
//! keymaps and `:checkhealth gloss` (see `editors/nvim/tests/e2e.lua`).
//!
//! Neovim is a test dependency (Debian: `apt-get install neovim`, 0.7.2);
//! a missing `nvim` fails this test rather than skipping it, so CI cannot
//! pass without having run it. Set `GLOSS_SKIP_NVIM=1` to skip it on
//! purpose on a machine without Neovim.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gloss_e2e::{gloss_bin, Vault};

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

    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("GLOSS_BIN", gloss_bin())
        .env("GLOSS_VAULT", vault.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    // Drained on a thread, so that a chatty run cannot fill the pipe and
    // stall nvim while this thread waits for it to exit.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut log).ok();
        log
    });
    // The script stops itself after 60 s; this is the guard behind it.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            child.kill().ok();
            panic!("nvim did not exit within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().unwrap();
    let log = reader.join().unwrap();
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
