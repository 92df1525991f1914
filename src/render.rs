//! Rendering: every page of the site through its template into the sink.
//! Articles render in parallel and are written as soon as they are done, so
//! memory holds the site's meta, never every page at once.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::assets::MANIFEST_FILE;
use crate::cdn::{CacheRules, HEADERS_FILE};
use crate::content::Article;
use crate::diag::{Diagnostic, Diagnostics, Severity, pos_at};
use crate::markdown::{self, Figure, LinkContext};
use crate::meta_box;
use crate::output::Sink;
use crate::progress::Progress;
use crate::routes::{PageKind, Route};
use crate::site::{Link, Site};
use crate::taxonomy::Kind;

pub const FEED_FILE: &str = "atom.xml";
pub const SITEMAP_FILE: &str = "sitemap.xml";

/// The sitemap protocol allows 50,000 URLs per file.
const SITEMAP_LIMIT: usize = 50_000;

/// What a render produced, for the summary line.
#[derive(Debug, Default)]
pub struct Report {
    pub articles: usize,
    pub pages: usize,
    pub assets: usize,
    pub warnings: Vec<Diagnostic>,
    /// Slugs of the rendered articles that link to other pages of the site,
    /// whose pages the preview server re-checks when pages come and go.
    pub linking: Vec<String>,
    /// Wall time of each render step, for `build -v`.
    pub timings: crate::site::Timings,
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
    difficulty_url: Option<String>,
    meta: &'a crate::content::Meta,
}

#[derive(Serialize)]
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

/// A list to render: the home index or a taxonomy term, paginated.
pub(crate) struct ListJob<'a> {
    pub template: &'static str,
    /// Output folder of the first page: `` for home, `stack/redis/` for a term.
    pub dir: String,
    pub articles: &'a [usize],
    pub term: Option<(&'static str, &'a str)>,
}

/// One page of a list.
pub(crate) struct ListPage<'a> {
    pub number: usize,
    pub total_pages: usize,
    pub articles: &'a [usize],
}

impl<'a> ListJob<'a> {
    /// The pages of this list; an empty list still has its first page.
    pub fn pages(&self, per_page: usize) -> Vec<ListPage<'a>> {
        let chunks: Vec<&'a [usize]> = if self.articles.is_empty() {
            vec![&[]]
        } else {
            self.articles.chunks(per_page).collect()
        };
        let total_pages = chunks.len();
        let pages = chunks.into_iter().enumerate();
        pages
            .map(|(i, articles)| ListPage {
                number: i + 1,
                total_pages,
                articles,
            })
            .collect()
    }

    /// Output folder of page `number`.
    pub fn page_dir(&self, number: usize) -> String {
        crate::routes::page_dir(&self.dir, number)
    }
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
        let make = || Value::from_serializable(&self.site.summary(index));
        self.values[index].get_or_init(make).clone()
    }
}

/// The outcome of rendering one article page.
struct ArticleDone {
    problems: Vec<Diagnostic>,
    /// Whether its body links to other pages or files of the site.
    links_inside: bool,
}

#[derive(Default)]
struct ArticlesDone {
    written: usize,
    problems: Vec<Diagnostic>,
    linking: Vec<String>,
}

/// Which pages a render writes.
pub enum Pages<'a> {
    /// Every page and asset: a build.
    All,
    /// Only the pages with these output folders (like `my-slug/` or
    /// `stack/redis/page/2/`) and these of the feed and sitemap: the
    /// preview server's incremental rebuild. Assets, `robots.txt`, the 404
    /// page and `_headers` depend on no article and are left out.
    Only(&'a HashSet<String>),
}

impl Pages<'_> {
    fn wants(&self, dir: &str) -> bool {
        match self {
            Pages::All => true,
            Pages::Only(dirs) => dirs.contains(dir),
        }
    }

    /// Whether the page of the article with this slug is rendered; a full
    /// build does not format a folder name per article to find out.
    pub fn wants_article(&self, slug: &str) -> bool {
        match self {
            Pages::All => true,
            Pages::Only(dirs) => dirs.contains(&format!("{slug}/")),
        }
    }
}

