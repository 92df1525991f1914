//! Reading the text export of a rendered article back into a `Document`.
//!
//! The export is what a reader would copy off the page, so structure is
//! recovered from layout: the optional `| |` line, the title, paragraphs (one
//! line each), headings (short lines standing alone), code (lines that read
//! as commands, or several lines in a row), `  • ` lists, images (a caption
//! line, then the same caption plus `. image source: HOST`), and the meta box
//! whose keys are fused with their values (`view count127245`).

use std::collections::HashMap;
use std::path::Path;

use super::{Block, Document, META_BOX_TITLE, SIMILAR_POSTS};
use crate::content::meta::{self, RawMeta};
use crate::content::schema::{Field, Input, ReadError, Shape, Wrong};
use crate::diag::{Diagnostic, Pos};

/// A problem at a line of the export; it leaves this module as a
/// `Diagnostic` naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AtLine {
    /// 1-based line of the export the problem is on.
    line: usize,
    message: String,
}

fn error<T>(line: usize, message: impl Into<String>) -> Result<T, AtLine> {
    Err(AtLine {
        line,
        message: message.into(),
    })
}

/// Meta box labels, as the page prints them, with their front-matter key:
/// from the field table, which the page's meta box uses too.
fn labels() -> impl Iterator<Item = (&'static str, &'static Field)> + Clone {
    meta::FIELDS
        .iter()
        .filter_map(|f| f.label.map(|label| (label, f)))
}

/// Reads the export text of the file `path` (which names it in problems).
pub fn parse_export(path: &Path, text: &str) -> Result<Document, Diagnostic> {
    parse(text).map_err(|e| Diagnostic::error(path, Some(Pos::new(e.line, 1)), e.message))
}

fn parse(text: &str) -> Result<Document, AtLine> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        return error(
            line_of(text, at),
            "binary data (a NUL byte); this is not a text export",
        );
    }
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.lines().map(str::trim_end).collect();
    if lines.iter().all(|l| l.trim().is_empty()) {
        return error(1, "the file is empty; this is not an export");
    }
    let Some(meta_at) = lines.iter().rposition(|l| l.trim() == META_BOX_TITLE) else {
        return error(
            lines.len(),
            format!("no `{META_BOX_TITLE}` box: the export is truncated, or this is not an export"),
        );
    };
    let meta_end = lines[meta_at..]
        .iter()
        .position(|l| l.trim() == SIMILAR_POSTS)
        .map_or(lines.len(), |p| meta_at + p);
    let title_at = title_line(&lines)?;
    if title_at >= meta_at {
        return error(meta_at + 1, "the meta box comes before any title");
    }
    let (mut raw, key_lines) = parse_meta(&lines, meta_at + 1, meta_end)?;
    raw.title = Some(lines[title_at].trim().to_string());
    let doc = Document {
        meta: raw,
        blocks: parse_body(&lines, title_at + 1, meta_at),
    };
    check(&doc, &lines, title_at, &key_lines)?;
    Ok(doc)
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

/// Index of the title: the first non-blank line, after an optional `| |`.
fn title_line(lines: &[&str]) -> Result<usize, AtLine> {
    let mut non_blank = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match non_blank.next() {
        Some((_, l)) if l.trim() == "| |" => non_blank.next().map(|(i, _)| i).ok_or(()),
        Some((i, _)) => Ok(i),
        None => Err(()),
    }
    .or_else(|()| error(1, "no title line"))
}

/// Every image must find its URL, and the meta must pass the same checks a
/// build makes; problems point at the export line they came from.
fn check(
    doc: &Document,
    lines: &[&str],
    title_at: usize,
    key_lines: &HashMap<&str, usize>,
) -> Result<(), AtLine> {
    let images = doc.blocks.iter().filter_map(|block| match block {
        Block::Image { caption, source } => Some((caption, source)),
        _ => None,
    });
    for (number, (caption, source)) in (1..).zip(images) {
        if doc.image_url(caption, source).is_some() {
            continue;
        }
        if let Some(last) = cut_off_in_meta_box(lines, key_lines) {
            return error(
                last,
                format!(
                    "the export ends here, inside the meta box, before the `image sources` entry of \
                     image {number} (`{caption}`): it looks cut off; export the article again"
                ),
            );
        }
        let line = image_line(lines, caption).unwrap_or(title_at + 1);
        return error(
            line,
            format!(
                "image {number} `{caption}` has no `image sources` entry with that caption to take its URL from"
            ),
        );
    }
    if let Err(problems) = meta::validate(doc.meta.clone()) {
        let p = &problems[0];
        let line = match p.path[0].as_str() {
            "title" => title_at + 1,
            key => key_lines.get(key).copied().unwrap_or(title_at + 1),
        };
        return error(line, p.message.clone());
    }
    Ok(())
}

