//! What the server tells the client on its own: diagnostics (published, or
//! a request to pull them again), indexing progress and messages.
//!
//! State changes and indexing run on their own threads and only leave word
//! here; one task sends it. Refreshes are coalesced into a set bounded by the
//! open documents, so a client that stops reading while edits keep coming
//! costs no memory beyond that set.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use tower_lsp_server::ls_types::{self as lsp, MessageType, NumberOrString};
use tower_lsp_server::Client;

use super::transport::Output;
use super::world::{Refresh, World};

/// Edits that arrive within this window are checked once.
const DEBOUNCE: Duration = Duration::from_millis(2);

/// Indexing progress of one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Begin {
        root: PathBuf,
    },
    Report {
        root: PathBuf,
        done: usize,
        total: usize,
    },
    End {
        root: PathBuf,
        total: usize,
        /// Notes whose parse came from the index cache, and how many of
        /// them were not read, when it is used.
        reused: Option<(usize, usize)>,
    },
}

#[derive(Debug)]
enum Event {
    Progress(Progress),
    Message(MessageType, String),
}

#[derive(Default)]
struct Pending {
    all: bool,
    documents: HashSet<PathBuf>,
    /// Documents closed since the last publication: they are sent an empty
    /// list, by the same task that sends the others, so that no
    /// publication computed before the close arrives after it.
    closed: HashSet<PathBuf>,
}

pub struct Outbox {
    pending: Mutex<Pending>,
    wake: Notify,
    events: mpsc::UnboundedSender<Event>,
    received: Mutex<Option<mpsc::UnboundedReceiver<Event>>>,
}

impl Default for Outbox {
    fn default() -> Outbox {
        let (events, received) = mpsc::unbounded_channel();
        Outbox {
            pending: Mutex::new(Pending::default()),
            wake: Notify::new(),
            events,
            received: Mutex::new(Some(received)),
        }
    }
}

impl Outbox {
    /// Asks for the diagnostics of `refresh`'s documents to be sent again.
    pub fn refresh(&self, refresh: Refresh) {
        {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            match refresh {
                Refresh::None => return,
                Refresh::All => pending.all = true,
                Refresh::Documents(paths) => pending.documents.extend(paths),
            }
        }
        self.wake.notify_one();
    }

    /// `path` was closed: its diagnostics are cleared in the editor.
    pub fn closed(&self, path: PathBuf) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed
            .insert(path);
        self.wake.notify_one();
    }

    pub fn progress(&self, progress: Progress) {
        let _ = self.events.send(Event::Progress(progress));
    }

    pub fn message(&self, level: MessageType, text: String) {
        let _ = self.events.send(Event::Message(level, text));
    }

    /// What is pending, emptied.
    fn take(&self) -> Pending {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *pending)
    }

    /// Sends what is left here to `client` until the server stops: one task
    /// for diagnostics, one for progress and messages, so that neither
    /// waits for the other.
    /// Diagnostics are written to `output` directly, past tower-lsp
    /// ([`super::transport::notify`]).
    pub fn serve(
        self: Arc<Outbox>,
        client: Client,
        output: Output,
        world: Arc<RwLock<World>>,
        progress: bool,
    ) {
        let events = self
            .received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(events) = events {
            tokio::spawn(send_events(client.clone(), events, progress));
        }
        tokio::spawn(async move {
            loop {
                self.wake.notified().await;
                tokio::time::sleep(DEBOUNCE).await;
                publish(&client, &output, &world, self.take()).await;
            }
        });
    }
}

