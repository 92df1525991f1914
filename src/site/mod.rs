//! The build pipeline. `Site::load` reads and checks everything (config,
//! content, assets, templates) and derives what pages share (taxonomies,
//! Similar Posts); `Site::render` writes every page into a sink. Each step is
//! named and timed, so the pipeline reads top to bottom.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::assets::{self, AssetSet};
use crate::config::SiteConfig;
use crate::content::page::{self, Page};
use crate::content::{self, Article};
use crate::diag::{Diagnostic, Diagnostics};
use crate::embedded;
use crate::highlight;
use crate::kind::Kind;
use crate::related;
use crate::taxonomy::{self, Taxonomy};
use crate::templates::Templates;

mod routes;
mod source_links;

pub(crate) use routes::{Route, Target, page_dir};

pub struct LoadOptions {
    pub root: PathBuf,
    /// Which articles are built: drafts, scheduled, expired, at what *now*.
    pub visibility: crate::schedule::Visibility,
    pub base_url: Option<String>,
}

/// Wall time of each named step, shown by `--verbose`.
#[derive(Debug, Default)]
pub struct Timings {
    pub steps: Vec<(&'static str, Duration)>,
}

impl Timings {
    pub(crate) fn step<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.steps.push((name, start.elapsed()));
        value
    }

    /// Records the time since `since` as `name`, and restarts it: for a
    /// step that awaits, which `step` cannot wrap.
    pub(crate) fn lap(&mut self, name: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.steps.push((name, now - *since));
        *since = now;
    }
}

pub struct Site {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    /// Articles and pages that did not read: their pages are not built,
    /// but their links are checked, and links to them are not reported as
    /// broken on top of their errors.
    pub(crate) salvaged: Arc<Vec<content::Salvaged>>,
    /// Newest first, then by slug: the order of every list on the site.
    pub(crate) articles: Vec<Arc<Article>>,
    /// Standalone pages (`pages/`), by slug.
    pub(crate) pages: Arc<Vec<Page>>,
    pub(crate) assets: Arc<AssetSet>,
    /// `root/`, copied to the output's root as it is.
    pub(crate) root_files: Arc<Vec<crate::root_files::RootFile>>,
    pub(crate) templates: Arc<Templates>,
    /// Shared with the previous site after an edit that left them alone.
    pub(crate) taxonomies: Arc<Vec<Taxonomy>>,
    /// Per article, the indices of its Similar Posts.
    pub(crate) similar: Vec<Vec<usize>>,
    /// Every site path a page will have, for checking internal links.
    pub(crate) known_paths: Arc<HashSet<String>>,
    /// Problems that do not stop the build.
    pub(crate) warnings: Vec<Diagnostic>,
    pub timings: Timings,
    /// The route table, made when first needed (see `routes`).
    pub(crate) routes: std::sync::OnceLock<routes::RouteTable>,
    /// Which page each source file became, made when a link first names one.
    pub(crate) source_index: std::sync::OnceLock<source_links::SourceIndex>,
}

/// What a site is made of besides its articles.
struct Parts {
    root: PathBuf,
    config: SiteConfig,
    salvaged: Arc<Vec<content::Salvaged>>,
    pages: Arc<Vec<Page>>,
    assets: Arc<AssetSet>,
    root_files: Arc<Vec<crate::root_files::RootFile>>,
    templates: Arc<Templates>,
}

/// What the templates see on every page.
#[derive(Serialize)]
struct Globals<'a> {
    site: SiteView<'a>,
    base_path: &'a str,
    taxonomies: Vec<Link>,
    /// Pages with a `menu` number in its order, then `menu` of site.yaml;
    /// site paths under the base path.
    menu: Vec<Link>,
    /// Whether the header shows the search box.
    search: bool,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    base_url: &'a str,
    description: &'a str,
    language: &'a str,
    author: &'a str,
    meta_box_title: &'a str,
}

#[derive(Serialize, PartialEq)]
pub(crate) struct Link {
    pub(crate) name: String,
    pub(crate) url: String,
}

