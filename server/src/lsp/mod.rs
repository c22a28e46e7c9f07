//! `gloss lsp`: the language server over stdio. This module and
//! [`crate::cli`] are the only ones that know about a protocol.

mod capabilities;
mod convert;
pub mod document;
#[cfg(test)]
mod incremental_tests;
mod lifecycle;
mod outbox;
mod requests;
mod server;
mod session;
mod settings;
mod transport;
mod world;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Mutex;
use tower_lsp_server::{LspService, Server};

/// Set by the `shutdown` request.
static SHUTDOWN_REQUESTED: AtomicBool = AtomicBool::new(false);
/// Set when an `exit` notification passes the transport.
static EXIT_RECEIVED: AtomicBool = AtomicBool::new(false);

/// How `gloss lsp` was started.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Parse through the persistent index cache (unless a setting turns
    /// it off); `--no-cache` clears it.
    pub cache: bool,
}

/// Serves LSP on stdin/stdout until `exit` or the end of stdin; returns the
/// process exit status (1 only for `exit` without `shutdown`).
pub fn run(options: Options) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the server: {error}");
            return 1;
        }
    };
    runtime.block_on(async {
        let stdout: transport::Output = Arc::new(Mutex::new(tokio::io::stdout()));
        let direct = stdout.clone();
        let (service, socket) =
            LspService::new(move |client| server::Backend::new(client, options, direct.clone()));
        // The server talks to in-memory pipes; `transport` frames the real
        // stdin and stdout around them.
        let (to_server, server_stdin) = tokio::io::duplex(1 << 16);
        let (server_stdout, from_server) = tokio::io::duplex(1 << 16);
        let gate = transport::InitializeGate::default();
        let input = tokio::spawn(transport::forward_input(
            tokio::io::stdin(),
            to_server,
            stdout.clone(),
            gate.clone(),
        ));
        let output = tokio::spawn(transport::forward_output(from_server, stdout, gate));
        Server::new(server_stdin, server_stdout, socket)
            .serve(service)
            .await;
        // The server has stopped (`exit`, or the end of input): flush what
        // it wrote, and stop reading stdin.
        let _ = output.await;
        input.abort();
    });
    // Reading stdin blocks a runtime thread that only returns when the
    // editor closes it; after `exit` do not wait for that.
    runtime.shutdown_background();
    // An index cache being written after indexing is worth the next
    // start's time; editors give a server a moment to exit.
    crate::workspace::cache::wait_for_writes(std::time::Duration::from_secs(2));
    // LSP: `exit` after `shutdown` is success, `exit` without it is 1. The
    // editor closing stdin is not the server's failure.
    let exited_early =
        EXIT_RECEIVED.load(Ordering::SeqCst) && !SHUTDOWN_REQUESTED.load(Ordering::SeqCst);
    i32::from(exited_early)
}
