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

/// The words of `text` as written: runs of letters and digits, short
/// enough to be words a reader types (the index lowercases them).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
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
    fn stem(&self, word: &str) -> Option<String> {
        (STOP_WORDS.binary_search(&word).is_err()).then(|| self.stemmer.stem(word).into_owned())
    }

    /// Calls `found` with every term of `text`, in order, repeats
    /// included. Stems are remembered per thread: articles share most of
    /// their words, and stemming each occurrence anew was most of the
    /// index's cost; and a known word costs no allocation (a String per
    /// word and per term was half of what remained).
    pub(crate) fn each(&self, text: &str, mut found: impl FnMut(&str)) {
        thread_local! {
            static STEMS: RefCell<HashMap<String, Option<String>>> = RefCell::default();
        }
        STEMS.with_borrow_mut(|stems| {
            let mut ascii = String::new();
            for word in words(text) {
                let other;
                let lower: &str = if word.is_ascii() {
                    ascii.clear();
                    ascii.push_str(word);
                    ascii.make_ascii_lowercase();
                    &ascii
                } else {
                    other = word.to_lowercase();
                    &other
                };
                match stems.get(lower) {
                    Some(term) => term.as_deref().map(&mut found).unwrap_or_default(),
                    None => {
                        let term = self.stem(lower);
                        if let Some(term) = &term {
                            found(term);
                        }
                        if stems.len() < MAX_REMEMBERED {
                            stems.insert(lower.to_string(), term);
                        }
                    }
                }
            }
        });
    }

    /// Every term of `text`, in order, repeats included.
    #[cfg(test)]
    pub(crate) fn of(&self, text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        self.each(text, |term| terms.push(term.to_string()));
        terms
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
        let got: Vec<String> = words("Redis TTL: set-up in k8s, 2026 — naïve café")
            .map(str::to_lowercase)
            .collect();
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
        let got: Vec<String> = terms.of("The caching of cached caches is running");
        assert_eq!(got, ["cach", "cach", "cach", "run"]);
        assert_eq!(terms.of("Generously HAPPY the"), ["generous", "happi"]);
        assert_eq!(terms.of("Naïve CAFÉ ΣΟΦΟΣ"), ["naïv", "café", "σοφος"]);
    }
}
