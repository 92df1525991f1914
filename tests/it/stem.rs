//! The client's stemmer (static/js/stem.js) must reduce words exactly as
//! the index writer (rust-stemmers' Snowball English) did, or queries miss.
//! Runs the script under Node on every word of the example site and of a
//! synth corpus; `scripts/test` installs Node when it is missing, and this
//! test fails, never skips, without it.

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};

use crate::common::*;

fn vocabulary() -> BTreeSet<String> {
    let mut text = String::new();
    for entry in walkdir::WalkDir::new(example_root().join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            text.push_str(&read(entry.path()));
        }
    }
    let site = starter_site();
    notesite(site.path())
        .args(["synth", "--count", "300", "--seed", "9"])
        .assert()
        .success();
    for entry in std::fs::read_dir(site.path().join("content")).unwrap() {
        text.push_str(&read(&entry.unwrap().path()));
    }
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 32)
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn the_client_stems_every_word_as_the_index_does() {
    let words: Vec<String> = vocabulary().into_iter().collect();
    assert!(words.len() > 1000, "{} words", words.len());
    let script = format!(
        "const stem = require({:?}); const words = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean); \
         process.stdout.write(words.map(stem).join('\\n'));",
        example_root().join("static/js/stem.js")
    );
    let out = run_node(
        &["-e".as_ref(), script.as_ref()],
        None,
        words.join("\n").as_bytes(),
    );
    let client: Vec<String> = out.lines().map(String::from).collect();
    let stemmer = Stemmer::create(Algorithm::English);
    let differ: Vec<String> = words
        .iter()
        .zip(&client)
        .filter(|(w, c)| stemmer.stem(w) != c.as_str())
        .map(|(w, c)| format!("{w}: index {}, client {c}", stemmer.stem(w)))
        .collect();
    assert_eq!(client.len(), words.len());
    assert!(
        differ.is_empty(),
        "{} of {} words differ:\n{}",
        differ.len(),
        words.len(),
        differ.join("\n")
    );
}

/// Texts in every script the issue names (Devanagari, Arabic with and
/// without vowel marks, Hebrew, Cyrillic, Greek, Turkish, CJK, Thai, emoji,
/// combining marks, compatibility forms), and unspaced runs longer than a
/// word may be.
const MULTILINGUAL: &[&str] = &[
    "हिन्दी भाषा में लिखा गया नोट",
    "مَرْحَبًا بِكُمْ مرحبا بكم",
    "שָׁלוֹם עוֹלָם שלום",
    "Привет, мир! ЁЛКА ёлка",
    "Ελληνικά ΣΟΦΟΣ σοφός",
    "İSTANBUL istanbul IĞDIR ığdır",
    "café cafe\u{301} CAFÉ naïve",
    "東京都に行く。日本語のテキストを検索する東京都に行く日本語のテキストを検索する東京都 葛\u{e0100}城",
    "中文搜索引擎测试中文搜索引擎测试中文搜索引擎测试中文搜索引擎测试",
    "ภาษาไทยง่ายนิดเดียวภาษาไทยง่ายนิดเดียวภาษาไทยง่ายนิดเดียว",
    "한국어 검색 테스트",
    "emoji 😀 rocket🚀ship ✔ done",
    "ﬁle ﬂow ｶﾀｶﾅ ＡＢＣ ①②",
    "Straße STRASSE ǅemal",
    "e\u{301}\u{302} a\u{30a} x\u{20dd}",
    "soft\u{ad}ware می\u{200c}خواهم क्\u{200d}ष \u{200f}עברית\u{200e}",
    "node.js don't snake_case 3.14 v1.2.3 O'Reilly e-mail",
];

/// `MULTILINGUAL` less the scripts written without spaces, whose words
/// UAX #29 leaves to a dictionary and the index cuts into pairs.
const SPACED: std::ops::Range<usize> = 0..7;

/// Every line of the example site's articles, as written.
fn example_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for entry in walkdir::WalkDir::new(example_root().join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            lines.extend(read(entry.path()).lines().map(String::from));
        }
    }
    lines
}

/// A word of the index lies inside one word of UAX #29 (as
/// `unicode-segmentation` finds them), and every UAX #29 word gives the
/// words it holds: the index cuts a UAX #29 word again only at the
/// punctuation UAX #29 keeps inside it (`node.js`, `don't`), and drops
/// the invisible characters inside it.
#[test]
fn words_are_uax29_words_cut_again_at_inner_punctuation() {
    use unicode_segmentation::UnicodeSegmentation;
    let mut texts: Vec<String> = MULTILINGUAL[SPACED].iter().map(|s| s.to_string()).collect();
    texts.extend(MULTILINGUAL[13..].iter().map(|s| s.to_string()));
    texts.extend(example_lines());
    assert!(texts.len() > 200, "{} texts", texts.len());
    for text in &texts {
        let by_uax29: Vec<String> = text
            .unicode_words()
            .flat_map(notesite::search_tokens)
            .collect();
        assert_eq!(notesite::search_tokens(text), by_uax29, "{text:?}");
    }
    assert_eq!(
        notesite::search_tokens("soft\u{ad}ware node.js don't"),
        ["software", "node", "js", "don", "t"]
    );
}

#[test]
fn the_client_splits_and_folds_words_as_the_index_does() {
    let mut texts: Vec<String> = MULTILINGUAL.iter().map(|s| s.to_string()).collect();
    texts.extend(vocabulary());
    texts.extend(example_lines());
    let expected: Vec<Vec<String>> = texts.iter().map(|t| notesite::search_tokens(t)).collect();
    let script = format!(
        "const {{ tokens }} = require({:?}); \
         const texts = JSON.parse(require('fs').readFileSync(0, 'utf8')); \
         console.log(JSON.stringify(texts.map((t) => tokens(t).filter((w) => [...w].length <= 32))));",
        example_root().join("static/js/search.js")
    );
    let input = serde_json::to_vec(&texts).unwrap();
    let output = run_node(&["-e".as_ref(), script.as_ref()], None, &input);
    let got: Vec<Vec<String>> = serde_json::from_str(&output).unwrap();
    let differ: Vec<String> = (texts.iter().zip(&expected).zip(&got))
        .filter(|((_, e), g)| e != g)
        .map(|((t, e), g)| format!("{t:?}: build {e:?}, client {g:?}"))
        .take(10)
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // The scripts without spaces are cut into pairs, however long the run.
    let japanese = notesite::search_tokens("東京都に行く");
    assert_eq!(japanese, ["東京", "京都", "都に", "に行", "行く"]);
    assert!(notesite::search_tokens(MULTILINGUAL[8]).len() > 30);
    assert_eq!(notesite::search_tokens("हिन्दी"), ["हिन्दी"]);
    assert_eq!(notesite::search_tokens("İSTANBUL"), ["istanbul"]);
    assert_eq!(
        notesite::search_tokens("cafe\u{301}"),
        notesite::search_tokens("café")
    );
    assert_eq!(notesite::search_tokens("مَرْحَبًا"), ["مرحبا"]);
}
