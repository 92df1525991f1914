//! Every page a build writes, named once. Link checking, the sitemap and
//! progress counts are made from this table, and tests check that the
//! renderers write exactly these pages and that the preview fingerprints
//! every one that depends on articles, so a new page kind cannot be
//! missed by any of them.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::redirect;
use crate::site::Site;
use crate::taxonomy::Term;

pub(crate) use crate::page_kind::PageKind;
use crate::page_kind::SITEMAP_LIMIT;
use crate::page_kind::{IndexedPage, PageIndexFile};

/// The routes of a site, and the aliases and root files left out.
#[derive(Debug)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
    clashes: Vec<Diagnostic>,
    /// Outputs of `root/` files that clash: never written.
    blocked_root_files: Vec<String>,
}

/// One page: where it goes and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    /// Output folder (`my-slug/`, `stack/redis/page/2/`, `` for home) or
    /// file name (`atom.xml`), relative to the site's base path.
    pub(crate) path: String,
    pub(crate) target: Target,
}

/// What a route shows, with the data of its kind: an index into the
/// site's articles, pages or taxonomies, a list's page number. Each kind
/// carries exactly what it needs, so nothing is looked up as an `Option`
/// that a kind is sure to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Article(usize),
    Standalone(usize),
    /// Page `page` (from 1) of the home index.
    Index {
        page: usize,
    },
    Taxonomy(usize),
    /// Page `page` of the list of `term` (index into its taxonomy's).
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    Feed,
    Sitemap,
    Robots,
    NotFound,
    /// An alias of the article: a page that redirects to it.
    Redirect(usize),
    Redirects,
    PageIndex,
    Search,
    SearchIndex,
}

impl Target {
    pub(crate) fn kind(self) -> PageKind {
        match self {
            Target::Article(_) => PageKind::Article,
            Target::Standalone(_) => PageKind::Standalone,
            Target::Index { .. } => PageKind::Index,
            Target::Taxonomy(_) => PageKind::Taxonomy,
            Target::Term { .. } => PageKind::Term,
            Target::Feed => PageKind::Feed,
            Target::Sitemap => PageKind::Sitemap,
            Target::Robots => PageKind::Robots,
            Target::NotFound => PageKind::NotFound,
            Target::Redirect(_) => PageKind::Redirect,
            Target::Redirects => PageKind::Redirects,
            Target::PageIndex => PageKind::PageIndex,
            Target::Search => PageKind::Search,
            Target::SearchIndex => PageKind::SearchIndex,
        }
    }
}

impl Route {
    pub(crate) fn kind(&self) -> PageKind {
        self.target.kind()
    }

    /// Which page of a paginated list it is; 1 for any other page.
    pub(crate) fn page(&self) -> usize {
        match self.target {
            Target::Index { page } | Target::Term { page, .. } => page,
            _ => 1,
        }
    }

    /// The article it shows or redirects to.
    pub(crate) fn article(&self) -> Option<usize> {
        match self.target {
            Target::Article(i) | Target::Redirect(i) => Some(i),
            _ => None,
        }
    }

    /// Whether the sitemap lists it: the first page of a kind it lists
    /// (later pages of a list are not pages to index on their own).
    pub(crate) fn in_sitemap(&self) -> bool {
        self.page() == 1 && self.kind().in_sitemap()
    }

    /// Whether the renderer counts it as a page (progress, "N pages").
    pub(crate) fn is_page(&self) -> bool {
        self.kind().is_page()
    }
}

/// Output folder of page `number` of a list whose first page is `dir`.
pub(crate) fn page_dir(dir: &str, number: usize) -> String {
    if number == 1 {
        dir.to_string()
    } else {
        format!("{dir}page/{number}/")
    }
}

/// How many pages a list of `len` items has; an empty list has one.
pub(crate) fn page_count(len: usize, per_page: usize) -> usize {
    len.div_ceil(per_page).max(1)
}

/// A page of the home index or of a term's list, resolved from its route:
/// what both the renderer and the preview's fingerprint read.
pub(crate) struct ListPage<'a> {
    /// Output folder of the list's first page (`` for home).
    pub(crate) dir: String,
    /// For a term list: its taxonomy's name and the term.
    pub(crate) term: Option<(&'static str, &'a Term)>,
    /// How many articles the whole list has.
    pub(crate) len: usize,
    pub(crate) total_pages: usize,
    /// The articles on this page, as indices into the site's.
    pub(crate) on_page: Vec<usize>,
}

