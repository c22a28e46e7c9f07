//! The language server: one glue function per LSP method. Notifications
//! change the [`World`] synchronously, in arrival order, without awaiting;
//! requests read it. Everything else lives in [`crate::ide`].

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use rayon::prelude::*;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::{self as lsp, *};
use tower_lsp_server::{Client, LanguageServer};

use super::convert;
use super::document::Change;
use super::settings::Settings;
use super::world::{Refresh, World};
use crate::ide;
use crate::line_index::ColumnUnit;
use crate::workspace::{load_bibliography, load_note, walk_files, Note, NoteId};

/// Edits that arrive within this window are checked once.
const DEBOUNCE: Duration = Duration::from_millis(2);
/// Notes parsed per batch while indexing; each batch becomes visible to
/// requests as soon as it is parsed.
const INDEX_BATCH: usize = 1000;

pub struct Backend {
    client: Client,
    world: Arc<RwLock<World>>,
    refresh: mpsc::UnboundedSender<Refresh>,
    /// Folders to index once the client is initialized.
    pending_roots: std::sync::Mutex<Vec<PathBuf>>,
    /// Whether the client registers file watchers dynamically.
    watch_files: std::sync::atomic::AtomicBool,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let world = Arc::new(RwLock::new(World::new(ColumnUnit::Utf16)));
        let (refresh, receiver) = mpsc::unbounded_channel();
        tokio::spawn(publish_diagnostics(client.clone(), world.clone(), receiver));
        Backend {
            client,
            world,
            refresh,
            pending_roots: std::sync::Mutex::new(Vec::new()),
            watch_files: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A poisoned lock only means a handler panicked while holding it; the
    /// world is still consistent enough to serve, so carry on.
    fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a read-only request; a panic becomes an `InternalError` reply.
    fn request<T>(&self, name: &str, f: impl FnOnce(&World) -> Option<T>) -> Result<Option<T>> {
        let world = self.read();
        catch_unwind(AssertUnwindSafe(|| f(&world))).map_err(|_| {
            eprintln!("gloss: internal error in {name}");
            jsonrpc::Error::internal_error()
        })
    }

    /// Runs a notification's state change; a panic is logged and the server
    /// goes on.
    fn notify(&self, name: &str, f: impl FnOnce(&mut World) -> Refresh) {
        let refresh = {
            let mut world = self.write();
            catch_unwind(AssertUnwindSafe(|| f(&mut world))).unwrap_or_else(|_| {
                eprintln!("gloss: internal error in {name}");
                Refresh::None
            })
        };
        if refresh != Refresh::None {
            let _ = self.refresh.send(refresh);
        }
    }

    /// Indexes a folder in the background with progress reports.
    fn spawn_index(&self, root: PathBuf) {
        self.write().indexing.insert(root.clone());
        let client = self.client.clone();
        let world = self.world.clone();
        let refresh = self.refresh.clone();
        tokio::spawn(async move {
            index(client.clone(), world.clone(), root.clone()).await;
            let pull = {
                let mut w = world.write().unwrap_or_else(|e| e.into_inner());
                // Already done at the end of a complete index; here for an
                // index that stopped early.
                w.indexing.remove(&root);
                w.pull_diagnostics
            };
            if pull {
                let _ = client.workspace_diagnostic_refresh().await;
            } else {
                let _ = refresh.send(Refresh::All);
            }
        });
    }
}

/// The note under a text document position: workspace index, note and
/// byte offset.
fn locate(world: &World, uri: &Uri, position: Position) -> Option<(usize, NoteId, usize)> {
    let path = convert::path(uri)?;
    let ws = world.workspace_of(&path)?;
    let workspace = &world.workspaces[ws];
    let note = workspace.note_by_path(&path)?;
    let offset = convert::offset(&workspace.note(note).file, position, world.unit);
    Some((ws, note, offset))
}

async fn index(client: Client, world: Arc<RwLock<World>>, root: PathBuf) {
    let (config, error) = {
        let mut w = world.write().unwrap_or_else(|e| e.into_inner());
        let (ws, error) = w.add_workspace(root.clone());
        (w.workspaces[ws].config.clone(), error)
    };
    if let Some(error) = error {
        client
            .show_message(MessageType::ERROR, format!("gloss.toml: {error}"))
            .await;
    }
    let walk_root = root.clone();
    let walk_config = config.clone();
    let Ok(found) = tokio::task::spawn_blocking(move || walk_files(&walk_root, &walk_config)).await
    else {
        return;
    };
    let token = NumberOrString::String(format!("gloss/index/{}", root.display()));
    let progress = match client.create_work_done_progress(token.clone()).await {
        Ok(()) => Some(
            client
                .progress(token, "Indexing notes")
                .with_percentage(0)
                .begin()
                .await,
        ),
        Err(_) => None,
    };
    let total = found.notes.len();
    let mut done = 0;
    // Parse batch k + 1 while batch k goes into the workspace.
    let parse = |batch: Vec<PathBuf>| {
        let (r, c) = (root.clone(), config.clone());
        tokio::task::spawn_blocking(move || {
            batch
                .par_iter()
                .map(|p| load_note(&r, p, &c))
                .collect::<Vec<Note>>()
        })
    };
    let mut batches = found.notes.chunks(INDEX_BATCH).map(<[PathBuf]>::to_vec);
    let mut pending = batches.next().map(parse);
    while let Some(parsing) = pending.take() {
        let Ok(notes) = parsing.await else {
            return;
        };
        pending = batches.next().map(parse);
        done += notes.len();
        {
            let mut w = world.write().unwrap_or_else(|e| e.into_inner());
            let Some(ws) = w.workspaces.iter().position(|x| x.root == root) else {
                return;
            };
            for note in notes {
                // An open document's text wins over the file on disk.
                if !w.documents.contains_key(&note.file.path) {
                    w.workspaces[ws].set_note(note);
                }
            }
        }
        if let Some(progress) = &progress {
            let percentage = (done * 100 / total.max(1)) as u32;
            progress
                .report_with_message(format!("Indexing notes {done}/{total}"), percentage)
                .await;
        }
    }
    let (wanted, config) = {
        let mut w = world.write().unwrap_or_else(|e| e.into_inner());
        let Some(ws) = w.workspaces.iter().position(|x| x.root == root) else {
            return;
        };
        let workspace = &mut w.workspaces[ws];
        (
            workspace.bibliographies_to_load(found.bibliographies),
            workspace.config.clone(),
        )
    };
    let r = root.clone();
    if let Ok(bibliographies) = tokio::task::spawn_blocking(move || {
        wanted
            .par_iter()
            .map(|wanted| load_bibliography(&r, wanted, &config))
            .collect::<Vec<_>>()
    })
    .await
    {
        let mut w = world.write().unwrap_or_else(|e| e.into_inner());
        if let Some(ws) = w.workspaces.iter().position(|x| x.root == root) {
            w.workspaces[ws].set_bibliographies(bibliographies);
        }
    }
    if let Some(progress) = progress {
        progress
            .finish_with_message(format!("Indexed {total} notes"))
            .await;
    }
}

/// Publishes diagnostics of open documents as refreshes come in, coalescing
/// bursts.
async fn publish_diagnostics(
    client: Client,
    world: Arc<RwLock<World>>,
    mut receiver: mpsc::UnboundedReceiver<Refresh>,
) {
    while let Some(first) = receiver.recv().await {
        tokio::time::sleep(DEBOUNCE).await;
        let mut all = false;
        let mut paths = HashSet::new();
        let mut take = |refresh: Refresh| match refresh {
            Refresh::All => all = true,
            Refresh::Documents(p) => paths.extend(p),
            Refresh::None => {}
        };
        take(first);
        while let Ok(more) = receiver.try_recv() {
            take(more);
        }
        let pull = world
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .pull_diagnostics;
        if pull {
            // The client asks for diagnostics itself; tell it to ask again.
            let _ = client.workspace_diagnostic_refresh().await;
            continue;
        }
        let batches: Vec<(Uri, Vec<lsp::Diagnostic>, i32)> = {
            let world = world.read().unwrap_or_else(|e| e.into_inner());
            let open: Vec<&PathBuf> = world
                .documents
                .keys()
                .filter(|p| all || paths.contains(*p))
                .collect();
            open.into_iter()
                .filter_map(|path| {
                    let diagnostics =
                        catch_unwind(AssertUnwindSafe(|| world.diagnostics(path))).ok()??;
                    Some((
                        convert::uri(path)?,
                        diagnostics,
                        world.documents[path].version,
                    ))
                })
                .collect()
        };
        for (uri, diagnostics, version) in batches {
            client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
    }
}

fn position_encoding(params: &InitializeParams) -> (ColumnUnit, PositionEncodingKind) {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|e| e.contains(&PositionEncodingKind::UTF8)) {
        (ColumnUnit::Utf8, PositionEncodingKind::UTF8)
    } else {
        (ColumnUnit::Utf16, PositionEncodingKind::UTF16)
    }
}

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
        .into_iter()
        .map(|r| r.canonicalize().unwrap_or(r))
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let (unit, encoding) = position_encoding(&params);
        let pull = params
            .capabilities
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some());
        {
            let mut world = self.write();
            world.unit = unit;
            world.pull_diagnostics = pull;
            world.settings = Settings::from_json(params.initialization_options.clone());
        }
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        self.watch_files
            .store(watch, std::sync::atomic::Ordering::Relaxed);
        *self.pending_roots.lock().unwrap_or_else(|e| e.into_inner()) = workspace_roots(&params);
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["[".to_string(), "@".to_string()]),
                    resolve_provider: Some(true),
                    ..CompletionOptions::default()
                }),
                document_symbol_provider: Some(OneOf::Left(true)),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("gloss".to_string()),
                        // A note's diagnostics depend on other notes and the
                        // bibliographies.
                        inter_file_dependencies: true,
                        workspace_diagnostics: false,
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                    })
                }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                        will_rename: Some(FileOperationRegistrationOptions {
                            filters: vec![FileOperationFilter {
                                scheme: Some("file".to_string()),
                                pattern: FileOperationPattern {
                                    glob: "**/*.{md,markdown}".to_string(),
                                    matches: Some(FileOperationPatternKind::File),
                                    options: None,
                                },
                            }],
                        }),
                        ..WorkspaceFileOperationsServerCapabilities::default()
                    }),
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "gloss".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.watch_files.load(std::sync::atomic::Ordering::Relaxed) {
            let watchers = [
                "**/*.{md,markdown}",
                "**/*.{bib,bibtex,json}",
                "**/gloss.toml",
            ]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
            let registration = Registration {
                id: "gloss/watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            };
            let _ = self.client.register_capability(vec![registration]).await;
        }
        let roots =
            std::mem::take(&mut *self.pending_roots.lock().unwrap_or_else(|e| e.into_inner()));
        for root in roots {
            self.spawn_index(root);
        }
    }

    async fn shutdown(&self) -> Result<()> {
        super::SHUTDOWN_REQUESTED.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        let mut new_root = None;
        self.notify("didOpen", |world| {
            let (refresh, root) = world.open(
                path,
                params.text_document.text,
                params.text_document.version,
            );
            new_root = root;
            refresh
        });
        if let Some(root) = new_root {
            self.spawn_index(root);
        }
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
        self.notify("didChange", |world| {
            world.change(&path, changes, params.text_document.version)
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        let uri = params.text_document.uri;
        self.notify("didClose", |world| world.close(&path));
        // A closed document shows no diagnostics.
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = params
            .changes
            .iter()
            .filter_map(|c| convert::path(&c.uri))
            .collect();
        let mut reindex = Vec::new();
        self.notify("didChangeWatchedFiles", |world| {
            let mut refresh = Refresh::None;
            for path in &paths {
                if path
                    .file_name()
                    .is_some_and(|n| n == crate::workspace::CONFIG_FILE)
                {
                    if let Some(ws) = world.workspace_of(path) {
                        // New configuration: start the workspace over.
                        let root = world.workspaces.remove(ws).root;
                        reindex.push(root);
                    }
                    continue;
                }
                match world.file_changed(path) {
                    Refresh::None => {}
                    Refresh::All => refresh = Refresh::All,
                    Refresh::Documents(p) => {
                        if refresh != Refresh::All {
                            refresh = Refresh::Documents(p);
                        }
                    }
                }
            }
            refresh
        });
        for root in reindex {
            self.spawn_index(root);
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.request("hover", |world| {
            let (ws, note, offset) = locate(world, &at.text_document.uri, at.position)?;
            let workspace = &world.workspaces[ws];
            let result = ide::hover(workspace, note, offset, world.settings.hover())?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: result.markdown,
                }),
                range: Some(convert::range(
                    &workspace.note(note).file,
                    &result.range,
                    world.unit,
                )),
            })
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.request("definition", |world| {
            let (ws, note, offset) = locate(world, &at.text_document.uri, at.position)?;
            let workspace = &world.workspaces[ws];
            let links: Vec<LocationLink> = ide::goto_definition(workspace, note, offset)
                .into_iter()
                .filter_map(|target| {
                    let file = workspace.source(target.file)?;
                    Some(LocationLink {
                        origin_selection_range: None,
                        target_uri: convert::uri(&file.path)?,
                        target_range: convert::range(file, &target.full_range, world.unit),
                        target_selection_range: convert::range(
                            file,
                            &target.focus_range,
                            world.unit,
                        ),
                    })
                })
                .collect();
            (!links.is_empty()).then_some(GotoDefinitionResponse::Link(links))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let include = params.context.include_declaration;
        self.request("references", |world| {
            if let Some((ws, note, offset)) = locate(world, &at.text_document.uri, at.position) {
                let workspace = &world.workspaces[ws];
                let locations = ide::find_references(workspace, note, offset, include)
                    .into_iter()
                    .filter_map(|r| convert::location(workspace, r.file, &r.range, world.unit))
                    .collect();
                return Some(locations);
            }
            // In a bibliography: the notes citing the entry under the cursor.
            let path = convert::path(&at.text_document.uri)?;
            let workspace = &world.workspaces[world.workspace_of(&path)?];
            let bib = workspace
                .bibliographies
                .iter()
                .find(|b| b.file.path == path)?;
            let offset = convert::offset(&bib.file, at.position, world.unit);
            let entry = bib
                .entries
                .iter()
                .find(|e| e.range.start <= offset && offset <= e.range.end)?;
            let mut locations: Vec<Location> = ide::find_key_references(workspace, &entry.key)
                .into_iter()
                .filter_map(|r| convert::location(workspace, r.file, &r.range, world.unit))
                .collect();
            if include {
                let declaration = lsp::Location::new(
                    at.text_document.uri.clone(),
                    convert::range(&bib.file, &entry.key_range, world.unit),
                );
                locations.insert(0, declaration);
            }
            Some(locations)
        })
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.request("documentLink", |world| {
            let path = convert::path(&params.text_document.uri)?;
            let (workspace, note) = world.note(&path)?;
            let file = &workspace.note(note).file;
            let links = ide::document_links(workspace, note)
                .into_iter()
                .map(|l| DocumentLink {
                    range: convert::range(file, &l.range, world.unit),
                    target: l.target.parse().ok(),
                    tooltip: Some(l.tooltip),
                    data: None,
                })
                .collect();
            Some(links)
        })
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        self.request("completion", |world| {
            let (ws, note, offset) = locate(world, &at.text_document.uri, at.position)?;
            let workspace = &world.workspaces[ws];
            let file = &workspace.note(note).file;
            let items: Vec<CompletionItem> = ide::completion(workspace, note, offset)
                .into_iter()
                .enumerate()
                .map(|(rank, item)| convert::completion_item(file, item, world.unit, rank))
                .collect();
            Some(CompletionResponse::List(CompletionList {
                // Capped results: ask again as the user types.
                is_incomplete: true,
                items,
            }))
        })
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.request("documentSymbol", |world| {
            let path = convert::path(&params.text_document.uri)?;
            let (workspace, note) = world.note(&path)?;
            let file = &workspace.note(note).file;
            let symbols = ide::document_symbols(workspace, note)
                .into_iter()
                .map(|s| convert::symbol(file, s, world.unit))
                .collect();
            Some(DocumentSymbolResponse::Nested(symbols))
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.request("codeAction", |world| {
            let path = convert::path(&params.text_document.uri)?;
            let (workspace, note) = world.note(&path)?;
            let file = &workspace.note(note).file;
            let range = convert::offset(file, params.range.start, world.unit)
                ..convert::offset(file, params.range.end, world.unit);
            let actions = ide::code_actions(workspace, note, range)
                .into_iter()
                .filter_map(|action| {
                    let edit = convert::workspace_edit(workspace, &action.edits, world.unit)?;
                    let diagnostics: Vec<lsp::Diagnostic> = params
                        .context
                        .diagnostics
                        .iter()
                        .filter(|d| {
                            d.code
                                == Some(NumberOrString::String(action.fixes.as_str().to_string()))
                        })
                        .cloned()
                        .collect();
                    Some(CodeActionOrCommand::CodeAction(lsp::CodeAction {
                        title: action.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                        edit: Some(edit),
                        is_preferred: Some(action.preferred),
                        ..lsp::CodeAction::default()
                    }))
                })
                .collect();
            Some(actions)
        })
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.request("workspace/symbol", |world| {
            let symbols = world
                .workspaces
                .iter()
                .flat_map(|workspace| {
                    ide::workspace_symbols(workspace, &params.query)
                        .into_iter()
                        .filter_map(move |s| {
                            let location =
                                convert::location(workspace, s.file, &s.range, world.unit)?;
                            Some(lsp::WorkspaceSymbol {
                                name: s.name,
                                kind: match s.kind {
                                    ide::WorkspaceSymbolKind::Term => SymbolKind::KEY,
                                    ide::WorkspaceSymbolKind::Note => SymbolKind::FILE,
                                    ide::WorkspaceSymbolKind::Paper => SymbolKind::OBJECT,
                                },
                                tags: None,
                                container_name: Some(s.container),
                                location: OneOf::Left(location),
                                data: None,
                            })
                        })
                })
                .collect();
            Some(WorkspaceSymbolResponse::Nested(symbols))
        })
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.request("prepareRename", |world| {
            let (ws, note, offset) = locate(world, &params.text_document.uri, params.position)?;
            let workspace = &world.workspaces[ws];
            let range = ide::prepare_rename(workspace, note, offset)?;
            Some(PrepareRenameResponse::Range(convert::range(
                &workspace.note(note).file,
                &range,
                world.unit,
            )))
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let result = self.request("rename", |world| {
            let (ws, note, offset) = locate(world, &at.text_document.uri, at.position)?;
            let workspace = &world.workspaces[ws];
            let edits = ide::rename(workspace, note, offset, &params.new_name);
            Some(edits.and_then(|edits| convert::workspace_edit(workspace, &edits, world.unit)))
        })?;
        match result {
            Some(Some(edit)) => Ok(Some(edit)),
            Some(None) => Err(jsonrpc::Error::invalid_params(
                "a name cannot be empty or contain brackets, `|` or line breaks",
            )),
            None => Ok(None),
        }
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        self.request("willRenameFiles", |world| {
            let mut edits = Vec::new();
            let mut workspace_of_edits = None;
            for file in &params.files {
                let old = convert::path(&file.old_uri.parse().ok()?)?;
                let new = convert::path(&file.new_uri.parse().ok()?)?;
                let ws = world.workspace_of(&old)?;
                workspace_of_edits = Some(ws);
                edits.extend(ide::rename_note_file(&world.workspaces[ws], &old, &new));
            }
            let workspace = &world.workspaces[workspace_of_edits?];
            convert::workspace_edit(workspace, &edits, world.unit)
        })
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let added: Vec<PathBuf> = params
            .event
            .added
            .iter()
            .filter_map(|f| convert::path(&f.uri))
            .collect();
        let removed: Vec<PathBuf> = params
            .event
            .removed
            .iter()
            .filter_map(|f| convert::path(&f.uri))
            .collect();
        self.notify("didChangeWorkspaceFolders", |world| {
            world.workspaces.retain(|w| !removed.contains(&w.root));
            Refresh::All
        });
        for root in added {
            self.spawn_index(root.canonicalize().unwrap_or(root));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = Settings::from_json(Some(params.settings));
        self.notify("didChangeConfiguration", |world| {
            world.set_settings(settings)
        });
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let items = self
            .request("textDocument/diagnostic", |world| {
                world.diagnostics(&convert::path(&params.text_document.uri)?)
            })?
            .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let Some(resolve) = item
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<ide::Resolve>(d).ok())
        else {
            return Ok(item);
        };
        let documentation = self.request("completionItem/resolve", |world| {
            world
                .workspaces
                .iter()
                .find_map(|workspace| ide::completion_documentation(workspace, &resolve))
        })?;
        item.documentation = documentation.map(|value| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            })
        });
        Ok(item)
    }
}
