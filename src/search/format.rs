//! The index's files as types: what `index` writes and the tests read
//! back, and what static/js/search.js decodes (`VERSION` names this
//! format). Every file is JSON:
//!
//! - `search/index.json`: an [`Entry`];
//! - a term chunk: `{term: TermPostings, …}`, terms in byte order;
//! - a document chunk: `[Shown, …]` (see `index::Shown`);
//! - a facet list: a [`FacetList`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The index format's version, which `static/js/search.js` checks: 2 adds
/// the title terms (`TITLE_MARK`) and writes facet bitmaps as term
/// bitmaps are, and leaves out BM25's `k1` and `b`, which the weights
/// already hold.
pub(crate) const VERSION: u32 = 2;

/// The entry file: what the client reads first.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The client reads only the version it was written for.
    pub(crate) version: u32,
    /// The client drops these words and words longer than this, as the
    /// index did.
    pub(crate) stop_words: Vec<String>,
    pub(crate) max_word_chars: usize,
    pub(crate) docs: usize,
    /// `[first term, file]` of each term chunk, in term order.
    pub(crate) terms: Vec<(String, String)>,
    pub(crate) docs_per_chunk: usize,
    pub(crate) doc_chunks: Vec<String>,
    pub(crate) facets: Facets,
}

/// Per facet field: `[value, count, file]`, most articles first.
pub(crate) type Facets = BTreeMap<String, Vec<(String, usize, String)>>;

/// A term chunk: each term with its postings.
pub(crate) type TermChunk = BTreeMap<String, TermPostings>;

/// One term's postings, each a (article, BM25 weight 1..=255), in the
/// smaller of two forms.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum TermPostings {
    /// `[df, [article delta, weight, …]]`.
    List(usize, Vec<u32>),
    /// `[df, bitmap, weights]`, for a term in many of the articles: the
    /// articles as a [`Bitmap`], and for each in order one hex digit of
    /// weight in sixteenths, read back as `digit * 17`.
    Bitmap(usize, Bitmap, String),
}

impl TermPostings {
    /// The (article, weight) pairs, in article order: the decoder the
    /// tests share (the client's is `postings` in static/js/search.js).
    pub(crate) fn decode(&self) -> Vec<(u32, u8)> {
        let (df, pairs) = match self {
            TermPostings::List(df, list) => {
                let mut article = 0;
                let pairs = list.chunks(2).map(|pair| {
                    article += pair[0];
                    (article, u8::try_from(pair[1]).expect("a weight"))
                });
                (*df, pairs.collect::<Vec<_>>())
            }
            TermPostings::Bitmap(df, bitmap, sixteenths) => {
                let weights = sixteenths
                    .chars()
                    .map(|c| c.to_digit(16).expect("a hex digit") as u8 * 17);
                (*df, bitmap.members().into_iter().zip(weights).collect())
            }
        };
        assert_eq!(pairs.len(), df, "df counts the postings");
        pairs
    }
}

/// The articles of one facet value, in the smaller of two forms.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum FacetList {
    /// `[article delta, …]`.
    Deltas(Vec<u32>),
    /// For a value most articles share.
    Bitmap(Bitmap),
}

impl FacetList {
    /// The articles, in order.
    pub(crate) fn members(&self) -> Vec<u32> {
        match self {
            FacetList::Deltas(deltas) => deltas
                .iter()
                .scan(0, |article, delta| {
                    *article += delta;
                    Some(*article)
                })
                .collect(),
            FacetList::Bitmap(bitmap) => bitmap.members(),
        }
    }
}

/// The one bitmap form of the index, for term postings and facet values
/// alike: over the site's articles, article i is bit i % 8 of byte i / 8,
/// each byte two lowercase hex digits (the client's decoder is
/// `bitmapBytes`/`members` in static/js/search.js).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Bitmap(String);

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

impl Bitmap {
    /// `members`, sorted, over `articles` articles.
    pub(crate) fn of(members: &[u32], articles: usize) -> Bitmap {
        let mut bits = vec![0u8; articles.div_ceil(8)];
        for &doc in members {
            bits[doc as usize / 8] |= 1 << (doc % 8);
        }
        let mut text = String::with_capacity(bits.len() * 2);
        for b in bits {
            text.push(hex_digit(b >> 4));
            text.push(hex_digit(b & 15));
        }
        Bitmap(text)
    }

    /// The articles, in order.
    pub(crate) fn members(&self) -> Vec<u32> {
        let hex = self.0.as_bytes();
        let byte = |i: usize| {
            let pair = std::str::from_utf8(&hex[i * 2..i * 2 + 2]).expect("hex digits");
            u8::from_str_radix(pair, 16).expect("hex digits")
        };
        let bytes: Vec<u8> = (0..hex.len() / 2).map(byte).collect();
        (0..bytes.len() as u32 * 8)
            .filter(|&doc| bytes[doc as usize / 8] & (1 << (doc % 8)) != 0)
            .collect()
    }
}

/// A weight 0..=15 as the one lowercase hex digit the index writes.
pub(crate) fn hex_digit(value: u8) -> char {
    HEX_DIGITS[usize::from(value)] as char
}