/// The last line's number when the file stops inside the meta box, with
/// `image sources` missing or the last section read: nothing after it (no
/// later section, no `Similar Posts`) shows the export was complete.
fn cut_off_in_meta_box(lines: &[&str], key_lines: &HashMap<&str, usize>) -> Option<usize> {
    let last = lines.iter().rposition(|l| !l.trim().is_empty())? + 1;
    if lines[last - 1].trim() == SIMILAR_POSTS {
        return None;
    }
    let sources_at = key_lines.get("image_sources").copied();
    let later_section = key_lines
        .values()
        .any(|&l| sources_at.is_some_and(|s| l > s));
    (!later_section).then_some(last)
}

fn image_line(lines: &[&str], caption: &str) -> Option<usize> {
    let credited = format!("{caption}. image source: ");
    lines
        .iter()
        .position(|l| l.trim().starts_with(&credited))
        .map(|i| i + 1)
}

fn parse_body(lines: &[&str], start: usize, end: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut i = start;
    while i < end {
        let line = lines[i].trim();
        if line.is_empty() {
            i += 1;
        } else if let Some(item) = bullet(lines[i]) {
            let mut items = vec![item.to_string()];
            i += 1;
            while i < end
                && let Some(item) = bullet(lines[i])
            {
                items.push(item.to_string());
                i += 1;
            }
            blocks.push(Block::List(items));
        } else if let Some((caption, source, used)) = image_at(lines, i, end) {
            blocks.push(Block::Image { caption, source });
            i += used;
        } else {
            let group_end = (i..end)
                .find(|&j| {
                    lines[j].trim().is_empty()
                        || bullet(lines[j]).is_some()
                        || (j > i && image_at(lines, j, end).is_some())
                })
                .unwrap_or(end);
            blocks.push(classify(&lines[i..group_end]));
            i = group_end;
        }
    }
    blocks
}

/// A caption line followed by `caption. image source: HOST` (two lines), or
/// the credit line alone (one line).
fn image_at(lines: &[&str], i: usize, end: usize) -> Option<(String, String, usize)> {
    let credit = |line: &str| -> Option<(String, String)> {
        let (caption, source) = line.trim().rsplit_once(". image source: ")?;
        (!source.is_empty() && !source.contains(' '))
            .then(|| (caption.to_string(), source.to_string()))
    };
    let here = lines[i].trim();
    if i + 1 < end
        && let Some((caption, source)) = credit(lines[i + 1])
        && caption == here
    {
        return Some((caption, source, 2));
    }
    credit(here).map(|(caption, source)| (caption, source, 1))
}

fn bullet(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('•')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest).trim_end())
}

/// Prose paragraphs are one line each in an export, so several lines in a
/// row are code; a single line is code if it reads like a command, a heading
/// if it is short and unpunctuated, and a paragraph otherwise.
fn classify(group: &[&str]) -> Block {
    if group.len() > 1 {
        return Block::Code(group.iter().map(|l| l.to_string()).collect());
    }
    let text = group[0].trim();
    if looks_like_code(text) {
        Block::Code(vec![group[0].to_string()])
    } else if looks_like_heading(text) {
        Block::Heading(text.to_string())
    } else {
        Block::Paragraph(text.to_string())
    }
}

const COMMANDS: [&str; 24] = [
    "redis-cli",
    "curl",
    "kubectl",
    "docker",
    "git",
    "psql",
    "mysql",
    "select",
    "npm",
    "cargo",
    "python",
    "python3",
    "pip",
    "terraform",
    "helm",
    "systemctl",
    "sudo",
    "grep",
    "echo",
    "make",
    "go",
    "node",
    "wrk",
    "ab",
];

fn looks_like_code(text: &str) -> bool {
    if text.ends_with('.') && !text.contains(" --") {
        return false;
    }
    let markers = [
        " | ", " --", "&&", "{", "}", "();", " = ", "==", "::", "->", "$(", "`", ">>", "#!", "=\"",
    ];
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    markers.iter().any(|m| text.contains(m))
        || COMMANDS.contains(&first.as_str())
        || text.starts_with("$ ")
}

fn looks_like_heading(text: &str) -> bool {
    text.chars().count() <= 60
        && text.split_whitespace().count() <= 8
        && !text.ends_with(['.', ',', ';', ':', '!', '?'])
}

