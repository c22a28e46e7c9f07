//! Framing between the editor and the server.
//!
//! tower-lsp-server's reader stops for good after a message that is not JSON
//! (tokio-util ends a framed stream at its first decode error), which would
//! leave the editor talking to a dead server. So gloss reads the frames
//! itself: valid JSON goes on to the server, anything else is answered with a
//! JSON-RPC parse error, and the server keeps serving.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::Mutex;

/// Header lines longer than this are read in pieces (and are junk anyway).
const MAX_HEADER_LINE: usize = 8 * 1024;
/// Larger announced bodies are refused without allocating them: room for a
/// note at the default 10 MiB limit however its text is escaped, far below
/// memory.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// JSON values a message may hold. Parsed, each costs tens of bytes: a
/// 64 MiB array of zeros would take gigabytes. Real messages hold a few
/// thousand (a watched-files event for a whole vault, some hundred
/// thousand).
const MAX_VALUES: usize = 2_000_000;
/// A body that stops arriving for this long is cut off: its Content-Length
/// was wrong, and waiting longer would leave the editor without an answer.
const BODY_STALL: Duration = Duration::from_secs(3);

/// What one frame turned out to be.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A body that is valid JSON.
    Json(Vec<u8>),
    /// Anything else, with the reason, for the parse error sent back.
    Invalid(String),
}

/// Reads frames from the editor, resynchronising after a bad one: a wrong
/// Content-Length or garbage between messages costs the messages it
/// overlaps, never the stream.
pub struct FrameReader<R> {
    reader: R,
    /// Bytes read but not consumed: what followed a header found inside the
    /// body of a bad frame.
    pending: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> FrameReader<R> {
    pub fn new(reader: R) -> FrameReader<R> {
        FrameReader {
            reader,
            pending: Vec::new(),
        }
    }

    /// The next frame; `Ok(None)` at the end of the stream.
    pub async fn next_frame(&mut self) -> std::io::Result<Option<Frame>> {
        let mut length: Option<usize> = None;
        let mut oversized = None;
        loop {
            let line = self.read_line().await?;
            if line.is_empty() {
                return Ok(None);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                if let Some(size) = oversized {
                    return Ok(Some(Frame::Invalid(format!(
                        "Content-Length {size} is over the {MAX_BODY}-byte limit"
                    ))));
                }
                if length.is_some() {
                    break;
                }
                continue;
            }
            // The header may follow the tail of a message whose
            // Content-Length was too small: search, do not anchor.
            if let Some(value) = content_length(&line) {
                match value {
                    Some(size) if size > MAX_BODY => oversized = Some(size),
                    Some(size) => length = Some(size),
                    None => length = None,
                }
            }
        }
        let length = length.unwrap_or(0);
        let (body, complete) = self.read_body(length).await?;
        let values = value_count(&body);
        if values > MAX_VALUES {
            return Ok(Some(Frame::Invalid(format!(
                "the message holds {values} JSON values, over the limit of {MAX_VALUES}"
            ))));
        }
        if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
            return Ok(Some(Frame::Json(body)));
        }
        // Content-Length too large: the body ran into the next message.
        // Give the bytes from its header on back to the header reader, and
        // serve what came before if that is a whole message.
        if let Some(at) = header_start(&body) {
            let mut rest = body[at..].to_vec();
            rest.append(&mut self.pending);
            self.pending = rest;
            if serde_json::from_slice::<serde_json::Value>(&body[..at]).is_ok() {
                return Ok(Some(Frame::Json(body[..at].to_vec())));
            }
        }
        Ok(Some(Frame::Invalid(if complete {
            "the message is not valid JSON".to_string()
        } else {
            format!(
                "Content-Length announced {length} bytes but only {} arrived",
                body.len()
            )
        })))
    }

