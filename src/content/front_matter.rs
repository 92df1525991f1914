//! Splitting a source file into YAML front matter and Markdown body, reading
//! the YAML into `RawMeta`, and pointing problems at their line and column.
//!
//! The fast path is one typed serde read. Only when that fails do we take the
//! slow path that re-reads key by key, so one run can report every unknown key
//! and every wrong type, each at its own position.

use serde_yaml::{Mapping, Value};

use super::meta::{self, Problem, RawMeta};
use std::path::Path;

use crate::diag::{Diagnostic, Pos, did_you_mean};
use crate::yaml::{Block, between, message as yaml_message, top_level_key};

/// A source file cut at its `---` fences.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    /// The file, as problems name it.
    pub(crate) path: &'a Path,
    pub yaml: &'a str,
    /// Line number (1-based) of the first YAML line in the file.
    pub(crate) yaml_line: usize,
    pub(crate) body: &'a str,
    /// Line number (1-based) of the first body line in the file.
    pub(crate) body_line: usize,
}

/// Cuts the text of the file `path` at its fences.
pub(crate) fn split<'a>(path: &'a Path, text: &'a str) -> Result<Parts<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let at_line = |line, message: &str| Diagnostic::error(path, Some(Pos::new(line, 1)), message);
    if text.trim().is_empty() {
        return Err(at_line(
            1,
            "the file is empty; an article starts with front matter between `---` lines",
        ));
    }
    let first = text.split_inclusive('\n').next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err(at_line(
            1,
            "missing front matter: the first line must be `---`",
        ));
    }
    let yaml_start = first.len();
    if let Some((close, after)) = closing_fence(text, yaml_start) {
        let yaml = &text[yaml_start..close];
        return Ok(Parts {
            path,
            yaml,
            yaml_line: 2,
            body: &text[after..],
            body_line: memchr::memchr_iter(b'\n', yaml.as_bytes()).count() + 3,
        });
    }
    Err(at_line(
        1,
        "unterminated front matter: no closing `---` line after the opening one",
    ))
}

/// Where the first line from byte `from` (a line start) that reads `---`
/// once trailing whitespace is cut starts, and where the line after it
/// starts. Only lines that start with `---` can, so those are found with
/// one SIMD search rather than by taking every line apart: this ran on
/// every article of every build (8% of the content step at 100k).
fn closing_fence(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let at_start = bytes[from..].starts_with(b"---").then_some(from);
    let after_newline = memchr::memmem::find_iter(&bytes[from..], b"\n---").map(|at| from + at + 1);
    at_start.into_iter().chain(after_newline).find_map(|start| {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(text.len(), |at| start + at + 1);
        (text[start..end].trim_end() == "---").then_some((start, end))
    })
}

/// A problem in the YAML, with its position in the whole file where known;
/// it leaves this module as a `Diagnostic` naming the file.
#[derive(Debug, PartialEq, Eq)]
struct Located {
    pos: Option<Pos>,
    message: String,
}

fn in_file(parts: &Parts, located: Vec<Located>) -> Vec<Diagnostic> {
    let error = |l: Located| Diagnostic::error(parts.path, l.pos, l.message);
    located.into_iter().map(error).collect()
}

/// Reads the front matter; on failure returns every problem it can find.
pub(crate) fn read_raw(parts: &Parts) -> Result<RawMeta, Vec<Diagnostic>> {
    let raw = match serde_yaml::from_str::<Option<RawMeta>>(parts.yaml) {
        Ok(raw) => raw.unwrap_or_default(),
        Err(first_error) => return Err(in_file(parts, diagnose(parts, &first_error))),
    };
    let unsafe_values = unsafe_values(parts);
    if unsafe_values.is_empty() {
        Ok(raw)
    } else {
        Err(in_file(parts, unsafe_values))
    }
}

