//! Following articles that move. The build's page index says which article
//! (by `reference`, else by source file) made which page; the record keeps
//! the index of the last publish. A page that was published and is gone
//! from the build, whose article now has another URL, gets a redirect page
//! at its old URL, kept in later publishes; one with no new home is a
//! removed URL, reported and purged.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use super::local::{self, LocalFile};
use super::record::Record;
use crate::cdn::CacheRules;
use crate::page_kind::{IndexedPage, PAGE_INDEX, PageIndexFile};
use crate::redirect;

/// What a publish does about pages that left the build.
#[derive(Debug, Default)]
pub(crate) struct Moves {
    /// Old page path → the article's current page path.
    pub(crate) redirects: Vec<(String, String)>,
    /// Published pages gone with no new home.
    pub(crate) removed: Vec<String>,
    /// For the record: every article page of this build, path → article.
    pub(crate) pages: BTreeMap<String, String>,
    /// For the record: old path → article, for every redirect kept.
    pub(crate) moved: BTreeMap<String, String>,
    /// Record entries that name no page of ours (a hand-edited record):
    /// no redirect is written there, and they leave the record.
    pub(crate) ignored: Vec<String>,
    /// Whether moved articles are followed (`publish.auto_redirects`).
    pub(crate) followed: bool,
}

impl Moves {
    /// Without a page index (a build by an older notesite) nothing moves:
    /// the record keeps what it knew.
    pub(crate) fn kept(record: &Record) -> Moves {
        Moves {
            pages: record.pages.clone(),
            moved: record.moved.clone(),
            ..Moves::default()
        }
    }
}

/// The article a page belongs to: its `reference`, else its source file.
fn article_id(page: &IndexedPage) -> String {
    match &page.reference {
        Some(reference) if !reference.is_empty() => format!("ref:{reference}"),
        _ => format!("src:{}", page.source),
    }
}

/// Reads the build's page index; a build by an older notesite has none,
/// and then nothing is followed.
pub(crate) fn read_index(out: &Path) -> Result<Option<Vec<IndexedPage>>> {
    let path = out.join(PAGE_INDEX);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let index: PageIndexFile = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a notesite page index", path.display()))?;
    Ok(Some(index.pages))
}

/// Plans the redirects and removed URLs of this publish. `local` holds
/// the keys the build has; `follow` is `publish.auto_redirects`.
pub(crate) fn plan(
    index: &[IndexedPage],
    record: &Record,
    local: &[LocalFile],
    follow: bool,
) -> Moves {
    let mut moves = Moves {
        followed: follow,
        pages: (index.iter())
            .map(|page| (page.url.clone(), article_id(page)))
            .collect(),
        ..Moves::default()
    };
    // Made only when a published page is gone: most publishes find every
    // page again, and at 100k articles these took a tenth of the plan.
    let now_at = std::cell::OnceCell::new();
    let now_at = || {
        now_at.get_or_init(|| {
            let mut now_at: ahash::AHashMap<String, &str> = ahash::AHashMap::new();
            for page in index {
                // An article is found by its reference or, failing that,
                // by file.
                now_at.insert(format!("src:{}", page.source), &page.url);
                now_at.insert(article_id(page), &page.url);
            }
            now_at
        })
    };
    let built = std::cell::OnceCell::new();
    let built = || {
        built.get_or_init(|| {
            local
                .iter()
                .map(|f| f.key.as_str())
                .collect::<ahash::AHashSet<&str>>()
        })
    };
    for (url, id) in record.moved.iter().chain(&record.pages) {
        if moves.pages.contains_key(url) || built().contains(redirect::file_of(url).as_str()) {
            continue; // a page of this build is there again
        }
        if moves.moved.contains_key(url) {
            continue;
        }
        // A redirect is only ever written where a page of ours was: a
        // path of a page, at an object the record owns.
        if !is_page_url(url) || !record.owns(&redirect::file_of(url)) {
            moves.ignored.push(url.clone());
            continue;
        }
        match now_at().get(id.as_str()).filter(|_| follow) {
            Some(to) => {
                moves.redirects.push((url.clone(), to.to_string()));
                moves.moved.insert(url.clone(), id.clone());
            }
            None => moves.removed.push(url.clone()),
        }
    }
    moves.redirects.sort();
    moves.removed.sort();
    moves.removed.dedup();
    moves.ignored.sort();
    moves.ignored.dedup();
    moves
}

