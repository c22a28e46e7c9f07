//! The language server: one glue method per LSP method.
//!
//! Notifications that change state are numbered and handed, in arrival
//! order, to the session thread ([`Session`]), which applies them one at a
//! time. Requests wait only until the notifications about their own
//! document have been applied (so a hover sees the edit typed just before
//! it, but not the parse of another, huge note), then read the world under a
//! read lock. Everything else lives in [`super::requests`] and
//! [`crate::ide`].

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::watch;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{self, ClientSupport};
use super::convert;
use super::document::Change;
use super::lifecycle;
use super::outbox::Outbox;
use super::requests;
use super::session::{Session, Spawn};
use super::settings::Settings;
use super::transport::Output;
use super::world::World;
use crate::ide;
use crate::line_index::ColumnUnit;

/// Changes waiting for the session, at most.
const SESSION_QUEUE: usize = 1024;

/// A notification that changes state.
enum Mutation {
    Folders {
        added: Vec<PathBuf>,
        removed: Vec<PathBuf>,
    },
    Open {
        path: PathBuf,
        text: String,
        version: i32,
    },
    Change {
        path: PathBuf,
        changes: Vec<Change>,
        version: i32,
    },
    Close {
        path: PathBuf,
    },
    Files(Vec<PathBuf>),
    Settings(Settings),
    /// Vaults an index run found inside its workspace's root.
    Nested(Vec<PathBuf>),
}

/// Where mutations go, numbered: shared by the handlers and the index
/// threads (which send the vaults they find inside a folder).
struct Queue {
    sender: Mutex<mpsc::SyncSender<(u64, Mutation)>>,
    /// The number of the last mutation sent.
    last: AtomicU64,
    /// Notes found changed on disk when their texts were read again, for
    /// the session to reload before its next mutation.
    changed_on_disk: ChangedOnDisk,
}

type ChangedOnDisk = Arc<Mutex<Vec<PathBuf>>>;

impl Queue {
    fn send(&self, mutation: Mutation) -> u64 {
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        let number = self.last.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = sender.send((number, mutation));
        number
    }

    /// Has the note at `path` reloaded, as if the file watcher had
    /// reported it. Never waits: the caller may hold the world's lock,
    /// which applying the mutations ahead takes. So the path is put aside
    /// for the session, which is woken by an empty change unless the queue
    /// is busy (then a mutation is on its way anyway).
    fn changed_on_disk(&self, path: &Path) {
        let mut changed = self
            .changed_on_disk
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        changed.push(path.to_path_buf());
        if changed.len() > 1 {
            return;
        }
        drop(changed);
        let Ok(sender) = self.sender.try_lock() else {
            return;
        };
        let number = self.last.load(Ordering::SeqCst) + 1;
        if sender
            .try_send((number, Mutation::Files(Vec::new())))
            .is_ok()
        {
            self.last.store(number, Ordering::SeqCst);
        }
    }
}

pub struct Backend {
    client: Client,
    output: Output,
    world: Arc<RwLock<World>>,
    outbox: Arc<Outbox>,
    queue: Arc<Queue>,
    sent: Mutex<HashMap<PathBuf, u64>>,
    /// The number of the last mutation applied.
    applied: watch::Receiver<u64>,
    support: Mutex<Option<ClientSupport>>,
}

/// How long the session waits for more changes before rebuilding a
/// workspace whose `gloss.toml` changed.
const REBUILD_DEBOUNCE: Duration = Duration::from_millis(50);

