//! Ids that a knitted document's code writes. Under `results = 'asis'` a
//! chunk's output is Markdown: a book that prints a section per topic
//! (`cat("## ", subject, " {", "#topic55", "}")`) or a figure per word
//! (`cat(":::: {#fig-", word, "}")`) has ids in its rendered text that its
//! source never spells out. Links and cross-references to such ids are not
//! known to be broken, so the ids code writes are read as prefixes: what
//! the string literals of chunks (and of the R files they `source()`) put
//! after a `{#` or `{-#`, and literals that are an id's start alone
//! (`paste0("#topic", n)`, printed later in braces).

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::read::{read_file, Access, Origin};
use super::{NoteId, Workspace};
use crate::syntax::BlockKind;

/// The most of an R file `source()`d by a chunk that is read for ids.
const MAX_SOURCED_SIZE: u64 = 1 << 20;

impl Workspace {
    /// Whether the code of note `id`'s document (a knitted note, or one
    /// of a book) may write the id `anchor` ([`written_ids`]).
    pub fn code_may_write(&self, id: NoteId, anchor: &str) -> bool {
        if !self.is_knitted(id) && self.document_of(id).is_empty() {
            return false;
        }
        // The code writes the prefix and then a value (`paste0("#topic",
        // n)`): what follows it is an id's characters. `#topic 24` and
        // `#topic54.` are typing slips, which the code writes no id for.
        let written_on = |rest: &str| {
            !rest.ends_with('.')
                && rest
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        };
        (self.ids_written_by_code(id).iter())
            .any(|prefix| anchor.strip_prefix(prefix.as_str()).is_some_and(written_on))
    }

    /// The ids the code of note `id`'s document writes when knitted, once
    /// per document until a note changes.
    fn ids_written_by_code(&self, id: NoteId) -> Arc<[String]> {
        let first = self.document_of(id).first().copied().unwrap_or(id);
        let known = |w: &Self| {
            let cache = w.written_ids.lock().unwrap_or_else(|e| e.into_inner());
            cache.get(&first).cloned()
        };
        if let Some(ids) = known(self) {
            return ids;
        }
        let ids: Arc<[String]> = self.read_written_ids(id).into();
        let mut cache = self.written_ids.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(first, ids.clone());
        ids
    }