impl Site {
    pub fn load(options: &LoadOptions) -> Result<Site, Diagnostics> {
        Site::load_with_sources(options, &Kept::default()).map(|(site, _)| site)
    }

    /// Loads the site and also returns every parsed article by path, drafts
    /// included, which the preview server patches as files change. What
    /// `kept` holds from the last build is not worked out again.
    pub(crate) fn load_with_sources(
        options: &LoadOptions,
        kept: &Kept,
    ) -> Result<(Site, content::Sources), Diagnostics> {
        let mut timings = Timings::default();
        let root = options.root.clone();
        let mut diagnostics = Diagnostics::default();
        let config = timings
            .step("config", || load_config(options))
            .map_err(Diagnostics::from)?;
        diagnostics.extend(config.unfinished.iter().cloned());
        if options.base_url.is_none() && config.base_url == crate::config::DEFAULT_BASE_URL {
            diagnostics.extend([Diagnostic::warning(
                crate::config::CONFIG_FILE,
                None,
                format!(
                    "base_url is not set, so canonical links, the sitemap and the feed point at {}; \
                     set base_url to the address the site is published at",
                    crate::config::DEFAULT_BASE_URL
                ),
            )]);
        }
        let (sources, articles, mut read_problems, clashes) = timings.step("content", || {
            let (sources, problems) = content::read_all(&root, &kept.front_matter);
            let (articles, clashes) = content::arrange(&sources, &options.visibility);
            (sources, articles, problems, clashes)
        });
        let (pages, page_problems) =
            timings.step("pages", || read_pages(&root, &sources, &options.visibility));
        read_problems.extend(page_problems.sorted());
        let pages = Arc::new(pages);
        // An article that does not read stops nothing else: every other
        // page is still rendered and checked, so one run reports every
        // problem (the build fails at the end). Links to it still resolve.
        let salvaged = content::salvage(&root, &read_problems);
        diagnostics.extend(clashes);
        let assets = timings.step("assets", || load_assets(&root, &config));
        let assets = Arc::new(assets.unwrap_or_else(|d| {
            diagnostics.extend(d);
            AssetSet::default()
        }));
        diagnostics.extend(files_meant_for_the_root(&assets));
        let root_files = timings.step("root files", || crate::root_files::load(&root));
        let root_files = Arc::new(root_files.unwrap_or_else(|d| {
            diagnostics.extend(d);
            Vec::new()
        }));
        if config.base_url != crate::config::DEFAULT_BASE_URL || options.base_url.is_some() {
            let base_url = config.base_url();
            diagnostics.extend(crate::root_files::foreign_sitemaps(&root_files, base_url));
        }
        let templates = timings.step("templates", || {
            Templates::load(&root, Arc::clone(&assets), &globals(&config, &pages))
        });
        let templates = match templates {
            Ok(t) => Some(t),
            Err(d) => {
                diagnostics.extend(d);
                None
            }
        };
        let (Some(templates), false) = (templates, diagnostics.has_errors()) else {
            diagnostics.extend(read_problems.sorted());
            return Err(diagnostics);
        };
        diagnostics.extend(read_problems.sorted());
        let parts = Parts {
            root,
            config,
            salvaged: Arc::new(salvaged),
            pages,
            assets,
            root_files,
            templates: Arc::new(templates),
        };
        let similar = kept.similar.as_ref();
        let site = Site::assemble(
            parts,
            articles,
            diagnostics.sorted(),
            timings,
            None,
            similar,
        );
        Ok((site, sources))
    }

