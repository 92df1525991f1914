//! Similar Posts: the articles that share the most stack, tools, entities and
//! topic with each article, weighted by `related.weights` in site.yaml.
//!
//! Scoring every pair would be quadratic (10^10 pairs at 100k articles), so
//! candidates come from an inverted index: feature → articles that have it.
//! Each feature contributes a bounded slice of its posting list, so the work
//! per article is bounded too; candidates reached through several features
//! rank first, and a shortlist of them is scored on every shared feature.

use std::collections::HashMap;

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
pub fn similar(articles: &[Article], config: &RelatedConfig) -> Vec<Vec<usize>> {
    if config.count == 0 {
        return vec![Vec::new(); articles.len()];
    }
    let index = FeatureIndex::build(articles, config);
    (0..articles.len())
        .into_par_iter()
        .map(|a| index.top(a, config.count))
        .collect()
}

struct FeatureIndex {
    /// Per article: its feature ids, sorted and unique.
    features: Vec<Vec<u32>>,
    /// Per feature: the articles that have it, in site order.
    postings: Vec<Vec<u32>>,
    weights: Vec<f32>,
}

impl FeatureIndex {
    fn build(articles: &[Article], config: &RelatedConfig) -> FeatureIndex {
        let w = &config.weights;
        let mut ids: HashMap<(u8, String), u32> = HashMap::new();
        let mut weights = Vec::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut features = Vec::with_capacity(articles.len());
        for (a, article) in articles.iter().enumerate() {
            let meta = &article.meta;
            let topic_parts = meta.topic.iter().flat_map(|t| t.split('/'));
            let kinds: [(u8, f32, Vec<&str>); 4] = [
                (0, w.stack, meta.stack.iter().map(String::as_str).collect()),
                (1, w.tools, meta.tools.iter().map(String::as_str).collect()),
                (
                    2,
                    w.entities,
                    meta.entities.iter().map(|e| e.name.as_str()).collect(),
                ),
                (3, w.topic, topic_parts.collect()),
            ];
            let mut mine = Vec::new();
            for (kind, weight, values) in kinds {
                if weight <= 0.0 {
                    continue;
                }
                for value in values {
                    let key = (kind, value.trim().to_lowercase());
                    if key.1.is_empty() {
                        continue;
                    }
                    let id = *ids.entry(key).or_insert_with(|| {
                        weights.push(weight);
                        postings.push(Vec::new());
                        (weights.len() - 1) as u32
                    });
                    mine.push(id);
                }
            }
            mine.sort_unstable();
            mine.dedup();
            for &id in &mine {
                postings[id as usize].push(a as u32);
            }
            features.push(mine);
        }
        FeatureIndex {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_article;
    use std::path::Path;

    fn article(slug: &str, date: &str, stack: &str, tools: &str) -> Article {
        let text =
            format!("---\ntitle: {slug}\ndate: {date}\nstack: [{stack}]\ntools: [{tools}]\n---\n");
        parse_article(Path::new(&format!("content/{slug}.md")), &text).unwrap()
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
}
