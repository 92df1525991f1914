//! Rendering: every page of the site through its template into the sink.
//! Articles render in parallel and are written as soon as they are done, so
//! memory holds the site's meta, never every page at once.

mod article;
mod lists;
mod site_files;
mod standalone;

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::assets::MANIFEST_FILE;
use crate::cdn::{CacheRules, HEADERS_FILE};
use crate::content::Article;
use crate::diag::{Diagnostic, Diagnostics, Severity, pos_at};
use crate::kind::Kind;
use crate::markdown::{self, Figure, LinkContext};
use crate::meta_box;
use crate::output::{Sink, Written};
use crate::page_kind::{PAGE_INDEX, PageKind, REDIRECTS_FILE, SEARCH_DIR};
use crate::progress::Progress;
use crate::redirect;
use crate::site::{Link, Site};
use crate::site::{Route, Target};

/// Renders a loaded site: the site is the data, this the behaviour.
#[derive(Clone, Copy)]
pub(crate) struct Renderer<'a> {
    pub(crate) site: &'a Site,
    /// Where the search index's postings are kept between builds.
    search_store: Option<&'a crate::search::Store>,
    search_reuse: Option<&'a crate::search::Reuse>,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(site: &'a Site) -> Renderer<'a> {
        Renderer {
            site,
            search_store: None,
            search_reuse: None,
        }
    }

    /// This renderer, taking the postings of unchanged articles from
    /// `store` and keeping the index's there.
    pub(crate) fn with_search_store(self, store: &'a crate::search::Store) -> Renderer<'a> {
        Renderer {
            search_store: Some(store),
            ..self
        }
    }

    /// This renderer, keeping the last build's search index files that
    /// are as they would be written (see `search::Reuse`).
    pub(crate) fn with_search_reuse(self, reuse: &'a crate::search::Reuse) -> Renderer<'a> {
        Renderer {
            search_reuse: Some(reuse),
            ..self
        }
    }
}

/// What a render produced, for the summary line.
#[derive(Debug, Default)]
pub struct Report {
    pub articles: usize,
    pub pages: usize,
    pub assets: usize,
    pub warnings: Vec<Diagnostic>,
    /// Slugs of the rendered articles that link to other pages of the site,
    /// whose pages the preview server re-checks when pages come and go.
    pub(crate) linking: Vec<String>,
    /// Wall time of each render step, for `build -v`.
    pub timings: crate::site::Timings,
    /// Source files of the articles kept out of search engines, the
    /// sitemap and the search index while they wait for review.
    pub unreviewed: Vec<std::path::PathBuf>,
    /// The ids of the rendered pages and their links into others' ids,
    /// which the preview keeps to check anchors after a partial render.
    pub(crate) anchors: crate::anchors::Anchors,
    /// What each rendered route wrote, by route path, when the sink is a
    /// build's staging: for the page cache.
    pub(crate) records: Vec<(String, RouteRecord)>,
    /// The assets, root files, manifest and `_headers`, when written.
    pub(crate) site_files: Vec<Written>,
    /// When the search index was written: its articles taken from the
    /// last build's postings, and those indexed from their bodies.
    pub search_index: Option<crate::search::SearchUse>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    date: String,
    summary: &'a str,
    content: String,
    terms: Vec<TermLink<'a>>,
    /// `terms` by taxonomy, each name once (stack, tools and entities share
    /// names): what the article's header shows.
    term_groups: Vec<TermGroup<'a>>,
    difficulty_url: Option<String>,
    /// Whether the body has a code block, and so needs `syntax.css`.
    has_code: bool,
    /// The table of contents; empty below `markdown.toc_min_headings`.
    toc: Vec<crate::toc::TocEntry>,
    /// Waiting for review: the page asks search engines not to index it.
    noindex: bool,
    /// The first figure's image as an absolute URL, for the card.
    image: Option<String>,
    /// `revision.last_reviewed`, else `date`.
    modified: String,
    /// The JSON-LD `TechArticle`, safe inside `<script>`.
    json_ld: String,
    /// The article's `extra:` map, for a site's own templates.
    extra: Option<&'a serde_yaml::Value>,
    meta: &'a crate::content::Meta,
}

#[derive(Serialize)]
struct TermGroup<'a> {
    taxonomy: &'static str,
    terms: Vec<TermLink<'a>>,
}

