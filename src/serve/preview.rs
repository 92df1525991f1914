//! The preview's build state: the last good site, patched as files change.
//!
//! A rebuild applies every change since the last good build to that build:
//! changed articles are parsed again (and only they), then the pages whose
//! fingerprints moved are rendered (see `incremental`). A failed rebuild
//! keeps its changes pending, so the next one starts from the last good
//! site again, and the pages served stay the last good ones.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::CONFIG_FILE;
use crate::content::{self, Article, CONTENT_DIR, Sources};
use crate::diag::{Diagnostic, Diagnostics};
use crate::incremental::{self, Fingerprints};
use crate::output::{Sink, Spool, Stored};
use crate::progress::Silent;
use crate::render::{Job, Pages, Renderer, Report};
use crate::site::{LoadOptions, Site};

/// What changed on disk since the last good build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Pending {
    /// `site.yaml`: everything is read again.
    pub(crate) config: bool,
    /// `static/` or `templates/`: every page is rendered again.
    pub(crate) design: bool,
    /// Article files (relative to the root) added, edited or removed.
    pub(crate) articles: BTreeSet<PathBuf>,
    /// Something under `pages/`: every page is read again (they are few).
    pub(crate) pages: bool,
    /// A folder under `content/` came or went: read all of it again.
    pub(crate) rescan: bool,
}

impl Pending {
    /// Records a change to `rel` (relative to the site root); false when
    /// the path is nothing the site is built from.
    pub(crate) fn note(&mut self, root: &Path, rel: &Path) -> bool {
        let first = rel.components().next().map(|c| c.as_os_str());
        // root/ publishes hidden files too (`.well-known/`).
        if first.is_some_and(|f| f == crate::root_files::ROOT_DIR) {
            self.design = true;
            return true;
        }
        if crate::fsx::is_hidden_path(rel) {
            return false;
        }
        if rel == Path::new(CONFIG_FILE) {
            self.config = true;
        } else if first.is_some_and(|f| f == "templates" || f == "static") {
            self.design = true;
        } else if content::is_source(rel) {
            self.articles.insert(rel.to_path_buf());
        } else if content::page::is_source(rel) {
            self.pages = true;
        } else if first.is_some_and(|f| f == CONTENT_DIR)
            && (root.join(rel).is_dir() || rel.extension().is_none())
        {
            self.rescan = true;
        } else {
            return false;
        }
        true
    }

    fn merge(&mut self, other: Pending) {
        self.config |= other.config;
        self.design |= other.design;
        self.rescan |= other.rescan;
        self.pages |= other.pages;
        self.articles.extend(other.articles);
    }
}

/// Files to serve after a rebuild, each kept in the preview's spool.
pub enum Files {
    /// The whole site, in a spool of its own: replace everything served.
    All(Vec<(String, Stored)>),
    /// Some files changed, some are gone.
    Some {
        changed: Vec<(String, Stored)>,
        removed: Vec<String>,
    },
}

/// A successful rebuild.
pub struct Rebuilt {
    pub files: Files,
    pub pages: usize,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) took: Duration,
}

impl Rebuilt {
    fn new(files: Files, report: Report) -> Rebuilt {
        Rebuilt {
            files,
            pages: report.pages,
            warnings: report.warnings,
            took: Duration::ZERO,
        }
    }
}

/// The last good build and what the next one needs to know.
struct Good {
    site: Site,
    sources: Sources,
    prints: Fingerprints,
    linking: HashSet<String>,
    /// The search index's files, some of which an edit replaces.
    search_files: BTreeSet<String>,
    /// The last search index, which the next rebuild patches.
    search: crate::search::Memory,
    /// Every page's ids and links into ids, patched by each rebuild.
    anchors: crate::anchors::Anchors,
}

pub struct Preview {
    options: LoadOptions,
    good: Option<Good>,
    pending: Pending,
    /// Where a patch's pages go: the spool of the pages it patches.
    spool: Option<Arc<Spool>>,
}

impl Preview {
    pub fn new(options: LoadOptions) -> Preview {
        Preview {
            options,
            good: None,
            pending: Pending {
                config: true,
                ..Pending::default()
            },
            spool: None,
        }
    }