/// One meta key as it appeared: its value on the key line, its bullets.
struct Entry<'a> {
    line: usize,
    value: &'a str,
    bullets: Vec<(usize, &'a str)>,
}

fn parse_meta<'a>(
    lines: &[&'a str],
    start: usize,
    end: usize,
) -> Result<(RawMeta, HashMap<&'static str, usize>), AtLine> {
    let mut entries: Vec<(&'static Field, Entry<'a>)> = Vec::new();
    for (i, line) in lines.iter().enumerate().take(end).skip(start) {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(item) = bullet(line) {
            let Some((_, entry)) = entries.last_mut() else {
                return error(i + 1, "a `•` item before any meta key");
            };
            entry.bullets.push((i + 1, item));
            continue;
        }
        let Some((label, field)) = labels()
            .filter(|(label, _)| line.starts_with(label))
            .max_by_key(|(label, _)| label.len())
        else {
            let known: Vec<&str> = labels().map(|(l, _)| l).collect();
            return error(
                i + 1,
                format!(
                    "`{line}` does not start with a meta key; known keys: {}",
                    known.join(", ")
                ),
            );
        };
        if entries.iter().any(|(f, _)| f.key == field.key) {
            return error(i + 1, format!("`{label}` appears twice in the meta box"));
        }
        entries.push((
            field,
            Entry {
                line: i + 1,
                value: line[label.len()..].trim(),
                bullets: Vec::new(),
            },
        ));
    }
    let mut raw = RawMeta::default();
    let mut key_lines = HashMap::new();
    for (field, entry) in &entries {
        key_lines.insert(field.key, entry.line);
        set_field(&mut raw, field, entry)?;
    }
    Ok((raw, key_lines))
}

/// Reads one field's entry in the shape the field table gives it.
fn set_field(raw: &mut RawMeta, field: &'static Field, e: &Entry) -> Result<(), AtLine> {
    let label = field.label.expect("only labelled fields are in the box");
    raw.read_field(field, |shape, record_labels, set| match shape {
        Shape::Text => {
            let text = scalar(label, e)?;
            set(Input::Text { line: e.line, text }).or_else(|err| read_error(label, e, err))
        }
        Shape::List => set(Input::List(list(label, e)?)).or_else(|err| read_error(label, e, err)),
        Shape::Map => {
            let mut pairs = Pairs::new(label, e)?;
            let mut find = |name: &str| pairs.find(name).map(|(line, v)| (line, v.to_string()));
            set(Input::Map(&mut find)).or_else(|err| read_error(label, e, err))?;
            pairs.finish()
        }
        Shape::Records => {
            let records = records(label, e, record_labels)?;
            set(Input::Records(records)).or_else(|err| read_error(label, e, err))
        }
    })
}

/// The message for an entry the field table's types could not read.
fn read_error(label: &str, e: &Entry, err: ReadError) -> Result<(), AtLine> {
    let name = err.label;
    match (err.wrong, err.found) {
        (Wrong::NotANumber, Some((line, text))) if name.is_empty() => error(
            line,
            format!("`{label}` is `{text}`; expected a whole number"),
        ),
        (Wrong::NotANumber, Some((line, text))) => error(
            line,
            format!("`{label}: {name}` is `{text}`; expected a whole number"),
        ),
        (Wrong::NotAFlag, Some((line, text))) => {
            error(line, format!("flag `{name}` is `{text}`; expected 1 or 0"))
        }
        _ => error(e.line, format!("`{label}` has no `{name}`")),
    }
}

fn scalar(label: &str, e: &Entry) -> Result<String, AtLine> {
    match e.bullets.first() {
        Some((line, _)) => error(*line, format!("`{label}` is a single value, not a list")),
        None => Ok(e.value.to_string()),
    }
}

fn list(label: &str, e: &Entry) -> Result<Vec<String>, AtLine> {
    if !e.value.is_empty() {
        return error(
            e.line,
            format!("`{label}` is a list: its items go on `  • ` lines below it"),
        );
    }
    Ok(e.bullets.iter().map(|(_, item)| item.to_string()).collect())
}

fn split_pair<'a>(label: &str, line: usize, item: &'a str) -> Result<(&'a str, &'a str), AtLine> {
    match item.split_once(':') {
        Some((k, v)) => Ok((k.trim(), v.trim())),
        None => error(
            line,
            format!("`{item}` under `{label}` should read `name: value`"),
        ),
    }
}

/// `  • name: value` items of a nested map, taken one by one.
struct Pairs<'a> {
    label: &'a str,
    items: Vec<(usize, &'a str, &'a str)>,
}

