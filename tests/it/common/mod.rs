//! Helpers for tests that run the real `notesite` binary on sites copied
//! into temp folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod server;

pub const SEED_SLUG: &str = "redis-caching-notes-running-scheduled-tasks-reliably-behind-a-cdn";

/// The repository root, which is the example site.
pub fn example_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn notesite(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("notesite").expect("the binary is built for tests");
    cmd.arg("--root").arg(root);
    cmd
}

/// A copy of the example site (config, content, templates, static).
pub fn example_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_root();
    std::fs::copy(root.join("site.yaml"), tmp.path().join("site.yaml")).unwrap();
    for dir in ["content", "templates", "static"] {
        copy_dir(&root.join(dir), &tmp.path().join(dir));
    }
    tmp
}

/// A fresh site made by `notesite init`: the seed article and the defaults.
pub fn init_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("notesite")
        .unwrap()
        .arg("init")
        .arg(tmp.path())
        .assert()
        .success();
    tmp
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Builds `root` into `out` and asserts success.
pub fn build(root: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    notesite(root).arg("build").args(extra).assert().success()
}

/// Content hashes in asset names change whenever a default stylesheet does;
/// snapshots replace them so they pin structure, not CSS edits.
pub fn redact_hashes(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while i < bytes.len() {
        let is_hash = bytes[i] == b'.'
            && i + 12 <= bytes.len()
            && bytes[i + 1..i + 11]
                .iter()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && bytes[i + 11] == b'.';
        if is_hash {
            out.push_str(".HASH.");
            i += 12;
        } else {
            let ch = html[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The built seed article page of a site built into `public/`.
pub fn seed_page(root: &Path) -> String {
    read(&root.join("public").join(SEED_SLUG).join("index.html"))
}
