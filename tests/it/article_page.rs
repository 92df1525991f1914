//! What an article page carries beyond its body (issue 22): a table of
//! contents, checked anchors, image sizes, callouts, cards for shared
//! links, and noindex for articles that wait for review. Built in-process
//! on the example site trimmed to its seed article.

use std::path::Path;

use crate::common::server::Server;
use crate::common::{
    SEED_SLUG, build_here, check_here, example_site, notesite, read, starter_site,
};
use predicates::prelude::*;

fn write(root: &Path, rel: &str, text: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn article(root: &Path, slug: &str, front_matter: &str, body: &str) {
    let text = format!("---\ntitle: {slug}\ndate: 2026-01-01\n{front_matter}---\n{body}");
    write(root, &format!("content/{slug}.md"), text.as_bytes());
}

fn page(root: &Path, slug: &str) -> String {
    read(&root.join("public").join(slug).join("index.html"))
}

#[test]
fn a_table_of_contents_lists_the_headings_from_three_on() {
    let site = starter_site();
    let root = site.path();
    article(
        root,
        "long",
        "",
        "## one\n\ntext\n\n### one a\n\n#### deep\n\n## two `code`\n\ntext\n",
    );
    article(root, "short", "", "## one\n\n## two\n");
    build_here(root).unwrap();
    let long = page(root, "long");
    let toc = &long[long.find("<nav class=\"toc\"").expect("a contents nav")..];
    let toc = &toc[..toc.find("</nav>").unwrap()];
    assert!(toc.contains(r#"aria-labelledby="toc-heading""#), "{toc}");
    for link in [
        r##"<a href="#one">one</a>"##,
        r##"<a href="#one-a">one a</a>"##,
        r##"<a href="#two-code">two code</a>"##,
    ] {
        assert!(toc.contains(link), "{link} in {toc}");
    }
    assert!(!toc.contains("deep"), "#### is below toc_depth 3: {toc}");
    let nested = toc.contains("<a href=\"#one\">one</a><ol>\n    <li><a href=\"#one-a\">");
    assert!(nested, "### one a nests under ## one: {toc}");
    assert!(
        !page(root, "short").contains("class=\"toc\""),
        "two headings: no contents"
    );

    // Both settings come from site.yaml.
    let config = root.join("site.yaml");
    let text = read(&config).replace(
        "markdown:\n",
        "markdown:\n  toc_min_headings: 2\n  toc_depth: 4\n",
    );
    std::fs::write(&config, &text).unwrap();
    build_here(root).unwrap();
    assert!(page(root, "short").contains("class=\"toc\""));
    assert!(page(root, "long").contains(r##"<a href="#deep">deep</a>"##));
    std::fs::write(&config, text.replace("toc_depth: 4", "toc_depth: 9")).unwrap();
    let line = read(&config)
        .lines()
        .position(|l| l.contains("toc_depth"))
        .unwrap()
        + 1;
    let report = check_here(root).unwrap_err();
    assert!(
        report.contains(&format!(
            "site.yaml:{line}:3: error: markdown.toc_depth is 9"
        )),
        "{report}"
    );
}

#[test]
fn anchors_are_checked_on_the_page_and_in_the_pages_they_point_into() {
    let site = starter_site();
    let root = site.path();
    article(
        root,
        "target",
        "",
        "## Setup steps\n\ntext[^fn]\n\n<div id=\"raw-box\">x</div>\n\n[^fn]: a note\n",
    );
    article(
        root,
        "linker",
        "",
        "[ok](#local) [ok2](/target/#setup-steps) [ok3](target.md#raw-box) [ok4](/target/#fn) [top](#top)\n\n## local\n",
    );
    check_here(root).expect("every anchor resolves");

    article(
        root,
        "linker",
        "",
        "## local\n\n[a](#locl)\n[b](/target/#setup-step)\n[c](target.md#nothing-like-it)\n",
    );
    let report = check_here(root).unwrap_err();
    for expected in [
        "content/linker.md:7:1: error: link to `#locl` on this page, but no heading or element there has the id `locl`; did you mean `#local`?",
        "content/linker.md:8:1: error: link to `/target/#setup-step`, but no heading or element there has the id `setup-step`; did you mean `#setup-steps`?",
        "content/linker.md:9:1: error: link to `/target/#nothing-like-it`, but no heading or element there has the id `nothing-like-it`",
    ] {
        assert!(report.contains(expected), "{expected}\nnot in\n{report}");
    }
    assert_eq!(report.lines().count(), 3, "{report}");
}

#[test]
fn the_preview_checks_anchors_into_an_edited_page_again() {
    let site = example_site();
    let root = site.path();
    let server = Server::start(root, &[]);
    // The example's nginx note links to the postgres note's `#make-it-routine`.
    let target = root.join("content/postgresql-notes-slow-queries-after-a-bulk-import.md");
    let text = read(&target);
    std::fs::write(
        &target,
        text.replace("## make it routine", "## make it a habit"),
    )
    .unwrap();
    server.wait_for("/", "reported the broken anchor", |r| {
        r.body
            .contains("nginx-notes-cache-headers-for-static-assets.md")
            && r.body.contains("make-it-routine")
    });
    std::fs::write(&target, text).unwrap();
    server.wait_for("/", "cleared the error", |r| {
        !r.body.contains("make-it-routine")
    });
}

#[test]
fn images_get_their_width_and_height() {
    let site = starter_site();
    let root = site.path();
    // A 3x2 PNG: signature and IHDR, all a size reader needs.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(3u32.to_be_bytes());
    png.extend(2u32.to_be_bytes());
    png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    write(root, "static/img/dot.png", &png);
    write(
        root,
        "root/badge.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 80 20\"></svg>",
    );
    article(
        root,
        "pictures",
        "image_sources:\n  - {url: \"https://example.org/wide.png\", caption: wide, width: 1200, height: 630}\n",
        "![dot](/img/dot.png)\n\n![wide](https://example.org/wide.png)\n\ninline ![badge](/badge.svg) here\n",
    );
    build_here(root).unwrap();
    let html = page(root, "pictures");
    for expected in [
        r#"alt="dot" width="3" height="2""#,
        r#"alt="wide" width="1200" height="630""#,
        r#"alt="badge" width="80" height="20""#,
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }

    article(
        root,
        "pictures",
        "image_sources:\n  - {url: \"https://example.org/wide.png\", caption: wide, width: 1200}\n  - {url: \"https://example.org/b.png\", caption: b, width: 0, height: 5}\n",
        "![wide](https://example.org/wide.png) ![b](https://example.org/b.png)\n",
    );
    let report = check_here(root).unwrap_err();
    assert!(report.contains("content/pictures.md:5:58: error: image source has a `width` but no `height`; give both, or neither"), "{report}");
    assert!(
        report.contains("content/pictures.md:6:52: error: image source `width` is 0"),
        "{report}"
    );
}

/// The entry's position is found only when the warning is given, from
/// the file (a build leaves bodies there): it still names the line.
#[test]
fn an_image_source_no_figure_uses_is_a_warning_at_its_url() {
    let site = starter_site();
    let root = site.path();
    article(
        root,
        "pictures",
        "image_sources:\n  - {url: \"https://example.org/a.png\", caption: a}\n  - {url: \"https://example.org/b.png\", caption: b}\n",
        "![a](https://example.org/a.png)\n",
    );
    let built = notesite(root).arg("build").assert().success();
    let stderr = String::from_utf8_lossy(&built.get_output().stderr).into_owned();
    let expected = "content/pictures.md:6:6: warning: image source `https://example.org/b.png` is not used by any image in the body";
    assert!(stderr.contains(expected), "{stderr}");
}

#[test]
fn callouts_render_as_labelled_notes_without_their_marker() {
    let site = starter_site();
    let root = site.path();
    article(
        root,
        "careful",
        "",
        "> [!WARNING]\n> Back up **first**.\n\n> [!TIP]\n> Then restore.\n\n> plain quote\n",
    );
    build_here(root).unwrap();
    let html = page(root, "careful");
    assert!(
        html.contains("<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-label\">Warning</p>\n<p>Back up <strong>first</strong>.</p>\n</div>"),
        "{html}"
    );
    assert!(html.contains("<div class=\"callout callout-tip\" role=\"note\">"));
    assert!(html.contains("<blockquote>\n<p>plain quote</p>\n</blockquote>"));
    assert!(!html.contains("[!"), "the marker never shows");
}

/// The `content` of `<meta property="NAME" content="...">`.
fn meta_property<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!("<meta property=\"{name}\" content=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn articles_carry_open_graph_tags_and_a_json_ld_tech_article() {
    let site = starter_site();
    let root = site.path();
    build_here(root).unwrap();
    let html = page(root, SEED_SLUG);
    let permalink = format!("https://notes.alphanode.example/{SEED_SLUG}/");
    assert_eq!(meta_property(&html, "og:type"), ["article"]);
    assert_eq!(meta_property(&html, "og:url"), [permalink.as_str()]);
    assert_eq!(
        meta_property(&html, "article:published_time"),
        ["2026-07-01"]
    );
    assert_eq!(
        meta_property(&html, "article:tag"),
        ["redis caching", "database", "text"]
    );
    let image = meta_property(&html, "og:image");
    assert_eq!(image.len(), 1);
    assert!(image[0].starts_with("https://dummyimage.com/"), "{image:?}");
    assert!(html.contains(r#"<meta name="twitter:card" content="summary_large_image">"#));

    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    let card: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(card["@type"], "TechArticle");
    assert_eq!(card["url"], permalink.as_str());
    assert_eq!(card["proficiencyLevel"], "Expert");
    assert_eq!(card["publisher"]["name"], "alphanode notes");

    // A title that closes the script element stays data; a local figure's
    // image is made absolute.
    write(
        root,
        "static/img/shot.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"></svg>",
    );
    article(root, "hostile", "summary: s\n", "![shot](/img/shot.svg)\n");
    let path = root.join("content/hostile.md");
    let text = read(&path).replace(
        "title: hostile",
        "title: \"</script><script>alert(1)</script>\"",
    );
    std::fs::write(&path, text).unwrap();
    build_here(root).unwrap();
    let html = page(root, "hostile");
    assert!(!html.contains("<script>alert(1)"), "{html}");
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    let card: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(card["headline"], "</script><script>alert(1)</script>");
    let image = card["image"].as_str().unwrap();
    assert!(
        image.starts_with("https://notes.alphanode.example/assets/img/shot."),
        "{image}"
    );
    assert!(!html.contains("summary_large_image") || meta_property(&html, "og:image") == [image]);
}

#[test]
fn an_article_waiting_for_review_is_noindex_and_out_of_the_sitemap_and_search() {
    let site = starter_site();
    let root = site.path();
    article(
        root,
        "unreviewed",
        "summary: zebrafish\nflags: {needs_human_review: true}\n",
        "A zebrafish paragraph.\n",
    );
    let built = notesite(root).arg("build").assert().success();
    let said = String::from_utf8_lossy(&built.get_output().stdout).into_owned();
    assert!(
        said.contains("built 2 articles (1 waiting for review, not indexed)"),
        "{said}"
    );
    let html = page(root, "unreviewed");
    assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(!page(root, SEED_SLUG).contains("noindex"));
    let public = root.join("public");
    assert!(!read(&public.join("sitemap.xml")).contains("/unreviewed/"));
    assert!(
        read(&public.join("index.html")).contains("/unreviewed/"),
        "still listed"
    );
    let search = crate::common::tree(&public.join("assets/search"));
    assert!(
        search
            .values()
            .all(|b| !String::from_utf8_lossy(b).contains("zebrafish"))
    );
    notesite(root)
        .args(["check", "-v"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "content/unreviewed.md: waits for review: noindex, not in the sitemap or the search index",
        ));

    // site.yaml can turn it off.
    let config = root.join("site.yaml");
    std::fs::write(
        &config,
        read(&config) + "\nreview:\n  noindex_needs_review: false\n",
    )
    .unwrap();
    build_here(root).unwrap();
    assert!(!page(root, "unreviewed").contains("noindex"));
    assert!(read(&public.join("sitemap.xml")).contains("/unreviewed/"));
    let search = crate::common::tree(&public.join("assets/search"));
    assert!(
        search
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("zebrafish"))
    );
}
