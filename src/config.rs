//! `site.yaml`: the site's configuration, with defaults for every key so a
//! minimal config is just a title and a base URL.

use std::path::Path;

use serde::Deserialize;

use crate::diag::{Diagnostic, Pos};
use crate::fsx;
use crate::kind::Kind;
use crate::yaml::KeyProblem;

pub const CONFIG_FILE: &str = "site.yaml";

/// The base URL of a `site.yaml` that sets none: fine for the preview,
/// wrong in every published URL.
pub(crate) const DEFAULT_BASE_URL: &str = "http://localhost:1111";

/// The taxonomies notesite knows how to build, in the order pages list them.

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub(crate) title: String,
    pub(crate) base_url: String,
    pub(crate) description: String,
    pub(crate) language: String,
    pub(crate) author: String,
    /// Heading of the post meta box on article pages.
    pub(crate) meta_box_title: String,
    /// Articles per index or term page.
    pub(crate) paginate_by: usize,
    /// Entries in `atom.xml`.
    pub(crate) feed_limit: usize,
    pub(crate) taxonomies: Vec<String>,
    pub(crate) related: RelatedConfig,
    pub(crate) markdown: MarkdownConfig,
    pub(crate) cdn: CdnConfig,
    pub publish: PublishConfig,
    pub(crate) search: SearchConfig,
    pub(crate) review: ReviewConfig,
    /// Links the header shows after the taxonomies, in order.
    pub(crate) menu: Vec<MenuEntry>,
    /// Where each menu entry's `url` is in site.yaml, for the build's
    /// check that a site path is a page.
    #[serde(skip)]
    pub(crate) menu_pos: Vec<Option<Pos>>,
    /// What a site still has to fill in before it is published (a title):
    /// warnings of every build.
    #[serde(skip)]
    pub(crate) unfinished: Vec<Diagnostic>,
    /// BLAKE3 of the site.yaml text this was read from: the page cache's
    /// key for every setting, as loaded (a second read could see a file
    /// saved since).
    #[serde(skip)]
    pub(crate) text_hash: [u8; 32],
}

/// One link of the header's menu: a site path (`/about/`, checked like a
/// link in an article) or an absolute http(s) URL.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MenuEntry {
    pub(crate) title: String,
    pub(crate) url: String,
}

/// `review`: what an article flagged `needs_human_review` gets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ReviewConfig {
    /// Keep such articles out of search engines (`noindex`), the sitemap
    /// and the site's search; they are still built and linked.
    pub(crate) noindex_needs_review: bool,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            noindex_needs_review: true,
        }
    }
}

/// `search`: the search page, its static index and the header box.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SearchConfig {
    pub(crate) enabled: bool,
    pub(crate) weights: SearchWeights,
    /// Taxonomies readers can filter by (`Kind::is_facet`), in the order
    /// the search page offers them; `search_facets` reads them.
    pub(crate) facets: Vec<String>,
}

/// How much a word counts in each part of an article.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SearchWeights {
    pub(crate) title: f32,
    pub(crate) topic: f32,
    pub(crate) summary: f32,
    pub(crate) headings: f32,
    pub(crate) body: f32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            weights: SearchWeights::default(),
            facets: (Kind::ALL.into_iter().filter(|k| k.is_facet()))
                .map(|k| k.name().to_string())
                .collect(),
        }
    }
}

