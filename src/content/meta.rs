//! The post meta of an article, in two steps: `RawMeta` is what serde can
//! read (shapes and primitive types), `Meta` is what the rest of the pipeline
//! may rely on (dates parsed, scores in range, enums known). `validate` turns
//! one into the other and returns every problem, not just the first.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize, Serializer};

use crate::diag::did_you_mean;

/// One front-matter field: its key and, for fields the meta box shows, the
/// label the page prints (and an export carries, fused with the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: Option<&'static str>,
}

const fn field(key: &'static str, label: &'static str) -> Field {
    Field {
        key,
        label: Some(label),
    }
}

const fn unboxed(key: &'static str) -> Field {
    Field { key, label: None }
}

/// Every front-matter field, in the order the meta box shows them: the one
/// place a key and its label are written. `RawMeta` must have exactly these
/// fields, in this order (a test compares serde's own list).
pub const FIELDS: [Field; 24] = [
    unboxed("title"),
    unboxed("slug"),
    unboxed("date"),
    unboxed("draft"),
    field("topic", "topic"),
    field("summary", "summary"),
    field("outline", "ai outline"),
    field("brief", "ai brief"),
    field("stack", "stack"),
    field("tools", "tools"),
    field("code_language", "code language"),
    field("difficulty", "difficulty"),
    field("reading_time", "reading time"),
    field("view_count", "view count"),
    field("score", "score"),
    field("revision", "revision"),
    field("reference", "reference"),
    field("hash", "hash"),
    field("flags", "flags"),
    field("checklist", "checklist"),
    field("entities", "entities"),
    field("image_sources", "image sources"),
    field("payload", "payload"),
    field("notes", "notes"),
];

/// Every front-matter key, in table order.
pub fn keys() -> impl Iterator<Item = &'static str> + Clone {
    FIELDS.iter().map(|f| f.key)
}

pub fn is_key(key: &str) -> bool {
    FIELDS.iter().any(|f| f.key == key)
}

/// The meta box label of `key`. Only keys of the table with a label are
/// asked for, so anything else is a bug caught by the tests.
pub fn label(key: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .and_then(|f| f.label)
        .unwrap_or_else(|| panic!("`{key}` has no meta box label in FIELDS"))
}