impl Site {
    /// Renders every page into `sink`. Collects every problem; any error
    /// fails the render (and so the build) after all pages were tried.
    pub fn render(&self, sink: &Sink, progress: &dyn Progress) -> Result<Report, Diagnostics> {
        self.render_pages(sink, progress, &Pages::All)
    }

    /// Renders the chosen pages into `sink`; see [`Site::render`].
    pub fn render_pages(
        &self,
        sink: &Sink,
        progress: &dyn Progress,
        pages: &Pages,
    ) -> Result<Report, Diagnostics> {
        let mut problems = Diagnostics::default();
        let mut report = Report::default();
        let t = &mut report.timings;
        if let Pages::All = pages {
            problems.extend(t.step("assets", || self.write_assets(sink)));
            report.assets = self.assets.len();
        }
        progress.set_length((self.articles.len() + self.list_page_count()) as u64);
        // Every list and every Similar Posts box shows article summaries;
        // each is made into a template value once, when first needed, and
        // shared (Tera values are reference-counted, so a clone is cheap).
        let summaries = Summaries::new(self);
        let articles = t.step("article pages", || {
            self.render_articles(sink, progress, &summaries, pages)
        });
        problems.extend(articles.problems);
        report.linking = articles.linking;
        let (lists, list_problems) = t.step("list pages", || {
            self.render_lists(sink, progress, &summaries, pages)
        });
        problems.extend(list_problems);
        problems.extend(t.step("feed, sitemap", || self.render_site_files(sink, pages)));
        report.pages += articles.written + lists;
        if let Pages::All = pages {
            report.pages += 1; // 404.html, which only a full render writes
            progress.inc(1);
        }
        report.articles = self.articles.len();
        let mut all = problems.sorted();
        all.extend(self.warnings.iter().cloned());
        if all.iter().any(Diagnostic::is_error) {
            let mut failed = Diagnostics::default();
            failed.extend(all);
            return Err(failed);
        }
        report.warnings = all;
        Ok(report)
    }

