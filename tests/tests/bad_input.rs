//! Bad input, end to end: each case runs against `gloss check` and a live
//! `gloss lsp`, and asserts a clear diagnostic (or none, where the input is
//! merely odd), the exit status, that every other file is still checked,
//! that the server still answers a hover, and that nothing in the workspace
//! changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gloss_e2e::lsp::LspClient;
use gloss_e2e::{gloss_bin, output_within, Vault};
use serde_json::{json, Value};

const GLOSSARY: &str = "# Glossary\n\n- Attention: each token looks at every other token.\n";
/// Checked in every case: its broken link must always be reported.
const GOOD: &str = "See [[Attention]] and [[Missing Term]].\n";

struct Case {
    name: &'static str,
    /// Writes the bad input into the vault (and, if it needs one, a folder
    /// outside it).
    setup: fn(&Vault, &Path),
    /// `path code` of diagnostics `gloss check` must report besides good.md's.
    expect: &'static [&'static str],
    /// Text no diagnostic may contain (a file outside the workspace was read).
    forbid: &'static [&'static str],
    /// A note to open in the editor too; its diagnostics must be `expect`'s
    /// for that path.
    open: Option<&'static str>,
}

fn write_bytes(vault: &Vault, rel: &str, bytes: &[u8]) {
    vault.write(rel, bytes);
}

