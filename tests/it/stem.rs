//! The client's stemmer (static/js/stem.js) must reduce words exactly as
//! the index writer (rust-stemmers' Snowball English) did, or queries miss.
//! Runs the script under Node on every word of the example site and of a
//! synth corpus; `scripts/test` installs Node when it is missing, and this
//! test fails, never skips, without it.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

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
    let mut node = Command::new("node")
        .args(["-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs the client's stemmer; scripts/test installs it (Debian package nodejs)");
    node.stdin
        .take()
        .unwrap()
        .write_all(words.join("\n").as_bytes())
        .unwrap();
    let out = node.wait_with_output().unwrap();
    assert!(out.status.success());
    let client: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
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