impl Default for SearchWeights {
    fn default() -> Self {
        SearchWeights {
            title: 5.0,
            topic: 2.0,
            summary: 2.0,
            headings: 2.0,
            body: 1.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RelatedConfig {
    /// How many Similar Posts each article shows.
    pub(crate) count: usize,
    pub(crate) weights: RelatedWeights,
}

/// What one shared term of each kind adds to the similarity of two articles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RelatedWeights {
    pub(crate) stack: f32,
    pub(crate) tools: f32,
    pub(crate) entities: f32,
    pub(crate) topic: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MarkdownConfig {
    /// Clean raw HTML written inside Markdown. Turn off only for trusted content.
    pub(crate) sanitize_html: bool,
    /// A syntect theme name; its colours become the generated `syntax.css`.
    pub(crate) highlight_theme: String,
    /// The theme for readers whose system prefers a dark colour scheme.
    pub(crate) highlight_theme_dark: String,
    /// An article gets a table of contents from this many `##`/`###`
    /// headings on.
    pub(crate) toc_min_headings: usize,
    /// The deepest heading level the table of contents lists (2 to 6).
    pub(crate) toc_depth: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CdnConfig {
    /// Cache-Control for content-hashed assets: they never change under a name.
    pub(crate) asset_cache_control: String,
    /// Cache-Control for HTML, feeds and everything else that keeps its URL.
    pub(crate) page_cache_control: String,
    /// Which `_headers` dialect to write: `cloudflare` or `netlify`.
    pub(crate) headers_dialect: HeadersDialect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum HeadersDialect {
    /// Cloudflare Pages joins the headers of every matching rule, so the asset
    /// rule detaches the site-wide Cache-Control before setting its own.
    Cloudflare,
    /// Netlify lets the later, more specific rule win; it rejects detach lines.
    Netlify,
}

/// How `notesite publish` reaches its target. Credentials never live here:
/// they come from the `AWS_*` environment, which also overrides `endpoint`
/// and `region`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublishConfig {
    /// Target when `--to` is not given: `s3://bucket/prefix` or `file:///path`.
    pub to: Option<String>,
    /// S3 endpoint of a store other than AWS (Garage, MinIO, R2, …).
    pub(crate) endpoint: Option<String>,
    pub(crate) region: Option<String>,
    /// Allow a plain-http endpoint (a store on loopback, say).
    pub(crate) allow_http: bool,
    /// Hashed assets that left the build stay this many publishes, since
    /// CDN edges may still serve older pages that point at them.
    pub(crate) keep_asset_publishes: u64,
    /// A published article page that moved to another URL gets a redirect
    /// at its old URL.
    pub(crate) auto_redirects: bool,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            to: None,
            endpoint: None,
            region: None,
            allow_http: false,
            keep_asset_publishes: 1,
            auto_redirects: true,
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "notes".into(),
            base_url: DEFAULT_BASE_URL.into(),
            description: String::new(),
            language: "en".into(),
            author: String::new(),
            meta_box_title: "post meta".into(),
            paginate_by: 10,
            feed_limit: 20,
            taxonomies: Kind::ALL.iter().map(|k| k.name().to_string()).collect(),
            related: RelatedConfig::default(),
            markdown: MarkdownConfig::default(),
            cdn: CdnConfig::default(),
            publish: PublishConfig::default(),
            search: SearchConfig::default(),
            review: ReviewConfig::default(),
            menu: Vec::new(),
            menu_pos: Vec::new(),
            unfinished: Vec::new(),
            // Defaults are the binary's, which the cache's key has.
            text_hash: [0; 32],
        }
    }
}

impl Default for RelatedConfig {
    fn default() -> Self {
        RelatedConfig {
            count: 5,
            weights: RelatedWeights::default(),
        }
    }
}

impl Default for RelatedWeights {
    fn default() -> Self {
        RelatedWeights {
            stack: 3.0,
            tools: 1.0,
            entities: 2.0,
            topic: 2.0,
        }
    }
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            sanitize_html: true,
            highlight_theme: "InspiredGitHub".into(),
            highlight_theme_dark: "base16-ocean.dark".into(),
            toc_min_headings: 3,
            toc_depth: 3,
        }
    }
}

impl Default for CdnConfig {
    fn default() -> Self {
        CdnConfig {
            asset_cache_control: "public, max-age=31536000, immutable".into(),
            page_cache_control: "public, max-age=0, must-revalidate".into(),
            headers_dialect: HeadersDialect::Cloudflare,
        }
    }
}

/// `site.yaml` is YAML from its first line.
fn yaml_block(text: &str) -> crate::yaml::Block<'_> {
    crate::yaml::Block {
        text,
        first_line: 1,
    }
}

