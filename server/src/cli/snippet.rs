//! The source excerpts of the human format: one line around each label,
//! cut to a window and with control characters escaped.
//!
//! codespan-reporting prints the whole source line of every label. On a
//! 100 KB line with thousands of diagnostics that is gigabytes of output,
//! and a file that is not what gloss expected (a configuration or
//! bibliography that is really something else) should never be quoted at
//! length, nor get to send escape sequences to the terminal. So the labels
//! of a diagnostic are shown from a small file of their own: the lines they
//! are on, long ones cut to a window around them, with the real line and
//! column numbers.

use std::ops::Range;

use codespan_reporting::files::{Error as FilesError, Files};

use crate::line_index::{ColumnUnit, LineIndex};

/// Lines up to this many characters are shown whole.
const MAX_LINE: usize = 120;
/// On longer lines, characters shown before and after the labels.
const CONTEXT: usize = 40;
/// Characters of a label shown on a long line.
const MAX_LABEL: usize = 80;

/// The labels of one diagnostic in one file, on the lines they start on.
struct Snippet {
    name: String,
    /// The windows of the lines, escaped, in line order, each followed by
    /// `\n`.
    text: String,
    /// Per window: its range in `text` and its zero-based line in the file.
    lines: Vec<(Range<usize>, usize)>,
    /// Per label: its start in `text` and its one-based column in the file.
    columns: Vec<(usize, usize)>,
}

/// Every excerpt of a report.
#[derive(Default)]
pub struct Snippets(Vec<Snippet>);

impl Snippets {
    /// Adds the excerpt of `ranges` of `text` (whose index is `index`),
    /// all shown in one block, and returns its id and where each range is
    /// in it. A range that spans lines is shown on its first.
    pub fn add(
        &mut self,
        name: &str,
        text: &str,
        index: &LineIndex,
        ranges: &[Range<usize>],
    ) -> (usize, Vec<Range<usize>>) {
        // Each range clamped to the line it starts on.
        let clamped: Vec<(u32, Range<usize>)> = ranges
            .iter()
            .map(|range| {
                let start = range.start.min(text.len());
                let line = index.line_of(start);
                let bounds = index.line_range(line, text);
                let start = start.clamp(bounds.start, bounds.end);
                (line, start..range.end.clamp(start, bounds.end))
            })
            .collect();
        let mut lines: Vec<u32> = clamped.iter().map(|(line, _)| *line).collect();
        lines.sort_unstable();
        lines.dedup();

        let mut snippet = Snippet {
            name: name.to_string(),
            text: String::new(),
            lines: Vec::new(),
            columns: Vec::new(),
        };
        let mut shown = vec![0..0; ranges.len()];
        let mut previous: Option<u32> = None;
        for line in lines {
            // Lines apart in the file are apart here too, so that the
            // renderer marks the gap between them.
            if previous.is_some_and(|p| p + 1 < line) {
                for _ in 0..2 {
                    let at = snippet.text.len();
                    snippet.lines.push((at..at, usize::MAX - 1));
                    snippet.text.push('\n');
                }
            }
            previous = Some(line);
            let bounds = index.line_range(line, text);
            let on_line: Vec<usize> = (0..clamped.len())
                .filter(|&i| clamped[i].0 == line)
                .collect();
            let first = on_line
                .iter()
                .map(|&i| clamped[i].1.start)
                .min()
                .unwrap_or(bounds.start);
            let last = on_line
                .iter()
                .map(|&i| clamped[i].1.end)
                .max()
                .unwrap_or(first);
            // Bytes first: counting the characters of a long line for each
            // of its diagnostics would be quadratic.
            let whole = bounds.len() <= MAX_LINE
                || (bounds.len() <= 4 * MAX_LINE
                    && text[bounds.clone()].chars().count() <= MAX_LINE);
            // The window, and where labels are cut on it.
            let (from, to, cut) = if whole {
                (bounds.start, bounds.end, bounds.end)
            } else {
                let cut = ahead(text, last, first, MAX_LABEL);
                let from = back(text, bounds.start, first, CONTEXT);
                (from, ahead(text, bounds.end, cut, CONTEXT), cut)
            };
            let start = snippet.text.len();
            if from > bounds.start {
                snippet.text.push('…');
            }
            // Escaped piecewise, so that each label's place is known.
            let clip = |at: usize| at.clamp(from, to.min(cut.max(from)));
            let mut cuts: Vec<usize> = on_line
                .iter()
                .flat_map(|&i| [clamped[i].1.start, clamped[i].1.end])
                .map(clip)
                .chain([from, to])
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut at_cut = std::collections::HashMap::new();
            for pair in cuts.windows(2) {
                at_cut.insert(pair[0], snippet.text.len());
                push_escaped(&mut snippet.text, &text[pair[0]..pair[1]]);
            }
            at_cut.insert(to, snippet.text.len());
            if to < bounds.end {
                snippet.text.push('…');
            }
            snippet
                .lines
                .push((start..snippet.text.len(), line as usize));
            snippet.text.push('\n');
            for &i in &on_line {
                let range = &clamped[i].1;
                let (a, b) = (clip(range.start), clip(range.end));
                shown[i] = at_cut[&a]..at_cut[&b];
                let column = index.line_col(text, range.start, ColumnUnit::Utf32).col as usize + 1;
                snippet.columns.push((at_cut[&a], column));
            }
        }
        self.0.push(snippet);
        (self.0.len() - 1, shown)
    }

