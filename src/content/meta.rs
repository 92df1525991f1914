//! The post meta of an article, in two steps: `RawMeta` is what serde can
//! read (shapes and primitive types), `Meta` is what the rest of the pipeline
//! may rely on (dates parsed, scores in range, enums known). `validate` turns
//! one into the other and returns every problem, not just the first.

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

use super::schema::{Record, Showable, Shown, Value, meta_fields, never_blank, record};
use crate::diag::did_you_mean;
use crate::kind::Kind;
use crate::schedule::{Dates, Moment};
pub(crate) use crate::yaml::KeyProblem as Problem;

// The post meta, one field per line, in the order the meta box shows them:
// key: type serde reads => validated type, then its label on the page and
// in exports, the taxonomy its values link to, and what `notesite new`
// writes. Adding a field is a line here plus its rule in `validate`.
meta_fields! {
    title: String => String, label None, taxonomy None, new Some("{title}");
    slug: String => Option<String>, label None, taxonomy None, new None;
    aliases: Vec<String> => Vec<String>, label None, taxonomy None, new Some("[]");
    date: String => #[serde(serialize_with = "as_display")] NaiveDate,
        label None, taxonomy None, new Some("{date}");
    draft: bool => bool, label None, taxonomy None, new Some("true");
    publish_date: String => Option<Moment>, label Some("publish date"), taxonomy None, new None;
    expiry_date: String => Option<Moment>, label Some("expiry date"), taxonomy None, new None;
    topic: String => Option<String>, label Some("topic"), taxonomy None, new Some("\"\"");
    summary: String => Option<String>, label Some("summary"), taxonomy None, new Some("\"\"");
    outline: Outline => Option<Outline>, label Some("ai outline"), taxonomy None,
        new Some("{context: \"\", problem: \"\", stack: \"\", recommended_action: \"\"}");
    brief: String => Option<String>, label Some("ai brief"), taxonomy None, new Some("\"\"");
    stack: Vec<String> => Vec<String>, label Some("stack"), taxonomy Some(Kind::Stack), new Some("[]");
    tools: Vec<String> => Vec<String>, label Some("tools"), taxonomy Some(Kind::Tools), new Some("[]");
    code_language: String => Option<String>, label Some("code language"), taxonomy None,
        new Some("text");
    difficulty: String => Option<Difficulty>, label Some("difficulty"),
        taxonomy Some(Kind::Difficulty), new Some("beginner");
    reading_time: i64 => Option<u32>, label Some("reading time"), taxonomy None, new Some("1");
    view_count: i64 => Option<u64>, label Some("view count"), taxonomy None, new Some("0");
    score: RawScore => Option<Score>, label Some("score"), taxonomy None,
        new Some("{quality: 0, freshness: 0, depth: 0, clarity: 0}");
    revision: RawRevision => Option<Revision>, label Some("revision"), taxonomy None,
        new Some("{status: drafted, version: 0.1.0, last_reviewed: {date}}");
    reference: String => Option<String>, label Some("reference"), taxonomy None, new Some("\"\"");
    hash: String => Option<String>, label Some("hash"), taxonomy None, new Some("\"\"");
    flags: Flags => Option<Flags>, label Some("flags"), taxonomy None,
        new Some("{ai_generated_style: false, has_images: false, image_heavy: false, needs_human_review: true}");
    checklist: Vec<String> => Vec<String>, label Some("checklist"), taxonomy None, new Some("[]");
    entities: Vec<Entity> => Vec<Entity>, label Some("entities"), taxonomy Some(Kind::Entities),
        new Some("[]");
    image_sources: Vec<ImageSource> => Vec<ImageSource>, label Some("image sources"),
        taxonomy None, new Some("[]");
    payload: Payload => Option<Payload>, label Some("payload"), taxonomy None,
        new Some("{source_id: \"\", generator: \"\", paragraphs: 0, scenario: \"\", seed: 0}");
    notes: Vec<String> => Vec<String>, label Some("notes"), taxonomy None, new Some("[]");
    extra: Extra => Option<Extra>, label None, taxonomy None, new None;
}

/// `extra:`, the one free-form place: any YAML, shown nowhere by default,
/// given to templates as `page.extra` (as Zola's `extra`), so a team can
/// carry its own data without a change to the schema. Its text is still
/// checked for control characters and YAML tags like every other value.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(transparent)]
pub struct Extra(pub serde_yaml::Value);

impl super::schema::Showable for Extra {
    /// Not a meta box row, nor part of an export.
    fn shown(&self) -> Option<super::schema::Shown> {
        None
    }
}