    fn write_assets(&self, sink: &Sink) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (_, asset) in self.assets.iter() {
            problems.extend(write(sink, &asset.output, &asset.bytes));
        }
        problems.extend(write(
            sink,
            MANIFEST_FILE,
            self.assets.manifest_json().as_bytes(),
        ));
        problems
    }

    fn render_articles(
        &self,
        sink: &Sink,
        progress: &dyn Progress,
        summaries: &Summaries,
        pages: &Pages,
    ) -> ArticlesDone {
        let asset_url = |path: &str| self.assets.url_for_site_path(path);
        let render_figure = |figure: &Figure| self.templates.render_figure(figure);
        let links = LinkContext {
            asset_url: &asset_url,
            render_figure: &render_figure,
            sanitize_html: self.config.markdown.sanitize_html,
        };
        let chosen: Vec<usize> = (0..self.articles.len())
            .filter(|&i| pages.wants_article(&self.articles[i].slug))
            .collect();
        progress.inc((self.articles.len() - chosen.len()) as u64);
        let results: Vec<(usize, ArticleDone)> = chosen
            .into_par_iter()
            .map(|index| {
                let result = self.render_article(index, &links, sink, summaries);
                progress.inc(1);
                (index, result)
            })
            .collect();
        let mut done = ArticlesDone::default();
        for (index, article) in results {
            if article.problems.iter().all(|d| !d.is_error()) {
                done.written += 1;
            }
            if article.links_inside {
                done.linking.push(self.articles[index].slug.clone());
            }
            done.problems.extend(article.problems);
        }
        done
    }

    fn render_article(
        &self,
        index: usize,
        links: &LinkContext,
        sink: &Sink,
        summaries: &Summaries,
    ) -> ArticleDone {
        let article = &self.articles[index];
        let dir = format!("{}/", article.slug);
        let body = markdown::render(
            &article.body,
            &article.meta.image_sources,
            &self.url(&dir),
            links,
        );
        let mut problems = body_problems(article, &body);
        problems.extend(self.broken_links(article, &body));
        let links_inside = !body.internal_links.is_empty();
        if problems.iter().any(Diagnostic::is_error) {
            return ArticleDone {
                problems,
                links_inside,
            };
        }
        let term_url = |kind: Kind, name: &str| self.term_url(kind, name);
        let meta = &article.meta;
        let page = PageView {
            title: &meta.title,
            slug: &article.slug,
            url: self.url(&dir),
            permalink: self.permalink(&dir),
            date: meta.date.to_string(),
            summary: meta.summary.as_deref().unwrap_or_default(),
            content: body.html,
            terms: self.term_links(article),
            difficulty_url: meta
                .difficulty
                .and_then(|d| term_url(Kind::Difficulty, d.as_str())),
            meta,
        };
        let similar: Vec<Value> = self.similar[index]
            .iter()
            .map(|&i| summaries.get(i))
            .collect();
        let mut context = Context::new();
        context.insert("page", &page);
        context.insert("meta_box", &meta_box::rows(meta, &term_url));
        context.insert_value("similar", Value::from(similar));
        match self.templates.render("article.html", &context) {
            Ok(html) => problems.extend(write(sink, &format!("{dir}index.html"), html.as_bytes())),
            Err(e) => problems.push(e),
        }
        ArticleDone {
            problems,
            links_inside,
        }
    }

    /// Internal links and site-path images that point at nothing this build
    /// writes.
    fn broken_links(&self, article: &Article, body: &markdown::Rendered) -> Vec<Diagnostic> {
        let broken = body
            .internal_links
            .iter()
            .filter(|link| !self.has_path(&link.path));
        broken
            .map(|link| {
                let message = match link.what {
                    "image" => format!(
                        "image `{}` is neither a page of this site nor a file in static/",
                        link.path
                    ),
                    _ => format!("link to `{}`, which is not a page of this site", link.path),
                };
                Diagnostic::error(&article.path, Some(body_pos(article, link.offset)), message)
            })
            .collect()
    }

    /// Links to the term pages of an article's stack, tools and entities.
    fn term_links<'a>(&self, article: &'a Article) -> Vec<TermLink<'a>> {
        let mut links = Vec::new();
        for kind in [Kind::Stack, Kind::Tools, Kind::Entities] {
            for name in crate::taxonomy::term_names(article, kind) {
                if let Some(url) = self.term_url(kind, name) {
                    links.push(TermLink {
                        taxonomy: kind.name(),
                        name,
                        url,
                    });
                }
            }
        }
        links
    }

    pub(crate) fn summary(&self, index: usize) -> Summary<'_> {
        let a = &self.articles[index];
        Summary {
            title: &a.meta.title,
            url: self.url(&format!("{}/", a.slug)),
            date: a.meta.date.to_string(),
            summary: a.meta.summary.as_deref().unwrap_or_default(),
            difficulty: a.meta.difficulty.map(|d| d.as_str()),
            reading_time: a.meta.reading_time,
            stack: &a.meta.stack,
        }
    }

    /// Pages other than articles: index, term and taxonomy pages and 404.
    fn list_page_count(&self) -> usize {
        let routes = self.routes();
        let lists = routes
            .iter()
            .filter(|r| r.is_page() && r.kind != PageKind::Article);
        lists.count()
    }

    /// The home index, then every term of every taxonomy.
    pub(crate) fn list_jobs<'a>(&'a self, all: &'a [usize]) -> Vec<ListJob<'a>> {
        let mut jobs = vec![ListJob {
            template: "index.html",
            dir: String::new(),
            articles: all,
            term: None,
        }];
        for t in self.taxonomies.iter() {
            for term in &t.terms {
                jobs.push(ListJob {
                    template: "term.html",
                    dir: format!("{}/{}/", t.name, term.slug),
                    articles: &term.articles,
                    term: Some((t.name, &term.name)),
                });
            }
        }
        jobs
    }

    fn render_lists(
        &self,
        sink: &Sink,
        progress: &dyn Progress,
        summaries: &Summaries,
        pages: &Pages,
    ) -> (usize, Vec<Diagnostic>) {
        let all: Vec<usize> = (0..self.articles.len()).collect();
        let jobs = self.list_jobs(&all);
        let written = AtomicUsize::new(0);
        let mut problems: Vec<Diagnostic> = jobs
            .par_iter()
            .flat_map_iter(|job| {
                let (count, problems) = self.render_list(job, sink, summaries, pages);
                progress.inc(count as u64);
                written.fetch_add(count, Ordering::Relaxed);
                problems
            })
            .collect();
        for t in self.taxonomies.iter() {
            if pages.wants(&format!("{}/", t.name)) {
                problems.extend(self.render_taxonomy(t, sink));
                written.fetch_add(1, Ordering::Relaxed);
            }
            progress.inc(1);
        }
        (written.into_inner(), problems)
    }

    /// Renders the wanted pages of one list; returns how many it rendered.
    fn render_list(
        &self,
        job: &ListJob,
        sink: &Sink,
        summaries: &Summaries,
        pages: &Pages,
    ) -> (usize, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let mut rendered = 0;
        for page in job.pages(self.config.paginate_by) {
            let dir = job.page_dir(page.number);
            if !pages.wants(&dir) {
                continue;
            }
            rendered += 1;
            let paginator = paginator(
                page.number,
                page.total_pages,
                page.articles.iter().map(|&a| summaries.get(a)).collect(),
                (page.number > 1).then(|| self.url(&job.page_dir(page.number - 1))),
                (page.number < page.total_pages).then(|| self.url(&job.page_dir(page.number + 1))),
            );
            let mut context = Context::new();
            context.insert_value("paginator", paginator);
            if let Some((taxonomy, name)) = job.term {
                context.insert(
                    "taxonomy",
                    &Link {
                        name: taxonomy.to_string(),
                        url: self.url(&format!("{taxonomy}/")),
                    },
                );
                context.insert(
                    "term",
                    &TermView {
                        name,
                        url: self.url(&job.dir),
                        count: job.articles.len(),
                    },
                );
            }
            match self.templates.render(job.template, &context) {
                Ok(html) => {
                    problems.extend(write(sink, &format!("{dir}index.html"), html.as_bytes()))
                }
                Err(e) => problems.push(e),
            }
        }
        (rendered, problems)
    }

    fn render_taxonomy(
        &self,
        taxonomy: &crate::taxonomy::Taxonomy,
        sink: &Sink,
    ) -> Vec<Diagnostic> {
        let terms: Vec<TermView> = taxonomy
            .terms
            .iter()
            .map(|t| TermView {
                name: &t.name,
                url: self.url(&format!("{}/{}/", taxonomy.name, t.slug)),
                count: t.articles.len(),
            })
            .collect();
        let view = TaxonomyView {
            name: taxonomy.name,
            url: self.url(&format!("{}/", taxonomy.name)),
            terms,
        };
        let mut context = Context::new();
        context.insert("taxonomy", &view);
        match self.templates.render("taxonomy.html", &context) {
            Ok(html) => write(
                sink,
                &format!("{}/index.html", taxonomy.name),
                html.as_bytes(),
            ),
            Err(e) => vec![e],
        }
    }

    /// Feed, sitemap, robots.txt, 404 page and the CDN `_headers` file.
    fn render_site_files(&self, sink: &Sink, pages: &Pages) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        if let Pages::All = pages {
            let headers = CacheRules::new(&self.config.cdn).headers_file();
            problems.extend(write(sink, HEADERS_FILE, headers.as_bytes()));
        }
        let mut page = |template: &str, output: &str, context: Context| match self
            .templates
            .render(template, &context)
        {
            Ok(text) => problems.extend(write(sink, output, text.as_bytes())),
            Err(e) => problems.push(e),
        };
        if pages.wants(FEED_FILE) {
            page("atom.xml", FEED_FILE, self.feed_context());
        }
        if let Pages::All = pages {
            page("404.html", "404.html", Context::new());
            let mut robots = Context::new();
            robots.insert("sitemap_url", &self.permalink(SITEMAP_FILE));
            page("robots.txt", "robots.txt", robots);
        }
        if !pages.wants(SITEMAP_FILE) {
            return problems;
        }
        let entries = self.sitemap_entries();
        if entries.len() <= SITEMAP_LIMIT {
            let mut context = Context::new();
            context.insert("entries", &entries);
            page("sitemap.xml", SITEMAP_FILE, context);
        } else {
            let mut sitemaps = Vec::new();
            for (i, chunk) in entries.chunks(SITEMAP_LIMIT).enumerate() {
                let name = format!("sitemap-{}.xml", i + 1);
                let mut context = Context::new();
                context.insert("entries", chunk);
                page("sitemap.xml", &name, context);
                sitemaps.push(self.permalink(&name));
            }
            let mut context = Context::new();
            context.insert("sitemaps", &sitemaps);
            page("sitemap_index.xml", SITEMAP_FILE, context);
        }
        problems
    }

    fn feed_context(&self) -> Context {
        let entries = self.feed_entries();
        let updated = entries
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        let mut context = Context::new();
        context.insert("entries", &entries);
        context.insert("updated", &updated);
        context.insert("feed_url", &self.permalink(FEED_FILE));
        context
    }

    pub(crate) fn feed_entries(&self) -> Vec<FeedEntry<'_>> {
        self.articles
            .iter()
            .take(self.config.feed_limit)
            .map(|a| {
                let updated = a
                    .meta
                    .revision
                    .as_ref()
                    .map_or(a.meta.date, |r| r.last_reviewed.max(a.meta.date));
                FeedEntry {
                    title: &a.meta.title,
                    permalink: self.permalink(&format!("{}/", a.slug)),
                    published: rfc3339(a.meta.date),
                    updated: rfc3339(updated),
                    summary: a.meta.summary.as_deref().unwrap_or_default(),
                    stack: &a.meta.stack,
                }
            })
            .collect()
    }

    pub(crate) fn sitemap_entries(&self) -> Vec<SitemapEntry> {
        let newest = self.articles.first().map(|a| a.meta.date.to_string());
        self.routes()
            .into_iter()
            .filter(Route::in_sitemap)
            .map(|route| {
                let lastmod = match (route.kind, route.article) {
                    (PageKind::Index, _) => newest.clone(),
                    (PageKind::Article, Some(index)) => {
                        let meta = &self.articles[index].meta;
                        let reviewed = meta.revision.as_ref().map(|r| r.last_reviewed);
                        Some(reviewed.map_or(meta.date, |r| r.max(meta.date)).to_string())
                    }
                    _ => None,
                };
                SitemapEntry {
                    loc: self.permalink(&route.path),
                    lastmod,
                }
            })
            .collect()
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

/// The `paginator` of list templates: `number`, `total_pages`, `items`,
/// `previous`, `next`.
fn paginator(
    number: usize,
    total_pages: usize,
    items: Vec<Value>,
    previous: Option<String>,
    next: Option<String>,
) -> Value {
    let mut map = tera::Map::default();
    map.insert("number".into(), number.into());
    map.insert("total_pages".into(), total_pages.into());
    map.insert("items".into(), Value::from(items));
    map.insert("previous".into(), previous.into());
    map.insert("next".into(), next.into());
    Value::from(map)
}

fn rfc3339(date: chrono::NaiveDate) -> String {
    format!("{date}T00:00:00Z")
}

fn write(sink: &Sink, rel: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    match sink.write(rel, bytes) {
        Ok(()) => Vec::new(),
        Err(e) => vec![Diagnostic::error(rel, None, format!("{e:#}"))],
    }
}

fn body_pos(article: &Article, offset: usize) -> crate::diag::Pos {
    let pos = pos_at(&article.body, offset);
    crate::diag::Pos::new(pos.line + article.body_line - 1, pos.col)
}

fn body_problems(article: &Article, body: &markdown::Rendered) -> Vec<Diagnostic> {
    let mut problems: Vec<Diagnostic> = body
        .problems
        .iter()
        .map(|p| {
            let pos = Some(body_pos(article, p.offset));
            match p.severity {
                Severity::Error => Diagnostic::error(&article.path, pos, &p.message),
                Severity::Warning => Diagnostic::warning(&article.path, pos, &p.message),
            }
        })
        .collect();
    problems.extend(body.template_errors.iter().cloned());
    for &index in &body.unused_sources {
        let url = &article.meta.image_sources[index].url;
        let pos = article.image_source_pos.get(index).copied().flatten();
        let message = format!("image source `{url}` is not used by any image in the body");
        problems.push(Diagnostic::warning(&article.path, pos, message));
    }
    problems
}