#[derive(Serialize, Clone)]
struct TermLink<'a> {
    taxonomy: &'static str,
    name: &'a str,
    url: String,
}

#[derive(Serialize, Hash)]
pub(crate) struct Summary<'a> {
    title: &'a str,
    url: String,
    date: String,
    summary: &'a str,
    difficulty: Option<&'static str>,
    reading_time: Option<u32>,
    stack: &'a [String],
}

/// Article summaries as template values, each made on first use.
struct Summaries<'a> {
    site: &'a Site,
    values: Vec<OnceLock<Value>>,
}

impl<'a> Summaries<'a> {
    fn new(site: &'a Site) -> Summaries<'a> {
        let values = (0..site.articles.len()).map(|_| OnceLock::new()).collect();
        Summaries { site, values }
    }

    fn get(&self, index: usize) -> Value {
        let make = || Value::from_serializable(&Renderer::new(self.site).summary(index));
        self.values[index].get_or_init(make).clone()
    }
}

/// Which pages a render writes.
pub(crate) enum Pages<'a> {
    /// Every page and asset: a build.
    All,
    /// Only the pages with these output folders (like `my-slug/` or
    /// `stack/redis/page/2/`) and these of the feed and sitemap: the
    /// preview server's incremental rebuild. Assets, `robots.txt`, the 404
    /// page and `_headers` depend on no article and are left out.
    Only(&'a HashSet<String>),
    /// A warm build: only these routes, as with `Only`, but checked as a
    /// build checks (sources that did not parse) and with the search index
    /// collected as pages render. The caller carries every other file from
    /// the last output, writes the assets if it cannot, and checks anchors
    /// over the carried pages' and these.
    Warm(&'a Carried),
}

/// What a warm build carries from the last one into a render of the rest.
#[derive(Default)]
pub(crate) struct Carried {
    /// The routes to render, by path.
    pub(crate) render: HashSet<String>,
    /// The ids and links of every page of the last build; the pages
    /// rendered replace theirs.
    pub(crate) anchors: crate::anchors::Anchors,
    /// Site paths of the last build's pages that are gone.
    pub(crate) removed: Vec<String>,
    /// What the carried pages warned of when they rendered.
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Pages<'_> {
    fn wants(&self, path: &str) -> bool {
        match self {
            Pages::All => true,
            Pages::Only(paths) => paths.contains(path),
            Pages::Warm(carried) => carried.render.contains(path),
        }
    }

    /// Whether the page of the article with this slug is rendered; a full
    /// build does not format a folder name per article to find out.
    pub(crate) fn wants_article(&self, slug: &str) -> bool {
        match self {
            Pages::All => true,
            Pages::Only(_) | Pages::Warm(_) => self.wants(&format!("{slug}/")),
        }
    }
}

/// Where one route writes: the render's sink, with each file written
/// noted for the page cache.
pub(super) struct RouteSink<'a> {
    sink: &'a Sink,
    written: Mutex<Vec<Written>>,
}

impl<'a> RouteSink<'a> {
    fn new(sink: &'a Sink) -> RouteSink<'a> {
        RouteSink {
            sink,
            written: Mutex::default(),
        }
    }

    /// Each file once, as last written: the search index writes a
    /// content-named file as often as its content recurs.
    fn into_written(self) -> Vec<Written> {
        let mut written = self.written.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut seen = HashSet::new();
        written.reverse();
        written.retain(|w| seen.insert(w.path.clone()));
        written.reverse();
        written
    }
}

/// What a route wrote and warned of: what the page cache keeps of it, to
/// carry its files and repeat its warnings in a build that does not
/// render it again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct RouteRecord {
    pub(crate) written: Vec<Written>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// What every route's renderer shares.
struct Shared<'a> {
    summaries: Summaries<'a>,
    links: &'a LinkContext<'a>,
    routes: &'a [Route],
    search: &'a crate::search::Memory,
    /// A build's search index, filled as article pages render.
    collecting: Option<crate::search::Collecting<'a>>,
}

/// What a render is asked for: where the pages go, who hears of progress,
/// which pages, and the search index to patch (the preview keeps one; a
/// build starts from nothing).
#[derive(Clone, Copy)]
pub(crate) struct Job<'a> {
    pub(crate) sink: &'a Sink,
    pub(crate) progress: &'a dyn Progress,
    pub(crate) pages: &'a Pages<'a>,
    pub(crate) search: &'a crate::search::Memory,
}

