//! `gloss check`: load the workspace, compute every diagnostic, print those
//! of the requested files, and exit with a status CI can act on.

use std::path::{Path, PathBuf};

use super::output::{self, Located, Report};
use super::CheckArgs;
use std::collections::HashSet;

use super::git;
use crate::ide::affected::{affected_notes, affects_everything};
use crate::ide::baseline::{self, Baseline};
use crate::ide::{self, FileId, Severity};
use crate::workspace::read::{Access, Origin};
use crate::workspace::{find_root, read_source, Config, FileProblem, Workspace};

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
            // A changed configuration changes what every note means (a
            // pre-commit hook passes it as a changed file): its folder.
            Ok(canonical) if is_configuration(&canonical) => {
                targets.push(canonical.parent().unwrap_or(&canonical).to_path_buf())
            }
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
    // Each reported diagnostic's baseline key, in report order.
    let mut keys = Vec::new();
    let mut changed_notes = 0;
    for (workspace, group) in &workspaces {
        // With --changed-since, the files a change may affect; None: all.
        let affected = match &args.changed_since {
            None => None,
            Some(revision) => match git::changes_since(&workspace.root, revision) {
                Ok(changes) if affects_everything(workspace, &changes) => {
                    changed_notes += workspace.notes().count();
                    None
                }
                Ok(changes) => {
                    let notes = affected_notes(workspace, &changes);
                    changed_notes += notes.len();
                    let mut files: HashSet<PathBuf> = notes
                        .iter()
                        .map(|&id| workspace.note(id).file.path.clone())
                        .collect();
                    files.extend(changes.changed);
                    Some(files)
                }
                Err(error) => {
                    eprintln!("error: --changed-since {revision}: {error}");
                    return EXIT_USAGE;
                }
            },
        };
        let under = |path: &Path| {
            group.iter().any(|t| path.starts_with(t))
                && affected.as_ref().is_none_or(|files| files.contains(path))
        };
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
                keys.push(baseline::key(workspace, &diagnostic));
                report
                    .diagnostics
                    .push(Located::new(workspace, &cwd, diagnostic));
            }
        }
    }

    if let Some(file) = &args.write_baseline {
        let baseline = Baseline::of(keys.into_iter().flatten());
        if let Err(error) = std::fs::write(file, baseline.to_json()) {
            eprintln!("error: cannot write '{}': {error}", file.display());
            return EXIT_USAGE;
        }
        eprintln!(
            "gloss: wrote {} diagnostics to the baseline '{}'",
            baseline.len(),
            file.display()
        );
        return EXIT_OK;
    }
    // Named on the command line (read wherever it is), else in gloss.toml
    // (read inside the workspace only, like gloss.toml itself).
    let baseline_file = match &args.baseline {
        Some(file) => Some((file.clone(), Origin::User, cwd.clone())),
        None => workspaces.first().and_then(|(workspace, _)| {
            let named = workspace.config.baseline.as_ref()?;
            let root = workspace.root.clone();
            Some((root.join(named), Origin::Control, root))
        }),
    };
    let mut matched = None;
    if let Some((file, origin, root)) = &baseline_file {
        let access = Access {
            root,
            confined: true,
        };
        let source = read_source(access, file, *origin, baseline::MAX_SIZE);
        let read = match &source.problem {
            Some(FileProblem::Unreadable { message }) => Err(message.clone()),
            Some(FileProblem::TooLarge { size, limit }) => {
                Err(format!("it is {size} bytes, over the limit of {limit}"))
            }
            _ => Baseline::parse(&source.text),
        };
        let baseline = match read {
            Ok(baseline) => baseline,
            Err(error) => {
                eprintln!("error: baseline '{}': {error}", file.display());
                return EXIT_USAGE;
            }
        };
        let (known, counts) = baseline.split(&keys);
        let mut known = known.into_iter();
        report
            .diagnostics
            .retain(|_| !known.next().unwrap_or(false));
        matched = Some(counts);
    }
    report.sort();

    if let Err(error) = output::print(&report, args.format, args.color) {
        // A closed pipe (`gloss check | head`) is not worth a panic.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {error}");
        }
    }
    // On stderr, whatever the format: the report itself stays parseable.
    if let Some(revision) = &args.changed_since {
        eprintln!(
            "gloss: {changed_notes} notes changed since {revision} or affected by the changes"
        );
    }
    if let (Some(matched), Some((file, _, _))) = (matched, &baseline_file) {
        eprintln!(
            "gloss: {} diagnostics left out as in the baseline '{}'",
            matched.known,
            file.display()
        );
        if matched.stale > 0 {
            eprintln!(
                "gloss: {} baseline entries no longer occur; run with --write-baseline to drop them",
                matched.stale
            );
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

/// `gloss.toml` or a Quarto project's `_quarto.yml`.
fn is_configuration(path: &Path) -> bool {
    path.is_file()
        && (path
            .file_name()
            .is_some_and(|n| n == crate::workspace::CONFIG_FILE)
            || crate::workspace::quarto::is_project_file(path))
}