fn cases() -> Vec<Case> {
    vec![
        // ---- notes ----
        Case {
            name: "invalid UTF-8",
            setup: |v, _| write_bytes(v, "latin1.md", b"caf\xe9 [[Also Missing]]\n"),
            expect: &["latin1.md invalid-utf8", "latin1.md broken-link"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a binary file named .md",
            setup: |v, _| {
                let bytes: Vec<u8> = (0..4096u32)
                    .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                    .collect();
                write_bytes(v, "binary.md", &bytes);
            },
            expect: &["binary.md invalid-utf8"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a 50 MB note",
            setup: |v, _| v.write("huge.md", "[[Attention]] ".repeat(50 * 1024 * 1024 / 14)),
            expect: &["huge.md file-too-large"],
            forbid: &[],
            open: Some("huge.md"),
        },
        Case {
            name: "a 5 MB single line",
            setup: |v, _| {
                v.write(
                    "line.md",
                    format!("{}[[Far Missing]]\n", "词 ".repeat(5 * 1024 * 1024 / 4)),
                )
            },
            expect: &["line.md broken-link"],
            forbid: &[],
            open: Some("line.md"),
        },
        Case {
            name: "10,000 nested list levels and block quotes",
            setup: |v, _| {
                v.write(
                    "nested.md",
                    format!(
                        "{}[[Deep Missing]]\n{}x\n",
                        "- ".repeat(10_000),
                        "> ".repeat(10_000)
                    ),
                );
            },
            expect: &["nested.md broken-link"],
            forbid: &[],
            open: Some("nested.md"),
        },
        Case {
            name: "10,000 [[ with no closing ]]",
            setup: |v, _| {
                v.write(
                    "brackets.md",
                    format!("{}\n[[Tail Missing]]\n", "[[a ".repeat(10_000)),
                )
            },
            expect: &["brackets.md broken-link"],
            forbid: &[],
            open: Some("brackets.md"),
        },
        Case {
            name: "a NUL byte",
            setup: |v, _| v.write("nul.md", "a\0b [[Nul Missing]]\n"),
            expect: &["nul.md broken-link"],
            forbid: &[],
            open: Some("nul.md"),
        },
        Case {
            name: "a byte order mark",
            setup: |v, _| v.write("bom.md", "\u{feff}# Title\n[[Attention]] [[Bom Missing]]\n"),
            expect: &["bom.md broken-link"],
            forbid: &[],
            open: Some("bom.md"),
        },
        Case {
            name: "lone \\r line endings",
            setup: |v, _| v.write("cr.md", "# T\r[[Attention]]\r[[Cr Missing]]\r"),
            expect: &["cr.md broken-link"],
            forbid: &[],
            open: Some("cr.md"),
        },
        Case {
            name: "an empty file",
            setup: |v, _| v.write("empty.md", ""),
            expect: &[],
            forbid: &[],
            open: Some("empty.md"),
        },
        Case {
            name: "a note that is a directory",
            setup: |v, _| std::fs::create_dir_all(v.path().join("folder.md/inner")).unwrap(),
            expect: &[],
            forbid: &[],
            open: None,
        },
        Case {
            name: "an unreadable file",
            setup: |v, _| {
                v.write("secret.md", "[[Unreadable Missing]]\n");
                set_mode(&v.path().join("secret.md"), 0o000);
            },
            // Root reads it anyway; see `unreadable_for_this_user`.
            expect: &[],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a FIFO and a socket named .md",
            setup: |v, _| {
                let fifo = v.path().join("pipe.md");
                let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
                assert!(made.success());
                let socket =
                    std::os::unix::net::UnixListener::bind(v.path().join("socket.md")).unwrap();
                // Keep the socket file; the listener itself is not needed.
                std::mem::forget(socket);
            },
            expect: &[],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a symlink loop",
            setup: |v, _| {
                symlink("b.md", &v.path().join("a.md"));
                symlink("a.md", &v.path().join("b.md"));
            },
            expect: &[],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a symlink pointing outside the workspace",
            setup: |v, outside| {
                std::fs::write(outside.join("secret.md"), "[[Outside Secret]]\n").unwrap();
                symlink(outside.join("secret.md"), &v.path().join("linked.md"));
                symlink(outside, &v.path().join("linked-folder"));
            },
            expect: &[],
            forbid: &["Outside Secret"],
            open: None,
        },
        // ---- bibliographies ----
        Case {
            name: "unbalanced braces",
            setup: |v, _| {
                v.write(
                    "refs.bib",
                    "@article{bad, title = {Open {brace}\n\n@article{good, title = {Fine}}\n",
                );
                v.write("cites.md", "[@good] [@bad]\n");
            },
            expect: &["refs.bib bib-syntax"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "an entry cut off at end of file",
            setup: |v, _| {
                v.write(
                    "refs.bib",
                    "@article{ok, title = {Fine}}\n@book{cut, title = {Half",
                )
            },
            expect: &["refs.bib bib-syntax"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "100k entries",
            setup: |v, _| {
                let mut bib = String::new();
                for i in 0..100_000 {
                    bib.push_str(&format!("@article{{key{i}, author = {{Doe, Jane and Roe, Rick}}, title = {{Paper number {i}}}, journal = {{J}}, year = {{2020}}}}\n"));
                }
                v.write("big.bib", bib);
                v.write("cites.md", "[@key99999] [@key100000]\n");
            },
            expect: &["cites.md unknown-citation"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "duplicate keys",
            setup: |v, _| {
                v.write(
                    "refs.bib",
                    "@article{same, title = {A}}\n@book{same, title = {B}}\n",
                )
            },
            expect: &["refs.bib duplicate-citation-key"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "an @string cycle",
            setup: |v, _| {
                v.write(
                    "refs.bib",
                    "@string{a = b}\n@string{b = a}\n@article{k, title = a # b}\n",
                );
                v.write("cites.md", "[@k]\n");
            },
            expect: &[],
            forbid: &[],
            open: None,
        },
        Case {
            name: "CSL-JSON that is not an array",
            setup: |v, _| {
                v.write("gloss.toml", "[bibliography]\nfiles = [\"refs.json\"]\n");
                v.write("refs.json", "{\"id\": \"k\", \"title\": \"An object\"}");
            },
            expect: &["refs.json bib-syntax"],
            forbid: &[],
            open: None,
        },
        // ---- front matter ----
        Case {
            name: "malformed front matter",
            setup: |v, _| v.write("fm.md", "---\ntitle: [unclosed\n---\n[[Fm Missing]]\n"),
            expect: &["fm.md front-matter", "fm.md broken-link"],
            forbid: &[],
            open: Some("fm.md"),
        },
        Case {
            name: "huge front matter",
            setup: |v, _| {
                v.write(
                    "fm.md",
                    format!(
                        "---\ntags: [{}]\n---\n[[Fm Missing]]\n",
                        "tag, ".repeat(100_000)
                    ),
                )
            },
            expect: &["fm.md front-matter", "fm.md broken-link"],
            forbid: &[],
            open: Some("fm.md"),
        },
        Case {
            name: "billion laughs",
            setup: |v, _| {
                let mut yaml = String::from("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
                for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
                    .iter()
                    .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
                {
                    yaml.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
                }
                yaml.push_str("aliases: *i\n---\n[[Fm Missing]]\n");
                v.write("fm.md", yaml);
            },
            expect: &["fm.md front-matter", "fm.md broken-link"],
            forbid: &[],
            open: Some("fm.md"),
        },
        Case {
            name: "front matter nested 100,000 levels deep",
            setup: |v, _| {
                v.write(
                    "fm.md",
                    format!("---\ntags: {}\n---\n[[Fm Missing]]\n", "[".repeat(100_000)),
                )
            },
            expect: &["fm.md front-matter", "fm.md broken-link"],
            forbid: &[],
            open: Some("fm.md"),
        },
        // ---- second hardening round: what the repository can make gloss read ----
        Case {
            name: ".gitignore and .ignore as FIFOs",
            setup: |v, _| {
                v.write("sub/n.md", "[[Fifo Missing]]\n");
                for fifo in [".gitignore", "sub/.ignore"] {
                    let made = Command::new("mkfifo")
                        .arg(v.path().join(fifo))
                        .status()
                        .unwrap();
                    assert!(made.success());
                }
            },
            expect: &["sub/n.md broken-link"],
            forbid: &[],
            open: None,
        },
        Case {
            name: ".gitignore linked to /dev/zero",
            setup: |v, _| {
                v.write("sub/n.md", "[[Zero Missing]]\n");
                symlink("/dev/zero", &v.path().join("sub/.gitignore"));
            },
            expect: &["sub/n.md broken-link"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a bibliography linked to a file outside that is not a bibliography",
            setup: |v, outside| {
                std::fs::write(outside.join("id_rsa"), "@misc{leakedkey, title={Leaked}}\n")
                    .unwrap();
                symlink(outside.join("id_rsa"), &v.path().join("p.bib"));
                v.write("cites.md", "---\nbibliography: p.bib\n---\n[@leakedkez]\n");
                // A note whose bibliography is missing reports that alone;
                // this one reports the key, and must not suggest the
                // outside file's.
                v.write("other.md", "[@leakedkez]\n");
            },
            expect: &["cites.md missing-bibliography", "other.md unknown-citation"],
            forbid: &["leakedkey"],
            open: Some("cites.md"),
        },
        // ---- second hardening round: input whose cost grew faster than its size ----
        Case {
            name: "a line of @{ without }",
            setup: |v, _| {
                v.write(
                    "at.md",
                    format!("{}\n[[At Missing]]\n", "@{".repeat(60_000)),
                )
            },
            expect: &["at.md broken-link"],
            forbid: &[],
            open: Some("at.md"),
        },
        Case {
            // Each `@` in the inline note was checked against every code
            // span and autolink before it (quadratic).
            name: "a line-long inline note of code spans, autolinks and citations",
            setup: |v, _| {
                v.write("refs.bib", "@misc{known, title = {Known}}\n");
                let note: String = (0..60_000)
                    .map(|i| format!("`` @b{i} ` <a@b{i}> "))
                    .collect();
                let locators: String = (0..20_000)
                    .map(|i| format!("@a{i} [p. {i}; @known] "))
                    .collect();
                v.write("inline.md", format!("^[{note}]\n{locators}\n"));
            },
            expect: &["inline.md unknown-citation"],
            forbid: &[],
            open: Some("inline.md"),
        },
        Case {
            name: "a 10 MiB note of [[",
            setup: |v, _| v.write("dense.md", "[[".repeat(5 * 1024 * 1024 - 8)),
            expect: &["dense.md file-too-large"],
            forbid: &[],
            open: Some("dense.md"),
        },
        Case {
            name: "8000 headings and 8000 links to them, half broken",
            setup: |v, _| {
                let headings: String = (0..8000).map(|i| format!("## Heading {i}\n")).collect();
                let links: String = (0..8000)
                    .map(|i| {
                        if i % 2 == 0 {
                            format!("[[#Heading {i}]]\n")
                        } else {
                            format!("[[#Gone {i}]]\n")
                        }
                    })
                    .collect();
                v.write("anchors.md", headings + &links);
            },
            expect: &["anchors.md broken-anchor"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a 40,000-character alias and near misses",
            setup: |v, _| {
                let alias = "a".repeat(40_000);
                let misses: String = (0..6)
                    .map(|i| format!("[[{}b{i}]]\n", &alias[2..]))
                    .collect();
                v.write(
                    "long.md",
                    format!("---\naliases: [\"{alias}\"]\n---\n{misses}"),
                );
            },
            expect: &["long.md broken-link"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "20,000 three-letter terms and 20,000 short broken links",
            setup: |v, _| {
                let names: Vec<String> = (0..20_000u32)
                    .map(|i| {
                        let c = |n: u32| char::from(b'a' + (n % 26) as u8);
                        format!("{}{}{}", c(i / 676), c(i / 26), c(i))
                    })
                    .collect();
                let terms: String = names.iter().map(|n| format!("- {n}: x\n")).collect();
                v.write("terms.md", format!("## Terms\n{terms}"));
                let links: String = names.iter().map(|n| format!("[[{n}z]]\n")).collect();
                v.write("short.md", links);
            },
            expect: &["short.md broken-link"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "a link with a backslash to a note whose name has one",
            setup: |v, _| {
                v.write("back\\slash.md", "# B\n");
                v.write("links.md", "[[back\\slash]] [[back\\slosh]]\n");
            },
            expect: &["links.md broken-link"],
            forbid: &["named 'back\\\\slash'"],
            open: None,
        },
        Case {
            name: "an @string doubling chain",
            setup: |v, _| {
                let mut bib = String::from("@string{s0 = \"ab\"}\n");
                for i in 1..=26 {
                    bib.push_str(&format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1));
                }
                bib.push_str("@article{k, title = s26}\n@article{fine, title = s2}\n");
                v.write("refs.bib", bib);
                v.write("cites.md", "[@fine] [@k]\n");
            },
            expect: &["refs.bib bib-syntax"],
            forbid: &[],
            open: None,
        },
        Case {
            // Read as their names, as Pandoc reads them.
            name: "entries with undefined macros among 20,000 macros",
            setup: |v, _| {
                let mut bib: String = (0..20_000)
                    .map(|i| format!("@string{{m{i} = \"x\"}}\n"))
                    .collect();
                for i in 0..20 {
                    bib.push_str(&format!("@article{{k{i}, journal = undefined{i}}}\n"));
                }
                v.write("refs.bib", bib);
                v.write("cites.md", "[@k3] [@k19]\n");
            },
            expect: &[],
            forbid: &["bib-syntax", "k3", "k19"],
            open: None,
        },
        Case {
            name: "100,000 nested braces in a field",
            setup: |v, _| {
                v.write(
                    "refs.bib",
                    format!(
                        "@article{{k, title = {}{}}}\n",
                        "{".repeat(100_000),
                        "}".repeat(100_000)
                    ),
                )
            },
            expect: &["refs.bib bib-syntax"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "40,000 crossref children of a 10,000-field parent",
            setup: |v, _| {
                let fields: Vec<String> = (0..10_000).map(|i| format!("f{i} = {{v}}")).collect();
                let mut bib = format!("@book{{parent, {}}}\n", fields.join(", "));
                for i in 0..40_000 {
                    bib.push_str(&format!("@inbook{{c{i}, crossref = {{parent}}}}\n"));
                }
                v.write("refs.bib", bib);
            },
            expect: &["refs.bib bib-syntax"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "300,000 tiny entries",
            setup: |v, _| {
                let bib: String = (0..300_000).map(|i| format!("@misc{{k{i},}}\n")).collect();
                v.write("refs.bib", bib);
                v.write("cites.md", "[@k7]\n");
            },
            expect: &["refs.bib bib-syntax"],
            forbid: &[],
            open: None,
        },
        Case {
            name: "CSL-JSON with a byte order mark",
            setup: |v, _| {
                v.write("gloss.toml", "[bibliography]\nfiles = [\"refs.json\"]\n");
                v.write(
                    "refs.json",
                    "\u{feff}[{\"id\": \"bomkey\", \"title\": \"T\"}]",
                );
                v.write("cites.md", "[@bomkey]\n");
            },
            expect: &[],
            forbid: &["invalid JSON", "bomkey"],
            open: None,
        },
        // ---- links that try to leave the workspace ----
        Case {
            name: "links outside the workspace",
            setup: |v, outside| {
                std::fs::write(outside.join("target.md"), "# Heading\n").unwrap();
                let name = outside.file_name().unwrap().to_str().unwrap();
                let absolute = outside.join("target.md");
                v.write(
                    "escape.md",
                    format!(
                        "[[../../etc/passwd]] [[../{name}/target]] [[{}]]\n[a](file://{}) [b](..%2F{name}%2Ftarget.md) [c](../{name}/target.md#heading)\n",
                        absolute.display(),
                        absolute.display()
                    ),
                );
            },
            expect: &["escape.md broken-link"],
            forbid: &[],
            open: Some("escape.md"),
        },
    ]
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every file under `dir` (symlinks not followed) with its bytes, or what
/// kind of thing it is when it cannot be read.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let content = if meta.file_type().is_symlink() {
                format!(
                    "symlink to {}",
                    std::fs::read_link(&path).unwrap().display()
                )
                .into_bytes()
            } else if meta.is_dir() {
                stack.push(path.clone());
                b"folder".to_vec()
            } else if meta.is_file() {
                std::fs::read(&path).unwrap_or_else(|e| format!("unreadable: {e}").into_bytes())
            } else {
                // A FIFO or socket: reading would block.
                format!("special file {:?}", meta.file_type()).into_bytes()
            };
            files.insert(path, content);
        }
    }
    files
}

/// `gloss check --format json` in `dir`, killed (and failed) after a minute.
fn check(dir: &Path) -> (i32, Vec<Value>) {
    let output = output_within(
        Command::new(gloss_bin())
            .args(["check", "--format", "json"])
            .current_dir(dir),
        Duration::from_secs(60),
    );
    let (status, out) = (output.status, output.stdout);
    let report: Value = serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out)));
    (
        status.code().unwrap_or(-1),
        report["diagnostics"].as_array().unwrap().clone(),
    )
}

fn summary(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

/// `path code` with how often each occurs, for the log.
fn counted(got: &[String]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for g in got {
        *counts.entry(g.as_str()).or_default() += 1;
    }
    counts
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A server on `root`, initialised, with good.md open and its diagnostics
/// in (which the server publishes only once indexing is complete).
fn start_server(root: &Path) -> LspClient {
    let mut client = LspClient::start(root);
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root),
               "workspaceFolders": [{"uri": uri(root), "name": "vault"}],
               "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
    client
}

fn open(client: &mut LspClient, path: &Path, text: &str) -> Value {
    let uri = uri(path);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    client.diagnostics_for(&uri, Some(1))
}

#[track_caller]
fn assert_still_serving(client: &mut LspClient, good: &Path) {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(good)}, "position": {"line": 0, "character": 7}}),
    );
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("each token looks"), "hover: {hover}");
}

#[test]
fn bad_input_is_reported_and_never_stops_check_or_the_server() {
    for case in cases() {
        let vault = Vault::empty();
        let outside = tempfile::tempdir().unwrap();
        vault.write("glossary.md", GLOSSARY);
        vault.write("good.md", GOOD);
        (case.setup)(&vault, outside.path());
        let root = vault.path().canonicalize().unwrap();
        let before = snapshot(&root);
        let name = case.name;

        // gloss check: exit 1 (good.md's broken link), every expected
        // diagnostic, nothing from outside.
        let started = Instant::now();
        let (code, diagnostics) = check(&root);
        let got = summary(&diagnostics);
        assert_eq!(code, 1, "{name}: exit status; {got:?}");
        assert!(
            diagnostics.iter().any(|d| d["path"] == "good.md"
                && d["message"].as_str().unwrap().contains("Missing Term")),
            "{name}: good.md not checked: {got:?}"
        );
        for expected in case.expect {
            assert!(
                got.iter().any(|g| g == expected),
                "{name}: no {expected:?} in {got:?}"
            );
        }
        for forbidden in case.forbid {
            assert!(
                !diagnostics
                    .iter()
                    .any(|d| d.to_string().contains(forbidden)),
                "{name}: {forbidden:?} was read: {diagnostics:?}"
            );
        }
        eprintln!("{name}: check {:?}, {:?}", started.elapsed(), counted(&got));

        // gloss lsp: indexes the same folder, answers, reports the same.
        let started = Instant::now();
        let mut client = start_server(&root);
        let good = root.join("good.md");
        let mut published = open(&mut client, &good, GOOD);
        // Diagnostics are held back (published empty) until indexing ends.
        while !published["diagnostics"]
            .to_string()
            .contains("Missing Term")
        {
            published = client.diagnostics_for(&uri(&good), Some(1));
        }
        if let Some(rel) = case.open {
            let path = root.join(rel);
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let published = open(&mut client, &path, &text);
            let mut codes: Vec<String> = published["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| format!("{rel} {}", d["code"].as_str().unwrap()))
                .collect();
            let mut from_check: Vec<String> = got
                .iter()
                .filter(|g| g.starts_with(&format!("{rel} ")))
                .cloned()
                .collect();
            codes.sort();
            from_check.sort();
            assert_eq!(codes, from_check, "{name}: the editor and check disagree");
        }
        assert_still_serving(&mut client, &good);
        assert_eq!(client.shutdown(), Some(0), "{name}: server exit status");
        eprintln!("{name}: lsp {:?}", started.elapsed());

        assert!(snapshot(&root) == before, "{name}: the workspace changed");
    }
}

/// A message framed by hand, with whatever Content-Length the test wants.
fn framed(body: &Value, length: usize) -> Vec<u8> {
    let body = body.to_string();
    let mut bytes = format!("Content-Length: {length}\r\n\r\n").into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn hover_request(id: i64, uri: &str, line: u32, character: u32) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
           "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}})
}

#[test]
fn protocol_abuse_never_stops_the_server_or_touches_the_workspace() {
    let vault = Vault::empty();
    vault.write("glossary.md", GLOSSARY);
    vault.write("good.md", GOOD);
    let root = vault.path().canonicalize().unwrap();
    let before = snapshot(&root);
    let good = uri(&root.join("good.md"));

    let mut client = LspClient::start(&root);
    // A request before `initialize`: refused, not fatal.
    let early = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": good}, "position": {"line": 0, "character": 7}}),
    );
    assert_eq!(early["error"]["code"], -32002, "{early}");
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&root), "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
    let mut published = open(&mut client, &root.join("good.md"), GOOD);
    while !published["diagnostics"]
        .to_string()
        .contains("Missing Term")
    {
        published = client.diagnostics_for(&good, Some(1));
    }

    // Content-Length too small: a parse error, then the next message works.
    let request = hover_request(901, &good, 0, 7);
    client.send_raw(&framed(&request, 10));
    let error = client.wait_for(|m| m["error"]["code"] == -32700);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Parse error"),
        "{error}"
    );
    // Content-Length too large: the body runs into the next message; both
    // are still answered.
    let first = hover_request(902, &good, 0, 7);
    let second = hover_request(903, &good, 0, 7);
    let mut bytes = framed(&first, first.to_string().len() + 25);
    bytes.extend(framed(&second, second.to_string().len()));
    client.send_raw(&bytes);
    for id in [902, 903] {
        let answer = client.wait_for(|m| m["id"] == id);
        assert!(
            answer["result"]["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("each token looks"),
            "{answer}"
        );
    }

    // Positions past the end, inside a surrogate pair, in a document
    // outside every folder: answers, no errors.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&root.join("emoji.md")), "languageId": "markdown", "version": 1, "text": "😀[[Attention]]\r\n"}}),
    );
    for (line, character) in [(0, 1), (0, 999), (999, 0)] {
        let answer = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&root.join("emoji.md"))}, "position": {"line": line, "character": character}}),
        );
        assert!(answer.get("error").is_none(), "{answer}");
    }
    let outside = client.request("textDocument/hover", json!({"textDocument": {"uri": "file:///elsewhere/x.md"}, "position": {"line": 0, "character": 0}}));
    assert!(outside.get("error").is_none(), "{outside}");

    // 10,000 edits in a burst, each typing one character at the start.
    for version in 2..=10_001 {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": good, "version": version},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
        );
    }
    let after = client.diagnostics_at_version(&good, 10_001);
    let starts: Vec<&Value> = after["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["range"]["start"]["character"])
        .collect();
    assert_eq!(
        starts,
        [&json!(10_000 + GOOD.find("Missing").unwrap())],
        "{after}"
    );

    // Everything that proposes edits, only proposes them.
    let rename = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": good}, "position": {"line": 0, "character": 10_007}, "newName": "Self-Attention"}),
    );
    assert!(
        rename["result"]["changes"]
            .as_object()
            .is_some_and(|c| !c.is_empty()),
        "{rename}"
    );
    let moved = client.request(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&root.join("glossary.md")), "newUri": uri(&root.join("terms.md"))}]}),
    );
    assert!(moved.get("error").is_none(), "{moved}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": good}, "range": after["diagnostics"][0]["range"], "context": {"diagnostics": after["diagnostics"]}}),
    );
    assert!(
        actions["result"].as_array().is_some_and(|a| !a.is_empty()),
        "{actions}"
    );
    assert_still_serving_at(&mut client, &good, 10_007);

    // `exit` without `shutdown`: the process ends (status 1, as LSP says).
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), Some(1));
    assert!(
        snapshot(&root) == before,
        "the session changed the workspace"
    );
}