    /// The ids the code of note `id`'s document writes ([`written_ids`]),
    /// from its knitted files' executable chunks and the R files they
    /// `source()` (from the file's folder, or the root).
    fn read_written_ids(&self, id: NoteId) -> Vec<String> {
        let document = self.document_of(id);
        let notes = if document.is_empty() {
            std::slice::from_ref(&id)
        } else {
            document
        };
        let access = Access {
            root: &self.root,
            confined: self.config.confined,
        };
        let mut ids = Vec::new();
        for &note in notes.iter().filter(|&&n| self.is_knitted(n)) {
            let file = &self.note(note).file;
            let folder = file.path.parent().unwrap_or(&self.root);
            let code = file.with_text(|text| executable_code(self, note, text));
            ids.extend(written_ids(&code));
            for sourced in sourced_files(&code) {
                let read = [folder, self.root.as_path()].into_iter().find_map(|base| {
                    let path = super::load::join_inside(&self.root, base, sourced)?;
                    read_file(&access, &path, Origin::Control, MAX_SOURCED_SIZE).ok()
                });
                if let Some(bytes) = read {
                    ids.extend(written_ids(&String::from_utf8_lossy(&bytes)));
                }
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether the chunks of knitted note `id` write the bibliography
    /// `file` (as written in its front matter) when knitted:
    /// `knitr::write_bib(…, "packages.bib")`, or its text saved with
    /// `xfun::write_utf8(bib, "packages.bib")`. What is in the file then
    /// is known only after knitting.
    pub fn code_writes_bibliography(&self, id: NoteId, file: &str) -> bool {
        if !self.is_knitted(id) {
            return false;
        }
        let name = file.rsplit('/').next().unwrap_or(file);
        let code = self
            .note(id)
            .file
            .with_text(|text| executable_code(self, id, text));
        code.contains("write_bib")
            && [format!("\"{name}\""), format!("'{name}'")]
                .iter()
                .any(|literal| code.contains(literal.as_str()))
    }

    /// Whether knitr (or Quarto's engines) runs note `id`'s chunks.
    pub fn is_knitted(&self, id: NoteId) -> bool {
        Path::new(&self.note(id).file.rel)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("rmd") || e.eq_ignore_ascii_case("qmd"))
    }
}

/// The code of the executable chunks (```` ```{r} ````, ```` ```{python
/// echo=FALSE} ````; not ```` ```{.r} ````, which is only shown) of note
/// `id`, whose text is `text`.
fn executable_code(workspace: &Workspace, id: NoteId, text: &str) -> String {
    let mut code = String::new();
    for block in &workspace.note(id).syntax.blocks {
        if block.kind != BlockKind::Code {
            continue;
        }
        let Some(chunk) = text.get(block.content()) else {
            continue;
        };
        let (header, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let options = header.trim_start_matches(['`', '~']).trim_start();
        let engine = options.strip_prefix('{').and_then(|o| o.chars().next());
        if engine.is_some_and(|c| c.is_ascii_alphabetic()) {
            code.push_str(body);
            code.push('\n');
        }
    }
    code
}

/// The literal parts of the ids `code` writes (R, Python or Julia chunk
/// code): `topic` for `paste0("#topic", n)`, `fig-` for `"{#fig-", word`.
/// An id written whole from a value (`"{#", id`) gives no prefix: it may
/// be any id, and taking that for every id would check none.
pub fn written_ids(code: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for line in code.lines() {
        for literal in string_literals(line) {
            let text = &line[literal];
            // A literal that is an id's start and nothing else.
            if let Some(id) = text.strip_prefix('#') {
                if !id.is_empty() && id_chars(id) == id {
                    ids.push(id.to_string());
                }
            }
            let mut from = 0;
            while let Some(hash) = text[from..].find('#').map(|i| from + i) {
                let before = text[..hash].trim_end();
                let id = id_chars(&text[hash + 1..]);
                if !id.is_empty() && (before.ends_with('{') || before.ends_with("{-")) {
                    ids.push(id.to_string());
                }
                from = hash + 1;
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The files `code` reads with `source("file.R")`, as written.
pub fn sourced_files(code: &str) -> Vec<&str> {
    let mut files = Vec::new();
    for line in code.lines() {
        let line = &line[..comment_start(line)];
        let mut from = 0;
        while let Some(at) = line[from..].find("source(").map(|i| from + i) {
            from = at + "source(".len();
            let whole_word = !line[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            let first = string_literals(&line[from..]).into_iter().next();
            if let Some(literal) = first.filter(|_| whole_word) {
                let between = &line[from..from + literal.start - 1];
                if between.trim().is_empty() {
                    files.push(&line[from + literal.start..from + literal.end]);
                }
            }
        }
    }
    files
}

/// An id's characters at the start of `text`.
fn id_chars(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')))
        .unwrap_or(text.len());
    &text[..end]
}

/// Where the `#` comment of one line of code starts (its length if none).
fn comment_start(line: &str) -> usize {
    let literals = string_literals(line);
    let code_end = literals.last().map_or(0, |l| (l.end + 1).min(line.len()));
    line[code_end..]
        .find('#')
        .map_or(line.len(), |i| code_end + i)
}

/// The insides of the quoted strings of one line of code, up to a `#`
/// comment outside them; a string left open runs to the line's end.
fn string_literals(line: &str) -> Vec<Range<usize>> {
    let mut literals = Vec::new();
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '#' => break,
            '"' | '\'' => {
                let start = at + 1;
                let mut end = line.len();
                let mut escaped = false;
                for (i, d) in chars.by_ref() {
                    match d {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        _ if d == c => {
                            end = i;
                            break;
                        }
                        _ => {}
                    }
                }
                literals.push(start..end);
            }
            _ => {}
        }
    }
    literals
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found in a bookdown book and a Quarto site: sections and figures
    /// printed per topic; headings' `#` markers, comments and ids written
    /// in the text are no written ids.
    #[test]
    fn ids_that_code_writes() {
        let code = r####"cat("## ", subject, " {", "#topic55", "}")  # a "{#comment}" 😀
cat("### ", title, " {-#catbound", x, y, "}\n\n")
cat(':::: {#fig-', the_word, '}\n')
print(f"## {x} {{#sec-{x}}}")
cat("\n# Results\n")
paste0("{#", label, "}")
cat("see \"{#quoted}\"")
if (jjj > 9) {topic_crossref <- paste0("#topic", jjj)}
sep = "#"; gsub("# ", "", x)
"####;
        assert_eq!(
            written_ids(code),
            ["catbound", "fig-", "quoted", "sec-", "topic", "topic55"]
        );
        assert!(written_ids("cat('## Results {#results}') # {#no}")
            .iter()
            .eq(["results"].iter()));
    }

    #[test]
    fn sourced_files_are_read_from_their_literal() {
        let code = "source(\"topics/summary😀.R\")\nsource('b.R', local = TRUE)\nmy_source(\"c.R\")\nsource(path)\n# source(\"d.R\")\n";
        assert_eq!(sourced_files(code), ["topics/summary😀.R", "b.R"]);
    }
}