impl Site {
    /// The list page of an `Index` or `Term` route.
    pub(crate) fn list_page(&self, route: &Route) -> ListPage<'_> {
        let per_page = self.config.paginate_by;
        let (dir, term) = match route.target {
            Target::Term { taxonomy, term, .. } => {
                let t = &self.taxonomies[taxonomy];
                let term = &t.terms[term];
                (format!("{}/{}/", t.name, term.slug), Some((t.name, term)))
            }
            // The home index lists every article, newest first: the site's order.
            _ => (String::new(), None),
        };
        let len = term.map_or(self.articles.len(), |(_, t)| t.articles.len());
        let start = ((route.page() - 1) * per_page).min(len);
        let on_page = start..(start + per_page).min(len);
        let on_page = match term {
            None => on_page.collect(),
            Some((_, t)) => t.articles[on_page].to_vec(),
        };
        ListPage {
            dir,
            term,
            len,
            total_pages: page_count(len, per_page),
            on_page,
        }
    }
}

impl Site {
    /// Every page of the site, in sitemap order: home, articles, the rest
    /// of the home index, then each taxonomy with its terms, then the
    /// site files. Made once per site: known paths, the preview's
    /// fingerprints and the render all walk it (three times 7 ms of each
    /// preview edit at 10k articles).
    pub(crate) fn routes(&self) -> &[Route] {
        &self.route_table().routes
    }

    /// Aliases and root files left out because they clash with a page, a
    /// file or each other: errors of every render.
    pub(crate) fn clashes(&self) -> &[Diagnostic] {
        &self.route_table().clashes
    }

    /// Whether the `root/` file published at `output` is written (it is
    /// not when it clashes, see `clashes`).
    pub(crate) fn writes_root_file(&self, output: &str) -> bool {
        !self
            .route_table()
            .blocked_root_files
            .iter()
            .any(|b| b == output)
    }

    fn route_table(&self) -> &RouteTable {
        self.routes.get_or_init(|| {
            let mut routes = self.make_routes();
            let (clashes, clashing, blocked_root_files) = self.find_clashes(&routes);
            let mut index = 0;
            routes.retain(|_| {
                index += 1;
                clashing.binary_search(&(index - 1)).is_err()
            });
            RouteTable {
                routes,
                clashes,
                blocked_root_files,
            }
        })
    }

    fn make_routes(&self) -> Vec<Route> {
        let per_page = self.config.paginate_by;
        let route = |path: String, target| Route { path, target };
        let mut routes = vec![route(String::new(), Target::Index { page: 1 })];
        for (index, page) in self.pages.iter().enumerate() {
            routes.push(route(format!("{}/", page.slug), Target::Standalone(index)));
        }
        for (index, article) in self.articles.iter().enumerate() {
            routes.push(route(format!("{}/", article.slug), Target::Article(index)));
        }
        let index_pages = page_count(self.articles.len(), per_page);
        routes.extend(
            (2..=index_pages).map(|page| route(page_dir("", page), Target::Index { page })),
        );
        for (taxonomy, t) in self.taxonomies.iter().enumerate() {
            routes.push(route(format!("{}/", t.name), Target::Taxonomy(taxonomy)));
            for (term, of_term) in t.terms.iter().enumerate() {
                let dir = format!("{}/{}/", t.name, of_term.slug);
                let pages = page_count(of_term.articles.len(), per_page);
                routes.extend((1..=pages).map(|page| {
                    route(
                        page_dir(&dir, page),
                        Target::Term {
                            taxonomy,
                            term,
                            page,
                        },
                    )
                }));
            }
        }
        let mut any_alias = false;
        for (index, article) in self.articles.iter().enumerate() {
            for alias in &article.meta.aliases {
                any_alias = true;
                routes.push(route(alias.clone(), Target::Redirect(index)));
            }
        }
        // A robots.txt of root/ replaces the generated one.
        let own_robots =
            (self.root_files.iter()).any(|f| f.output == crate::page_kind::ROBOTS_FILE);
        let once = [
            (Target::Redirects, any_alias),
            (Target::Search, self.config.search.enabled),
            (Target::SearchIndex, self.config.search.enabled),
            (Target::Feed, true),
            (Target::Sitemap, true),
            (Target::Robots, !own_robots),
            (Target::NotFound, true),
            (Target::PageIndex, true),
        ];
        for (target, _) in once.into_iter().filter(|(_, written)| *written) {
            let path = (target.kind().fixed_path()).expect("a file written once has a fixed path");
            routes.push(route(path.to_string(), target));
        }
        routes
    }
}

