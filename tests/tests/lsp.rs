//! `gloss lsp` end to end: a real process, JSON-RPC over its stdio, on a
//! fixture vault with emoji, CJK and CRLF, in both position encodings.

use gloss_e2e::lsp::{frame, LspClient};
use gloss_e2e::{messages, Vault};
use serde_json::{json, Value};

fn uri(vault: &Vault, rel: &str) -> String {
    let path = vault.path().canonicalize().unwrap().join(rel);
    format!("file://{}", path.display())
}

/// A started server on `vault`, initialised with the given encodings.
fn start(vault: &Vault, encodings: &[&str]) -> (LspClient, Value) {
    let mut client = LspClient::start(vault.path());
    let root = uri(vault, "");
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "vault"}],
            "capabilities": {
                "general": {"positionEncodings": encodings},
                "window": {"workDoneProgress": true},
                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}
            }
        }),
    );
    client.notify("initialized", json!({}));
    client.wait_indexed();
    (client, response)
}

fn open(client: &mut LspClient, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

const NOTE: &str =
    "# 笔记 😀\r\n😀😀 中文 [[思维链]] [@wei2022chain, p. 3] [[Chian of Thought]]\r\n";

#[test]
fn hover_definition_references_in_utf16() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, init) = start(&vault, &["utf-16"]);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, NOTE);

    // Diagnostics: the misspelt concept, at UTF-16 columns (😀 is two units).
    let diagnostics = client.diagnostics_for(&note, Some(1));
    let list = diagnostics["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["code"], "broken-link");
    assert_eq!(list[0]["source"], "gloss");
    assert_eq!(
        list[0]["range"],
        json!({"start": {"line": 1, "character": 40}, "end": {"line": 1, "character": 56}})
    );
    assert_eq!(
        list[0]["message"],
        "no concept or note named 'Chian of Thought'; did you mean 'Chain of Thought'?"
    );

    // Hover on [[思维链]]: UTF-16 column 11 is inside it.
    let hover = client.request("textDocument/hover", at(&note, 1, 11));
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**CoT** (Chain of Thought, 思维链)"),
        "{value}"
    );
    assert!(value.contains("*glossary.md:3*"), "{value}");
    assert_eq!(
        hover["result"]["range"],
        json!({"start": {"line": 1, "character": 8}, "end": {"line": 1, "character": 15}})
    );

    // Hover on the citation key shows the formatted reference and links.
    let hover = client.request("textDocument/hover", at(&note, 1, 20));
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("Wei, J., & Wang, X. (2022). Chain-of-Thought"),
        "{value}"
    );
    assert!(
        value.contains("https://arxiv.org/abs/2201.11903"),
        "{value}"
    );

    // Definition: concept → glossary entry; citation → .bib entry.
    let definition = client.request("textDocument/definition", at(&note, 1, 11));
    let target = &definition["result"][0];
    assert!(target["targetUri"]
        .as_str()
        .unwrap()
        .ends_with("/glossary.md"));
    assert_eq!(
        target["targetSelectionRange"]["start"],
        json!({"line": 2, "character": 2})
    );
    let definition = client.request("textDocument/definition", at(&note, 1, 20));
    let target = &definition["result"][0];
    assert!(target["targetUri"].as_str().unwrap().ends_with("/refs.bib"));
    assert_eq!(
        target["targetSelectionRange"]["start"],
        json!({"line": 0, "character": 15})
    );

    // References to the concept: the open note and the note on disk.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": note}, "position": {"line": 1, "character": 11}, "context": {"includeDeclaration": false}}),
    );
    let mut files: Vec<&str> = references["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["old.md", "today.md"]);

    // Document links open the paper.
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": note}}),
    );
    assert_eq!(
        links["result"][0]["target"],
        "https://arxiv.org/abs/2201.11903"
    );

    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn utf8_positions_when_offered() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, init) = start(&vault, &["utf-8", "utf-16"]);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, NOTE);
    let diagnostics = client.diagnostics_for(&note, Some(1));
    // 😀😀 are 8 bytes, 中文 6, 思维链 9: the broken link starts at byte 54.
    assert_eq!(
        diagnostics["diagnostics"][0]["range"]["start"],
        json!({"line": 1, "character": 54})
    );
    let hover = client.request("textDocument/hover", at(&note, 1, 20));
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("**CoT**"));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn edits_apply_in_order_and_update_diagnostics() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, "😀 \r\n");
    client.diagnostics_for(&note, Some(1));
    // A burst of single-character edits typing `[[Chian]]` then fixing it.
    let typed = "[[Chian]]";
    let mut version = 1;
    for (i, ch) in typed.chars().enumerate() {
        version += 1;
        let col = 3 + i as u32;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": note, "version": version},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": col}, "end": {"line": 0, "character": col}}, "text": ch.to_string()}]}),
        );
    }
    let diagnostics = client.diagnostics_at_version(&note, version);
    assert_eq!(
        diagnostics["diagnostics"][0]["message"],
        "no concept or note named 'Chian'"
    );
    // Replace `Chian` with `CoT`; hover now finds the entry.
    version += 1;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": note, "version": version},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 10}}, "text": "CoT"}]}),
    );
    let diagnostics = client.diagnostics_at_version(&note, version);
    assert_eq!(diagnostics["diagnostics"], json!([]));
    let hover = client.request("textDocument/hover", at(&note, 0, 6));
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("**CoT**"));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn completion_after_brackets_and_at() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, "见 [[思维\n和 [@wei\nmail me@wei\n");
    let completion = client.request("textDocument/completion", at(&note, 0, 6));
    let labels: Vec<&str> = completion["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["思维链"]);
    assert_eq!(
        completion["result"]["items"][0]["textEdit"]["newText"],
        "思维链]]"
    );
    let completion = client.request("textDocument/completion", at(&note, 1, 7));
    let item = completion["result"]["items"][0].clone();
    assert_eq!(item["label"], "wei2022chain");
    assert!(item.get("documentation").is_none());
    let resolved = client.request("completionItem/resolve", item);
    let documentation = resolved["result"]["documentation"]["value"]
        .as_str()
        .unwrap();
    assert!(
        documentation.starts_with("Wei, J., & Wang, X. (2022)."),
        "{documentation}"
    );
    let completion = client.request("textDocument/completion", at(&note, 2, 11));
    assert_eq!(completion["result"]["items"], json!([]));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn bad_input_gets_errors_and_the_server_keeps_serving() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, NOTE);
    client.diagnostics_for(&note, Some(1));

    // Invalid JSON: a parse error, and the server goes on.
    client.send_raw(&frame("{not json"));
    let error = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(error["error"]["code"], -32700);
    // An unknown method.
    let response = client.request("gloss/unknown", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    // Positions past the end, inside a surrogate pair, a document never
    // opened, a change for a document never opened.
    for position in [at(&note, 99, 0), at(&note, 1, 999), at(&note, 1, 1)] {
        let response = client.request("textDocument/hover", position);
        assert!(response.get("error").is_none(), "{response}");
    }
    let response = client.request("textDocument/hover", at("file:///nowhere/x.md", 0, 0));
    assert_eq!(response["result"], Value::Null);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere/x.md", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    // Still serving.
    let hover = client.request("textDocument/hover", at(&note, 1, 11));
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("**CoT**"));
    // The editor goes away: the server exits when stdin closes.
    assert_eq!(client.close_stdin(), Some(0));
}

