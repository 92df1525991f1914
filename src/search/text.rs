//! Words for the search index: text split into lowercase words, common
//! English words dropped, the rest reduced to their Snowball English
//! (Porter2) stems, so "caching", "cached" and "caches" meet. The client
//! applies the same rules to the query (static/js/search.js).

use std::cell::RefCell;
use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// Distinct words a thread remembers the stems of (a few MiB at most).
const MAX_REMEMBERED: usize = 200_000;

/// Words too common to tell articles apart; they are not indexed.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "if",
    "in", "into", "is", "it", "its", "no", "not", "of", "on", "or", "so", "such", "than", "that",
    "the", "their", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what",
    "when", "which", "while", "who", "will", "with", "you", "your",
];

/// Words longer than this are not words a reader types (hashes, URLs).
pub(crate) const MAX_WORD_CHARS: usize = 32;

/// Lowercase words of `text`: runs of letters and digits.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
        .map(str::to_lowercase)
}

/// Reduces words to index terms.
pub(crate) struct Terms {
    stemmer: Stemmer,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

impl Terms {
    /// The index term of one lowercase word, or `None` for a stop word.
    /// Stems are remembered per thread: articles share most of their
    /// words, and stemming each occurrence anew was most of the index's
    /// cost.
    pub(crate) fn term(&self, word: &str) -> Option<String> {
        thread_local! {
            static STEMS: RefCell<HashMap<String, Option<String>>> = RefCell::default();
        }
        STEMS.with_borrow_mut(|stems| {
            if let Some(known) = stems.get(word) {
                return known.clone();
            }
            let term = (STOP_WORDS.binary_search(&word).is_err())
                .then(|| self.stemmer.stem(word).into_owned());
            if stems.len() < MAX_REMEMBERED {
                stems.insert(word.to_string(), term.clone());
            }
            term
        })
    }

    /// Every term of `text`, in order, repeats included.
    pub(crate) fn of<'a>(&'a self, text: &'a str) -> impl Iterator<Item = String> + 'a {
        words(text).filter_map(|w| self.term(&w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.is_sorted());
    }

    #[test]
    fn words_are_lowercase_runs_of_letters_and_digits() {
        let got: Vec<String> = words("Redis TTL: set-up in k8s, 2026 — naïve café").collect();
        assert_eq!(
            got,
            [
                "redis", "ttl", "set", "up", "in", "k8s", "2026", "naïve", "café"
            ]
        );
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(words(&format!("a {long} b")).count(), 2);
    }

    #[test]
    fn terms_are_porter2_stems_without_stop_words() {
        let terms = Terms::default();
        let got: Vec<String> = terms
            .of("The caching of cached caches is running")
            .collect();
        assert_eq!(got, ["cach", "cach", "cach", "run"]);
        assert_eq!(terms.term("generously").as_deref(), Some("generous"));
        assert_eq!(terms.term("happy").as_deref(), Some("happi"));
        assert_eq!(terms.term("the"), None);
    }
}