impl Site {
    /// `_redirects`: each alias route to its article, in route order.
    pub(crate) fn redirects_file(&self, routes: &[Route]) -> String {
        let pairs: Vec<(String, String)> = routes
            .iter()
            .filter_map(|r| match r.target {
                Target::Redirect(index) => Some((r, &self.articles[index])),
                _ => None,
            })
            .map(|(r, article)| (self.url(&r.path), self.url(&format!("{}/", article.slug))))
            .collect();
        redirect::redirects_file(pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())))
    }

    /// The page index: each article's and standalone page's path with its
    /// source file and `reference`, sorted by path, so that `publish`
    /// follows either when its slug changes.
    pub(crate) fn page_index(&self) -> String {
        let source = |path: &Path| path.to_string_lossy().replace('\\', "/");
        let articles = self.articles.iter().map(|a| IndexedPage {
            url: format!("{}/", a.slug),
            source: source(&a.path),
            reference: a.meta.reference.clone(),
        });
        let standalone = self.pages.iter().map(|p| IndexedPage {
            url: format!("{}/", p.slug),
            source: source(&p.path),
            reference: None,
        });
        let mut pages: Vec<IndexedPage> = articles.chain(standalone).collect();
        pages.sort_by(|a, b| a.url.cmp(&b.url));
        let index = PageIndexFile { version: 1, pages };
        let mut json = serde_json::to_string(&index).expect("the page index serializes");
        json.push('\n');
        json
    }

    /// Aliases that take the path of a page, of an earlier alias or of
    /// the article itself, or that need a folder where the build writes a
    /// file (`/atom.xml/`) or a file where it writes a folder: errors at
    /// the article's `aliases`. Without this, two writers race for one file
    /// and which one wins changes from build to build.
    /// Returns the errors and the indexes of the clashing routes, in order.
    fn find_clashes(&self, routes: &[Route]) -> (Vec<Diagnostic>, Vec<usize>, Vec<String>) {
        // Only aliases and root files are checked against the pages, so
        // without either there is nothing to map: 0.25 s at 100k articles.
        let any_alias = routes.iter().any(|r| r.kind() == PageKind::Redirect);
        if !any_alias && self.root_files.is_empty() {
            return (Vec::new(), Vec::new(), Vec::new());
        }
        let mut taken = TakenPaths::with_capacity(routes.len());
        for route in routes.iter().filter(|r| r.kind() != PageKind::Redirect) {
            taken.insert(redirect::file_of(&route.path), Owner::Route(route));
        }
        // Files of other kinds than pages (see PageKind), and the parts of
        // a sitemap too long for one file.
        for file in [crate::assets::MANIFEST_FILE, crate::cdn::HEADERS_FILE] {
            taken.insert(file.to_string(), Owner::SiteFile);
        }
        let in_sitemap = routes.iter().filter(|r| self.in_sitemap(r)).count();
        if in_sitemap > SITEMAP_LIMIT {
            for n in 1..=in_sitemap.div_ceil(SITEMAP_LIMIT) {
                taken.insert(format!("sitemap-{n}.xml"), Owner::SiteFile);
            }
        }
        let (mut problems, blocked) = self.root_file_clashes(&mut taken);
        let mut clashing = Vec::new();
        let redirects = routes.iter().enumerate();
        for (at, route) in redirects {
            let Target::Redirect(index) = route.target else {
                continue;
            };
            let article = &self.articles[index];
            let file = redirect::file_of(&route.path);
            let why = match taken.clash(&file) {
                None => {
                    taken.insert(file, Owner::Route(route));
                    continue;
                }
                Some((other_file, other)) => self.clash_reason(index, &file, other_file, other),
            };
            clashing.push(at);
            problems.push(Diagnostic::error(
                &article.path,
                article.aliases_pos,
                format!("alias `/{}` {why}", route.path),
            ));
        }
        (problems, clashing, blocked)
    }

    /// Files of `root/` that would take the place of a page or of a file
    /// the build writes (`robots.txt` aside: it replaces the generated one),
    /// as errors naming both; the others join `taken`.
    fn root_file_clashes<'r>(
        &'r self,
        taken: &mut TakenPaths<'r>,
    ) -> (Vec<Diagnostic>, Vec<String>) {
        let mut problems = Vec::new();
        let mut blocked = Vec::new();
        for file in self.root_files.iter() {
            let reserved = ["assets/", ".notesite/"]
                .into_iter()
                .find(|dir| file.output.starts_with(dir));
            let why = match (reserved, taken.clash(&file.output)) {
                (Some(dir), _) => format!("is inside `/{dir}`, which holds the site's own files"),
                (None, Some((other_file, owner))) => {
                    let what = match owner {
                        Owner::Route(route) => match self.source_of(route) {
                            Some(source) => format!("the page of {}", source.display()),
                            None => format!("{} (`/{}`)", route.kind().describe(), route.path),
                        },
                        Owner::SiteFile | Owner::RootFile => format!("its own `/{other_file}`"),
                    };
                    format!(
                        "would be published at `/{}`, where the build writes {what}; rename or remove one of them",
                        file.output
                    )
                }
                (None, None) => {
                    taken.insert(file.output.clone(), Owner::RootFile);
                    continue;
                }
            };
            blocked.push(file.output.clone());
            problems.push(Diagnostic::error(
                &file.shown,
                None,
                format!("root file {why}"),
            ));
        }
        (problems, blocked)
    }

    fn clash_reason(&self, index: usize, file: &str, other_file: &str, other: Owner) -> String {
        let other = match other {
            Owner::Route(route) => route,
            Owner::SiteFile => {
                return format!("clashes with `/{other_file}`, a file the build writes");
            }
            Owner::RootFile => return format!("clashes with `/{other_file}`, a file of root/"),
        };
        let what = match other.target {
            Target::Article(i) if i == index => {
                return "points at the article itself".to_string();
            }
            Target::Redirect(i) if i == index => {
                return format!("is the same page as this article's alias `/{}`", other.path);
            }
            Target::Article(_) | Target::Standalone(_) => format!(
                "the page of {}",
                self.source_of(other).unwrap_or(Path::new("?")).display()
            ),
            Target::Redirect(i) => format!("an alias in {}", self.articles[i].path.display()),
            _ => other.kind().describe().to_string(),
        };
        if other_file == file {
            match other.kind() {
                PageKind::Article | PageKind::Standalone => format!("is {what}"),
                PageKind::Redirect => format!("is also {what}"),
                _ => format!("is the path of {what}"),
            }
        } else if file.starts_with(&format!("{other_file}/")) {
            format!("would need `/{other_file}` to be a folder, but it is {what}")
        } else {
            format!("would need `/{file}` to be a file, but `/{other_file}` is inside it ({what})")
        }
    }
}