#[test]
fn a_file_changed_on_disk_is_picked_up() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, "[[Perplexity]]\n");
    let d = client.diagnostics_for(&note, Some(1));
    assert_eq!(d["diagnostics"][0]["code"], "broken-link");
    vault.write("glossary.md", "# Glossary\n\n- CoT（Chain of Thought，思维链）：先写推理步骤。\n- Perplexity: exp of the loss.\n");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&vault, "glossary.md"), "type": 2}]}),
    );
    let d = client.diagnostics_for(&note, Some(1));
    assert_eq!(d["diagnostics"], json!([]));
    assert_eq!(client.shutdown(), Some(0));
}

/// Found in review: a note not open leaves its text on disk, and one
/// whose file changed with no watcher to say so (not every client watches
/// files) was read again as blanks, its headings lost. A note found
/// changed when its text is read again is now reloaded.
#[test]
fn a_closed_note_changed_unannounced_is_reloaded() {
    let vault = Vault::empty();
    vault.write("other.md", "# Other 😀\n\nText.\n");
    let (mut client, _) = start(&vault, &["utf-16"]);
    vault.write("other.md", "Added above.\r\n# Other 😀\r\n\r\nText.\r\n");
    let note = uri(&vault, "n.md");
    open(&mut client, &note, "[[other#Other 😀]] [[other#Nope]]\n");
    loop {
        let d = client.diagnostics_for(&note, Some(1));
        let messages: Vec<&str> = d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        if messages == ["no heading 'Nope' in 'other.md'"] {
            break;
        }
    }
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn quick_fixes_and_workspace_symbols() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(
        &mut client,
        &note,
        "😀 [[Chain of Thougt]] [@wei2022chian]\n",
    );
    let diagnostics = client.diagnostics_for(&note, Some(1));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": note},
               "range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 6}},
               "context": {"diagnostics": diagnostics["diagnostics"]}}),
    );
    let actions = actions["result"].as_array().unwrap();
    assert_eq!(actions[0]["title"], "Change to 'Chain of Thought'");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["diagnostics"][0]["code"], "broken-link");
    let edit = &actions[0]["edit"]["changes"][&note][0];
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 20}})
    );
    assert_eq!(actions[1]["title"], "Add 'Chain of Thougt' to the glossary");
    let glossary = uri(&vault, "glossary.md");
    assert_eq!(
        actions[1]["edit"]["changes"][&glossary][0]["newText"],
        "\n- Chain of Thougt: "
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": note},
               "range": {"start": {"line": 0, "character": 30}, "end": {"line": 0, "character": 30}},
               "context": {"diagnostics": []}}),
    );
    assert_eq!(actions["result"][0]["title"], "Change to 'wei2022chain'");

    let symbols = client.request("workspace/symbol", json!({"query": "思维"}));
    assert_eq!(symbols["result"][0]["name"], "CoT");
    assert!(symbols["result"][0]["location"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("/glossary.md"));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn rename_terms_and_moved_notes() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, "😀 [[CoT]] plain\n");
    client.diagnostics_for(&note, Some(1));

    // Plain text: refused.
    let refused = client.request("textDocument/prepareRename", at(&note, 0, 12));
    assert_eq!(refused["result"], Value::Null);
    let prepared = client.request("textDocument/prepareRename", at(&note, 0, 6));
    assert_eq!(
        prepared["result"],
        json!({"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 8}})
    );

    let renamed = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": note}, "position": {"line": 0, "character": 6}, "newName": "Chain-of-Thought"}),
    );
    let changes = renamed["result"]["changes"].as_object().unwrap();
    let mut files: Vec<&str> = changes
        .keys()
        .map(|k| k.rsplit('/').next().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["glossary.md", "old.md", "today.md"]);
    assert_eq!(changes[&note][0]["newText"], "Chain-of-Thought");

    // Moving notes/old.md keeps `[[old]]`-style links working.
    open(
        &mut client,
        &uri(&vault, "index.md"),
        "[[old]] [x](notes/old.md)\n",
    );
    let edit = client.request(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&vault, "notes/old.md"), "newUri": uri(&vault, "archive/older.md")}]}),
    );
    let index_edits = &edit["result"]["changes"][uri(&vault, "index.md")];
    assert_eq!(index_edits[0]["newText"], "older");
    assert_eq!(index_edits[1]["newText"], "archive/older.md");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let vault = Vault::fixture("lsp-vault");
    // Read for its names first, then parsed: what it declares stays known.
    vault.write(
        "notes/declares.md",
        "---\nbibliography: nowhere.bib\n---\n见 [@x] 😀\n",
    );
    let mut client = LspClient::start(vault.path());
    let root = uri(&vault, "");
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": root,
               "capabilities": {"window": {"workDoneProgress": true},
                                "textDocument": {"diagnostic": {"dynamicRegistration": false}},
                                "workspace": {"diagnostics": {"refreshSupport": true}}}}),
    );
    assert_eq!(
        init["result"]["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    client.notify("initialized", json!({}));
    client.wait_indexed();
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, "[[Nope]] [[CoT]]\n");
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": note}}),
    );
    assert_eq!(report["result"]["kind"], "full");
    let items = report["result"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "broken-link");
    let closed = uri(&vault, "notes/declares.md");
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": closed}}),
    );
    let codes: Vec<&str> = report["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"missing-bibliography"), "{report}");
    // Nothing is pushed to a pulling client.
    assert!(!client
        .notifications
        .iter()
        .any(|m| m["method"] == "textDocument/publishDiagnostics"));
    assert_eq!(client.shutdown(), Some(0));
}

