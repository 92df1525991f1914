//! The index writer. Articles are added as they render (in any order, in
//! parallel); `write` then lays the index out in files a browser fetches
//! one by one (their shapes are the types of `format`):
//!
//! - `search/index.json`, the small entry (served revalidating): counts,
//!   the words the index leaves out, and the names of every other file;
//! - term chunks, `assets/search/t.<hash>.json`: terms in order, split by
//!   size, each with its postings (article, quantized BM25 weight), as a
//!   list or, for common terms, a bitmap (see `encode_postings`);
//! - document chunks, `assets/search/d.<hash>.json`: what a result shows,
//!   `DOCS_PER_CHUNK` articles each;
//! - facet lists, `assets/search/f.<hash>.json`: the articles of one value.
//!
//! Chunks are named by their content hash, so they are immutable assets
//! (cached for a year), and everything is sorted: the same site gives the
//! same bytes whatever the thread count.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use super::format::{Bitmap, Entry, FacetList, Facets, TermPostings, VERSION, hex_digit};
use super::stored::Layout;
use super::term_list::TermList;
use super::text::Terms;

/// BM25's term-frequency saturation and length normalisation.
pub(crate) const K1: f32 = 1.2;
pub(crate) const B: f32 = 0.75;
/// Term chunks are cut once they pass this many bytes of JSON.
pub(crate) const TERM_CHUNK_BYTES: usize = 48 * 1024;
pub(crate) const DOCS_PER_CHUNK: usize = 64;
const SHARDS: usize = 16;
pub(crate) use crate::page_kind::SEARCH_ENTRY_FILE as ENTRY_FILE;

/// A field of an article and how much a word in it counts.
pub(crate) struct Field<'a> {
    pub(crate) weight: f32,
    pub(crate) text: &'a str,
}

/// What a result shows for an article.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Shown {
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) date: String,
    pub(crate) difficulty: Option<&'static str>,
    pub(crate) stack: Vec<String>,
    /// The text a snippet is cut from.
    pub(crate) text: String,
}

/// Each term of an article and its weighted frequency, in order of first
/// use.
pub(crate) type Counts = Vec<(String, f32)>;

/// aHash: the shards are looked up once per term of every article, and
/// SipHash showed in profiles.
/// Per term, (article, weighted term frequency).
type Shard = ahash::AHashMap<String, TermList>;

/// Postings collected while articles render: per term, (article, weighted
/// term frequency). Sharded by term so render threads rarely wait.
pub(crate) struct Collector {
    terms: Terms,
    shards: Vec<Mutex<Shard>>,
    /// Weighted length of each article.
    lengths: Mutex<Vec<f32>>,
}

