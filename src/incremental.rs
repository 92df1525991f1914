//! Which pages an edit touches, for the preview server. Every page gets a
//! fingerprint of exactly what its output is made of: an article page of
//! its article's parse and the summaries of its Similar Posts; a list page
//! of its page number, page count and the summaries on it. Comparing the
//! fingerprints of the site before and after an edit names the pages to
//! render again and the pages that are gone, without rendering anything.
//!
//! Templates, static files and `site.yaml` are not part of a fingerprint:
//! a change to those re-renders every page.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::render::Renderer;
use crate::site::Site;
use crate::site::Target;

/// Output folder of every page (`my-slug/`, `stack/redis/page/2/`), or
/// the file name of the feed and sitemap, and the fingerprint of what it
/// shows.
pub(crate) type Fingerprints = BTreeMap<String, u64>;

/// What an edit changed: folders to render again and folders now gone.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub(crate) render: HashSet<String>,
    pub(crate) removed: Vec<String>,
}

/// `linking` names the articles whose bodies link inside the site (from
/// the last render's report): their pages also depend on which pages
/// exist, since a link may have broken or been mended.
pub(crate) fn fingerprints<S: std::hash::BuildHasher + Sync>(
    site: &Site,
    linking: &HashSet<String, S>,
) -> Fingerprints {
    let renderer = Renderer::new(site);
    let summaries: Vec<u64> = (0..site.articles.len())
        .into_par_iter()
        .map(|i| hash_of(&renderer.summary(i)))
        .collect();
    let known_paths = known_paths_hash(site);
    // One fingerprint per route whose output articles can change; the
    // route table is the one list of pages, so none can be missed.
    let routes = site.routes();
    let mut prints: Vec<(String, u64)> = (routes.par_iter())
        .filter(|route| route.kind().depends_on_articles())
        .map(|route| {
            let mut h = hasher();
            match route.target {
                Target::Article(i) => {
                    let article = &site.articles[i];
                    article.version.hash(&mut h);
                    for &j in &site.similar[i] {
                        (&site.articles[j].slug, summaries[j]).hash(&mut h);
                    }
                    if linking.contains(&article.slug) {
                        known_paths.hash(&mut h);
                    }
                }
                // Pages are few: each depends on every page there is.
                Target::Standalone(i) => {
                    (site.pages[i].version, known_paths).hash(&mut h);
                }
                Target::Index { .. } | Target::Term { .. } => {
                    let list = site.list_page(route);
                    let term = list.term.map(|(name, term)| (name, term.name.as_str()));
                    (route.kind().template(), term, list.len).hash(&mut h);
                    (route.page(), list.total_pages).hash(&mut h);
                    for &a in &list.on_page {
                        (&site.articles[a].slug, summaries[a]).hash(&mut h);
                    }
                }
                Target::Taxonomy(taxonomy) => {
                    let t = &site.taxonomies[taxonomy];
                    for term in &t.terms {
                        (&term.name, &term.slug, term.articles.len()).hash(&mut h);
                    }
                }
                Target::Feed => renderer.feed_entries().hash(&mut h),
                Target::Sitemap => renderer.sitemap_entries(routes).hash(&mut h),
                Target::Redirect(i) => {
                    (&route.path, &site.articles[i].slug).hash(&mut h);
                }
                Target::Redirects => site.redirects_file(routes).hash(&mut h),
                // What the page index is made of, cheaper to hash
                // than the index (18 ms of an article edit at 10k).
                Target::PageIndex => {
                    for a in site.articles.iter() {
                        (&a.slug, &a.path, &a.meta.reference).hash(&mut h);
                    }
                    for p in site.pages.iter() {
                        (&p.slug, &p.path).hash(&mut h);
                    }
                }
                // Any indexed article's text can change any chunk; an
                // article waiting for review is not in the index (and
                // whether it waits is in its text).
                Target::SearchIndex => {
                    for article in site.articles.iter().filter(|a| !site.unreviewed(a)) {
                        article.version.hash(&mut h);
                    }
                }
                Target::Robots | Target::NotFound | Target::Search => {
                    unreachable!("filtered out: they depend on no article")
                }
            }
            (route.path.clone(), h.finish())
        })
        .collect();
    // Sorted in parallel, then the map built from sorted keys: collected
    // straight into the map, 240k inserts ran one by one on one thread.
    // Stable, so of two routes with one path the last wins, as it did.
    prints.par_sort_by(|a, b| a.0.cmp(&b.0));
    prints.into_iter().collect()
}

/// Independent of the set's iteration order, which is random.
fn known_paths_hash(site: &Site) -> u64 {
    site.known_paths
        .iter()
        .map(hash_of)
        .fold(0u64, u64::wrapping_add)
}

/// Pages whose fingerprint differs or that are new, and pages gone.
pub(crate) fn compare(before: &Fingerprints, after: &Fingerprints) -> Changes {
    let render = after
        .iter()
        .filter(|(dir, print)| before.get(*dir) != Some(print))
        .map(|(dir, _)| dir.clone())
        .collect();
    let removed = before
        .keys()
        .filter(|dir| !after.contains_key(*dir))
        .cloned()
        .collect();
    Changes { render, removed }
}

/// aHash with fixed keys: fingerprints hash every page's inputs on each
/// edit, and SipHash (std's default) was a fifth of an article edit.
fn hasher() -> ahash::AHasher {
    ahash::RandomState::with_seeds(0x6e6f, 0x7465, 0x7369, 0x7465).build_hasher()
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}
