//! Every integration test in one binary, so the crate and the shared
//! helpers are compiled and linked once. Each module is one area; the
//! browser and S3 tests need Chromium and Garage, which `scripts/test`
//! provides (they fail, never skip, without them).

mod common;

mod architecture;
mod article_page;
mod bad_input;
mod browser;
mod build;
mod cache;
mod cli;
mod fuzz;
mod import;
mod incremental;
mod lifecycle;
mod pages;
mod publish;
mod search;
mod serve;
mod stem;
mod theme;
