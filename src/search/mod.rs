//! Site search: a static index, split so a query fetches only what it
//! needs (see `index`). Built from the articles' Markdown and typed meta in
//! parallel, as one route of the route table.
//!

pub(crate) mod format;
pub(crate) mod index;
mod kept;
mod stored;
pub(crate) mod term_list;
pub(crate) mod text;

pub(crate) use index::is_content_hashed;
pub(crate) use kept::Memory;
pub(crate) use stored::Store;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::content::Article;
use crate::diag::Diagnostic;
use crate::output::Written;
use crate::site::Site;
use index::{Collector, Field, File, Previous, Shown};

/// How a build made its search index, for `-v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchUse {
    /// Articles taken from the last build's postings, and indexed from
    /// their bodies.
    pub stored: usize,
    pub indexed: usize,
    /// Files of the last build's index kept, of all the index's files.
    pub kept: usize,
    pub files: usize,
}

/// The last build's index files that a warm build may keep rather than
/// write again, as the page cache recorded them, by path.
pub(crate) struct Reuse {
    pub(crate) files: HashMap<String, Written>,
    /// The output they are in, to carry them from (a build); `None`
    /// where the target holds them already (`publish --build`).
    pub(crate) from: Option<PathBuf>,
}

/// The text of a body as search sees it: headings, and the prose with
/// inline code (code blocks are left out: they would fill the index with
/// identifiers and flags readers do not search for).
#[derive(Default)]
struct BodyText {
    headings: String,
    prose: String,
}

fn body_text(markdown: &str) -> BodyText {
    let mut text = BodyText::default();
    let (mut in_heading, mut in_code) = (false, false);
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                text.headings.push(' ');
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) | Event::Code(t) if !in_code => {
                let into = if in_heading {
                    &mut text.headings
                } else {
                    &mut text.prose
                };
                into.push_str(&t);
                into.push(' ');
            }
            Event::SoftBreak | Event::HardBreak => text.prose.push(' '),
            _ => {}
        }
    }
    text
}

/// How long the text a result's snippet is cut from may be.
const SNIPPET_SOURCE_CHARS: usize = 240;

/// Every file of the search index. The preview keeps the last index
/// and patches it (see `kept`); a build writes it once.
/// Errors: an article whose file can no longer be read, or changed since
/// the build read it.
pub(crate) fn index_files(site: &Site, memory: &Memory) -> Result<Vec<File>, Vec<Diagnostic>> {
    match memory.slot() {
        Some(kept) => kept::update(kept, site),
        None => whole_index(site),
    }
}

fn whole_index(site: &Site) -> Result<Vec<File>, Vec<Diagnostic>> {
    let (collector, shown) = index_articles(site)?;
    Ok(index::write(collector, &shown, &facet_values(site)))
}

/// Every article's postings, collected in parallel, and its result.
fn index_articles(site: &Site) -> Result<(Collector, Vec<Shown>), Vec<Diagnostic>> {
    let articles = site.indexed_articles();
    let collector = Collector::new(articles.len());
    let shown: Vec<Result<Shown, Diagnostic>> = articles
        .par_iter()
        .enumerate()
        .map(|(i, article)| index_article(site, article, |fields| collector.add(i as u32, fields)))
        .collect();
    let (shown, problems): (Vec<_>, Vec<_>) = shown.into_iter().partition(Result::is_ok);
    if !problems.is_empty() {
        return Err(problems.into_iter().filter_map(Result::err).collect());
    }
    Ok((
        collector,
        shown.into_iter().filter_map(Result::ok).collect(),
    ))
}

/// Hands an article's weighted fields to `add`; returns what its
/// result shows. Reads the body from its file if the build left it there.
fn index_article(
    site: &Site,
    article: &Article,
    add: impl FnOnce(&[Field]),
) -> Result<Shown, Diagnostic> {
    Ok(index_body(site, article, &article.body()?, add))
}