/// What rendering one route gave.
#[derive(Default)]
struct RouteDone {
    problems: Vec<Diagnostic>,
    /// For an article page: whether its body links inside the site.
    links_inside: bool,
    /// For a page made from a source: its ids and links into other ids.
    anchors: crate::anchors::Anchors,
    written: Vec<Written>,
}

impl From<Vec<Diagnostic>> for RouteDone {
    fn from(problems: Vec<Diagnostic>) -> Self {
        RouteDone {
            problems,
            ..RouteDone::default()
        }
    }
}

/// What the rendered routes add up to.
#[derive(Default)]
struct Tally {
    pages: usize,
    problems: Vec<Diagnostic>,
    /// Articles whose bodies link inside the site, by index.
    linking: Vec<usize>,
    anchors: crate::anchors::Anchors,
}

/// The route records of a render, spooled to a temporary file as routes
/// finish and read back once they all have: at 100k articles they are
/// tens of MB that the render's peak (the search index being written)
/// need not hold as well.
#[derive(Default)]
struct Spool {
    state: Mutex<SpoolState>,
}

#[derive(Default)]
struct SpoolState {
    /// Made on the first record: a render into memory has none.
    file: Option<std::io::BufWriter<std::fs::File>>,
    failed: Option<std::io::Error>,
}

impl Spool {
    fn add(&self, path: &str, record: &RouteRecord) {
        use std::io::Write;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.failed.is_some() {
            return;
        }
        let written = (|| {
            if state.file.is_none() {
                state.file = Some(std::io::BufWriter::new(tempfile::tempfile()?));
            }
            let file = state.file.as_mut().expect("made above");
            serde_json::to_writer(&mut *file, &(path, record))?;
            file.write_all(b"\n")
        })();
        if let Err(e) = written {
            state.failed = Some(e);
        }
    }

    /// Every record, in the order they came.
    fn read(self) -> Result<Vec<(String, RouteRecord)>, Diagnostic> {
        use std::io::{BufRead, Seek};
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let cannot = |e: std::io::Error| {
            Diagnostic::error(
                "<page cache>",
                None,
                format!("cannot keep the page records: {e}"),
            )
        };
        if let Some(e) = state.failed {
            return Err(cannot(e));
        }
        let Some(file) = state.file else {
            return Ok(Vec::new());
        };
        let mut file = file.into_inner().map_err(|e| cannot(e.into_error()))?;
        file.rewind().map_err(cannot)?;
        let lines = std::io::BufReader::new(file).lines();
        lines
            .map(|line| {
                let line = line.map_err(cannot)?;
                serde_json::from_str(&line).map_err(|e| cannot(e.into()))
            })
            .collect()
    }
}

impl Tally {
    fn add(&mut self, route: &Route, done: RouteDone, spool: &Spool) {
        let failed = done.problems.iter().any(Diagnostic::is_error);
        // A page made from a source file with an error is not written;
        // other kinds are counted as rendered, as they always were.
        let from_source = matches!(route.kind(), PageKind::Article | PageKind::Standalone);
        if route.is_page() && !(from_source && failed) {
            self.pages += 1;
        }
        if done.links_inside {
            self.linking.extend(route.article());
        }
        if !done.written.is_empty() {
            let warnings = done.problems.iter().filter(|p| !p.is_error()).cloned();
            let record = RouteRecord {
                written: done.written,
                warnings: warnings.collect(),
            };
            spool.add(&route.path, &record);
        }
        self.problems.extend(done.problems);
        self.anchors = std::mem::take(&mut self.anchors).merge(done.anchors);
    }

