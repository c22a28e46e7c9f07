//! Framing between the editor and the server.
//!
//! tower-lsp-server's reader stops for good after a message that is not JSON
//! (tokio-util ends a framed stream at its first decode error), which would
//! leave the editor talking to a dead server. So gloss reads the frames
//! itself: valid JSON goes on to the server, anything else is answered with a
//! JSON-RPC parse error, and the server keeps serving.

use std::sync::Arc;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::Mutex;

/// Headers larger than this are not LSP; give up on the stream.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// Reads one frame's body. `Ok(None)` at the end of the stream.
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
        let line = String::from_utf8_lossy(&line);
        let line = line.trim();
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    reader.read_exact(&mut body).await?;
    Ok(Some(body))
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

const PARSE_ERROR: &[u8] =
    br#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: the message is not valid JSON"},"id":null}"#;

/// Copies frames from the editor to the server, answering invalid ones
/// itself; closes the server's input when the editor's ends.
pub async fn forward_input<R, W, O>(editor: R, mut server: W, output: Arc<Mutex<O>>)
where
    R: tokio::io::AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut editor = BufReader::new(editor);
    while let Ok(Some(body)) = read_frame(&mut editor).await {
        if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
            if server.write_all(&frame(&body)).await.is_err() {
                break;
            }
        } else {
            let mut out = output.lock().await;
            let _ = out.write_all(&frame(PARSE_ERROR)).await;
            let _ = out.flush().await;
        }
    }
    let _ = server.shutdown().await;
}

/// Copies whole frames from the server to the editor, so that an injected
/// error never lands inside another message.
pub async fn forward_output<R, O>(server: R, output: Arc<Mutex<O>>)
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
    }
}
