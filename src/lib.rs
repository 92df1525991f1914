//! notesite: a static site generator for engineering-notes articles.
//!
//! The pipeline, one module per stage: `config` → `content` (typed meta) →
//! `assets` → `templates` → `taxonomy` and `related` → `markdown` with
//! `highlight` → `render` → `output`, and `publish` after it. `site`
//! strings them together. The binary (`main.rs`) holds the command line:
//! `cli`, and `cmd` with one file per subcommand. `url` (what kind a URL
//! is, how it resolves) serves content, markdown and assets alike; `yaml`
//! (positions in front matter and `site.yaml`) serves content and config.

mod anchors;
mod assets;
mod build;
mod cache;
mod cards;
mod cdn;
mod config;
mod content;
mod diag;
mod embedded;
mod export;
mod fsx;
mod highlight;
mod image_size;
mod incremental;
mod kind;
mod markdown;
mod meta_box;
mod nesting;
mod output;
mod page_kind;
mod progress;
mod publish;
mod redirect;
mod related;
mod render;
mod root_files;
mod schedule;
mod search;
mod serve;
mod site;
mod synth;
mod taxonomy;
mod templates;
mod toc;
mod url;
mod yaml;

// The library's surface: what the binary (`main.rs`, `cmd/`) and the
// integration tests use. Everything else is private to the crate, so the
// dead-code lint sees all of it.

// Building and checking a site.
pub use build::{Built, BuiltAndPublished, Failed, build, check, coming_changes, publish_build};
pub use cache::{CacheDir, CacheUse};
pub use config::{CONFIG_FILE, SiteConfig};
pub use content::FrontMatterUse;
pub use progress::Silent;
pub use schedule::{Visibility, now};
pub use search::SearchUse;
pub use site::LoadOptions;
// Problems, each at its file and line.
pub use diag::{Diagnostic, Diagnostics, Pos, Severity, utf8_error_pos};
// Articles: reading, checking, writing new ones.
pub use content::meta::slug_from;
pub use content::{
    CONTENT_DIR, article_skeleton, check_article_slug, claimed_slugs, parse_article,
};
// The Markdown stage on its own (the fuzz tests drive it).
pub use assets::AssetSet;
pub use markdown::{Figure, LinkContext, Place, Rendered, render as render_markdown};
pub use templates::Templates;
// Import and synth: the export format, and corpora for load tests.
pub use export::{parse_export, to_export, to_source};
pub use synth::document as synth_document;
// The default site that `init` writes.
pub use embedded::{STARTER, STATIC_FILES, TEMPLATES};
// Writing files so that a crash never leaves half of one.
pub use fsx::{create_dir_all, is_hidden, write as write_file, write_atomic};
pub use output::{PORTABLE_SWAP_ENV, Stored, clean_up_on_interrupt};
// The preview server and publishing.
pub use publish::{
    FAULT_ENV, Options as PublishOptions, RECORD_KEY, Record, Summary as PublishSummary,
    foreign_note, run as publish,
};
pub use serve::{Files, Preview, ServeOptions, run as serve};

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
