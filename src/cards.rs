//! What a shared link and a search engine read of an article: the JSON-LD
//! `TechArticle` made from its typed meta (the Open Graph tags are in the
//! template, from the same page values).

use serde::Serialize;

use crate::content::Article;
use crate::content::meta::Difficulty;

/// schema.org's `TechArticle`, the fields notesite knows.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TechArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    headline: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    url: &'a str,
    main_entity_of_page: &'a str,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    proficiency_level: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<Named<'a>>,
    publisher: Named<'a>,
}

#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// What the site gives every article's card.
pub(crate) struct SiteCard<'a> {
    pub(crate) title: &'a str,
    pub(crate) author: &'a str,
}

/// schema.org expects `Beginner` or `Expert`: an intermediate or advanced
/// note is for readers past the basics.
fn proficiency(difficulty: Difficulty) -> &'static str {
    match difficulty {
        Difficulty::Beginner => "Beginner",
        Difficulty::Intermediate | Difficulty::Advanced => "Expert",
    }
}

/// The last time the article was looked at: `revision.last_reviewed`,
/// else its date.
pub(crate) fn modified(article: &Article) -> String {
    let meta = &article.meta;
    let date = meta
        .revision
        .as_ref()
        .map_or(meta.date, |r| r.last_reviewed);
    date.max(meta.date).to_string()
}

/// The article's JSON-LD, ready to stand inside a `<script>` element.
pub(crate) fn json_ld(
    site: &SiteCard,
    article: &Article,
    permalink: &str,
    image: Option<&str>,
) -> String {
    let meta = &article.meta;
    let keywords = meta.stack.iter().chain(&meta.tools).map(String::as_str);
    let mut seen = std::collections::HashSet::new();
    let card = TechArticle {
        context: "https://schema.org",
        kind: "TechArticle",
        headline: &meta.title,
        description: meta.summary.as_deref().unwrap_or_default(),
        url: permalink,
        main_entity_of_page: permalink,
        date_published: meta.date.to_string(),
        date_modified: modified(article),
        proficiency_level: meta.difficulty.map(proficiency),
        keywords: keywords.filter(|k| seen.insert(*k)).collect(),
        image,
        author: (!site.author.is_empty()).then_some(Named {
            kind: "Person",
            name: site.author,
        }),
        publisher: Named {
            kind: "Organization",
            name: site.title,
        },
    };
    let json = serde_json::to_string(&card).expect("a card serializes");
    script_safe(&json)
}

/// JSON that a `<script>` element cannot end early nor an HTML parser
/// misread: `<`, `>` and `&` as `\u` escapes (still the same JSON), and
/// the line separators some parsers take for line ends.
fn script_safe(json: &str) -> String {
    // Most cards hold none of these: one pass over the bytes says so
    // (0xE2 starts the UTF-8 of both separators).
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn article(front_matter: &str) -> Article {
        let text = format!("---\n{front_matter}---\nbody\n");
        crate::content::parse_article(Path::new("content/a.md"), &text).unwrap()
    }

    #[test]
    fn the_card_is_built_from_the_typed_meta() {
        let a = article(
            "title: redis notes\ndate: 2026-01-02\nsummary: ttl\ndifficulty: intermediate\nstack: [redis, cdn]\ntools: [redis, curl]\nrevision: {status: reviewed, version: 1.0.0, last_reviewed: 2026-03-04}\n",
        );
        let site = SiteCard {
            title: "notes",
            author: "ana",
        };
        let json = json_ld(&site, &a, "https://x.org/a/", Some("https://x.org/i.png"));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "@context": "https://schema.org",
                "@type": "TechArticle",
                "headline": "redis notes",
                "description": "ttl",
                "url": "https://x.org/a/",
                "mainEntityOfPage": "https://x.org/a/",
                "datePublished": "2026-01-02",
                "dateModified": "2026-03-04",
                "proficiencyLevel": "Expert",
                "keywords": ["redis", "cdn", "curl"],
                "image": "https://x.org/i.png",
                "author": {"@type": "Person", "name": "ana"},
                "publisher": {"@type": "Organization", "name": "notes"},
            })
        );
    }

    #[test]
    fn a_title_that_closes_the_script_stays_data() {
        let a =
            article("title: \"</script><script>alert(1)</script> & \\u2028\"\ndate: 2026-01-02\n");
        let site = SiteCard {
            title: "notes",
            author: "",
        };
        let json = json_ld(&site, &a, "https://x.org/a/", None);
        assert!(
            !json.contains('<') && !json.contains('>') && !json.contains('&'),
            "{json}"
        );
        assert!(!json.contains('\u{2028}'));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value["headline"],
            "</script><script>alert(1)</script> & \u{2028}"
        );
        assert!(value.get("author").is_none());
        assert_eq!(value["dateModified"], "2026-01-02");
    }
}