/// `index_article` with the body at hand.
fn index_body(site: &Site, article: &Article, markdown: &str, add: impl FnOnce(&[Field])) -> Shown {
    let w = &site.config.search.weights;
    let meta = &article.meta;
    let body = body_text(markdown);
    let topic = meta.topic.as_deref().unwrap_or_default();
    let summary = meta.summary.as_deref().unwrap_or_default();
    add(&[
        Field {
            weight: w.title,
            text: &meta.title,
        },
        Field {
            weight: w.topic,
            text: topic,
        },
        Field {
            weight: w.summary,
            text: summary,
        },
        Field {
            weight: w.headings,
            text: &body.headings,
        },
        Field {
            weight: w.body,
            text: &body.prose,
        },
    ]);
    let source = if summary.is_empty() {
        &body.prose
    } else {
        summary
    };
    let cut = source.floor_char_boundary(SNIPPET_SOURCE_CHARS.min(source.len()));
    shown(site, article, source[..cut].trim().to_string())
}

/// What a result shows for `article`, with `text` to cut its snippet from.
fn shown(site: &Site, article: &Article, text: String) -> Shown {
    let meta = &article.meta;
    Shown {
        url: site.url(&format!("{}/", article.slug)),
        title: meta.title.clone(),
        date: meta.date.to_string(),
        difficulty: meta.difficulty.map(|d| d.as_str()),
        stack: meta.stack.clone(),
        text,
    }
}

/// The index a build collects while its article pages render: each page
/// hands over the body it read, so the index reads no body a second time
/// (a build leaves bodies in their files; reading 80k of them again was
/// most of the index's cost at 100k). The files are the same bytes
/// `index_files` writes.
pub(crate) struct Collecting<'a> {
    /// Read-locked by every page that adds (the collector shards its own
    /// locks), write-locked once to take it for writing.
    collector: std::sync::RwLock<Option<Collector>>,
    /// By the site's article index: its number in the index, if indexed.
    doc_of: Vec<Option<u32>>,
    shown: Vec<std::sync::OnceLock<Shown>>,
    /// Where the last build's postings are, and this one's go.
    store: Option<Store>,
    /// The last build's files, for a warm build.
    reuse: Option<&'a Reuse>,
    /// Once the files are written: how they were made.
    counts: std::sync::OnceLock<SearchUse>,
}