    /// Derives what pages share from checked parts and articles.
    /// With a `previous` site of the same config, Similar Posts are only
    /// computed again where an edit can have changed them.
    fn assemble(
        parts: Parts,
        articles: Vec<Arc<Article>>,
        warnings: Vec<Diagnostic>,
        mut timings: Timings,
        previous: Option<&Site>,
        similar_store: Option<&crate::related::Store>,
    ) -> Site {
        let kinds = parts.config.taxonomy_kinds();
        let edit = previous.and_then(|p| Edit::between(p, &articles));
        let same_pages = previous.is_some_and(|p| same_slugs(&p.pages, &parts.pages));
        let keeps_paths = |e: &&Edit| same_pages && e.keeps_terms(&articles, &kinds);
        if let Some(edit) = edit.as_ref().filter(keeps_paths) {
            // Same pages, same terms: only page contents can differ.
            let similar = similar_posts(&articles, &parts.config, Some(edit), None);
            let previous = edit.previous;
            return Site {
                taxonomies: Arc::clone(&previous.taxonomies),
                known_paths: Arc::clone(&previous.known_paths),
                ..Site::new(parts, articles, similar, warnings, timings)
            };
        }
        // Taxonomies are built on one thread while Similar Posts uses the
        // rest: 0.84 s -> 0.63 s for the two at 100k.
        let (taxonomies, similar) = timings.step("taxonomies, similar posts", || {
            rayon::join(
                || taxonomy::build(&articles, &kinds),
                || similar_posts(&articles, &parts.config, edit.as_ref(), similar_store),
            )
        });
        let mut site = Site::new(parts, articles, similar, warnings, timings);
        site.taxonomies = Arc::new(taxonomies);
        // Makes the route table, and checks it for clashes, on the way.
        let started = Instant::now();
        site.known_paths = Arc::new(site.collect_known_paths());
        (site.timings.steps).push(("routes", started.elapsed()));
        site
    }

    fn new(
        parts: Parts,
        articles: Vec<Arc<Article>>,
        similar: Vec<Vec<usize>>,
        warnings: Vec<Diagnostic>,
        timings: Timings,
    ) -> Site {
        Site {
            root: parts.root,
            config: parts.config,
            salvaged: parts.salvaged,
            articles,
            pages: parts.pages,
            assets: parts.assets,
            root_files: parts.root_files,
            templates: parts.templates,
            taxonomies: Arc::default(),
            similar,
            known_paths: Arc::default(),
            warnings,
            timings,
            routes: std::sync::OnceLock::new(),
            source_index: std::sync::OnceLock::new(),
        }
    }

    /// This site again with other articles (from the same content folder)
    /// or other pages, and, if `fresh_design`, with `static/` and
    /// `templates/` read again: for the preview server, which re-reads only
    /// what changed.
    pub(crate) fn revise(
        &self,
        articles: Option<Vec<Arc<Article>>>,
        pages: Option<Vec<Page>>,
        fresh_design: bool,
    ) -> Result<Site, Diagnostics> {
        let mut parts = self.parts();
        let menu_before = globals(&self.config, &self.pages).menu;
        if let Some(pages) = pages {
            parts.pages = Arc::new(pages);
        }
        if fresh_design {
            let assets = load_assets(&self.root, &self.config).map_err(Diagnostics::from)?;
            parts.assets = Arc::new(assets);
            let root_files = crate::root_files::load(&self.root).map_err(Diagnostics::from)?;
            parts.root_files = Arc::new(root_files);
        }
        // The menu is part of every page's globals.
        if fresh_design || globals(&self.config, &parts.pages).menu != menu_before {
            let globals = globals(&self.config, &parts.pages);
            let templates = Templates::load(&self.root, Arc::clone(&parts.assets), &globals)?;
            parts.templates = Arc::new(templates);
        }
        let articles = articles.unwrap_or_else(|| self.articles.clone());
        // Load-time warnings come from config, static/ and templates/; only
        // render finds problems in articles.
        let warnings = self.warnings.clone();
        Ok(Site::assemble(
            parts,
            articles,
            warnings,
            Timings::default(),
            Some(self),
            None,
        ))
    }

    fn parts(&self) -> Parts {
        Parts {
            root: self.root.clone(),
            config: self.config.clone(),
            salvaged: Arc::clone(&self.salvaged),
            pages: Arc::clone(&self.pages),
            assets: Arc::clone(&self.assets),
            root_files: Arc::clone(&self.root_files),
            templates: Arc::clone(&self.templates),
        }
    }

    pub(crate) fn base_path(&self) -> &str {
        self.config.base_path()
    }

