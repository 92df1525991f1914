//! The kinds of page a build writes, each with what sets it apart: its
//! template, its fixed path if it has one, whether the sitemap lists it,
//! whether it changes with articles. Every question is an exhaustive
//! `match`, so a new kind is answered everywhere or does not compile. The
//! content reader takes the reserved slugs from here, so this names no
//! module above it (only `kind` and `assets`' folder).

use serde::{Deserialize, Serialize};

use crate::assets::ASSETS_DIR;
use crate::kind::Kind;

pub(crate) const FEED_FILE: &str = "atom.xml";
pub(crate) const SITEMAP_FILE: &str = "sitemap.xml";
/// A sitemap file lists at most this many URLs (the sitemaps.org limit);
/// past it, `sitemap.xml` is an index of `sitemap-N.xml` files.
pub(crate) const SITEMAP_LIMIT: usize = 50_000;
pub(crate) const ROBOTS_FILE: &str = "robots.txt";
pub(crate) const NOT_FOUND_FILE: &str = "404.html";
/// The redirects file Netlify and Cloudflare Pages read.
pub(crate) const REDIRECTS_FILE: &str = "_redirects";
/// Where a build says which article made which page (see `PageIndex`).
pub(crate) const PAGE_INDEX: &str = ".notesite/pages.json";
pub(crate) const SEARCH_DIR: &str = "search/";
/// The search index's entry file (the chunks it names are assets).
pub(crate) const SEARCH_ENTRY_FILE: &str = "search/index.json";
/// The folder of a list's later pages: `page/2/`.
pub(crate) const PAGINATION_DIR: &str = "page";

/// The kinds of page a build writes (assets, `_headers` and the manifest
/// are files of another kind: they depend on `static/` and `site.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PageKind {
    /// `<slug>/`: one article.
    Article,
    /// `<slug>/`: a standalone page of `pages/`.
    Standalone,
    /// ``, `page/N/`: the paginated home index.
    Index,
    /// `<taxonomy>/`: every term of a taxonomy.
    Taxonomy,
    /// `<taxonomy>/<term>/`, `…/page/N/`: a paginated term list.
    Term,
    /// `atom.xml`.
    Feed,
    /// `sitemap.xml` (a sitemap index over `sitemap-N.xml` above 50,000 URLs).
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// `404.html`.
    NotFound,
    /// An alias of an article (`old/path/`): a page that redirects to it.
    Redirect,
    /// `_redirects`: every alias as a 301, for hosts that read it. Only
    /// written when some article has aliases.
    Redirects,
    /// `.notesite/pages.json`: which article made which page, for
    /// `publish` to follow articles that move. Never uploaded.
    PageIndex,
    /// `search/`: the search page, when `search.enabled`.
    Search,
    /// `search/index.json` and the chunks it names under
    /// `assets/search/`, when `search.enabled`.
    SearchIndex,
}

