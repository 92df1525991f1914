//! Writing a `Document` as a source file (front matter + Markdown) or as the
//! text export format.

use std::fmt::Write as _;

use super::{Block, Document, META_BOX_TITLE, SIMILAR_POSTS};
use crate::content::meta::RawMeta;
use crate::content::schema::{Shown, Value};

/// `---` front matter (serde_yaml quotes whatever would not read back as
/// the same string) and a Markdown body in which all text is escaped, so
/// `<script>` in an export stays text on the page.
pub fn to_source(doc: &Document) -> String {
    let yaml = serde_yaml::to_string(&doc.meta).expect("meta always serializes");
    let mut out = String::with_capacity(yaml.len() + 4096);
    out.push_str("---\n");
    out.push_str(&yaml);
    out.push_str("---\n");
    let language = doc.meta.code_language.as_deref().unwrap_or("text");
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Paragraph(text) => push_line(&mut out, &escape_markdown(text)),
            Block::Heading(text) => push_line(&mut out, &format!("## {}", escape_markdown(text))),
            Block::List(items) => {
                for item in items {
                    push_line(&mut out, &format!("- {}", escape_markdown(item)));
                }
            }
            Block::Code(lines) => push_code(&mut out, language, lines),
            Block::Image { caption, source } => {
                let url = doc.image_url(caption, source).unwrap_or_default();
                push_line(
                    &mut out,
                    &format!("![{}]({})", escape_markdown(caption), markdown_url(url)),
                );
            }
        }
    }
    out
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

fn push_code(out: &mut String, language: &str, lines: &[String]) {
    let longest_ticks = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat(longest_ticks.max(2) + 1);
    let info = if language
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+-_#.".contains(c))
    {
        language
    } else {
        "text"
    };
    push_line(out, &format!("{fence}{info}"));
    for line in lines {
        push_line(out, line);
    }
    push_line(out, &fence);
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Backslash-escapes every character Markdown could read as markup, so
/// plain text renders as exactly that text.
pub(crate) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.trim().chars().enumerate() {
        let at_start = i == 0;
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '!'
        ) || (at_start && matches!(c, '-' | '+' | '='));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    // "1. text" at the start of a line would become an ordered list.
    if let Some(pos) = out.find(['.', ')'])
        && pos > 0
        && out[..pos].bytes().all(|b| b.is_ascii_digit())
    {
        out.insert(pos, '\\');
    }
    out
}

/// An image URL from an export may hold spaces, quotes or `<>`; written
/// raw, the figure would be lost and the Markdown shown as text.
fn markdown_url(url: &str) -> String {
    crate::url::link_destination(url).into_owned()
}

/// The export format: what a reader copies off a rendered page.
pub fn to_export(doc: &Document) -> String {
    let mut out = String::with_capacity(8192);
    out.push_str("| |\n\n");
    out.push_str(doc.title());
    out.push_str("\n\n");
    let mut previous_was_list = false;
    for block in &doc.blocks {
        // The page layout puts an image straight after a list, no blank line.
        let image_after_list = previous_was_list && matches!(block, Block::Image { .. });
        if !image_after_list && !out.ends_with("\n\n") {
            out.push('\n');
        }
        previous_was_list = matches!(block, Block::List(_));
        match block {
            Block::Paragraph(text) | Block::Heading(text) => push_line(&mut out, text),
            Block::Code(lines) => lines.iter().for_each(|l| push_line(&mut out, l)),
            Block::List(items) => items
                .iter()
                .for_each(|i| push_line(&mut out, &format!("  • {i}"))),
            Block::Image { caption, source } => {
                push_line(&mut out, caption);
                push_line(&mut out, &format!("{caption}. image source: {source}"));
            }
        }
    }
    out.push('\n');
    push_line(&mut out, META_BOX_TITLE);
    out.push('\n');
    write_meta_box(&mut out, &doc.meta);
    out.push('\n');
    out.push_str(SIMILAR_POSTS);
    out
}

/// Each set field as the page prints it: a scalar fused with its label,
/// a list as `  • ` items, a map as `  • name: value` (flags 1 or 0), and
/// records as `    • name: value` groups.
fn write_meta_box(out: &mut String, m: &RawMeta) {
    for (field, shown) in m.shown() {
        let label = field.label.expect("only labelled fields are shown");
        match shown {
            Shown::Text(text) => push_line(out, &format!("{label}{text}")),
            Shown::List(items) => {
                push_line(out, label);
                for item in items {
                    let _ = writeln!(out, "  • {item}");
                }
            }
            Shown::Map(pairs) => {
                push_line(out, label);
                for (name, value) in pairs {
                    let _ = writeln!(out, "  • {name}: {}", export_value(value));
                }
            }
            Shown::Records(records) => {
                push_line(out, label);
                for (name, value) in records.into_iter().flatten() {
                    let _ = writeln!(out, "    • {name}: {}", export_value(value));
                }
            }
        }
    }
}

fn export_value(value: Value) -> String {
    match value {
        Value::Text(text) => text,
        Value::Flag(on) => u8::from(on).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_text_as_text() {
        assert_eq!(
            escape_markdown("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(escape_markdown("- not a list"), "\\- not a list");
        assert_eq!(escape_markdown("1. not a list"), "1\\. not a list");
        assert_eq!(escape_markdown("a_b *c* [d]"), "a\\_b \\*c\\* \\[d\\]");
    }

    #[test]
    fn code_fences_outgrow_backticks_inside() {
        let mut out = String::new();
        push_code(&mut out, "bash", &["echo ```".to_string()]);
        assert!(out.starts_with("````bash\n"), "{out}");
    }
}
