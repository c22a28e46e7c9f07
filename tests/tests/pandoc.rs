//! Citations as Pandoc reads them: a differential test against `pandoc`
//! itself. Each case of `fixtures/pandoc/citations.txt` goes through
//! `pandoc -f markdown -t json`, and the ordered (key, mode) sequence of its
//! `Cite` elements must equal what gloss extracts. Pandoc's JSON carries no
//! positions; positions are the job of gloss's own fixtures.
//!
//! `pandoc` is the one on `PATH` (`.ci/run` installs Debian's), else
//! PyPI's `pypandoc-binary` ([`PANDOC_WHEEL`], Pandoc 3.9) installed into
//! `target/` on the first run.
//!
//! The same comparison over Pandoc's own test inputs (the cases of its
//! `test/command/*.md` that read `markdown`, extracted into one file each)
//! is the ignored test [`pandoc_test_suite`]:
//! `GLOSS_PANDOC_CASES=<folder> cargo test -p gloss-e2e --test pandoc -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gloss_e2e::tools::{which, Wheel};
use serde_json::Value;

/// The `pypandoc-binary` release fetched where `pandoc` is missing.
const PANDOC_WHEEL: &str = "1.17";

/// How a citation is rendered, as Pandoc's `citationMode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `@key`
    AuthorInText,
    /// `-@key`, `[-@key]`
    SuppressAuthor,
    /// `[@key]`
    NormalCitation,
}

type Cites = Vec<(String, Mode)>;

/// Which key rule gloss reads with: its own (a CJK character ends a key)
/// or Pandoc's (`[pandoc] keys = "pandoc"`, Quarto projects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    Gloss,
    Pandoc,
}

#[test]
fn citations_are_read_as_pandoc_reads_them() {
    assert_every_case_agrees(Keys::Gloss);
}

/// With Pandoc's key rule, keys are Pandoc's exactly, CJK included: every
/// case, none cut.
#[test]
fn with_pandocs_key_rule_cjk_keys_are_read_as_pandoc_reads_them() {
    assert_every_case_agrees(Keys::Pandoc);
}

fn assert_every_case_agrees(keys: Keys) {
    let cases = cases(&fixture_text());
    assert!(cases.len() >= 40, "the fixture holds {} cases", cases.len());
    let differences = compare(&cases, keys);
    assert!(
        differences.is_empty(),
        "{} of {} cases differ from Pandoc ({}, {keys:?} key rule):\n{}",
        differences.len(),
        cases.len(),
        pandoc_version(),
        differences.join("\n")
    );
}

/// Agreement with Pandoc on Pandoc's own test inputs (see the module
/// documentation); prints the figure and every difference.
#[test]
#[ignore = "needs GLOSS_PANDOC_CASES: a folder of Markdown files"]
fn pandoc_test_suite() {
    let folder = std::env::var_os("GLOSS_PANDOC_CASES")
        .expect("GLOSS_PANDOC_CASES: a folder of Markdown files, one case each");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&folder).expect("GLOSS_PANDOC_CASES is a folder") {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            cases.push((name, text));
        }
    }
    cases.sort();
    let differences = compare(&cases, Keys::Gloss);
    let keys_differ = differences
        .iter()
        .filter(|d| d.contains("keys differ"))
        .count();
    let with_citations = cases.iter().filter(|(_, text)| text.contains('@')).count();
    println!(
        "{} ({}): {} cases ({} with an `@`), {} agree, {} differ ({:.2} % agree)",
        pandoc_version(),
        Path::new(&folder).display(),
        cases.len(),
        with_citations,
        cases.len() - differences.len(),
        differences.len(),
        100.0 * (cases.len() - differences.len()) as f64 / cases.len().max(1) as f64
    );
    println!(
        "the same keys in the same order (modes aside): {} of {}",
        cases.len() - keys_differ,
        cases.len()
    );
    for difference in &differences {
        println!("{difference}");
    }
    let by_pandoc_rule = compare(&cases, Keys::Pandoc);
    println!(
        "with Pandoc's key rule ([pandoc] keys = \"pandoc\"): {} agree, {} differ",
        cases.len() - by_pandoc_rule.len(),
        by_pandoc_rule.len()
    );
    for difference in by_pandoc_rule.iter().filter(|d| !differences.contains(d)) {
        println!("{difference}");
    }
}

/// Each case that gloss reads differently, described.
fn compare(cases: &[(String, String)], keys: Keys) -> Vec<String> {
    let pandoc = pandoc();
    let version_3 = !pandoc_version().starts_with("pandoc 2.");
    let results: Vec<(usize, Cites, Cites)> = parallel(cases, |i, (_, text)| {
        (
            i,
            pandoc_cites(pandoc, text, keys),
            gloss_cites(text, version_3, keys),
        )
    });
    results
        .into_iter()
        .filter(|(_, theirs, ours)| theirs != ours)
        .map(|(i, theirs, ours)| {
            let (name, text) = &cases[i];
            let keys = |cites: &Cites| cites.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
            let what = if keys(&theirs) == keys(&ours) {
                "modes differ"
            } else {
                "keys differ"
            };
            format!("--- {name} ({what})\n{text}\n  pandoc: {theirs:?}\n  gloss:  {ours:?}")
        })
        .collect()
}

