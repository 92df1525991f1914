//! Standalone pages (`pages/`, issue 21 outcome 2): rendered at their slug
//! through `page.html`, in the menu and the sitemap, in no list, feed,
//! taxonomy or search index; their mistakes are errors at their lines.

use std::path::Path;

use crate::common::server::Server;
use crate::common::{SEED_SLUG, build, example_site, notesite, read};
use predicates::prelude::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The home page's article list, without the header's menu.
fn article_list(home: &str) -> &str {
    let start = home.find("<ol class=\"article-list\">").expect("a list");
    &home[start..]
}

#[test]
fn pages_render_at_their_slug_in_the_menu_and_sitemap_and_nowhere_else() {
    let site = example_site();
    let root = site.path();
    write(
        root,
        "pages/contact.md",
        "---\ntitle: Contact us\nslug: reach-us\nmenu: 1\n---\nWrite to [the team](mailto:x@example.org).\n",
    );
    write(
        root,
        "pages/privacy.md",
        "---\ntitle: Privacy\nsummary: What we keep about readers.\n---\nNothing, unusualword.\n",
    );
    write(
        root,
        "pages/wip.md",
        "---\ntitle: Work in progress\ndraft: true\nmenu: 3\n---\nNot yet.\n",
    );
    build(root, &[]);
    let public = root.join("public");

    let privacy = read(&public.join("privacy/index.html"));
    assert!(privacy.contains("<h1>Privacy</h1>"), "{privacy}");
    assert!(
        privacy.contains("<p>Nothing, unusualword.</p>"),
        "{privacy}"
    );
    assert!(privacy.contains(r#"<meta name="description" content="What we keep about readers.">"#));
    assert!(
        privacy
            .contains(r#"<link rel="canonical" href="https://notes.alphanode.example/privacy/">"#)
    );
    assert!(!privacy.contains("meta-box"), "a page has no meta box");
    // A shared link to a page shows as a card too.
    assert!(
        privacy.contains(r#"<meta property="og:title" content="Privacy">"#),
        "{privacy}"
    );
    assert!(privacy.contains(
        r#"<meta property="og:url" content="https://notes.alphanode.example/privacy/">"#
    ));
    assert!(read(&public.join("reach-us/index.html")).contains("<h1>Contact us</h1>"));
    assert!(!public.join("wip").exists(), "a draft page is not built");

    // The menu: pages by their number (About is 1 in the example site,
    // Contact 1 too: then by slug), pages without one left out.
    let home = read(&public.join("index.html"));
    let about = home
        .find(r#"<a href="/about/">About</a>"#)
        .expect("About in the menu");
    let contact = home
        .find(r#"<a href="/reach-us/">Contact us</a>"#)
        .expect("Contact in the menu");
    assert!(about < contact, "{home}");
    assert!(
        !home.contains(r#"href="/privacy/""#),
        "no menu number, no menu entry"
    );

    let sitemap = read(&public.join("sitemap.xml"));
    for loc in ["about/", "privacy/", "reach-us/"] {
        assert!(
            sitemap.contains(&format!("/{loc}</loc>")),
            "{loc} in {sitemap}"
        );
    }
    assert!(!sitemap.contains("/wip/"));
    for (file, what) in [
        ("atom.xml", "the feed"),
        ("page/2/index.html", "the index"),
        ("stack/index.html", "a taxonomy"),
    ] {
        let text = read(&public.join(file));
        assert!(!text.contains("Privacy"), "{what}: {text}");
    }
    assert!(!article_list(&home).contains("Privacy"));
    let search = crate::common::tree(&public.join("assets/search"));
    assert!(!search.is_empty());
    for (name, bytes) in &search {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("unusualword"), "{name} indexes a page");
    }

    // Drafts build with --drafts, as articles do.
    build(root, &["--drafts"]);
    let home = read(&public.join("index.html"));
    assert!(
        home.contains(r#"<a href="/wip/">Work in progress</a>"#),
        "{home}"
    );
}

#[test]
fn a_page_gets_its_extra_and_a_site_can_bring_its_own_page_template() {
    let site = example_site();
    let root = site.path();
    write(
        root,
        "pages/team.md",
        "---\ntitle: Team\nextra: {lead: Ana, size: 4}\n---\nWe are small.\n",
    );
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>{% if page.extra %}<p class=lead>{{ page.extra.lead }} and {{ page.extra.size - 1 }} more</p>{% endif %}{{ page.content | safe }}{% endblock content %}",
    );
    build(root, &[]);
    let team = read(&root.join("public/team/index.html"));
    assert!(team.contains("<p class=lead>Ana and 3 more</p>"), "{team}");
    assert!(team.contains("<p>We are small.</p>"), "{team}");
}

#[test]
fn links_between_pages_and_articles_resolve_by_path_and_by_source_file() {
    let site = example_site();
    let root = site.path();
    write(
        root,
        "pages/colophon.md",
        &format!(
            "---\ntitle: Colophon\n---\nSee [the seed](../content/{SEED_SLUG}.md), [by path](/{SEED_SLUG}/#why-this-matters), [about](about.md).\n"
        ),
    );
    let seed = root.join(format!("content/{SEED_SLUG}.md"));
    let text = read(&seed);
    let text = text.replacen(
        "\n---\n",
        "\n---\nSee [our about page](../pages/about.md) and [colophon](/colophon/).\n\n",
        1,
    );
    std::fs::write(&seed, text).unwrap();
    for (flags, base) in [
        (&[][..], ""),
        (&["--base-url", "https://example.org/notes/"][..], "/notes"),
    ] {
        build(root, flags);
        let colophon = read(&root.join("public/colophon/index.html"));
        for link in [
            format!(r#"<a href="{base}/{SEED_SLUG}/">the seed</a>"#),
            format!(r#"<a href="{base}/{SEED_SLUG}/#why-this-matters">by path</a>"#),
            format!(r#"<a href="{base}/about/">about</a>"#),
        ] {
            assert!(colophon.contains(&link), "{link} in {colophon}");
        }
        let seed_page = read(&root.join(format!("public/{SEED_SLUG}/index.html")));
        assert!(seed_page.contains(&format!(r#"<a href="{base}/about/">our about page</a>"#)));
        assert!(seed_page.contains(&format!(r#"<a href="{base}/colophon/">colophon</a>"#)));
    }

    // A page's broken links are errors at their lines, as an article's.
    write(
        root,
        "pages/colophon.md",
        "---\ntitle: Colophon\n---\n\nSee [gone](/no-such-note/) and [src](missing.md).\n",
    );
    notesite(root)
        .arg("check")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "pages/colophon.md:5:5: error: link to `/no-such-note/`, which is not a page of this site",
        ))
        .stderr(predicate::str::contains(
            "pages/colophon.md:5:32: error: link to the source file `missing.md`, but there is no pages/missing.md",
        ));
}

#[test]
fn page_mistakes_are_errors_at_their_lines_all_in_one_run() {
    let site = example_site();
    let root = site.path();
    // An unknown key, a page that takes an article's slug, a root file
    // and an alias where a page is: each reported, in one run.
    write(
        root,
        "pages/faq.md",
        "---\ntitle: FAQ\nmenu: 2\ndate: 2026-01-01\nsumary: x\n---\nQ.\n",
    );
    write(
        root,
        "pages/clash.md",
        &format!("---\ntitle: Clash\nslug: {SEED_SLUG}\n---\nx\n"),
    );
    write(root, "root/about/index.html", "<p>mine</p>\n");
    let other = root.join("content/nginx-notes-cache-headers-for-static-assets.md");
    let text = read(&other).replacen("---\n", "---\naliases: [/about/]\n", 1);
    std::fs::write(&other, text).unwrap();
    let assert = notesite(root).arg("check").assert().failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for expected in [
        "pages/faq.md:4:1: error: unknown key `date`; `date` is a key of articles; a page has only title, slug, summary, menu, draft, extra".to_string(),
        "pages/faq.md:5:1: error: unknown key `sumary`; did you mean `summary`?".to_string(),
        format!("pages/clash.md:3:1: error: slug `{SEED_SLUG}` is taken by content/{SEED_SLUG}.md"),
        "root/about/index.html: error: root file would be published at `/about/index.html`, where the build writes the page of pages/about.md".to_string(),
        "content/nginx-notes-cache-headers-for-static-assets.md:2:1: error: alias `/about/` is the page of pages/about.md".to_string(),
    ] {
        assert!(stderr.contains(&expected), "{expected}\nnot in\n{stderr}");
    }
}

#[test]
fn the_preview_follows_edits_to_pages_and_the_menu() {
    let site = example_site();
    let root = site.path();
    let server = Server::start(root, &[]);
    let about = root.join("pages/about.md");
    let text = read(&about);
    std::fs::write(
        &about,
        text.replace(
            "a notebook of engineering problems",
            "a notebook of odd problems",
        ),
    )
    .unwrap();
    server.wait_for("/about/", "showed the edit", |r| {
        r.body.contains("a notebook of odd problems")
    });
    write(
        root,
        "pages/uses.md",
        "---\ntitle: Uses\nmenu: 5\n---\nA laptop.\n",
    );
    server.wait_for("/uses/", "built the new page", |r| r.status == 200);
    let article = format!("/{SEED_SLUG}/");
    server.wait_for(&article, "put the new page in every menu", |r| {
        r.body.contains(r#"<a href="/uses/">Uses</a>"#)
    });
    std::fs::remove_file(root.join("pages/uses.md")).unwrap();
    server.wait_for("/uses/", "dropped the page", |r| r.status == 404);
    server.wait_for(&article, "dropped it from the menu", |r| {
        !r.body.contains(r#"href="/uses/""#)
    });
}