impl Site {
    /// The source file of an article's or a standalone page's route.
    fn source_of(&self, route: &Route) -> Option<&Path> {
        match route.target {
            Target::Article(i) => Some(&self.articles[i].path),
            Target::Standalone(i) => Some(&self.pages[i].path),
            _ => None,
        }
    }
}

/// Who writes an output file.
#[derive(Clone, Copy)]
enum Owner<'r> {
    Route(&'r Route),
    /// `_headers`, the manifest, a sitemap part.
    SiteFile,
    /// A file of `root/`.
    RootFile,
}

/// The output files taken so far, and every folder they need. Only looked
/// up, never iterated: the fast hasher's order reaches no output.
struct TakenPaths<'r> {
    /// Each file with the route that writes it (`None`: a site file).
    files: HashMap<String, Owner<'r>, ahash::RandomState>,
    folders: HashMap<String, (String, Owner<'r>), ahash::RandomState>,
}

impl<'r> TakenPaths<'r> {
    /// Room for `routes` files and as many folders (an article's page is
    /// a file in a folder of its own), so 240k routes fill the maps
    /// without growing them.
    fn with_capacity(routes: usize) -> Self {
        TakenPaths {
            files: HashMap::with_capacity_and_hasher(routes, Default::default()),
            folders: HashMap::with_capacity_and_hasher(routes, Default::default()),
        }
    }

    fn insert(&mut self, file: String, route: Owner<'r>) {
        // Deepest folder first: a folder already taken has every folder
        // above it taken too, so the walk up stops there (240k pages share
        // a few thousand folders; each used to cost two allocations).
        for (at, _) in file.rmatch_indices('/') {
            if self.folders.contains_key(&file[..at]) {
                break;
            }
            (self.folders).insert(file[..at].to_string(), (file.clone(), route));
        }
        self.files.insert(file, route);
    }