impl Collector {
    pub(crate) fn new(articles: usize) -> Collector {
        Collector {
            terms: Terms::default(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            lengths: Mutex::new(vec![0.0; articles]),
        }
    }

    /// Adds article `doc` with its weighted fields.
    pub(crate) fn add(&self, doc: u32, fields: &[Field]) {
        let (counts, length) = term_counts(&self.terms, fields);
        self.lengths.lock().expect("no panics while locked")[doc as usize] = length;
        let mut by_shard: Vec<Vec<(String, f32)>> = vec![Vec::new(); SHARDS];
        for (term, tf) in counts {
            by_shard[shard_of(&term)].push((term, tf));
        }
        for (shard, terms) in self.shards.iter().zip(by_shard) {
            if terms.is_empty() {
                continue;
            }
            let mut map = shard.lock().expect("no panics while locked");
            for (term, tf) in terms {
                map.entry(term).or_default().push(doc, tf);
            }
        }
    }

    /// Sets article `doc`'s weighted length, for an article whose
    /// postings are added whole (`add_postings`).
    pub(crate) fn set_length(&self, doc: u32, length: f32) {
        self.lengths.lock().expect("no panics while locked")[doc as usize] = length;
    }

    /// Adds postings of `term` that were counted before.
    pub(crate) fn add_postings(&self, term: String, postings: Vec<(u32, f32)>) {
        let mut map = self.shards[shard_of(&term)]
            .lock()
            .expect("no panics while locked");
        map.entry(term).or_default().extend(postings);
    }

    /// Every term, sorted, with its postings sorted by article.
    pub(crate) fn finish(self) -> Postings {
        let lengths = self.lengths.into_inner().expect("no panics while locked");
        let mut terms: Vec<(String, TermList)> = self
            .shards
            .into_iter()
            .flat_map(|s| s.into_inner().expect("no panics while locked"))
            .collect();
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        terms
            .par_iter_mut()
            .for_each(|(_, postings)| *postings = postings.sorted());
        Postings { terms, lengths }
    }
}

/// Each term of an article's fields with its weighted frequency, and the
/// article's weighted length. The first field is the title: its terms are
/// also counted as terms of their own, marked with `TITLE_MARK`.
pub(crate) fn term_counts(terms: &Terms, fields: &[Field]) -> (Counts, f32) {
    let texts: Vec<(f32, &str)> = fields.iter().map(|f| (f.weight, f.text)).collect();
    let (mut counts, length) = terms.counts(&texts);
    if let Some(title) = fields.first() {
        let (titled, _) = terms.counts(&[(1.0, title.text)]);
        counts.extend(
            titled
                .into_iter()
                .map(|(term, tf)| (format!("{term}{TITLE_MARK}"), tf)),
        );
    }
    (counts, length)
}

/// Marks a term as the same word in an article's title (`cach#`): its
/// postings are the articles whose title has the word, so a word common
/// in bodies (an IDF near zero) still counts where a title has it, with
/// the IDF of titles. No word holds `#`, and the marked term sorts right
/// after the plain one, so a query finds both in the same chunk.
pub(crate) const TITLE_MARK: char = '#';

/// The collected index before weighting: per term, sorted, its postings
/// (article, weighted term frequency) sorted by article; and each
/// article's weighted length.
pub(crate) struct Postings {
    pub(crate) terms: Vec<(String, TermList)>,
    pub(crate) lengths: Vec<f32>,
}

/// The articles' average weighted length, which BM25 normalises by,
/// rounded to a whole word: an edit then seldom moves it, and a moved
/// average re-weighs every posting, which the preview would have to
/// encode again (36 ms of each article edit at 10k articles).
pub(crate) fn average_length(lengths: &[f32]) -> f32 {
    match lengths.len() {
        0 => 1.0,
        n => (lengths.iter().sum::<f32>() / n as f32).round().max(1.0),
    }
}

fn shard_of(term: &str) -> usize {
    term.bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize))
        % SHARDS
}

/// `tf·(k1+1) / (tf + k1·(1 − b + b·len/avg))`, scaled from 0..k1+1 to
/// 0..=255; at least 1, so every posting counts.
pub(crate) fn bm25_weight(tf: f32, length: f32, average: f32) -> u8 {
    let norm = K1 * (1.0 - B + B * length / average);
    let saturated = tf * (K1 + 1.0) / (tf + norm) / (K1 + 1.0);
    (saturated * 255.0).round().clamp(1.0, 255.0) as u8
}