impl<'a> Pairs<'a> {
    fn new(label: &'a str, e: &Entry<'a>) -> Result<Self, AtLine> {
        if !e.value.is_empty() {
            return error(
                e.line,
                format!("`{label}` takes `  • name: value` lines, not a value on its own line"),
            );
        }
        let mut items = Vec::new();
        for (line, item) in &e.bullets {
            let (k, v) = split_pair(label, *line, item)?;
            items.push((*line, k, v));
        }
        Ok(Pairs { label, items })
    }

    fn find(&mut self, name: &str) -> Option<(usize, &'a str)> {
        let at = self.items.iter().position(|(_, k, _)| *k == name)?;
        let (line, _, value) = self.items.remove(at);
        Some((line, value))
    }

    fn finish(self) -> Result<(), AtLine> {
        match self.items.first() {
            Some((line, k, _)) => error(*line, format!("unknown `{k}` under `{}`", self.label)),
            None => Ok(()),
        }
    }
}

/// Repeated groups (`name`/`type`, `source`/`url`/`caption`): a new record
/// starts whenever a field repeats.
fn records(
    label: &str,
    e: &Entry,
    fields: &[&str],
) -> Result<Vec<HashMap<String, String>>, AtLine> {
    if !e.value.is_empty() {
        return error(e.line, format!("`{label}` takes `    • name: value` lines"));
    }
    let mut records: Vec<HashMap<String, String>> = Vec::new();
    for (line, item) in &e.bullets {
        let (k, v) = split_pair(label, *line, item)?;
        if !fields.contains(&k) {
            return error(
                *line,
                format!(
                    "unknown `{k}` under `{label}`; expected {}",
                    fields.join(", ")
                ),
            );
        }
        match records.last_mut() {
            Some(r) if !r.contains_key(k) => {
                r.insert(k.to_string(), v.to_string());
            }
            _ => records.push(HashMap::from([(k.to_string(), v.to_string())])),
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::to_export;

    /// A synth export with one line replaced; the line number of it too.
    fn edited(from: &str, to: Option<&str>) -> (String, usize) {
        let export = to_export(&crate::synth::document(5, 0));
        let at = export
            .lines()
            .position(|l| l == from)
            .unwrap_or_else(|| panic!("no line `{from}` in\n{export}"));
        let lines = export
            .lines()
            .enumerate()
            .filter_map(|(i, l)| match i == at {
                true => to,
                false => Some(l),
            });
        (lines.collect::<Vec<_>>().join("\n"), at + 1)
    }

    #[test]
    fn meta_box_entries_of_the_wrong_shape_are_errors_at_their_line() {
        let cases = [
            (
                "  • quality: 92",
                Some("  • quality: x"),
                0,
                "`score: quality` is `x`; expected a whole number",
            ),
            (
                "reading time7",
                Some("reading timex"),
                0,
                "`reading time` is `x`; expected a whole number",
            ),
            ("  • depth: 46", None, -3, "`score` has no `depth`"),
            (
                "  • has images: 1",
                Some("  • has images: maybe"),
                0,
                "flag `has images` is `maybe`; expected 1 or 0",
            ),
            (
                "  • paragraphs: 10",
                Some("  • paragraphs: x"),
                0,
                "`payload: paragraphs` is `x`; expected a whole number",
            ),
            (
                "  • context: behind a cdn",
                Some("  • foo: behind a cdn"),
                -1,
                "`ai outline` has no `context`",
            ),
            (
                "    • type: stack",
                Some("    • kind: stack"),
                0,
                "unknown `kind` under `entities`; expected name, type",
            ),
            (
                "stack",
                Some("stackdocker"),
                0,
                "`stack` is a list: its items go on `  • ` lines below it",
            ),
            (
                "score",
                Some("score9"),
                0,
                "`score` takes `  • name: value` lines, not a value on its own line",
            ),
        ];
        for (from, to, offset, message) in cases {
            let (text, line) = edited(from, to);
            let err = parse(&text).unwrap_err();
            assert_eq!(err.message, message, "{from}");
            assert_eq!(err.line as isize, line as isize + offset, "{from}");
        }
    }

    #[test]
    fn a_flag_left_out_reads_as_off_and_a_payload_entry_as_absent() {
        let (text, _) = edited("  • needs human review: 1", None);
        let doc = parse(&text).unwrap();
        assert!(!doc.meta.flags.unwrap().needs_human_review);
        let (text, _) = edited("  • source id: synth-5-000000", None);
        assert_eq!(parse(&text).unwrap().meta.payload.unwrap().source_id, None);
    }
}