/// Neovim 0.11 pulls diagnostics but cannot be asked to pull again, so a
/// note opened while indexing showed none until its first edit: such a
/// client is offered no pulling, and gets diagnostics pushed.
#[test]
fn clients_that_cannot_refresh_get_diagnostics_pushed() {
    let vault = Vault::fixture("lsp-vault");
    let mut client = LspClient::start(vault.path());
    let root = uri(&vault, "");
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": root,
               "capabilities": {"textDocument": {"diagnostic": {"dynamicRegistration": false}}}}),
    );
    assert!(
        init["result"]["capabilities"]
            .get("diagnosticProvider")
            .is_none(),
        "{init}"
    );
    client.notify("initialized", json!({}));
    // Opened at once, while the vault is being indexed.
    let note = uri(&vault, "notes/today.md");
    open(&mut client, &note, "[[Nope]] [[CoT]]\n");
    loop {
        let published = client.diagnostics_for(&note, Some(1));
        let items = published["diagnostics"].as_array().unwrap();
        if !items.is_empty() {
            assert_eq!(items.len(), 1, "{items:?}");
            assert_eq!(items[0]["code"], "broken-link");
            break;
        }
    }
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn references_from_a_bib_entry_and_document_symbols() {
    let vault = Vault::fixture("lsp-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "notes/today.md");
    open(
        &mut client,
        &note,
        "# 今天 😀\n## 名词解释\n- RAG: retrieval\n见 [@wei2022chain]\n",
    );
    client.diagnostics_for(&note, Some(1));
    let bib = uri(&vault, "refs.bib");
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": bib}, "position": {"line": 2, "character": 4}, "context": {"includeDeclaration": true}}),
    );
    let found: Vec<(String, Value)> = references["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                l["range"]["start"].clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("refs.bib".to_string(), json!({"line": 0, "character": 15})),
            ("today.md".to_string(), json!({"line": 3, "character": 4})),
        ]
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": note}}),
    );
    let top = &symbols["result"][0];
    assert_eq!(top["name"], "今天 😀");
    assert_eq!(top["children"][0]["name"], "名词解释");
    assert_eq!(top["children"][0]["children"][0]["name"], "RAG");
    assert_eq!(client.shutdown(), Some(0));
}