/// A file of the index: where it goes and its bytes.
#[derive(Clone)]
pub(crate) struct File {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// A search facet's name with each article's values, in site order,
/// borrowed from the site's articles.
pub(crate) type Facet<'a> = (&'static str, Vec<Vec<&'a str>>);

/// Lays the index out in files (see the module's comment). `shown` is
/// each article's result, in site order; `facets` each facet field with
/// each article's values.
pub(crate) fn write(collector: Collector, shown: &[Shown], facets: &[Facet<'_>]) -> Vec<File> {
    write_postings(collector.finish(), shown, facets)
}

/// `write` from the collected postings.
pub(crate) fn write_postings(
    postings: Postings,
    shown: &[Shown],
    facets: &[Facet<'_>],
) -> Vec<File> {
    let shown: Vec<&Shown> = shown.iter().collect();
    lay_out(postings, &shown, facets, &Previous::default()).files
}

/// What an index may take from the last one instead of encoding it again,
/// by this index's terms and articles.
#[derive(Default)]
pub(crate) struct Previous {
    /// The articles the last index had, and the average length it
    /// weighted by: with any other, every weight may have moved.
    pub(crate) docs: usize,
    pub(crate) average: f32,
    /// By term, in this index's order: its encoded size, when its
    /// (article, weight) pairs are the last index's.
    pub(crate) clean: Vec<Option<u32>>,
    /// The last index's term chunks still at hand, by (first term, last
    /// term, terms): their files.
    pub(crate) term_chunks: HashMap<(String, String, usize), String>,
    /// By document chunk: the last index's file for it, when it is at
    /// hand and its articles are as they were.
    pub(crate) doc_chunks: Vec<Option<String>>,
}

/// An index laid out in files: those to write, those of the last index
/// it keeps (by path), and its layout, to keep for the next build.
pub(crate) struct LaidOut {
    pub(crate) files: Vec<File>,
    pub(crate) kept: Vec<String>,
    pub(crate) layout: Layout,
}

/// A term's postings, encoded now, or (for a term as the last index had
/// it) only if a chunk it falls in is written again.
enum Encoding {
    Done(String),
    Later(TermList, u32),
}

impl Encoding {
    fn len(&self) -> usize {
        match self {
            Encoding::Done(text) => text.len(),
            Encoding::Later(_, size) => *size as usize,
        }
    }
}

/// A file of the index, new or the last index's.
enum Laid {
    New(File),
    Kept(String),
}

/// Lays the index out in files (see the module's comment), taking from
/// `previous` the files whose every term or article is as it was. The
/// files are the same bytes whatever `previous` holds: a kept file is
/// named by its content, and is kept only when all that went into it is
/// the same.
pub(crate) fn lay_out(
    postings: Postings,
    shown: &[&Shown],
    facets: &[Facet<'_>],
    previous: &Previous,
) -> LaidOut {
    let Postings { terms, lengths } = postings;
    let average = average_length(&lengths);
    // A result chunk holds articles by number; a weight also depends on
    // the average length.
    let same_docs = previous.docs == lengths.len();
    let same_weights = same_docs && previous.average == average;
    let clean = |i: usize| (previous.clean.get(i).copied().flatten()).filter(|_| same_weights);
    // Each term that changed is weighted and encoded in parallel; the
    // chunks are then cut in term order.
    let encoded: Vec<(String, Encoding)> = terms
        .into_par_iter()
        .enumerate()
        .map(|(i, (term, list))| match clean(i) {
            Some(size) => (term, Encoding::Later(list, size)),
            None => (
                term,
                Encoding::Done(encode_postings(&list.to_vec(), &lengths, average)),
            ),
        })
        .collect();
    let ranges = cut_term_chunks(encoded.iter().map(|(t, e)| term_size(t, e.len())));
    let term_files: Vec<(String, Laid)> = (ranges.par_iter())
        .map(|range| {
            let in_chunk = &encoded[range.clone()];
            let key = (
                in_chunk[0].0.clone(),
                in_chunk[in_chunk.len() - 1].0.clone(),
                in_chunk.len(),
            );
            let all_clean = (in_chunk.iter()).all(|(_, e)| matches!(e, Encoding::Later(..)));
            if let (true, Some(path)) = (all_clean, previous.term_chunks.get(&key)) {
                return (key.0, Laid::Kept(path.clone()));
            }
            let texts: Vec<Cow<str>> = (in_chunk.iter())
                .map(|(_, e)| match e {
                    Encoding::Done(text) => Cow::Borrowed(text.as_str()),
                    Encoding::Later(list, _) => {
                        Cow::Owned(encode_postings(&list.to_vec(), &lengths, average))
                    }
                })
                .collect();
            let terms = (in_chunk.iter().zip(&texts)).map(|((t, _), e)| (t.as_str(), &**e));
            let (first, file) = term_chunk(terms);
            (first, Laid::New(file))
        })
        .collect();
    // The chunks hold the encodings now: let them go before the document
    // chunks are made (at 100k articles, 21 MB at the build's peak).
    let sizes = encoded.iter().map(|(_, e)| e.len() as u32).collect();
    drop(encoded);
    let doc_files: Vec<Laid> = (shown.par_chunks(DOCS_PER_CHUNK).enumerate())
        .map(
            |(i, docs)| match previous.doc_chunks.get(i).cloned().flatten() {
                Some(path) if same_docs => Laid::Kept(path),
                _ => Laid::New(doc_chunk(docs)),
            },
        )
        .collect();
    let mut laid = LaidOut {
        files: Vec::new(),
        kept: Vec::new(),
        layout: Layout {
            sizes,
            term_chunks: Vec::with_capacity(ranges.len()),
            doc_chunks: Vec::with_capacity(doc_files.len()),
        },
    };
    let mut place = |laid_file: Laid| match laid_file {
        Laid::New(file) => keep(&mut laid.files, file),
        Laid::Kept(path) => {
            laid.kept.push(path.clone());
            path
        }
    };
    let mut terms = Vec::with_capacity(term_files.len());
    let mut term_chunks = Vec::with_capacity(term_files.len());
    for (range, (first, file)) in ranges.iter().zip(term_files) {
        let path = place(file);
        term_chunks.push((range.start as u32, range.len() as u32, path.clone()));
        terms.push((first, path));
    }
    let doc_chunks: Vec<String> = doc_files.into_iter().map(&mut place).collect();
    laid.layout.term_chunks = term_chunks;
    laid.layout.doc_chunks = doc_chunks.clone();
    let facets = facet_files(facets, &mut laid.files);
    (laid.files).push(entry_file(shown.len(), terms, doc_chunks, facets));
    laid
}

/// Adds `file` to `files`; returns its path.
pub(crate) fn keep(files: &mut Vec<File>, file: File) -> String {
    let path = file.path.clone();
    files.push(file);
    path
}

/// The entry file naming every other one.
pub(crate) fn entry_file(
    docs: usize,
    terms: Vec<(String, String)>,
    doc_chunks: Vec<String>,
    facets: Facets,
) -> File {
    let entry = Entry {
        version: VERSION,
        stop_words: super::text::STOP_WORDS
            .iter()
            .map(|w| w.to_string())
            .collect(),
        max_word_chars: super::text::MAX_WORD_CHARS,
        docs,
        terms,
        docs_per_chunk: DOCS_PER_CHUNK,
        doc_chunks,
        facets,
    };
    File {
        path: ENTRY_FILE.to_string(),
        bytes: json(&entry),
    }
}

/// The document chunks, `DOCS_PER_CHUNK` results each, in site order.
pub(crate) fn doc_chunks(shown: &[Shown]) -> Vec<File> {
    shown.par_chunks(DOCS_PER_CHUNK).map(doc_chunk).collect()
}

/// One document chunk: the results of up to `DOCS_PER_CHUNK` articles.
pub(crate) fn doc_chunk<S: Serialize>(shown: &[S]) -> File {
    hashed("d", json(&shown[..shown.len().min(DOCS_PER_CHUNK)]))
}

/// Each facet field's values with their counts and files.
pub(crate) fn facet_files(facets: &[Facet<'_>], files: &mut Vec<File>) -> Facets {
    facets
        .iter()
        .map(|(name, values)| (name.to_string(), facet_lists(values, files)))
        .collect()
}

/// How many bytes a term adds to its chunk, given its encoded postings'.
pub(crate) fn term_size(term: &str, encoded: usize) -> usize {
    term.len() + encoded + 4
}

/// Where term chunks are cut, given each term's size in term order: a
/// chunk ends at the term that takes it to `TERM_CHUNK_BYTES`, and a term
/// that size on its own gets a chunk of its own, so a rare term is not
/// fetched with a common one's postings.
pub(crate) fn cut_term_chunks(sizes: impl Iterator<Item = usize>) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut size, mut end) = (0, 0, 0);
    for term_size in sizes {
        if term_size >= TERM_CHUNK_BYTES && start < end {
            ranges.push(start..end);
            (start, size) = (end, 0);
        }
        size += term_size;
        end += 1;
        if size >= TERM_CHUNK_BYTES {
            ranges.push(start..end);
            (start, size) = (end, 0);
        }
    }
    if start < end {
        ranges.push(start..end);
    }
    ranges
}

/// A term chunk (`format::TermChunk`) from each term's encoded postings,
/// and its first term. Written by hand from the parts serde wrote, for
/// the sizes `cut_term_chunks` needs; a test reads a chunk back as the
/// type and writes it again to the same bytes.
pub(crate) fn term_chunk<'a>(terms: impl Iterator<Item = (&'a str, &'a str)>) -> (String, File) {
    let mut first = None;
    let mut bytes = Vec::with_capacity(TERM_CHUNK_BYTES + 1024);
    bytes.push(b'{');
    for (term, encoded) in terms {
        if first.is_some() {
            bytes.push(b',');
        }
        first.get_or_insert_with(|| term.to_string());
        bytes.extend_from_slice(json_str(term).as_bytes());
        bytes.push(b':');
        bytes.extend_from_slice(encoded.as_bytes());
    }
    bytes.extend_from_slice(b"}\n");
    (first.expect("a chunk has a term"), hashed("t", bytes))
}

/// One term's postings, weighted by BM25, as JSON in the smaller of the
/// two forms of `TermPostings`: a list, or for a term in many of the
/// articles a bitmap with the weights rounded to sixteenths (a common
/// word's weight counts little: its IDF is low). At 100k articles a term
/// in a third of them was a 250 KiB chunk as a list.
pub(crate) fn encode_postings(list: &[(u32, f32)], lengths: &[f32], average: f32) -> String {
    let weights = list
        .iter()
        .map(|&(doc, tf)| bm25_weight(tf, lengths[doc as usize], average));
    let mut pairs = Vec::with_capacity(list.len() * 2);
    let mut previous = 0;
    for (&(doc, _), weight) in list.iter().zip(weights.clone()) {
        pairs.extend([doc - previous, u32::from(weight)]);
        previous = doc;
    }
    let as_list = to_json(&TermPostings::List(list.len(), pairs));
    let articles = lengths.len();
    if articles.div_ceil(8) * 2 + list.len() + 16 >= as_list.len() {
        return as_list;
    }
    let docs: Vec<u32> = list.iter().map(|&(doc, _)| doc).collect();
    let sixteenths = weights.map(|w| hex_digit(coarse_weight(w))).collect();
    to_json(&TermPostings::Bitmap(
        list.len(),
        Bitmap::of(&docs, articles),
        sixteenths,
    ))
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("index parts serialize")
}

/// A weight in sixteenths (1..=15): the client reads it back as
/// `digit * 17`, which maps 15 to 255.
fn coarse_weight(weight: u8) -> u8 {
    ((f32::from(weight) / 17.0).round() as u8).clamp(1, 15)
}

/// One file per facet value: the articles that have it, a `FacetList` in
/// the smaller of its forms.
fn facet_lists(values: &[Vec<&str>], files: &mut Vec<File>) -> Vec<(String, usize, String)> {
    let mut docs: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (doc, of_doc) in values.iter().enumerate() {
        for value in of_doc {
            docs.entry(value).or_default().push(doc as u32);
        }
    }
    let lists: Vec<(String, usize, File)> = docs
        .into_par_iter()
        .map(|(value, list)| {
            let deltas: Vec<u32> = list
                .iter()
                .scan(0, |previous, &doc| {
                    let delta = doc - *previous;
                    *previous = doc;
                    Some(delta)
                })
                .collect();
            let as_deltas = json(&FacetList::Deltas(deltas));
            let as_bits = json(&FacetList::Bitmap(Bitmap::of(&list, values.len())));
            let smaller = if as_bits.len() < as_deltas.len() {
                as_bits
            } else {
                as_deltas
            };
            (value.to_string(), list.len(), hashed("f", smaller))
        })
        .collect();
    let mut lists: Vec<(String, usize, String)> = lists
        .into_iter()
        .map(|(value, count, file)| (value, count, keep(files, file)))
        .collect();
    lists.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    lists
}

/// Where the index's files named by their content's hash go.
const HASHED_DIR: &str = "assets/search/";

/// Whether the index file at `path` is named by its content's hash: the
/// same path is the same bytes.
pub(crate) fn is_content_hashed(path: &str) -> bool {
    path.starts_with(HASHED_DIR)
}

/// `bytes` as `assets/search/<kind>.<hash>.json`.
fn hashed(kind: &str, bytes: Vec<u8>) -> File {
    let hash = blake3::hash(&bytes).to_hex();
    File {
        path: format!("{HASHED_DIR}{kind}.{}.json", &hash[..16]),
        bytes,
    }
}

/// JSON with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`
/// (they occur only inside strings): the index holds titles as written,
/// and no file of the site should carry markup a browser could be led
/// to run, say by sniffing a JSON file as HTML.
fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let raw = serde_json::to_vec(value).expect("index parts serialize");
    let mut bytes = Vec::with_capacity(raw.len() + 1);
    for b in raw {
        match b {
            b'<' => bytes.extend_from_slice(b"\\u003c"),
            b'>' => bytes.extend_from_slice(b"\\u003e"),
            b'&' => bytes.extend_from_slice(b"\\u0026"),
            _ => bytes.push(b),
        }
    }
    bytes.push(b'\n');
    bytes
}

fn json_str(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(i: usize) -> Shown {
        Shown {
            url: format!("/a{i}/"),
            title: format!("article {i}"),
            date: "2026-07-01".into(),
            difficulty: Some("beginner"),
            stack: vec!["redis".into()],
            text: "summary".into(),
        }
    }

    fn collect(order: &[u32]) -> Collector {
        let texts = [
            "redis caching caches keys",
            "postgres vacuum and caching",
            "kafka consumer lag, kafka rebalances",
        ];
        let collector = Collector::new(texts.len());
        for &doc in order {
            let title = format!("title {doc}");
            let fields = [
                Field {
                    weight: 3.0,
                    text: &title,
                },
                Field {
                    weight: 1.0,
                    text: texts[doc as usize],
                },
            ];
            collector.add(doc, &fields);
        }
        collector
    }

    #[test]
    fn postings_are_sorted_stemmed_and_weighted() {
        let postings = collect(&[2, 0, 1]).finish().terms;
        let terms: Vec<&str> = postings.iter().map(|(t, _)| t.as_str()).collect();
        assert!(terms.is_sorted());
        let cach = postings
            .iter()
            .find(|(t, _)| t == "cach")
            .unwrap()
            .1
            .to_vec();
        assert_eq!(cach.iter().map(|p| p.0).collect::<Vec<_>>(), [0, 1]);
        assert!(cach[0].1 > cach[1].1, "two mentions outweigh one");
        assert!(
            postings.iter().all(|(t, _)| t != "and"),
            "stop words are left out"
        );
        let kafka = &postings.iter().find(|(t, _)| t == "kafka").unwrap().1;
        assert_eq!(kafka.len(), 1);
    }

    #[test]
    fn the_same_articles_in_any_order_write_the_same_files() {
        let facets = vec![("stack", vec![vec!["redis"], vec![], vec!["kafka"]])];
        let shown: Vec<Shown> = (0..3).map(shown).collect();
        let a = write(collect(&[0, 1, 2]), &shown, &facets);
        let b = write(collect(&[2, 1, 0]), &shown, &facets);
        let names = |files: &[File]| {
            files
                .iter()
                .map(|f| (f.path.clone(), f.bytes.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        let entry = a.iter().find(|f| f.path == ENTRY_FILE).unwrap();
        let entry: serde_json::Value = serde_json::from_slice(&entry.bytes).unwrap();
        assert_eq!(entry["docs"], 3);
        assert_eq!(
            entry["facets"]["stack"][0][0], "kafka",
            "equal counts: by value"
        );
        for f in a.iter().filter(|f| f.path != ENTRY_FILE) {
            assert!(f.path.starts_with("assets/search/"), "{}", f.path);
            let hash = &blake3::hash(&f.bytes).to_hex()[..16];
            assert!(f.path.contains(hash), "named by content");
        }
    }

    #[test]
    fn term_chunks_are_cut_by_size_and_name_their_first_term() {
        let collector = Collector::new(400);
        for doc in 0..400u32 {
            let text = format!("word{doc} common shared{} ", doc % 7);
            collector.add(
                doc,
                &[Field {
                    weight: 1.0,
                    text: &text,
                }],
            );
        }
        let shown: Vec<Shown> = (0..400).map(shown).collect();
        let files = write(collector, &shown, &[]);
        let entry: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|f| f.path == ENTRY_FILE).unwrap().bytes)
                .unwrap();
        let chunks = entry["terms"].as_array().unwrap();
        assert!(!chunks.is_empty());
        let mut seen = 0;
        for chunk in chunks {
            let (first, path) = (chunk[0].as_str().unwrap(), chunk[1].as_str().unwrap());
            let file = files.iter().find(|f| f.path == path).unwrap();
            assert!(
                file.bytes.len() <= TERM_CHUNK_BYTES + 4096,
                "{} bytes",
                file.bytes.len()
            );
            let terms: super::super::format::TermChunk =
                serde_json::from_slice(&file.bytes).unwrap();
            assert_eq!(terms.keys().next().unwrap(), first);
            let mut again = serde_json::to_vec(&terms).unwrap();
            again.push(b'\n');
            assert_eq!(again, file.bytes, "the format's types write the same bytes");
            seen += terms.len();
        }
        // The one field is a title: each term has its marked twin too.
        assert_eq!(seen, (400 + 1 + 7) * 2);
        assert_eq!(
            entry["doc_chunks"].as_array().unwrap().len(),
            400usize.div_ceil(DOCS_PER_CHUNK)
        );
    }

    #[test]
    fn markup_in_the_index_is_escaped_and_reads_back_the_same() {
        let title = "<script>alert(1)</script> & <b>";
        let bytes = json(&[title]);
        assert!(!bytes.iter().any(|b| b"<>&".contains(b)), "{bytes:?}");
        let back: Vec<String> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, [title]);
    }

    #[test]
    fn a_term_as_large_as_a_chunk_gets_one_of_its_own() {
        let big = TERM_CHUNK_BYTES + 5;
        let cut = cut_term_chunks([10, 10, big, 10, 10].into_iter());
        assert_eq!(cut, [0..2, 2..3, 3..5]);
        let cut = cut_term_chunks([TERM_CHUNK_BYTES - 5, 10, 10].into_iter());
        assert_eq!(
            cut,
            [0..2, 2..3],
            "a chunk still ends at the term that fills it"
        );
    }

    #[test]
    fn common_terms_are_bitmaps_with_weights_in_sixteenths() {
        let lengths = vec![10.0; 40];
        let rare: Vec<(u32, f32)> = vec![(3, 1.0), (30, 4.0)];
        let list: serde_json::Value =
            serde_json::from_str(&encode_postings(&rare, &lengths, 10.0)).unwrap();
        let (w1, w4) = (bm25_weight(1.0, 10.0, 10.0), bm25_weight(4.0, 10.0, 10.0));
        assert_eq!(list, serde_json::json!([2, [3, w1, 27, w4]]));

        let common: Vec<(u32, f32)> = (0..40)
            .filter(|d| d % 4 != 1)
            .map(|d| (d, 1.0 + (d % 3) as f32))
            .collect();
        let dense: TermPostings =
            serde_json::from_str(&encode_postings(&common, &lengths, 10.0)).unwrap();
        assert!(matches!(dense, TermPostings::Bitmap(30, ..)), "{dense:?}");
        let decoded = dense.decode();
        let docs: Vec<u32> = decoded.iter().map(|p| p.0).collect();
        assert_eq!(docs, common.iter().map(|p| p.0).collect::<Vec<_>>());
        for (&(_, back), &(_, tf)) in decoded.iter().zip(&common) {
            let weight = bm25_weight(tf, 10.0, 10.0);
            assert!(back.abs_diff(weight) <= 9, "{weight} read back as {back}");
        }
    }

    #[test]
    fn common_facet_values_are_bitmaps_and_rare_ones_deltas() {
        let values: Vec<Vec<&str>> = (0..400)
            .map(|doc| {
                let mut v = Vec::new();
                if doc % 2 == 0 {
                    v.push("even");
                }
                if doc % 100 == 7 {
                    v.push("rare");
                }
                v
            })
            .collect();
        let mut files = Vec::new();
        let lists = facet_lists(&values, &mut files);
        let read = |name: &str| {
            let path = &lists.iter().find(|l| l.0 == name).unwrap().2;
            let file = files.iter().find(|f| &f.path == path).unwrap();
            serde_json::from_slice::<FacetList>(&file.bytes).unwrap()
        };
        let even = read("even");
        assert!(
            matches!(even, FacetList::Bitmap(_)),
            "as term postings have"
        );
        assert_eq!(even.members(), (0..400).step_by(2).collect::<Vec<_>>());
        assert_eq!(read("rare"), FacetList::Deltas(vec![7, 100, 100, 100]));
        assert_eq!(read("rare").members(), [7, 107, 207, 307]);
        assert_eq!((lists[0].0.as_str(), lists[0].1), ("even", 200));
    }
}
