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
        eprintln!("{name}: check {:?}, {got:?}", started.elapsed());

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
