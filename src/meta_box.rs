//! The post meta box: every meta field as a row the template can show
//! without knowing the schema. Lists stay lists, nested maps become nested
//! definition lists, flags read yes/no, and taxonomy values link to their
//! term pages.

use serde::Serialize;

use crate::content::meta::Meta;
use crate::taxonomy::Kind;

#[derive(Debug, Serialize)]
pub struct MetaField {
    /// The front-matter key, for CSS hooks: `meta-image_sources`.
    pub key: &'static str,
    /// What the reader sees: `image sources`.
    pub label: &'static str,
    /// `text`, `list`, `map` or `records`.
    pub kind: &'static str,
    pub text: String,
    pub url: Option<String>,
    pub items: Vec<Item>,
    pub entries: Vec<Entry>,
    pub records: Vec<Vec<Entry>>,
}

#[derive(Debug, Serialize)]
pub struct Item {
    pub text: String,
    pub url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Entry {
    pub label: &'static str,
    pub text: String,
    pub url: Option<String>,
}

/// A term page URL for a taxonomy value, if that taxonomy is built.
pub type TermUrl<'a> = &'a dyn Fn(Kind, &str) -> Option<String>;

impl MetaField {
    /// A row for `key`, labelled as the field table says.
    fn new(key: &'static str, kind: &'static str) -> Self {
        MetaField {
            key,
            label: crate::content::meta::label(key),
            kind,
            text: String::new(),
            url: None,
            items: Vec::new(),
            entries: Vec::new(),
            records: Vec::new(),
        }
    }

    fn text(key: &'static str, text: impl ToString) -> Self {
        MetaField {
            text: text.to_string(),
            ..MetaField::new(key, "text")
        }
    }

    fn list(key: &'static str, items: Vec<Item>) -> Self {
        MetaField {
            items,
            ..MetaField::new(key, "list")
        }
    }

    fn map(key: &'static str, entries: Vec<Entry>) -> Self {
        MetaField {
            entries,
            ..MetaField::new(key, "map")
        }
    }