    fn merge(mut self, other: Tally) -> Tally {
        self.pages += other.pages;
        self.problems.extend(other.problems);
        self.linking.extend(other.linking);
        self.anchors = self.anchors.merge(other.anchors);
        self
    }
}

impl<'a> Renderer<'a> {
    /// Renders every page into `sink`. Collects every problem; any error
    /// fails the render (and so the build) after all pages were tried.
    pub(crate) fn render(
        &self,
        sink: &Sink,
        progress: &dyn Progress,
    ) -> Result<Report, Diagnostics> {
        let search = crate::search::Memory::default();
        self.render_pages(&Job {
            sink,
            progress,
            pages: &Pages::All,
            search: &search,
        })
    }

    /// Renders the chosen pages into `sink`; see [`Site::render`]. Every
    /// page is a route of the route table, rendered in parallel.
    pub(crate) fn render_pages(&self, job: &Job) -> Result<Report, Diagnostics> {
        let Job {
            sink,
            progress,
            pages,
            ..
        } = *job;
        let mut problems = Diagnostics::default();
        let mut report = Report::default();
        let t = &mut report.timings;
        if let Pages::All = pages {
            match t.step("assets", || self.write_site_files(sink)) {
                Ok(written) => report.site_files = written,
                Err(found) => problems.extend(found),
            }
        }
        report.assets = self.site.assets.len();
        let routes = self.site.routes();
        progress.set_length(routes.iter().filter(|r| r.is_page()).count() as u64);
        self.with_links(|links| {
            let tally = self.render_routes(job, links, &mut report, &mut problems);
            report.anchors = match pages {
                Pages::All => {
                    problems.extend(self.anchor_problems(&tally.anchors, links));
                    tally.anchors
                }
                Pages::Warm(carried) => {
                    let mut anchors = carried.anchors.clone();
                    anchors.update(tally.anchors, carried.removed.iter().cloned());
                    problems.extend(self.anchor_problems(&anchors, links));
                    problems.extend(carried.warnings.iter().cloned());
                    anchors
                }
                Pages::Only(_) => tally.anchors,
            };

            report.linking = (tally.linking.iter())
                .map(|&i| self.site.articles[i].slug.clone())
                .collect();
        });
        report.articles = self.site.articles.len();
        report.unreviewed = (self.site.articles.iter())
            .filter(|a| self.site.unreviewed(a))
            .map(|a| a.path.clone())
            .collect();
        report.unreviewed.sort();
        let mut all = problems.sorted();
        all.extend(self.site.warnings.iter().cloned());
        if all.iter().any(Diagnostic::is_error) {
            let mut failed = Diagnostics::default();
            failed.extend(all);
            return Err(failed);
        }
        report.warnings = all;
        Ok(report)
    }

    /// Calls `f` with what the Markdown stage needs of this site.
    pub(crate) fn with_links<R>(&self, f: impl FnOnce(&LinkContext) -> R) -> R {
        let asset_url = |path: &str| self.site.assets.url_for_site_path(path);
        let render_figure = |figure: &Figure| self.site.templates.render_figure(figure);
        let page_of_source =
            |path: Option<&std::path::Path>, name: &str| self.site.page_of_source(path, name);
        let image_size = |site_path: &str| self.site.image_size(site_path);
        f(&LinkContext {
            image_size: &image_size,
            base_path: self.site.base_path(),
            asset_url: &asset_url,
            render_figure: &render_figure,
            sanitize_html: self.site.config.markdown.sanitize_html,
            page_of_source: &page_of_source,
        })
    }

