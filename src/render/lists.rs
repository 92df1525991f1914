//! List pages: the paginated home index, term pages and taxonomy pages.

use super::*;
use crate::site::page_dir;

impl<'a> Renderer<'a> {
    /// One page of the home index or of a term's list.
    pub(super) fn render_list_page(
        &self,
        route: &Route,
        shared: &Shared,
        sink: &RouteSink,
    ) -> Vec<Diagnostic> {
        let list = self.site.list_page(route);
        let number = route.page();
        let items = list
            .on_page
            .iter()
            .map(|&a| shared.summaries.get(a))
            .collect();
        let page_url = |n| self.site.url(&page_dir(&list.dir, n));
        let paginator = paginator(
            number,
            list.total_pages,
            items,
            (number > 1).then(|| page_url(number - 1)),
            (number < list.total_pages).then(|| page_url(number + 1)),
        );
        let mut context = Context::new();
        context.insert_value("paginator", paginator);
        if let Some((taxonomy, term)) = list.term {
            context.insert(
                "taxonomy",
                &Link {
                    name: taxonomy.to_string(),
                    url: self.site.url(&format!("{taxonomy}/")),
                },
            );
            context.insert(
                "term",
                &TermView {
                    name: &term.name,
                    url: self.site.url(&list.dir),
                    count: list.len,
                },
            );
        }
        match self
            .site
            .templates
            .render(route.kind().template(), &context)
        {
            Ok(html) => write(sink, &format!("{}index.html", route.path), html.as_bytes()),
            Err(e) => vec![e],
        }
    }

    pub(super) fn render_taxonomy(
        &self,
        taxonomy: &crate::taxonomy::Taxonomy,
        sink: &RouteSink,
    ) -> Vec<Diagnostic> {
        let terms: Vec<TermView> = taxonomy
            .terms
            .iter()
            .map(|t| TermView {
                name: &t.name,
                url: self.site.url(&format!("{}/{}/", taxonomy.name, t.slug)),
                count: t.articles.len(),
            })
            .collect();
        let view = TaxonomyView {
            name: taxonomy.name,
            url: self.site.url(&format!("{}/", taxonomy.name)),
            terms,
        };
        let mut context = Context::new();
        context.insert("taxonomy", &view);
        match self.site.templates.render("taxonomy.html", &context) {
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
