//! Scheduled and expiring articles: which articles a build shows at its
//! *now*, and what changes next. *Now* is `--now`, else
//! `SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the
//! clock: the one place notesite reads the time, so the same sources and
//! the same *now* build the same bytes.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::content::{Article, Meta, meta::Moment};

pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

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

    pub fn shows(&self, meta: &Meta) -> bool {
        (self.drafts || !meta.draft)
            && (self.future || meta.publish_date.is_none_or(|p| p.utc() <= self.now))
            && (self.expired || meta.expiry_date.is_none_or(|e| e.utc() > self.now))
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
pub fn coming<'a>(articles: impl Iterator<Item = &'a Article>, now: DateTime<Utc>) -> Vec<Change> {
    let mut changes: Vec<(DateTime<Utc>, Change)> = Vec::new();
    for article in articles.filter(|a| !a.meta.draft) {
        let dates = [
            ("appears", article.meta.publish_date),
            ("expires", article.meta.expiry_date),
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
                    slug: article.slug.clone(),
                    path: article.path.to_string_lossy().replace('\\', "/"),
                    title: article.meta.title.clone(),
                },
            ));
        }
    }
    changes.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.slug.cmp(&y.slug)));
    changes.into_iter().map(|(_, c)| c).collect()
}
