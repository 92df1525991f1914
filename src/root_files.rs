//! `root/`: files a site publishes at its root as they are, never hashed
//! (`CNAME`, `favicon.ico`, `.well-known/security.txt`, a search console's
//! verification file, one's own `robots.txt`). They are copied verbatim,
//! served with the page cache policy (`/*` in `_headers`), uploaded by
//! `publish` like pages and served by the preview.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

pub(crate) const ROOT_DIR: &str = "root";

/// One file of `root/`.
#[derive(Debug, Clone)]
pub(crate) struct RootFile {
    /// Where it goes in the output: its path under `root/`, `/`-separated.
    pub(crate) output: String,
    /// Its source, relative to the site root, for messages.
    pub(crate) shown: PathBuf,
    pub(crate) bytes: Vec<u8>,
}

/// Every file under `ROOT/root/`, hidden ones included, sorted by path.
/// A symlink out of the site is an error, as everywhere else.
pub(crate) fn load(root: &Path) -> Result<Vec<RootFile>, Vec<Diagnostic>> {
    let dir = root.join(ROOT_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let (paths, walk_problems) = crate::fsx::walk_all_files(root, &dir);
    let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let mut problems = crate::fsx::walk_errors(root, walk_problems);
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let shown = relative(&path);
        let output = path.strip_prefix(&dir).unwrap_or(&path);
        let Some(output) = output.to_str().map(|o| o.replace('\\', "/")) else {
            problems.push(Diagnostic::error(
                &shown,
                None,
                "not a UTF-8 file name; rename it",
            ));
            continue;
        };
        match std::fs::read(&path) {
            Ok(bytes) => files.push(RootFile {
                output,
                shown,
                bytes,
            }),
            Err(e) => problems.push(Diagnostic::error(&shown, None, format!("cannot read: {e}"))),
        }
    }
    match problems.is_empty() {
        true => Ok(files),
        false => Err(problems),
    }
}

/// Names that belong at a site's root: a file of `static/` with one of them
/// is published under `assets/` with a hash in its name, where nothing
/// looks for it.
pub(crate) fn meant_for_the_root(logical: &str) -> bool {
    matches!(
        logical,
        "robots.txt" | "CNAME" | "favicon.ico" | "ads.txt" | "security.txt"
    ) || logical.ends_with(".webmanifest")
        || logical.starts_with(".well-known/")
}

/// `Sitemap:` lines of a `root/robots.txt` that point at another site than
/// `base_url` (an example address never filled in, an old domain): the
/// robots.txt replaces the generated one, so crawlers would follow them.
pub(crate) fn foreign_sitemaps(files: &[RootFile], base_url: &str) -> Vec<Diagnostic> {
    let robots_file = crate::page_kind::ROBOTS_FILE;
    let Some(robots) = files.iter().find(|f| f.output == robots_file) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&robots.bytes);
    let ours = format!("{}/", base_url.trim_end_matches('/'));
    let sitemaps = text.lines().enumerate().filter_map(|(index, line)| {
        let (key, value) = line.split_once(':')?;
        let is_sitemap = key.trim().eq_ignore_ascii_case("sitemap");
        is_sitemap.then(|| (index + 1, value.trim()))
    });
    sitemaps
        .filter(|(_, url)| !url.starts_with(&ours))
        .map(|(line, url)| {
            Diagnostic::warning(
                &robots.shown,
                Some(crate::diag::Pos::new(line, 1)),
                format!(
                    "names the sitemap `{url}`, which is not on this site ({ours}); \
                     the site's own is {ours}sitemap.xml"
                ),
            )
        })
        .collect()
}
