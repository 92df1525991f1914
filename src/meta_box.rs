//! The post meta box: every meta field as a row the template can show
//! without knowing the schema. Lists stay lists, nested maps become nested
//! definition lists, flags read yes/no, and taxonomy values link to their
//! term pages.

use serde::Serialize;

use crate::content::meta::Meta;
use crate::content::schema::{Field, Shown, Value};
use crate::kind::Kind;

#[derive(Debug, Serialize)]
pub(crate) struct MetaField {
    /// The front-matter key, for CSS hooks: `meta-image_sources`.
    pub(crate) key: &'static str,
    /// What the reader sees: `image sources`.
    pub(crate) label: &'static str,
    /// `text`, `list`, `map` or `records`.
    pub(crate) kind: &'static str,
    pub(crate) text: String,
    pub(crate) url: Option<String>,
    pub(crate) items: Vec<Item>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) records: Vec<Vec<Entry>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Item {
    pub(crate) text: String,
    pub(crate) url: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Entry {
    pub(crate) label: &'static str,
    pub(crate) text: String,
    pub(crate) url: Option<String>,
}

/// A term page URL for a taxonomy value, if that taxonomy is built.
pub(crate) type TermUrl<'a> = &'a dyn Fn(Kind, &str) -> Option<String>;

/// The rows of the meta box, in field table order. Fields the article left
/// out, and empty lists, are left out of the box too.
pub(crate) fn rows(meta: &Meta, term_url: TermUrl) -> Vec<MetaField> {
    meta.shown()
        .into_iter()
        .filter_map(|(field, shown)| row(field, shown, term_url))
        .collect()
}

fn row(field: &Field, shown: Shown, term_url: TermUrl) -> Option<MetaField> {
    let link = |text: &str| field.taxonomy.and_then(|kind| term_url(kind, text));
    let mut row = MetaField {
        key: field.key,
        label: field.label.expect("only labelled fields are shown"),
        kind: "text",
        text: String::new(),
        url: None,
        items: Vec::new(),
        entries: Vec::new(),
        records: Vec::new(),
    };
    match shown {
        Shown::Text(text) => {
            row.url = link(&text);
            row.text = text;
        }
        Shown::List(values) if values.is_empty() => return None,
        Shown::List(values) => {
            row.kind = "list";
            row.items = values
                .into_iter()
                .map(|text| Item {
                    url: link(&text),
                    text,
                })
                .collect();
        }
        Shown::Map(pairs) => {
            row.kind = "map";
            row.entries = pairs.into_iter().map(entry).collect();
        }
        Shown::Records(records) if records.is_empty() => return None,
        Shown::Records(records) => {
            row.kind = "records";
            // A record links by its first entry: an entity by its name.
            row.records = records
                .into_iter()
                .map(|pairs| {
                    let mut entries: Vec<Entry> = pairs.into_iter().map(entry).collect();
                    if let Some(first) = entries.first_mut() {
                        first.url = link(&first.text);
                    }
                    entries
                })
                .collect();
        }
    }
    Some(row)
}

fn entry((label, value): (&'static str, Value)) -> Entry {
    let text = match value {
        Value::Text(text) => text,
        Value::Flag(on) => if on { "yes" } else { "no" }.to_string(),
    };
    Entry {
        label,
        text,
        url: None,
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
