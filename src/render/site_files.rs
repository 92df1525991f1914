//! The site's own files: the feed, the sitemap (split above 50,000
//! URLs), robots.txt and the 404 page.

use super::*;

impl Site {
    /// Feed, sitemap, robots.txt, 404 page and the CDN `_headers` file.
    pub(super) fn render_site_files(&self, sink: &Sink, pages: &Pages) -> Vec<Diagnostic> {
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