/// Found by an editor-like client: `didOpen` right after `initialized`, on
/// a vault without `.git`, resolved the note alone in 4 runs of 20 (every
/// link to another note reported broken), and it never recovered. Every
/// run must resolve the note against the whole vault, and keep doing so when
/// `gloss.toml` changes while it is open.
#[test]
fn a_note_opened_at_once_is_resolved_against_the_whole_vault() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for i in 0..300 {
        let folder = root.join(format!("topic{}", i % 7));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(format!("note{i}.md")),
            format!("# Note {i}\n[[note{}]]\n", (i + 1) % 300),
        )
        .unwrap();
    }
    let opened = root.join("topic3/today.md");
    let text = "[[note0]] [[note150]] [[note299]] [[Nowhere]]\n";
    std::fs::write(&opened, text).unwrap();
    let note = format!("file://{}", opened.display());
    for run in 0..30 {
        let mut client = LspClient::start(&root);
        client.request(
            "initialize",
            json!({"processId": null, "rootUri": format!("file://{}", root.display()),
                   "capabilities": {"window": {"workDoneProgress": true}}}),
        );
        client.notify("initialized", json!({}));
        open(&mut client, &note, text);
        let mut published = client.diagnostics_for(&note, Some(1));
        while messages(&published).is_empty() {
            published = client.diagnostics_for(&note, Some(1));
        }
        assert_eq!(
            messages(&published),
            ["no concept or note named 'Nowhere'"],
            "run {run}: resolved against part of the vault"
        );
        if run == 0 {
            // A new configuration while the note is open: rebuilt with the
            // note, and the new severity applies.
            std::fs::write(
                root.join("gloss.toml"),
                "[severity]\nbroken-link = \"warning\"\n",
            )
            .unwrap();
            client.notify(
                "workspace/didChangeWatchedFiles",
                json!({"changes": [{"uri": format!("file://{}/gloss.toml", root.display()), "type": 1}]}),
            );
            loop {
                let published = client.diagnostics_for(&note, Some(1));
                let list = published["diagnostics"].as_array().unwrap();
                if list.len() == 1 && list[0]["severity"] == 2 {
                    break;
                }
            }
            // The rebuild reads notes' names first: until note0 is parsed
            // its title (its first heading) is not known, and the hover
            // shows its file name. Seen once in a run of the whole suite.
            let mut hover = Value::Null;
            for _ in 0..200 {
                hover = client.request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": note}, "position": {"line": 0, "character": 3}}),
                );
                if hover.to_string().contains("Note 0") {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            assert!(hover.to_string().contains("Note 0"), "{hover}");
            std::fs::remove_file(root.join("gloss.toml")).unwrap();
        }
        assert_eq!(client.shutdown(), Some(0));
    }
}