impl super::schema::FieldValue for Extra {
    const SHAPE: super::schema::Shape = super::schema::Shape::Text;
    /// An export has no `extra` (it has no label); text read as a string.
    fn read(input: super::schema::Input<'_>) -> Result<Self, super::schema::ReadError> {
        match input {
            super::schema::Input::Text { text, .. } => Ok(Extra(serde_yaml::Value::String(text))),
            _ => unreachable!("read as its shape"),
        }
    }
}

/// Every front-matter key, in table order.
pub(crate) fn keys() -> impl Iterator<Item = &'static str> + Clone {
    FIELDS.iter().map(|f| f.key)
}

pub(crate) fn is_key(key: &str) -> bool {
    FIELDS.iter().any(|f| f.key == key)
}

record! {
    pub struct Outline {
        context: String = "context",
        problem: String = "problem",
        stack: String = "stack",
        recommended_action: String = "recommended action",
    }
}

record! {
    pub(crate) struct RawScore {
        quality: i64 = "quality",
        freshness: i64 = "freshness",
        depth: i64 = "depth",
        clarity: i64 = "clarity",
    }
}

record! {
    pub(crate) struct RawRevision {
        status: String = "status",
        version: String = "version",
        last_reviewed: String = "last reviewed",
    }
}

record! {
    #[derive(Default)]
    #[serde(default)]
    pub struct Flags {
        ai_generated_style: bool = "ai generated style",
        has_images: bool = "has images",
        image_heavy: bool = "image heavy",
        needs_human_review: bool = "needs human review",
    }
}

record! {
    pub struct Entity {
        name: String = "name",
        #[serde(rename = "type")]
        kind: String = "type",
    }
}

record! {
    pub struct ImageSource {
        /// The host credited in the caption; defaults to the URL's host.
        #[serde(default)]
        source: String = "source",
        url: String = "url",
        caption: String = "caption",
        /// The image's size in pixels, for the page to reserve its space:
        /// both or neither.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width: Option<u32> = "width",
        #[serde(default, skip_serializing_if = "Option::is_none")]
        height: Option<u32> = "height",
    }
}

record! {
    #[derive(Default)]
    pub struct Payload {
        #[serde(skip_serializing_if = "Option::is_none")]
        source_id: Option<String> = "source id",
        #[serde(skip_serializing_if = "Option::is_none")]
        generator: Option<String> = "generator",
        #[serde(skip_serializing_if = "Option::is_none")]
        paragraphs: Option<u32> = "paragraphs",
        #[serde(skip_serializing_if = "Option::is_none")]
        scenario: Option<String> = "scenario",
        #[serde(skip_serializing_if = "Option::is_none")]
        seed: Option<u64> = "seed",
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
    pub(crate) const NAMES: [&str; 3] = ["beginner", "intermediate", "advanced"];