impl PageKind {
    /// The template that renders it.
    pub(crate) fn template(self) -> &'static str {
        match self {
            PageKind::Article => "article.html",
            PageKind::Standalone => "page.html",
            PageKind::Index => "index.html",
            PageKind::Taxonomy => "taxonomy.html",
            PageKind::Term => "term.html",
            PageKind::Feed => "atom.xml",
            PageKind::Sitemap => "sitemap.xml",
            PageKind::Robots => ROBOTS_FILE,
            PageKind::NotFound => NOT_FOUND_FILE,
            // Built in (redirect.rs): a redirect is not a page to design.
            PageKind::Redirect => "(redirect page)",
            PageKind::Redirects => "(_redirects)",
            PageKind::PageIndex => "(page index)",
            PageKind::Search => "search.html",
            PageKind::SearchIndex => "(search index)",
        }
    }

    /// What it is, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            PageKind::Article => "an article",
            PageKind::Standalone => "a page",
            PageKind::Index => "the home index",
            PageKind::Taxonomy => "a taxonomy page",
            PageKind::Term => "a term page",
            PageKind::Feed => "the feed",
            PageKind::Sitemap => "the sitemap",
            PageKind::Robots => "robots.txt",
            PageKind::NotFound => "the 404 page",
            PageKind::Redirect => "a redirect",
            PageKind::Redirects => "the redirects file",
            PageKind::PageIndex => "the page index",
            PageKind::Search => "the search page",
            PageKind::SearchIndex => "the search index",
        }
    }

    /// Whether its output changes with articles, and so has a fingerprint
    /// in the preview (the others change only with templates or config,
    /// which re-render everything).
    pub(crate) fn depends_on_articles(self) -> bool {
        match self {
            PageKind::Robots | PageKind::NotFound | PageKind::Search => false,
            PageKind::Article
            | PageKind::Standalone
            | PageKind::Index
            | PageKind::Taxonomy
            | PageKind::Term
            | PageKind::Feed
            | PageKind::Sitemap
            | PageKind::Redirect
            | PageKind::Redirects
            | PageKind::PageIndex
            | PageKind::SearchIndex => true,
        }
    }

    /// Whether the sitemap lists its first page: content and lists. Feeds,
    /// robots.txt and the 404 page are not pages a search engine should
    /// index on their own.
    pub(crate) fn in_sitemap(self) -> bool {
        match self {
            PageKind::Article
            | PageKind::Standalone
            | PageKind::Index
            | PageKind::Taxonomy
            | PageKind::Term => true,
            PageKind::Feed
            | PageKind::Sitemap
            | PageKind::Robots
            | PageKind::NotFound
            | PageKind::Redirect
            | PageKind::Redirects
            | PageKind::PageIndex
            | PageKind::Search
            | PageKind::SearchIndex => false,
        }
    }

    /// Whether the renderer counts it as a page (progress, "N pages").
    pub(crate) fn is_page(self) -> bool {
        match self {
            PageKind::Article
            | PageKind::Standalone
            | PageKind::Index
            | PageKind::Taxonomy
            | PageKind::Term
            | PageKind::NotFound
            | PageKind::Redirect
            | PageKind::Search => true,
            PageKind::Feed
            | PageKind::Sitemap
            | PageKind::Robots
            | PageKind::Redirects
            | PageKind::PageIndex
            | PageKind::SearchIndex => false,
        }
    }

    /// The path of a kind written once per site, whatever the content:
    /// the folder or file its route has.
    pub(crate) fn fixed_path(self) -> Option<&'static str> {
        match self {
            PageKind::Feed => Some(FEED_FILE),
            PageKind::Sitemap => Some(SITEMAP_FILE),
            PageKind::Robots => Some(ROBOTS_FILE),
            PageKind::NotFound => Some(NOT_FOUND_FILE),
            PageKind::Redirects => Some(REDIRECTS_FILE),
            PageKind::PageIndex => Some(PAGE_INDEX),
            PageKind::Search => Some(SEARCH_DIR),
            PageKind::SearchIndex => Some(SEARCH_ENTRY_FILE),
            PageKind::Article
            | PageKind::Standalone
            | PageKind::Index
            | PageKind::Taxonomy
            | PageKind::Term
            | PageKind::Redirect => None,
        }
    }

    /// The top-level folder its pages take from article and page slugs
    /// (taxonomies take theirs by name, `Kind::name`).
    fn reserved_folder(self) -> Option<&'static str> {
        match self {
            // `page/N/` of the home index.
            PageKind::Index => Some(PAGINATION_DIR),
            PageKind::Search | PageKind::SearchIndex => Some("search"),
            // Hosts answer `/404` with the not-found page.
            PageKind::NotFound => Some("404"),
            PageKind::Article
            | PageKind::Standalone
            | PageKind::Taxonomy
            | PageKind::Term
            | PageKind::Feed
            | PageKind::Sitemap
            | PageKind::Robots
            | PageKind::Redirect
            | PageKind::Redirects
            | PageKind::PageIndex => None,
        }
    }

    pub(crate) const ALL: [PageKind; 14] = [
        PageKind::Article,
        PageKind::Standalone,
        PageKind::Index,
        PageKind::Taxonomy,
        PageKind::Term,
        PageKind::Feed,
        PageKind::Sitemap,
        PageKind::Robots,
        PageKind::NotFound,
        PageKind::Redirect,
        PageKind::Redirects,
        PageKind::PageIndex,
        PageKind::Search,
        PageKind::SearchIndex,
    ];
}

/// Top-level output folders other than articles and pages, which a slug
/// may not take: the folders of generated pages, the taxonomies' and the
/// assets'. Made once: every article's slug is checked against them.
pub(crate) fn reserved_slugs() -> &'static [&'static str] {
    static SLUGS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let pages = PageKind::ALL
            .into_iter()
            .filter_map(PageKind::reserved_folder);
        let taxonomies = Kind::ALL.into_iter().map(Kind::name);
        let mut slugs: Vec<&str> = pages.chain(taxonomies).chain([ASSETS_DIR]).collect();
        slugs.sort_unstable();
        slugs.dedup();
        slugs
    });
    &SLUGS
}

/// The page index as written: what `publish` reads back.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PageIndexFile {
    pub version: u32,
    pub pages: Vec<IndexedPage>,
}

/// One article page: its route path, source file and `reference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexedPage {
    pub url: String,
    pub source: String,
    pub reference: Option<String>,
}