fn assert_still_serving_at(client: &mut LspClient, uri: &str, character: u32) {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": character}}),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("each token looks"),
        "{hover}"
    );
}

// ---- second hardening round: one test per reproduction that does not fit
// the shape of `cases` ----

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

/// `gloss check` in `dir` with a canary in its environment, within `limit`.
fn check_with_canary(dir: &Path, args: &[&str]) -> std::process::Output {
    output_within(
        Command::new(gloss_bin())
            .arg("check")
            .args(args)
            .env("GLOSS_CANARY", "hunter2-canary")
            .current_dir(dir),
        Duration::from_secs(60),
    )
}

/// A `gloss.toml` that is not a regular file of the workspace: committed as
/// a link to `/proc/self/environ` it printed the CI job's environment into
/// the log; as a FIFO it hung; as a link to `/dev/zero` it took gigabytes.
/// Each is now an error that quotes nothing, and the server keeps serving.
#[test]
fn a_configuration_that_is_no_file_of_the_workspace_is_never_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.toml"), "hunter2-canary = 1\n").unwrap();
    let secret = outside.path().join("secret.toml");
    type Make = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Make)> = vec![
        (
            "a link to /proc/self/environ",
            Box::new(|p| symlink("/proc/self/environ", p)),
        ),
        ("a FIFO", Box::new(mkfifo)),
        ("a link to /dev/zero", Box::new(|p| symlink("/dev/zero", p))),
        (
            "50 MB",
            Box::new(|p| std::fs::write(p, "# x\n".repeat(13_000_000)).unwrap()),
        ),
        (
            "a link out of the workspace",
            Box::new(move |p| symlink(&secret, p)),
        ),
    ];
    for (name, make) in cases {
        let vault = Vault::empty();
        let config = vault.path().join("gloss.toml");
        std::fs::remove_file(&config).unwrap();
        make(&config);
        vault.write("good.md", GOOD);
        let started = Instant::now();
        let output = check_with_canary(vault.path(), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("gloss.toml"), "{name}: {stderr}");
        for leak in ["hunter2-canary", "PATH="] {
            assert!(!stderr.contains(leak), "{name}: printed {leak}: {stderr}");
            assert!(
                !String::from_utf8_lossy(&output.stdout).contains(leak),
                "{name}"
            );
        }
        eprintln!(
            "{name}: check {:?}: {}",
            started.elapsed(),
            stderr.lines().next().unwrap_or("")
        );
    }

    // In the server: a FIFO configuration next to an opened note does not
    // stop a hover in another folder.
    let bad = Vault::empty();
    std::fs::remove_file(bad.path().join("gloss.toml")).unwrap();
    mkfifo(&bad.path().join("gloss.toml"));
    bad.write("note.md", "[[x]]\n");
    let good = Vault::empty();
    good.write("glossary.md", GLOSSARY);
    good.write("good.md", GOOD);
    let (bad_root, good_root) = (
        bad.path().canonicalize().unwrap(),
        good.path().canonicalize().unwrap(),
    );
    let mut client = LspClient::start(&good_root);
    let response = client.request(
        "initialize",
        json!({"processId": null, "capabilities": {},
               "workspaceFolders": [{"uri": uri(&bad_root), "name": "bad"}, {"uri": uri(&good_root), "name": "good"}]}),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
    open(&mut client, &bad_root.join("note.md"), "[[x]]\n");
    open(&mut client, &good_root.join("good.md"), GOOD);
    let started = Instant::now();
    assert_still_serving(&mut client, &good_root.join("good.md"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// `--untrusted` confines every read the repository asks for to the
/// workspace; what the user names on the command line is still read.
#[test]
fn untrusted_runs_read_nothing_the_repository_links_outside() {
    let outside = tempfile::tempdir().unwrap();
    let outside_root = outside.path().canonicalize().unwrap();
    std::fs::create_dir(outside_root.join("zotero")).unwrap();
    std::fs::write(
        outside_root.join("zotero/library.bib"),
        "@misc{zotero2020, title = {Linked}}\n",
    )
    .unwrap();
    std::fs::write(
        outside_root.join("mine.bib"),
        "@misc{mine2021, title = {Mine}}\n",
    )
    .unwrap();
    let vault = Vault::empty();
    vault.write(
        "gloss.toml",
        format!(
            "[bibliography]\nfiles = [\"{}\"]\n",
            outside_root.join("mine.bib").display()
        ),
    );
    symlink(outside_root.join("zotero"), &vault.path().join("linked"));
    vault.write(
        "cites.md",
        "---\nbibliography: linked/library.bib\n---\n[@zotero2020] [@mine2021]\n",
    );
    // Cites the same keys without declaring a bibliography of its own (a
    // note whose bibliography is missing reports that, not its keys).
    vault.write("other.md", "[@zotero2020] [@mine2021]\n");
    let codes = |args: &[&str]| -> Vec<String> {
        let output = check_with_canary(vault.path(), &[&["--format", "json"], args].concat());
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut codes: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["line"]))
            .collect();
        codes.sort();
        codes
    };
    // Trusted: a symlinked Zotero export and a configured file are read.
    assert_eq!(codes(&[]), Vec::<String>::new());
    // Untrusted: neither; both declarations say why.
    assert_eq!(
        codes(&["--untrusted"]),
        [
            "missing-bibliography 2",
            "missing-bibliography 2",
            "unknown-citation 1",
            "unknown-citation 1"
        ]
    );
    let mine = outside_root.join("mine.bib");
    let with_flag = codes(&["--untrusted", "--bibliography", mine.to_str().unwrap()]);
    assert_eq!(
        with_flag,
        [
            "missing-bibliography 2",
            "missing-bibliography 2",
            "unknown-citation 1"
        ],
        "a bibliography named on the command line is read"
    );
}

/// `rootUri = file:///` indexed the whole disk (216k notes, 2.9 GB after
/// 80 s). The file system root and the home folder are never indexed; a
/// note opened there is checked with the vault it is in.
#[test]
fn the_server_never_indexes_the_disk_or_the_home_folder() {
    let home = tempfile::tempdir().unwrap();
    let home_root = home.path().canonicalize().unwrap();
    let vault_dir = home_root.join("vault");
    std::fs::create_dir(&vault_dir).unwrap();
    std::fs::write(vault_dir.join("gloss.toml"), "").unwrap();
    std::fs::write(vault_dir.join("glossary.md"), GLOSSARY).unwrap();
    std::fs::write(vault_dir.join("good.md"), GOOD).unwrap();
    let mut client =
        LspClient::start_env(gloss_bin(), &home_root, &[("HOME", home_root.as_os_str())]);
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": "file:///", "capabilities": {"window": {"workDoneProgress": true}},
               "workspaceFolders": [{"uri": "file:///", "name": "disk"}]}),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": uri(&home_root), "name": "home"}], "removed": []}}),
    );
    let good = vault_dir.join("good.md");
    let mut published = open(&mut client, &good, GOOD);
    while !published["diagnostics"]
        .to_string()
        .contains("Missing Term")
    {
        published = client.diagnostics_for(&uri(&good), Some(1));
    }
    assert_still_serving(&mut client, &good);
    let warnings = client
        .notifications
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .filter(|m| {
            m["params"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("does not index")
        })
        .count();
    assert_eq!(warnings, 2, "{:#?}", client.notifications);
    assert!(
        !client
            .notifications
            .iter()
            .any(|m| m["method"] == "$/progress" && m["params"]["token"] == "gloss/index//"),
        "indexed the disk"
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// A document URI with `..` segments looked like a note of the vault, and
/// its front matter made the server read a bibliography outside.
#[test]
fn a_uri_with_dot_dot_segments_is_where_it_points() {
    let outside = tempfile::tempdir().unwrap();
    let outside_root = outside.path().canonicalize().unwrap();
    std::fs::write(
        outside_root.join("p.bib"),
        "@misc{leakedkey, title = {L}}\n",
    )
    .unwrap();
    let vault = Vault::empty();
    vault.write("glossary.md", GLOSSARY);
    vault.write("good.md", GOOD);
    vault.write("sub/x.md", "x\n");
    let root = vault.path().canonicalize().unwrap();
    let mut client = start_server(&root);
    let depth = root.components().count();
    let sneaky = format!(
        "{}/sub/{}{}/note.md",
        uri(&root),
        "../".repeat(depth),
        outside_root.display().to_string().trim_start_matches('/')
    );
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": sneaky, "languageId": "markdown", "version": 1,
                                "text": "---\nbibliography: p.bib\n---\n[@leakedkey]\n"}}),
    );
    let cites = root.join("cites.md");
    let published = open(&mut client, &cites, "[@leakedkez]\n");
    let mut published = published;
    while published["diagnostics"].as_array().unwrap().is_empty() {
        published = client.diagnostics_for(&uri(&cites), Some(1));
    }
    assert!(!published.to_string().contains("leakedkey"), "{published}");
    assert_eq!(client.shutdown(), Some(0));
}

