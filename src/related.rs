//! Similar Posts: the articles that share the most stack, tools, entities and
//! topic with each article, weighted by `related.weights` in site.yaml.
//!
//! Scoring every pair would be quadratic (10^10 pairs at 100k articles), so
//! candidates come from an inverted index: feature → articles that have it.
//! Each feature contributes a bounded slice of its posting list, so the work
//! per article is bounded too; candidates reached through several features
//! rank first, and a shortlist of them is scored on every shared feature.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::RelatedConfig;
use crate::content::Article;

/// How many articles of one feature's posting list become candidates.
const PER_FEATURE: usize = 32;
/// How many candidates per Similar Post are scored exactly.
const RESCORE: usize = 8;

/// For each article (by index), the indices of its similar articles, best
/// first. Ties go to the article earlier in the site's order: newer, then
/// smaller slug.
pub(crate) fn similar(articles: &[Arc<Article>], config: &RelatedConfig) -> Vec<Vec<usize>> {
    if config.count == 0 {
        return vec![Vec::new(); articles.len()];
    }
    let index = FeatureIndex::build(articles, config);
    (0..articles.len())
        .into_par_iter()
        .map(|a| index.top(a, config.count))
        .collect()
}

/// Similar Posts after the given articles changed in place (same slugs in
/// the same site order, as after an edit that kept the date): only the
/// articles that have a feature a changed one gained or lost can have other
/// Similar Posts, so only they are scored again.
/// Gives exactly what [`similar`] would.
pub(crate) fn similar_after_edit(
    articles: &[Arc<Article>],
    config: &RelatedConfig,
    before: &[Vec<usize>],
    changed: &[(usize, &Article)],
) -> Vec<Vec<usize>> {
    if config.count == 0 {
        return vec![Vec::new(); articles.len()];
    }
    let same_features = |&(at, old): &(usize, &Article)| {
        sorted_features(old, config) == sorted_features(&articles[at], config)
    };
    if changed.iter().all(same_features) {
        // The usual edit, of the text: nothing to score again.
        return before.to_vec();
    }
    let index = FeatureIndex::build(articles, config);
    let mut affected: Vec<usize> = Vec::new();
    for &(at, old) in changed {
        affected.push(at);
        // A feature the article kept is still in the same place of the same
        // posting list and adds the same weight: only those it gained or
        // lost can move anyone's Similar Posts.
        let mut before: Vec<u32> = features_of(old, config)
            .filter_map(|key| index.ids.get(&key).copied())
            .collect();
        before.sort_unstable();
        before.dedup();
        let after = &index.features[at];
        let gained = after.iter().filter(|f| before.binary_search(f).is_err());
        let lost = before.iter().filter(|f| after.binary_search(f).is_err());
        for &f in gained.chain(lost) {
            affected.extend(index.postings[f as usize].iter().map(|&a| a as usize));
        }
    }
    affected.sort_unstable();
    affected.dedup();
    let fresh: Vec<(usize, Vec<usize>)> = affected
        .into_par_iter()
        .map(|a| (a, index.top(a, config.count)))
        .collect();
    let mut similar = before.to_vec();
    for (a, list) in fresh {
        similar[a] = list;
    }
    similar
}

/// A feature: its kind (stack, tools, entities, topic part) and value.
type FeatureKey = (u8, String);

/// The weighted features of an article, with zero-weight kinds left out.
fn features_of<'a>(
    article: &'a Article,
    config: &RelatedConfig,
) -> impl Iterator<Item = FeatureKey> + 'a {
    let w = &config.weights;
    let meta = &article.meta;
    let kinds: [(u8, f32, Vec<&'a str>); 4] = [
        (0, w.stack, meta.stack.iter().map(String::as_str).collect()),
        (1, w.tools, meta.tools.iter().map(String::as_str).collect()),
        (
            2,
            w.entities,
            meta.entities.iter().map(|e| e.name.as_str()).collect(),
        ),
        (
            3,
            w.topic,
            meta.topic.iter().flat_map(|t| t.split('/')).collect(),
        ),
    ];
    kinds
        .into_iter()
        .filter(|(_, weight, _)| *weight > 0.0)
        .flat_map(|(kind, _, values)| {
            values
                .into_iter()
                .map(move |v| (kind, v.trim().to_lowercase()))
        })
        .filter(|(_, value)| !value.is_empty())
}

fn sorted_features(article: &Article, config: &RelatedConfig) -> Vec<FeatureKey> {
    let mut features: Vec<FeatureKey> = features_of(article, config).collect();
    features.sort_unstable();
    features.dedup();
    features
}

fn weight_of(kind: u8, config: &RelatedConfig) -> f32 {
    let w = &config.weights;
    [w.stack, w.tools, w.entities, w.topic][kind as usize]
}

