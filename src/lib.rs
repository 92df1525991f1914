//! notesite: a static site generator for engineering-notes articles.
//!
//! The pipeline, one module per stage: `config` → `content` (typed meta) →
//! `assets` → `templates` → `taxonomy` and `related` → `markdown` with
//! `highlight` → `render` → `output`, and `publish` after it. `site`
//! strings them together. The binary (`main.rs`) holds the command line:
//! `cli`, and `cmd` with one file per subcommand. `url` (what kind a URL
//! is, how it resolves) serves content, markdown and assets alike; `yaml`
//! (positions in front matter and `site.yaml`) serves content and config.

pub(crate) mod anchors;
pub mod assets;
pub mod build;
mod cards;
pub mod cdn;
pub mod config;
pub mod content;
pub mod diag;
pub mod embedded;
pub mod export;
pub mod fsx;
pub mod highlight;
mod image_size;
pub mod incremental;
mod kind;
pub mod markdown;
pub mod meta_box;
mod nesting;
pub mod output;
mod page_kind;
pub mod progress;
pub mod publish;
mod redirect;
pub mod related;
pub mod render;
mod root_files;
pub mod schedule;
mod search;
pub mod serve;
pub mod site;
pub mod synth;
pub mod taxonomy;
pub mod templates;
mod toc;
pub mod url;
pub mod yaml;

/// The index terms of `text`, as the search index makes them: for the test
/// that holds the client's tokenizer to the build's.
#[doc(hidden)]
pub fn search_terms(text: &str) -> Vec<String> {
    search::text::Terms::default().of(text)
}

/// The words of `text` as the search index splits and folds them, before
/// stop words and stems: for the test that holds the client's tokenizer
/// (static/js/search.js) to the build's.
#[doc(hidden)]
pub fn search_tokens(text: &str) -> Vec<String> {
    search::text::tokens(text)
}

/// The (article, weight) postings of `term` in a term chunk of the search
/// index, read as the index's format types: the decoder the tests share
/// with the index's own unit tests.
#[doc(hidden)]
pub fn search_term_postings(chunk: &[u8], term: &str) -> Option<Vec<(u32, u8)>> {
    let chunk: search::format::TermChunk = serde_json::from_slice(chunk).expect("a term chunk");
    chunk.get(term).map(search::format::TermPostings::decode)
}

/// The articles of a facet value's file of the search index.
#[doc(hidden)]
pub fn search_facet_members(list: &[u8]) -> Vec<u32> {
    let list: search::format::FacetList = serde_json::from_slice(list).expect("a facet list");
    list.members()
}
