//! Standalone pages (`pages/`): the body through Markdown into `page.html`,
//! with the same checks of links inside the site as an article's.

use super::article::Source;
use super::*;

#[derive(Serialize)]
struct StandaloneView<'a> {
    title: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    summary: &'a str,
    content: String,
    /// Whether the body has a code block, and so needs `syntax.css`.
    has_code: bool,
    /// The table of contents; empty below `markdown.toc_min_headings`.
    toc: Vec<crate::toc::TocEntry>,
    /// The page's `extra:` map, for a site's own templates.
    extra: Option<&'a serde_yaml::Value>,
}

impl<'a> Renderer<'a> {
    pub(super) fn render_standalone(
        &self,
        index: usize,
        shared: &Shared,
        sink: &RouteSink,
    ) -> RouteDone {
        let page = &self.site.pages[index];
        let dir = format!("{}/", page.slug);
        let url = self.site.url(&dir);
        let place = markdown::Place {
            url: &url,
            source: &page.path,
            image_sources: None,
        };
        let at = Source {
            path: &page.path,
            body: &page.body,
            body_line: page.body_line,
        };
        let (body, mut done) = self.check_body(&at, &place, shared);
        if done.problems.iter().any(Diagnostic::is_error) {
            return done;
        }
        let view = StandaloneView {
            title: &page.title,
            slug: &page.slug,
            permalink: self.site.permalink(&dir),
            url,
            summary: &page.summary,
            has_code: body.html.contains("<pre class=\"code\""),
            toc: self.toc(&body),
            content: body.html,
            extra: page.extra.as_ref(),
        };
        let mut context = Context::new();
        context.insert("page", &view);
        self.write_page("page.html", &context, &dir, sink, &mut done.problems);
        done
    }
}