/// What the typed read lets through silently: YAML tags (`!!binary`,
/// `!custom`), which serde drops, and text with control characters or
/// bidirectional overrides (`"\0"`, `"\a"`, `"\u202e"`), which would reach
/// the page. Only front matter that could hold either (a `!`, a `\` or such
/// a character in its text) is parsed a second time to find them.
fn unsafe_values(parts: &Parts) -> Vec<Located> {
    if !may_hold_unsafe_values(parts.yaml.as_bytes()) {
        return Vec::new();
    }
    let Ok(value) = serde_yaml::from_str::<Value>(parts.yaml) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk_values(&value, &mut Vec::new(), &mut |path, value| {
        let message = match value {
            Value::Tagged(tagged) => format!(
                "`{}` carries the YAML tag `{}`, which notesite does not read; remove the tag",
                path.join("."),
                tagged.tag
            ),
            Value::String(text) => match text.chars().find(|&c| is_unsafe_char(c)) {
                Some(c) => format!(
                    "`{}` holds the character U+{:04X}, a control or text-direction character that would reach the page; remove it",
                    path.join("."),
                    u32::from(c)
                ),
                None => return,
            },
            _ => return,
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        found.push(Located {
            pos: locate(parts, &path).or(Some(Pos::new(parts.yaml_line, 1))),
            message,
        });
    });
    // serde_yaml resolves core tags (`!!binary`, `!!str`) itself, so they
    // never show as tagged values: find them in the text.
    for (index, line) in parts.yaml.lines().enumerate() {
        let value = line.trim_start().trim_start_matches("- ");
        let value = top_level_key(value)
            .and_then(|_| value.split_once(':').map(|(_, v)| v))
            .unwrap_or(value)
            .trim_start();
        if let Some(tag) = value.strip_prefix("!!") {
            let tag: String = tag.chars().take_while(|c| c.is_alphanumeric()).collect();
            found.push(Located {
                pos: Some(Pos::new(parts.yaml_line + index, 1)),
                message: format!("this value carries the YAML tag `!!{tag}`, which notesite does not read; remove the tag"),
            });
        }
    }
    found
}

/// `unsafe_values` as errors of the file, for front matter read another
/// way than as an article's (a standalone page's).
pub(crate) fn unsafe_value_problems(parts: &Parts) -> Vec<Diagnostic> {
    in_file(parts, unsafe_values(parts))
}

/// A YAML syntax error of the front matter, at its position.
pub(crate) fn syntax_problem(parts: &Parts, e: &serde_yaml::Error) -> Diagnostic {
    let located = syntax_error(parts, e);
    Diagnostic::error(parts.path, located.pos, located.message)
}

/// A byte scan for what `unsafe_values` looks for: `!`, `\\`, C0 and C1
/// controls, and the UTF-8 of U+202A–U+202E and U+2066–U+2069. It runs on
/// every article, so it stays a tight loop over bytes (a `chars()` scan
/// cost a visible part of the content stage at 10k articles).
fn may_hold_unsafe_values(bytes: &[u8]) -> bool {
    // Branch-free passes the compiler can vectorize find candidate bytes;
    // the exact check runs only where one turns up (as in text with
    // “typographic quotes”, whose UTF-8 starts like U+202E's).
    let tag_or_escape = bytes
        .iter()
        .fold(false, |found, &b| found | (b == b'!') | (b == b'\\'));
    tag_or_escape
        || (may_hold_unsafe_chars(bytes)
            && (0..bytes.len()).any(|i| starts_unsafe_char(&bytes[i..])))
}

/// The first character of a body that `is_unsafe_char` refuses, with its
/// position (the body starts at line `first_line`) and the error to show.
/// Like front matter, a body may not carry a control or text-direction
/// character to the page: NUL, BEL or ESC in HTML, or a U+202E that turns
/// the text around it backwards.
pub(crate) fn unsafe_body_char(body: &str, first_line: usize) -> Option<(Pos, String)> {
    let bytes = body.as_bytes();
    if !may_hold_unsafe_chars(bytes) {
        return None;
    }
    // Bytes, not chars: most bodies have “quotes” whose UTF-8 starts
    // with 0xE2, and this runs on every article.
    let at = (0..bytes.len()).find(|&i| starts_unsafe_char(&bytes[i..]))?;
    let c = body[at..].chars().next()?;
    let before = &body[..at];
    let line = first_line + before.matches('\n').count();
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let message = format!(
        "the body holds the character U+{:04X}, a control or text-direction character that would reach the page raw; remove it (tab and line breaks are fine)",
        u32::from(c)
    );
    Some((Pos::new(line, column), message))
}

/// Whether the UTF-8 at the start of `bytes` is a character that
/// `is_unsafe_char` refuses.
fn starts_unsafe_char(bytes: &[u8]) -> bool {
    match bytes {
        [b, ..] if *b < 0x20 => !matches!(b, b'\t' | b'\n' | b'\r'),
        [0x7F, ..] | [0xC2, 0x80..=0x9F, ..] => true,
        [0xE2, 0x80, 0xAA..=0xAE, ..] | [0xE2, 0x81, 0xA6..=0xA9, ..] => true,
        _ => false,
    }
}

/// `may_hold_unsafe_values` without the YAML tag and escape bytes: a
/// branch-free pass over every body, exact only where a candidate shows.
fn may_hold_unsafe_chars(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &b| {
        found
            | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
            | (b == 0x7F)
            | (b == 0xC2)
            | (b == 0xE2)
    })
}

