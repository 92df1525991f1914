//! Words for the search index: text split into lowercase words, common
//! English words dropped, the rest reduced to their Snowball English
//! (Porter2) stems, so "caching", "cached" and "caches" meet. The client
//! applies the same rules to the query (static/js/search.js).

use std::cell::RefCell;

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

/// The words of ASCII text as written: runs of letters and digits, short
/// enough to be words a reader types (the index lowercases them). Other
/// text goes through `tokens`, which gives the same words for ASCII.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
}

/// The words of any text, folded: one definition of a word, which the
/// client (`tokens` in static/js/search.js) applies to queries, and a test
/// holds the two to.
///
/// - The text is cut into runs of alphabetic characters, digits,
///   combining marks and the invisible characters that sit inside words
///   (soft hyphens, zero-width joiners and non-joiners, bidi marks,
///   variation selectors: `ignorable`), which are then dropped, so
///   `soft\u{AD}ware` is `software`; these are the boundaries of UAX #29
///   (a test holds them to `unicode-segmentation`), except that a word is
///   cut again at the punctuation UAX #29 keeps inside it (`node.js`,
///   `don't`, `snake_case`, `3.14`), so each part is found on its own.
///   Each run is NFKC-normalized (`ﬁ` is `fi`, `ｶ` is
///   `カ`, `é` one character however it was typed) and lowercased, then
///   folded where
///   lowercasing leaves two spellings: `i̇` (from `İ`) is `i`, `ß` is
///   `ss`, `ς` is `σ`. Arabic and Hebrew vowel marks are dropped: texts
///   mostly leave them out, and a query without them must find a text
///   with them.
/// - A word is a run of alphabetic characters, digits and combining marks
///   of that (so a Devanagari vowel sign stays in its word), at most
///   `MAX_WORD_CHARS` long.
/// - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao,
///   Khmer, Myanmar) give overlapping pairs of characters (each with its
///   marks) instead, with no length limit: `東京都` is `東京`, `京都`.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in runs(text) {
        out.extend(run_tokens(run));
    }
    out
}

fn in_word(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) || ignorable(c)
}

/// Invisible characters that join or shape the letters around them and
/// are not typed in a query: soft hyphen, combining grapheme joiner,
/// Arabic letter mark, Mongolian variation selectors, ZWNJ and ZWJ, LRM
/// and RLM, bidi embeddings and isolates, word joiner and invisible
/// operators, variation selectors, BOM. The same set as `IGNORABLE` in
/// static/js/search.js.
fn ignorable(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x034F | 0x061C | 0x180B..=0x180F | 0x200C..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFE00..=0xFE0F | 0xFEFF | 0xE0100..=0xE01EF)
}

/// The runs of word characters of `text`, as written.
fn runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !in_word(c)).filter(|r| !r.is_empty())
}

/// The words of one run of word characters (see `tokens`).
fn run_tokens(run: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let folded = run
        .chars()
        .filter(|&c| !ignorable(c))
        .nfkc()
        .collect::<String>()
        .to_lowercase()
        .replace("i\u{307}", "i")
        .replace('ß', "ss")
        .replace('ς', "σ")
        .replace(optional_vowel_mark, "");
    let mut out = Vec::new();
    for part in runs(&folded) {
        split_run(part, &mut out);
    }
    out
}

