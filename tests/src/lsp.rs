//! A minimal LSP client over the real stdio of `gloss lsp`, for end-to-end
//! tests: framing, requests with ids, notifications, and automatic replies
//! to the server's own requests (progress tokens, watcher registration).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long a test waits for an answer before calling the server stuck. Not
/// a speed target (those live in the benchmarks): debug builds on two busy
/// cores take several seconds to index the pathological vaults, so this
/// only has to tell "slow" from "never".
const TIMEOUT: Duration = Duration::from_secs(120);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    /// Responses received while waiting for something else.
    responses: Vec<Value>,
    /// The server's index cache folder, unless the caller chose one: each
    /// server starts cold, and none writes to the user's cache.
    _cache: Option<tempfile::TempDir>,
}

/// Writes one framed message.
pub fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl LspClient {
    /// Starts `gloss lsp` in `cwd`.
    pub fn start(cwd: &std::path::Path) -> LspClient {
        LspClient::start_with(crate::gloss_bin(), cwd)
    }

    /// Starts `binary lsp` in `cwd` (the benchmarks use a release build).
    pub fn start_with(binary: &std::path::Path, cwd: &std::path::Path) -> LspClient {
        LspClient::start_env(binary, cwd, &[])
    }

    /// Starts `binary lsp` in `cwd` with extra environment variables.
    pub fn start_env(
        binary: &std::path::Path,
        cwd: &std::path::Path,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> LspClient {
        let own_cache = (!env.iter().any(|(k, _)| *k == "GLOSS_CACHE_DIR"))
            .then(|| tempfile::tempdir().expect("cache folder"));
        let mut command = Command::new(binary);
        if let Some(dir) = &own_cache {
            command.env("GLOSS_CACHE_DIR", dir.path());
        }
        let mut child = command
            .arg("lsp")
            .envs(env.iter().copied())
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("gloss lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        LspClient {
            child,
            stdin: Some(stdin),
            messages,
            next_id: 1,
            notifications: Vec::new(),
            responses: Vec::new(),
            _cache: own_cache,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A field of the server's `/proc/<pid>/status`, such as `VmHWM` (in
    /// kB) or `Threads`.
    pub fn status(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        self.send_raw(&frame(&message.to_string()));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits for the response to request `id` (which may have come while
    /// waiting for something else).
    pub fn response(&mut self, id: i64) -> Value {
        let is_it = |m: &Value| m.get("id") == Some(&json!(id)) && m.get("method").is_none();
        if let Some(i) = self.responses.iter().position(is_it) {
            return self.responses.remove(i);
        }
        self.wait_for(is_it)
    }

    /// Waits for a message matching `pred`, answering server requests and
    /// keeping notifications on the way.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting; got {:#?}", self.notifications)
                }
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            };
            if pred(&message) {
                return message;
            }
            if message.get("id").is_some() && message.get("method").is_some() {
                // A request from the server: accept it.
                let id = message["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            } else if message.get("method").is_some() {
                self.notifications.push(message);
            } else {
                self.responses.push(message);
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` (already received or new).
    pub fn diagnostics_for(&mut self, uri: &str, version: Option<i64>) -> Value {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        };
        if let Some(i) = self.notifications.iter().position(matches) {
            return self.notifications.remove(i)["params"].clone();
        }
        self.wait_for(matches)["params"].clone()
    }

    /// Waits for the diagnostics of `uri` at document version `version`,
    /// skipping older publications.
    pub fn diagnostics_at_version(&mut self, uri: &str, version: i64) -> Value {
        loop {
            let diagnostics = self.diagnostics_for(uri, None);
            if diagnostics["version"] == version {
                return diagnostics;
            }
        }
    }

    /// Waits until the server has finished indexing (its progress ends);
    /// returns the progress's end.
    pub fn wait_indexed(&mut self) -> Value {
        let done = |m: &Value| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end";
        if let Some(end) = self.notifications.iter().find(|m| done(m)) {
            return end.clone();
        }
        self.wait_for(done)
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes stdin, as an editor that dies would, and waits for the exit.
    pub fn close_stdin(mut self) -> Option<i32> {
        self.stdin = None;
        self.wait_exit()
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