/// Publishes the diagnostics of open documents (`all`, or `documents`), or
/// asks a pulling client to pull again; clears those of closed documents.
async fn publish(client: &Client, output: &Output, world: &RwLock<World>, pending: Pending) {
    let Pending {
        all,
        documents,
        closed,
    } = pending;
    let (pull, (tokens, hints), cleared) = {
        let world = world.read().unwrap_or_else(|e| e.into_inner());
        let cleared: Vec<lsp::Uri> = closed
            .iter()
            .filter(|path| !world.open.contains_key(*path))
            .filter_map(|path| super::convert::uri(path))
            .collect();
        let views = (world.refresh_tokens, world.refresh_hints);
        (world.pull_diagnostics, views, cleared)
    };
    // Tokens and hints follow the bibliographies and the glossary too.
    if all && tokens {
        let _ = client.semantic_tokens_refresh().await;
    }
    if all && hints {
        let _ = client.inlay_hint_refresh().await;
    }
    for uri in cleared {
        send_diagnostics(output, uri, Vec::new(), None).await;
    }
    if pull {
        // A pulling client asks again after its own edits; others' changes
        // (a glossary entry, a bibliography, indexing done) need a refresh.
        if all {
            let _ = client.workspace_diagnostic_refresh().await;
        }
        return;
    }
    let paths: Vec<PathBuf> = {
        let world = world.read().unwrap_or_else(|e| e.into_inner());
        world
            .open
            .keys()
            .filter(|path| all || documents.contains(*path))
            .cloned()
            .collect()
    };
    // One document at a time: a note's diagnostics, and the JSON they are
    // sent as, are held only while they are sent (two large notes with
    // thousands each held 20 MB at once).
    for path in paths {
        let batch = {
            let world = world.read().unwrap_or_else(|e| e.into_inner());
            world.open.get(&path).copied().and_then(|version| {
                let diagnostics =
                    catch_unwind(AssertUnwindSafe(|| world.diagnostics(&path))).ok()??;
                Some((super::convert::uri(&path)?, diagnostics, version))
            })
        };
        if let Some((uri, diagnostics, version)) = batch {
            send_diagnostics(output, uri, diagnostics, Some(version)).await;
        }
    }
}

/// Publishes a document's diagnostics: the one notification the server
/// writes itself, as it is the one that can be large.
async fn send_diagnostics(
    output: &Output,
    uri: lsp::Uri,
    diagnostics: Vec<lsp::Diagnostic>,
    version: Option<i32>,
) {
    // After `exit` the editor reads nothing more.
    if super::EXIT_RECEIVED.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let params = lsp::PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    let method = <lsp::notification::PublishDiagnostics as lsp::notification::Notification>::METHOD;
    super::transport::notify(output, method, &params).await;
}

async fn send_events(client: Client, mut events: mpsc::UnboundedReceiver<Event>, progress: bool) {
    let mut running = std::collections::HashMap::new();
    while let Some(event) = events.recv().await {
        match event {
            Event::Message(level, text) => client.show_message(level, text).await,
            Event::Progress(_) if !progress => {}
            Event::Progress(Progress::Begin { root }) => {
                let token = NumberOrString::String(format!("gloss/index/{}", root.display()));
                if client
                    .create_work_done_progress(token.clone())
                    .await
                    .is_ok()
                {
                    let bar = client
                        .progress(token, "Indexing notes")
                        .with_percentage(0)
                        .begin()
                        .await;
                    running.insert(root, bar);
                }
            }
            Event::Progress(Progress::Report { root, done, total }) => {
                if let Some(bar) = running.get(&root) {
                    let percentage = (done * 100 / total.max(1)) as u32;
                    bar.report_with_message(format!("Indexing notes {done}/{total}"), percentage)
                        .await;
                }
            }
            Event::Progress(Progress::End {
                root,
                total,
                reused,
            }) => {
                if let Some(bar) = running.remove(&root) {
                    let message = match reused {
                        Some((reused, 0)) => {
                            format!("Indexed {total} notes ({reused} from the cache)")
                        }
                        Some((reused, unread)) => format!(
                            "Indexed {total} notes ({reused} from the cache, {unread} not read again)"
                        ),
                        None => format!("Indexed {total} notes"),
                    };
                    bar.finish_with_message(message).await;
                }
            }
        }
    }
}

#[cfg(test)]
impl Outbox {
    /// For tests: what is pending, emptied.
    pub fn pending(&self) -> (bool, HashSet<PathBuf>) {
        let pending = self.take();
        (pending.all, pending.documents)
    }
}
