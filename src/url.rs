//! URLs as notesite meets them in Markdown, meta and stylesheets: which
//! kind a URL is (another site, this site, an anchor, an unsafe scheme),
//! how a site path resolves against a page, and how a URL is written as a
//! Markdown link destination. One module, so content, markdown and assets
//! agree, and content no longer needs markdown.

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UrlKind {
    /// http(s), protocol-relative or mailto: left as written.
    External,
    /// `#anchor` on the same page.
    Fragment,
    /// A path on this site, absolute or relative.
    Site,
    /// Any other scheme (`javascript:`, `data:`, `vbscript:` ...).
    Unsafe(String),
}

/// Browsers ignore tabs, newlines and leading spaces in a URL's scheme, so
/// `java\tscript:` must count as `javascript:` here too.
pub(crate) fn classify(url: &str) -> UrlKind {
    let cleaned: String = url
        .trim_start()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    if cleaned.starts_with('#') {
        return UrlKind::Fragment;
    }
    if cleaned.starts_with("//") {
        return UrlKind::External;
    }
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if cleaned.as_bytes()[i] == b':' && i > 0 => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                UrlKind::External
            } else {
                UrlKind::Unsafe(scheme)
            }
        }
        _ if cleaned.starts_with(':') => UrlKind::Unsafe(String::new()),
        _ => UrlKind::Site,
    }
}

pub(crate) fn split_suffix(url: &str) -> (&str, &str) {
    let i = url.find(['?', '#']).unwrap_or(url.len());
    (&url[..i], &url[i..])
}

/// Resolves a site URL against the page's folder, like a browser would.
pub(crate) fn resolve(page_dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{page_dir}{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing = joined.ends_with('/') && !segments.is_empty();
    let mut out = format!("/{}", segments.join("/"));
    if trailing {
        out.push('/');
    }
    out
}

pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    (!host.is_empty()).then_some(host)
}

/// Characters a bare Markdown link destination cannot hold (it would end the
/// destination, start a title or need balancing), percent-encoded.
const NOT_IN_DESTINATION: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'\'')
    .add(b'<')
    .add(b'>')
    .add(b'(')
    .add(b')')
    .add(b'\\')
    .add(b'`');

/// `url` as a bare Markdown link destination: trimmed, with what a
/// destination cannot hold percent-encoded (`%` itself is left, so an
/// encoded URL stays as it is). Import writes image URLs this way, and
/// figures match `image_sources` entries through it.
pub(crate) fn link_destination(url: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::utf8_percent_encode(url.trim(), NOT_IN_DESTINATION).into()
}

/// True for absolute http(s) URLs.
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && lower.len() > "https://".len()
}

/// Whether a `url()` target in a stylesheet points elsewhere (another
/// site, a `data:` URI, an anchor) rather than at a file of the site.
pub(crate) fn is_external_reference(target: &str) -> bool {
    target.is_empty() || target.starts_with('#') || target.starts_with("//") || target.contains(':')
}

/// Text made safe inside HTML text and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_however_a_scheme_is_spelled() {
        assert_eq!(classify("https://e.org/x"), UrlKind::External);
        assert_eq!(classify("//cdn.e.org/x"), UrlKind::External);
        assert_eq!(classify("mailto:me@e.org"), UrlKind::External);
        assert_eq!(classify("#top"), UrlKind::Fragment);
        assert_eq!(classify("../other/"), UrlKind::Site);
        assert_eq!(
            classify(" java\tscript:alert(1)"),
            UrlKind::Unsafe("javascript".into())
        );
        assert_eq!(classify("DATA:x"), UrlKind::Unsafe("data".into()));
    }

    #[test]
    fn site_paths_resolve_like_a_browser() {
        assert_eq!(resolve("/post/", "../other/"), "/other/");
        assert_eq!(resolve("/post/", "img/a.png"), "/post/img/a.png");
        assert_eq!(resolve("/post/", "/x/./y/../z"), "/x/z");
        assert_eq!(split_suffix("/a/?q=1#top"), ("/a/", "?q=1#top"));
        assert_eq!(host_of("https://user@e.org:8/x"), Some("e.org:8"));
    }

    #[test]
    fn stylesheet_references() {
        for external in [
            "",
            "#x",
            "//e.org/a.png",
            "data:image/png;base64,x",
            "https://e.org",
        ] {
            assert!(is_external_reference(external), "{external}");
        }
        assert!(!is_external_reference("../img/a.png"));
    }
}