    /// Site path (what goes in `href`) of an output folder like `my-slug/`.
    pub(crate) fn url(&self, dir: &str) -> String {
        format!("{}/{dir}", self.base_path())
    }

    /// Width and height of the image of `static/` or `root/` at a site
    /// path, read once per file.
    pub(crate) fn image_size(&self, site_path: &str) -> Option<(u32, u32)> {
        if let Some(asset) = self.assets.for_site_path(site_path) {
            return crate::image_size::cached(&asset.output, &asset.bytes);
        }
        let output = site_path
            .strip_prefix(self.base_path())?
            .strip_prefix('/')?;
        let file = self.root_files.iter().find(|f| f.output == output)?;
        crate::image_size::of(&file.bytes, &file.output)
    }

    /// An absolute URL for one written on a page: a site path (which
    /// carries the base path already) on the base URL's host.
    pub(crate) fn absolute(&self, url: &str) -> String {
        if !url.starts_with('/') || url.starts_with("//") {
            return url.to_string();
        }
        let base_url = self.config.base_url();
        let origin = base_url.strip_suffix(self.base_path()).unwrap_or(base_url);
        format!("{origin}{url}")
    }

    /// Absolute URL of an output folder, for feeds, sitemaps and canonicals.
    pub(crate) fn permalink(&self, dir: &str) -> String {
        format!("{}/{dir}", self.config.base_url())
    }

    pub(crate) fn taxonomy(&self, kind: Kind) -> Option<&Taxonomy> {
        self.taxonomies.iter().find(|t| t.kind == kind)
    }

    /// URL of a term page, if the taxonomy is built and has the term.
    pub(crate) fn term_url(&self, kind: Kind, name: &str) -> Option<String> {
        let term = self.taxonomy(kind)?.term(name)?;
        Some(self.url(&format!("{}/{}/", kind.name(), term.slug)))
    }

    fn collect_known_paths(&self) -> HashSet<String> {
        let root_files = self.root_files.iter().map(|f| self.url(&f.output));
        let broken = (self.salvaged.iter()).map(|s| self.url(&format!("{}/", s.slug)));
        (self.routes().iter().map(|r| self.url(&r.path)))
            .chain(root_files)
            .chain(broken)
            .collect()
    }

    /// Menu entries of site.yaml whose site path is no page of this build:
    /// errors at their line, as a broken link in an article is.
    pub(crate) fn menu_problems(&self) -> Vec<Diagnostic> {
        let entries = self.config.menu.iter().zip(&self.config.menu_pos);
        entries
            .filter(|(entry, _)| entry.url.starts_with('/'))
            .filter(|(entry, _)| !self.has_path(&self.url(entry.url.trim_start_matches('/'))))
            .map(|(entry, pos)| {
                Diagnostic::error(
                    crate::config::CONFIG_FILE,
                    *pos,
                    format!(
                        "menu entry `{}` links to `{}`, which is not a page of this site",
                        entry.title, entry.url
                    ),
                )
            })
            .collect()
    }

    /// Whether an article waits for review and so is kept out of search
    /// engines, the sitemap and the search index (`review` of site.yaml).
    pub(crate) fn unreviewed(&self, article: &Article) -> bool {
        self.config.review.noindex_needs_review
            && article
                .meta
                .flags
                .as_ref()
                .is_some_and(|f| f.needs_human_review)
    }

    /// The articles the search index holds: all but those waiting for
    /// review. Borrowed when that is all of them.
    pub(crate) fn indexed_articles(&self) -> std::borrow::Cow<'_, [Arc<Article>]> {
        if !self.articles.iter().any(|a| self.unreviewed(a)) {
            return std::borrow::Cow::Borrowed(&self.articles);
        }
        std::borrow::Cow::Owned(self.indexed().cloned().collect())
    }

    /// `indexed_articles` as an iterator over the site's own articles, for
    /// what borrows from them beyond the list's life.
    pub(crate) fn indexed(&self) -> impl Iterator<Item = &Arc<Article>> {
        self.articles.iter().filter(|a| !self.unreviewed(a))
    }

    /// Whether the sitemap lists a route: the first page of content and
    /// lists, but no article that waits for review.
    pub(crate) fn in_sitemap(&self, route: &Route) -> bool {
        let unreviewed = match route.target {
            crate::site::Target::Article(i) => self.unreviewed(&self.articles[i]),
            _ => false,
        };
        route.in_sitemap() && !unreviewed
    }

    /// True when an internal link points at a page this build will write.
    pub(crate) fn has_path(&self, path: &str) -> bool {
        if self.known_paths.contains(path) {
            return true;
        }
        let without_index = path.strip_suffix("index.html").unwrap_or(path);
        let with_slash = if without_index.ends_with('/') {
            without_index.to_string()
        } else {
            format!("{without_index}/")
        };
        self.known_paths.contains(&with_slash)
    }
}