    /// Every chosen route, in parallel: pages first, then the files made
    /// from all of them. Returns what they add up to.
    fn render_routes(
        &self,
        job: &Job,
        links: &LinkContext,
        report: &mut Report,
        problems: &mut Diagnostics,
    ) -> Tally {
        let Job {
            sink,
            progress,
            pages,
            search,
        } = *job;
        let routes = self.site.routes();
        let t = &mut report.timings;
        let shared = Shared {
            // Every list and every Similar Posts box shows article
            // summaries; each is made into a template value once, when
            // first needed, and shared (Tera values are reference-counted,
            // so a clone is cheap).
            summaries: Summaries::new(self.site),
            links,
            routes,
            search,
            collecting: (self.site.config.search.enabled
                && !matches!(pages, Pages::Only(_))
                && !search.keeps())
            .then(|| {
                let store = self.search_store.cloned();
                crate::search::Collecting::new(self.site, store, self.search_reuse)
            }),
        };
        problems.extend(self.site.clashes().iter().cloned());
        problems.extend(self.site.menu_problems());
        if !matches!(pages, Pages::Only(_)) {
            problems.extend(t.step("unread sources", || self.check_salvaged(&shared)));
        }
        let skipped = routes
            .iter()
            .filter(|r| r.is_page() && !pages.wants(&r.path))
            .count();
        progress.inc(skipped as u64);
        // Folded as they finish: nothing per page is kept but its problems.
        // Pages first, then the files made from all of them (feed,
        // sitemap): their large inputs are not held while pages render.
        let spool = Spool::default();
        let render = |pages_first: bool| {
            routes
                .par_iter()
                .filter(|route| route.is_page() == pages_first && pages.wants(&route.path))
                .fold(Tally::default, |mut tally, route| {
                    let out = RouteSink::new(sink);
                    let mut done = self.render_route(route, &shared, &out);
                    done.written = out.into_written();
                    if route.is_page() {
                        progress.inc(1);
                    }
                    tally.add(route, done, &spool);
                    tally
                })
                .reduce(Tally::default, Tally::merge)
        };
        let mut tally = t.step("pages", || render(true));
        tally = tally.merge(t.step("feed, sitemap", || render(false)));
        report.search_index = (shared.collecting.as_ref()).and_then(|c| c.counts());
        drop(shared); // the search index's memory, before the records come back
        match spool.read() {
            Ok(records) => report.records = records,
            Err(problem) => problems.extend([problem]),
        }
        report.pages = tally.pages;
        if let Pages::Warm(_) = pages {
            report.pages += skipped; // carried from the last build
        }
        problems.extend(std::mem::take(&mut tally.problems));
        tally.linking.sort_unstable();
        tally
    }

    /// One page, by its kind: a new kind does not compile until it is
    /// rendered here.
    fn render_route(&self, route: &Route, shared: &Shared, sink: &RouteSink) -> RouteDone {
        match route.target {
            Target::Article(index) => self.render_article(index, shared, sink),
            Target::Standalone(index) => self.render_standalone(index, shared, sink),
            Target::Index { .. } | Target::Term { .. } => {
                self.render_list_page(route, shared, sink).into()
            }
            Target::Taxonomy(taxonomy) => self
                .render_taxonomy(&self.site.taxonomies[taxonomy], sink)
                .into(),
            Target::Feed => self.render_feed(sink).into(),
            Target::Sitemap => self.render_sitemap(sink, shared.routes).into(),
            Target::Robots => self.render_robots(sink).into(),
            Target::NotFound => self.render_not_found(sink).into(),
            Target::Redirect(index) => {
                let to = format!("{}/", self.site.articles[index].slug);
                let html = redirect::page(
                    &self.site.url(&to),
                    &self.site.permalink(&to),
                    &self.site.config.language,
                );
                write(sink, &redirect::file_of(&route.path), html.as_bytes()).into()
            }
            Target::PageIndex => write(sink, PAGE_INDEX, self.site.page_index().as_bytes()).into(),
            Target::Search => {
                let mut context = Context::new();
                let facets = self.site.config.search_facets().into_iter().map(Kind::name);
                context.insert("facets", &facets.collect::<Vec<_>>());
                let file = format!("{SEARCH_DIR}index.html");
                (self.render_text(sink, PageKind::Search.template(), &file, &context)).into()
            }
            Target::SearchIndex => {
                let (files, from) = match &shared.collecting {
                    Some(collecting) => (collecting.files(self.site), collecting.kept_from()),
                    None => {
                        let files = crate::search::index_files(self.site, shared.search);
                        (files.map(|files| (files, Vec::new())), None)
                    }
                };
                match files {
                    Ok((files, kept)) => {
                        let written = files.iter().flat_map(|f| write(sink, &f.path, &f.bytes));
                        let carried = kept.iter().flat_map(|w| carry(sink, from, w));
                        written.chain(carried).collect::<Vec<_>>().into()
                    }
                    Err(problems) => problems.into(),
                }
            }
            Target::Redirects => {
                let text = self.site.redirects_file(shared.routes);
                write(sink, REDIRECTS_FILE, text.as_bytes()).into()
            }
        }
    }