    fn parse(s: &str) -> Option<Difficulty> {
        match s {
            "beginner" => Some(Difficulty::Beginner),
            "intermediate" => Some(Difficulty::Intermediate),
            "advanced" => Some(Difficulty::Advanced),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    pub(crate) quality: u8,
    pub(crate) freshness: u8,
    pub(crate) depth: u8,
    pub(crate) clarity: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub(crate) status: String,
    #[serde(serialize_with = "as_display")]
    pub(crate) version: semver::Version,
    #[serde(serialize_with = "as_display")]
    pub(crate) last_reviewed: NaiveDate,
}

impl Showable for Difficulty {
    fn shown(&self) -> Option<Shown> {
        Some(Shown::Text(self.as_str().to_string()))
    }
    never_blank!();
}

impl Meta {
    /// What the schedule reads: whether and when the article shows.
    pub(crate) fn dates(&self) -> Dates {
        Dates {
            draft: self.draft,
            publish: self.publish_date,
            expiry: self.expiry_date,
        }
    }
}

impl Showable for Moment {
    fn shown(&self) -> Option<Shown> {
        Some(Shown::Text(self.to_string()))
    }
    never_blank!();
}

/// The validated score and revision show under their raw records' labels.
fn labelled<const N: usize>(labels: &[&'static str], values: [String; N]) -> Option<Shown> {
    let entries = labels.iter().zip(values).map(|(l, v)| (*l, Value::Text(v)));
    Some(Shown::Map(entries.collect()))
}

impl Showable for Score {
    fn shown(&self) -> Option<Shown> {
        let values = [self.quality, self.freshness, self.depth, self.clarity];
        labelled(RawScore::LABELS, values.map(|v| v.to_string()))
    }
    never_blank!();
}

impl Showable for Revision {
    fn shown(&self) -> Option<Shown> {
        let values = [
            self.status.clone(),
            self.version.to_string(),
            self.last_reviewed.to_string(),
        ];
        labelled(RawRevision::LABELS, values)
    }
    // Its version and date are never blank, so neither is the map.
    never_blank!();
}

fn as_display<T: std::fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
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

    /// The article's date: `date`, else `revision.last_reviewed`. "No
    /// date" only when neither field is there: a bad one is reported as
    /// bad, not also as missing.
    fn date_and_revision(
        &mut self,
        date: Option<&str>,
        revision: Option<RawRevision>,
    ) -> (Option<NaiveDate>, Option<Revision>) {
        let has_date_field = date.is_some() || revision.is_some();
        let date = date.and_then(|d| self.date(&["date"], d));
        let revision = revision.and_then(|r| validate_revision(self, r));
        let date = date.or(revision.as_ref().map(|r| r.last_reviewed));
        if date.is_none() && !has_date_field {
            self.report(
                &["date"],
                "no date: set `date`, or `revision.last_reviewed`",
            );
        }
        (date, revision)
    }

    fn moment(&mut self, key: &str, text: &str) -> Option<Moment> {
        let parsed = Moment::parse(text);
        if parsed.is_none() {
            self.report(&[key], Moment::why_not(text, key));
        }
        parsed
    }

    /// Aliases are site paths (`/old/path/`), kept as output paths
    /// (`old/path/`, or `old.html` for a file).
    fn aliases(&mut self, aliases: Vec<String>) -> Vec<String> {
        let mut paths = Vec::with_capacity(aliases.len());
        for (i, alias) in aliases.iter().enumerate() {
            match alias_path(alias) {
                Ok(path) => paths.push(path),
                Err(why) => self.report(&["aliases", &i.to_string()], why),
            }
        }
        paths
    }

    fn difficulty(&mut self, d: &str) -> Option<Difficulty> {
        let parsed = Difficulty::parse(d);
        if parsed.is_none() {
            let hint = did_you_mean(d, Difficulty::NAMES)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            self.report(
                &["difficulty"],
                format!(
                    "unknown difficulty `{d}`; {hint}use one of: beginner, intermediate, advanced"
                ),
            );
        }
        parsed
    }

    fn minutes(&mut self, m: u64) -> Option<u32> {
        let minutes = u32::try_from(m).ok();
        if minutes.is_none() {
            self.report(
                &["reading_time"],
                format!("`reading_time` of {m} minutes is not plausible"),
            );
        }
        minutes
    }

    fn image_sources(&mut self, sources: &[ImageSource]) {
        for (i, image) in sources.iter().enumerate() {
            if !is_image_url(&image.url) {
                self.report(
                    &["image_sources", &i.to_string(), "url"],
                    format!(
                        "image source url `{}` must be an http:// or https:// URL, or a path on this site",
                        image.url
                    ),
                );
            }
            let index = i.to_string();
            match (image.width, image.height) {
                (Some(0), _) | (_, Some(0)) => {
                    let key = if image.width == Some(0) {
                        "width"
                    } else {
                        "height"
                    };
                    self.report(
                        &["image_sources", &index, key],
                        format!("image source `{key}` is 0; sizes are in pixels, 1 or more"),
                    );
                }
                (Some(_), None) | (None, Some(_)) => {
                    let (given, missing) = match image.width {
                        Some(_) => ("width", "height"),
                        None => ("height", "width"),
                    };
                    self.report(
                        &["image_sources", &index, given],
                        format!(
                            "image source has a `{given}` but no `{missing}`; give both, or neither"
                        ),
                    );
                }
                _ => {}
            }
        }
    }

    fn entities(&mut self, entities: &[Entity]) {
        for (i, entity) in entities.iter().enumerate() {
            if entity.name.trim().is_empty() {
                self.report(
                    &["entities", &i.to_string(), "name"],
                    format!("entity {} has an empty name", i + 1),
                );
            }
        }
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
pub(crate) fn validate(raw: RawMeta) -> Result<Meta, Vec<Problem>> {
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
    let (date, revision) = c.date_and_revision(raw.date.as_deref(), raw.revision);

    let difficulty = raw.difficulty.as_deref().and_then(|d| c.difficulty(d));

    let score = raw.score.map(|s| Score {
        quality: c.percent("quality", s.quality),
        freshness: c.percent("freshness", s.freshness),
        depth: c.percent("depth", s.depth),
        clarity: c.percent("clarity", s.clarity),
    });

    let image_sources = raw.image_sources.unwrap_or_default();
    c.image_sources(&image_sources);
    let entities = raw.entities.unwrap_or_default();
    c.entities(&entities);
    let reading_time = c.non_negative("reading_time", raw.reading_time);
    let reading_time = reading_time.and_then(|m| c.minutes(m));
    let view_count = c.non_negative("view_count", raw.view_count);
    let stack = c.list("stack", raw.stack);
    let tools = c.list("tools", raw.tools);
    let checklist = c.list("checklist", raw.checklist);
    let publish_date = raw
        .publish_date
        .as_deref()
        .and_then(|t| c.moment("publish_date", t));
    let expiry_date = raw
        .expiry_date
        .as_deref()
        .and_then(|t| c.moment("expiry_date", t));
    if let (Some(publish), Some(expiry)) = (publish_date, expiry_date)
        && expiry.utc() <= publish.utc()
    {
        c.report(
            &["expiry_date"],
            format!("`expiry_date` {expiry} is not after `publish_date` {publish}; the article would never show"),
        );
    }
    let aliases = c.aliases(raw.aliases.unwrap_or_default());
    let notes = c.list("notes", raw.notes);

    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    Ok(Meta {
        title,
        slug: raw.slug,
        aliases,
        date: date.expect("a missing date was reported above"),
        draft: raw.draft.unwrap_or(false),
        publish_date,
        expiry_date,
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
        extra: raw.extra,
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

/// The output path of an alias: `/old/path/` and `/old/path` are the
/// folder `old/path/`, `/old.html` is that file, and `/old/index.html` is
/// the folder `old/` (the page it names). Anything that is not a plain
/// path on this site is refused: an alias becomes a file name and a
/// `_redirects` line, so only characters that mean nothing to either pass.
pub(crate) fn alias_path(alias: &str) -> Result<String, String> {
    let refuse = |why: &str| Err(format!("alias `{}` {why}", alias.escape_debug()));
    let Some(path) = alias.strip_prefix('/') else {
        return refuse("must be a path on this site, starting with `/`, like /old/path/");
    };
    if path.starts_with('/') || alias.contains("://") {
        return refuse("must be a path on this site, not another host");
    }
    if path.contains(['?', '#', '\\', '%']) {
        return refuse("may not hold `?`, `#`, `%` or `\\`");
    }
    if let Some(c) = path.chars().find(|&c| !alias_char(c)) {
        return refuse(&format!(
            "may not hold {}: an alias is written into `_redirects`, whose rules give `*`, `:`, `!` and spaces a meaning; use letters, digits, `-`, `_`, `.`, `~` and `/`",
            describe_char(c)
        ));
    }
    if path.split('/').any(|seg| seg == ".." || seg == ".") {
        return refuse("may not hold `.` or `..` segments");
    }
    if let Some(seg) = path.split('/').find(|seg| seg.len() > MAX_SLUG_BYTES) {
        return refuse(&format!(
            "has a segment of {} bytes; like slugs, segments are at most {MAX_SLUG_BYTES} (each becomes a folder name)",
            seg.len()
        ));
    }
    // `/x/index.html` is the page `/x/`, so it clashes where that page would.
    let path = match path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir,
        _ => path,
    };
    if path.is_empty() {
        return refuse("is the home page");
    }
    if path.contains("//") {
        return refuse("has an empty segment (`//`)");
    }
    for reserved in RESERVED_DIRS {
        if path.starts_with(reserved) || path == &reserved[..reserved.len() - 1] {
            return refuse(&format!(
                "is inside `/{reserved}`, which holds the site's own files"
            ));
        }
    }
    if path.ends_with(".html") || path.ends_with('/') {
        Ok(path.to_string())
    } else {
        Ok(format!("{path}/"))
    }
}

/// Folders of the output that only the build writes: hashed assets and
/// search chunks, and notesite's own records (the page index, publish's
/// record).
const RESERVED_DIRS: [&str; 2] = ["assets/", ".notesite/"];

/// What an alias may hold: letters and digits of any script, and the
/// punctuation a URL path carries unescaped and `_redirects` reads as
/// plain text.
fn alias_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '/')
}

/// A character as a message shows it: visible ones quoted, the rest (spaces
/// of every width, controls, format characters) by code point.
fn describe_char(c: char) -> String {
    let code = c as u32;
    if c.is_whitespace() {
        format!("a space (U+{code:04X})")
    } else if c.is_control() {
        format!("a control character (U+{code:04X})")
    } else if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("the character U+{code:04X}")
    }
}

/// The longest slug: it becomes a folder name and `<slug>.md`, and file
/// systems allow 255 bytes a name.
pub(crate) const MAX_SLUG_BYTES: usize = 200;

/// A slug becomes a folder name in the output, so it is kept to characters
/// that are safe in every file system and URL, and can never climb out.
pub(crate) fn check_slug(slug: &str) -> Result<(), String> {
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
