//! What the client can do, and what the server offers it in return.
//!
//! The server sends only what the client declared it supports: diagnostics
//! are pulled (`textDocument/diagnostic`) only by clients that can also be
//! told to pull again (`workspace/diagnostic/refresh`); every other client
//! has them pushed.

use tower_lsp_server::ls_types::*;

use crate::line_index::ColumnUnit;

/// The client's capabilities that change what the server does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSupport {
    pub unit: ColumnUnit,
    pub encoding_utf8: bool,
    /// Pull diagnostics, with refresh: both are needed for diagnostics that
    /// follow changes in other files.
    pub pull_diagnostics: bool,
    /// File watchers registered at run time.
    pub watch_files: bool,
    /// `window/workDoneProgress`.
    pub progress: bool,
    /// `workspace/semanticTokens/refresh`: tokens that follow changes in
    /// other files.
    pub refresh_tokens: bool,
    /// `workspace/inlayHint/refresh`, the same for inlay hints.
    pub refresh_hints: bool,
}

impl ClientSupport {
    pub fn from_params(params: &InitializeParams) -> ClientSupport {
        let caps = &params.capabilities;
        let encoding_utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let pulls = caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some());
        let refreshes = caps
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        let watch_files = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let workspace = caps.workspace.as_ref();
        let tokens = workspace
            .and_then(|w| w.semantic_tokens.as_ref())
            .and_then(|t| t.refresh_support)
            .unwrap_or(false);
        let hints = workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|h| h.refresh_support)
            .unwrap_or(false);
        let progress = caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        ClientSupport {
            unit: if encoding_utf8 {
                ColumnUnit::Utf8
            } else {
                ColumnUnit::Utf16
            },
            encoding_utf8,
            pull_diagnostics: pulls && refreshes,
            watch_files,
            progress,
            refresh_tokens: tokens,
            refresh_hints: hints,
        }
    }
}

/// The server's capabilities for a client.
pub fn server_capabilities(client: &ClientSupport) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(if client.encoding_utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
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
            trigger_characters: Some(vec![
                "[".to_string(),
                "@".to_string(),
                "#".to_string(),
                "^".to_string(),
            ]),
            resolve_provider: Some(true),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: super::requests::semantic_tokens_legend(),
                range: None,
                full: Some(SemanticTokensFullOptions::Bool(true)),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        diagnostic_provider: client.pull_diagnostics.then(|| {
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
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The file watchers the server registers, for clients that register them
/// at run time.
pub fn file_watchers() -> Registration {
    let watch = |glob: &str, kind: Option<WatchKind>| FileSystemWatcher {
        glob_pattern: GlobPattern::String(glob.to_string()),
        kind,
    };
    let watchers = vec![
        watch("**/*.{md,markdown,qmd,Qmd,rmd,Rmd}", None),
        watch("**/*.{bib,bibtex,json,yaml,yml}", None),
        watch("**/{gloss.toml,_quarto.yml,_quarto.yaml}", None),
        // Any other file is a link target: only whether it is there
        // matters (an image pasted into the vault).
        watch("**/*", Some(WatchKind::Create | WatchKind::Delete)),
    ];
    Registration {
        id: "gloss/watch".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
            watchers,
        })
        .ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn support(capabilities: serde_json::Value) -> ClientSupport {
        let params: InitializeParams = serde_json::from_value(serde_json::json!({
            "capabilities": capabilities
        }))
        .unwrap();
        ClientSupport::from_params(&params)
    }

    #[test]
    fn pull_only_with_refresh_utf8_only_when_offered() {
        // Neovim 0.11 pulls but cannot be told to pull again: push to it.
        let nvim = support(serde_json::json!({"textDocument": {"diagnostic": {}}}));
        assert!(!nvim.pull_diagnostics);
        assert_eq!(nvim.unit, ColumnUnit::Utf16);
        let vscode = support(serde_json::json!({
            "textDocument": {"diagnostic": {}},
            "workspace": {"diagnostics": {"refreshSupport": true}},
            "general": {"positionEncodings": ["utf-16", "utf-8"]}
        }));
        assert!(vscode.pull_diagnostics);
        assert_eq!(vscode.unit, ColumnUnit::Utf8);
        assert!(server_capabilities(&vscode).diagnostic_provider.is_some());
        assert!(server_capabilities(&nvim).diagnostic_provider.is_none());
    }
}
