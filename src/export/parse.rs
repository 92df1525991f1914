//! Reading the text export of a rendered article back into a `Document`.
//!
//! The export is what a reader would copy off the page, so structure is
//! recovered from layout: the optional `| |` line, the title, paragraphs (one
//! line each), headings (short lines standing alone), code (lines that read
//! as commands, or several lines in a row), `  • ` lists, images (a caption
//! line, then the same caption plus `. image source: HOST`), and the meta box
//! whose keys are fused with their values (`view count127245`).

use std::collections::HashMap;

use super::{Block, Document, META_BOX_TITLE, SIMILAR_POSTS};
use crate::content::meta::{
    self, Entity, Flags, ImageSource, Outline, Payload, RawMeta, RawRevision, RawScore,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the export the problem is on.
    pub line: usize,
    pub message: String,
}

fn error<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

/// Meta box labels, as the page prints them, with their front-matter key:
/// from the field table, which the page's meta box uses too.
fn labels() -> impl Iterator<Item = (&'static str, &'static str)> + Clone {
    meta::FIELDS
        .iter()
        .filter_map(|f| f.label.map(|label| (label, f.key)))
}

pub fn parse_export(text: &str) -> Result<Document, ParseError> {
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
fn title_line(lines: &[&str]) -> Result<usize, ParseError> {
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
) -> Result<(), ParseError> {
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
) -> Result<(RawMeta, HashMap<&'static str, usize>), ParseError> {
    let mut entries: Vec<(&'static str, Entry<'a>)> = Vec::new();
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
        let Some((label, key)) = labels()
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
        if entries.iter().any(|(k, _)| *k == key) {
            return error(i + 1, format!("`{label}` appears twice in the meta box"));
        }
        entries.push((
            key,
            Entry {
                line: i + 1,
                value: line[label.len()..].trim(),
                bullets: Vec::new(),
            },
        ));
    }
    let mut raw = RawMeta::default();
    let mut key_lines = HashMap::new();
    for (key, entry) in &entries {
        key_lines.insert(*key, entry.line);
        set_field(&mut raw, key, entry)?;
    }
    Ok((raw, key_lines))
}

fn set_field(raw: &mut RawMeta, key: &str, e: &Entry) -> Result<(), ParseError> {
    match key {
        "topic" => raw.topic = Some(scalar(key, e)?),
        "summary" => raw.summary = Some(scalar(key, e)?),
        "brief" => raw.brief = Some(scalar(key, e)?),
        "code_language" => raw.code_language = Some(scalar(key, e)?),
        "difficulty" => raw.difficulty = Some(scalar(key, e)?),
        "reference" => raw.reference = Some(scalar(key, e)?),
        "hash" => raw.hash = Some(scalar(key, e)?),
        "reading_time" => raw.reading_time = Some(number(key, &scalar(key, e)?, e.line)?),
        "view_count" => raw.view_count = Some(number(key, &scalar(key, e)?, e.line)?),
        "stack" => raw.stack = Some(list(key, e)?),
        "tools" => raw.tools = Some(list(key, e)?),
        "checklist" => raw.checklist = Some(list(key, e)?),
        "notes" => raw.notes = Some(list(key, e)?),
        "outline" => {
            let mut m = Pairs::new(key, e)?;
            raw.outline = Some(Outline {
                context: m.take("context")?,
                problem: m.take("problem")?,
                stack: m.take("stack")?,
                recommended_action: m.take("recommended action")?,
            });
            m.finish()?;
        }
        "score" => {
            let mut m = Pairs::new(key, e)?;
            raw.score = Some(RawScore {
                quality: m.number("quality")?,
                freshness: m.number("freshness")?,
                depth: m.number("depth")?,
                clarity: m.number("clarity")?,
            });
            m.finish()?;
        }
        "revision" => {
            let mut m = Pairs::new(key, e)?;
            raw.revision = Some(RawRevision {
                status: m.take("status")?,
                version: m.take("version")?,
                last_reviewed: m.take("last reviewed")?,
            });
            m.finish()?;
        }
        "flags" => {
            let mut m = Pairs::new(key, e)?;
            raw.flags = Some(Flags {
                ai_generated_style: m.flag("ai generated style")?,
                has_images: m.flag("has images")?,
                image_heavy: m.flag("image heavy")?,
                needs_human_review: m.flag("needs human review")?,
            });
            m.finish()?;
        }
        "payload" => {
            let mut m = Pairs::new(key, e)?;
            raw.payload = Some(Payload {
                source_id: m.optional("source id"),
                generator: m.optional("generator"),
                paragraphs: m.optional_number("paragraphs")?,
                scenario: m.optional("scenario"),
                seed: m.optional_number("seed")?,
            });
            m.finish()?;
        }
        "entities" => {
            raw.entities = Some(
                records(key, e, &["name", "type"])?
                    .into_iter()
                    .map(|mut r| Entity {
                        name: r.remove("name").unwrap_or_default(),
                        kind: r.remove("type").unwrap_or_default(),
                    })
                    .collect(),
            )
        }
        "image_sources" => {
            raw.image_sources = Some(
                records(key, e, &["source", "url", "caption"])?
                    .into_iter()
                    .map(|mut r| ImageSource {
                        source: r.remove("source").unwrap_or_default(),
                        url: r.remove("url").unwrap_or_default(),
                        caption: r.remove("caption").unwrap_or_default(),
                    })
                    .collect(),
            )
        }
        _ => unreachable!("every label maps to a handled key"),
    }
    Ok(())
}

