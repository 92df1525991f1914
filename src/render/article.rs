//! Article pages: the body through Markdown, the meta box, term links,
//! Similar Posts, and the checks of links inside the site.

use super::*;

/// The outcome of rendering one article page.
struct ArticleDone {
    problems: Vec<Diagnostic>,
    /// Whether its body links to other pages or files of the site.
    links_inside: bool,
}

#[derive(Default)]
pub(super) struct ArticlesDone {
    pub(super) written: usize,
    pub(super) problems: Vec<Diagnostic>,
    pub(super) linking: Vec<String>,
}

impl Site {
    pub(super) fn render_articles(
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
