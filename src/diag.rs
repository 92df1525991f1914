//! Diagnostics: every problem names its file and, where the source has one,
//! its line and column. Stages collect them instead of stopping at the first,
//! so `check` and `build` can report everything in one run.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Warning,
}

/// A position inside a source file, 1-based like editors show it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Pos {
    pub line: usize,
    pub(crate) col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// Serialized for the page cache, which repeats a page's warnings in a
/// build that does not render it again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub pos: Option<Pos>,
    pub(crate) severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            pos,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub(crate) fn warning(
        path: impl Into<PathBuf>,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, pos, message)
        }
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&Path, Option<Pos>, Severity, &str) {
        (&self.path, self.pos, self.severity, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.col)?;
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {kind}: {}", self.message)
    }
}

/// Problems collected across a stage, reported once at the end.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(items: Vec<Diagnostic>) -> Self {
        Diagnostics { items }
    }
}

impl Diagnostics {
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Sorted by file and position so the report reads like the source and
    /// is the same on every run, whatever order parallel stages finished in.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
        self.items
    }

    /// Prints every diagnostic to stderr, sorted.
    pub fn print(self) {
        for d in self.sorted() {
            eprintln!("{d}");
        }
    }
}

/// Line and column of a byte offset in `text`, 1-based.
pub(crate) fn pos_at(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    Pos::new(line, col)
}

/// Where the first byte that is not UTF-8 sits, for "not UTF-8" messages.
pub fn utf8_error_pos(e: &std::string::FromUtf8Error) -> Pos {
    utf8_error_pos_in(e.as_bytes(), &e.utf8_error())
}

/// `utf8_error_pos` for bytes that are borrowed.
pub(crate) fn utf8_error_pos_in(bytes: &[u8], e: &std::str::Utf8Error) -> Pos {
    let valid = e.valid_up_to();
    let prefix =
        std::str::from_utf8(&bytes[..valid]).expect("the prefix up to valid_up_to is UTF-8");
    pos_at(prefix, valid)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pos_at_counts_lines_and_chars() {
        let text = "ab\ncdé\nf";
        assert_eq!(pos_at(text, 0), Pos::new(1, 1));
        assert_eq!(pos_at(text, 3), Pos::new(2, 1));
        assert_eq!(pos_at(text, 8), Pos::new(3, 1));
    }

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["view_count", "reading_time", "title"];
        assert_eq!(did_you_mean("viewcount", keys), Some("view_count"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }

    #[test]
    fn display_names_file_line_and_column() {
        let d = Diagnostic::error("content/a.md", Some(Pos::new(4, 2)), "bad");
        assert_eq!(d.to_string(), "content/a.md:4:2: error: bad");
    }
}