impl<'a> Collecting<'a> {
    pub(crate) fn new(
        site: &Site,
        store: Option<Store>,
        reuse: Option<&'a Reuse>,
    ) -> Collecting<'a> {
        let mut next = 0;
        let doc_of: Vec<Option<u32>> = (site.articles.iter())
            .map(|a| {
                (!site.unreviewed(a)).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        Collecting {
            collector: std::sync::RwLock::new(Some(Collector::new(next as usize))),
            doc_of,
            shown: (0..next).map(|_| std::sync::OnceLock::new()).collect(),
            store,
            reuse,
            counts: std::sync::OnceLock::new(),
        }
    }

    /// Once the files are written: how they were made.
    pub(crate) fn counts(&self) -> Option<SearchUse> {
        self.counts.get().copied()
    }

    /// Indexes article `index` of the site, whose body is `markdown`.
    pub(crate) fn add(&self, site: &Site, index: usize, markdown: &str) {
        let Some(doc) = self.doc_of[index] else {
            return;
        };
        let guard = self.collector.read().expect("no panics while locked");
        let Some(collector) = guard.as_ref() else {
            return;
        };
        let add = |fields: &[Field]| collector.add(doc, fields);
        let shown = index_body(site, &site.articles[index], markdown, add);
        let _ = self.shown[doc as usize].set(shown);
    }

    /// Every file of the index: those to write, and those of the last
    /// build to keep (see `Reuse`). An article whose page did not hand its
    /// body over is taken from the store when it has the article as it is,
    /// else indexed from its file.
    pub(crate) fn files(&self, site: &Site) -> Result<(Vec<File>, Vec<Written>), Vec<Diagnostic>> {
        let collector = (self
            .collector
            .write()
            .expect("no panics while locked")
            .take())
        .expect("the index is written once");
        // With every page rendered there is nothing to take, and reading
        // the store would hold a second copy of the postings (+285 MiB at
        // 100k, when the cache is there but the output is not).
        let waiting = self.waiting();
        let store = self.store.as_ref().filter(|_| !waiting.is_empty());
        let (from_store, previous) = match store.and_then(Store::read) {
            Some(stored) => self.take_stored(site, &collector, stored, &waiting),
            None => (0, None),
        };
        // The articles whose pages did not render (a warm build carried
        // them) and the store did not have are read from their files, in
        // parallel: the collector takes adds in any order.
        let problems: Vec<Diagnostic> = (waiting.into_par_iter())
            .filter(|(_, doc)| self.shown[*doc as usize].get().is_none())
            .filter_map(|(index, doc)| {
                let article = &site.articles[index];
                match index_article(site, article, |fields| collector.add(doc, fields)) {
                    Ok(shown) => drop(self.shown[doc as usize].set(shown)),
                    Err(problem) => return Some(problem),
                }
                None
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        // Borrowed, not cloned: a copy of every result was 36 MB at 100k
        // articles, held at the build's peak.
        let shown: Vec<&Shown> = (self.shown.iter())
            .map(|s| s.get().expect("every indexed article"))
            .collect();
        let postings = collector.finish();
        let previous = match previous {
            Some(last) => last.previous(&postings),
            None => Previous::default(),
        };
        // Only an accelerator: the next build indexes every body again
        // without it, and the page cache's own write reports a folder
        // that cannot be written.
        let written = (self.store.as_ref()).and_then(|store| {
            let snippets: Vec<&str> = shown.iter().map(|s| s.text.as_str()).collect();
            store.write(&postings, &self.versions(site), &snippets).ok()
        });
        let laid = index::lay_out(postings, &shown, &facet_values(site), &previous);
        if let (Some(store), Some(sum)) = (&self.store, written) {
            let _ = store.write_layout(&laid.layout, sum);
        }
        let kept: Vec<Written> = match self.reuse {
            Some(reuse) => (laid.kept.iter())
                .map(|path| reuse.files[path].clone())
                .collect(),
            None => Vec::new(),
        };
        let _ = self.counts.set(SearchUse {
            stored: from_store,
            indexed: shown.len() - from_store,
            kept: kept.len(),
            // Facet lists with the same articles are the same file.
            files: kept.len()
                + (laid.files.iter().map(|f| &f.path))
                    .collect::<HashSet<_>>()
                    .len(),
        });
        Ok((laid.files, kept))
    }

    /// Each indexed article's `version`, by its number.
    fn versions(&self, site: &Site) -> Vec<u64> {
        let mut versions = vec![0; self.shown.len()];
        for (index, doc) in self.doc_of.iter().enumerate() {
            if let Some(doc) = doc {
                versions[*doc as usize] = site.articles[index].version;
            }
        }
        versions
    }

    /// Where the files `files` keeps are, to carry them from.
    pub(crate) fn kept_from(&self) -> Option<&std::path::Path> {
        self.reuse?.from.as_deref()
    }

    /// The indexed articles whose pages did not hand their bodies over,
    /// as (article, index number).
    fn waiting(&self) -> Vec<(usize, u32)> {
        (self.doc_of.iter().enumerate())
            .filter_map(|(index, doc)| Some((index, (*doc)?)))
            .filter(|(_, doc)| self.shown[*doc as usize].get().is_none())
            .collect()
    }

    /// Takes the postings of each article the store has as it is now and
    /// whose page did not hand its body over, renumbered to this index.
    /// Returns how many articles it took, and (for a warm build) what of
    /// the last index may be kept.
    fn take_stored(
        &self,
        site: &Site,
        collector: &Collector,
        stored: stored::Stored,
        waiting: &[(usize, u32)],
    ) -> (usize, Option<Last>) {
        let last = self.last(site, &stored);
        let waiting: ahash::AHashMap<u64, (usize, u32)> = (waiting.iter())
            .map(|&(index, doc)| (site.articles[index].version, (index, doc)))
            .collect();
        let renumbered: Vec<Option<u32>> = (stored.docs.into_iter())
            .map(|old| {
                let &(index, doc) = waiting.get(&old.version)?;
                collector.set_length(doc, old.length);
                let result = shown(site, &site.articles[index], old.snippet);
                let _ = self.shown[doc as usize].set(result);
                Some(doc)
            })
            .collect();
        stored.terms.into_par_iter().for_each(|(term, postings)| {
            let postings: Vec<(u32, f32)> = (postings.into_iter())
                .filter_map(|(old, tf)| Some((renumbered[old as usize]?, tf)))
                .collect();
            if !postings.is_empty() {
                collector.add_postings(term, postings);
            }
        });
        (renumbered.iter().flatten().count(), last)
    }

    /// What of the last index, as `stored` has it, may be kept: for each
    /// of its terms, its encoded size and its postings of the articles
    /// that changed since (another article, by its `version`, at that
    /// number); and the files at hand of its chunks. `None` unless the
    /// build can keep files, or when too many articles changed for it to
    /// be worth it.
    fn last(&self, site: &Site, stored: &stored::Stored) -> Option<Last> {
        let (reuse, layout) = (self.reuse?, stored.layout.as_ref()?);
        if stored.docs.len() != self.shown.len() {
            return None;
        }
        let versions = self.versions(site);
        let unchanged: Vec<bool> = (stored.docs.iter().zip(&versions))
            .map(|(then, now)| then.version == *now)
            .collect();
        let changed: Vec<(u32, f32)> = (stored.docs.iter().enumerate())
            .filter(|(doc, _)| !unchanged[*doc])
            .map(|(doc, then)| (doc as u32, then.length))
            .collect();
        if changed.len() > MAX_CHANGED_TO_KEEP {
            return None;
        }
        let terms = (stored.terms.par_iter().zip(&layout.sizes))
            .map(|((term, list), &size)| {
                let of_changed = (list.iter())
                    .filter(|&&(doc, _)| !unchanged[doc as usize])
                    .copied()
                    .collect();
                let last = LastTerm {
                    size,
                    count: list.len(),
                    of_changed,
                };
                (term.clone(), last)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let at_hand = |path: &String| reuse.files.contains_key(path).then(|| path.clone());
        let term_chunks = (layout.term_chunks.iter())
            .filter_map(|(first, count, path)| {
                let (first, count) = (*first as usize, *count as usize);
                let key = (
                    stored.terms[first].0.clone(),
                    stored.terms[first + count - 1].0.clone(),
                    count,
                );
                Some((key, at_hand(path)?))
            })
            .collect();
        let doc_chunks = (layout
            .doc_chunks
            .iter()
            .zip(unchanged.chunks(index::DOCS_PER_CHUNK)))
        .map(|(path, docs)| {
            docs.iter()
                .all(|&same| same)
                .then(|| at_hand(path))
                .flatten()
        })
        .collect();
        let lengths: Vec<f32> = stored.docs.iter().map(|d| d.length).collect();
        Some(Last {
            docs: stored.docs.len(),
            average: index::average_length(&lengths),
            changed,
            terms,
            term_chunks,
            doc_chunks,
        })
    }
}

/// Past this many articles changed, a build encodes the whole index: it
/// compares each term's postings of every changed article.
const MAX_CHANGED_TO_KEEP: usize = 256;

/// What of the last index may be kept, until this one's terms are known.
struct Last {
    docs: usize,
    average: f32,
    /// The articles changed since, by number, with their length then.
    changed: Vec<(u32, f32)>,
    terms: ahash::AHashMap<String, LastTerm>,
    term_chunks: HashMap<(String, String, usize), String>,
    doc_chunks: Vec<Option<String>>,
}

/// A term of the last index.
struct LastTerm {
    /// Its encoded postings' size, and how many it had.
    size: u32,
    count: usize,
    /// Its postings of the articles changed since.
    of_changed: Vec<(u32, f32)>,
}

impl Last {
    /// Which terms of `postings` are encoded as the last index had them:
    /// each posting is an (article, weight) pair, and an unchanged article
    /// has the same one, so a term is when each changed article has the
    /// weight in it that it had then, or is in it neither then nor now.
    /// (`index::lay_out` checks the weights are by the same average.)
    fn previous(self, postings: &index::Postings) -> Previous {
        let weight = |tf, length| index::bm25_weight(tf, length, self.average);
        let clean = (postings.terms.iter())
            .map(|(term, list)| {
                let last = self.terms.get(term)?;
                // Both are by article: one walk over the list finds the
                // changed articles in it.
                let mut list_now = list.iter().peekable();
                let same = self.changed.iter().all(|&(doc, length_then)| {
                    let then = (last.of_changed.iter())
                        .find(|p| p.0 == doc)
                        .map(|p| weight(p.1, length_then));
                    let now = loop {
                        match list_now.peek() {
                            Some(&(at, _)) if at < doc => drop(list_now.next()),
                            Some(&(at, tf)) if at == doc => break Some(tf),
                            _ => break None,
                        }
                    }
                    .map(|tf| weight(tf, postings.lengths[doc as usize]));
                    then == now
                });
                (same && list.len() == last.count).then_some(last.size)
            })
            .collect();
        Previous {
            docs: self.docs,
            average: self.average,
            clean,
            term_chunks: self.term_chunks,
            doc_chunks: self.doc_chunks,
        }
    }
}

/// Each search facet of `site.yaml` with each article's values.
fn facet_values(site: &Site) -> Vec<index::Facet<'_>> {
    // Borrowed from the site's articles, so the names need no copies
    // (0.1 s at 100k articles).
    let values_of = |kind| {
        (site.indexed())
            .map(|a| crate::taxonomy::term_names(a, kind))
            .collect()
    };
    let facets = site.config.search_facets().into_iter();
    facets.map(|kind| (kind.name(), values_of(kind))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A last index whose one term, `cach`, had 2 postings, of them
    /// `of_changed` of the changed articles 3 and 5.
    fn last_with(of_changed: Vec<(u32, f32)>) -> Last {
        let term = LastTerm {
            size: 40,
            count: 2,
            of_changed,
        };
        Last {
            docs: 8,
            average: 10.0,
            changed: vec![(3, 10.0), (5, 10.0)],
            terms: [("cach".to_string(), term)].into_iter().collect(),
            term_chunks: HashMap::new(),
            doc_chunks: Vec::new(),
        }
    }

    fn clean_of(last: Last, now: &[(u32, f32)]) -> Option<u32> {
        let postings = index::Postings {
            terms: vec![("cach".to_string(), term_list::TermList::of(now.to_vec()))],
            lengths: vec![10.0; 8],
        };
        last.previous(&postings).clean[0]
    }

    #[test]
    fn a_term_is_kept_only_when_each_changed_article_is_in_it_as_it_was() {
        // Article 3 is in neither; article 5 is in it now and was not:
        // the walk past 3 must not step over 5.
        assert_eq!(clean_of(last_with(vec![]), &[(1, 1.0), (5, 1.0)]), None);
        // Article 5 was in it with the same frequency: kept.
        let then = vec![(5, 1.0)];
        assert_eq!(clean_of(last_with(then), &[(1, 1.0), (5, 1.0)]), Some(40));
        // With another frequency: encoded again.
        let then = vec![(5, 1.0)];
        assert_eq!(clean_of(last_with(then), &[(1, 1.0), (5, 7.0)]), None);
        // Neither changed article is in it, then or now.
        assert_eq!(clean_of(last_with(vec![]), &[(1, 1.0), (6, 1.0)]), Some(40));
    }

    #[test]
    fn body_text_keeps_headings_apart_and_leaves_code_blocks_out() {
        let text = body_text(
            "# Redis TTL\n\nSet `EXPIRE` on keys.\n\n```sh\nredis-cli flushall\n```\n\n## Checks\n",
        );
        assert_eq!(
            text.headings.split_whitespace().collect::<Vec<_>>(),
            ["Redis", "TTL", "Checks"]
        );
        assert_eq!(
            text.prose.split_whitespace().collect::<Vec<_>>(),
            ["Set", "EXPIRE", "on", "keys."]
        );
    }
}
