//! Scheduled and expiring articles: which articles a build shows at its
//! *now*, and what changes next. *Now* is `--now`, else
//! `SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the
//! clock: the one place notesite reads the time, so the same sources and
//! the same *now* build the same bytes.

use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

pub(crate) const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// Which articles a build shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    pub drafts: bool,
    /// Also articles whose `publish_date` is still ahead.
    pub future: bool,
    /// Also articles whose `expiry_date` has passed.
    pub expired: bool,
    pub now: DateTime<Utc>,
}

impl Visibility {
    /// Published articles only, at `now`.
    pub fn at(now: DateTime<Utc>) -> Visibility {
        Visibility {
            drafts: false,
            future: false,
            expired: false,
            now,
        }
    }

    pub fn shows(&self, dates: Dates) -> bool {
        (self.drafts || !dates.draft)
            && (self.future || dates.publish.is_none_or(|p| p.utc() <= self.now))
            && (self.expired || dates.expiry.is_none_or(|e| e.utc() > self.now))
    }
}

/// What the schedule reads of an article's meta.
#[derive(Debug, Clone, Copy)]
pub struct Dates {
    pub draft: bool,
    pub publish: Option<Moment>,
    pub expiry: Option<Moment>,
}

/// An article as the schedule lists it.
pub struct Scheduled<'a> {
    pub slug: &'a str,
    pub path: &'a Path,
    pub title: &'a str,
    pub dates: Dates,
}

/// A point in time from front matter: a date (midnight UTC) or an RFC 3339
/// date-time with its offset. It shows as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    at: DateTime<FixedOffset>,
    date_only: bool,
}

impl Moment {
    pub fn parse(text: &str) -> Option<Moment> {
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            && text.len() == 10
        {
            let at = date.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset();
            return (date.year() >= 1).then_some(Moment {
                at,
                date_only: true,
            });
        }
        let at = DateTime::parse_from_rfc3339(text).ok()?;
        let in_range = |year: i32| (1..=9999).contains(&year);
        (in_range(at.year()) && in_range(at.with_timezone(&Utc).year())).then_some(Moment {
            at,
            date_only: false,
        })
    }

    /// Why `text` is not a moment: RFC 3339 and feeds hold years 1 to
    /// 9999 only, in UTC as well as as written.
    pub fn why_not(text: &str, key: &str) -> String {
        if DateTime::parse_from_rfc3339(text).is_ok() {
            format!(
                "`{key}` is `{text}`, which is outside the years 1 to 9999 in UTC; feeds and RFC 3339 cannot hold it"
            )
        } else {
            format!(
                "`{key}` is `{text}`, which is not a date or a date-time; write YYYY-MM-DD or an RFC 3339 time like 2026-07-01T09:00:00+02:00"
            )
        }
    }

    /// The instant, in UTC.
    pub fn utc(self) -> DateTime<Utc> {
        self.at.with_timezone(&Utc)
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.date_only {
            write!(f, "{}", self.at.date_naive())
        } else {
            f.write_str(&self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The build's *now*: `--now` (RFC 3339, or a date for its midnight UTC),
/// else `SOURCE_DATE_EPOCH` (seconds since 1970), else the clock.
pub fn now(flag: Option<&str>) -> Result<DateTime<Utc>, String> {
    if let Some(text) = flag {
        return Moment::parse(text)
            .map(Moment::utc)
            .ok_or_else(|| Moment::why_not(text, "--now"));
    }
    if let Ok(text) = std::env::var(SOURCE_DATE_EPOCH) {
        let seconds: i64 = text.trim().parse().map_err(|_| {
            format!("{SOURCE_DATE_EPOCH} is `{text}`; it must be whole seconds since 1970")
        })?;
        return DateTime::from_timestamp(seconds, 0)
            .filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)))
            .ok_or_else(|| {
                format!("{SOURCE_DATE_EPOCH} {seconds} is outside the years 1 to 9999")
            });
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| "the system clock is before 1970".to_string())?;
    DateTime::from_timestamp(since.as_secs() as i64, 0)
        .ok_or_else(|| "the system clock is out of range".to_string())
}

/// A coming change to the site: an article appears or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// RFC 3339, UTC.
    pub at: String,
    /// `appears` or `expires`.
    pub change: &'static str,
    pub slug: String,
    pub path: String,
    pub title: String,
}

/// Every article that appears or expires after `now`, nearest first (then
/// by slug). Drafts are left out: they are not scheduled.
pub(crate) fn coming<'a>(
    articles: impl Iterator<Item = Scheduled<'a>>,
    now: DateTime<Utc>,
) -> Vec<Change> {
    let mut changes: Vec<(DateTime<Utc>, Change)> = Vec::new();
    for article in articles.filter(|a| !a.dates.draft) {
        let dates = [
            ("appears", article.dates.publish),
            ("expires", article.dates.expiry),
        ];
        for (change, moment) in dates {
            let Some(at) = moment.map(Moment::utc).filter(|at| *at > now) else {
                continue;
            };
            changes.push((
                at,
                Change {
                    at: at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    change,
                    slug: article.slug.to_string(),
                    path: article.path.to_string_lossy().replace('\\', "/"),
                    title: article.title.to_string(),
                },
            ));
        }
    }
    changes.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.slug.cmp(&y.slug)));
    changes.into_iter().map(|(_, c)| c).collect()
}