/// Names first: the server publishes an open note's diagnostics once every
/// note's names are read, before most notes are parsed; what it publishes
/// first is what `gloss check` says, though the note links to headings,
/// block ids, aliases, glossary entries and labels of notes not parsed yet
/// (and is edited to link to more while they are parsed).
#[test]
fn first_diagnostics_before_every_note_is_parsed_are_final() {
    let vault = Vault::empty();
    for i in 0..3000 {
        vault.write(
            &format!("t{}/n{i}.md", i % 9),
            format!(
                "---\ntitle: 笔记 {i} 😀\naliases: [别名{i}]\n---\n# Heading {i}\r\n段落 ^blk{i}\n## Part {i}\n[[n{}#Heading {}]]\n",
                (i + 1) % 3000,
                (i + 1) % 3000
            ),
        );
    }
    vault.write(
        "glossary.md",
        "# 名词解释\n- **思维链** (CoT): 逐步推理 😀\n",
    );
    vault.write("defs.md", "注意力\n: 一种机制\n");
    vault.write("labels.md", "# Intro {#sec:intro}\n");
    let text = "[[n5#Heading 5]] [[n7#Missing]] [[n11#^blk11]] [[n12#^nope]] [[别名9]]\r\n\
                [[思维链]] [[CoT]] [[注意力]] [[Nowhere]] 见 @sec:intro 和 @sec:none\r\n\
                [[n13#Part 13]] [[n14#Part 99]] [[n2999#Heading 2999]]\n";
    // Linking to more notes while the rest is parsed.
    let edited = format!("{text}[[n1500#Heading 1500]] [[n1501#Nope]] [[n1502#^blk1502]]\n");
    // What `gloss check` says of the note, as (line, message), sorted.
    let expected = |text: &str| {
        vault.write("today.md", text);
        let report = vault
            .gloss(&["check", "--format", "json", "--hints"])
            .json();
        let mut found: Vec<(u64, String)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == "today.md")
            .map(|d| (d["line"].as_u64().unwrap() - 1, d["message"].to_string()))
            .collect();
        found.sort();
        found
    };
    let want_edited = expected(&edited);
    let want = expected(text);
    assert_eq!(want.len(), 5, "{want:#?}");
    assert_eq!(want_edited.len(), 6, "{want_edited:#?}");
    let note = uri(&vault, "today.md");
    let root = uri(&vault, "");
    let first_non_empty = |client: &mut LspClient, version: i64| loop {
        let published = client.diagnostics_at_version(&note, version);
        let mut found: Vec<(u64, String)> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let line = d["range"]["start"]["line"].as_u64().unwrap();
                (line, d["message"].to_string())
            })
            .collect();
        if !found.is_empty() {
            found.sort();
            return found;
        }
    };
    let indexed = |client: &LspClient| {
        client
            .notifications
            .iter()
            .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
    };
    let mut before_the_end = 0;
    for run in 0..5 {
        let mut client = LspClient::start(vault.path());
        client.request(
            "initialize",
            json!({"processId": null, "rootUri": root,
                   "capabilities": {"window": {"workDoneProgress": true}}}),
        );
        client.notify("initialized", json!({}));
        open(&mut client, &note, text);
        assert_eq!(first_non_empty(&mut client, 1), want, "run {run}");
        before_the_end += usize::from(!indexed(&client));
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": note, "version": 2},
                   "contentChanges": [{"text": edited}]}),
        );
        assert_eq!(first_non_empty(&mut client, 2), want_edited, "run {run}");
        assert_eq!(client.shutdown(), Some(0));
    }
    // Not a race the test depends on, but what it is there for: parsing
    // 3000 notes takes longer than reading their names.
    assert!(before_the_end > 0, "every run published after indexing");
}

