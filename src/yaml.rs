//! Positions in block YAML (front matter, `site.yaml`): where a key path
//! or a serde_yaml error is, as a line and column of the whole file. A text
//! scan, since serde_yaml keeps no positions for values it read.

use crate::diag::Pos;

/// A problem with a value read from YAML: the key path it is about (where
/// its position is found) and what is wrong, phrased so the writer knows
/// what to do. Front matter and `site.yaml` both report through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyProblem {
    pub(crate) path: Vec<String>,
    pub(crate) message: String,
}

impl KeyProblem {
    pub(crate) fn new(path: &[&str], message: impl Into<String>) -> Self {
        KeyProblem {
            path: path.iter().map(|s| s.to_string()).collect(),
            message: message.into(),
        }
    }

    /// The key path as `locate` takes it.
    pub(crate) fn keys(&self) -> Vec<&str> {
        self.path.iter().map(String::as_str).collect()
    }
}

/// A block of YAML inside a file: its text and the file line it starts on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block<'a> {
    pub(crate) text: &'a str,
    pub(crate) first_line: usize,
}

impl Block<'_> {
    /// Position of a key path like `["score", "quality"]` or
    /// `["image_sources", "1", "url"]` in the file. The front matter is plain
    /// block YAML at the top level, so a text scan is exact for top-level keys and
    /// finds nested keys inside their parent's lines, flow or block style.
    pub(crate) fn locate(&self, path: &[&str]) -> Option<Pos> {
        let (top, rest) = path.split_first()?;
        let is_index = |s: &str| s.parse::<usize>().is_ok();
        // `[]` and `[index]` name the key itself: its line.
        let (nth, key) = match rest {
            [index, key, ..] if is_index(index) => (index.parse().ok()?, *key),
            [key, ..] if !is_index(key) => (0, *key),
            _ => (0, ""),
        };
        let (head, mut nested) = self.nested_positions(top, key)?;
        Some(nested.nth(nth).unwrap_or(head))
    }

    /// The line of the top-level key `top`, and in order every position of
    /// a nested `key:` inside that key's lines (flow or block style).
    pub(crate) fn nested_positions<'b>(
        &'b self,
        top: &'b str,
        key: &'b str,
    ) -> Option<(Pos, impl Iterator<Item = Pos> + 'b)> {
        let (start, from) = top_key_line(self.text, top)?;
        let mut lines = (self.text[from..].lines().enumerate()).map(move |(i, l)| (start + i, l));
        let (start, first) = lines.next()?;
        let inside = lines.take_while(|(_, l)| top_level_key(l).is_none());
        let positions = std::iter::once((start, first, top.len() + 1))
            .chain(inside.map(|(i, line)| (i, line, 0)))
            .filter(move |_| !key.is_empty())
            .flat_map(move |(i, line, skip)| {
                let line_number = self.first_line + i;
                nested_key_columns(line, key, skip)
                    .into_iter()
                    .map(move |col| Pos::new(line_number, col))
            });
        Some((Pos::new(self.first_line + start, 1), positions))
    }

    /// Where a YAML error is: serde_yaml's own location, except where it has
    /// none or a wrong one (a duplicate key is placed at the mapping's start,
    /// an alias bomb nowhere).
    pub(crate) fn error_pos(&self, e: &serde_yaml::Error) -> Option<Pos> {
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
pub(crate) fn message(e: &serde_yaml::Error) -> String {
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

/// The key a line of a top-level mapping starts with: plain, or quoted
/// (`"a:b": 1` is the key `a:b`, colon and all).
pub(crate) fn top_level_key(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if first == '"' || first == '\'' {
        let close = line[1..].find(first)? + 1;
        let after = line[close + 1..].trim_start();
        return after.starts_with(':').then(|| &line[1..close]);
    }
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim())
}

/// The index and the first byte of the first line of `text` whose
/// top-level key is `top`. Such a line has `top` at its byte 0, or 1 after
/// a quote, so only those places are looked at, found by one SIMD search:
/// taking every line apart was 13% of the content step at 100k articles
/// (every article with `image_sources` is located).
fn top_key_line(text: &str, top: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let starts_line = |at: usize| at == 0 || bytes[at - 1] == b'\n';
    let line_start = |at: usize| match at {
        _ if starts_line(at) => Some(at),
        _ if matches!(bytes[at - 1], b'"' | b'\'') && starts_line(at - 1) => Some(at - 1),
        _ => None,
    };
    let line_at = |start: usize| text[start..].lines().next().unwrap_or_default();
    let start = (memchr::memmem::find_iter(bytes, top.as_bytes()))
        .filter_map(line_start)
        .find(|&start| top_level_key(line_at(start)) == Some(top))?;
    Some((memchr::memchr_iter(b'\n', &bytes[..start]).count(), start))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The line `top_key_line` finds is the one a walk over every line
        /// finds: keys quoted or not, indented, nested, in values, and the
        /// key's name inside other keys' names.
        #[test]
        fn the_key_line_is_the_one_a_walk_over_every_line_finds(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("url: x"), Just("  url: y"), Just("'url': z"), Just("\"url\" : w"),
                    Just("urls: v"), Just("my_url: u"), Just("- url: t"), Just("a: url: s"),
                    Just("url"), Just("url:"), Just("\"url: r"), Just(""), Just("url :\r"),
                ],
                0..8,
            ),
            crlf in any::<bool>(),
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            let walked = text.lines().enumerate().find(|(_, l)| top_level_key(l) == Some("url"));
            let found = top_key_line(&text, "url")
                .map(|(index, start)| (index, text[start..].lines().next().unwrap_or_default()));
            prop_assert_eq!(found, walked);
        }
    }
}
