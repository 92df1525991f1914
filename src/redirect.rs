//! Redirect pages and the `_redirects` file: what an alias in front matter
//! becomes in a build, and what `publish` writes at the URL of an article
//! that moved. One page shape for both: a meta refresh for browsers, a
//! canonical link and `noindex` for search engines, and a visible link.

use crate::url::escape_html;

/// The page served at an old URL: `to` is the new page's site path (like
/// `/blog/new-slug/`), `permalink` its absolute URL, `lang` the site's
/// language.
pub(crate) fn page(to: &str, permalink: &str, lang: &str) -> String {
    let to = escape_html(to);
    let permalink = escape_html(permalink);
    let lang = escape_html(lang);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>moved to {to}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{permalink}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n\
         </head>\n<body>\n<p>This page has moved to <a href=\"{to}\">{to}</a>.</p>\n</body>\n</html>\n"
    )
}

/// The output file of the route at `path`: a folder's (`old/path/`, or ``
/// for home) `index.html`, or the file itself (`old.html`, `atom.xml`).
pub(crate) fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// `_redirects` (Netlify and Cloudflare Pages): one `from to 301` line per
/// pair of site paths, in the order given.
pub(crate) fn redirects_file<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut text = String::new();
    for (from, to) in pairs {
        text.push_str(&format!("{from} {to} 301\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_page_refreshes_links_and_stays_out_of_the_index() {
        let html = page("/new/", "https://example.org/new/", "en");
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains(r#"<meta http-equiv="refresh" content="0; url=/new/">"#));
        assert!(html.contains(r#"<link rel="canonical" href="https://example.org/new/">"#));
        assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
        assert!(html.contains(r#"<a href="/new/">/new/</a>"#));
        assert!(page("/a\"b/", "x", "en").contains("/a&quot;b/"));
        assert_eq!(file_of("old/path/"), "old/path/index.html");
        assert_eq!(file_of("old.html"), "old.html");
        let pairs = [("/a/", "/b/")];
        assert_eq!(redirects_file(pairs.into_iter()), "/a/ /b/ 301\n");
    }
}
