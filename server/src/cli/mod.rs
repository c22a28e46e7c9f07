//! The command line: `gloss check` for CI and `gloss lsp` for editors.
//!
//! This is one of the two places (with the language server) that know about
//! output formats; everything it prints comes from [`crate::ide`].

mod baselines;
mod check;
mod git;
mod output;
mod snippet;

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

/// gloss: glossary, citations and links for Markdown research notes.
#[derive(Debug, Parser)]
#[command(name = "gloss", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check notes and bibliographies and report problems (for CI).
    ///
    /// Exit status: 0 when there are no errors, 1 when there are errors (or
    /// warnings, with --deny-warnings), 2 for usage or configuration errors.
    Check(CheckArgs),
    /// Run the language server over stdin/stdout.
    Lsp(LspArgs),
}

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted and ignored: stdio is the only transport, and clients such
    /// as vscode-languageclient pass this flag.
    #[arg(long, hide = true)]
    stdio: bool,

    /// Do not read or write the index cache, which is on by default (the
    /// editor setting `gloss.cache` turns it off too).
    #[arg(long)]
    no_cache: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Folders or notes to check (default: the current folder). Names
    /// resolve across the whole workspace: the nearest folder holding
    /// gloss.toml, else .git, else the path itself.
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Exit with status 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,

    /// Also report hints (such as `title-citation`, a paper mentioned by
    /// its title with no key), which are left out otherwise.
    #[arg(long)]
    hints: bool,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,

    /// For CI on changes nobody has reviewed: every file the repository
    /// names (bibliographies in gloss.toml or front matter, symbolic
    /// links) is read only if it resolves inside the workspace.
    #[arg(long)]
    untrusted: bool,

    /// A bibliography to use besides the workspace's (repeatable); read
    /// wherever it is, also with --untrusted.
    #[arg(long, value_name = "FILE")]
    bibliography: Vec<PathBuf>,

    /// Report only diagnostics that are not in this baseline (default:
    /// `[check] baseline` in gloss.toml), and say how many of its entries
    /// no longer occur.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,

    /// Record every current diagnostic in FILE, a baseline for --baseline,
    /// and exit with status 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,

    /// Report only the notes changed since the git revision REF (committed
    /// or not), and the notes whose links or citations point at what
    /// changed or was deleted. Runs `git`.
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,

    /// Keep what parsing each note gave in the user's cache folder
    /// ($GLOSS_CACHE_DIR if absolute, else $XDG_CACHE_HOME/gloss or
    /// ~/.cache/gloss; ~/Library/Caches/gloss on macOS,
    /// %LOCALAPPDATA%\gloss on Windows), and parse only the notes that
    /// changed since the last run with --cache. Never changes what is
    /// reported; SECURITY.md says what is written.
    #[arg(long)]
    cache: bool,

    /// Do not use the index cache (the default; wins over --cache).
    #[arg(long)]
    no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style messages with the source line underlined.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Runs the command line and returns the process exit status.
pub fn main() -> i32 {
    if std::env::args_os().len() <= 1 {
        // Bare `gloss` is a request for help, not a mistake.
        let _ = Cli::command().print_help();
        return 0;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with status 0; usage errors to
            // stderr with status 2.
            let _ = error.print();
            return if error.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Lsp(args) => crate::lsp::run(crate::lsp::Options {
            cache: !args.no_cache,
        }),
    }
}
