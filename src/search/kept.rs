//! The preview's search index, kept between rebuilds so an article edit
//! re-indexes only the articles it changed: their postings are taken out
//! and put back, only the terms whose encoding moved are encoded again,
//! and only the chunks holding them are written again. The result is the
//! same bytes a build writes (tests/it/incremental.rs compares them).
//!
//! A build keeps nothing: holding the postings would cost it memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use rayon::prelude::*;

use super::index::{self, File, Shown};
use super::text::Terms;
use crate::content::Article;
use crate::diag::Diagnostic;
use crate::site::Site;

/// Where the preview keeps its search index; empty for a build.
#[derive(Clone, Default)]
pub(crate) struct Memory(Option<Arc<Mutex<Option<Kept>>>>);

impl Memory {
    /// A memory that keeps each index for the next rebuild.
    pub(crate) fn keep() -> Memory {
        Memory(Some(Arc::default()))
    }

    pub(super) fn slot(&self) -> Option<MutexGuard<'_, Option<Kept>>> {
        let slot = self.0.as_ref()?;
        Some(slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Whether this keeps the index between renders (the preview's).
    pub(crate) fn keeps(&self) -> bool {
        self.0.is_some()
    }

    /// Every file of the last index written, so the preview can stop
    /// serving the chunks it replaced.
    pub(crate) fn written(&self) -> BTreeSet<String> {
        match self.slot().as_deref() {
            Some(Some(kept)) => kept.written.clone(),
            _ => BTreeSet::new(),
        }
    }
}

/// The index of the last rebuild.
pub(super) struct Kept {
    /// Article `i` of the index, as it was indexed.
    articles: Vec<Arc<Article>>,
    shown: Vec<Shown>,
    terms: BTreeMap<String, Term>,
    lengths: Vec<f32>,
    average: f32,
    /// Term chunks by (first term, last term, terms): reused while none of
    /// their terms changed.
    term_chunks: HashMap<(String, String, usize), (String, File)>,
    doc_chunks: Vec<File>,
    /// The facet lists, until an edit changes an article's facet values.
    facets: Option<(super::format::Facets, Vec<File>)>,
    /// Terms whose postings or encoding changed since the chunks were
    /// last written.
    changed: BTreeSet<String>,
    written: BTreeSet<String>,
}

/// An article's term counts and weighted length.
type Counts = (index::Counts, f32);

/// One term's postings and their encoding.
struct Term {
    postings: Vec<(u32, f32)>,
    encoded: String,
}

/// Brings the kept index up to `site`'s articles and writes it.
pub(super) fn update(
    mut slot: MutexGuard<'_, Option<Kept>>,
    site: &Site,
) -> Result<Vec<File>, Vec<Diagnostic>> {
    let updated = match slot.as_mut() {
        Some(kept) if kept.same_articles(&site.indexed_articles()) => kept.patch(site),
        _ => Kept::new(site).map(|kept| *slot = Some(kept)),
    };
    if let Err(problems) = updated {
        // Half patched is not kept: the next rebuild starts afresh.
        *slot = None;
        return Err(problems);
    }
    Ok(slot.as_mut().expect("just kept").files(site))
}

impl Kept {
    fn new(site: &Site) -> Result<Kept, Vec<Diagnostic>> {
        let (collector, shown) = super::index_articles(site)?;
        let index::Postings { terms, lengths } = collector.finish();
        let average = index::average_length(&lengths);
        let terms = terms
            .into_par_iter()
            .map(|(term, postings)| {
                let postings = postings.to_vec();
                let encoded = index::encode_postings(&postings, &lengths, average);
                (term, Term { postings, encoded })
            })
            .collect();
        let doc_chunks = index::doc_chunks(&shown);
        Ok(Kept {
            articles: site.indexed_articles().into_owned(),
            shown,
            terms,
            lengths,
            average,
            term_chunks: HashMap::new(),
            doc_chunks,
            facets: None,
            changed: BTreeSet::new(),
            written: BTreeSet::new(),
        })
    }

    /// Whether `articles` are the same ones in the same order, edited or
    /// not: an article's number is its place in that order, so any other
    /// change renumbers them and the index is made anew.
    fn same_articles(&self, articles: &[Arc<Article>]) -> bool {
        self.articles.len() == articles.len()
            && self
                .articles
                .iter()
                .zip(articles)
                .all(|(kept, now)| kept.slug == now.slug)
    }

    /// Re-indexes the articles edited since the last rebuild.
    fn patch(&mut self, site: &Site) -> Result<(), Vec<Diagnostic>> {
        let indexed = site.indexed_articles();
        let edited: Vec<usize> = (0..self.articles.len())
            .filter(|&i| self.articles[i].version != indexed[i].version)
            .collect();
        let mut was = self.counts_of(&edited);
        let terms = Terms::default();
        let facet_kinds = site.config.search_facets();
        for (&doc, was) in edited.iter().zip(&mut was) {
            let before = (std::mem::take(was), self.lengths[doc]);
            let mut after = Default::default();
            let now = &indexed[doc];
            self.shown[doc] = super::index_article(site, now, |fields| {
                after = index::term_counts(&terms, fields);
            })
            .map_err(|e| vec![e])?;
            self.reindex(doc as u32, before, after);
            if !crate::taxonomy::same_terms(&self.articles[doc], now, &facet_kinds) {
                self.facets = None;
            }
            self.articles[doc] = Arc::clone(now);
        }
        self.encode_again();
        let chunks: BTreeSet<usize> = edited.iter().map(|i| i / index::DOCS_PER_CHUNK).collect();
        for chunk in chunks {
            let docs = &self.shown[chunk * index::DOCS_PER_CHUNK..];
            self.doc_chunks[chunk] = index::doc_chunk(docs);
        }
        Ok(())
    }

    /// The term counts of articles `docs` as indexed, read off the
    /// postings: the bodies they were counted from may be gone from disk
    /// by now (the preview leaves bodies in their files).
    fn counts_of(&self, docs: &[usize]) -> Vec<index::Counts> {
        let mut counts = vec![index::Counts::new(); docs.len()];
        if docs.is_empty() {
            return counts;
        }
        for (term, state) in &self.terms {
            for (k, &doc) in docs.iter().enumerate() {
                if let Ok(at) = state.postings.binary_search_by_key(&(doc as u32), |p| p.0) {
                    counts[k].push((term.clone(), state.postings[at].1));
                }
            }
        }
        counts
    }

    /// Replaces article `doc`'s postings, given its term counts and length
    /// before and after the edit. A term whose weight for it stays the
    /// same keeps its encoding: most of an edited article's terms do.
    fn reindex(&mut self, doc: u32, before: Counts, after: Counts) {
        let ((old, old_length), (new, new_length)) = (before, after);
        let old: ahash::AHashMap<String, f32> = old.into_iter().collect();
        let new: ahash::AHashMap<String, f32> = new.into_iter().collect();
        let weight = |tf, length| index::bm25_weight(tf, length, self.average);
        let kept: HashMap<&String, bool> = new
            .iter()
            .map(|(term, &tf)| {
                let same = old
                    .get(term)
                    .is_some_and(|&was| weight(was, old_length) == weight(tf, new_length));
                (term, same)
            })
            .collect();
        for term in old.keys().filter(|t| !kept.contains_key(t)) {
            self.take_out(term, doc);
        }
        for (term, same) in kept {
            self.put_in(term, doc, new[term], !same);
        }
        self.lengths[doc as usize] = new_length;
    }

    fn take_out(&mut self, term: &str, doc: u32) {
        let Some(state) = self.terms.get_mut(term) else {
            return;
        };
        if let Ok(at) = state.postings.binary_search_by_key(&doc, |p| p.0) {
            state.postings.remove(at);
            self.changed.insert(term.to_string());
        }
        if state.postings.is_empty() {
            self.terms.remove(term);
        }
    }

    fn put_in(&mut self, term: &str, doc: u32, tf: f32, changed: bool) {
        let state = match self.terms.get_mut(term) {
            Some(state) => state,
            None => self.terms.entry(term.to_string()).or_insert(Term {
                postings: Vec::new(),
                encoded: String::new(),
            }),
        };
        match state.postings.binary_search_by_key(&doc, |p| p.0) {
            Ok(at) => state.postings[at].1 = tf,
            Err(at) => {
                state.postings.insert(at, (doc, tf));
                self.changed.insert(term.to_string());
            }
        }
        if changed {
            self.changed.insert(term.to_string());
        }
    }

    /// Encodes again the terms that changed; and when the average length
    /// moved, those whose BM25 weights it moves.
    fn encode_again(&mut self) {
        let average = index::average_length(&self.lengths);
        let (before, lengths) = (self.average, &self.lengths);
        if average != before {
            let moved: Vec<String> = self
                .terms
                .par_iter()
                .filter(|(_, state)| {
                    state.postings.iter().any(|&(doc, tf)| {
                        let length = lengths[doc as usize];
                        index::bm25_weight(tf, length, before)
                            != index::bm25_weight(tf, length, average)
                    })
                })
                .map(|(term, _)| term.clone())
                .collect();
            self.changed.extend(moved);
        }
        let encode = |state: &mut Term| {
            state.encoded = index::encode_postings(&state.postings, lengths, average);
        };
        if self.changed.len() < 1024 {
            for term in &self.changed {
                self.terms.get_mut(term).map(encode);
            }
        } else {
            let mut changed: Vec<&mut Term> = (self.terms.iter_mut())
                .filter(|(term, _)| self.changed.contains(*term))
                .map(|(_, state)| state)
                .collect();
            changed.par_iter_mut().for_each(|state| encode(state));
        }
        self.average = average;
    }

    /// Every file of the index, with the term chunks no changed term falls
    /// in taken from the last rebuild.
    fn files(&mut self, site: &Site) -> Vec<File> {
        let terms: Vec<(&String, &Term)> = self.terms.iter().collect();
        let sizes = terms
            .iter()
            .map(|(t, s)| index::term_size(t, s.encoded.len()));
        let mut chunks = HashMap::new();
        let mut names = Vec::new();
        for range in index::cut_term_chunks(sizes) {
            let in_chunk = &terms[range];
            let key = (
                in_chunk[0].0.clone(),
                in_chunk[in_chunk.len() - 1].0.clone(),
                in_chunk.len(),
            );
            let unchanged = self
                .changed
                .range(key.0.clone()..=key.1.clone())
                .next()
                .is_none();
            let chunk = match self.term_chunks.remove(&key) {
                Some(chunk) if unchanged => chunk,
                _ => index::term_chunk(in_chunk.iter().map(|(t, s)| (t.as_str(), &*s.encoded))),
            };
            names.push((chunk.0.clone(), chunk.1.path.clone()));
            chunks.insert(key, chunk);
        }
        self.term_chunks = chunks;
        self.changed.clear();

        let mut files: Vec<File> = self.term_chunks.values().map(|c| c.1.clone()).collect();
        let doc_chunks = self.doc_chunks.iter().map(|f| f.path.clone()).collect();
        files.extend(self.doc_chunks.iter().cloned());
        let (facets, facet_files) = self.facets.get_or_insert_with(|| {
            let mut files = Vec::new();
            let facets = index::facet_files(&super::facet_values(site), &mut files);
            (facets, files)
        });
        files.extend(facet_files.iter().cloned());
        files.push(index::entry_file(
            self.articles.len(),
            names,
            doc_chunks,
            facets.clone(),
        ));
        self.written = files.iter().map(|f| f.path.clone()).collect();
        files
    }
}