/// Arabic harakat and Quranic marks, Hebrew points and cantillation: the
/// same ranges as `VOWEL_MARKS` in static/js/search.js.
fn optional_vowel_mark(c: char) -> bool {
    matches!(u32::from(c),
        0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

/// Cuts a run of word characters into words and, for the scripts written
/// without spaces, overlapping pairs.
fn split_run(run: &str, out: &mut Vec<String>) {
    let mut plain = String::new();
    let mut units: Vec<String> = Vec::new();
    let flush_plain = |plain: &mut String, out: &mut Vec<String>| {
        if !plain.is_empty() && plain.chars().count() <= MAX_WORD_CHARS {
            out.push(std::mem::take(plain));
        }
        plain.clear();
    };
    let flush_units = |units: &mut Vec<String>, out: &mut Vec<String>| {
        match units.len() {
            0 => {}
            1 => out.push(units[0].clone()),
            _ => out.extend(units.windows(2).map(|pair| pair.concat())),
        }
        units.clear();
    };
    for c in run.chars() {
        if unicode_normalization::char::is_combining_mark(c) {
            match units.last_mut() {
                Some(unit) if plain.is_empty() => unit.push(c),
                _ => plain.push(c),
            }
        } else if unspaced_script(c) {
            flush_plain(&mut plain, out);
            units.push(c.to_string());
        } else {
            flush_units(&mut units, out);
            plain.push(c);
        }
    }
    flush_plain(&mut plain, out);
    flush_units(&mut units, out);
}

/// Scripts written without spaces between words: Han (with its
/// iteration marks), Hiragana, Katakana, Thai, Lao, Khmer, Myanmar. The
/// same ranges as `UNSPACED` in static/js/search.js.
fn unspaced_script(c: char) -> bool {
    matches!(u32::from(c),
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x2E80..=0x2FDF // CJK radicals
        | 0x3005..=0x3007 | 0x3021..=0x3029 | 0x3038..=0x303B
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x20000..=0x3134F)
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

    /// Each term of the weighted texts with its weighted frequency, in
    /// order of first use, and the weighted number of terms.
    ///
    /// Per thread, words are remembered with their term's number, so a
    /// known word costs one hash lookup and no allocation: stemming each
    /// occurrence anew was most of the index's cost, and then a String
    /// and a second lookup per word were most of the rest (at 100k synth
    /// articles, 3.7 s -> 1.5 s of the build's 25 s).
    pub(crate) fn counts(&self, texts: &[(f32, &str)]) -> (Vec<(String, f32)>, f32) {
        thread_local! {
            static MEMO: RefCell<Memo> = RefCell::default();
        }
        MEMO.with_borrow_mut(|memo| {
            if memo.words.len() + memo.runs.len() >= MAX_REMEMBERED {
                *memo = Memo::default();
            }
            let mut length = 0.0;
            let mut ascii = String::new();
            for &(weight, text) in texts {
                if !text.is_ascii() {
                    // Runs are remembered with their terms: normalizing
                    // each occurrence anew doubled the index's time on
                    // text with accents.
                    for run in runs(text) {
                        let ids = match memo.runs.get(run) {
                            Some(ids) => ids.clone(),
                            None => self.learn_run(memo, run),
                        };
                        for id in ids {
                            memo.add(id, weight);
                            length += weight;
                        }
                    }
                    continue;
                }
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
                    let id = match memo.words.get(lower) {
                        Some(&id) => id,
                        None => memo.learn(lower, self.stem(lower)),
                    };
                    if let Some(id) = id {
                        memo.add(id, weight);
                        length += weight;
                    }
                }
            }
            (memo.take_counts(), length)
        })
    }

    /// The term numbers of a run of word characters with accents or
    /// other scripts, stop words left out; remembered.
    fn learn_run(&self, memo: &mut Memo, run: &str) -> Vec<u32> {
        let ids: Vec<u32> = run_tokens(run)
            .iter()
            .filter_map(|word| match memo.words.get(word) {
                Some(&id) => id,
                None => memo.learn(word, self.stem(word)),
            })
            .collect();
        memo.runs.insert(run.to_string(), ids.clone());
        ids
    }

    /// Every term of `text`, in order, repeats included.
    pub(crate) fn of(&self, text: &str) -> Vec<String> {
        tokens(text).iter().filter_map(|w| self.stem(w)).collect()
    }
}

/// A thread's remembered words and the counts of the article at hand.
#[derive(Default)]
struct Memo {
    /// Word -> its term's number (`None`: a stop word).
    words: ahash::AHashMap<String, Option<u32>>,
    /// A run of word characters as written, not ASCII -> its terms.
    runs: ahash::AHashMap<String, Vec<u32>>,
    /// Term -> its number; and by number, the term and its count.
    numbers: ahash::AHashMap<String, u32>,
    terms: Vec<String>,
    /// By number: the term's count in the article at hand, and whether it
    /// occurred there (a field may weigh 0).
    counts: Vec<(f32, bool)>,
    /// Terms counted in the article at hand, in order of first use.
    used: Vec<u32>,
}

impl Memo {
    fn learn(&mut self, word: &str, term: Option<String>) -> Option<u32> {
        let id = term.map(|term| match self.numbers.get(&term) {
            Some(&id) => id,
            None => {
                let id = self.terms.len() as u32;
                self.numbers.insert(term.clone(), id);
                self.terms.push(term);
                self.counts.push((0.0, false));
                id
            }
        });
        self.words.insert(word.to_string(), id);
        id
    }

    fn add(&mut self, id: u32, weight: f32) {
        let (count, used) = &mut self.counts[id as usize];
        if !*used {
            *used = true;
            self.used.push(id);
        }
        *count += weight;
    }

    /// The counts of the article at hand, reset for the next.
    fn take_counts(&mut self) -> Vec<(String, f32)> {
        let used = std::mem::take(&mut self.used);
        used.into_iter()
            .map(|id| {
                let (count, _) = std::mem::take(&mut self.counts[id as usize]);
                (self.terms[id as usize].clone(), count)
            })
            .collect()
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
        let got = tokens("Redis TTL: set-up in k8s, 2026 — naïve café");
        assert_eq!(
            got,
            [
                "redis", "ttl", "set", "up", "in", "k8s", "2026", "naïve", "café"
            ]
        );
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(tokens(&format!("a {long} b")).len(), 2);
        // ASCII text takes the fast path to the same words.
        let ascii = "Redis TTL: set-up in k8s, 2026";
        let fast: Vec<String> = words(ascii).map(str::to_lowercase).collect();
        assert_eq!(fast, tokens(ascii));
        assert_eq!(words(&format!("a {long} b")).count(), 2);
    }

    #[test]
    fn counts_merge_stems_keep_zero_weights_and_start_fresh_per_article() {
        let terms = Terms::default();
        let texts = [
            (5.0, "Caching the CACHE"),
            (0.0, "hidden"),
            (1.0, "cached ΣΟΦΟΣ"),
        ];
        let (counts, length) = terms.counts(&texts);
        assert_eq!(
            counts,
            [
                ("cach".to_string(), 11.0),
                ("hidden".to_string(), 0.0),
                ("σοφοσ".to_string(), 1.0)
            ],
            "in order of first use, stems merged, a zero weight kept once"
        );
        assert_eq!(length, 12.0);
        // The next article starts from nothing, the memo aside.
        let (again, _) = terms.counts(&[(1.0, "hidden hidden")]);
        assert_eq!(again, [("hidden".to_string(), 2.0)]);
    }

    #[test]
    fn terms_are_porter2_stems_without_stop_words() {
        let terms = Terms::default();
        let got: Vec<String> = terms.of("The caching of cached caches is running");
        assert_eq!(got, ["cach", "cach", "cach", "run"]);
        assert_eq!(terms.of("Generously HAPPY the"), ["generous", "happi"]);
        assert_eq!(terms.of("Naïve CAFÉ ΣΟΦΟΣ"), ["naïv", "café", "σοφοσ"]);
    }
}