    /// The taken file that `file` clashes with: the same file, a file
    /// where `file` needs a folder, or a file inside `file` as a folder.
    fn clash(&self, file: &str) -> Option<(&str, Owner<'r>)> {
        if let Some((taken, route)) = self.files.get_key_value(file) {
            return Some((taken, *route));
        }
        for (at, _) in file.match_indices('/') {
            if let Some((taken, route)) = self.files.get_key_value(&file[..at]) {
                return Some((taken, *route));
            }
        }
        let (inside, route) = self.folders.get(file)?;
        Some((inside, *route))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    use crate::output::Sink;
    use crate::site::LoadOptions;

    type Files = Vec<(String, Vec<u8>)>;

    /// The example site (this repository), built in memory, with its files
    /// and the slugs of articles that link inside the site.
    fn example() -> (Site, Files, HashSet<String>) {
        let options = LoadOptions {
            root: env!("CARGO_MANIFEST_DIR").into(),
            visibility: crate::schedule::Visibility::at(crate::schedule::now(None).unwrap()),
            base_url: None,
        };
        let site = Site::load(&options).expect("the example site loads");
        let spool_dir = tempfile::tempdir().unwrap();
        let sink = Sink::spool(crate::output::Spool::create(spool_dir.path()).unwrap());
        let report = crate::render::Renderer::new(&site)
            .render(&sink, &crate::progress::Silent)
            .expect("the example site builds");
        let linking = report.linking.into_iter().collect();
        let files = (sink.into_files().into_iter())
            .map(|(path, stored)| (path, stored.bytes().unwrap()))
            .collect();
        (site, files, linking)
    }

    /// The route path of a written file: `x/index.html` is `x/`.
    fn route_path(file: &str) -> &str {
        file.strip_suffix("index.html").unwrap_or(file)
    }

    #[test]
    fn the_build_writes_exactly_its_routes_and_the_sitemap_lists_the_first_pages() {
        let (site, files, _) = example();
        let routes = site.routes();
        let written: BTreeSet<&str> = files
            .iter()
            .map(|(file, _)| route_path(file))
            .filter(|path| {
                // Files of other kinds: assets and the CDN's own files.
                !path.starts_with("assets/") && !matches!(*path, "_headers" | "asset-manifest.json")
            })
            .collect();
        let expected: BTreeSet<&str> = routes.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(written, expected);
        assert!(routes.iter().any(|r| r.page() > 1), "the example paginates");

        let sitemap = files.iter().find(|(f, _)| f == "sitemap.xml").unwrap();
        let sitemap = String::from_utf8_lossy(&sitemap.1);
        for route in routes {
            let loc = format!("<loc>{}</loc>", site.permalink(&route.path));
            assert_eq!(sitemap.contains(&loc), site.in_sitemap(route), "{route:?}");
        }
    }

    #[test]
    fn every_route_that_depends_on_articles_has_a_fingerprint() {
        let (site, _, linking) = example();
        let prints = crate::incremental::fingerprints(&site, &linking);
        let routes = site.routes();
        for route in routes {
            assert_eq!(
                prints.contains_key(&route.path),
                route.kind().depends_on_articles(),
                "{route:?}"
            );
        }
        let paths: HashSet<&str> = routes.iter().map(|r| r.path.as_str()).collect();
        for path in prints.keys() {
            assert!(
                paths.contains(path.as_str()),
                "{path} has a fingerprint but no route"
            );
        }
    }

    #[test]
    fn no_slug_can_take_the_folder_of_a_generated_page() {
        let (site, _, _) = example();
        let reserved = crate::page_kind::reserved_slugs();
        let mut seen = BTreeSet::new();
        let slugs = [PageKind::Article, PageKind::Standalone, PageKind::Redirect];
        for route in site.routes().iter().filter(|r| !slugs.contains(&r.kind())) {
            let first = route.path.split('/').next().unwrap();
            // Home; files (a slug has no `.` and starts with no `_`).
            if first.is_empty() || first.contains('.') || first.starts_with('_') {
                continue;
            }
            assert!(reserved.contains(&first), "{first} of {route:?}");
            seen.insert(first);
        }
        assert!(
            seen.len() >= 4,
            "the example has pagination, taxonomies, search: {seen:?}"
        );
        assert!(reserved.contains(&crate::assets::ASSETS_DIR));
    }

    #[test]
    fn pages_of_a_list() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(page_dir("stack/redis/", 1), "stack/redis/");
        assert_eq!(page_dir("stack/redis/", 3), "stack/redis/page/3/");
        assert_eq!(page_dir("", 2), "page/2/");
    }

    #[test]
    fn only_first_pages_of_content_and_lists_are_in_the_sitemap() {
        let route = |target| Route {
            path: String::new(),
            target,
        };
        let term = |page| Target::Term {
            taxonomy: 0,
            term: 0,
            page,
        };
        assert!(route(Target::Article(0)).in_sitemap());
        assert!(route(term(1)).in_sitemap());
        assert!(!route(term(2)).in_sitemap());
        assert!(!route(Target::Index { page: 2 }).in_sitemap());
        assert!(!route(Target::NotFound).in_sitemap());
        assert!(!route(Target::Feed).in_sitemap());
        assert!(route(Target::NotFound).is_page());
        assert!(!route(Target::Robots).is_page());
    }
}
