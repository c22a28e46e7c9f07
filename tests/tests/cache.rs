//! The persistent index cache never changes what `gloss check` reports:
//! after random edits, renames, copies and deletions between runs, a run
//! through the cache prints exactly what a run without it prints, and
//! reuses the notes that did not change.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use gloss_e2e::{gloss_bin, Vault};

/// A small deterministic generator (xorshift64*): the same edits on every
/// run, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Lines the edits insert: each one changes what some check says.
const LINES: &[&str] = &[
    "See [[Missing note]] and [[a]].\n",
    "Cited [@unknown2024; @vaswani2017, p. 3] 😀.\n",
    "## 新的标题 🚀\n",
    "- **注意力**：一种加权求和。\n",
    "Link to [[deep#No such heading]].\r\n",
    "[[a#Glossary]] and [[glossary]] again\n",
    "---\n",
    "```\n[[in code]]\n",
];

fn notes(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// One random change to the vault.
fn mutate(root: &Path, rng: &mut Rng, round: usize) {
    let notes = notes(root);
    let note = &notes[rng.below(notes.len())];
    match rng.below(7) {
        // Edit: a line inserted at a line boundary.
        0..=2 => {
            let text = std::fs::read_to_string(note).unwrap_or_default();
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let at = starts[rng.below(starts.len())];
            let line = LINES[rng.below(LINES.len())];
            std::fs::write(note, format!("{}{line}{}", &text[..at], &text[at..])).unwrap();
        }
        // Rename, keeping the text (the cache finds it by content).
        3 => {
            let renamed = note.with_file_name(format!("renamed-{round}.md"));
            std::fs::rename(note, renamed).unwrap();
        }
        // Copy.
        4 => {
            std::fs::copy(note, note.with_file_name(format!("copy-{round}.md"))).unwrap();
        }
        // An edit that keeps the size and the modification time: one
        // ASCII letter for another, the time set back as `touch -d` does.
        5 => {
            let mut bytes = std::fs::read(note).unwrap();
            // In a link's target where there is one: what it resolves to
            // changes, and so does the report.
            let in_links: Vec<usize> = (2..bytes.len())
                .filter(|&i| &bytes[i - 2..i] == b"[[" && bytes[i].is_ascii_lowercase())
                .collect();
            let letters: Vec<usize> = match in_links.is_empty() {
                false => in_links,
                true => (0..bytes.len())
                    .filter(|&i| bytes[i].is_ascii_lowercase())
                    .collect(),
            };
            if !letters.is_empty() {
                let at = letters[rng.below(letters.len())];
                bytes[at] = if bytes[at] == b'z' {
                    b'a'
                } else {
                    bytes[at] + 1
                };
                let modified = std::fs::metadata(note).unwrap().modified().unwrap();
                std::fs::write(note, bytes).unwrap();
                let file = std::fs::File::options().write(true).open(note).unwrap();
                file.set_modified(modified).unwrap();
            }
        }
        // Delete (keeping at least a few notes).
        _ if notes.len() > 4 => std::fs::remove_file(note).unwrap(),
        _ => {}
    }
}

fn check(root: &Path, cache: Option<&Path>) -> (i32, String, String) {
    let mut command = Command::new(gloss_bin());
    command
        .args(["check", "--hints", "--format", "json"])
        .current_dir(root)
        .env_remove("NO_COLOR");
    match cache {
        Some(dir) => command.arg("--cache").env("GLOSS_CACHE_DIR", dir),
        None => command.env("GLOSS_CACHE_DIR", "/nonexistent/never-written"),
    };
    let output = command.output().expect("gloss runs");
    (
        output.status.code().expect("exited"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn contents(root: &Path) -> Vec<Vec<u8>> {
    notes(root)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

#[test]
fn cached_and_uncached_runs_report_the_same_after_random_changes() {
    let vault = Vault::fixture("tricky-vault");
    let cache = tempfile::tempdir().unwrap();
    // Notes linking to each other: most stay untouched for several rounds.
    for i in 0..24 {
        let text = format!("# Extra {i}\n\nSee [[extra-{}]] and [[a]].\n", (i + 1) % 24);
        std::fs::write(vault.path().join(format!("notes/extra-{i}.md")), text).unwrap();
    }
    // Files changed within three seconds of a run are read again on the
    // next (they could change again and look the same); older ones are
    // then loaded by their records, without being read.
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cached_before: HashSet<Vec<u8>> = HashSet::new();
    let mut unread_total = 0;
    for round in 0..12 {
        if round > 0 {
            for _ in 0..3 {
                mutate(vault.path(), &mut rng, round);
            }
        }
        let now = contents(vault.path());
        let expected_hits = now.iter().filter(|c| cached_before.contains(*c)).count();

        let (code, report, stderr) = check(vault.path(), Some(cache.path()));
        let (plain_code, plain_report, _) = check(vault.path(), None);
        assert_eq!(
            report, plain_report,
            "round {round}: the cache changed the report"
        );
        assert_eq!(code, plain_code, "round {round}");
        assert!(
            stderr.contains(&format!(
                "gloss: {expected_hits} of {} notes from the index cache",
                now.len()
            )),
            "round {round}: expected {expected_hits} of {} notes from the cache: {stderr}",
            now.len()
        );
        let unread: usize = stderr
            .split(", ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("round {round}: no count of notes not read: {stderr}"));
        assert!(unread <= expected_hits, "round {round}: {stderr}");
        unread_total += unread;
        cached_before = now.into_iter().collect();
    }
    assert!(unread_total > 0, "no note was loaded by its record");
    // One cache file, no temporary files left.
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1);
}

#[test]
fn a_damaged_cache_is_rebuilt_and_changes_nothing() {
    let vault = Vault::fixture("tricky-vault");
    let cache = tempfile::tempdir().unwrap();
    let (_, first, _) = check(vault.path(), Some(cache.path()));
    let file = std::fs::read_dir(cache.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let good = std::fs::read(&file).unwrap();
    let notes = notes(vault.path()).len();
    for damaged in [
        good[..good.len() / 2].to_vec(),
        b"GLOSSIDX garbage".to_vec(),
        Vec::new(),
        good.iter().map(|b| b ^ 0x55).collect(),
    ] {
        std::fs::write(&file, damaged).unwrap();
        let (code, report, stderr) = check(vault.path(), Some(cache.path()));
        assert_eq!(report, first);
        assert_eq!(code, 1);
        assert!(
            stderr.contains(&format!("gloss: 0 of {notes} notes")),
            "{stderr}"
        );
        // Rewritten whole: the next run reads it.
        let (_, _, stderr) = check(vault.path(), Some(cache.path()));
        assert!(
            stderr.contains(&format!("gloss: {notes} of {notes} notes")),
            "{stderr}"
        );
    }
    // A cache folder that cannot be written: still the same report.
    let (_, report, _) = check(vault.path(), Some(Path::new("/proc/gloss-cache")));
    assert_eq!(report, first);
}

/// What the configuration does to a note after parsing (Pandoc's key
/// rule, the front matter's size limit) is not kept in the cache: a run
/// under another configuration reports what it would without the cache.
#[test]
fn a_changed_configuration_is_applied_to_cached_notes() {
    let vault = Vault::empty();
    vault.write(
        "refs.bib",
        "@article{wei2022, title={Chain of Thought}, author={Wei, Jason}, year={2022}}\n",
    );
    let front_matter = format!("---\ntitle: Long\nnote: \"{}\"\n---\n", "x".repeat(600));
    vault.write(
        "note.md",
        format!("{front_matter}@wei2022提出 a method; see [[Missing]].\n"),
    );
    // Links to the note by its front-matter title, which the size limit
    // drops.
    vault.write("other.md", "# Other\n[@wei2022提出] [[Long]]\n");
    let cache = tempfile::tempdir().unwrap();
    // Each run reads what the one before wrote, under another
    // configuration.
    let configurations = [
        "[files]\nmax-front-matter-size = 100\n",
        "",
        "[pandoc]\nkeys = \"pandoc\"\n",
        "",
        "[pandoc]\nkeys = \"pandoc\"\n[files]\nmax-front-matter-size = 100\n",
        "[pandoc]\nkeys = \"gloss\"\n",
    ];
    let mut reports = std::collections::HashSet::new();
    for configuration in configurations {
        vault.write("gloss.toml", configuration);
        let (code, report, stderr) = check(vault.path(), Some(cache.path()));
        let (plain_code, plain_report, _) = check(vault.path(), None);
        assert_eq!(report, plain_report, "with {configuration:?}");
        assert_eq!(
            (code, stderr.contains("notes from the index cache")),
            (plain_code, true)
        );
        reports.insert(report);
    }
    // The configurations do change the report (else this tests nothing).
    assert!(reports.len() >= 3, "{reports:#?}");
}
