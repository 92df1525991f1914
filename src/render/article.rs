//! Article pages: the body through Markdown, the meta box, term links,
//! Similar Posts, and the checks of links inside the site.

use super::*;
use crate::anchors::{AnchorLink, Anchors};

impl<'a> Renderer<'a> {
    pub(super) fn render_article(
        &self,
        index: usize,
        shared: &Shared,
        sink: &RouteSink,
    ) -> RouteDone {
        let article = &self.site.articles[index];
        let dir = format!("{}/", article.slug);
        let place = markdown::Place {
            url: &self.site.url(&dir),
            source: &article.path,
            image_sources: Some(&article.meta.image_sources),
        };
        let text = match article.body() {
            Ok(text) => text,
            Err(problem) => return vec![problem].into(),
        };
        if let Some(collecting) = &shared.collecting {
            collecting.add(self.site, index, &text);
        }
        let source = Source::of_article(article, &text);
        let (body, mut done) = self.check_body(&source, &place, shared);
        done.problems.extend(unused_sources(article, &body));
        if done.problems.iter().any(Diagnostic::is_error) {
            return done;
        }
        let term_url = |kind: Kind, name: &str| self.site.term_url(kind, name);
        let meta = &article.meta;
        let terms = self.term_links(article);
        let term_groups = term_groups(&terms);
        let permalink = self.site.permalink(&dir);
        let image = body
            .first_figure
            .as_deref()
            .map(|src| self.site.absolute(src));
        let card = crate::cards::SiteCard {
            title: &self.site.config.title,
            author: &self.site.config.author,
        };
        let json_ld = crate::cards::json_ld(&card, article, &permalink, image.as_deref());
        let page = PageView {
            title: &meta.title,
            slug: &article.slug,
            url: self.site.url(&dir),
            permalink,
            date: meta.date.to_string(),
            summary: meta.summary.as_deref().unwrap_or_default(),
            has_code: body.html.contains("<pre class=\"code\""),
            toc: self.toc(&body),
            noindex: self.site.unreviewed(article),
            image,
            modified: crate::cards::modified(article),
            json_ld,
            extra: meta.extra.as_ref().map(|e| &e.0),
            content: body.html,
            terms,
            term_groups,
            difficulty_url: meta
                .difficulty
                .and_then(|d| term_url(Kind::Difficulty, d.as_str())),
            meta,
        };
        let similar: Vec<Value> = self.site.similar[index]
            .iter()
            .map(|&i| shared.summaries.get(i))
            .collect();
        let mut context = Context::new();
        context.insert("page", &page);
        context.insert("meta_box", &meta_box::rows(meta, &term_url));
        context.insert_value("similar", Value::from(similar));
        self.write_page("article.html", &context, &dir, sink, &mut done.problems);
        done
    }

    /// A body through Markdown, with its problems and its links' (as a
    /// page's outcome so far: nothing written yet).
    pub(super) fn check_body(
        &self,
        at: &Source,
        place: &markdown::Place,
        shared: &Shared,
    ) -> (markdown::Rendered, RouteDone) {
        let body = markdown::render(at.body, place, shared.links);
        let mut problems = at.problems(&body);
        problems.extend(self.broken_links(at, &body));
        let done = RouteDone {
            problems,
            links_inside: !body.internal_links.is_empty(),
            written: Vec::new(),
            anchors: page_anchors(place.url, at, &body),
        };
        (body, done)
    }

    /// Renders `template` into `dir/index.html`; a failure joins `problems`.
    pub(super) fn write_page(
        &self,
        template: &str,
        context: &Context,
        dir: &str,
        sink: &RouteSink,
        problems: &mut Vec<Diagnostic>,
    ) {
        match self.site.templates.render(template, context) {
            Ok(html) => problems.extend(write(sink, &format!("{dir}index.html"), html.as_bytes())),
            Err(e) => problems.push(e),
        }
    }

