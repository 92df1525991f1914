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
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::render::{FEED_FILE, SITEMAP_FILE};
use crate::site::Site;

/// Output folder of every page (`my-slug/`, `stack/redis/page/2/`), or
/// the file name of the feed and sitemap, and the fingerprint of what it
/// shows.
pub type Fingerprints = BTreeMap<String, u64>;

/// What an edit changed: folders to render again and folders now gone.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub render: HashSet<String>,
    pub removed: Vec<String>,
}

impl Site {
    /// `linking` names the articles whose bodies link inside the site (from
    /// the last render's report): their pages also depend on which pages
    /// exist, since a link may have broken or been mended.
    pub fn fingerprints(&self, linking: &HashSet<String>) -> Fingerprints {
        let summaries: Vec<u64> = (0..self.articles.len())
            .into_par_iter()
            .map(|i| hash_of(&self.summary(i)))
            .collect();
        let known_paths = self.known_paths_hash();
        let mut prints: Fingerprints = (0..self.articles.len())
            .into_par_iter()
            .map(|i| {
                let article = &self.articles[i];
                let mut h = DefaultHasher::new();
                article.version.hash(&mut h);
                for &j in &self.similar[i] {
                    (&self.articles[j].slug, summaries[j]).hash(&mut h);
                }
                if linking.contains(&article.slug) {
                    known_paths.hash(&mut h);
                }
                (format!("{}/", article.slug), h.finish())
            })
            .collect();
        let all: Vec<usize> = (0..self.articles.len()).collect();
        let per_page = self.config.paginate_by;
        let lists: Vec<(String, u64)> = self
            .list_jobs(&all)
            .par_iter()
            .flat_map_iter(|job| {
                let pages = job.pages(per_page).into_iter();
                pages.map(|page| {
                    let mut h = DefaultHasher::new();
                    (job.template, job.term, job.articles.len()).hash(&mut h);
                    (page.number, page.total_pages).hash(&mut h);
                    for &a in page.articles {
                        (&self.articles[a].slug, summaries[a]).hash(&mut h);
                    }
                    (job.page_dir(page.number), h.finish())
                })
            })
            .collect();
        prints.extend(lists);
        prints.insert(FEED_FILE.into(), hash_of(&self.feed_entries()));
        prints.insert(SITEMAP_FILE.into(), hash_of(&self.sitemap_entries()));
        for t in self.taxonomies.iter() {
            let mut h = DefaultHasher::new();
            for term in &t.terms {
                (&term.name, &term.slug, term.articles.len()).hash(&mut h);
            }
            prints.insert(format!("{}/", t.name), h.finish());
        }
        prints
    }

    /// Independent of the set's iteration order, which is random.
    fn known_paths_hash(&self) -> u64 {
        self.known_paths
            .iter()
            .map(hash_of)
            .fold(0u64, u64::wrapping_add)
    }
}

/// Pages whose fingerprint differs or that are new, and pages gone.
pub fn compare(before: &Fingerprints, after: &Fingerprints) -> Changes {
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

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}