    /// One line, `\n` included, pending bytes first; empty at the end.
    async fn read_line(&mut self) -> std::io::Result<Vec<u8>> {
        if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            return Ok(self.pending.drain(..=end).collect());
        }
        let mut line = std::mem::take(&mut self.pending);
        if line.len() < MAX_HEADER_LINE {
            (&mut self.reader)
                .take((MAX_HEADER_LINE - line.len()) as u64)
                .read_until(b'\n', &mut line)
                .await?;
        }
        Ok(line)
    }

    /// Up to `length` bytes, pending ones first. Grows as bytes arrive (a
    /// huge Content-Length allocates nothing up front) and stops early at the
    /// end of the stream or when the editor stops sending; the flag says
    /// whether all `length` bytes came.
    async fn read_body(&mut self, length: usize) -> std::io::Result<(Vec<u8>, bool)> {
        let from_pending = length.min(self.pending.len());
        let mut body: Vec<u8> = self.pending.drain(..from_pending).collect();
        let mut chunk = vec![0; 64 * 1024];
        while body.len() < length {
            let want = chunk.len().min(length - body.len());
            match tokio::time::timeout(BODY_STALL, self.reader.read(&mut chunk[..want])).await {
                Ok(Ok(0)) | Err(_) => return Ok((body, false)),
                Ok(Ok(read)) => body.extend_from_slice(&chunk[..read]),
                Ok(Err(error)) => return Err(error),
            }
        }
        Ok((body, true))
    }
}

/// About how many JSON values `body` holds (each `[`, `{`, `,` and `:`
/// outside strings starts or separates one), counted without parsing.
fn value_count(body: &[u8]) -> usize {
    let mut count = 1;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'[' | b'{' | b',' | b':' => count += 1,
                _ => {}
            }
        }
    }
    count
}

/// The value of a `Content-Length` header anywhere in `line` (the last one
/// if several): `Some(None)` for a header with an unreadable value.
fn content_length(line: &[u8]) -> Option<Option<usize>> {
    let lower = line.to_ascii_lowercase();
    let at = lower
        .windows(b"content-length".len())
        .rposition(|w| w == b"content-length")?;
    let rest = std::str::from_utf8(&line[at + b"content-length".len()..]).ok()?;
    let value = rest.trim_start().strip_prefix(':')?;
    Some(value.trim().parse().ok())
}

/// Where a `Content-Length` header starts in `body`, or the tail of `body`
/// that could be the start of one cut off by the announced length.
fn header_start(body: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length";
    (0..body.len()).find(|&at| {
        let tail = &body[at..];
        let n = tail.len().min(NAME.len());
        tail[..n].eq_ignore_ascii_case(&NAME[..n])
    })
}

/// Reads one frame's body, for well-behaved streams (the server's own
/// output). `Ok(None)` at the end of the stream.
pub async fn read_frame<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    loop {
        let mut line = Vec::new();
        let read = (&mut *reader)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if read == 0 {
            return Ok(None);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some(value) = content_length(&line) {
            length = value;
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    reader.read_exact(&mut body).await?;
    Ok(Some(body))
}

/// The editor's end of the connection (stdout), shared by everything that
/// writes whole frames to it.
pub type Output = Arc<Mutex<tokio::io::Stdout>>;

/// Writes a notification to `output` as one frame, serialized straight
/// from `params`. tower-lsp's client turns params into a
/// `serde_json::Value` first: a B-tree map per object, some 4 KB per
/// diagnostic, so a note with thousands of them held 19 MB of it while it
/// was written. Returns whether it was written.
pub async fn notify<P: serde::Serialize>(output: &Output, method: &str, params: &P) -> bool {
    #[derive(serde::Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let notification = Notification {
        jsonrpc: "2.0",
        method,
        params,
    };
    let Ok(body) = serde_json::to_vec(&notification) else {
        return false;
    };
    let mut out = output.lock().await;
    out.write_all(header(body.len()).as_bytes()).await.is_ok()
        && out.write_all(&body).await.is_ok()
        && out.flush().await.is_ok()
}

/// The header of a frame whose body is `length` bytes.
fn header(length: usize) -> String {
    format!("Content-Length: {length}\r\n\r\n")
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = header(body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON-RPC parse error (id null: the request's id is unknowable).
fn parse_error(reason: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0",
        "error": { "code": -32700, "message": format!("Parse error: {reason}") },
        "id": null,
    }))
    .expect("a JSON value serialises")
}

/// Holds the editor's messages back while the server answers
/// `initialize`. tower-lsp-server drops what arrives before that answer
/// (a notification silently, a request with "server not initialized"),
/// and the protocol has clients wait for it; but a client that sends
/// `initialized` and `didOpen` right behind its request would otherwise
/// get no indexing and no diagnostics, ever.
#[derive(Clone, Default)]
pub struct InitializeGate(Arc<std::sync::Mutex<Option<Awaited>>>);

/// The id of an `initialize` request forwarded, and who waits for its
/// answer.
struct Awaited {
    id: serde_json::Value,
    answered: tokio::sync::oneshot::Sender<()>,
}

impl InitializeGate {
    /// Closes the gate until the answer to the `initialize` request `id`
    /// passes: asked before the request is sent, so that no answer comes
    /// before it is waited for. The answer, or the output's end, resolves
    /// what is returned.
    fn expect(&self, id: serde_json::Value) -> tokio::sync::oneshot::Receiver<()> {
        let (answered, answer) = tokio::sync::oneshot::channel();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Awaited { id, answered });
        answer
    }

    /// Looks at a message of the server's: the answer waited for opens
    /// the gate.
    fn passing(&self, body: &[u8]) {
        let mut awaited = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(waiting) = awaited.as_ref() else {
            return;
        };
        let head = serde_json::from_slice::<Head>(body).unwrap_or_default();
        if head.method.is_none() && head.id.as_ref() == Some(&waiting.id) {
            if let Some(waiting) = awaited.take() {
                let _ = waiting.answered.send(());
            }
        }
    }
}

