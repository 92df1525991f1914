//! The machinery behind the post-meta field table in `meta.rs`: what a
//! field's value looks like to the meta box and to an export (`Shown`), and
//! how an export's text is read back (`FieldValue`). `meta_fields!` turns one
//! declaration per field into `RawMeta`, `Meta` and `FIELDS`; `record!` does
//! the same for the nested maps (`outline`, `score`, …) and their labels.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::kind::Kind;

/// One front-matter field, as declared in `meta.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    pub key: &'static str,
    /// The label the meta box prints and an export carries, fused with the
    /// value. `None` for fields the page shows elsewhere (title, date).
    pub(crate) label: Option<&'static str>,
    /// The taxonomy whose term pages the field's values link to.
    pub(crate) taxonomy: Option<Kind>,
    /// The YAML value `notesite new` writes (`{date}` is today); `None`
    /// leaves the key out of the skeleton.
    pub skeleton: Option<&'static str>,
}

/// A field's value in the shape the meta box and the export show it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shown {
    Text(String),
    List(Vec<String>),
    /// `label: value` pairs of a nested map (`score`, `flags`).
    Map(Vec<(&'static str, Value)>),
    /// Repeated groups of pairs (`entities`, `image_sources`).
    Records(Vec<Vec<(&'static str, Value)>>),
}

impl Shown {
    /// Whether the meta box would show it as an empty row: blank text, or
    /// a map of blank texts. A list or a group of records is left out of
    /// the box when empty, so it is never an empty row.
    fn is_blank(&self) -> bool {
        let blank = |v: &Value| matches!(v, Value::Text(t) if t.trim().is_empty());
        match self {
            Shown::Text(text) => text.trim().is_empty(),
            Shown::List(_) | Shown::Records(_) => false,
            Shown::Map(entries) => entries.iter().all(|(_, v)| blank(v)),
        }
    }
}

/// One value inside a map: flags read yes/no on the page and 1/0 in an
/// export, so they stay booleans until then.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Flag(bool),
}

/// What the meta box and the export show for a value; `None` for an absent
/// optional one.
pub(crate) trait Showable {
    fn shown(&self) -> Option<Shown>;

    /// Whether it is shown as an empty row (see `Shown::is_blank`).
    /// Asked of every article as it is read: text and lists answer
    /// without making what `shown` makes.
    fn blank(&self) -> bool {
        self.shown().is_some_and(|shown| shown.is_blank())
    }
}

/// Text that is never blank: numbers, flags, dates, versions.
macro_rules! never_blank {
    () => {
        fn blank(&self) -> bool {
            false
        }
    };
}
pub(crate) use never_blank;

impl<T: Showable> Showable for Option<T> {
    fn shown(&self) -> Option<Shown> {
        self.as_ref()?.shown()
    }

    fn blank(&self) -> bool {
        self.as_ref().is_some_and(T::blank)
    }
}

macro_rules! show_as_text {
    ($($ty:ty),*) => {$(
        impl Showable for $ty {
            fn shown(&self) -> Option<Shown> {
                Some(Shown::Text(self.to_string()))
            }
            never_blank!();
        }
    )*};
}
show_as_text!(i64, u32, u64, bool, NaiveDate);

impl Showable for String {
    fn shown(&self) -> Option<Shown> {
        Some(Shown::Text(self.clone()))
    }

    fn blank(&self) -> bool {
        self.trim().is_empty()
    }
}

impl Showable for Vec<String> {
    fn shown(&self) -> Option<Shown> {
        Some(Shown::List(self.clone()))
    }

    fn blank(&self) -> bool {
        false
    }
}

impl<T: Record> Showable for Vec<T> {
    fn shown(&self) -> Option<Shown> {
        Some(Shown::Records(self.iter().map(Record::entries).collect()))
    }

    fn blank(&self) -> bool {
        false
    }
}

/// A nested map of labelled values, declared with `record!`.
pub(crate) trait Record: Sized {
    /// The labels of its entries, in order.
    const LABELS: &'static [&'static str];
    fn entries(&self) -> Vec<(&'static str, Value)>;
    /// Builds it from looked-up entries: `find(label)` gives the entry's
    /// line and text.
    fn read(
        find: &mut dyn FnMut(&'static str) -> Option<(usize, String)>,
    ) -> Result<Self, ReadError>;
}

/// An entry an export could not be read into: which label, where (when the
/// entry was there), the text, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    pub(crate) label: &'static str,
    pub(crate) found: Option<(usize, String)>,
    pub(crate) wrong: Wrong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrong {
    Missing,
    NotANumber,
    NotAFlag,
}

/// A value inside a record: how it shows and how it reads from text.
pub(crate) trait Entry: Sized {
    fn value(&self) -> Option<Value>;
    /// Whether it is left out of its map or shown as blank text: a map
    /// of such entries is an empty row (`Shown::is_blank`).
    fn blank(&self) -> bool {
        self.value()
            .is_none_or(|v| matches!(v, Value::Text(t) if t.trim().is_empty()))
    }
    fn read(label: &'static str, found: Option<(usize, String)>) -> Result<Self, ReadError>;
}

fn fail<T>(
    label: &'static str,
    found: Option<(usize, String)>,
    wrong: Wrong,
) -> Result<T, ReadError> {
    Err(ReadError {
        label,
        found,
        wrong,
    })
}

impl Entry for String {
    fn value(&self) -> Option<Value> {
        Some(Value::Text(self.clone()))
    }
    fn blank(&self) -> bool {
        self.trim().is_empty()
    }
    fn read(label: &'static str, found: Option<(usize, String)>) -> Result<Self, ReadError> {
        match found {
            Some((_, text)) => Ok(text),
            None => fail(label, None, Wrong::Missing),
        }
    }
}

impl Entry for i64 {
    fn value(&self) -> Option<Value> {
        Some(Value::Text(self.to_string()))
    }
    never_blank!();
    fn read(label: &'static str, found: Option<(usize, String)>) -> Result<Self, ReadError> {
        let Some((line, text)) = found else {
            return fail(label, None, Wrong::Missing);
        };
        text.parse()
            .or_else(|_| fail(label, Some((line, text)), Wrong::NotANumber))
    }
}

/// An absent flag is off.
impl Entry for bool {
    fn value(&self) -> Option<Value> {
        Some(Value::Flag(*self))
    }
    never_blank!();
    fn read(label: &'static str, found: Option<(usize, String)>) -> Result<Self, ReadError> {
        match found.as_ref().map(|(_, text)| text.as_str()) {
            None | Some("0" | "false" | "no") => Ok(false),
            Some("1" | "true" | "yes") => Ok(true),
            Some(_) => fail(label, found, Wrong::NotAFlag),
        }
    }
}

impl Entry for Option<String> {
    fn value(&self) -> Option<Value> {
        self.clone().map(Value::Text)
    }
    fn blank(&self) -> bool {
        self.as_ref().is_none_or(|text| text.trim().is_empty())
    }
    fn read(_: &'static str, found: Option<(usize, String)>) -> Result<Self, ReadError> {
        Ok(found.map(|(_, text)| text))
    }
}

macro_rules! optional_number_entry {
    ($($ty:ty),*) => {$(
        impl Entry for Option<$ty> {
            fn value(&self) -> Option<Value> {
                self.map(|n| Value::Text(n.to_string()))
            }
            fn blank(&self) -> bool {
                self.is_none()
            }
            fn read(label: &'static str, found: Option<(usize, String)>) -> Result<Self, ReadError> {
                let Some((line, text)) = found.filter(|(_, t)| !t.trim().is_empty()) else {
                    return Ok(None);
                };
                text.trim().parse()
                    .map(Some)
                    .or_else(|_| fail(label, Some((line, text)), Wrong::NotANumber))
            }
        }
    )*};
}
optional_number_entry!(u32, u64);

/// How a field's export text is read: the shape to parse it as, then the
/// value from that shape.
pub(crate) trait FieldValue: Showable + Sized {
    const SHAPE: Shape;
    /// For records, the labels an entry may have.
    const LABELS: &'static [&'static str] = &[];
    fn read(input: Input<'_>) -> Result<Self, ReadError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Text,
    List,
    Map,
    Records,
}

/// An export entry parsed into its shape.
pub(crate) enum Input<'a> {
    Text { line: usize, text: String },
    List(Vec<String>),
    Map(&'a mut dyn FnMut(&'static str) -> Option<(usize, String)>),
    Records(Vec<HashMap<String, String>>),
}

impl FieldValue for String {
    const SHAPE: Shape = Shape::Text;
    fn read(input: Input<'_>) -> Result<Self, ReadError> {
        match input {
            Input::Text { text, .. } => Ok(text),
            _ => unreachable!("read as its shape"),
        }
    }
}

impl FieldValue for i64 {
    const SHAPE: Shape = Shape::Text;
    fn read(input: Input<'_>) -> Result<Self, ReadError> {
        match input {
            Input::Text { line, text } => text
                .trim()
                .parse()
                .or_else(|_| fail("", Some((line, text)), Wrong::NotANumber)),
            _ => unreachable!("read as its shape"),
        }
    }
}

impl FieldValue for Vec<String> {
    const SHAPE: Shape = Shape::List;
    fn read(input: Input<'_>) -> Result<Self, ReadError> {
        match input {
            Input::List(items) => Ok(items),
            _ => unreachable!("read as its shape"),
        }
    }
}

/// Records miss nothing: an entry left out reads as empty.
impl<T: Record> FieldValue for Vec<T> {
    const SHAPE: Shape = Shape::Records;
    const LABELS: &'static [&'static str] = T::LABELS;
    fn read(input: Input<'_>) -> Result<Self, ReadError> {
        let Input::Records(records) = input else {
            unreachable!("read as its shape")
        };
        records
            .into_iter()
            .map(|mut r| T::read(&mut |label| Some((0, r.remove(label).unwrap_or_default()))))
            .collect()
    }
}

/// `bool` is a field (`draft`) but never in an export; reading one is a bug.
impl FieldValue for bool {
    const SHAPE: Shape = Shape::Text;
    fn read(_: Input<'_>) -> Result<Self, ReadError> {
        unreachable!("only labelled fields are read from an export")
    }
}

/// Declares a nested map of the post meta: the struct (serde attributes
/// pass through) with the label of each entry, once.
macro_rules! record {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fattr:meta])* $field:ident : $ty:ty = $label:literal ),* $(,)?
        }
    ) => {
        #[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields)]
        $(#[$attr])*
        $vis struct $name {
            $( $(#[$fattr])* pub $field: $ty, )*
        }

        impl $crate::content::schema::Record for $name {
            const LABELS: &'static [&'static str] = &[$($label),*];

            fn entries(&self) -> Vec<(&'static str, $crate::content::schema::Value)> {
                use $crate::content::schema::Entry;
                [$( ($label, self.$field.value()) ),*]
                    .into_iter()
                    .filter_map(|(label, value)| Some((label, value?)))
                    .collect()
            }

            fn read(
                find: &mut dyn FnMut(&'static str) -> Option<(usize, String)>,
            ) -> Result<Self, $crate::content::schema::ReadError> {
                use $crate::content::schema::Entry;
                Ok($name { $( $field: <$ty>::read($label, find($label))?, )* })
            }
        }

        impl $crate::content::schema::Showable for $name {
            fn shown(&self) -> Option<$crate::content::schema::Shown> {
                use $crate::content::schema::Record;
                Some($crate::content::schema::Shown::Map(self.entries()))
            }

            /// Without making the entries: asked of every article read.
            fn blank(&self) -> bool {
                true $( && <$ty as $crate::content::schema::Entry>::blank(&self.$field) )*
            }
        }

        impl $crate::content::schema::FieldValue for $name {
            const SHAPE: $crate::content::schema::Shape = $crate::content::schema::Shape::Map;
            fn read(
                input: $crate::content::schema::Input<'_>,
            ) -> Result<Self, $crate::content::schema::ReadError> {
                use $crate::content::schema::{Input, Record};
                let Input::Map(find) = input else { unreachable!("read as its shape") };
                <$name as Record>::read(find)
            }
        }
    };
}
pub(crate) use record;

/// Declares the post meta, one line per field: its key, the type serde
/// reads (`RawMeta`, every field optional), the validated type (`Meta`),
/// and its `Field` entry (label, taxonomy, `new` skeleton). Fields come in
/// the order the meta box shows them and `import` writes them.
macro_rules! meta_fields {
    // The labelled fields of `$this` that are set, in table order: the
    // body of both `shown`s.
    (@shown $this:ident, $($key:ident)*) => {{
        use $crate::content::schema::Showable;
        let mut fields = FIELDS.iter();
        let mut shown = Vec::new();
        $(
            let field = fields.next().expect("one entry per field");
            if field.label.is_some() && let Some(value) = $this.$key.shown() {
                shown.push((field, value));
            }
        )*
        shown
    }};
    (@blank $this:ident, $($key:ident)*) => {{
        use $crate::content::schema::Showable;
        let mut fields = FIELDS.iter();
        let mut blank = Vec::new();
        $(
            let field = fields.next().expect("one entry per field");
            if field.label.is_some() && $this.$key.blank() {
                blank.push(field.key);
            }
        )*
        blank
    }};
    (
        $(
            $key:ident : $raw:ty => $(#[$mattr:meta])* $typed:ty,
            label $label:expr, taxonomy $taxonomy:expr, new $skeleton:expr;
        )*
    ) => {
        /// What serde can read: shapes and primitive types. Serializing it
        /// back (for `import` and `synth`) writes the keys in table order
        /// and leaves out the absent ones.
        #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct RawMeta {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                pub(crate) $key: Option<$raw>,
            )*
        }

        /// Validated post meta. Optional fields stay `None` when the source
        /// left them out, so the meta box shows exactly what the writer gave.
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        pub struct Meta {
            $( $(#[$mattr])* pub $key: $typed, )*
        }

        /// Every front-matter field, in table order.
        pub(crate) const FIELDS: &[$crate::content::schema::Field] = &[
            $(
                $crate::content::schema::Field {
                    key: stringify!($key),
                    label: $label,
                    taxonomy: $taxonomy,
                    skeleton: $skeleton,
                },
            )*
        ];

        impl RawMeta {
            /// The labelled fields that are set, in table order, as an
            /// export writes them.
            pub(crate) fn shown(&self) -> Vec<(&'static $crate::content::schema::Field, $crate::content::schema::Shown)> {
                meta_fields!(@shown self, $($key)*)
            }

            /// Sets the field `key` from export text parsed by `parse`,
            /// which is given the field and the shape to parse it as.
            pub(crate) fn read_field<E>(
                &mut self,
                field: &'static $crate::content::schema::Field,
                parse: impl FnOnce(
                    $crate::content::schema::Shape,
                    &'static [&'static str],
                    &mut dyn FnMut($crate::content::schema::Input<'_>) -> Result<(), $crate::content::schema::ReadError>,
                ) -> Result<(), E>,
            ) -> Result<(), E> {
                use $crate::content::schema::FieldValue;
                match field.key {
                    $(
                        stringify!($key) => parse(
                            <$raw as FieldValue>::SHAPE,
                            <$raw as FieldValue>::LABELS,
                            &mut |input| {
                                self.$key = Some(<$raw as FieldValue>::read(input)?);
                                Ok(())
                            },
                        ),
                    )*
                    other => unreachable!("`{other}` is not in FIELDS"),
                }
            }
        }

        impl Meta {
            /// The labelled fields, in table order, as the meta box shows
            /// them (empty lists included: the box leaves them out).
            pub(crate) fn shown(&self) -> Vec<(&'static $crate::content::schema::Field, $crate::content::schema::Shown)> {
                meta_fields!(@shown self, $($key)*)
            }

            /// The keys of the labelled fields the meta box would show as
            /// an empty row (see `Showable::blank`), in table order.
            pub(crate) fn blank_rows(&self) -> Vec<&'static str> {
                meta_fields!(@blank self, $($key)*)
            }
        }
    };
}
pub(crate) use meta_fields;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `blank_rows`, which answers without making what the box shows, names
    /// the rows the box would show empty: for a new article's skeleton,
    /// maps half blank and wholly blank, and every `synth` article.
    #[test]
    fn blank_rows_are_the_rows_the_box_shows_empty() {
        let half_blank = "---\ntitle: t\ndate: 2026-01-01\nsummary: ' '\n\
             outline: {context: '', problem: ' ', stack: '', recommended_action: ''}\n\
             payload: {source_id: '', generator: '', paragraphs: 0, scenario: '', seed: 0}\n\
             revision: {status: '', version: 1.0.0, last_reviewed: 2026-01-01}\n\
             flags: {ai_generated_style: false}\n---\nbody\n";
        let mut texts = vec![
            crate::content::article_skeleton("a title", "2026-11-30"),
            half_blank.to_string(),
        ];
        texts.extend((0..50).map(|i| crate::export::to_source(&crate::synth::document(3, i))));
        let mut blank_seen = 0;
        for text in texts {
            let article = crate::content::parse_article(Path::new("x.md"), &text).unwrap();
            let shown_blank: Vec<&str> = (article.meta.shown().into_iter())
                .filter(|(_, shown)| shown.is_blank())
                .map(|(field, _)| field.key)
                .collect();
            assert_eq!(article.meta.blank_rows(), shown_blank, "{text}");
            blank_seen += shown_blank.len();
        }
        assert!(
            blank_seen >= 5,
            "the skeleton and the half-blank article have blank rows"
        );
    }
}