/// Serializing it back (for `import` and `synth`) writes the keys in this
/// order and leaves out the absent ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outline: Option<Outline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brief: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<RawScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<RawRevision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Flags>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<Entity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_sources: Option<Vec<ImageSource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Payload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Outline {
    pub context: String,
    pub problem: String,
    pub stack: String,
    pub recommended_action: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScore {
    pub quality: i64,
    pub freshness: i64,
    pub depth: i64,
    pub clarity: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRevision {
    pub status: String,
    pub version: String,
    pub last_reviewed: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Flags {
    pub ai_generated_style: bool,
    pub has_images: bool,
    pub image_heavy: bool,
    pub needs_human_review: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSource {
    /// The host credited in the caption; defaults to the URL's host.
    #[serde(default)]
    pub source: String,
    pub url: String,
    pub caption: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraphs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Payload {
    /// The fields that are set, with the labels readers see.
    pub fn labeled(&self) -> Vec<(&'static str, String)> {
        let all = [
            ("source id", self.source_id.clone()),
            ("generator", self.generator.clone()),
            ("paragraphs", self.paragraphs.map(|n| n.to_string())),
            ("scenario", self.scenario.clone()),
            ("seed", self.seed.map(|n| n.to_string())),
        ];
        all.into_iter()
            .filter_map(|(label, value)| Some((label, value?)))
            .collect()
    }
}

impl Flags {
    /// Every flag with the label readers see.
    pub fn labeled(&self) -> [(&'static str, bool); 4] {
        [
            ("ai generated style", self.ai_generated_style),
            ("has images", self.has_images),
            ("image heavy", self.image_heavy),
            ("needs human review", self.needs_human_review),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

impl Difficulty {
    pub const NAMES: [&str; 3] = ["beginner", "intermediate", "advanced"];

    fn parse(s: &str) -> Option<Difficulty> {
        match s {
            "beginner" => Some(Difficulty::Beginner),
            "intermediate" => Some(Difficulty::Intermediate),
            "advanced" => Some(Difficulty::Advanced),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    pub quality: u8,
    pub freshness: u8,
    pub depth: u8,
    pub clarity: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub status: String,
    #[serde(serialize_with = "as_display")]
    pub version: semver::Version,
    #[serde(serialize_with = "as_display")]
    pub last_reviewed: NaiveDate,
}

/// Validated post meta. Optional fields stay `None` when the source left
/// them out, so the meta box shows exactly what the writer gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub title: String,
    pub slug: Option<String>,
    #[serde(serialize_with = "as_display")]
    pub date: NaiveDate,
    pub draft: bool,
    pub topic: Option<String>,
    pub summary: Option<String>,
    pub outline: Option<Outline>,
    pub brief: Option<String>,
    pub stack: Vec<String>,
    pub tools: Vec<String>,
    pub code_language: Option<String>,
    pub difficulty: Option<Difficulty>,
    pub reading_time: Option<u32>,
    pub view_count: Option<u64>,
    pub score: Option<Score>,
    pub revision: Option<Revision>,
    pub reference: Option<String>,
    pub hash: Option<String>,
    pub flags: Option<Flags>,
    pub checklist: Vec<String>,
    pub entities: Vec<Entity>,
    pub image_sources: Vec<ImageSource>,
    pub payload: Option<Payload>,
    pub notes: Vec<String>,
}

fn as_display<T: std::fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// One validation problem: the key path it is about (for its position in the
/// source) and what is wrong, phrased so the writer knows what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<String>,
    pub message: String,
}

impl Problem {
    pub fn new(path: &[&str], message: impl Into<String>) -> Self {
        Problem {
            path: path.iter().map(|s| s.to_string()).collect(),
            message: message.into(),
        }
    }
}

/// Collects problems while validating so one pass reports all of them.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, path: &[&str], message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn date(&mut self, path: &[&str], text: &str) -> Option<NaiveDate> {
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10);
        // Year 0 exists for chrono, not for a calendar a reader knows, and
        // a feed's RFC 3339 date cannot hold it.
        if parsed.is_some_and(|d| d.year() < 1) {
            self.report(
                path,
                format!(
                    "`{}` is `{text}`: there is no year 0; write YYYY-MM-DD",
                    path.join(".")
                ),
            );
            return None;
        }
        if parsed.is_none() {
            self.report(
                path,
                format!(
                    "`{}` is `{text}`, which is not a date; write YYYY-MM-DD",
                    path.join(".")
                ),
            );
        }
        parsed
    }

    fn percent(&mut self, field: &str, value: i64) -> u8 {
        match u8::try_from(value) {
            Ok(v) if v <= 100 => v,
            _ => {
                self.report(
                    &["score", field],
                    format!("`score.{field}` is {value}; scores must be within 0..=100"),
                );
                0
            }
        }
    }

    fn non_negative(&mut self, key: &str, value: Option<i64>) -> Option<u64> {
        let value = value?;
        let converted = u64::try_from(value).ok();
        if converted.is_none() {
            self.report(&[key], format!("`{key}` is {value}; it cannot be negative"));
        }
        converted
    }

    fn list(&mut self, key: &str, items: Option<Vec<String>>) -> Vec<String> {
        let items = items.unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            if item.trim().is_empty() {
                self.report(
                    &[key, &i.to_string()],
                    format!("`{key}` item {} is empty", i + 1),
                );
            }
        }
        items
    }
}

/// Checks ranges, dates, enums and cross-field rules; returns the typed meta
/// or every problem found.
pub fn validate(raw: RawMeta) -> Result<Meta, Vec<Problem>> {
    let mut c = Checker::default();

    let title = raw.title.unwrap_or_default();
    if title.trim().is_empty() {
        c.report(
            &["title"],
            "`title` is missing or empty; every article needs a title",
        );
    }
    if let Some(slug) = &raw.slug
        && let Err(why) = check_slug(slug)
    {
        c.report(&["slug"], why);
    }

    // "no date" only when neither field is there: a bad one is reported
    // as bad, not also as missing.
    let has_date_field = raw.date.is_some() || raw.revision.is_some();
    let date = raw.date.as_deref().and_then(|d| c.date(&["date"], d));
    let revision = raw.revision.and_then(|r| validate_revision(&mut c, r));
    let date = date.or(revision.as_ref().map(|r| r.last_reviewed));
    if date.is_none() && !has_date_field {
        c.report(
            &["date"],
            "no date: set `date`, or `revision.last_reviewed`",
        );
    }

    let difficulty = raw.difficulty.as_deref().and_then(|d| {
        let parsed = Difficulty::parse(d);
        if parsed.is_none() {
            let hint = did_you_mean(d, Difficulty::NAMES)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            c.report(
                &["difficulty"],
                format!(
                    "unknown difficulty `{d}`; {hint}use one of: beginner, intermediate, advanced"
                ),
            );
        }
        parsed
    });

    let score = raw.score.map(|s| Score {
        quality: c.percent("quality", s.quality),
        freshness: c.percent("freshness", s.freshness),
        depth: c.percent("depth", s.depth),
        clarity: c.percent("clarity", s.clarity),
    });

    let image_sources = raw.image_sources.unwrap_or_default();
    for (i, image) in image_sources.iter().enumerate() {
        if !is_image_url(&image.url) {
            c.report(
                &["image_sources", &i.to_string(), "url"],
                format!(
                    "image source url `{}` must be an http:// or https:// URL, or a path on this site",
                    image.url
                ),
            );
        }
    }
    let entities = raw.entities.unwrap_or_default();
    for (i, entity) in entities.iter().enumerate() {
        if entity.name.trim().is_empty() {
            c.report(
                &["entities", &i.to_string(), "name"],
                format!("entity {} has an empty name", i + 1),
            );
        }
    }

    let reading_time = c.non_negative("reading_time", raw.reading_time);
    let reading_time = reading_time.and_then(|m| {
        let minutes = u32::try_from(m).ok();
        if minutes.is_none() {
            c.report(
                &["reading_time"],
                format!("`reading_time` of {m} minutes is not plausible"),
            );
        }
        minutes
    });
    let view_count = c.non_negative("view_count", raw.view_count);
    let stack = c.list("stack", raw.stack);
    let tools = c.list("tools", raw.tools);
    let checklist = c.list("checklist", raw.checklist);
    let notes = c.list("notes", raw.notes);

    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    Ok(Meta {
        title,
        slug: raw.slug,
        date: date.expect("a missing date was reported above"),
        draft: raw.draft.unwrap_or(false),
        topic: raw.topic,
        summary: raw.summary,
        outline: raw.outline,
        brief: raw.brief,
        stack,
        tools,
        code_language: raw.code_language,
        difficulty,
        reading_time,
        view_count,
        score,
        revision,
        reference: raw.reference,
        hash: raw.hash,
        flags: raw.flags,
        checklist,
        entities,
        image_sources,
        payload: raw.payload,
        notes,
    })
}

fn validate_revision(c: &mut Checker, r: RawRevision) -> Option<Revision> {
    let version = semver::Version::parse(&r.version);
    if version.is_err() {
        c.report(
            &["revision", "version"],
            format!(
                "`revision.version` `{}` is not a version like 1.2.7",
                r.version
            ),
        );
    }
    let last_reviewed = c.date(&["revision", "last_reviewed"], &r.last_reviewed);
    Some(Revision {
        status: r.status,
        version: version.ok()?,
        last_reviewed: last_reviewed?,
    })
}

/// The longest slug: it becomes a folder name and `<slug>.md`, and file
/// systems allow 255 bytes a name.
pub const MAX_SLUG_BYTES: usize = 200;

/// A slug becomes a folder name in the output, so it is kept to characters
/// that are safe in every file system and URL, and can never climb out.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.len() > MAX_SLUG_BYTES {
        return Err(format!(
            "slug `{}…` is {} bytes; slugs are at most {MAX_SLUG_BYTES} (it becomes a folder name)",
            &slug[..slug.floor_char_boundary(40)],
            slug.len()
        ));
    }
    let ok = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !slug.starts_with(['-', '_']);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "slug `{slug}` may only contain a-z, 0-9, '-' and '_' and must start with a letter or digit"
        ))
    }
}