struct FeatureIndex {
    ids: HashMap<FeatureKey, u32>,
    /// Per article: its feature ids, sorted and unique.
    features: Vec<Vec<u32>>,
    /// Per feature: the articles that have it, in site order.
    postings: Vec<Vec<u32>>,
    weights: Vec<f32>,
}

impl FeatureIndex {
    fn build(articles: &[Arc<Article>], config: &RelatedConfig) -> FeatureIndex {
        let mut ids: HashMap<FeatureKey, u32> = HashMap::new();
        let mut weights = Vec::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut features = Vec::with_capacity(articles.len());
        for (a, article) in articles.iter().enumerate() {
            let mut mine: Vec<u32> = features_of(article, config)
                .map(|key| {
                    let weight = weight_of(key.0, config);
                    *ids.entry(key).or_insert_with(|| {
                        weights.push(weight);
                        postings.push(Vec::new());
                        (weights.len() - 1) as u32
                    })
                })
                .collect();
            mine.sort_unstable();
            mine.dedup();
            for &id in &mine {
                postings[id as usize].push(a as u32);
            }
            features.push(mine);
        }
        FeatureIndex {
            ids,
            features,
            postings,
            weights,
        }
    }

    /// Candidates come from each feature's posting list, at most
    /// `PER_FEATURE` entries (the newest) from each; an article met through
    /// several features sums their weights. Only the best
    /// `count * RESCORE` by that partial score are scored exactly.
    fn top(&self, a: usize, count: usize) -> Vec<usize> {
        let mine = &self.features[a];
        let mut partial: Vec<(u32, f32)> = Vec::with_capacity(PER_FEATURE * mine.len());
        for &f in mine {
            let weight = self.weights[f as usize];
            let list = &self.postings[f as usize];
            partial.extend(
                list.iter()
                    .filter(|&&c| c as usize != a)
                    .take(PER_FEATURE)
                    .map(|&c| (c, weight)),
            );
        }
        partial.sort_unstable_by_key(|&(c, _)| c);
        let mut merged: Vec<(f32, u32)> = Vec::with_capacity(partial.len());
        for (c, w) in partial {
            match merged.last_mut() {
                Some((score, last)) if *last == c => *score += w,
                _ => merged.push((w, c)),
            }
        }
        let by_score = |x: &(f32, u32), y: &(f32, u32)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
        let shortlist = (count * RESCORE).min(merged.len());
        if shortlist < merged.len() {
            merged.select_nth_unstable_by(shortlist, by_score);
            merged.truncate(shortlist);
        }
        for entry in &mut merged {
            entry.0 = self.shared_weight(a, entry.1 as usize);
        }
        merged.sort_unstable_by(by_score);
        merged
            .into_iter()
            .filter(|(score, _)| *score > 0.0)
            .take(count)
            .map(|(_, c)| c as usize)
            .collect()
    }

    /// Sum of weights of the features both articles have (a sorted merge).
    fn shared_weight(&self, a: usize, b: usize) -> f32 {
        let (x, y) = (&self.features[a], &self.features[b]);
        let (mut i, mut j, mut total) = (0, 0, 0.0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    total += self.weights[x[i] as usize];
                    i += 1;
                    j += 1;
                }
            }
        }
        total
    }
}

/// Similar Posts as the last build computed them, kept in the cache
/// folder under a hash of everything they are computed from: the
/// settings and each article's features, in site order. An edit that
/// moves no feature and no article (a body edit, the usual one) finds
/// them there; any other computes them again. At 100k articles computing
/// them took most of the 1.2-1.6 s of the Similar Posts and taxonomies
/// step.
pub(crate) struct Store {
    file: std::path::PathBuf,
    /// Names the format and the binary that wrote the file.
    header: String,
}

/// Bumped whenever what the file holds changes meaning.
const STORE_FORMAT: u32 = 1;

impl Store {
    pub(crate) fn new(dir: &std::path::Path, binary: &str) -> Store {
        Store {
            file: dir.join("similar"),
            header: format!("notesite similar posts {STORE_FORMAT} {binary}\n"),
        }
    }

    /// The lists kept under `key`, if any.
    fn read(&self, key: &blake3::Hash, articles: usize) -> Option<Vec<Vec<usize>>> {
        let bytes = std::fs::read(&self.file).ok()?;
        let content = crate::fsx::checked_content(&bytes)?;
        let rest = content.strip_prefix(self.header.as_bytes())?;
        let rest = rest.strip_prefix(key.as_bytes().as_slice())?;
        let numbers: Vec<usize> = (rest.chunks_exact(4))
            .map(|n| u32::from_le_bytes(n.try_into().expect("4 bytes")) as usize)
            .collect();
        // Per article: how many, then which.
        let mut lists = Vec::with_capacity(articles);
        let mut at = numbers.iter();
        while let Some(&count) = at.next() {
            let list: Vec<usize> = at.by_ref().take(count).copied().collect();
            if list.len() != count || list.iter().any(|&i| i >= articles) {
                return None;
            }
            lists.push(list);
        }
        (lists.len() == articles && rest.len() % 4 == 0).then_some(lists)
    }