/// Protocol traffic whose cost grew faster than its size.
#[test]
fn protocol_amplification_is_bounded() {
    let vault = Vault::empty();
    vault.write("glossary.md", GLOSSARY);
    vault.write("good.md", GOOD);
    vault.write("refs.bib", "@misc{k1, title = {One}}\n");
    let root = vault.path().canonicalize().unwrap();
    let good = uri(&root.join("good.md"));
    let mut client = start_server(&root);
    let mut published = open(&mut client, &root.join("good.md"), GOOD);
    while !published["diagnostics"]
        .to_string()
        .contains("Missing Term")
    {
        published = client.diagnostics_for(&good, Some(1));
    }

    // 60 MB of zeros in one message: refused unparsed.
    let zeros = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[{}0]}}",
        "0,".repeat(30_000_000)
    );
    client.send_raw(&gloss_e2e::lsp::frame(&zeros));
    let error = client.wait_for(|m| m["error"]["code"] == -32700);
    assert!(error.to_string().contains("JSON values"), "{error}");
    assert_still_serving(&mut client, &root.join("good.md"));
    let peak = client.status("VmHWM");
    assert!(peak < 400_000, "peak {peak} kB");

    // One change of 1000 edits on a 9 MB note.
    let big = root.join("big.md");
    let text = "words and [[Attention]] more words\n".repeat(9 * 1024 * 1024 / 35);
    open(&mut client, &big, &text);
    let edits: Vec<Value> = (0..1000)
        .map(|i| json!({"range": {"start": {"line": i * 100, "character": 0}, "end": {"line": i * 100, "character": 5}}, "text": "WORDS"}))
        .collect();
    let started = Instant::now();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&big), "version": 2}, "contentChanges": edits}),
    );
    client.diagnostics_at_version(&uri(&big), 2);
    eprintln!("1000 edits on 9 MB: {:?}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );

    // A hover on a group of 60,000 keys.
    let keys: Vec<String> = (0..60_000).map(|i| format!("@k{i}")).collect();
    let group = root.join("group.md");
    open(&mut client, &group, &format!("[{}]\n", keys.join("; ")));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&group)}, "position": {"line": 0, "character": 0}}),
    );
    let reply = hover.to_string();
    assert!(reply.len() < 20_000, "{} bytes", reply.len());
    assert!(reply.contains("more"), "{reply}");

    // Names that links could not find are refused; moves out of the
    // workspace or to other schemes propose nothing.
    let rename = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": good}, "position": {"line": 0, "character": 7}, "newName": "Self#Attention"}),
    );
    assert_eq!(rename["error"]["code"], -32602, "{rename}");
    for target in [
        "file:///etc/moved.md".to_string(),
        "http://example.com/moved.md".to_string(),
    ] {
        let moved = client.request(
            "workspace/willRenameFiles",
            json!({"files": [{"oldUri": uri(&root.join("glossary.md")), "newUri": target}]}),
        );
        assert_eq!(moved["result"]["changes"], json!({}), "{moved}");
    }

    // Fifty configuration changes in a burst: one rebuild's worth of work.
    let cpu_before = cpu_ticks(client.pid());
    let mut threads = 0;
    for _ in 0..50 {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(&root.join("gloss.toml")), "type": 2}]}),
        );
        threads = threads.max(client.status("Threads"));
    }
    std::thread::sleep(Duration::from_millis(500));
    threads = threads.max(client.status("Threads"));
    assert_still_serving(&mut client, &root.join("good.md"));
    let cpu = cpu_ticks(client.pid()) - cpu_before;
    eprintln!("50 configuration changes: {cpu} ticks of CPU, {threads} threads at most");
    assert!(threads < 30, "{threads} threads");
    assert_eq!(client.shutdown(), Some(0));
}