/// Control characters other than tab and line breaks, and the Unicode
/// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069).
fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Calls `visit` with every value and its key path (list items by index).
fn walk_values(value: &Value, path: &mut Vec<String>, visit: &mut dyn FnMut(&[String], &Value)) {
    visit(path, value);
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                path.push(key.as_str().map_or_else(|| "?".to_string(), str::to_string));
                walk_values(child, path, visit);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(index.to_string());
                walk_values(child, path, visit);
                path.pop();
            }
        }
        Value::Tagged(tagged) => walk_values(&tagged.value, path, visit),
        _ => {}
    }
}

/// Validation problems at their positions, looked up only when there are
/// some.
pub(crate) fn locate_problems(parts: &Parts, problems: Vec<Problem>) -> Vec<Diagnostic> {
    in_file(parts, located(parts, problems))
}

fn located(parts: &Parts, problems: Vec<Problem>) -> Vec<Located> {
    problems
        .into_iter()
        .map(|p| {
            let path: Vec<&str> = p.path.iter().map(String::as_str).collect();
            Located {
                // A key that is missing entirely is reported at the opening fence.
                pos: locate(parts, &path).or(Some(Pos::new(parts.yaml_line - 1, 1))),
                message: p.message,
            }
        })
        .collect()
}

/// The typed read failed: find out which keys are at fault, one by one.
fn diagnose(parts: &Parts, first_error: &serde_yaml::Error) -> Vec<Located> {
    let map = match serde_yaml::from_str::<Value>(parts.yaml) {
        Err(e) => return vec![syntax_error(parts, &e)],
        Ok(Value::Mapping(map)) => map,
        Ok(other) => {
            return vec![Located {
                pos: Some(Pos::new(parts.yaml_line, 1)),
                message: format!(
                    "front matter must be `key: value` lines, not {}",
                    value_kind(&other)
                ),
            }];
        }
    };
    let mut problems = Vec::new();
    let mut good = Mapping::new();
    let mut failed: Vec<String> = Vec::new();
    let mut non_text_keys = non_text_key_lines(parts.yaml).into_iter();
    for (key, value) in map {
        let Some(name) = key.as_str().map(str::to_owned) else {
            let line = non_text_keys.next().unwrap_or(0);
            problems.push(Located {
                pos: Some(Pos::new(parts.yaml_line + line, 1)),
                message: format!("front-matter keys must be text, found {}", value_kind(&key)),
            });
            continue;
        };
        if !meta::is_key(&name) {
            problems.push(unknown_key(parts, &name));
            continue;
        }
        let single = Mapping::from_iter([(key.clone(), value.clone())]);
        match reread(single) {
            Ok(_) => {
                good.insert(key, value);
            }
            Err(e) => {
                problems.push(field_error(parts, &name, &e));
                failed.push(name);
            }
        }
    }
    // The keys that did read may still break rules; report those too.
    if let Ok(raw) = reread(good)
        && let Err(more) = super::meta::validate(raw)
    {
        // A key that failed to read is missing from the rest; do not report
        // it a second time as missing (nor the date it would have given).
        let more = more.into_iter().filter(|p| {
            let missing_date = p.path[0] == "date" && failed.iter().any(|f| f == "revision");
            !failed.contains(&p.path[0]) && !missing_date
        });
        problems.extend(located(parts, more.collect()));
    }
    if problems.is_empty() {
        problems.push(syntax_error(parts, first_error));
    }
    // Keys the line scan cannot find (odd characters, flow style) still get
    // a line: the first that starts with the key, or the front matter's.
    for problem in problems.iter_mut().filter(|p| p.pos.is_none()) {
        let key = between(&problem.message, "`", "`").unwrap_or_default();
        let line = (!key.is_empty())
            .then(|| {
                parts
                    .yaml
                    .lines()
                    .position(|l| l.trim_start().starts_with(key))
            })
            .flatten();
        problem.pos = Some(Pos::new(parts.yaml_line + line.unwrap_or(0), 1));
    }
    problems
}

