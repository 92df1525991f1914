//! Taxonomies: which articles carry each stack, tool, difficulty and entity.

use std::collections::{BTreeMap, HashMap};

use crate::content::Article;

#[derive(Debug)]
pub struct Taxonomy {
    pub name: &'static str,
    /// Sorted by slug, so pages and sitemaps list them the same on every run.
    pub terms: Vec<Term>,
    by_name: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct Term {
    pub name: String,
    pub slug: String,
    /// Indices into the site's articles, newest first (the site's order).
    pub articles: Vec<usize>,
}

impl Taxonomy {
    pub fn term(&self, name: &str) -> Option<&Term> {
        self.by_name.get(name).map(|&i| &self.terms[i])
    }
}

/// The terms an article has in one taxonomy, as written in its meta.
pub fn term_names<'a>(article: &'a Article, taxonomy: &str) -> Vec<&'a str> {
    let meta = &article.meta;
    match taxonomy {
        "stack" => meta.stack.iter().map(String::as_str).collect(),
        "tools" => meta.tools.iter().map(String::as_str).collect(),
        "difficulty" => meta.difficulty.iter().map(|d| d.as_str()).collect(),
        "entities" => meta.entities.iter().map(|e| e.name.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// Groups articles by term for each taxonomy named in `names`.
pub fn build(articles: &[Article], names: &[&'static str]) -> Vec<Taxonomy> {
    names.iter().map(|name| build_one(articles, name)).collect()
}

fn build_one(articles: &[Article], name: &'static str) -> Taxonomy {
    // Terms whose slugs coincide ("Redis" and "redis") share one page; the
    // first name in sort order is the one shown.
    let mut by_slug: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut slug_of_name: HashMap<String, String> = HashMap::new();
    for (index, article) in articles.iter().enumerate() {
        for term in term_names(article, name) {
            let slug = slug_of_name
                .entry(term.to_string())
                .or_insert_with(|| term_slug(term));
            let (shown, list) = by_slug
                .entry(slug.clone())
                .or_insert_with(|| (term.to_string(), Vec::new()));
            if term < shown.as_str() {
                *shown = term.to_string();
            }
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
    }
    let terms: Vec<Term> = by_slug
        .into_iter()
        .map(|(slug, (name, articles))| Term {
            name,
            slug,
            articles,
        })
        .collect();
    let position: HashMap<&str, usize> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.slug.as_str(), i))
        .collect();
    let by_name = slug_of_name
        .iter()
        .map(|(name, slug)| (name.clone(), position[slug.as_str()]))
        .collect();
    Taxonomy {
        name,
        terms,
        by_name,
    }
}

/// A URL-safe folder name for a term; terms with no letters or digits get a
/// stable hash instead of an empty name.
pub fn term_slug(term: &str) -> String {
    crate::content::meta::slug_from(term, "term")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_slugs_are_safe_and_never_empty() {
        assert_eq!(term_slug("redis caching"), "redis-caching");
        assert_eq!(term_slug("C++ / Qt"), "c-qt");
        assert!(term_slug("++").starts_with("term-"));
        assert_eq!(term_slug("../../etc"), "etc");
    }
}
