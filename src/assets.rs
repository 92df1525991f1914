//! Static files as content-hashed assets: `static/css/site.css` is written as
//! `assets/css/site.<hash>.css`, `url(...)` references inside CSS point at
//! the hashed names, and the logical → hashed map becomes the manifest and
//! the `asset()` template function.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, pos_at};

/// Every hashed asset lives under this output folder, so one CDN rule can
/// mark all of them immutable.
pub(crate) const ASSETS_DIR: &str = "assets";
pub(crate) const STATIC_DIR: &str = "static";
pub(crate) const MANIFEST_FILE: &str = "asset-manifest.json";
const HASH_LEN: usize = 10;

/// An input file: where it came from (for messages) and its bytes.
pub(crate) struct Source {
    pub(crate) shown: PathBuf,
    pub(crate) bytes: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct Asset {
    /// Output path relative to the output root: `assets/css/site.0a1b2c3d4e.css`.
    pub(crate) output: String,
    pub(crate) bytes: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct AssetSet {
    base_path: String,
    assets: BTreeMap<String, Asset>,
}

impl AssetSet {
    /// Hashes every source; CSS after the files it references, since
    /// rewriting a reference changes the CSS file's own hash.
    pub(crate) fn build(
        sources: BTreeMap<String, Source>,
        base_path: &str,
    ) -> Result<AssetSet, Vec<Diagnostic>> {
        let mut set = AssetSet {
            base_path: base_path.to_string(),
            assets: BTreeMap::new(),
        };
        let mut errors = Vec::new();
        let mut visiting = Vec::new();
        for logical in sources.keys() {
            set.finish(logical, &sources, &mut visiting, &mut errors);
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    fn finish(
        &mut self,
        logical: &str,
        sources: &BTreeMap<String, Source>,
        visiting: &mut Vec<String>,
        errors: &mut Vec<Diagnostic>,
    ) {
        if self.assets.contains_key(logical) || visiting.iter().any(|v| v == logical) {
            return;
        }
        let source = &sources[logical];
        let bytes = if logical.ends_with(".css") {
            visiting.push(logical.to_string());
            let css = String::from_utf8_lossy(&source.bytes);
            let rewritten =
                self.rewrite_css(logical, &css, sources, visiting, errors, &source.shown);
            visiting.pop();
            rewritten.into_bytes()
        } else {
            source.bytes.clone()
        };
        let output = format!("{ASSETS_DIR}/{}", hashed_name(logical, &bytes));
        self.assets
            .insert(logical.to_string(), Asset { output, bytes });
    }

    fn rewrite_css(
        &mut self,
        logical: &str,
        css: &str,
        sources: &BTreeMap<String, Source>,
        visiting: &mut Vec<String>,
        errors: &mut Vec<Diagnostic>,
        shown: &Path,
    ) -> String {
        let mut out = String::with_capacity(css.len());
        let mut rest = 0;
        for reference in css_urls(css) {
            let (path, suffix) = reference.target.split_at(
                reference
                    .target
                    .find(['?', '#'])
                    .unwrap_or(reference.target.len()),
            );
            let target = if let Some(site_path) = path.strip_prefix('/') {
                site_path
                    .strip_prefix(self.base_path.trim_start_matches('/'))
                    .unwrap_or(site_path)
                    .trim_start_matches('/')
                    .to_string()
            } else {
                join_logical(logical, path)
            };
            if !sources.contains_key(&target) {
                errors.push(Diagnostic::error(
                    shown,
                    Some(pos_at(css, reference.range.start)),
                    format!(
                        "url({}) points at no file in static/ (looked for {STATIC_DIR}/{target})",
                        reference.target
                    ),
                ));
                continue;
            }
            self.finish(&target, sources, visiting, errors);
            let Some(asset) = self.assets.get(&target) else {
                errors.push(Diagnostic::error(
                    shown,
                    Some(pos_at(css, reference.range.start)),
                    format!("url({}) forms a cycle of CSS files", reference.target),
                ));
                continue;
            };
            let hashed_file = asset.output.rsplit('/').next().unwrap_or_default();
            let replacement = if path.starts_with('/') {
                format!("{}/{}{suffix}", self.base_path, asset.output)
            } else {
                let dir_part = &path[..path.rfind('/').map_or(0, |i| i + 1)];
                format!("{dir_part}{hashed_file}{suffix}")
            };
            out.push_str(&css[rest..reference.range.start]);
            out.push_str(&replacement);
            rest = reference.range.end;
        }
        out.push_str(&css[rest..]);
        out
    }

    /// The URL of a logical asset path such as `css/site.css`.
    pub(crate) fn url(&self, logical: &str) -> Option<String> {
        let asset = self.assets.get(logical.trim_start_matches('/'))?;
        Some(format!("{}/{}", self.base_path, asset.output))
    }

    /// The asset a site path names (`/img/a.png`, under the base path).
    pub(crate) fn for_site_path(&self, site_path: &str) -> Option<&Asset> {
        let logical = site_path.strip_prefix(&self.base_path).unwrap_or(site_path);
        self.assets.get(logical.trim_start_matches('/'))
    }

    /// The hashed URL for a site path like `/img/a.png` written in Markdown.
    pub(crate) fn url_for_site_path(&self, site_path: &str) -> Option<String> {
        let logical = site_path.strip_prefix(&self.base_path).unwrap_or(site_path);
        self.url(logical)
    }

    pub(crate) fn logical_paths(&self) -> impl Iterator<Item = &str> {
        self.assets.keys().map(String::as_str)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Asset)> {
        self.assets.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub(crate) fn len(&self) -> usize {
        self.assets.len()
    }

    /// `asset-manifest.json`: logical → hashed output path, sorted.
    pub(crate) fn manifest_json(&self) -> String {
        let map: BTreeMap<&str, &str> = self
            .assets
            .iter()
            .map(|(k, v)| (k.as_str(), v.output.as_str()))
            .collect();
        let mut json =
            serde_json::to_string_pretty(&map).expect("a map of strings always serializes");
        json.push('\n');
        json
    }
}

/// `css/site.css` + bytes → `css/site.<hash>.css`.
pub(crate) fn hashed_name(logical: &str, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    let hash = &hash[..HASH_LEN];
    let (dir, file) = logical
        .rsplit_once('/')
        .map_or(("", logical), |(d, f)| (d, f));
    let name = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    }
}

fn join_logical(from: &str, relative: &str) -> String {
    let mut segments: Vec<&str> = from.split('/').collect();
    segments.pop();
    for seg in relative.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

struct CssUrl<'a> {
    /// Byte range of the URL text inside the CSS, without quotes.
    range: std::ops::Range<usize>,
    target: &'a str,
}

/// `url(...)` references that point at local files (not data:, http:, `#`).
fn css_urls(css: &str) -> Vec<CssUrl<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = css[from..].find("url(") {
        let open = from + i + 4;
        let Some(close) = css[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inner = &css[open..close];
        let lead = inner.len() - inner.trim_start().len();
        let trimmed = inner.trim();
        let unquoted = trimmed.trim_matches(['"', '\'']);
        let quote = (trimmed.len() - unquoted.len()) / 2;
        let start = open + lead + quote;
        let target = &css[start..start + unquoted.len()];
        if !crate::url::is_external_reference(target) {
            found.push(CssUrl {
                range: start..start + target.len(),
                target,
            });
        }
        from = close + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(bytes: &str) -> Source {
        Source {
            shown: PathBuf::from("static/x"),
            bytes: bytes.as_bytes().to_vec(),
        }
    }

    #[test]
    fn known_hash_is_pinned() {
        // blake3("hello") starts with ea8f163db3; pinning it catches an
        // accidental change of hash function or length, which would make
        // every CDN cache miss at once.
        assert_eq!(hashed_name("css/a.css", b"hello"), "css/a.ea8f163db3.css");
        assert_eq!(hashed_name("LICENSE", b"hello"), "LICENSE.ea8f163db3");
    }

    #[test]
    fn css_references_are_rewritten_to_hashed_names() {
        let sources = BTreeMap::from([
            (
                "css/site.css".to_string(),
                src("a { background: url('../img/a.svg?v=1#x') } b { background: url(data:x) }"),
            ),
            ("img/a.svg".to_string(), src("<svg/>")),
        ]);
        let set = AssetSet::build(sources, "").unwrap();
        let svg = set.url("img/a.svg").unwrap();
        let svg_file = svg.rsplit('/').next().unwrap();
        let css = String::from_utf8(set.assets["css/site.css"].bytes.clone()).unwrap();
        assert!(
            css.contains(&format!("url('../img/{svg_file}?v=1#x')")),
            "{css}"
        );
        assert!(css.contains("url(data:x)"));
        assert!(svg.starts_with("/assets/img/a."));
    }

    #[test]
    fn missing_css_reference_names_file_and_line() {
        let sources = BTreeMap::from([(
            "css/site.css".to_string(),
            src("\n\na { background: url(nope.png) }"),
        )]);
        let errors = AssetSet::build(sources, "").unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "static/x:3:21: error: url(nope.png) points at no file in static/ (looked for static/css/nope.png)"
        );
    }

    #[test]
    fn manifest_is_sorted_json() {
        let sources = BTreeMap::from([
            ("b.js".to_string(), src("b")),
            ("a.js".to_string(), src("a")),
        ]);
        let json = AssetSet::build(sources, "/notes").unwrap().manifest_json();
        assert!(json.find("a.js").unwrap() < json.find("b.js").unwrap());
    }
}