/// Applies mutations in order until the server stops. A panic in one is
/// logged; the session goes on with the next.
fn run_session(
    mut session: Session,
    mutations: mpsc::Receiver<(u64, Mutation)>,
    changed_on_disk: ChangedOnDisk,
    applied: watch::Sender<u64>,
) {
    loop {
        let next = if session.has_stale() {
            mutations.recv_timeout(REBUILD_DEBOUNCE)
        } else {
            mutations
                .recv()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected)
        };
        let (number, mutation) = match next {
            Ok(next) => next,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let done = catch_unwind(AssertUnwindSafe(|| session.rebuild_stale()));
                if done.is_err() {
                    eprintln!("gloss: internal error while rebuilding a workspace");
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let changed =
            std::mem::take(&mut *changed_on_disk.lock().unwrap_or_else(|e| e.into_inner()));
        if !changed.is_empty() {
            let done = catch_unwind(AssertUnwindSafe(|| session.files_changed(changed)));
            if done.is_err() {
                eprintln!("gloss: internal error while reloading changed notes");
            }
        }
        let done = catch_unwind(AssertUnwindSafe(|| match mutation {
            Mutation::Folders { added, removed } => {
                session.remove_folders(removed);
                session.add_folders(added);
            }
            Mutation::Open {
                path,
                text,
                version,
            } => session.open(path, text, version),
            Mutation::Change {
                path,
                changes,
                version,
            } => session.change(&path, changes, version),
            Mutation::Close { path } => session.close(&path),
            Mutation::Files(paths) => session.files_changed(paths),
            Mutation::Settings(settings) => session.set_settings(settings),
            Mutation::Nested(roots) => session.add_nested(roots),
        }));
        if done.is_err() {
            eprintln!("gloss: internal error while applying a change");
        }
        applied.send_replace(number);
    }
}

impl Backend {
    /// `output` is where diagnostics are written directly
    /// ([`super::transport::notify`]).
    pub fn new(client: Client, options: super::Options, output: Output) -> Backend {
        let mut world = World::new(ColumnUnit::Utf16);
        world.cache = options.cache;
        let world = Arc::new(RwLock::new(world));
        let outbox = Arc::new(Outbox::default());
        // Bounded: a client that sends faster than changes are applied is
        // slowed down (its writes wait) rather than queued without end.
        let (sender, receiver) = mpsc::sync_channel(SESSION_QUEUE);
        let changed_on_disk = ChangedOnDisk::default();
        let queue = Arc::new(Queue {
            sender: Mutex::new(sender),
            last: AtomicU64::new(0),
            changed_on_disk: changed_on_disk.clone(),
        });
        // A note not open whose file is found changed when its text is
        // read again is reloaded, as if the file watcher had said so (not
        // every client watches files). Weak: the queue ends with the
        // server.
        let stale = Arc::downgrade(&queue);
        crate::workspace::when_text_changed(move |path| {
            if let Some(queue) = stale.upgrade() {
                queue.changed_on_disk(path);
            }
        });
        let spawn: Spawn = {
            let (world, outbox, queue) = (world.clone(), outbox.clone(), queue.clone());
            Box::new(move |job| {
                let (world, outbox, queue) = (world.clone(), outbox.clone(), queue.clone());
                let started = std::thread::Builder::new()
                    .name("gloss-index".to_string())
                    .spawn(move || {
                        let (nested, cache) = lifecycle::index(&world, &job, &outbox);
                        if !nested.is_empty() {
                            queue.send(Mutation::Nested(nested));
                        }
                        // Last: the next start is the one it is for.
                        if let Some(cache) = cache {
                            lifecycle::save_cache(&world, &job, cache);
                        }
                    });
                if let Err(error) = started {
                    eprintln!("gloss: cannot start indexing: {error}");
                }
            })
        };
        let session = Session::new(world.clone(), outbox.clone(), spawn);
        let (applied_sender, applied) = watch::channel(0);
        let started = std::thread::Builder::new()
            .name("gloss-session".to_string())
            .spawn(move || run_session(session, receiver, changed_on_disk, applied_sender));
        if let Err(error) = started {
            eprintln!("gloss: cannot start the session: {error}");
        }
        Backend {
            client,
            output,
            world,
            outbox,
            queue,
            sent: Mutex::new(HashMap::new()),
            applied,
            support: Mutex::new(None),
        }
    }

    /// Hands a mutation to the session, numbered in arrival order.
    fn mutate(&self, document: Option<&Path>, mutation: Mutation) {
        // The document's number is recorded before the mutation is sent, so
        // that a request never waits for less than it must.
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let number = self.queue.send(mutation);
        if let Some(path) = document {
            sent.insert(path.to_path_buf(), number);
        }
    }

    /// Waits until every mutation sent so far about `document` (every one,
    /// for `None`) has been applied.
    async fn synced(&self, document: Option<&Path>) {
        let target = match document {
            Some(path) => self
                .sent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(path)
                .copied()
                .unwrap_or(0),
            None => self.queue.last.load(Ordering::SeqCst),
        };
        let mut applied = self.applied.clone();
        let _ = applied.wait_for(|&n| n >= target).await;
    }

    /// Runs a read-only request once `document` is in sync; a panic becomes
    /// an `InternalError` reply.
    async fn request<T>(
        &self,
        name: &str,
        document: Option<&Uri>,
        f: impl FnOnce(&World) -> T,
    ) -> Result<T> {
        let path = document.and_then(convert::path);
        self.synced(path.as_deref()).await;
        let world = self.world.read().unwrap_or_else(|e| e.into_inner());
        catch_unwind(AssertUnwindSafe(|| f(&world))).map_err(|_| {
            eprintln!("gloss: internal error in {name}");
            jsonrpc::Error::internal_error()
        })
    }
}

/// The folders of `initialize`: the workspace folders, else the root.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| convert::path(&f.uri))
        .collect();
    #[allow(deprecated)] // Older clients send only `rootUri`.
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(convert::path));
    }
    roots
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let support = ClientSupport::from_params(&params);
        {
            let mut world = self.world.write().unwrap_or_else(|e| e.into_inner());
            world.unit = support.unit;
            world.pull_diagnostics = support.pull_diagnostics;
            world.refresh_tokens = support.refresh_tokens;
            world.refresh_hints = support.refresh_hints;
            // Before any workspace exists, so every one starts with them.
            world.settings = Settings::from_json(params.initialization_options.clone());
        }
        *self.support.lock().unwrap_or_else(|e| e.into_inner()) = Some(support);
        // The folders' workspaces exist before the client can open a note;
        // what indexing has to say waits in the outbox until `initialized`.
        self.mutate(
            None,
            Mutation::Folders {
                added: workspace_roots(&params),
                removed: Vec::new(),
            },
        );
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(&support),
            server_info: Some(ServerInfo {
                name: "gloss".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let Some(support) = *self.support.lock().unwrap_or_else(|e| e.into_inner()) else {
            return;
        };
        // The client takes no requests or notifications from the server
        // before this.
        self.outbox.clone().serve(
            self.client.clone(),
            self.output.clone(),
            self.world.clone(),
            support.progress,
        );
        if support.watch_files {
            let _ = self
                .client
                .register_capability(vec![capabilities::file_watchers()])
                .await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        super::SHUTDOWN_REQUESTED.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        self.mutate(
            Some(&path),
            Mutation::Open {
                path: path.clone(),
                text: params.text_document.text,
                version: params.text_document.version,
            },
        );
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        let changes = params
            .content_changes
            .into_iter()
            .map(|c| Change {
                range: c.range.map(|r| {
                    (
                        (r.start.line, r.start.character),
                        (r.end.line, r.end.character),
                    )
                }),
                text: c.text,
            })
            .collect();
        self.mutate(
            Some(&path),
            Mutation::Change {
                path: path.clone(),
                changes,
                version: params.text_document.version,
            },
        );
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        // A closed document shows no diagnostics: the session has them
        // cleared once the close is applied.
        self.mutate(Some(&path), Mutation::Close { path: path.clone() });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths = params
            .changes
            .iter()
            .filter_map(|c| convert::path(&c.uri))
            .collect();
        self.mutate(None, Mutation::Files(paths));
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let paths = |folders: &[WorkspaceFolder]| -> Vec<PathBuf> {
            folders
                .iter()
                .filter_map(|f| convert::path(&f.uri))
                .collect()
        };
        self.mutate(
            None,
            Mutation::Folders {
                added: paths(&params.event.added),
                removed: paths(&params.event.removed),
            },
        );
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = Settings::from_json(Some(params.settings));
        self.mutate(None, Mutation::Settings(settings));
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.request("hover", Some(&uri), |w| requests::hover(w, &params))
            .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.request("definition", Some(&uri), |w| {
            requests::definition(w, &params)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.request("references", Some(&uri), |w| {
            requests::references(w, &params)
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri.clone();
        self.request("documentLink", Some(&uri), |w| {
            requests::document_links(w, &params)
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.request("inlayHint", Some(&uri), |w| {
            requests::inlay_hints(w, &params)
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri.clone();
        self.request("semanticTokens/full", Some(&uri), |w| {
            requests::semantic_tokens(w, &params)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.request("completion", Some(&uri), |w| {
            requests::completion(w, &params)
        })
        .await
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let Some(resolve) = item
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<ide::Resolve>(d).ok())
        else {
            return Ok(item);
        };
        item.documentation = self
            .request("completionItem/resolve", None, |w| {
                requests::completion_documentation(w, &resolve)
            })
            .await?;
        Ok(item)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.request("documentSymbol", Some(&uri), |w| {
            requests::document_symbols(w, &params)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.request("codeAction", Some(&uri), |w| {
            requests::code_actions(w, &params)
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.request("workspace/symbol", None, |w| {
            requests::workspace_symbols(w, &params)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri.clone();
        self.request("prepareRename", Some(&uri), |w| {
            requests::prepare_rename(w, &params)
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.request("rename", Some(&uri), |w| requests::rename(w, &params))
            .await?
            .map_err(jsonrpc::Error::invalid_params)
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        self.request("willRenameFiles", None, |w| {
            requests::will_rename_files(w, &params)
        })
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri.clone();
        self.request("textDocument/diagnostic", Some(&uri), |w| {
            requests::diagnostics(w, &params)
        })
        .await?
    }
}
