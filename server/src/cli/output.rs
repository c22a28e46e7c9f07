//! Output formats of `gloss check`: human, JSON, GitHub annotations, SARIF.

use std::io::{self, IsTerminal, Write};
use std::ops::Range;
use std::path::Path;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;
use serde_json::json;

use super::snippet::Snippets;
use super::{ColorWhen, Format};
use crate::ide::{Code, Diagnostic, Severity};
use crate::line_index::{ColumnUnit, LineCol, LineIndex};
use crate::workspace::read::excerpt;
use crate::workspace::{ConfigError, SourceFile, Workspace};

/// A diagnostic with its file resolved and its positions computed.
pub struct Located<'a> {
    /// Relative to the workspace root (the JSON `path`).
    pub path: String,
    /// Relative to the current folder where possible (human, GitHub, SARIF).
    pub display_path: String,
    pub source: &'a SourceFile,
    pub range: Range<usize>,
    /// Zero-based, columns in Unicode scalar values.
    pub start: LineCol,
    pub end: LineCol,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub related: Vec<(String, &'a SourceFile, Range<usize>, String)>,
}

fn display_path(cwd: &Path, source: &SourceFile) -> String {
    match source.path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => source.path.to_string_lossy().into_owned(),
    }
}

/// The text of the file last asked for. Diagnostics come file by file,
/// and the report is printed in path order: a text left on disk is then
/// read once for all of its file's diagnostics, and not kept after them
/// (a report of every note of a vault would otherwise hold every text).
#[derive(Default)]
pub struct LastText {
    file: Option<*const SourceFile>,
    text: String,
}

impl LastText {
    pub fn of(&mut self, file: &SourceFile) -> &str {
        if self.file != Some(std::ptr::from_ref(file)) {
            self.text = file.with_text(str::to_owned);
            self.file = Some(std::ptr::from_ref(file));
        }
        &self.text
    }
}

impl<'a> Located<'a> {
    /// The diagnostic located in its file; its `path` relative to `base`,
    /// the root of the workspace checked (a vault nested in it, checked as
    /// a workspace of its own, names its files from there too).
    pub fn new(
        workspace: &'a Workspace,
        base: &Path,
        cwd: &Path,
        diagnostic: Diagnostic,
        texts: &mut LastText,
    ) -> Located<'a> {
        let source = workspace
            .source(diagnostic.file)
            .expect("diagnostics point at files of their workspace");
        let text = texts.of(source);
        let position = |offset| {
            source
                .line_index()
                .line_col(text, offset, ColumnUnit::Utf32)
        };
        Located {
            path: match source.path.strip_prefix(base) {
                Ok(rel) if base != workspace.root => rel.to_string_lossy().replace('\\', "/"),
                _ => source.rel.clone(),
            },
            display_path: display_path(cwd, source),
            source,
            start: position(diagnostic.range.start),
            end: position(diagnostic.range.end),
            range: diagnostic.range,
            severity: diagnostic.severity,
            code: diagnostic.code,
            message: diagnostic.message,
            related: diagnostic
                .related
                .into_iter()
                .filter_map(|r| {
                    let file = workspace.source(r.file)?;
                    Some((display_path(cwd, file), file, r.range, r.message))
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct Report<'a> {
    pub files_checked: usize,
    pub diagnostics: Vec<Located<'a>>,
}

impl Report<'_> {
    /// By path, then position, then code.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (&a.path, a.start, a.end, a.code).cmp(&(&b.path, b.start, b.end, b.code))
        });
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

pub fn print(report: &Report, format: Format, color: ColorWhen) -> io::Result<()> {
    match format {
        Format::Human => human(report, color),
        Format::Json => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            serde_json::to_writer_pretty(&mut out, &json_document(report))?;
            writeln!(out)?;
            out.flush()
        }
        Format::Github => github(report),
        Format::Sarif => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            serde_json::to_writer_pretty(&mut out, &sarif(report))?;
            writeln!(out)?;
            out.flush()
        }
    }
}

fn color_choice(color: ColorWhen, stream_is_terminal: bool) -> termcolor::ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match color {
        ColorWhen::Always => termcolor::ColorChoice::Always,
        ColorWhen::Never => termcolor::ColorChoice::Never,
        ColorWhen::Auto if stream_is_terminal && !no_color => termcolor::ColorChoice::Auto,
        ColorWhen::Auto => termcolor::ColorChoice::Never,
    }
}

/// The labels of a diagnostic in one file: its display name, the file, and
/// each range with its message (`None` for the primary label).
type LabelGroup<'a> = (
    &'a str,
    &'a SourceFile,
    Vec<(Range<usize>, Option<&'a str>)>,
);