/// A URL-safe folder name made from free text (a title, a term). Text with
/// no letters or digits gets `PREFIX-<hash>` instead of an empty name, the
/// same for the same text. A long text is cut at a word boundary to fit
/// `MAX_SLUG_BYTES`.
pub fn slug_from(text: &str, prefix: &str) -> String {
    let mut slug = slug::slugify(text);
    if slug.is_empty() {
        return format!("{prefix}-{}", &blake3::hash(text.as_bytes()).to_hex()[..8]);
    }
    if slug.len() > MAX_SLUG_BYTES {
        // Slugs are ASCII; cut at the last word break that fits.
        let cut = slug[..=MAX_SLUG_BYTES].rfind('-').unwrap_or(MAX_SLUG_BYTES);
        slug.truncate(cut);
    }
    slug
}

/// An image source is a web URL or a path on this site, nothing else.
fn is_image_url(url: &str) -> bool {
    use crate::url::{UrlKind, classify, is_web_url};
    is_web_url(url) || (!url.trim().is_empty() && classify(url) == UrlKind::Site)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(yaml: &str) -> RawMeta {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn minimal_article_validates() {
        let meta = validate(raw("title: hi\ndate: 2026-07-01")).unwrap();
        assert_eq!(meta.title, "hi");
        assert_eq!(meta.date.to_string(), "2026-07-01");
    }

    #[test]
    fn the_field_table_is_exactly_raw_meta_in_order() {
        // serde lists a struct's fields, in order, when it meets an unknown one.
        let error = serde_yaml::from_str::<RawMeta>("not_a_field: 1").unwrap_err();
        let text = error.to_string();
        let serde_fields: Vec<&str> = text
            .split_once("expected one of")
            .expect("serde names the expected fields")
            .1
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        assert_eq!(serde_fields, keys().collect::<Vec<_>>());
        for f in FIELDS.iter().filter(|f| f.label.is_some()) {
            assert_eq!(label(f.key), f.label.unwrap());
        }
    }

    #[test]
    fn date_defaults_to_last_reviewed() {
        let meta = validate(raw(
            "title: hi\nrevision: {status: drafted, version: 1.2.7, last_reviewed: 2026-07-01}",
        ))
        .unwrap();
        assert_eq!(meta.date.to_string(), "2026-07-01");
    }

    #[test]
    fn reports_every_problem_at_once() {
        let problems = validate(raw(
            "title: ''\ndate: 2026-13-01\ndifficulty: intermedate\nscore: {quality: 140, freshness: 1, depth: 2, clarity: -1}",
        ))
        .unwrap_err();
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 5, "{messages:#?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `intermediate`"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`score.quality` is 140"))
        );
        assert!(messages.iter().any(|m| m.contains("`score.clarity` is -1")));
    }

    #[test]
    fn slugs_cannot_escape_or_shout() {
        assert!(check_slug("redis-notes_2").is_ok());
        for bad in ["../../x", "a/b", "", "Caps", "-x", ".hidden", "a b"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn image_urls_must_be_web_urls() {
        use crate::url::is_web_url;
        assert!(is_web_url("https://placehold.co/1.png"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:image/png;base64,xx"));
        assert!(is_image_url("/img/a.png") && is_image_url("img/a.png"));
        assert!(!is_image_url("mailto:x@y.z") && !is_image_url("data:x") && !is_image_url(""));
    }
}
