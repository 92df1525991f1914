//! Positions in block YAML (front matter, `site.yaml`): where a key path
//! or a serde_yaml error is, as a line and column of the whole file. A text
//! scan, since serde_yaml keeps no positions for values it read.

use crate::diag::Pos;

/// A block of YAML inside a file: its text and the file line it starts on.
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    pub text: &'a str,
    pub first_line: usize,
}

impl Block<'_> {
    /// Position of a key path like `["score", "quality"]` or
    /// `["image_sources", "1", "url"]` in the file. The front matter is plain
    /// block YAML at the top level, so a text scan is exact for top-level keys and
    /// finds nested keys inside their parent's lines, flow or block style.
    pub fn locate(&self, path: &[&str]) -> Option<Pos> {
        let (top, rest) = path.split_first()?;
        let lines: Vec<&str> = self.text.lines().collect();
        let start = lines.iter().position(|l| top_level_key(l) == Some(*top))?;
        let end = lines[start + 1..]
            .iter()
            .position(|l| top_level_key(l).is_some())
            .map_or(lines.len(), |i| start + 1 + i);
        let to_pos = |index: usize, col: usize| Pos::new(self.first_line + index, col);
        let (nth, key) = match rest {
            [] => return Some(to_pos(start, 1)),
            [index, key, ..] if index.parse::<usize>().is_ok() => (index.parse().ok()?, *key),
            [index] if index.parse::<usize>().is_ok() => return Some(to_pos(start, 1)),
            [key, ..] => (0, *key),
        };
        let mut seen = 0;
        for (i, line) in lines.iter().enumerate().take(end).skip(start) {
            let skip = if i == start { top.len() + 1 } else { 0 };
            for col in nested_key_columns(line, key, skip) {
                if seen == nth {
                    return Some(to_pos(i, col));
                }
                seen += 1;
            }
        }
        Some(to_pos(start, 1))
    }

    /// Where a YAML error is: serde_yaml's own location, except where it has
    /// none or a wrong one (a duplicate key is placed at the mapping's start,
    /// an alias bomb nowhere).
    pub fn error_pos(&self, e: &serde_yaml::Error) -> Option<Pos> {
        let message = message(e);
        if let Some(key) = between(&message, "duplicate field `", "`")
            .or_else(|| between(&message, "duplicate entry with key \"", "\""))
        {
            let lines = self.text.lines().enumerate();
            let second = lines.filter(|(_, l)| top_level_key(l) == Some(key)).nth(1);
            if let Some((index, _)) = second {
                return Some(Pos::new(self.first_line + index, 1));
            }
        }
        if message.contains("repetition limit exceeded") {
            // Aliases that expand past serde_yaml's limit: an alias bomb.
            let alias = self.text.lines().position(|l| {
                l.match_indices('*')
                    .any(|(at, _)| at == 0 || matches!(l.as_bytes()[at - 1], b' ' | b'[' | b','))
            });
            return Some(Pos::new(self.first_line + alias.unwrap_or(0), 1));
        }
        e.location()
            .map(|l| Pos::new(self.first_line + l.line() - 1, l.column()))
            .or(Some(Pos::new(self.first_line, 1)))
    }
}

/// serde_yaml's message without its own " at line L column C" suffix: we
/// print positions relative to the whole file, not the YAML block.
pub fn message(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

pub(crate) fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

pub(crate) fn top_level_key(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if !(first.is_alphanumeric() || first == '_' || first == '"' || first == '\'') {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim().trim_matches(['"', '\'']))
}

/// 1-based columns where `key:` starts in `line`, after byte `skip`.
fn nested_key_columns(line: &str, key: &str, skip: usize) -> Vec<usize> {
    let mut columns = Vec::new();
    let mut from = skip.min(line.len());
    while let Some(found) = line[from..].find(key) {
        let at = from + found;
        let before = line[..at].trim_end_matches(['"', '\'']).chars().last();
        let after = line[at + key.len()..]
            .trim_start_matches(['"', '\''])
            .trim_start();
        let starts_key = matches!(before, None | Some(' ' | '{' | ',' | '-' | '\t'));
        if starts_key && after.starts_with(':') {
            columns.push(line[..at].chars().count() + 1);
        }
        from = at + key.len();
    }
    columns
}