    fn get(&self, id: usize) -> Result<&Snippet, FilesError> {
        self.0.get(id).ok_or(FilesError::FileMissing)
    }
}

/// The offset `count` characters before `offset`, not before `floor`.
fn back(text: &str, floor: usize, offset: usize, count: usize) -> usize {
    text[floor..offset]
        .char_indices()
        .rev()
        .nth(count.saturating_sub(1))
        .map_or(floor, |(i, _)| floor + i)
}

/// The offset `count` characters after `offset`, not after `ceiling`.
fn ahead(text: &str, ceiling: usize, offset: usize, count: usize) -> usize {
    text[offset..ceiling]
        .char_indices()
        .nth(count)
        .map_or(ceiling, |(i, _)| offset + i)
}

/// Control characters (but tabs) as escapes: a file's bytes must not
/// steer the terminal.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}

impl<'a> Files<'a> for Snippets {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(&self.get(id)?.name)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(&self.get(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let lines = &self.get(id)?.lines;
        Ok(lines
            .partition_point(|(range, _)| range.end < byte_index)
            .min(lines.len().saturating_sub(1)))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, FilesError> {
        let lines = &self.get(id)?.lines;
        Ok(lines.get(line_index).map_or(line_index, |(_, line)| *line) + 1)
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let snippet = self.get(id)?;
        if let Some((_, column)) = snippet.columns.iter().find(|(at, _)| *at == byte_index) {
            return Ok(*column);
        }
        let start = snippet.lines.get(line_index).map_or(0, |(r, _)| r.start);
        Ok(snippet
            .text
            .get(start..byte_index)
            .map_or(0, |s| s.chars().count())
            + 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let lines = &self.get(id)?.lines;
        lines
            .get(line_index)
            .map(|(range, _)| range.start..range.end + 1)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: lines.len().saturating_sub(1),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str, range: Range<usize>) -> (String, String, usize, usize) {
        let mut snippets = Snippets::default();
        let index = LineIndex::new(text);
        let (id, labels) = snippets.add("f", text, &index, &[range]);
        let s = &snippets.0[id];
        (
            s.text.trim_end_matches('\n').to_string(),
            s.text[labels[0].clone()].to_string(),
            s.lines[0].1 + 1,
            s.columns[0].1,
        )
    }

    #[test]
    fn short_lines_whole_long_lines_windowed() {
        let (text, label, line, column) = show("a\n中文 [[x]] end\n", 9..14);
        assert_eq!(
            (text.as_str(), label.as_str(), line, column),
            ("中文 [[x]] end", "[[x]]", 2, 4)
        );
        let long = format!("{}[[target]]{}", "词".repeat(5000), "y".repeat(5000));
        let at = long.find("[[").unwrap();
        let (text, label, _, column) = show(&long, at..at + 10);
        assert_eq!(label, "[[target]]");
        assert_eq!(column, 5001);
        assert_eq!(text.chars().count(), 1 + 40 + 10 + 40 + 1);
        assert!(text.starts_with('…') && text.ends_with('…'));
    }

    #[test]
    fn control_characters_are_escaped_and_labels_cut() {
        let text = format!("PATH=/bin\u{0}\u{1b}[31m{}\n", "k".repeat(500));
        let (shown, label, _, _) = show(&text, 0..text.len() - 1);
        assert!(!shown.contains('\u{1b}'));
        // 80 characters of the label: 9, NUL, ESC, 4, then 65 `k`s.
        assert_eq!(
            label,
            format!("PATH=/bin\\u{{0}}\\u{{1b}}[31m{}", "k".repeat(65))
        );
    }
}
