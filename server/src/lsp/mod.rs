//! `gloss lsp`: the language server over stdio. This module and
//! [`crate::cli`] are the only ones that know about a protocol.

mod convert;
mod document;
mod server;
mod settings;
mod transport;
mod world;

use std::sync::Arc;

use tokio::sync::Mutex;
use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until `exit` or the end of stdin; returns the
/// process exit status.
pub fn run() -> i32 {
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
        let (service, socket) = LspService::new(server::Backend::new);
        // The server talks to in-memory pipes; `transport` frames the real
        // stdin and stdout around them.
        let (to_server, server_stdin) = tokio::io::duplex(1 << 16);
        let (server_stdout, from_server) = tokio::io::duplex(1 << 16);
        let stdout = Arc::new(Mutex::new(tokio::io::stdout()));
        let input = tokio::spawn(transport::forward_input(
            tokio::io::stdin(),
            to_server,
            stdout.clone(),
        ));
        let output = tokio::spawn(transport::forward_output(from_server, stdout));
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
    0
}
