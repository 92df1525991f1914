//! List pages: the paginated home index, term pages and taxonomy pages.

use super::*;

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

impl Site {
    /// Pages other than articles: index, term and taxonomy pages and 404.
    pub(super) fn list_page_count(&self) -> usize {
        let routes = self.routes();
        let lists = routes
            .iter()
            .filter(|r| r.is_page() && r.kind != PageKind::Article);
        lists.count()
    }

    /// The home index, then every term of every taxonomy.
    pub(crate) fn list_jobs<'a>(&'a self, all: &'a [usize]) -> Vec<ListJob<'a>> {
        let mut jobs = vec![self.list_job(None, all)];
        for (i, t) in self.taxonomies.iter().enumerate() {
            jobs.extend((0..t.terms.len()).map(|j| self.list_job(Some((i, j)), all)));
        }
        jobs
    }

    /// The home index (`None`), or term `term` of taxonomy `taxonomy`.
    pub(crate) fn list_job<'a>(
        &'a self,
        term: Option<(usize, usize)>,
        all: &'a [usize],
    ) -> ListJob<'a> {
        match term {
            None => ListJob {
                template: "index.html",
                dir: String::new(),
                articles: all,
                term: None,
            },
            Some((taxonomy, term)) => {
                let t = &self.taxonomies[taxonomy];
                let term = &t.terms[term];
                ListJob {
                    template: "term.html",
                    dir: format!("{}/{}/", t.name, term.slug),
                    articles: &term.articles,
                    term: Some((t.name, &term.name)),
                }
            }
        }
    }

    pub(super) fn render_lists(
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
