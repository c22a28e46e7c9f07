//! `gloss check`: load the workspace, compute every diagnostic, print those
//! of the requested files, and exit with a status CI can act on.

use std::path::{Path, PathBuf};

use super::output::{self, LastText, Located, Report};
use super::CheckArgs;
use std::collections::HashSet;

use super::baselines::{self, Seen};
use super::git;
use crate::ide::affected::{affected_notes, affects_everything, names_in};
use crate::ide::{self, Code, FileId, Severity};
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
    let mut caches = Vec::new();
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
        if !args.hints && config.severity(Code::TitleCitation) == Some(Severity::Hint) {
            // Not printed: not worth reading every note for.
            config.set_severity(Code::TitleCitation, None);
        }
        config.index_cache = args.cache && !args.no_cache;
        // What is reported needs the texts of the notes reported on.
        config.texts_on_disk = true;
        let (workspace, cache) = Workspace::load_cached(&root, config);
        if let Some((cache, hits)) = &cache {
            eprintln!(
                "gloss: {hits} of {} notes from the index cache, {} of them not read again",
                workspace.notes().count(),
                cache.unread()
            );
        }
        caches.push(cache.map(|(cache, _)| cache));
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
    // Each reported diagnostic as a baseline sees it, in report order, and
    // the files checked (a baseline's other entries are not looked at).
    let mut seen = Vec::new();
    let mut checked: HashSet<&Path> = HashSet::new();
    let mut changed_notes = 0;
    let mut texts = LastText::default();
    // Each workspace's files are named from the outermost workspace it
    // lies in: a nested vault's notes keep their folder.
    let base = |root: &Path| -> PathBuf {
        let outer = workspaces.iter().map(|(w, _)| &w.root);
        let containing = outer.filter(|r| root.starts_with(r));
        containing
            .min_by_key(|r| r.components().count())
            .map_or_else(|| root.to_path_buf(), |r| r.clone())
    };
    for (index, (workspace, group)) in workspaces.iter().enumerate() {
        let base = base(&workspace.root);
        // With --changed-since, the files a change may affect; None: all.
        let affected = match &args.changed_since {
            None => None,
            Some(revision) => match git::changes_since(&workspace.root, revision) {
                Ok((changes, _)) if affects_everything(workspace, &changes) => {
                    changed_notes += workspace.notes().count();
                    None
                }
                Ok((mut changes, before)) => {
                    // Names modified notes had and have no more.
                    for (path, old) in before {
                        let now = workspace
                            .note_by_path(&path)
                            .map(|id| names_in(workspace, &path, workspace.note(id).file.text()))
                            .unwrap_or_default();
                        let then = names_in(workspace, &path, &old);
                        changes.removed_names.extend(then.difference(&now).cloned());
                    }
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
        let notes = workspace.notes().map(|(_, n)| &n.file.path);
        let bibliographies = workspace
            .bibliographies
            .iter()
            .filter(|b| b.owner.is_none())
            .map(|b| &b.file.path);
        let files: Vec<&PathBuf> = notes.chain(bibliographies).filter(|p| under(p)).collect();
        report.files_checked += files.len();
        checked.extend(files.into_iter().map(PathBuf::as_path));
        for diagnostic in ide::workspace_diagnostics(workspace) {
            let Some(source) = workspace.source(diagnostic.file) else {
                continue;
            };
            if diagnostic.severity == Severity::Hint && !args.hints {
                continue;
            }
            let reported = match diagnostic.file {
                FileId::Config => group.iter().any(|t| workspace.root.starts_with(t)),
                _ => under(&source.path),
            };
            if reported {
                let text = crate::ide::baseline::offending_text(texts.of(source), &diagnostic);
                seen.push(Seen {
                    workspace: index,
                    path: source.path.clone(),
                    code: diagnostic.code,
                    text: text.to_string(),
                });
                report
                    .diagnostics
                    .push(Located::new(workspace, &base, &cwd, diagnostic, &mut texts));
            }
        }
    }

    if let Some(file) = &args.write_baseline {
        if args.changed_since.is_some() {
            eprintln!("error: a baseline records every diagnostic; --write-baseline cannot be used with --changed-since");
            return EXIT_USAGE;
        }
        if warn_of_changed_notes(&workspaces, &cwd) {
            eprintln!("error: the baseline was not written: run gloss check again");
            return EXIT_USAGE;
        }
        return match baselines::write(file, &seen, &checked, &cwd) {
            Ok(count) => {
                eprintln!(
                    "gloss: wrote {count} diagnostics to the baseline '{}'",
                    file.display()
                );
                EXIT_OK
            }
            Err(error) => {
                eprintln!("error: {error}");
                EXIT_USAGE
            }
        };
    }
    let loaded: Vec<&Workspace> = workspaces.iter().map(|(w, _)| w).collect();
    let (known, matched, baseline_files) =
        match baselines::apply(args.baseline.as_deref(), &loaded, &seen, &checked, &cwd) {
            Ok(applied) => applied,
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_USAGE;
            }
        };
    let mut known = known.into_iter();
    report
        .diagnostics
        .retain(|_| !known.next().unwrap_or(false));
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
    if !baseline_files.is_empty() {
        let names: Vec<String> = baseline_files
            .iter()
            .map(|f| format!("'{}'", f.strip_prefix(&cwd).unwrap_or(f).display()))
            .collect();
        eprintln!(
            "gloss: {} diagnostics left out as in the baseline {}",
            matched.known,
            names.join(", ")
        );
        if matched.stale > 0 {
            eprintln!(
                "gloss: {} baseline entries no longer occur; run with --write-baseline to drop them",
                matched.stale
            );
        }
    }

    warn_of_changed_notes(&workspaces, &cwd);

    // After the report: the next run is the one the cache is for.
    for ((workspace, _), cache) in workspaces.iter().zip(caches) {
        if let Some(cache) = cache {
            workspace.save_index_cache(cache);
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

/// Warns of the notes that changed between their parse and a second read
/// (notes' texts are read again as the report needs them): what was
/// reported of them, and of links to them, may be wrong. Returns whether
/// there were any.
fn warn_of_changed_notes(workspaces: &[(Workspace, Vec<PathBuf>)], cwd: &Path) -> bool {
    let mut any = false;
    for (workspace, _) in workspaces {
        for (_, note) in workspace.notes() {
            if note.file.changed_since_parsed() {
                any = true;
                let path = &note.file.path;
                eprintln!(
                    "warning: '{}' changed while gloss checked it; what is reported of it and of links to it may be wrong: run gloss check again",
                    path.strip_prefix(cwd).unwrap_or(path).display()
                );
            }
        }
    }
    any
}

/// `gloss.toml`, `dendron.yml` or a Quarto project's `_quarto.yml`.
fn is_configuration(path: &Path) -> bool {
    path.is_file() && crate::workspace::is_configuration(path)
}