/// The language server on an Obsidian vault: hover and definition on an
/// attachment, a heading chain in front matter, a block id and a path; the
/// same diagnostics as `gloss check`; and the vault inside it resolved
/// against itself.
#[test]
fn an_obsidian_vault_attachments_blocks_chains_front_matter_and_a_nested_vault() {
    let vault = Vault::fixture("obsidian-vault");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let home = uri(&vault, "Home.md");
    let text = std::fs::read_to_string(vault.path().join("Home.md")).unwrap();
    open(&mut client, &home, &text);

    let hover = |client: &mut LspClient, line, character| {
        let reply = client.request("textDocument/hover", at(&home, line, character));
        reply["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let definition = |client: &mut LspClient, line, character| {
        let reply = client.request("textDocument/definition", at(&home, line, character));
        let target = &reply["result"][0];
        let file = target["targetUri"].as_str().unwrap_or_default();
        let file = file.rsplit_once("obsidian-vault").map_or(file, |(_, f)| f);
        format!(
            "{} {}:{}",
            percent_decoded(file),
            target["targetSelectionRange"]["start"]["line"],
            target["targetSelectionRange"]["start"]["character"]
        )
    };
    let dir = vault.path().canonicalize().unwrap();
    let rel = |uri: String| uri.replace(&format!("file://{}", dir.display()), "");

    // `![[注意力 heatmap.png|400]]`: UTF-16 column 5 is inside the name.
    let value = hover(&mut client, 13, 5);
    assert!(
        value.starts_with("`Attachments/注意力 heatmap.png`"),
        "{value}"
    );
    assert_eq!(
        rel(definition(&mut client, 13, 5)),
        "/Attachments/注意力 heatmap.png 0:0"
    );
    // `"[[Sidebar#Layout#Mobile]]"` in the front matter: a heading chain.
    let value = hover(&mut client, 3, 20);
    assert!(value.starts_with("**Layout** › Mobile 📱"), "{value}");
    assert_eq!(rel(definition(&mut client, 3, 20)), "/Sidebar.md 1:3");
    // `[[Sidebar#^swipe-tip]]`: the block, without its id.
    let value = hover(&mut client, 28, 45);
    assert!(
        value.contains("Swipe from the left edge to open it.\n"),
        "{value}"
    );
    assert_eq!(rel(definition(&mut client, 28, 45)), "/Sidebar.md 2:0");
    // `up: "[[Reading/Index]]"`: a path.
    assert_eq!(rel(definition(&mut client, 1, 9)), "/Reading/Index.md 0:0");

    // The editor shows what `gloss check` reports for this note.
    let published = client.diagnostics_for(&home, Some(1));
    let mut got: Vec<String> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["range"]["start"]["line"],
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    let check = vault.gloss(&["check", "--format", "json"]).json();
    let mut expected: Vec<String> = check["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "Home.md")
        .map(|d| {
            format!(
                "{} {}",
                d["line"].as_u64().unwrap() - 1,
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(expected.len(), 6, "{expected:?}");

    // The vault inside: its own links resolve, the outer vault's do not.
    let old = uri(&vault, "Archive/Old.md");
    let text = std::fs::read_to_string(vault.path().join("Archive/Old.md")).unwrap();
    open(&mut client, &old, &text);
    let mut published = client.diagnostics_for(&old, Some(1));
    // Held back (empty) until the inner vault's workspace is read.
    while published["diagnostics"].as_array().unwrap().is_empty() {
        published = client.diagnostics_for(&old, Some(1));
    }
    assert_eq!(messages(&published), ["no concept or note named 'Home'"]);
    assert_eq!(client.shutdown(), Some(0));
}

/// `%XX` sequences of a URI path decoded, for comparing paths.
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], path.get(i + 1..i + 3)) {
            (b'%', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The line and UTF-16 column of the first `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("the needle is in the text");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() as u32;
    (line, text[line_start..at].encode_utf16().count() as u32)
}

/// A Quarto book as an editor shows it: `.qmd` chapters, a CSL YAML
/// bibliography named in `_quarto.yml`, front-matter `references:`, and
/// cross-references to heading ids and chunk labels in another chapter.
#[test]
fn a_quarto_book_with_inline_references_and_cross_references() {
    let vault = Vault::fixture("quarto-book");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let index = uri(&vault, "index.qmd");
    let text = std::fs::read_to_string(vault.path().join("index.qmd")).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": index, "languageId": "quarto", "version": 1, "text": text}}),
    );
    // Only the planted missing label; the cross-chapter anchor, the
    // chunk label and both kinds of reference resolve.
    let diagnostics = client.diagnostics_for(&index, Some(1));
    let (line, column) = position_of(&text, "tbl-missing");
    assert_eq!(
        diagnostics["diagnostics"],
        json!([{
            "range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 11}},
            "severity": 1, "code": "broken-cross-reference", "source": "gloss",
            "message": "no label 'tbl-missing' ({#tbl-missing})"
        }])
    );

    // Hover on a key of the note's own `references:`, and on one of the
    // project's CSL YAML file.
    let (line, column) = position_of(&text, "hoffmann2022]");
    let hover = client.request("textDocument/hover", at(&index, line, column + 3));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.starts_with("Hoffmann, J. (2022). Training compute-optimal"),
        "{markdown}"
    );
    let (line, column) = position_of(&text, "kaplan2020]");
    let hover = client.request("textDocument/hover", at(&index, line, column));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.starts_with("Kaplan, J., & McCandlish, S. (2020)."),
        "{markdown}"
    );

    // Definition: the item in the front matter; the chunk label in the
    // other chapter.
    let (cite_line, cite_column) = position_of(&text, "hoffmann2022]");
    let definition = client.request(
        "textDocument/definition",
        at(&index, cite_line, cite_column),
    );
    let (def_line, def_column) = position_of(&text, "hoffmann2022\n");
    assert_eq!(definition["result"][0]["targetUri"], index, "{definition}");
    assert_eq!(
        definition["result"][0]["targetSelectionRange"]["start"],
        json!({"line": def_line, "character": def_column})
    );
    let (line, column) = position_of(&text, "fig-loss");
    let definition = client.request("textDocument/definition", at(&index, line, column + 2));
    let method = uri(&vault, "method.qmd");
    assert_eq!(definition["result"][0]["targetUri"], method, "{definition}");
    assert_eq!(
        definition["result"][0]["targetSelectionRange"]["start"],
        json!({"line": 3, "character": 10})
    );

    // References from the item in the front matter: its citation.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": index}, "position": {"line": def_line, "character": def_column + 2}, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(
        references["result"],
        json!([{"uri": index, "range": {
            "start": {"line": cite_line, "character": cite_column},
            "end": {"line": cite_line, "character": cite_column + 12}}}])
    );

    // Completion after `@fig-` offers the book's figure labels.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": index, "version": 2}, "contentChanges": [{"text": format!("{text}见 @fig-")}]}),
    );
    let last = text.matches('\n').count() as u32;
    let completion = client.request("textDocument/completion", at(&index, last, 8));
    let labels: Vec<&str> = completion["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["fig-loss"]);
    assert_eq!(client.shutdown(), Some(0));
}

/// The baseline `gloss.toml` names: in the editor its diagnostics are
/// hints (or hidden, by setting), while new ones keep their severity.
#[test]
fn baseline_diagnostics_are_quieter_in_the_editor() {
    let vault = Vault::empty();
    vault.write("a.md", "😀 [[Later note]] [[a]]\n");
    let write = vault.gloss(&["check", "--write-baseline", "baseline.json"]);
    assert_eq!(write.code(), 0, "{}", write.stderr());
    vault.write("gloss.toml", "[check]\nbaseline = \"baseline.json\"\n");
    let (mut client, _) = start(&vault, &["utf-16"]);
    let note = uri(&vault, "a.md");
    open(&mut client, &note, "😀 [[Later note]] [[a]]\n新 [[Typo]]\n");
    let diagnostics = client.diagnostics_for(&note, Some(1));
    let shown: Vec<(String, i64)> = diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap().to_string(),
                d["severity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("no concept or note named 'Later note'".to_string(), 4),
            ("no concept or note named 'Typo'".to_string(), 1),
        ]
    );
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"gloss": {"baseline": {"severity": "off"}}}}),
    );
    let diagnostics = client.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == note
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.len() == 1)
    });
    assert_eq!(
        messages(&diagnostics["params"]),
        ["no concept or note named 'Typo'"]
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// A reading note written as people write them, with papers named by title
/// only (quoted, after a colon and before a dash, between dashes, as list
/// items), CJK, emoji and CRLF line ends: every title is a paper.
#[test]
fn papers_cited_by_title() {
    let vault = Vault::fixture("title-vault");
    let (mut client, init) = start(&vault, &["utf-16"]);
    let legend = &init["result"]["capabilities"]["semanticTokensProvider"]["legend"];
    assert!(legend["tokenTypes"]
        .as_array()
        .unwrap()
        .contains(&json!("paperTitle")));
    let note = uri(&vault, "notes/reading.md");
    let text = std::fs::read_to_string(vault.path().join("notes/reading.md")).unwrap();
    assert!(text.contains("\r\n"));
    open(&mut client, &note, &text);

    // Every uncited title is a hint, at UTF-16 columns after CJK text.
    let diagnostics = client.diagnostics_for(&note, Some(1));
    let list = diagnostics["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 9, "{list:#?}");
    assert!(list
        .iter()
        .all(|d| d["code"] == "title-citation" && d["severity"] == 4));
    let (line, column) = position_of(&text, "Transformer Feed-Forward");
    assert_eq!(
        list[0]["range"],
        json!({"start": {"line": line, "character": column},
               "end": {"line": line, "character": column + 54}})
    );

    // Hover on a title after a colon: the formatted reference.
    let (title_line, title_column) = position_of(&text, "Scaling Laws for Neural");
    let hover = client.request(
        "textDocument/hover",
        at(&note, title_line, title_column + 4),
    );
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.starts_with("Kaplan, J., McCandlish, S."),
        "{markdown}"
    );
    assert!(
        markdown.contains("https://arxiv.org/abs/2001.08361"),
        "{markdown}"
    );

    // Definition: the entry in papers.bib.
    let definition = client.request(
        "textDocument/definition",
        at(&note, title_line, title_column + 4),
    );
    let bib = uri(&vault, "papers.bib");
    let bib_text = std::fs::read_to_string(vault.path().join("papers.bib")).unwrap();
    let (key_line, key_column) = position_of(&bib_text, "kaplan2020scaling,");
    assert_eq!(definition["result"][0]["targetUri"], bib, "{definition}");
    assert_eq!(
        definition["result"][0]["targetSelectionRange"]["start"],
        json!({"line": key_line, "character": key_column})
    );

    // References from the bib entry: the key citation and both titles.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": bib}, "position": {"line": key_line, "character": key_column + 2},
               "context": {"includeDeclaration": false}}),
    );
    let (cited_line, _) = position_of(&text, "[@kaplan2020scaling]");
    let mut lines: Vec<u64> = references["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [title_line as u64, cited_line as u64, cited_line as u64],
        "{references}"
    );

    // Code actions on a title between a dash and the line's end.
    let (line, column) = position_of(&text, "Emergent Abilities of Large Language Models\r\n");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": note},
               "range": {"start": {"line": line, "character": column + 1}, "end": {"line": line, "character": column + 1}},
               "context": {"diagnostics": []}}),
    );
    let actions = actions["result"].as_array().unwrap();
    assert_eq!(actions[0]["title"], "Cite as [@wei2022emergent]");
    let end = column + "Emergent Abilities of Large Language Models".len() as u32;
    assert_eq!(
        actions[0]["edit"]["changes"][&note][0],
        json!({"range": {"start": {"line": line, "character": end}, "end": {"line": line, "character": end}},
               "newText": " [@wei2022emergent]"})
    );
    assert_eq!(
        actions[1]["title"],
        "Replace the title with [@wei2022emergent]"
    );

    // Inlay hints: authors and year after the title.
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": note},
               "range": {"start": {"line": title_line, "character": 0}, "end": {"line": title_line + 1, "character": 0}}}),
    );
    let end = title_column + "Scaling Laws for Neural Language Models".len() as u32;
    assert_eq!(hints["result"][0]["label"], "Kaplan et al. 2020", "{hints}");
    assert_eq!(
        hints["result"][0]["position"],
        json!({"line": title_line, "character": end})
    );

    // Semantic tokens include the titles; document links open the papers.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": note}}),
    );
    let data = tokens["result"]["data"].as_array().unwrap();
    let title_type = legend["tokenTypes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|t| t == "paperTitle")
        .unwrap();
    let titles = data.chunks(5).filter(|t| t[3] == json!(title_type)).count();
    // The nine uncited titles and the one a key cites.
    assert_eq!(titles, 10, "{data:?}");
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": note}}),
    );
    assert!(links["result"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["target"] == "https://arxiv.org/abs/2206.07682"));
    assert_eq!(client.shutdown(), Some(0));
}

/// The index cache across restarts: the second start reuses every note's
/// parse, without reading the notes that did not change, and publishes the
/// same diagnostics; the setting `cache: false` neither reads nor writes
/// it.
#[test]
fn a_restart_reads_the_index_cache() {
    let vault = Vault::fixture("lsp-vault");
    let cache = tempfile::tempdir().unwrap();
    // Notes changed within three seconds of a start are read again.
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let root = uri(&vault, "");
    let note = uri(&vault, "notes/today.md");
    let run = |options: Value| {
        let mut client = LspClient::start_env(
            gloss_e2e::gloss_bin(),
            vault.path(),
            &[("GLOSS_CACHE_DIR", cache.path().as_os_str())],
        );
        client.request(
            "initialize",
            json!({"processId": null, "rootUri": root, "initializationOptions": options,
                   "capabilities": {"window": {"workDoneProgress": true}}}),
        );
        client.notify("initialized", json!({}));
        let end = client.wait_indexed()["params"]["value"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        open(&mut client, &note, NOTE);
        let diagnostics = client.diagnostics_for(&note, Some(1));
        (client, end, messages(&diagnostics))
    };
    // Cache files (not the temporary file one is written to).
    let files = || {
        std::fs::read_dir(cache.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".index")
            })
            .count()
    };

    let (client, end, first) = run(json!({"gloss": {"cache": false}}));
    assert_eq!(end, "Indexed 2 notes");
    assert_eq!(client.shutdown(), Some(0));
    assert_eq!(files(), 0, "written with the cache off");

    let (client, end, cold) = run(Value::Null);
    assert_eq!(end, "Indexed 2 notes (0 from the cache)");
    // Written after indexing, beside the requests.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while files() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(client.shutdown(), Some(0));

    let written = || {
        let file = std::fs::read_dir(cache.path()).unwrap().next().unwrap();
        let meta = file.unwrap().metadata().unwrap();
        (meta.modified().unwrap(), meta.len())
    };
    let before = written();
    let (client, end, warm) = run(Value::Null);
    assert_eq!(end, "Indexed 2 notes (2 from the cache, 1 not read again)");
    assert_eq!(client.shutdown(), Some(0));
    assert_eq!(written(), before, "nothing changed: nothing written");
    assert_eq!(first, cold);
    assert_eq!(cold, warm);
    assert!(!warm.is_empty());
}

/// Found by a scratch client that wrote `initialize`, `initialized` and
/// `didOpen` at once, without waiting for the answer to `initialize`:
/// tower-lsp-server dropped both notifications, so the vault was never
/// indexed and the note never got diagnostics. The transport now holds
/// such messages back until the answer has gone out.
#[test]
fn a_client_that_does_not_wait_for_the_answer_to_initialize_is_served() {
    let vault = Vault::fixture("lsp-vault");
    let note = uri(&vault, "notes/today.md");
    let mut client = LspClient::start(vault.path());
    let initialize = client.send_request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&vault, ""),
               "capabilities": {"window": {"workDoneProgress": true}}}),
    );
    client.notify("initialized", json!({}));
    open(&mut client, &note, NOTE);
    let hover = client.send_request("textDocument/hover", at(&note, 1, 11));

    assert!(client.response(initialize)["result"]["capabilities"].is_object());
    let hover = client.response(hover);
    assert!(hover["error"].is_null(), "{hover}");
    client.wait_indexed();
    let mut published = client.diagnostics_for(&note, Some(1));
    while messages(&published).is_empty() {
        published = client.diagnostics_for(&note, Some(1));
    }
    assert_eq!(
        messages(&published),
        ["no concept or note named 'Chian of Thought'; did you mean 'Chain of Thought'?"]
    );
    assert_eq!(client.shutdown(), Some(0));
}