/// A page's path as the page index writes it: `a/b/`, plain segments.
fn is_page_url(url: &str) -> bool {
    url.strip_suffix('/').is_some_and(|path| {
        !path.is_empty()
            && path
                .split('/')
                .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
    })
}

/// The redirect pages as files to upload, written into `dir` (which must
/// outlive the publish). The config's base path and URL make the links.
pub(crate) fn redirect_files(
    moves: &Moves,
    dir: &Path,
    config: &crate::config::SiteConfig,
    rules: &CacheRules,
) -> Result<Vec<LocalFile>> {
    let (base_path, base_url) = (config.base_path(), config.base_url());
    let mut files = Vec::with_capacity(moves.redirects.len());
    for (from, to) in &moves.redirects {
        let key = redirect::file_of(from);
        let html = redirect::page(
            &format!("{base_path}/{to}"),
            &format!("{base_url}/{to}"),
            &config.language,
        );
        let path = dir.join(blake3::hash(key.as_bytes()).to_hex().as_str());
        crate::fsx::write(&path, html.as_bytes())?;
        files.push(local::describe(key, path, rules)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, source: &str, reference: Option<&str>) -> IndexedPage {
        IndexedPage {
            url: url.into(),
            source: source.into(),
            reference: reference.map(String::from),
        }
    }

    fn record(pages: &[(&str, &str)], moved: &[(&str, &str)]) -> Record {
        let mut record = Record::numbered(1);
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        record.pages = map(pages);
        record.moved = map(moved);
        // Every page and redirect the record names, it wrote.
        for (url, _) in pages.iter().chain(moved) {
            record.objects.insert(redirect::file_of(url), owned());
        }
        record
    }

    fn owned() -> super::super::record::Entry {
        super::super::record::Entry {
            hash: "ab".into(),
            size: 2,
            headers: local::Headers {
                content_type: "text/html".into(),
                cache_control: "no-cache".into(),
            },
            e_tag: None,
            publish: 1,
        }
    }

    /// Issue 19, item 11: a hand-edited record once made publish write a
    /// redirect over an object it never wrote (`foreign.html`).
    #[test]
    fn a_record_entry_naming_no_page_of_ours_is_ignored_not_redirected() {
        let index = [page("new/", "content/a.md", Some("r1"))];
        let mut edited = record(&[("old/", "ref:r1")], &[]);
        for url in ["foreign.html", "theirs/", "../up/", ""] {
            edited.pages.insert(url.into(), "ref:r1".into());
        }
        edited.objects.insert("foreign.html".into(), owned());
        let moves = plan(&index, &edited, &[], true);
        assert_eq!(moves.redirects, [("old/".to_string(), "new/".to_string())]);
        assert_eq!(moves.ignored, ["", "../up/", "foreign.html", "theirs/"]);
        assert!(moves.removed.is_empty());
    }

    #[test]
    fn a_renamed_article_redirects_and_a_deleted_one_is_removed() {
        let index = [page("new/", "content/a.md", Some("r1"))];
        let before = record(&[("old/", "ref:r1"), ("gone/", "src:content/b.md")], &[]);
        let moves = plan(&index, &before, &[], true);
        assert_eq!(moves.redirects, [("old/".to_string(), "new/".to_string())]);
        assert_eq!(moves.removed, ["gone/"]);
        assert_eq!(moves.moved["old/"], "ref:r1");

        // The next publish keeps the redirect, and follows a second move.
        let moved: Vec<(&str, &str)> = (moves.moved.iter())
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let after = record(&[("new/", "ref:r1")], &moved);
        let index = [page("newer/", "content/a.md", Some("r1"))];
        let moves = plan(&index, &after, &[], true);
        let expected = [("new/", "newer/"), ("old/", "newer/")];
        let got: Vec<(&str, &str)> = moves
            .redirects
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(got, expected);
        assert!(moves.removed.is_empty());
    }

    #[test]
    fn without_a_reference_the_source_file_finds_the_article() {
        let index = [page("renamed/", "content/a.md", None)];
        let before = record(&[("first/", "src:content/a.md")], &[]);
        let moves = plan(&index, &before, &[], true);
        assert_eq!(
            moves.redirects,
            [("first/".to_string(), "renamed/".to_string())]
        );
        let off = plan(&index, &before, &[], false);
        assert!(off.redirects.is_empty());
        assert_eq!(off.removed, ["first/"]);
    }
}
