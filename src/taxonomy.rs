//! Taxonomies: which articles carry each stack, tool, difficulty and entity.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::Article;
use crate::kind::Kind;

#[derive(Debug)]
pub(crate) struct Taxonomy {
    pub(crate) kind: Kind,
    pub(crate) name: &'static str,
    /// Sorted by slug, so pages and sitemaps list them the same on every run.
    pub(crate) terms: Vec<Term>,
    by_name: HashMap<String, usize>,
}

#[derive(Debug)]
pub(crate) struct Term {
    pub(crate) name: String,
    pub(crate) slug: String,
    /// Indices into the site's articles, newest first (the site's order).
    pub(crate) articles: Vec<usize>,
}

impl Taxonomy {
    pub(crate) fn term(&self, name: &str) -> Option<&Term> {
        self.by_name.get(name).map(|&i| &self.terms[i])
    }
}

/// True when the two have the same terms in every one of `kinds`.
pub(crate) fn same_terms(a: &Article, b: &Article, kinds: &[Kind]) -> bool {
    kinds
        .iter()
        .all(|&kind| term_names(a, kind) == term_names(b, kind))
}

/// The terms an article has in one taxonomy, as written in its meta.
pub(crate) fn term_names(article: &Article, kind: Kind) -> Vec<&str> {
    let meta = &article.meta;
    match kind {
        Kind::Stack => meta.stack.iter().map(String::as_str).collect(),
        Kind::Tools => meta.tools.iter().map(String::as_str).collect(),
        Kind::Difficulty => meta.difficulty.iter().map(|d| d.as_str()).collect(),
        Kind::Entities => meta.entities.iter().map(|e| e.name.as_str()).collect(),
    }
}

/// Groups articles by term for each of `kinds`.
pub(crate) fn build(articles: &[Arc<Article>], kinds: &[Kind]) -> Vec<Taxonomy> {
    kinds
        .par_iter()
        .map(|&kind| build_one(articles, kind))
        .collect()
}

fn build_one(articles: &[Arc<Article>], kind: Kind) -> Taxonomy {
    // Terms whose slugs coincide ("Redis" and "redis") share one page; the
    // first name in sort order is the one shown.
    let mut by_slug: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut slug_of_name: HashMap<String, String> = HashMap::new();
    for (index, article) in articles.iter().enumerate() {
        for term in term_names(article, kind) {
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
        kind,
        name: kind.name(),
        terms,
        by_name,
    }
}

/// A URL-safe folder name for a term; terms with no letters or digits get a
/// stable hash instead of an empty name.
pub(crate) fn term_slug(term: &str) -> String {
    crate::content::meta::slug_from(term, "term")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_name("colours"), None);
    }

    #[test]
    fn every_taxonomy_folder_is_a_reserved_slug() {
        for kind in Kind::ALL {
            assert!(
                crate::page_kind::reserved_slugs().contains(&kind.name()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn term_slugs_are_safe_and_never_empty() {
        assert_eq!(term_slug("redis caching"), "redis-caching");
        assert_eq!(term_slug("C++ / Qt"), "c-qt");
        assert!(term_slug("++").starts_with("term-"));
        assert_eq!(term_slug("../../etc"), "etc");
    }
}