fn human(report: &Report, color: ColorWhen) -> io::Result<()> {
    let mut out =
        termcolor::BufferedStandardStream::stdout(color_choice(color, io::stdout().is_terminal()));
    let config = term::Config::default();
    let mut texts = LastText::default();
    // Rendered one at a time: a report of a million diagnostics never holds
    // more than one excerpt.
    for d in &report.diagnostics {
        let mut snippets = Snippets::default();
        // The labels in each file are shown together, primary first.
        let mut groups: Vec<LabelGroup> =
            vec![(&d.display_path, d.source, vec![(d.range.clone(), None)])];
        for (name, file, range, message) in &d.related {
            let label = (range.clone(), Some(message.as_str()));
            match groups.iter_mut().find(|(_, f, _)| std::ptr::eq(*f, *file)) {
                Some((_, _, labels)) => labels.push(label),
                None => groups.push((name, file, vec![label])),
            }
        }
        let mut labels = Vec::new();
        for (name, file, group) in groups {
            let ranges: Vec<Range<usize>> = group.iter().map(|(r, _)| r.clone()).collect();
            let (id, shown) = snippets.add(name, texts.of(file), file.line_index(), &ranges);
            for ((_, message), range) in group.into_iter().zip(shown) {
                labels.push(match message {
                    None => Label::primary(id, range),
                    Some(message) => Label::secondary(id, range).with_message(message),
                });
            }
        }
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Info => CsSeverity::Note,
            Severity::Hint => CsSeverity::Help,
        };
        let diagnostic = CsDiagnostic::new(severity)
            .with_code(d.code.as_str())
            .with_message(d.message.clone())
            .with_labels(labels);
        term::emit_to_write_style(&mut out, &config, &snippets, &diagnostic)
            .map_err(io::Error::other)?;
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    writeln!(
        out,
        "{}, {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(report.files_checked, "file")
    )?;
    out.flush()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The `--format json` document. Field order is part of the format.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    files_checked: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
}

fn json_document<'a>(report: &'a Report) -> JsonReport<'a> {
    JsonReport {
        version: 1,
        files_checked: report.files_checked,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                path: &d.path,
                line: d.start.line + 1,
                column: d.start.col + 1,
                end_line: d.end.line + 1,
                end_column: d.end.col + 1,
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: &d.message,
            })
            .collect(),
    }
}

/// Escapes for workflow command data and properties.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn github(report: &Report) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.display_path),
            d.start.line + 1,
            d.start.col + 1,
            d.end.line + 1,
            d.end.col + 1,
            escape_property(&format!("gloss({})", d.code.as_str())),
            escape_data(&d.message),
        )?;
    }
    out.flush()
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// Percent-encodes what may not stand in a relative URI reference.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn sarif_region(
    file: &SourceFile,
    range: &Range<usize>,
    texts: &mut LastText,
) -> serde_json::Value {
    let text = texts.of(file);
    let at = |offset| file.line_index().line_col(text, offset, ColumnUnit::Utf32);
    let (start, end) = (at(range.start), at(range.end));
    json!({
        "startLine": start.line + 1,
        "startColumn": start.col + 1,
        "endLine": end.line + 1,
        "endColumn": end.col + 1,
    })
}

fn sarif(report: &Report) -> serde_json::Value {
    let rules: Vec<_> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": code.as_str(),
                "shortDescription": { "text": code.description() },
                "defaultConfiguration": { "level": sarif_level(code.default_severity()) },
            })
        })
        .collect();
    let mut texts = LastText::default();
    let results: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| {
            let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let related: Vec<_> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, (name, file, range, message))| {
                    json!({
                        "id": i,
                        "message": { "text": message },
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(name) },
                            "region": sarif_region(file, range, &mut texts),
                        },
                    })
                })
                .collect();
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.display_path) },
                        "region": sarif_region(d.source, &d.range, &mut texts),
                    }
                }],
                "relatedLocations": related,
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "gloss",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/gloss",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A broken `gloss.toml`, on stderr, with its location when known.
pub fn print_config_error(error: &ConfigError, color: ColorWhen) {
    let stderr = termcolor::StandardStream::stderr(color_choice(color, io::stderr().is_terminal()));
    let mut out = stderr.lock();
    let name = error.path.display().to_string();
    let mut snippets = Snippets::default();
    let mut diagnostic = CsDiagnostic::error().with_message(format!(
        "invalid configuration: {}",
        excerpt(error.message.trim(), 300)
    ));
    if let Some(range) = &error.range {
        let index = LineIndex::new(&error.text);
        let (id, shown) = snippets.add(&name, &error.text, &index, std::slice::from_ref(range));
        diagnostic = diagnostic.with_labels(vec![Label::primary(id, shown[0].clone())]);
    } else {
        diagnostic = diagnostic.with_notes(vec![format!("in {name}")]);
    }
    let _ = term::emit_to_write_style(&mut out, &term::Config::default(), &snippets, &diagnostic);
}