/// Reads keys as `RawMeta` the way the fast path does: from YAML text.
/// (serde_yaml reads `title: 2024` from text as the string "2024", but not
/// from an already parsed number, so reading values would report types the
/// fast path accepts.)
fn reread(keys: Mapping) -> Result<RawMeta, serde_yaml::Error> {
    let text = serde_yaml::to_string(&Value::Mapping(keys))?;
    serde_yaml::from_str(&text)
}

fn unknown_key(parts: &Parts, name: &str) -> Located {
    let hint = did_you_mean(name, meta::keys())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_else(|| {
            format!(
                "; known keys: {}",
                meta::keys().collect::<Vec<_>>().join(", ")
            )
        });
    Located {
        pos: locate(parts, &[name]),
        message: format!("unknown key `{name}`{hint}"),
    }
}

fn field_error(parts: &Parts, name: &str, e: &serde_yaml::Error) -> Located {
    let message = yaml_message(e);
    // serde names an unknown nested key as "unknown field `x`, expected one of ..."
    if let Some(field) = between(&message, "unknown field `", "`") {
        let expected: Vec<&str> = message
            .split_once("expected")
            .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let hint = did_you_mean(field, expected.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_else(|| format!("; expected one of: {}", expected.join(", ")));
        return Located {
            pos: locate(parts, &[name, field]).or_else(|| locate(parts, &[name])),
            message: format!("unknown key `{field}` in `{name}`{hint}"),
        };
    }
    let nested: Vec<&str> = message
        .split_once(": ")
        .map(|(path, _)| path.split('.').collect())
        .filter(|p: &Vec<&str>| p.iter().all(|seg| is_key_like(seg)))
        .unwrap_or_default();
    // The path is said by the position and the key name; keep the reason.
    let message = if nested.is_empty() {
        message.clone()
    } else {
        message
            .split_once(": ")
            .map_or(message.clone(), |(_, why)| why.to_string())
    };
    // serde names our types; a writer knows them as maps.
    let message = match message.find("expected struct ") {
        Some(at) => format!("{}expected a map of keys", &message[..at]),
        None => message,
    };
    let mut path = vec![name];
    path.extend(nested.iter().skip_while(|s| **s == name));
    let hint = if message.contains("expected a string") {
        "; put the value in quotes"
    } else {
        ""
    };
    Located {
        pos: locate(parts, &path).or_else(|| locate(parts, &[name])),
        message: format!("`{}` has the wrong type: {message}{hint}", path.join(".")),
    }
}

fn is_key_like(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '[' || c == ']')
}

fn syntax_error(parts: &Parts, e: &serde_yaml::Error) -> Located {
    Located {
        pos: parts.block().error_pos(e),
        message: syntax_message(e),
    }
}

/// Lines (0-based, in the YAML) whose key is not text: `? [a, b]`, `1:`,
/// `true:`; in document order, as serde_yaml's mapping keeps them.
fn non_text_key_lines(yaml: &str) -> Vec<usize> {
    yaml.lines()
        .enumerate()
        .filter(|(_, line)| {
            // `? key` and flow-style keys (`[x, y]: b`, `{a: 1}: b`).
            if line.starts_with(['?', '[', '{']) {
                return true;
            }
            let Some(key) = top_level_key(line) else {
                return false;
            };
            let quoted = line.starts_with(['"', '\'']);
            !quoted && !matches!(serde_yaml::from_str::<Value>(key), Ok(Value::String(_)))
        })
        .map(|(index, _)| index)
        .collect()
}

/// serde_yaml reads integers past 128 bits as a type error of the whole
/// document; it is a number too large, not broken YAML.
fn syntax_message(e: &serde_yaml::Error) -> String {
    let message = yaml_message(e);
    if let Some(number) = between(&message, "invalid type: integer `", "` as ") {
        let key = message
            .split_once(": invalid type")
            .map(|(key, _)| format!("`{key}` is "))
            .unwrap_or_default();
        return format!(
            "{key}{number}, a number too large: numbers in front matter go up to {}",
            u64::MAX
        );
    }
    if message.contains("repetition limit exceeded") {
        return "YAML aliases here expand too far (past serde_yaml's repetition limit); write the values out".into();
    }
    format!("invalid YAML in front matter: {message}")
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

impl<'a> Parts<'a> {
    /// The front matter as a YAML block of the file.
    pub(crate) fn block(&self) -> Block<'a> {
        Block {
            text: self.yaml,
            first_line: self.yaml_line,
        }
    }
}

