//! The built site as publish sees it: every file of the output with its
//! content hash and the headers it must be served with.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::assets::MANIFEST_FILE;
use crate::cdn::{CacheRules, content_type};

/// The headers an object is served with; a change of either is published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Headers {
    pub content_type: String,
    pub cache_control: String,
}

#[derive(Debug, Clone)]
pub(crate) struct LocalFile {
    /// `/`-separated path inside the output, like `my-post/index.html`.
    pub(crate) key: String,
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    /// See [`content_hash`].
    pub(crate) hash: String,
    pub(crate) headers: Headers,
}

/// Every file of the output folder `out`, sorted by key. The folder must be
/// a notesite build: a build writes into staging and swaps it in only when
/// every page succeeded, so a folder with the manifest and the home page is
/// a whole, successful build.
///
/// `known` is what the page cache says the build wrote: a file still as
/// it recorded it (same size and modification time) takes its hash from
/// there instead of being read and hashed.
pub(crate) fn scan(out: &Path, rules: &CacheRules, known: &Known) -> Result<Vec<LocalFile>> {
    check_is_build(out)?;
    scan_files(out, rules, known)
}

/// Files of a build by key, as the page cache recorded them.
pub(crate) type Known = std::collections::HashMap<String, crate::output::Written>;

/// Every file of `out`, which may hold only part of a build.
pub(crate) fn scan_files(out: &Path, rules: &CacheRules, known: &Known) -> Result<Vec<LocalFile>> {
    let paths = file_paths(out)?;
    let mut files: Vec<LocalFile> = paths
        .into_par_iter()
        .map(
            |(key, path)| match known.get(&key).filter(|w| w.is_at(&path)) {
                Some(written) => Ok(LocalFile::known(written, out, rules)),
                None => describe(key, path, rules),
            },
        )
        .collect::<Result<_>>()?;
    files.par_sort_by(|a, b| a.key.cmp(&b.key));
    Ok(files)
}

fn check_is_build(out: &Path) -> Result<()> {
    if !out.is_dir() {
        bail!(
            "{} does not exist; run `notesite build` first (or pass --out)",
            out.display()
        );
    }
    for required in [MANIFEST_FILE, "index.html"] {
        if !out.join(required).is_file() {
            bail!(
                "{} has no {required}, so it is not the output of a successful notesite build; \
                 run `notesite build` and publish only when it succeeds",
                out.display()
            );
        }
    }
    Ok(())
}

fn file_paths(out: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut paths = Vec::new();
    // Walked unsorted, then sorted once: walkdir's `sort_by_file_name`
    // takes each path apart at every comparison (see `fsx::path_order`),
    // and the keys are sorted again anyway. Sorted by path before they are
    // checked, so the file a problem names does not depend on the order
    // the folder lists in.
    let mut entries = (walkdir::WalkDir::new(out).into_iter())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot read {}", out.display()))?;
    entries.sort_by_cached_key(|entry| crate::fsx::path_order(entry.path()));
    for entry in entries {
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            bail!(
                "{} is not a regular file; a build writes only files",
                entry.path().display()
            );
        }
        let rel = entry.path().strip_prefix(out).unwrap_or(entry.path());
        if rel.starts_with(".notesite") {
            continue; // the build's own records (page index, files written): never uploaded
        }
        let key = rel
            .to_str()
            .with_context(|| format!("{} is not a UTF-8 path", entry.path().display()))?
            .replace('\\', "/");
        check_key(&key, entry.path())?;
        paths.push((key, entry.into_path()));
    }
    Ok(paths)
}

/// Object stores escape some characters in keys (`%`, `#`, `?`, `~`, …);
/// such a file would be published under another name than its URL, and
/// every publish would see it as missing. Better to refuse it by name.
fn check_key(key: &str, path: &Path) -> Result<()> {
    if object_store::path::Path::from(key).as_ref() != key {
        bail!(
            "{} cannot be published under its own name: object stores escape the characters              % # ? * ~ | < > [ ] {{ }} ^ ` \\ \" and control characters in keys; rename it",
            path.display()
        );
    }
    Ok(())
}

/// The first 128 bits of the content's BLAKE3, in hex: plenty to tell
/// versions of one file apart, and half the bytes in the record.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    let mut hex = blake3::hash(bytes).to_hex().to_string();
    hex.truncate(32);
    hex
}

impl LocalFile {
    /// A file of the build that is not at hand, as the page cache knows
    /// it; its `path` under `out` does not exist.
    pub(crate) fn known(
        written: &crate::output::Written,
        out: &Path,
        rules: &CacheRules,
    ) -> LocalFile {
        let key = written.path.clone();
        LocalFile {
            path: out.join(&key),
            size: written.len,
            hash: format!("{:032x}", written.hash),
            headers: headers(&key, rules),
            key,
        }
    }
}

fn headers(key: &str, rules: &CacheRules) -> Headers {
    Headers {
        content_type: content_type(key),
        cache_control: rules.cache_control(key).to_string(),
    }
}

pub(crate) fn describe(key: String, path: PathBuf, rules: &CacheRules) -> Result<LocalFile> {
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = headers(&key, rules);
    Ok(LocalFile {
        hash: content_hash(&bytes),
        size: bytes.len() as u64,
        key,
        path,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_an_object_store_would_escape_are_refused() {
        let path = Path::new("public/x");
        for good in [
            "a/index.html",
            "assets/img/photo-1.0123456789.png",
            "tags/c++/index.html",
        ] {
            assert!(check_key(good, path).is_ok(), "{good}");
        }
        for bad in ["a%20b.png", "a#b.png", "what?.html", "x~y.css", "a/./b"] {
            assert!(check_key(bad, path).is_err(), "{bad}");
        }
    }
}