    /// Internal links and site-path images that point at nothing this build
    /// writes.
    pub(super) fn broken_links(&self, at: &Source, body: &markdown::Rendered) -> Vec<Diagnostic> {
        let broken = body
            .internal_links
            .iter()
            .filter(|link| !self.site.has_path(&link.path));
        broken
            .map(|link| {
                let message = match link.what {
                    "image" => format!(
                        "image `{}` is neither a page of this site nor a file in static/",
                        link.path
                    ),
                    _ => format!("link to `{}`, which is not a page of this site", link.path),
                };
                Diagnostic::error(at.path, Some(at.pos(link.offset)), message)
            })
            .collect()
    }

    pub(super) fn toc(&self, body: &markdown::Rendered) -> Vec<crate::toc::TocEntry> {
        let markdown = &self.site.config.markdown;
        crate::toc::build(
            &body.headings,
            markdown.toc_min_headings,
            markdown.toc_depth,
        )
    }

    /// Links to the term pages of an article's stack, tools and entities.
    fn term_links<'t>(&self, article: &'t Article) -> Vec<TermLink<'t>> {
        let mut links = Vec::new();
        for kind in [Kind::Stack, Kind::Tools, Kind::Entities] {
            for name in crate::taxonomy::term_names(article, kind) {
                if let Some(url) = self.site.term_url(kind, name) {
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

    pub(crate) fn summary(&self, index: usize) -> Summary<'a> {
        let a = &self.site.articles[index];
        Summary {
            title: &a.meta.title,
            url: self.site.url(&format!("{}/", a.slug)),
            date: a.meta.date.to_string(),
            summary: a.meta.summary.as_deref().unwrap_or_default(),
            difficulty: a.meta.difficulty.map(|d| d.as_str()),
            reading_time: a.meta.reading_time,
            stack: &a.meta.stack,
        }
    }
}

/// A page's ids and its links into other pages' ids, for the anchor check
/// once every page is rendered.
pub(super) fn page_anchors(url: &str, at: &Source, body: &markdown::Rendered) -> Anchors {
    let links = (body.internal_links.iter())
        .filter_map(|link| {
            let id = link.fragment.as_ref().filter(|id| !id.is_empty())?;
            Some(AnchorLink {
                from: crate::anchors::page_key(url),
                source: at.path.to_path_buf(),
                pos: at.pos(link.offset),
                target: link.path.clone(),
                id: id.clone(),
            })
        })
        .collect();
    let mut anchors = Anchors::default();
    anchors.add_page(url, &body.ids, links);
    anchors
}

impl<'a> Renderer<'a> {
    /// Links into other pages whose id the target lacks: errors at the
    /// link, with a did-you-mean among the target's ids.
    pub(crate) fn anchor_problems(
        &self,
        anchors: &Anchors,
        links: &LinkContext,
    ) -> Vec<Diagnostic> {
        let broken = anchors.broken();
        if broken.is_empty() {
            return Vec::new();
        }
        let mut ids_of: std::collections::HashMap<&str, Vec<String>> = Default::default();
        broken
            .into_iter()
            .map(|link| {
                let ids = ids_of
                    .entry(link.target.as_str())
                    .or_insert_with(|| self.ids_on(&link.target, links));
                let why = markdown::missing_anchor(&link.id, ids.iter().map(String::as_str));
                let message = format!("link to `{}#{}`, but {why}", link.target, link.id);
                Diagnostic::error(&link.source, Some(link.pos), message)
            })
            .collect()
    }

    /// The ids on the article or page at site path `target`, rendered
    /// again: only for the message of a link that misses.
    fn ids_on(&self, target: &str, links: &LinkContext) -> Vec<String> {
        let key = crate::anchors::page_key(target);
        let route = self.site.routes().iter().find(|r| {
            matches!(r.kind(), PageKind::Article | PageKind::Standalone)
                && crate::anchors::page_key(&self.site.url(&r.path)) == key
        });
        let (body, source, image_sources) = match route.map(|r| r.target) {
            Some(Target::Article(i)) => {
                let a = &self.site.articles[i];
                // Unreadable now: its own page reports why.
                let Ok(body) = a.body() else {
                    return Vec::new();
                };
                (body, &a.path, Some(a.meta.image_sources.as_slice()))
            }
            Some(Target::Standalone(i)) => {
                let p = &self.site.pages[i];
                (std::borrow::Cow::Borrowed(p.body.as_str()), &p.path, None)
            }
            _ => return Vec::new(),
        };
        let place = markdown::Place {
            url: target,
            source,
            image_sources,
        };
        markdown::render(&body, &place, links).ids
    }
}

/// A body's file, to point problems at their lines.
pub(super) struct Source<'a> {
    pub(super) path: &'a std::path::Path,
    pub(super) body: &'a str,
    /// Line of the file where the body starts.
    pub(super) body_line: usize,
}

