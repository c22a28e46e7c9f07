//! gloss-bench: generate synthetic vaults and measure gloss on them.
//!
//! ```text
//! cargo run --release -p gloss-bench -- gen --notes 10000 bench-out/vault-10000
//! cargo run --release -p gloss-bench -- run --notes 1000 --notes 10000
//! ```
//!
//! Figures from one run are compared with each other (gloss's grammar with
//! tree-sitter-md, `gloss check` with `rg` reading the same files), because
//! these machines are too noisy for absolute targets.

mod generate;
mod lsp;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Synthetic vaults and benchmarks for gloss")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a synthetic vault.
    Gen {
        /// Where to write it (must not exist).
        out: PathBuf,
        #[arg(long, default_value_t = 1000)]
        notes: usize,
        /// Glossary terms (default: notes / 5).
        #[arg(long)]
        terms: Option<usize>,
        /// Bibliography entries (default: notes / 5).
        #[arg(long)]
        papers: Option<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Generate vaults (if missing) and report the benchmark figures.
    Run {
        /// Vault sizes to measure.
        #[arg(long = "notes", default_values_t = [1000usize, 10000])]
        sizes: Vec<usize>,
        /// Folder for generated vaults.
        #[arg(long, default_value = "bench-out")]
        out: PathBuf,
        /// The gloss binary to measure.
        #[arg(long, default_value = "target/release/gloss")]
        gloss: PathBuf,
        /// Repetitions of each timing; the best is reported.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Bibliography entries (default: notes / 5).
        #[arg(long)]
        papers: Option<usize>,
    },
    /// Measure the language server on a generated vault.
    Lsp {
        #[arg(long, default_value_t = 10000)]
        notes: usize,
        #[arg(long, default_value = "bench-out")]
        out: PathBuf,
        #[arg(long, default_value = "target/release/gloss")]
        gloss: PathBuf,
        /// Bibliography entries (default: notes / 5).
        #[arg(long)]
        papers: Option<usize>,
    },
}

/// The folder of a generated vault: `vault-10000`, or `vault-10000-p100000`
/// with a bibliography of other than the default size.
fn vault_dir(out: &Path, notes: usize, papers: Option<usize>) -> PathBuf {
    match papers {
        None => out.join(format!("vault-{notes}")),
        Some(papers) => out.join(format!("vault-{notes}-p{papers}")),
    }
}

fn spec(notes: usize, terms: Option<usize>, papers: Option<usize>, seed: u64) -> generate::Spec {
    generate::Spec {
        notes,
        terms: terms.unwrap_or((notes / 5).max(10)),
        papers: papers.unwrap_or((notes / 5).max(10)),
        seed,
    }
}

fn main() {
    match Cli::parse().command {
        Cmd::Gen {
            out,
            notes,
            terms,
            papers,
            seed,
        } => {
            generate::write_vault(&out, spec(notes, terms, papers, seed)).expect("write vault");
            println!("wrote {}", out.display());
        }
        Cmd::Lsp {
            notes,
            out,
            gloss,
            papers,
        } => {
            let dir = vault_dir(&out, notes, papers);
            if !dir.exists() {
                generate::write_vault(&dir, spec(notes, None, papers, 42)).expect("write vault");
            }
            let gloss = gloss
                .canonicalize()
                .expect("build gloss with --release first");
            lsp::run(&dir, &gloss);
        }
        Cmd::Run {
            sizes,
            out,
            gloss,
            repeat,
            papers,
        } => {
            println!("| notes | MB | gloss grammar MB/s | tree-sitter-md MB/s | grammar ratio | gloss check wall | gloss check peak RSS | check --cache, warm: wall / peak | rg -c '\\[\\[' wall | check / rg |");
            println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for notes in sizes {
                let dir = vault_dir(&out, notes, papers);
                if !dir.exists() {
                    generate::write_vault(&dir, spec(notes, None, papers, 42))
                        .expect("write vault");
                }
                report(&dir, notes, &gloss, repeat.max(1));
            }
        }
    }
}

fn read_notes(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).expect("read vault").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(std::fs::read(path).expect("read note"));
            }
        }
    }
    out
}