    /// Patches go to `spool` from now on: the server has moved the pages
    /// it serves there (see `Served::compact`).
    pub(crate) fn continue_in(&mut self, spool: Arc<Spool>) {
        self.spool = Some(spool);
    }

    pub(crate) fn root(&self) -> &Path {
        &self.options.root
    }

    pub fn note(&mut self, rel: &Path) -> bool {
        let root = self.options.root.clone();
        self.pending.note(&root, rel)
    }

    /// Applies every pending change. On failure the changes stay pending
    /// and the last good build stays as it was.
    ///
    /// Bodies stay in their files, so a page can find its article saved
    /// again since it was read: a save the watcher has not reported yet.
    /// Such articles are read again and the rebuild retried (twice at
    /// most, for a file saved over and over), instead of failing.
    pub fn rebuild(&mut self) -> Result<Rebuilt, Diagnostics> {
        let started = Instant::now();
        let mut retries = 2;
        loop {
            match self.rebuild_once() {
                Ok(mut rebuilt) => {
                    rebuilt.took = started.elapsed();
                    return Ok(rebuilt);
                }
                Err(problems) if retries > 0 && self.note_saved_since_read(&problems) => {
                    retries -= 1;
                }
                Err(problems) => return Err(problems),
            }
        }
    }

    /// If every error is an article saved again since it was read, notes
    /// those articles as changed and says so.
    fn note_saved_since_read(&mut self, problems: &Diagnostics) -> bool {
        let errors: Vec<&Diagnostic> = problems.iter().filter(|d| d.is_error()).collect();
        let saved = |d: &&Diagnostic| d.message == content::CHANGED_WHILE_READ;
        if errors.is_empty() || !errors.iter().all(saved) {
            return false;
        }
        (self.pending.articles).extend(errors.iter().map(|d| d.path.clone()));
        true
    }

    fn rebuild_once(&mut self) -> Result<Rebuilt, Diagnostics> {
        let pending = std::mem::take(&mut self.pending);
        let result = match (&self.good, &self.spool) {
            (Some(good), Some(spool)) if !pending.config => self.patch(good, spool, &pending),
            _ => self.full(),
        };
        match result {
            Ok((good, rebuilt)) => {
                if let Files::All(files) = &rebuilt.files {
                    self.spool = files.first().map(|(_, stored)| stored.spool());
                }
                self.good = Some(good);
                Ok(rebuilt)
            }
            Err(problems) => {
                self.pending.merge(pending);
                Err(problems)
            }
        }
    }

    fn full(&self) -> Result<(Good, Rebuilt), Diagnostics> {
        let (site, sources) =
            Site::load_with_sources(&self.options, &crate::site::Kept::default())?;
        let search = crate::search::Memory::keep();
        let sink = Sink::spool(self.new_spool()?);
        let mut report = Renderer::new(&site).render_pages(&Job {
            sink: &sink,
            progress: &Silent,
            pages: &Pages::All,
            search: &search,
        })?;
        let linking: HashSet<String> = std::mem::take(&mut report.linking).into_iter().collect();
        let prints = incremental::fingerprints(&site, &linking);
        let good = Good {
            search_files: search.written(),
            search,
            anchors: std::mem::take(&mut report.anchors),
            site,
            sources,
            prints,
            linking,
        };
        Ok((good, Rebuilt::new(Files::All(sink.into_files()), report)))
    }

    /// A spool for a whole site, beside the site's other kept files.
    fn new_spool(&self) -> Result<Arc<Spool>, Diagnostics> {
        let dir = self.options.root.join(".notesite");
        Spool::create(&dir).map_err(|e| {
            let message = format!("cannot make a file to keep the preview's pages in: {e}");
            Diagnostics::from(vec![Diagnostic::error(&dir, None, message)])
        })
    }

