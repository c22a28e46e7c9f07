//! One function per request: LSP parameters in, LSP result out, over a
//! read-only [`World`]. The features themselves are in [`crate::ide`]; this
//! is only finding the note and converting positions.

use std::path::PathBuf;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, *};

use super::convert;
use super::world::World;
use crate::ide;
use crate::workspace::{NoteId, SourceFile, Workspace};

/// The note under a text document position: its workspace, note and byte
/// offset.
fn locate<'w>(
    world: &'w World,
    uri: &Uri,
    position: Position,
) -> Option<(&'w Workspace, NoteId, usize)> {
    let path = convert::path(uri)?;
    let (workspace, note) = world.note(&path)?;
    let offset = convert::offset(&workspace.note(note).file, position, world.unit);
    Some((workspace, note, offset))
}

/// The note of a text document: its workspace, note and source.
fn document<'w>(world: &'w World, uri: &Uri) -> Option<(&'w Workspace, NoteId, &'w SourceFile)> {
    let path = convert::path(uri)?;
    let (workspace, note) = world.note(&path)?;
    Some((workspace, note, &workspace.note(note).file))
}

pub fn hover(world: &World, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let (workspace, note, offset) = locate(world, &at.text_document.uri, at.position)?;
    let config = ide::HoverConfig {
        problems: convert::path(&at.text_document.uri).is_some_and(|p| world.complete(&p)),
        ..world.settings.hover()
    };
    let result = ide::hover(workspace, note, offset, config)?;
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
}

pub fn definition(world: &World, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = &params.text_document_position_params;
    let (workspace, note, offset) = locate(world, &at.text_document.uri, at.position)?;
    let links: Vec<LocationLink> = ide::goto_definition(workspace, note, offset)
        .into_iter()
        .filter_map(|target| {
            let full = convert::location(workspace, target.file, &target.full_range, world.unit)?;
            let focus = convert::location(workspace, target.file, &target.focus_range, world.unit)?;
            Some(LocationLink {
                origin_selection_range: None,
                target_uri: full.uri,
                target_range: full.range,
                target_selection_range: focus.range,
            })
        })
        .collect();
    (!links.is_empty()).then_some(GotoDefinitionResponse::Link(links))
}

pub fn references(world: &World, params: &ReferenceParams) -> Option<Vec<Location>> {
    let at = &params.text_document_position;
    let include = params.context.include_declaration;
    let path = convert::path(&at.text_document.uri)?;
    let workspace = world.workspace_of(&path)?;
    let found = match workspace.note_by_path(&path) {
        Some(note) => {
            let offset = convert::offset(&workspace.note(note).file, at.position, world.unit);
            ide::find_references(workspace, note, offset, include)
        }
        None => {
            // In a bibliography: the notes citing the entry under the cursor.
            let bib = workspace.bibliography_file(&path)?;
            let offset =
                convert::offset(&workspace.bibliographies[bib].file, at.position, world.unit);
            ide::find_bibliography_references(workspace, bib, offset, include)
        }
    };
    Some(
        found
            .into_iter()
            .filter_map(|r| convert::location(workspace, r.file, &r.range, world.unit))
            .collect(),
    )
}

pub fn document_links(world: &World, params: &DocumentLinkParams) -> Option<Vec<DocumentLink>> {
    let (workspace, note, file) = document(world, &params.text_document.uri)?;
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
}

pub fn inlay_hints(world: &World, params: &InlayHintParams) -> Option<Vec<InlayHint>> {
    if !world.settings.citation_hints() {
        return Some(Vec::new());
    }
    let (workspace, note, file) = document(world, &params.text_document.uri)?;
    let range = convert::byte_range(file, params.range, world.unit);
    let hints = ide::inlay_hints(workspace, note, range)
        .into_iter()
        .map(|h| InlayHint {
            position: convert::position(file, h.offset, world.unit),
            label: InlayHintLabel::String(h.label),
            kind: None,
            text_edits: None,
            tooltip: h.tooltip.map(InlayHintTooltip::String),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect();
    Some(hints)
}

/// The token types and modifiers, in the order their indexes refer to.
pub fn semantic_tokens_legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: ide::TokenKind::ALL
            .iter()
            .map(|k| SemanticTokenType::new(k.as_str()))
            .collect(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::new("unresolved"),
        ],
    }
}

pub fn semantic_tokens(
    world: &World,
    params: &SemanticTokensParams,
) -> Option<SemanticTokensResult> {
    let (workspace, note, file) = document(world, &params.text_document.uri)?;
    // Nothing shows as broken before the workspace is read, as no
    // diagnostic does: its target may not be read yet. The client is asked
    // to refresh once it is.
    let complete = convert::path(&params.text_document.uri).is_some_and(|p| world.complete(&p));
    let mut data = Vec::new();
    let mut previous = Position::new(0, 0);
    for token in ide::semantic_tokens(workspace, note) {
        let start = convert::position(file, token.range.start, world.unit);
        let end = convert::position(file, token.range.end, world.unit);
        // A token is one line; a link broken across lines is left plain.
        if start.line != end.line {
            continue;
        }
        let kind = ide::TokenKind::ALL
            .iter()
            .position(|k| *k == token.kind)
            .unwrap_or(0);
        let unresolved = token.unresolved && complete;
        let modifiers = u32::from(token.declaration) | u32::from(unresolved) << 1;
        let same_line = start.line == previous.line;
        data.push(SemanticToken {
            delta_line: start.line - previous.line,
            delta_start: if same_line {
                start.character - previous.character
            } else {
                start.character
            },
            length: end.character - start.character,
            token_type: kind as u32,
            token_modifiers_bitset: modifiers,
        });
        previous = start;
    }
    Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    }))
}