/// The articles an edit changed in place, when the site kept its order.
struct Edit<'a> {
    previous: &'a Site,
    /// Index and previous version of each changed article.
    changed: Vec<(usize, &'a Article)>,
}

impl<'a> Edit<'a> {
    fn between(previous: &'a Site, articles: &[Arc<Article>]) -> Option<Edit<'a>> {
        let before = &previous.articles;
        let same_order = before.len() == articles.len()
            && before.iter().zip(articles).all(|(x, y)| x.slug == y.slug);
        if !same_order {
            return None;
        }
        let changed = (0..articles.len())
            .filter(|&i| !Arc::ptr_eq(&articles[i], &before[i]))
            .map(|i| (i, &*before[i]))
            .collect();
        Some(Edit { previous, changed })
    }

    /// True when every changed article kept its terms in every taxonomy.
    fn keeps_terms(&self, articles: &[Arc<Article>], kinds: &[Kind]) -> bool {
        // Same terms and aliases: the same pages, so known paths hold.
        let same = |&(i, old): &(usize, &Article)| {
            taxonomy::same_terms(old, &articles[i], kinds)
                && old.meta.aliases == articles[i].meta.aliases
        };
        self.changed.iter().all(same)
    }
}

fn similar_posts(
    articles: &[Arc<Article>],
    config: &SiteConfig,
    edit: Option<&Edit>,
    store: Option<&crate::related::Store>,
) -> Vec<Vec<usize>> {
    match (edit, store) {
        (Some(edit), _) => related::similar_after_edit(
            articles,
            &config.related,
            &edit.previous.similar,
            &edit.changed,
        ),
        (None, Some(store)) => related::similar_kept(articles, &config.related, store),
        (None, None) => related::similar(articles, &config.related),
    }
}

/// What a load takes from the last build, and keeps for the next: the
/// front matter each source read as, and the Similar Posts. Nothing for
/// `--no-cache`, `check` and the preview.
#[derive(Default)]
pub(crate) struct Kept {
    pub(crate) front_matter: content::FrontMatterCache,
    pub(crate) similar: Option<crate::related::Store>,
}

fn load_config(options: &LoadOptions) -> Result<SiteConfig, Vec<Diagnostic>> {
    let mut config = SiteConfig::load(&options.root)?;
    if let Some(url) = &options.base_url {
        config.base_url = url.clone();
        config
            .check_base_url()
            .map_err(|m| vec![Diagnostic::error("--base-url", None, m)])?;
    }
    Ok(config)
}

fn globals<'a>(config: &'a SiteConfig, pages: &[Page]) -> Globals<'a> {
    Globals {
        site: SiteView {
            title: &config.title,
            base_url: config.base_url(),
            description: &config.description,
            language: &config.language,
            author: &config.author,
            meta_box_title: &config.meta_box_title,
        },
        base_path: config.base_path(),
        taxonomies: config
            .taxonomy_kinds()
            .into_iter()
            .map(|kind| Link {
                name: kind.name().to_string(),
                url: format!("{}/{}/", config.base_path(), kind.name()),
            })
            .collect(),
        menu: page_menu(config, pages)
            .chain(config.menu.iter().map(|entry| Link {
                name: entry.title.clone(),
                url: match entry.url.starts_with('/') {
                    true => format!("{}{}", config.base_path(), entry.url),
                    false => entry.url.clone(),
                },
            }))
            .collect(),
        search: config.search.enabled,
    }
}