/// The best of `repeat` timings of `f`.
fn best(repeat: usize, mut f: impl FnMut()) -> Duration {
    (0..repeat)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn gloss_grammar(notes: &[Vec<u8>]) {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_gloss::LANGUAGE.into())
        .expect("language");
    for note in notes {
        let tree = parser.parse(note, None).expect("parse");
        std::hint::black_box(tree.root_node().child_count());
    }
}

fn markdown_grammar(notes: &[Vec<u8>]) {
    let mut parser = tree_sitter_md::MarkdownParser::default();
    for note in notes {
        let tree = parser.parse(note, None).expect("parse");
        std::hint::black_box(tree.block_tree().root_node().child_count());
    }
}

/// Runs a command to completion with its output discarded; returns its wall
/// time and peak resident memory (KiB), or None if it could not start or
/// refused its arguments.
fn measure(program: &Path, args: &[&str]) -> Option<(Duration, u64)> {
    measure_env(program, args, &[])
}

/// [`measure`] with extra environment variables.
fn measure_env(
    program: &Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> Option<(Duration, u64)> {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, which nothing else waits for.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    if pid <= 0 {
        return None;
    }
    // Status 2 is a usage error (an older gloss without the flag, say):
    // nothing was measured.
    if std::process::ExitStatus::from_raw(status).code() == Some(2) {
        return None;
    }
    Some((elapsed, usage.ru_maxrss as u64))
}

/// `gloss check --cache` with the index cache filled by a first run and
/// no note changed since: the best time of `repeat` runs and their peak
/// memory.
fn warm_check(repeat: usize, gloss: &Path, vault: &str) -> Option<(Duration, u64)> {
    let cache = std::env::temp_dir().join(format!("gloss-bench-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let env = [("GLOSS_CACHE_DIR", cache.as_os_str())];
    let args = ["check", "--cache", "--format", "json", vault];
    measure_env(gloss, &args, &env)?;
    let runs: Vec<_> = (0..repeat)
        .filter_map(|_| measure_env(gloss, &args, &env))
        .collect();
    let _ = std::fs::remove_dir_all(&cache);
    Some((
        runs.iter().map(|r| r.0).min()?,
        runs.iter().map(|r| r.1).max()?,
    ))
}

fn best_of(repeat: usize, program: &Path, args: &[&str]) -> Option<(Duration, u64)> {
    let runs: Vec<_> = (0..repeat).filter_map(|_| measure(program, args)).collect();
    let time = runs.iter().map(|r| r.0).min()?;
    let rss = runs.iter().map(|r| r.1).max()?;
    Some((time, rss))
}

fn report(dir: &Path, notes: usize, gloss: &Path, repeat: usize) {
    let files = read_notes(dir);
    let bytes: usize = files.iter().map(Vec::len).sum();
    let mb = bytes as f64 / 1e6;
    let ours = mb / best(repeat, || gloss_grammar(&files)).as_secs_f64();
    let md = mb / best(repeat, || markdown_grammar(&files)).as_secs_f64();
    let vault = dir.to_string_lossy();
    let check = best_of(repeat, gloss, &["check", "--format", "json", &vault]);
    let warm = warm_check(repeat, gloss, &vault);
    let rg = best_of(repeat, Path::new("rg"), &["-c", r"\[\[", &vault]);
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    println!(
        "| {notes} | {mb:.1} | {ours:.1} | {md:.1} | {:.1}× | {} | {} | {} | {} | {} |",
        ours / md,
        check.map_or("n/a (build gloss --release)".into(), |c| ms(c.0)),
        check.map_or("n/a".into(), |c| format!("{:.0} MB", c.1 as f64 / 1024.0)),
        warm.map_or("n/a".into(), |c| format!(
            "{} / {:.0} MB",
            ms(c.0),
            c.1 as f64 / 1024.0
        )),
        rg.map_or("n/a (install ripgrep)".into(), |r| ms(r.0)),
        match (check, rg) {
            (Some(c), Some(r)) => format!("{:.1}×", c.0.as_secs_f64() / r.0.as_secs_f64()),
            _ => "n/a".into(),
        },
    );
}
