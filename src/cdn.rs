//! Cache rules for a CDN, in one place: `_headers` is written from them and
//! `publish` sets the same Cache-Control on each object it uploads.

use crate::assets::ASSETS_DIR;
use crate::config::{CdnConfig, HeadersDialect};
use crate::page_kind::{FEED_FILE, ROBOTS_FILE};

pub(crate) const HEADERS_FILE: &str = "_headers";

pub(crate) struct CacheRules<'a> {
    config: &'a CdnConfig,
}

impl<'a> CacheRules<'a> {
    pub(crate) fn new(config: &'a CdnConfig) -> Self {
        CacheRules { config }
    }

    /// Cache-Control for a file at `rel_path` in the output. Only hashed
    /// assets live under `assets/`, and only they may be cached forever.
    pub(crate) fn cache_control(&self, rel_path: &str) -> &'a str {
        if is_hashed_asset(rel_path) {
            &self.config.asset_cache_control
        } else {
            &self.config.page_cache_control
        }
    }

    /// The `_headers` file for Netlify or Cloudflare Pages.
    pub(crate) fn headers_file(&self) -> String {
        let detach = match self.config.headers_dialect {
            HeadersDialect::Cloudflare => "  ! Cache-Control\n",
            HeadersDialect::Netlify => "",
        };
        format!(
            "# Written by notesite. Pages revalidate; hashed assets never change.\n\
             /*\n  Cache-Control: {page}\n  X-Content-Type-Options: nosniff\n\
             /{ASSETS_DIR}/*\n{detach}  Cache-Control: {asset}\n",
            page = self.config.page_cache_control,
            asset = self.config.asset_cache_control,
        )
    }
}

pub(crate) fn is_hashed_asset(rel_path: &str) -> bool {
    rel_path
        .strip_prefix(ASSETS_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The `Content-Type` of an output file, by its name: what `serve` answers
/// with and what `publish` stores on each object.
pub(crate) fn content_type(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let mime = match name {
        FEED_FILE => "application/atom+xml".to_string(),
        HEADERS_FILE | ROBOTS_FILE => "text/plain".to_string(),
        _ => mime_guess::from_path(name)
            .first_or_octet_stream()
            .essence_str()
            .to_string(),
    };
    let textual = mime.starts_with("text/")
        || mime.ends_with("xml")
        || mime.ends_with("json")
        || mime.ends_with("javascript");
    if textual {
        format!("{mime}; charset=utf-8")
    } else {
        mime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_carry_a_charset_when_textual() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/css/site.0123456789.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type("atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(content_type("assets/img/x.0123456789.png"), "image/png");
        assert_eq!(
            content_type("assets/img/favicon.0123456789.svg"),
            "image/svg+xml; charset=utf-8"
        );
    }

    #[test]
    fn assets_are_immutable_and_pages_revalidate() {
        let config = CdnConfig::default();
        let rules = CacheRules::new(&config);
        assert_eq!(
            rules.cache_control("assets/css/a.0123456789.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            rules.cache_control("my-post/index.html"),
            "public, max-age=0, must-revalidate"
        );
        assert_eq!(
            rules.cache_control("assetsx/a.css"),
            "public, max-age=0, must-revalidate"
        );
    }

    #[test]
    fn headers_file_detaches_for_cloudflare_only() {
        let mut config = CdnConfig::default();
        assert!(
            CacheRules::new(&config)
                .headers_file()
                .contains("! Cache-Control")
        );
        config.headers_dialect = HeadersDialect::Netlify;
        let netlify = CacheRules::new(&config).headers_file();
        assert!(!netlify.contains('!'));
        assert!(
            netlify.contains("/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n")
        );
    }
}