/// User and system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}

/// A client that stops reading while edits keep arriving: the server's
/// memory grew without bound (1.3M notifications, 118 MB and rising).
#[test]
fn a_client_that_stops_reading_does_not_grow_the_server() {
    use std::io::Write;
    let vault = Vault::empty();
    vault.write("glossary.md", GLOSSARY);
    vault.write("good.md", GOOD);
    let root = vault.path().canonicalize().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(gloss_bin())
        .arg("lsp")
        .current_dir(&root)
        .env("GLOSS_CACHE_DIR", cache.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // stdout is never read: the pipe fills and the server's writes block.
    let _stdout = child.stdout.take().unwrap();
    let send = |stdin: &mut std::process::ChildStdin, message: Value| {
        stdin
            .write_all(&gloss_e2e::lsp::frame(&message.to_string()))
            .unwrap();
    };
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "rootUri": uri(&root), "capabilities": {}}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    let good = uri(&root.join("good.md"));
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": good, "languageId": "markdown", "version": 1, "text": GOOD}}}),
    );
    let rss = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    let mut samples = Vec::new();
    for version in 2..200_002 {
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": good, "version": version}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "S"}]}}),
        );
        if version % 50_000 == 0 {
            samples.push(rss(child.id()));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("server memory while the client does not read: {samples:?} kB");
    let growth = samples.last().unwrap().saturating_sub(samples[0]);
    assert!(growth < 20_000, "grew {growth} kB: {samples:?}");
}
