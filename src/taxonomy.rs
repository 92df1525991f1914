//! Taxonomies: which articles carry each stack, tool, difficulty and entity.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

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

/// True when the two have the same terms in every one of `names`.
pub fn same_terms(a: &Article, b: &Article, names: &[&'static str]) -> bool {
    names
        .iter()
        .all(|name| term_names(a, name) == term_names(b, name))
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
pub fn build(articles: &[Arc<Article>], names: &[&'static str]) -> Vec<Taxonomy> {
    names
        .par_iter()
        .map(|name| build_one(articles, name))
        .collect()
}

fn build_one(articles: &[Arc<Article>], name: &'static str) -> Taxonomy {
    // Terms whose slugs coincide ("Redis" and "redis") share one page; the
    // first name in sort order is the one shown.
    let mut by_slug: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut slug_of_name: HashMap<String, String> = HashMap::new();
    for (index, article) in articles.iter().enumerate() {
        for term in term_names(article, name) {
            // Look up before inserting: most terms were seen before, and
            // `entry` would allocate their keys every time.
            if !slug_of_name.contains_key(term) {
                slug_of_name.insert(term.to_string(), term_slug(term));
            }
            let slug = &slug_of_name[term];
            if !by_slug.contains_key(slug) {
                by_slug.insert(slug.clone(), (term.to_string(), Vec::new()));
            }
            let (shown, list) = by_slug.get_mut(slug).expect("inserted above");
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