    /// Keeps `lists` under `key`, whole or not at all, with the BLAKE3
    /// of all of it last.
    fn write(&self, key: &blake3::Hash, lists: &[Vec<usize>]) -> anyhow::Result<()> {
        use std::io::Write;
        let dir = self.file.parent().unwrap_or(std::path::Path::new("."));
        let mut out = crate::fsx::ChecksummedFile::create(dir)?;
        out.write_all(self.header.as_bytes())?;
        out.write_all(key.as_bytes())?;
        for list in lists {
            out.write_all(&(list.len() as u32).to_le_bytes())?;
            for &i in list {
                out.write_all(&(i as u32).to_le_bytes())?;
            }
        }
        out.persist(&self.file, |sum| sum.as_bytes().to_vec())
    }
}

/// A hash of everything [`similar`] reads: the settings, and each
/// article's features in the order it meets them, in site order.
fn store_key(articles: &[Arc<Article>], config: &RelatedConfig) -> blake3::Hash {
    let per_article: Vec<blake3::Hash> = (articles.par_iter())
        .map(|article| {
            let mut h = blake3::Hasher::new();
            for (kind, value) in features_of(article, config) {
                h.update(&[kind]);
                h.update(&(value.len() as u64).to_le_bytes());
                h.update(value.as_bytes());
            }
            h.finalize()
        })
        .collect();
    let mut h = blake3::Hasher::new();
    h.update(format!("{config:?}").as_bytes());
    for hash in per_article {
        h.update(hash.as_bytes());
    }
    h.finalize()
}

/// [`similar`], taken from `store` when it holds them for exactly these
/// articles and settings, and kept there when computed.
pub(crate) fn similar_kept(
    articles: &[Arc<Article>],
    config: &RelatedConfig,
    store: &Store,
) -> Vec<Vec<usize>> {
    let key = store_key(articles, config);
    if let Some(lists) = store.read(&key, articles.len()) {
        return lists;
    }
    let lists = similar(articles, config);
    // Only an accelerator: without it the next build computes them again.
    let _ = store.write(&key, &lists);
    lists
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_article;
    use std::path::Path;

    fn article(slug: &str, date: &str, stack: &str, tools: &str) -> Arc<Article> {
        let text =
            format!("---\ntitle: {slug}\ndate: {date}\nstack: [{stack}]\ntools: [{tools}]\n---\n");
        Arc::new(parse_article(Path::new(&format!("content/{slug}.md")), &text).unwrap())
    }

    #[test]
    fn most_shared_weight_wins_and_ties_go_to_site_order() {
        let articles = vec![
            article("a", "2026-01-05", "redis", "ttl, logs"),
            article("b", "2026-01-04", "redis", "ttl"),
            article("c", "2026-01-03", "redis", "git"),
            article("d", "2026-01-02", "redis", "git"),
            article("e", "2026-01-01", "postgres", "psql"),
        ];
        let similar = similar(&articles, &RelatedConfig::default());
        assert_eq!(similar[0], vec![1, 2, 3]);
        assert_eq!(similar[2], vec![3, 0, 1]);
        assert!(similar[4].is_empty());
    }

    #[test]
    fn an_edit_gives_what_a_full_computation_gives() {
        let tools = ["ttl", "logs", "git", "psql", "curl", "jq"];
        let mut articles: Vec<Arc<Article>> = (0..60)
            .map(|i| {
                let stack = ["redis", "postgres", "nginx"][i % 3];
                let tools = format!("{}, {}", tools[i % 6], tools[(i / 6) % 6]);
                let date = format!("2026-01-{:02}", 28 - i % 28);
                article(&format!("a{i:02}"), &date, stack, &tools)
            })
            .collect();
        articles.sort_by(|a, b| b.meta.date.cmp(&a.meta.date).then(a.slug.cmp(&b.slug)));
        let config = RelatedConfig::default();
        let before = similar(&articles, &config);
        for at in [0, 17, 59] {
            let old = Arc::clone(&articles[at]);
            let mut edited = articles.clone();
            let date = old.meta.date.to_string();
            edited[at] = article(&old.slug, &date, "kafka", "jq, curl");
            let full = similar(&edited, &config);
            let patched = similar_after_edit(&edited, &config, &before, &[(at, &old)]);
            assert_eq!(patched, full, "edit of article {at}");
            assert_ne!(full, before, "the edit changes something");
            let kept = article(
                &old.slug,
                &date,
                &old.meta.stack.join(", "),
                &old.meta.tools.join(", "),
            );
            let mut same = articles.clone();
            same[at] = kept;
            let patched = similar_after_edit(&same, &config, &before, &[(at, &old)]);
            assert_eq!(
                patched, before,
                "an edit keeping the features changes nothing"
            );
        }
    }
}
