//! Code highlighting with syntect, as CSS classes rather than inline styles,
//! so a page's look lives in one cacheable stylesheet.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The generated `syntax.css`.
mod css;

/// Classes are prefixed so they cannot clash with the site's own CSS.
pub(crate) const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Loading the syntax definitions costs milliseconds; do it once, and only if
/// some article has a code block.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlighting is the most expensive step per article (a regex engine per
/// line), and corpora repeat their snippets; blocks are cached by a hash of
/// language and code. The cache stops growing at `CACHE_LIMIT` entries so a
/// corpus of all-different blocks cannot exhaust memory.
const CACHE_LIMIT: usize = 20_000;
const CACHE_BLOCK_BYTES: usize = 8 * 1024;

/// Highlighting memory grows with a block (a 5 MB fence took 440 MB and
/// 6 s); blocks above these sizes are shown as plain code instead.
pub(crate) const MAX_BLOCK_BYTES: usize = 256 * 1024;
pub(crate) const MAX_LINE_BYTES: usize = 8 * 1024;

/// The cap above holds per block, and an article of thirty 250 KiB blocks
/// still took 25 s and 1.67 GB: highlighting is also capped per article.
/// Past this much highlighted code, the rest is shown as plain code.
pub(crate) const MAX_ARTICLE_BYTES: usize = 512 * 1024;

/// Why `code` is too large to highlight, if it is.
pub(crate) fn too_large(code: &str) -> Option<String> {
    if code.len() > MAX_BLOCK_BYTES {
        return Some(format!(
            "this code block is {} KiB; blocks over {} KiB are shown as plain code, not highlighted",
            code.len() / 1024,
            MAX_BLOCK_BYTES / 1024
        ));
    }
    let longest = code.lines().map(str::len).max().unwrap_or(0);
    (longest > MAX_LINE_BYTES).then(|| {
        format!(
            "this code block has a line of {} KiB; blocks with lines over {} KiB are shown as plain code, not highlighted",
            longest / 1024,
            MAX_LINE_BYTES / 1024
        )
    })
}

/// Whether `language` asks for highlighting at all.
pub(crate) fn wants_highlighting(language: &str) -> bool {
    !(language.is_empty() || matches!(language, "text" | "plain" | "txt" | "plaintext"))
}

type Cache = Mutex<HashMap<[u8; 32], Option<Arc<str>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// Highlighted HTML for `code` (the inside of `<code>`), or `None` when the
/// language is unknown or plain text, in which case the caller escapes it.
pub(crate) fn highlight(code: &str, language: &str) -> Option<Arc<str>> {
    if !wants_highlighting(language) || too_large(code).is_some() {
        return None;
    }
    let mut hasher = blake3::Hasher::new();
    hasher
        .update(language.as_bytes())
        .update(&[0])
        .update(code.as_bytes());
    let key: [u8; 32] = hasher.finalize().into();
    if let Some(hit) = cache()
        .lock()
        .expect("the cache lock is never poisoned")
        .get(&key)
    {
        return hit.clone();
    }
    let html = highlight_uncached(code, language).map(Arc::from);
    // Only small blocks are cached: the repeated snippets the cache is for
    // are small, and CACHE_LIMIT large ones could hold gigabytes.
    let mut cache = cache().lock().expect("the cache lock is never poisoned");
    if cache.len() < CACHE_LIMIT && code.len() <= CACHE_BLOCK_BYTES {
        cache.insert(key, html.clone());
    }
    html
}

fn highlight_uncached(code: &str, language: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(language)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The built-in themes, loaded once: `site.yaml`'s check and the
/// stylesheet both read them.
fn themes() -> &'static ThemeSet {
    static THEMES: OnceLock<ThemeSet> = OnceLock::new();
    THEMES.get_or_init(ThemeSet::load_defaults)
}

/// A syntect theme by name, or an error listing the known themes.
pub(crate) fn theme(theme_name: &str) -> Result<&'static syntect::highlighting::Theme, String> {
    let themes = &themes().themes;
    themes.get(theme_name).ok_or_else(|| {
        let known: Vec<&str> = themes.keys().map(String::as_str).collect();
        format!(
            "unknown highlight theme `{theme_name}`; known: {}",
            known.join(", ")
        )
    })
}

/// The stylesheet for a light and a dark syntect theme (see `css`),
/// or an error listing the known themes.
pub(crate) fn theme_css(light: &str, dark: &str) -> Result<String, String> {
    css::stylesheet(theme(light)?, theme(dark)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes_not_styles() {
        let html = highlight("fn main() {}\n", "rust").unwrap();
        assert_eq!(
            highlight("fn main() {}\n", "rust").unwrap(),
            html,
            "cached result differs"
        );
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_and_plain_languages_are_left_to_the_caller() {
        assert_eq!(highlight("x", "no-such-language"), None);
        assert_eq!(highlight("x", "text"), None);
    }

    #[test]
    fn theme_css_is_class_based_and_unknown_theme_is_an_error() {
        let css = theme_css("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.contains(".hl-comment") && css.contains("prefers-color-scheme: dark"));
        assert!(
            theme_css("nope", "base16-ocean.dark")
                .unwrap_err()
                .contains("InspiredGitHub")
        );
    }
}
