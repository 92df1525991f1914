//! The site's own files: the feed, the sitemap (split above 50,000
//! URLs), robots.txt and the 404 page.

use super::*;
use crate::page_kind::{FEED_FILE, NOT_FOUND_FILE, ROBOTS_FILE, SITEMAP_FILE, SITEMAP_LIMIT};

impl<'a> Renderer<'a> {
    pub(super) fn render_text(
        &self,
        sink: &RouteSink,
        template: &str,
        output: &str,
        context: &Context,
    ) -> Vec<Diagnostic> {
        match self.site.templates.render(template, context) {
            Ok(text) => write(sink, output, text.as_bytes()),
            Err(e) => vec![e],
        }
    }

    pub(super) fn render_feed(&self, sink: &RouteSink) -> Vec<Diagnostic> {
        self.render_text(
            sink,
            PageKind::Feed.template(),
            FEED_FILE,
            &self.feed_context(),
        )
    }

    pub(super) fn render_not_found(&self, sink: &RouteSink) -> Vec<Diagnostic> {
        let template = PageKind::NotFound.template();
        self.render_text(sink, template, NOT_FOUND_FILE, &Context::new())
    }

    pub(super) fn render_robots(&self, sink: &RouteSink) -> Vec<Diagnostic> {
        let mut robots = Context::new();
        robots.insert("sitemap_url", &self.site.permalink(SITEMAP_FILE));
        self.render_text(sink, PageKind::Robots.template(), ROBOTS_FILE, &robots)
    }

    /// `sitemap.xml`, or above 50,000 URLs a sitemap index over
    /// `sitemap-N.xml` files.
    pub(super) fn render_sitemap(&self, sink: &RouteSink, routes: &[Route]) -> Vec<Diagnostic> {
        let entries = self.sitemap_entries(routes);
        if entries.len() <= SITEMAP_LIMIT {
            let mut context = Context::new();
            context.insert("entries", &entries);
            return self.render_text(sink, PageKind::Sitemap.template(), SITEMAP_FILE, &context);
        }
        let mut problems = Vec::new();
        let mut sitemaps = Vec::new();
        for (i, chunk) in entries.chunks(SITEMAP_LIMIT).enumerate() {
            let name = format!("sitemap-{}.xml", i + 1);
            let mut context = Context::new();
            context.insert("entries", chunk);
            problems.extend(self.render_text(sink, "sitemap.xml", &name, &context));
            sitemaps.push(self.site.permalink(&name));
        }
        let mut context = Context::new();
        context.insert("sitemaps", &sitemaps);
        problems.extend(self.render_text(sink, "sitemap_index.xml", SITEMAP_FILE, &context));
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
        context.insert("feed_url", &self.site.permalink(FEED_FILE));
        context
    }

    pub(crate) fn feed_entries(&self) -> Vec<FeedEntry<'a>> {
        self.site
            .articles
            .iter()
            .take(self.site.config.feed_limit)
            .map(|a| {
                let updated = a
                    .meta
                    .revision
                    .as_ref()
                    .map_or(a.meta.date, |r| r.last_reviewed.max(a.meta.date));
                FeedEntry {
                    title: &a.meta.title,
                    permalink: self.site.permalink(&format!("{}/", a.slug)),
                    published: rfc3339(a.meta.date),
                    updated: rfc3339(updated),
                    summary: a.meta.summary.as_deref().unwrap_or_default(),
                    stack: &a.meta.stack,
                }
            })
            .collect()
    }

    pub(crate) fn sitemap_entries(&self, routes: &[Route]) -> Vec<SitemapEntry> {
        let newest = self.site.articles.first().map(|a| a.meta.date.to_string());
        routes
            .iter()
            .filter(|r| self.site.in_sitemap(r))
            .map(|route| {
                let lastmod = match route.target {
                    Target::Index { .. } => newest.clone(),
                    Target::Article(index) => {
                        let meta = &self.site.articles[index].meta;
                        let reviewed = meta.revision.as_ref().map(|r| r.last_reviewed);
                        Some(reviewed.map_or(meta.date, |r| r.max(meta.date)).to_string())
                    }
                    _ => None,
                };
                SitemapEntry {
                    loc: self.site.permalink(&route.path),
                    lastmod,
                }
            })
            .collect()
    }
}