impl SiteConfig {
    /// Reads and validates `ROOT/site.yaml`; every problem names the file and line.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let shown = Path::new(CONFIG_FILE);
        let text = fsx::read_to_string(&path).map_err(|e| {
            vec![Diagnostic::error(
                shown,
                None,
                format!("{e:#}; run `notesite init DIR` to start a site, or pass --root"),
            )]
        })?;
        let mut config: SiteConfig = serde_yaml::from_str(&text).map_err(|e| {
            let pos = yaml_block(&text).error_pos(&e);
            vec![Diagnostic::error(shown, pos, crate::yaml::message(&e))]
        })?;
        config.menu_pos = (0..config.menu.len())
            .map(|i| yaml_block(&text).locate(&["menu", &i.to_string(), "url"]))
            .collect();
        // `base_url: ""`, as `init` writes it, is one not set yet (a
        // warning of every build, see `Site::load`).
        if config.base_url.trim().is_empty() {
            config.base_url = DEFAULT_BASE_URL.into();
        }
        config.unfinished = config.unfinished_title(yaml_block(&text).locate(&["title"]));
        config.text_hash = *blake3::hash(text.as_bytes()).as_bytes();
        let problems = config.validate();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems
                .into_iter()
                .map(|problem| {
                    let pos = yaml_block(&text).locate(&problem.keys());
                    Diagnostic::error(shown, pos.or(Some(Pos::new(1, 1))), problem.message)
                })
                .collect())
        }
    }

    /// A warning when `title` is left empty or out: every page, the feed
    /// and the search results would show no name, or the default one.
    fn unfinished_title(&self, pos: Option<Pos>) -> Vec<Diagnostic> {
        let message = match pos {
            None => format!(
                "title is not set, so the site is called `{}`; set title to the site's name",
                self.title
            ),
            Some(_) if self.title.trim().is_empty() => {
                "title is empty: the header, every page's <title> and the feed show no name; fill it in".to_string()
            }
            Some(_) => return Vec::new(),
        };
        vec![Diagnostic::warning(CONFIG_FILE, pos, message)]
    }

    /// Each problem with the key path it is about, for its position.
    fn validate(&self) -> Vec<KeyProblem> {
        let mut problems = Vec::new();
        if let Err(m) = self.check_base_url() {
            problems.push(KeyProblem::new(&["base_url"], m));
        }
        if let Err(m) = crate::highlight::theme(&self.markdown.highlight_theme) {
            problems.push(KeyProblem::new(&["markdown", "highlight_theme"], m));
        }
        if let Err(m) = crate::highlight::theme(&self.markdown.highlight_theme_dark) {
            problems.push(KeyProblem::new(&["markdown", "highlight_theme_dark"], m));
        }
        if !(2..=6).contains(&self.markdown.toc_depth) {
            let m = format!(
                "markdown.toc_depth is {}; it is the deepest heading level the table of contents lists, 2 (##) to 6",
                self.markdown.toc_depth
            );
            problems.push(KeyProblem::new(&["markdown", "toc_depth"], m));
        }
        for entry in &self.menu {
            let site_path = entry.url.starts_with('/') && !entry.url.starts_with("//");
            let web = entry.url.starts_with("https://") || entry.url.starts_with("http://");
            if !site_path && !web {
                let why = format!(
                    "menu entry `{}` has url `{}`: write a path on this site (/about/) or an http(s) URL",
                    entry.title, entry.url
                );
                problems.push(KeyProblem::new(&["menu"], why));
            }
        }
        if self.paginate_by == 0 {
            problems.push(KeyProblem::new(
                &["paginate_by"],
                "paginate_by must be at least 1",
            ));
        }
        for name in &self.taxonomies {
            if Kind::from_name(name).is_none() {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                problems.push(KeyProblem::new(
                    &["taxonomies"],
                    format!("unknown taxonomy `{name}`; known: {}", known.join(", ")),
                ));
            }
        }
        for name in &self.search.facets {
            if Kind::from_name(name).is_none_or(|k| !k.is_facet()) {
                let known = (Kind::ALL.into_iter().filter(|k| k.is_facet())).map(Kind::name);
                problems.push(KeyProblem::new(
                    &["search", "facets"],
                    format!(
                        "unknown search facet `{name}`; known: {}",
                        known.collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        let s = &self.search.weights;
        if [s.title, s.topic, s.summary, s.headings, s.body]
            .iter()
            .any(|x| !x.is_finite() || *x < 0.0)
        {
            problems.push(KeyProblem::new(
                &["search", "weights"],
                "search.weights must be finite and not negative",
            ));
        }
        let w = &self.related.weights;
        if [w.stack, w.tools, w.entities, w.topic]
            .iter()
            .any(|x| !x.is_finite() || *x < 0.0)
        {
            problems.push(KeyProblem::new(
                &["related", "weights"],
                "related.weights must be finite and not negative",
            ));
        }
        for (key, value) in [
            ("asset_cache_control", &self.cdn.asset_cache_control),
            ("page_cache_control", &self.cdn.page_cache_control),
        ] {
            if value.chars().any(char::is_control) {
                let why = format!(
                    "cdn.{key} holds a control character (a line break?); it is written into _headers, so it must be one line of text"
                );
                problems.push(KeyProblem::new(&["cdn", key], why));
            }
        }
        problems
    }

    pub(crate) fn check_base_url(&self) -> Result<(), String> {
        let url = &self.base_url;
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .map(|rest| rest.split('/').next().unwrap_or_default());
        match host {
            Some(h) if !h.is_empty() && !url.contains(['?', '#', ' ', '"', '<', '>']) => Ok(()),
            _ => Err(format!(
                "base_url `{url}` must be an http:// or https:// URL like https://notes.example.org"
            )),
        }
    }

    /// `base_url` without a trailing slash, for building permalinks.
    pub(crate) fn base_url(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The path part of `base_url` (`/notes` for `https://x.org/notes/`), so a
    /// site hosted under a sub-path gets working root-relative links.
    pub(crate) fn base_path(&self) -> &str {
        let after_scheme = self.base_url().split_once("://").map_or("", |(_, r)| r);
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    }

    /// The search facets, in the order written (checked by `check`).
    pub(crate) fn search_facets(&self) -> Vec<Kind> {
        let kinds = self.search.facets.iter().filter_map(|f| Kind::from_name(f));
        kinds.filter(|k| k.is_facet()).collect()
    }

    /// The configured taxonomies, in the canonical order.
    pub(crate) fn taxonomy_kinds(&self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|kind| self.taxonomies.iter().any(|t| t == kind.name()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_is_the_url_path_without_trailing_slash() {
        let mut c = SiteConfig {
            base_url: "https://x.org/notes/".into(),
            ..SiteConfig::default()
        };
        assert_eq!(c.base_path(), "/notes");
        c.base_url = "https://x.org".into();
        assert_eq!(c.base_path(), "");
    }
}