pub fn completion(world: &World, params: &CompletionParams) -> Option<CompletionResponse> {
    let at = &params.text_document_position;
    let (workspace, note, offset) = locate(world, &at.text_document.uri, at.position)?;
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
}

pub fn completion_documentation(world: &World, resolve: &ide::Resolve) -> Option<Documentation> {
    let value = world
        .workspaces()
        .find_map(|workspace| ide::completion_documentation(workspace, resolve))?;
    Some(Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    }))
}

pub fn document_symbols(
    world: &World,
    params: &DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let (workspace, note, file) = document(world, &params.text_document.uri)?;
    let symbols = ide::document_symbols(workspace, note)
        .into_iter()
        .map(|s| convert::symbol(file, s, world.unit))
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

pub fn code_actions(world: &World, params: &CodeActionParams) -> Option<CodeActionResponse> {
    let (workspace, note, file) = document(world, &params.text_document.uri)?;
    // Each fixes a diagnostic, and there are none before the workspace is
    // read: a link may look broken only because its target is not read.
    if !convert::path(&params.text_document.uri).is_some_and(|p| world.complete(&p)) {
        return Some(Vec::new());
    }
    let range = convert::byte_range(file, params.range, world.unit);
    let actions = ide::code_actions(workspace, note, range)
        .into_iter()
        .filter_map(|action| {
            let edit = convert::workspace_edit(workspace, &action.edits, world.unit)?;
            let code = NumberOrString::String(action.fixes.as_str().to_string());
            let diagnostics: Vec<lsp::Diagnostic> = params
                .context
                .diagnostics
                .iter()
                .filter(|d| d.code.as_ref() == Some(&code))
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
}

pub fn workspace_symbols(
    world: &World,
    params: &WorkspaceSymbolParams,
) -> Option<WorkspaceSymbolResponse> {
    let symbols = world
        .workspaces()
        .flat_map(|workspace| {
            ide::workspace_symbols(workspace, &params.query)
                .into_iter()
                .filter_map(move |s| {
                    let location = convert::location(workspace, s.file, &s.range, world.unit)?;
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
}

pub fn prepare_rename(
    world: &World,
    params: &TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let (workspace, note, offset) = locate(world, &params.text_document.uri, params.position)?;
    let range = ide::prepare_rename(workspace, note, offset)?;
    Some(PrepareRenameResponse::Range(convert::range(
        &workspace.note(note).file,
        &range,
        world.unit,
    )))
}

/// A rename's edits; `Err` with the reason when the new name is refused.
pub fn rename(world: &World, params: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let at = &params.text_document_position;
    let Some((workspace, note, offset)) = locate(world, &at.text_document.uri, at.position) else {
        return Ok(None);
    };
    let Some(edits) = ide::rename(workspace, note, offset, &params.new_name)? else {
        return Ok(None);
    };
    Ok(convert::workspace_edit(workspace, &edits, world.unit))
}

/// The edits that keep links working when notes move, each converted with
/// the workspace it belongs to. A move out of its workspace, or to
/// something that is not a file, proposes nothing.
pub fn will_rename_files(world: &World, params: &RenameFilesParams) -> Option<WorkspaceEdit> {
    let mut changes: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> =
        std::collections::HashMap::new();
    for file in &params.files {
        let path = |uri: &str| -> Option<PathBuf> { convert::path(&uri.parse().ok()?) };
        let (Some(old), Some(new)) = (path(&file.old_uri), path(&file.new_uri)) else {
            continue;
        };
        let Some(workspace) = world.workspace_of(&old) else {
            continue;
        };
        if !new.starts_with(&workspace.root) {
            continue;
        }
        let edits = ide::rename_note_file(workspace, &old, &new);
        if let Some(edit) = convert::workspace_edit(workspace, &edits, world.unit) {
            for (uri, mut edits) in edit.changes.unwrap_or_default() {
                changes.entry(uri).or_default().append(&mut edits);
            }
        }
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

pub fn diagnostics(
    world: &World,
    params: &DocumentDiagnosticParams,
) -> jsonrpc::Result<DocumentDiagnosticReportResult> {
    let path = convert::path(&params.text_document.uri);
    let items = match path
        .as_deref()
        .map(|p| (world.diagnostics(p), world.note(p)))
    {
        Some((Some(items), _)) => items,
        // They wait for a note to be parsed: the client asks again (and
        // is asked to once the note is parsed). Not `retriggerRequest:
        // false`: vscode-languageclient 9.0.1 then rethrows the error with
        // the document's request still marked open, and never pulls that
        // document again (found by the code-server test, when its first
        // pull came before the note was parsed).
        Some((None, Some(_))) => {
            let mut error = jsonrpc::Error::new(jsonrpc::ErrorCode::ServerError(-32802));
            error.message = "waiting for a note to be parsed".into();
            error.data = serde_json::to_value(lsp::DiagnosticServerCancellationData {
                retrigger_request: true,
            })
            .ok();
            return Err(error);
        }
        _ => Vec::new(),
    };
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