/// The fields of a JSON-RPC message that say what it is.
#[derive(Default, serde::Deserialize)]
struct Head {
    method: Option<String>,
    id: Option<serde_json::Value>,
}

/// The id of an `initialize` request (a cheap byte test first: nearly
/// every message is something else).
fn initialize_id(body: &[u8]) -> Option<serde_json::Value> {
    if !body.windows(12).any(|w| w == b"\"initialize\"") {
        return None;
    }
    let head = serde_json::from_slice::<Head>(body).ok()?;
    head.id
        .filter(|_| head.method.as_deref() == Some("initialize"))
}

/// Copies frames from the editor to the server, answering invalid ones
/// itself, and holding the rest back while `initialize` is answered
/// (`gate`); closes the server's input when the editor's ends.
pub async fn forward_input<R, W, O>(
    editor: R,
    mut server: W,
    output: Arc<Mutex<O>>,
    gate: InitializeGate,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut frames = FrameReader::new(BufReader::new(editor));
    while let Ok(Some(next)) = frames.next_frame().await {
        match next {
            Frame::Json(body) => {
                if is_exit(&body) {
                    super::EXIT_RECEIVED.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                let answer = initialize_id(&body).map(|id| gate.expect(id));
                if server.write_all(&frame(&body)).await.is_err() {
                    break;
                }
                if let Some(answer) = answer {
                    // Answered, or the output ended: either way, go on.
                    let _ = answer.await;
                }
            }
            Frame::Invalid(reason) => {
                let mut out = output.lock().await;
                let _ = out.write_all(&frame(&parse_error(&reason))).await;
                let _ = out.flush().await;
            }
        }
    }
    let _ = server.shutdown().await;
}

/// Whether a message is the `exit` notification (a cheap byte test first:
/// nearly every message is something else).
fn is_exit(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Method {
        method: Option<String>,
    }
    body.windows(6).any(|w| w == b"\"exit\"")
        && serde_json::from_slice::<Method>(body).is_ok_and(|m| m.method.as_deref() == Some("exit"))
}

/// Copies whole frames from the server to the editor, so that an injected
/// error never lands inside another message; the answer to `initialize`
/// opens `gate`.
pub async fn forward_output<R, O>(server: R, output: Arc<Mutex<O>>, gate: InitializeGate)
where
    R: tokio::io::AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut server = BufReader::new(server);
    while let Ok(Some(body)) = read_frame(&mut server).await {
        let mut out = output.lock().await;
        if out.write_all(&frame(&body)).await.is_err() || out.flush().await.is_err() {
            break;
        }
        drop(out);
        // After it is written: the editor has the answer before anything
        // held back reaches the server.
        gate.passing(&body);
    }
    // No answer comes now: nothing is held back for it.
    gate.0.lock().unwrap_or_else(|e| e.into_inner()).take();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every frame the reader makes of `input`, the stream ending after it.
    fn frames(input: &[u8]) -> Vec<Frame> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut reader = FrameReader::new(BufReader::new(input));
            let mut all = Vec::new();
            while let Some(frame) = reader.next_frame().await.unwrap() {
                all.push(frame);
            }
            all
        })
    }

    fn json(text: &str) -> Frame {
        Frame::Json(text.as_bytes().to_vec())
    }

    const A: &str = r#"{"id":1}"#;
    const B: &str = r#"{"id":2}"#;

    #[test]
    fn well_formed_frames_in_any_header_case() {
        let input =
            format!("Content-Length: 8\r\n\r\n{A}content-length:8\r\nContent-Type: x\r\n\r\n{B}");
        assert_eq!(frames(input.as_bytes()), vec![json(A), json(B)]);
    }

    #[test]
    fn a_too_small_length_costs_only_that_message() {
        let input = format!("Content-Length: 5\r\n\r\n{A}Content-Length: 8\r\n\r\n{B}");
        let got = frames(input.as_bytes());
        assert!(
            matches!(&got[0], Frame::Invalid(r) if r.contains("not valid JSON")),
            "{got:?}"
        );
        assert_eq!(got[1..], [json(B)]);
    }

    #[test]
    fn a_too_large_length_still_serves_both_messages() {
        // The body runs into the next header, whole or cut inside its name.
        for length in [20, 30] {
            let input = format!("Content-Length: {length}\r\n\r\n{A}Content-Length: 8\r\n\r\n{B}");
            assert_eq!(frames(input.as_bytes()), vec![json(A), json(B)], "{length}");
        }
        let input = format!("Content-Length: 12\r\n\r\n{{\"id\"Content-Length: 8\r\n\r\n{B}");
        let got = frames(input.as_bytes());
        assert!(matches!(&got[0], Frame::Invalid(_)), "{got:?}");
        assert_eq!(got[1..], [json(B)]);
    }

    #[test]
    fn a_body_that_never_completes_is_served_if_whole_else_reported() {
        let input = format!("Content-Length: 100\r\n\r\n{A}");
        assert_eq!(frames(input.as_bytes()), vec![json(A)]);
        let input = "Content-Length: 100\r\n\r\n{\"id\":";
        let got = frames(input.as_bytes());
        assert!(
            matches!(&got[..], [Frame::Invalid(r)] if r.contains("only 6 arrived")),
            "{got:?}"
        );
    }

    #[test]
    fn a_huge_length_is_refused_without_allocating_it() {
        let input =
            format!("Content-Length: 99999999999999\r\n\r\n{A}\r\nContent-Length: 8\r\n\r\n{B}");
        let got = frames(input.as_bytes());
        assert!(
            matches!(&got[0], Frame::Invalid(r) if r.contains("over the")),
            "{got:?}"
        );
        assert_eq!(got[1..], [json(B)]);
    }

    /// Found by the second hardening round: a 100 MB array of zeros, under
    /// the old size limit, took gigabytes to parse.
    #[test]
    fn messages_of_too_many_values_are_refused_unparsed() {
        let zeros = format!("[{}0]", "0,".repeat(MAX_VALUES));
        let input = format!(
            "Content-Length: {}\r\n\r\n{zeros}Content-Length: 8\r\n\r\n{B}",
            zeros.len()
        );
        let got = frames(input.as_bytes());
        assert!(
            matches!(&got[0], Frame::Invalid(r) if r.contains("JSON values")),
            "{:?}",
            &got[0]
        );
        assert_eq!(got[1..], [json(B)]);
        assert_eq!(value_count(br#"{"a": "x,y:[", "b": [1, 2]}"#), 7);
    }

    #[test]
    fn garbage_between_frames_and_a_missing_length_are_skipped() {
        let input = format!("garbage\r\n\r\nX-Other: 1\r\n\r\nContent-Length: 8\r\n\r\n{A}");
        assert_eq!(frames(input.as_bytes()), vec![json(A)]);
    }
}