    fn patch(
        &self,
        good: &Good,
        spool: &Arc<Spool>,
        pending: &Pending,
    ) -> Result<(Good, Rebuilt), Diagnostics> {
        let root = &self.options.root;
        let sources = if pending.rescan {
            let (sources, problems) =
                content::read_all(root, &crate::content::FrontMatterCache::off());
            fail_on_errors(problems)?;
            sources
        } else {
            reread(root, &good.sources, &pending.articles)?
        };
        let (articles, clashes) = content::arrange(&sources, &self.options.visibility);
        fail_on_errors(Diagnostics::from(clashes))?;
        let content_changed = !pending.articles.is_empty() || pending.rescan;
        let standalone = if pending.pages {
            let visible = &self.options.visibility;
            let (standalone, problems) = crate::site::read_pages(root, &sources, visible);
            fail_on_errors(problems)?;
            Some(standalone)
        } else {
            let article_slugs = sources.iter().map(|(p, a)| (p.as_path(), a.slug.as_str()));
            let clashes = content::page::slug_clashes(&good.site.pages, article_slugs);
            fail_on_errors(Diagnostics::from(clashes))?;
            None
        };
        let site = good.site.revise(
            content_changed.then_some(articles),
            standalone,
            pending.design,
        )?;
        let prints = incremental::fingerprints(&site, &good.linking);
        let changes = incremental::compare(&good.prints, &prints);
        // New templates (a new menu, or a design change): every page.
        let pages = if !Arc::ptr_eq(&site.templates, &good.site.templates) {
            Pages::All
        } else {
            Pages::Only(&changes.render)
        };
        // A whole site goes into a spool of its own, so the old one is
        // freed once nothing serves from it.
        // A patch re-renders the search index whenever an article's text
        // moved; its chunks that did not change keep their hashed names,
        // are served already, and are not appended again (at 100k, the
        // index is 56 MB in 1618 files, and an edit changes a few).
        let sink = match pages {
            Pages::All => Sink::spool(self.new_spool()?),
            Pages::Only(_) | Pages::Warm(_) => {
                let hashed = (good.search_files.iter())
                    .filter(|path| crate::search::is_content_hashed(path));
                Sink::spool_besides(Arc::clone(spool), hashed.cloned().collect())
            }
        };
        let mut report = Renderer::new(&site).render_pages(&Job {
            sink: &sink,
            progress: &Silent,
            pages: &pages,
            search: &good.search,
        })?;
        let anchors = match pages {
            Pages::All => std::mem::take(&mut report.anchors),
            Pages::Only(_) | Pages::Warm(_) => {
                let mut anchors = good.anchors.clone();
                let removed = changes.removed.iter().map(|dir| site.url(dir));
                anchors.update(std::mem::take(&mut report.anchors), removed);
                let renderer = Renderer::new(&site);
                let problems =
                    renderer.with_links(|links| renderer.anchor_problems(&anchors, links));
                fail_on_errors(Diagnostics::from(problems))?;
                anchors
            }
        };
        let mut linking = good.linking.clone();
        linking.retain(|slug| !pages.wants_article(slug));
        linking.extend(std::mem::take(&mut report.linking));
        let search_files = good.search.written();
        let files = match pages {
            Pages::All => Files::All(sink.into_files()),
            Pages::Only(_) | Pages::Warm(_) => Files::Some {
                changed: sink.into_files(),
                removed: changes
                    .removed
                    .iter()
                    .map(|dir| format!("{dir}index.html"))
                    .chain(good.search_files.difference(&search_files).cloned())
                    .collect(),
            },
        };
        let good = Good {
            search_files,
            search: good.search.clone(),
            anchors,
            site,
            sources,
            prints,
            linking,
        };
        Ok((good, Rebuilt::new(files, report)))
    }
}

/// The sources with the changed files parsed again (or dropped when gone).
fn reread(
    root: &Path,
    sources: &Sources,
    changed: &BTreeSet<PathBuf>,
) -> Result<Sources, Diagnostics> {
    let mut sources = sources.clone();
    let mut problems = Diagnostics::default();
    for rel in changed {
        if !root.join(rel).is_file() {
            sources.remove(rel);
            continue;
        }
        match content::reread_one(root, rel) {
            Ok(article) => {
                sources.insert(rel.clone(), Arc::<Article>::new(article));
            }
            Err(found) => problems.extend(found),
        }
    }
    fail_on_errors(problems)?;
    Ok(sources)
}

fn fail_on_errors(problems: Diagnostics) -> Result<(), Diagnostics> {
    if problems.has_errors() {
        Err(problems)
    } else {
        Ok(())
    }
}
