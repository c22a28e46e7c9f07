//! `gloss check`: load the workspace, compute every diagnostic, print those
//! of the requested files, and exit with a status CI can act on.

use std::path::{Path, PathBuf};

use super::output::{self, Located, Report};
use super::CheckArgs;
use crate::ide::{self, FileId, Severity};
use crate::workspace::{find_root, Config, Workspace};

const EXIT_OK: i32 = 0;
const EXIT_PROBLEMS: i32 = 1;
const EXIT_USAGE: i32 = 2;

pub fn run(args: CheckArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut targets = Vec::new();
    for path in &paths {
        match path.canonicalize() {
            Ok(canonical) => targets.push(canonical),
            Err(error) => {
                eprintln!("error: cannot check '{}': {error}", path.display());
                return EXIT_USAGE;
            }
        }
    }

    let mut user_bibliographies = Vec::new();
    for path in &args.bibliography {
        match path.canonicalize() {
            Ok(canonical) => user_bibliographies.push(canonical),
            Err(error) => {
                eprintln!(
                    "error: cannot read bibliography '{}': {error}",
                    path.display()
                );
                return EXIT_USAGE;
            }
        }
    }

    // Paths in one workspace are checked with one load.
    let mut groups: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for target in targets {
        let root = find_root(&target);
        match groups.iter_mut().find(|(r, _)| *r == root) {
            Some((_, group)) => group.push(target),
            None => groups.push((root, vec![target])),
        }
    }

    let mut workspaces = Vec::new();
    while let Some((root, group)) = groups.pop() {
        let mut config = match Config::load(&root) {
            Ok(config) => config,
            Err(error) => {
                output::print_config_error(&error, args.color);
                return EXIT_USAGE;
            }
        };
        config.confined = args.untrusted;
        config.user_bibliographies = user_bibliographies.clone();
        let workspace = Workspace::load(&root, config);
        // A vault inside the folder checked is a workspace of its own:
        // its notes resolve against each other, not the outer folder.
        for nested in &workspace.nested_roots {
            if group.iter().any(|t| nested.starts_with(t)) {
                groups.push((nested.clone(), vec![nested.clone()]));
            }
        }
        workspaces.push((workspace, group));
    }

    let cwd = std::env::current_dir().unwrap_or_default();
    let mut report = Report::default();
    for (workspace, group) in &workspaces {
        let under = |path: &Path| group.iter().any(|t| path.starts_with(t));
        report.files_checked += workspace
            .notes()
            .filter(|(_, n)| under(&n.file.path))
            .count();
        report.files_checked += workspace
            .bibliographies
            .iter()
            .filter(|b| b.owner.is_none() && under(&b.file.path))
            .count();
        for diagnostic in ide::workspace_diagnostics(workspace) {
            let Some(source) = workspace.source(diagnostic.file) else {
                continue;
            };
            let reported = match diagnostic.file {
                FileId::Config => group.iter().any(|t| workspace.root.starts_with(t)),
                _ => under(&source.path),
            };
            if reported {
                report
                    .diagnostics
                    .push(Located::new(workspace, &cwd, diagnostic));
            }
        }
    }
    report.sort();

    if let Err(error) = output::print(&report, args.format, args.color) {
        // A closed pipe (`gloss check | head`) is not worth a panic.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {error}");
        }
    }

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    // The process ends here: freeing every note one by one would only add
    // to the wall time of large vaults.
    std::mem::forget(report);
    std::mem::forget(workspaces);
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}