fn label(key: &str) -> &'static str {
    labels().find(|(_, k)| *k == key).map_or("?", |(l, _)| l)
}

fn scalar(key: &str, e: &Entry) -> Result<String, ParseError> {
    match e.bullets.first() {
        Some((line, _)) => error(
            *line,
            format!("`{}` is a single value, not a list", label(key)),
        ),
        None => Ok(e.value.to_string()),
    }
}

fn number<T: std::str::FromStr>(key: &str, text: &str, line: usize) -> Result<T, ParseError> {
    text.trim().parse().or_else(|_| {
        error(
            line,
            format!("`{}` is `{text}`; expected a whole number", label(key)),
        )
    })
}

fn list(key: &str, e: &Entry) -> Result<Vec<String>, ParseError> {
    if !e.value.is_empty() {
        return error(
            e.line,
            format!(
                "`{}` is a list: its items go on `  • ` lines below it",
                label(key)
            ),
        );
    }
    Ok(e.bullets.iter().map(|(_, item)| item.to_string()).collect())
}

fn split_pair<'a>(key: &str, line: usize, item: &'a str) -> Result<(&'a str, &'a str), ParseError> {
    match item.split_once(':') {
        Some((k, v)) => Ok((k.trim(), v.trim())),
        None => error(
            line,
            format!("`{item}` under `{}` should read `name: value`", label(key)),
        ),
    }
}

/// `  • name: value` items of a nested map, taken one by one.
struct Pairs<'a> {
    key: &'a str,
    line: usize,
    items: Vec<(usize, &'a str, &'a str)>,
}

impl<'a> Pairs<'a> {
    fn new(key: &'a str, e: &Entry<'a>) -> Result<Self, ParseError> {
        if !e.value.is_empty() {
            return error(
                e.line,
                format!(
                    "`{}` takes `  • name: value` lines, not a value on its own line",
                    label(key)
                ),
            );
        }
        let mut items = Vec::new();
        for (line, item) in &e.bullets {
            let (k, v) = split_pair(key, *line, item)?;
            items.push((*line, k, v));
        }
        Ok(Pairs {
            key,
            line: e.line,
            items,
        })
    }

    fn find(&mut self, name: &str) -> Option<(usize, &'a str)> {
        let at = self.items.iter().position(|(_, k, _)| *k == name)?;
        let (line, _, value) = self.items.remove(at);
        Some((line, value))
    }

    fn take(&mut self, name: &str) -> Result<String, ParseError> {
        match self.find(name) {
            Some((_, v)) => Ok(v.to_string()),
            None => error(self.line, format!("`{}` has no `{name}`", label(self.key))),
        }
    }

    fn optional(&mut self, name: &str) -> Option<String> {
        self.find(name).map(|(_, v)| v.to_string())
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str) -> Result<T, ParseError> {
        match self.find(name) {
            Some((line, v)) => v.parse().or_else(|_| {
                error(
                    line,
                    format!(
                        "`{}: {name}` is `{v}`; expected a whole number",
                        label(self.key)
                    ),
                )
            }),
            None => error(self.line, format!("`{}` has no `{name}`", label(self.key))),
        }
    }

    fn optional_number<T: std::str::FromStr>(
        &mut self,
        name: &str,
    ) -> Result<Option<T>, ParseError> {
        match self.find(name) {
            Some((line, v)) => v.parse().map(Some).or_else(|_| {
                error(
                    line,
                    format!(
                        "`{}: {name}` is `{v}`; expected a whole number",
                        label(self.key)
                    ),
                )
            }),
            None => Ok(None),
        }
    }

    fn flag(&mut self, name: &str) -> Result<bool, ParseError> {
        match self.find(name) {
            Some((_, "1" | "true" | "yes")) => Ok(true),
            Some((_, "0" | "false" | "no")) => Ok(false),
            Some((line, v)) => error(line, format!("flag `{name}` is `{v}`; expected 1 or 0")),
            None => Ok(false),
        }
    }

    fn finish(self) -> Result<(), ParseError> {
        match self.items.first() {
            Some((line, k, _)) => {
                error(*line, format!("unknown `{k}` under `{}`", label(self.key)))
            }
            None => Ok(()),
        }
    }
}

/// Repeated groups (`name`/`type`, `source`/`url`/`caption`): a new record
/// starts whenever a field repeats.
fn records(
    key: &str,
    e: &Entry,
    fields: &[&str],
) -> Result<Vec<HashMap<String, String>>, ParseError> {
    if !e.value.is_empty() {
        return error(
            e.line,
            format!("`{}` takes `    • name: value` lines", label(key)),
        );
    }
    let mut records: Vec<HashMap<String, String>> = Vec::new();
    for (line, item) in &e.bullets {
        let (k, v) = split_pair(key, *line, item)?;
        if !fields.contains(&k) {
            return error(
                *line,
                format!(
                    "unknown `{k}` under `{}`; expected {}",
                    label(key),
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