/// Position of a key path like `["score", "quality"]` in the front matter.
pub(crate) fn locate(parts: &Parts, path: &[&str]) -> Option<Pos> {
    parts.block().locate(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The fence as a walk over every line finds it: what `closing_fence`
    /// must agree with. The YAML, the body and the body's first line.
    fn split_line_by_line(text: &str) -> Option<(&str, &str, usize)> {
        let mut lines = text.split_inclusive('\n');
        let yaml_start = lines.next()?.len();
        let mut offset = yaml_start;
        for (index, line) in lines.enumerate() {
            if line.trim_end() == "---" {
                let body = &text[offset + line.len()..];
                return Some((&text[yaml_start..offset], body, index + 3));
            }
            offset += line.len();
        }
        None
    }

    proptest! {
        /// Lines near and far from a fence, with both line endings.
        #[test]
        fn the_fence_is_found_where_a_walk_over_every_line_finds_it(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("---"), Just("--- "), Just("---\r"), Just("----"), Just(" ---"),
                    Just("-- -"), Just("a: ---"), Just(""), Just("title: x"), Just("---\u{a0}"),
                ],
                0..10,
            ),
            crlf in any::<bool>(),
            last_newline in any::<bool>(),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("---{end}{}", lines.join(end));
            if last_newline {
                text.push_str(end);
            }
            let walked = split_line_by_line(&text);
            let found = split(Path::new("x.md"), &text).ok().map(|p| (p.yaml, p.body, p.body_line));
            prop_assert_eq!(found, walked);
        }
    }

    fn parts(text: &str) -> Parts<'_> {
        split(Path::new("x.md"), text).unwrap()
    }

    #[test]
    fn splits_fences_and_counts_lines() {
        let p = parts("---\ntitle: a\n---\nbody\n");
        assert_eq!(p.yaml, "title: a\n");
        assert_eq!(p.body, "body\n");
        assert_eq!(p.body_line, 4);
    }

    #[test]
    fn crlf_and_bom_are_fine() {
        let p = parts("\u{feff}---\r\ntitle: a\r\n---\r\nbody\r\n");
        assert_eq!(p.yaml, "title: a\r\n");
        assert_eq!(p.body, "body\r\n");
    }

    #[test]
    fn unterminated_and_empty_are_errors() {
        assert!(
            split(Path::new("x.md"), "---\ntitle: a\n")
                .unwrap_err()
                .message
                .contains("unterminated")
        );
        assert!(
            split(Path::new("x.md"), "  \n")
                .unwrap_err()
                .message
                .contains("empty")
        );
        assert!(
            split(Path::new("x.md"), "title: a\n")
                .unwrap_err()
                .message
                .contains("first line")
        );
    }

    #[test]
    fn locates_nested_keys_in_flow_and_block_style() {
        let text = "---\ntitle: a\nscore: {quality: 140, depth: 2}\nimage_sources:\n  - url: x\n    caption: c\n  - url: y\n---\n";
        let p = parts(text);
        assert_eq!(locate(&p, &["score"]), Some(Pos::new(3, 1)));
        assert_eq!(locate(&p, &["score", "depth"]), Some(Pos::new(3, 23)));
        assert_eq!(
            locate(&p, &["image_sources", "1", "url"]),
            Some(Pos::new(7, 5))
        );
    }

    #[test]
    fn unknown_key_gets_a_suggestion_and_its_line() {
        let p = parts("---\ntitle: a\ndate: 2026-01-01\nviewcount: 3\n---\n");
        let problems = read_raw(&p).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].pos, Some(Pos::new(4, 1)));
        assert!(problems[0].message.contains("did you mean `view_count`?"));
    }

    #[test]
    fn wrong_types_and_rule_breaks_are_all_reported() {
        let p = parts(
            "---\ntitle: a\ndate: 2026-01-01\nstack: redis\nscore: {quality: 140, freshness: 1, depth: 1, clarity: 1}\nflags: {has_image: true}\n---\n",
        );
        let problems = read_raw(&p).unwrap_err();
        let text = format!("{problems:?}");
        assert_eq!(problems.len(), 3, "{text}");
        assert!(text.contains("`stack` has the wrong type"), "{text}");
        assert!(text.contains("did you mean `has_images`?"), "{text}");
        assert!(text.contains("`score.quality` is 140"), "{text}");
    }
}