    fn records(key: &'static str, records: Vec<Vec<Entry>>) -> Self {
        MetaField {
            records,
            ..MetaField::new(key, "records")
        }
    }
}

fn entry(label: &'static str, text: impl ToString) -> Entry {
    Entry {
        label,
        text: text.to_string(),
        url: None,
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

fn plain_items(values: &[String]) -> Vec<Item> {
    values
        .iter()
        .map(|v| Item {
            text: v.clone(),
            url: None,
        })
        .collect()
}

fn linked_items(values: &[String], taxonomy: Kind, term_url: TermUrl) -> Vec<Item> {
    values
        .iter()
        .map(|v| Item {
            text: v.clone(),
            url: term_url(taxonomy, v),
        })
        .collect()
}

/// The rows of the meta box, in the order of the exported articles' box.
/// Fields the article left out are left out of the box too.
pub fn rows(meta: &Meta, term_url: TermUrl) -> Vec<MetaField> {
    let mut rows = Vec::with_capacity(20);
    let mut text = |key, value: &Option<String>| {
        if let Some(v) = value {
            rows.push(MetaField::text(key, v));
        }
    };
    text("topic", &meta.topic);
    text("summary", &meta.summary);
    if let Some(o) = &meta.outline {
        rows.push(MetaField::map(
            "outline",
            vec![
                entry("context", &o.context),
                entry("problem", &o.problem),
                entry("stack", &o.stack),
                entry("recommended action", &o.recommended_action),
            ],
        ));
    }
    if let Some(b) = &meta.brief {
        rows.push(MetaField::text("brief", b));
    }
    if !meta.stack.is_empty() {
        rows.push(MetaField::list(
            "stack",
            linked_items(&meta.stack, Kind::Stack, term_url),
        ));
    }
    if !meta.tools.is_empty() {
        rows.push(MetaField::list(
            "tools",
            linked_items(&meta.tools, Kind::Tools, term_url),
        ));
    }
    if let Some(l) = &meta.code_language {
        rows.push(MetaField::text("code_language", l));
    }
    if let Some(d) = meta.difficulty {
        rows.push(MetaField {
            url: term_url(Kind::Difficulty, d.as_str()),
            ..MetaField::text("difficulty", d.as_str())
        });
    }
    if let Some(r) = meta.reading_time {
        rows.push(MetaField::text("reading_time", r));
    }
    if let Some(v) = meta.view_count {
        rows.push(MetaField::text("view_count", v));
    }
    if let Some(s) = &meta.score {
        rows.push(MetaField::map(
            "score",
            vec![
                entry("quality", s.quality),
                entry("freshness", s.freshness),
                entry("depth", s.depth),
                entry("clarity", s.clarity),
            ],
        ));
    }
    if let Some(r) = &meta.revision {
        rows.push(MetaField::map(
            "revision",
            vec![
                entry("status", &r.status),
                entry("version", &r.version),
                entry("last reviewed", r.last_reviewed),
            ],
        ));
    }
    more_rows(meta, term_url, &mut rows);
    rows
}

fn more_rows(meta: &Meta, term_url: TermUrl, rows: &mut Vec<MetaField>) {
    if let Some(r) = &meta.reference {
        rows.push(MetaField::text("reference", r));
    }
    if let Some(h) = &meta.hash {
        rows.push(MetaField::text("hash", h));
    }
    if let Some(f) = &meta.flags {
        let entries = f
            .labeled()
            .into_iter()
            .map(|(label, on)| entry(label, yes_no(on)))
            .collect();
        rows.push(MetaField::map("flags", entries));
    }
    if !meta.checklist.is_empty() {
        rows.push(MetaField::list("checklist", plain_items(&meta.checklist)));
    }
    if !meta.entities.is_empty() {
        let records = meta
            .entities
            .iter()
            .map(|e| {
                vec![
                    Entry {
                        url: term_url(Kind::Entities, &e.name),
                        ..entry("name", &e.name)
                    },
                    entry("type", &e.kind),
                ]
            })
            .collect();
        rows.push(MetaField::records("entities", records));
    }
    if !meta.image_sources.is_empty() {
        let records = meta
            .image_sources
            .iter()
            .map(|s| {
                vec![
                    entry("source", &s.source),
                    entry("url", &s.url),
                    entry("caption", &s.caption),
                ]
            })
            .collect();
        rows.push(MetaField::records("image_sources", records));
    }
    if let Some(p) = &meta.payload {
        let entries = p
            .labeled()
            .into_iter()
            .map(|(label, value)| entry(label, value))
            .collect();
        rows.push(MetaField::map("payload", entries));
    }
    if !meta.notes.is_empty() {
        rows.push(MetaField::list("notes", plain_items(&meta.notes)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::meta::{FIELDS, validate};

    fn meta(yaml: &str) -> Meta {
        validate(serde_yaml::from_str(yaml).unwrap()).unwrap()
    }

    fn no_terms(_: Kind, _: &str) -> Option<String> {
        None
    }

    #[test]
    fn rows_follow_the_field_table_and_leave_out_absent_fields() {
        let m = meta(
            "title: t\ndate: 2026-07-01\nbrief: b\nstack: [redis, nginx]\nscore: {quality: 1, freshness: 2, depth: 3, clarity: 4}\nflags: {has_images: true}\nnotes: [n]\n",
        );
        let rows = rows(&m, &no_terms);
        let keys: Vec<&str> = rows.iter().map(|r| r.key).collect();
        assert_eq!(keys, ["brief", "stack", "score", "flags", "notes"]);
        let table: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| table.iter().position(|t| t == k).unwrap())
            .collect();
        assert!(positions.is_sorted(), "rows come in table order");
        let brief = &rows[0];
        assert_eq!(
            (brief.label, brief.kind, brief.text.as_str()),
            ("ai brief", "text", "b")
        );
        let stack = &rows[1];
        assert_eq!(stack.kind, "list");
        assert_eq!(
            stack
                .items
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>(),
            ["redis", "nginx"]
        );
        let score = &rows[2];
        assert_eq!(score.kind, "map");
        assert_eq!(score.entries.len(), 4);
        assert_eq!(rows[4].kind, "list");
    }

    #[test]
    fn taxonomy_values_link_to_their_term_pages() {
        let m = meta("title: t\ndate: 2026-07-01\nstack: [redis]\ndifficulty: advanced\n");
        let term_url = |kind: Kind, name: &str| Some(format!("/{}/{name}/", kind.name()));
        let rows = rows(&m, &term_url);
        assert_eq!(rows[0].items[0].url.as_deref(), Some("/stack/redis/"));
        assert_eq!(rows[1].key, "difficulty");
        assert_eq!(rows[1].url.as_deref(), Some("/difficulty/advanced/"));
    }
}