    /// Assets, their manifest and the CDN's `_headers`: files of another
    /// kind than pages, which depend on no article. What was written, for
    /// the page cache.
    pub(crate) fn write_site_files(&self, sink: &Sink) -> Result<Vec<Written>, Vec<Diagnostic>> {
        let out = RouteSink::new(sink);
        let problems = self.write_assets(&out);
        if problems.is_empty() {
            Ok(out.into_written())
        } else {
            Err(problems)
        }
    }

    fn write_assets(&self, sink: &RouteSink) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (_, asset) in self.site.assets.iter() {
            problems.extend(write(sink, &asset.output, &asset.bytes));
        }
        for file in self
            .site
            .root_files
            .iter()
            .filter(|f| self.site.writes_root_file(&f.output))
        {
            problems.extend(write(sink, &file.output, &file.bytes));
        }
        problems.extend(write(
            sink,
            MANIFEST_FILE,
            self.site.assets.manifest_json().as_bytes(),
        ));
        let headers = CacheRules::new(&self.site.config.cdn).headers_file();
        problems.extend(write(sink, HEADERS_FILE, headers.as_bytes()));
        problems
    }
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct TaxonomyView<'a> {
    name: &'static str,
    url: String,
    terms: Vec<TermView<'a>>,
}

#[derive(Serialize, Hash)]
pub(crate) struct FeedEntry<'a> {
    title: &'a str,
    permalink: String,
    published: String,
    updated: String,
    summary: &'a str,
    stack: &'a [String],
}

#[derive(Serialize, Hash)]
pub(crate) struct SitemapEntry {
    loc: String,
    lastmod: Option<String>,
}

fn rfc3339(date: chrono::NaiveDate) -> String {
    format!("{date}T00:00:00Z")
}

/// Keeps a file of the last build, `written`: carried into staging from
/// the output `from`, or (with no `from`: the target holds it already)
/// only noted as the route's.
fn carry(out: &RouteSink, from: Option<&std::path::Path>, written: &Written) -> Vec<Diagnostic> {
    if let (Some(from), Sink::Staging(staging)) = (from, out.sink)
        && let Err(e) = staging.carry(from, written)
    {
        return vec![Diagnostic::error(&written.path, None, format!("{e:#}"))];
    }
    let mut noted = out.written.lock().unwrap_or_else(|e| e.into_inner());
    noted.push(written.clone());
    Vec::new()
}

fn write(out: &RouteSink, rel: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    match out.sink.write(rel, bytes) {
        Ok(written) => {
            let mut noted = out.written.lock().unwrap_or_else(|e| e.into_inner());
            noted.extend(written);
            Vec::new()
        }
        Err(e) => vec![Diagnostic::error(rel, None, format!("{e:#}"))],
    }
}