/// Links to the pages that have a `menu` number, in its order.
fn page_menu<'a>(config: &'a SiteConfig, pages: &'a [Page]) -> impl Iterator<Item = Link> + 'a {
    let mut in_menu: Vec<&Page> = pages.iter().filter(|p| p.menu.is_some()).collect();
    in_menu.sort_by(|a, b| a.menu.cmp(&b.menu).then_with(|| a.slug.cmp(&b.slug)));
    in_menu.into_iter().map(|page| Link {
        name: page.title.clone(),
        url: format!("{}/{}/", config.base_path(), page.slug),
    })
}

fn same_slugs(a: &[Page], b: &[Page]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.slug == y.slug)
}

/// The pages of `pages/` the build shows (drafts only when asked), by
/// slug, and the problems of those that did not read or take a slug
/// already taken: those are left out, the rest still build.
pub(crate) fn read_pages(
    root: &Path,
    sources: &content::Sources,
    visible: &crate::schedule::Visibility,
) -> (Vec<Page>, Diagnostics) {
    let (mut pages, mut problems) = page::read_all(root);
    let article_slugs = sources.iter().map(|(p, a)| (p.as_path(), a.slug.as_str()));
    let clashes = page::slug_clashes(&pages, article_slugs);
    pages.retain(|p| !clashes.iter().any(|c| c.path == p.path));
    pages.retain(|p| visible.drafts || !p.draft);
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    problems.extend(clashes);
    (pages, problems)
}

/// Built-in static files, then the site's `static/` over them by path, plus
/// the generated syntax stylesheet unless the site brings its own.
/// Files of `static/` whose names belong at the site's root (`robots.txt`,
/// `CNAME`): published under `assets/` with a hash, nothing finds them.
fn files_meant_for_the_root(assets: &AssetSet) -> Vec<Diagnostic> {
    assets
        .logical_paths()
        .filter(|path| crate::root_files::meant_for_the_root(path))
        .map(|path| {
            Diagnostic::warning(
                Path::new(assets::STATIC_DIR).join(path),
                None,
                format!(
                    "published as a hashed asset under /assets/, not at the site root; \
                     if it belongs at /{path}, move it to {}/{path}",
                    crate::root_files::ROOT_DIR
                ),
            )
        })
        .collect()
}

fn load_assets(root: &Path, config: &SiteConfig) -> Result<AssetSet, Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, assets::Source> = embedded::STATIC_FILES
        .iter()
        .map(|(logical, bytes)| {
            let source = assets::Source {
                shown: PathBuf::from(format!("<built-in>/static/{logical}")),
                bytes: bytes.to_vec(),
            };
            (logical.to_string(), source)
        })
        .collect();
    let mut problems = Vec::new();
    let markdown = &config.markdown;
    let css = highlight::theme_css(&markdown.highlight_theme, &markdown.highlight_theme_dark)
        .map_err(|m| {
            problems.push(Diagnostic::error(
                crate::config::CONFIG_FILE,
                None,
                format!("markdown.highlight_theme: {m}"),
            ))
        })
        .unwrap_or_default();
    sources.insert(
        "syntax.css".into(),
        assets::Source {
            shown: PathBuf::from("<generated>/syntax.css"),
            bytes: css.into_bytes(),
        },
    );
    let dir = root.join(assets::STATIC_DIR);
    if dir.is_dir() {
        let (files, walk_problems) = crate::fsx::walk_files(root, &dir);
        let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
        for (path, message) in walk_problems {
            problems.push(Diagnostic::error(rel(&path), None, message));
        }
        for path in files {
            let logical = path.strip_prefix(&dir).unwrap_or(&path);
            let logical: Vec<String> = logical
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let source = assets::Source {
                        shown: rel(&path),
                        bytes,
                    };
                    sources.insert(logical.join("/"), source);
                }
                Err(e) => problems.push(Diagnostic::error(
                    rel(&path),
                    None,
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    AssetSet::build(sources, config.base_path())
}