/// What gloss's syntax layer extracts, in document order.
fn gloss_cites(text: &str, version_3: bool, keys: Keys) -> Cites {
    let mut note = gloss::syntax::parse_note(text);
    if keys == Keys::Pandoc {
        gloss::syntax::read_keys_as_pandoc(&mut note, text);
    }
    let mut cites: Vec<_> = note.citations.iter().collect();
    cites.sort_by_key(|c| c.key().range.start);
    cites
        .into_iter()
        .map(|c| {
            let mode = match (c.bracketed, c.suppress_author) {
                (true, false) => Mode::NormalCitation,
                (true, true) => Mode::SuppressAuthor,
                // Pandoc 2 read a bare `-@key` as `@key`; 3 suppresses the
                // author, as gloss does (gloss follows Pandoc 3).
                (false, true) if version_3 => Mode::SuppressAuthor,
                (false, _) => Mode::AuthorInText,
            };
            (c.key().value.to_string(), mode)
        })
        .collect()
}

/// The `Cite` elements of Pandoc's JSON for `text`, in document order.
fn pandoc_cites(pandoc: &Path, text: &str, keys: Keys) -> Cites {
    use std::io::Write;
    let mut child = Command::new(pandoc)
        .args(["-f", "markdown", "-t", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("pandoc runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("pandoc finishes");
    writer.join().unwrap().ok();
    if !output.status.success() {
        // A case Pandoc rejects (e.g. a YAML error) cites nothing for it.
        return Vec::new();
    }
    let json: Value = serde_json::from_slice(&output.stdout).expect("pandoc writes JSON");
    // Of the metadata, only `nocite` cites (gloss reads no other field as
    // text); it comes first, as the front matter does.
    let mut cites = Vec::new();
    collect_cites(&json["meta"]["nocite"], keys, &mut cites);
    collect_cites(&json["blocks"], keys, &mut cites);
    cites
}

fn collect_cites(value: &Value, keys: Keys, cites: &mut Cites) {
    match value {
        Value::Object(object) if object.get("t").is_some_and(|t| t == "Cite") => {
            for citation in object["c"][0].as_array().into_iter().flatten() {
                let mode = match citation["citationMode"]["t"].as_str() {
                    Some("AuthorInText") => Mode::AuthorInText,
                    Some("SuppressAuthor") => Mode::SuppressAuthor,
                    _ => Mode::NormalCitation,
                };
                // A key cut to nothing (`@日期`) is no citation in gloss,
                // nor is `@*` (every entry, for `nocite`).
                let key = citation["citationId"].as_str().unwrap_or_default();
                let key = match keys {
                    Keys::Gloss => cjk_ends_key(key),
                    Keys::Pandoc => key,
                };
                if !key.is_empty() && key != "*" {
                    cites.push((key.to_string(), mode));
                }
            }
            // The rest of a Cite is its text as written: nothing new.
        }
        // Pandoc 3 writes an implicit figure's caption twice, as the
        // Figure's caption and as its image's description: read it once.
        Value::Object(object) if object.get("t").is_some_and(|t| t == "Figure") => {
            collect_cites(&object["c"][2], keys, cites);
        }
        Value::Object(object) => object.values().for_each(|v| collect_cites(v, keys, cites)),
        Value::Array(items) => items.iter().for_each(|v| collect_cites(v, keys, cites)),
        _ => {}
    }
}

/// gloss's one deliberate difference in keys: a CJK character ends one
/// (`@wei2022提出` cites `wei2022`), where Pandoc reads on.
fn cjk_ends_key(key: &str) -> &str {
    let cjk = |c: char| {
        matches!(c as u32,
            0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3040..=0x30FF | 0x3100..=0x312F
            | 0x3130..=0x318F | 0x31A0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
            | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xF900..=0xFAFF | 0xFF66..=0xFFDC
            | 0x20000..=0x3FFFF)
    };
    key.find(cjk).map_or(key, |end| &key[..end])
}

/// The cases of the fixture: a line `%%% name` starts each.
fn cases(text: &str) -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("%%% ") {
            cases.push((name.trim().to_string(), String::new()));
        } else if let Some((_, case)) = cases.last_mut() {
            case.push_str(line);
        }
    }
    cases
}

fn fixture_text() -> String {
    std::fs::read_to_string(gloss_e2e::fixtures().join("pandoc/citations.txt"))
        .expect("fixtures/pandoc/citations.txt")
}

/// `f` over `items` on a few threads, results in order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(i, item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `pandoc` on `PATH`, else the pinned wheel's.
fn pandoc() -> &'static Path {
    static PANDOC: OnceLock<PathBuf> = OnceLock::new();
    PANDOC.get_or_init(|| {
        which("pandoc").unwrap_or_else(|| {
            Wheel {
                package: "pypandoc-binary",
                version: PANDOC_WHEEL,
                program: "pypandoc/files/pandoc",
                otherwise: "the Pandoc differential test needs it (or install pandoc: apt-get install pandoc)",
            }
            .install()
        })
    })
}

/// The first line of `pandoc --version`.
fn pandoc_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let output = Command::new(pandoc())
            .arg("--version")
            .output()
            .expect("pandoc --version runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("pandoc (unknown version)")
            .to_string()
    })
}