impl<'a> Source<'a> {
    fn of_article(article: &'a Article, body: &'a str) -> Source<'a> {
        Source {
            path: &article.path,
            body,
            body_line: article.body_line,
        }
    }

    /// Line and column in the file of a byte offset in the body.
    fn pos(&self, offset: usize) -> crate::diag::Pos {
        let pos = pos_at(self.body, offset);
        crate::diag::Pos::new(pos.line + self.body_line - 1, pos.col)
    }

    /// The body's own problems and those of the figure template.
    pub(super) fn problems(&self, body: &markdown::Rendered) -> Vec<Diagnostic> {
        let mut problems: Vec<Diagnostic> = (body.problems.iter())
            .map(|p| {
                let pos = Some(self.pos(p.offset));
                match p.severity {
                    Severity::Error => Diagnostic::error(self.path, pos, &p.message),
                    Severity::Warning => Diagnostic::warning(self.path, pos, &p.message),
                }
            })
            .collect();
        problems.extend(body.template_errors.iter().cloned());
        problems
    }
}

/// Warnings at each `image_sources` entry no image of the body uses.
fn unused_sources(article: &Article, body: &markdown::Rendered) -> Vec<Diagnostic> {
    if body.unused_sources.is_empty() {
        return Vec::new();
    }
    // Found once for all of them: for a body left in its file, a read.
    let positions = article.image_source_positions();
    let unused = body.unused_sources.iter().map(|&index| {
        let url = &article.meta.image_sources[index].url;
        let pos = positions.get(index).copied().flatten();
        let message = format!("image source `{url}` is not used by any image in the body");
        Diagnostic::warning(&article.path, pos, message)
    });
    unused.collect()
}

/// Term links grouped by taxonomy, in their order, a name shown by an
/// earlier group left out of later ones; empty groups dropped.
fn term_groups<'a>(terms: &[TermLink<'a>]) -> Vec<TermGroup<'a>> {
    let mut groups: Vec<TermGroup> = Vec::new();
    let mut shown = std::collections::HashSet::new();
    for term in terms {
        if !shown.insert(term.name) {
            continue;
        }
        match groups.last_mut() {
            Some(group) if group.taxonomy == term.taxonomy => group.terms.push(term.clone()),
            _ => groups.push(TermGroup {
                taxonomy: term.taxonomy,
                terms: vec![term.clone()],
            }),
        }
    }
    groups
}

impl<'a> Renderer<'a> {
    /// The links and images of articles and pages that did not read,
    /// checked as a rendered one's are (nothing is written): their front
    /// matter errors do not hide their other problems.
    pub(super) fn check_salvaged(&self, shared: &Shared) -> Vec<Diagnostic> {
        self.site
            .salvaged
            .par_iter()
            .flat_map_iter(|salvaged| {
                let url = self.site.url(&format!("{}/", salvaged.slug));
                let place = markdown::Place {
                    url: &url,
                    source: &salvaged.path,
                    // Unknown with the front matter unread: not asked.
                    image_sources: None,
                };
                let at = Source {
                    path: &salvaged.path,
                    body: &salvaged.body,
                    body_line: salvaged.body_line,
                };
                self.check_body(&at, &place, shared).1.problems
            })
            .collect()
    }
}
