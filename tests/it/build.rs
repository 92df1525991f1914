//! `notesite build` on real sites: every page kind, the seed article page,
//! determinism, hashed assets, escaping, drafts and base URLs.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn example_site_builds_every_page_kind() {
    let site = example_site();
    build(site.path(), &[]).stdout(predicate::str::contains("built 12 articles"));
    let out = site.path().join("public");
    for file in [
        "index.html",
        "page/2/index.html",
        "stack/index.html",
        "stack/redis-caching/index.html",
        "tools/redis/index.html",
        "difficulty/advanced/index.html",
        "entities/database/index.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "_headers",
        "asset-manifest.json",
        &format!("{SEED_SLUG}/index.html"),
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let atom = read(&out.join("atom.xml"));
    assert_eq!(atom.matches("<entry>").count(), 12);
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains(&format!(
        "<loc>https://notes.alphanode.example/{SEED_SLUG}/</loc><lastmod>2026-07-01</lastmod>"
    )));
    assert!(
        read(&out.join("robots.txt"))
            .contains("Sitemap: https://notes.alphanode.example/sitemap.xml")
    );
    let index = read(&out.join("index.html"));
    assert_eq!(
        index.matches("<li>\n    <h2>").count(),
        10,
        "first index page holds paginate_by articles"
    );
    assert!(index.contains("href=\"/page/2/\""));
}

#[test]
fn seed_article_page_matches_the_export() {
    let site = example_site();
    build(site.path(), &[]);
    let html = read(
        &site
            .path()
            .join("public")
            .join(SEED_SLUG)
            .join("index.html"),
    );
    for source in ["dummyimage.com", "placehold.co", "picsum.photos"] {
        assert_eq!(
            html.matches(&format!(". image source: {source}</figcaption></figure>"))
                .count(),
            1,
            "{source}"
        );
    }
    assert_eq!(html.matches("<figure><img ").count(), 3);
    assert!(html.contains("<pre class=\"code\" data-lang=\"text\"><code class=\"language-text\">redis-cli --scan --pattern &#39;anp:*&#39; | head"));
    assert!(html.contains("<li>review query plans</li>"));
    assert!(html.contains("<h2 id=\"post-meta-title\">alphanode post meta</h2>"));
    assert!(html.contains("<dt>view count</dt>\n    <dd class=\"meta-view_count\">127245"));
    assert!(html.contains("<dt>needs human review</dt><dd>no</dd>"));
    assert!(html.contains("<h2 id=\"similar-posts-title\">Similar Posts</h2>"));
    assert!(html.contains("<a href=\"/python-notes-celery-retries-that-do-not-duplicate-work/\">"));
    insta::assert_snapshot!("seed_article_page", redact_hashes(&html));
}

#[test]
fn highlighted_code_uses_classes_and_the_syntax_stylesheet() {
    let site = example_site();
    build(site.path(), &[]);
    let out = site.path().join("public");
    let html = read(&out.join("rust-notes-async-timeouts-in-tokio-services/index.html"));
    assert!(html.contains("<code class=\"language-rust\"><span class=\"hl-source hl-rust\">"));
    assert!(!html.contains("style=\""), "no inline styles");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("asset-manifest.json"))).unwrap();
    let syntax = manifest["syntax.css"].as_str().unwrap();
    assert!(read(&out.join(syntax)).contains(".hl-keyword"));
    assert!(html.contains(&format!("href=\"/{syntax}\"")));
}

#[test]
fn two_builds_are_byte_identical_whatever_the_job_count() {
    let site = example_site();
    build(site.path(), &["--out", "a", "--jobs", "1"]);
    build(site.path(), &["--out", "b", "--jobs", "2"]);
    build(site.path(), &["--out", "c"]);
    let a = tree(&site.path().join("a"));
    assert!(a.len() > 100);
    assert!(
        a == tree(&site.path().join("b")),
        "--jobs 1 and --jobs 2 differ"
    );
    assert!(a == tree(&site.path().join("c")), "two builds differ");
}

#[test]
fn assets_are_content_hashed_and_css_references_rewritten() {
    let site = example_site();
    build(site.path(), &[]);
    let out = site.path().join("public");
    let manifest: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&read(&out.join("asset-manifest.json"))).unwrap();
    assert_eq!(
        manifest.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "css/site.css",
            "img/favicon.svg",
            "js/search.js",
            "js/site.js",
            "js/stem.js",
            "syntax.css"
        ]
    );
    for hashed in manifest.values() {
        let bytes = std::fs::read(out.join(hashed)).unwrap();
        let hash = blake3::hash(&bytes).to_hex();
        assert!(
            hashed.contains(&format!(".{}.", &hash[..10])),
            "{hashed} is not named by its content"
        );
    }
    let css = read(&out.join(&manifest["css/site.css"]));
    let svg_name = manifest["img/favicon.svg"].rsplit('/').next().unwrap();
    assert!(
        css.contains(&format!("url(../img/{svg_name})")),
        "css url() not rewritten"
    );
    let headers = read(&out.join("_headers"));
    assert!(headers.contains(
        "/assets/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"
    ));
    assert!(headers.contains("/*\n  Cache-Control: public, max-age=0, must-revalidate"));
}

#[test]
fn script_in_a_title_is_escaped_in_every_page_and_feed() {
    let site = starter_site();
    let article = "---\ntitle: \"<script>alert(1)</script>\"\ndate: 2026-08-01\nsummary: \"<img src=x onerror=alert(2)>\"\nstack: [\"<b>bold</b>\"]\n---\nhello\n";
    std::fs::write(site.path().join("content/xss.md"), article).unwrap();
    build(site.path(), &[]);
    let out = site.path().join("public");
    for (file, bytes) in tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("<script>alert"), "unescaped title in {file}");
        assert!(!text.contains("<img src=x"), "unescaped summary in {file}");
        assert!(!text.contains("<b>bold"), "unescaped term in {file}");
    }
    for file in ["xss/index.html", "index.html", "atom.xml"] {
        assert!(
            read(&out.join(file)).contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{file}"
        );
    }
}

#[test]
fn raw_html_in_markdown_is_sanitized_unless_turned_off() {
    let site = starter_site();
    let article = "---\ntitle: raw\ndate: 2026-08-01\n---\n<div onclick=\"steal()\">kept text</div>\n\n<script>alert(1)</script>\n";
    std::fs::write(site.path().join("content/raw.md"), article).unwrap();
    build(site.path(), &[]);
    let html = read(&site.path().join("public/raw/index.html"));
    assert!(html.contains("kept text"));
    assert!(
        !html.contains("onclick") && !html.contains("<script>alert"),
        "{html}"
    );

    let config =
        read(&site.path().join("site.yaml")).replace("sanitize_html: true", "sanitize_html: false");
    std::fs::write(site.path().join("site.yaml"), config).unwrap();
    build(site.path(), &[]);
    assert!(read(&site.path().join("public/raw/index.html")).contains("<script>alert(1)</script>"));
}

#[test]
fn drafts_are_built_only_with_the_flag() {
    let site = starter_site();
    notesite(site.path())
        .args(["new", "work in progress"])
        .assert()
        .success();
    build(site.path(), &[]);
    assert!(!site.path().join("public/work-in-progress").exists());
    build(site.path(), &["--drafts"]);
    assert!(
        site.path()
            .join("public/work-in-progress/index.html")
            .is_file()
    );
}

#[test]
fn base_url_flag_moves_links_under_a_sub_path() {
    let site = starter_site();
    build(site.path(), &["--base-url", "https://example.org/notes/"]);
    let out = site.path().join("public");
    let html = read(&out.join(SEED_SLUG).join("index.html"));
    assert!(html.contains("href=\"/notes/assets/css/site."));
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.org/notes/"));
    assert!(read(&out.join("atom.xml")).contains("<id>https://example.org/notes/</id>"));
    notesite(site.path())
        .args(["build", "--base-url", "javascript:alert(1)"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "must be an http:// or https:// URL",
        ));
}

#[test]
fn check_writes_nothing_and_passes_on_the_example() {
    let site = example_site();
    let before = crate::common::tree(site.path());
    notesite(site.path())
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("checked 12 articles"));
    assert!(!site.path().join("public").exists());
    assert_eq!(crate::common::tree(site.path()), before);
}

#[test]
fn init_makes_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let site = init_site();
    for file in [
        "site.yaml",
        "content/first-note.md",
        "pages/about.md",
        "root/robots.txt",
        "templates/article.html",
        "templates/page.html",
        "templates/partials/meta_box.html",
        "static/css/site.css",
    ] {
        assert!(site.path().join(file).is_file(), "{file}");
    }
    build(site.path(), &[]).stdout(predicate::str::contains("built 1 article, "));
    assert_cmd::Command::cargo_bin("notesite")
        .unwrap()
        .arg("init")
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not empty"));
}

/// Issue 21, outcome 6: `init` wrote the example site's alphanode config
/// and a load-test article. Now it writes a site of the user's own, which
/// warns until its title and base URL are filled in and then checks clean.
#[test]
fn init_writes_a_site_of_ones_own_that_checks_clean_once_filled_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notes");
    let made = assert_cmd::Command::cargo_bin("notesite")
        .unwrap()
        .arg("init")
        .arg(&dir)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&made.get_output().stdout).into_owned();
    assert!(
        said.contains("next: fill in title and base_url in"),
        "{said}"
    );
    for (file, bytes) in crate::common::tree(&dir) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for foreign in ["alphanode", "load-test", "synth"] {
            assert!(!text.contains(foreign), "{file} mentions {foreign}");
        }
    }
    let checked = notesite(&dir).arg("check").assert().success();
    let stderr = String::from_utf8_lossy(&checked.get_output().stderr).into_owned();
    let warnings: Vec<&str> = stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(warnings[0].starts_with("site.yaml: warning: base_url is not set"));
    assert!(warnings[1].starts_with("site.yaml:6:1: warning: title is empty"));

    crate::common::fill_in_config(&dir);
    notesite(&dir)
        .arg("check")
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("no errors, 0 warnings"));
    build(&dir, &[]).stderr("");
    let public = dir.join("public");
    let home = read(&public.join("index.html"));
    assert!(home.contains("<title>Ana&#39;s notes</title>"), "{home}");
    assert!(home.contains(r#"<a href="/about/">About</a>"#), "{home}");
    let note = read(&public.join("first-note/index.html"));
    assert!(
        note.contains(r#"<a href="/about/">About page</a>"#),
        "{note}"
    );
    assert_eq!(
        read(&public.join("robots.txt")),
        read(&dir.join("root/robots.txt")),
        "root/robots.txt replaces the generated one"
    );

    // A Sitemap line for another site than base_url is a warning.
    let robots = dir.join("root/robots.txt");
    let text = read(&robots) + "Sitemap: https://notes.example.org/sitemap.xml\n";
    std::fs::write(&robots, text).unwrap();
    notesite(&dir).arg("check").assert().success().stderr(predicate::str::contains(
        "root/robots.txt:13:1: warning: names the sitemap `https://notes.example.org/sitemap.xml`, which is not on this site (https://ana.example.org/)",
    ));
}

/// Issue 19, item 16: a 0-byte file was "not empty".
#[test]
fn init_on_a_file_says_it_is_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("site");
    std::fs::write(&file, "").unwrap();
    assert_cmd::Command::cargo_bin("notesite")
        .unwrap()
        .arg("init")
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("is a file, not a folder"));
    assert_eq!(std::fs::read(&file).unwrap(), b"");
}

#[test]
fn a_site_without_templates_or_static_uses_the_built_in_ones() {
    let site = starter_site();
    std::fs::remove_dir_all(site.path().join("templates")).unwrap();
    std::fs::remove_dir_all(site.path().join("static")).unwrap();
    build(site.path(), &[]);
    assert!(seed_page(site.path()).contains("alphanode post meta"));
}

#[test]
fn a_symlinked_template_is_used_inside_the_site_and_refused_outside() {
    let site = starter_site();
    let shared = site.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(
        shared.join("similar.html"),
        "<p class=\"linked-similar\"></p>\n",
    )
    .unwrap();
    let partial = site.path().join("templates/partials/similar.html");
    std::fs::remove_file(&partial).unwrap();
    std::os::unix::fs::symlink(shared.join("similar.html"), &partial).unwrap();
    build(site.path(), &[]);
    assert!(
        seed_page(site.path()).contains("linked-similar"),
        "the link was followed"
    );

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.html"), "outside").unwrap();
    std::fs::remove_file(&partial).unwrap();
    std::os::unix::fs::symlink(outside.path().join("x.html"), &partial).unwrap();
    notesite(site.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("templates/partials/similar.html")
                .and(predicate::str::contains("outside the site")),
        );
}

#[test]
fn site_templates_override_built_in_ones_by_name() {
    let site = starter_site();
    std::fs::write(
        site.path().join("templates/partials/similar.html"),
        "<p class=\"custom-similar\">{{ similar | length }}</p>\n",
    )
    .unwrap();
    build(site.path(), &[]);
    assert!(seed_page(site.path()).contains("<p class=\"custom-similar\">0</p>"));
}

#[test]
fn new_refuses_to_overwrite_and_writes_a_valid_skeleton() {
    let site = init_site();
    notesite(site.path())
        .args(["new", "Kafka: Lag!"])
        .assert()
        .success();
    let text = read(&site.path().join("content/kafka-lag.md"));
    assert!(text.starts_with("---\ntitle: 'Kafka: Lag!'\n"), "{text}");
    notesite(site.path())
        .args(["new", "Kafka: Lag!"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    notesite(site.path())
        .args(["check", "--drafts"])
        .assert()
        .success();
}

// The output swap: a killed, interrupted or symlinked build never leaves
// the site without a complete output.

/// `strace`, which the kill tests use to stop the build at an exact system
/// call. `scripts/test` installs it; without it these tests fail, saying so.
fn strace() -> &'static str {
    let path = "/usr/bin/strace";
    assert!(
        std::path::Path::new(path).exists(),
        "{path} is missing: the swap kill tests need it; run scripts/test, which installs it (apt-get install strace)"
    );
    path
}

/// Runs `notesite build` under strace with `inject` (e.g.
/// `rename,renameat,renameat2:signal=KILL:when=2`); returns the exit status.
fn build_under_strace(
    root: &std::path::Path,
    inject: &str,
    env: &[(&str, &str)],
) -> std::process::ExitStatus {
    let binary = assert_cmd::cargo::cargo_bin("notesite");
    let syscalls = inject.split(':').next().unwrap();
    std::process::Command::new(strace())
        .args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg(format!("trace={syscalls}"))
        .arg("-e")
        .arg(format!("inject={inject}"))
        .arg(binary)
        .arg("--root")
        .arg(root)
        .arg("build")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
}

/// How many renames one build makes (all on the main thread).
fn renames_in_a_build(root: &std::path::Path, env: &[(&str, &str)]) -> usize {
    let log = root.join("strace.log");
    let status = std::process::Command::new(strace())
        .args(["-f", "-qq", "-e", "trace=rename,renameat,renameat2", "-o"])
        .arg(&log)
        .arg(assert_cmd::cargo::cargo_bin("notesite"))
        .arg("--root")
        .arg(root)
        .arg("build")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // The swap's renames; the page cache is written after the swap, by a
    // rename of its own that a kill here would not test.
    let count = (read(&log).lines())
        .filter(|l| l.contains("rename") && !l.contains(".notesite/cache"))
        .count();
    std::fs::remove_file(log).unwrap();
    count
}

/// A site with `public/` built from the example, then edited (an article
/// and the stylesheet) so the next build changes pages and assets. Returns
/// the site, the old output and the output the edit builds.
fn site_mid_edit() -> (tempfile::TempDir, Tree, Tree) {
    let site = example_site();
    build(site.path(), &[]);
    let old = tree(&site.path().join("public"));
    let article = site.path().join("content").join(format!("{SEED_SLUG}.md"));
    std::fs::write(&article, format!("{}\nAn edit.\n", read(&article))).unwrap();
    let css = site.path().join("static/css/site.css");
    std::fs::write(&css, format!("{}\n.edited {{ color: red; }}\n", read(&css))).unwrap();
    build(site.path(), &["--out", "public-new"]);
    let new = tree(&site.path().join("public-new"));
    std::fs::remove_dir_all(site.path().join("public-new")).unwrap();
    (site, old, new)
}

fn staging_leftovers(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".staging-"))
        .collect()
}

/// Every page of the old output is there and every asset a page uses.
fn assert_complete(public: &std::path::Path, old: &Tree, when: &str) {
    let now = tree(public);
    for key in old
        .keys()
        .filter(|k| k.ends_with(".html") || k.ends_with(".xml"))
    {
        assert!(now.contains_key(key), "{when}: {key} is missing");
    }
    for (key, bytes) in now.iter().filter(|(k, _)| k.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for (at, _) in html.match_indices("\"/assets/") {
            let rest = &html[at + 2..];
            let asset = &rest[..rest.find('"').unwrap()];
            assert!(
                now.contains_key(asset),
                "{when}: {key} uses {asset}, which is missing"
            );
        }
    }
}

#[test]
fn a_build_killed_at_the_swap_leaves_the_old_or_the_new_site_whole() {
    let (template, old, new) = site_mid_edit();
    let probe = tempfile::tempdir().unwrap();
    copy_dir(template.path(), probe.path());
    let renames = renames_in_a_build(probe.path(), &[]);
    assert!(renames >= 1, "the swap is a rename");
    for when in 1..=renames {
        let site = tempfile::tempdir().unwrap();
        copy_dir(template.path(), site.path());
        let status = build_under_strace(
            site.path(),
            &format!("rename,renameat,renameat2:signal=KILL:when={when}"),
            &[],
        );
        assert!(!status.success(), "killed at rename {when}");
        let now = tree(&site.path().join("public"));
        assert!(
            now == old || now == new,
            "killed at rename {when}: public/ is neither the old nor the new site"
        );
        build(site.path(), &[]);
        assert_eq!(tree(&site.path().join("public")), new);
        assert_eq!(
            staging_leftovers(site.path()),
            Vec::<String>::new(),
            "after the next build"
        );
    }
}

#[test]
fn a_portable_swap_killed_at_any_rename_leaves_a_complete_site() {
    let portable = [(notesite::PORTABLE_SWAP_ENV, "1")];
    let (template, old, new) = site_mid_edit();
    let probe = tempfile::tempdir().unwrap();
    copy_dir(template.path(), probe.path());
    let renames = renames_in_a_build(probe.path(), &portable);
    assert!(renames > 10, "one rename per changed file: {renames}");
    let mut stops = vec![1, 2, 3, renames / 2, renames - 1, renames];
    stops.dedup();
    for when in stops {
        let site = tempfile::tempdir().unwrap();
        copy_dir(template.path(), site.path());
        let inject = format!("rename,renameat,renameat2:signal=KILL:when={when}");
        assert!(
            !build_under_strace(site.path(), &inject, &portable).success(),
            "not killed at rename {when} of {renames}"
        );
        assert_complete(
            &site.path().join("public"),
            &old,
            &format!("killed at rename {when}"),
        );
        notesite(site.path())
            .arg("build")
            .env(portable[0].0, "1")
            .assert()
            .success();
        assert_eq!(tree(&site.path().join("public")), new);
        assert_eq!(staging_leftovers(site.path()), Vec::<String>::new());
    }
}

#[test]
fn ctrl_c_or_sigterm_during_a_build_removes_the_staging_folder() {
    let (template, old, _) = site_mid_edit();
    for signal in ["INT", "TERM"] {
        let site = tempfile::tempdir().unwrap();
        copy_dir(template.path(), site.path());
        // Each thread's 10th write: rendering has begun, staging is full of pages.
        let status =
            build_under_strace(site.path(), &format!("write:signal={signal}:when=10"), &[]);
        assert_eq!(
            status.code(),
            Some(130),
            "SIG{signal} ends the build with 130"
        );
        assert_eq!(
            staging_leftovers(site.path()),
            Vec::<String>::new(),
            "SIG{signal}"
        );
        assert_eq!(
            tree(&site.path().join("public")),
            old,
            "SIG{signal}: the old site is untouched"
        );
    }
}

#[test]
fn a_symlinked_output_is_built_through_the_link() {
    let site = example_site();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("mine.txt"), "not notesite's").unwrap();
    let real = elsewhere.path().join("www");
    std::fs::create_dir(&real).unwrap();
    let link = site.path().join("public");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    build(site.path(), &[]);
    build(site.path(), &[]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert!(real.join("index.html").is_file() && real.join("asset-manifest.json").is_file());
    assert_eq!(read(&elsewhere.path().join("mine.txt")), "not notesite's");
    assert_eq!(staging_leftovers(elsewhere.path()), Vec::<String>::new());

    // A link to a folder of someone's files is refused, and nothing moves.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
    notesite(site.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a notesite output"));
    assert_eq!(read(&elsewhere.path().join("mine.txt")), "not notesite's");

    // A dangling link is an error, not a folder in its place.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("nope"), &link).unwrap();
    notesite(site.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "symlink to something that does not exist",
        ));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// Issue 21, outcome 1: `root/` is copied to the site root as it is, dot
/// folders included, never hashed; its `robots.txt` replaces the generated
/// one; the preview serves it and `publish` uploads it like a page.
#[test]
fn root_files_are_published_at_the_site_root_as_they_are() {
    let site = starter_site();
    let files = [
        ("root/CNAME", "notes.example.org\n"),
        (
            "root/.well-known/security.txt",
            "Contact: mailto:security@example.org\n",
        ),
        (
            "root/google1234.html",
            "google-site-verification: google1234.html",
        ),
        ("root/robots.txt", "User-agent: *\nDisallow: /drafts/\n"),
    ];
    for (rel, text) in files {
        let path = site.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    build(site.path(), &[]);
    let public = site.path().join("public");
    for (rel, text) in files {
        let out = public.join(rel.strip_prefix("root/").unwrap());
        assert_eq!(read(&out), text, "{rel}");
    }
    // Page cache rules (`/*`), not the immutable asset rule.
    assert!(read(&public.join("_headers")).contains("/*\n  Cache-Control: public, max-age=0"));

    let target = tempfile::tempdir().unwrap();
    notesite(site.path())
        .args([
            "publish",
            "--to",
            &format!("file://{}", target.path().display()),
        ])
        .assert()
        .success();
    assert_eq!(read(&target.path().join("CNAME")), "notes.example.org\n");
    assert!(target.path().join(".well-known/security.txt").is_file());

    let server = crate::common::server::Server::start(site.path(), &[]);
    let response = crate::common::server::raw_get(server.port, "/CNAME");
    assert_eq!(response.status, 200);
    assert!(response.body.contains("notes.example.org"));
    // The preview watches root/ too, hidden folders included.
    std::fs::write(
        site.path().join("root/.well-known/new.txt"),
        "added while serving",
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = crate::common::server::raw_get(server.port, "/.well-known/new.txt");
        if response.status == 200 && response.body.contains("added while serving") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the preview never served the new root file"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Issue 21, outcome 1: a static/ file named for the site root is hashed
/// away under /assets/; check says where it belongs.
#[test]
fn check_warns_about_a_static_file_meant_for_the_root() {
    let site = starter_site();
    std::fs::write(site.path().join("static/robots.txt"), "User-agent: *\n").unwrap();
    notesite(site.path())
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "static/robots.txt: warning: published as a hashed asset under /assets/, not at the site root; if it belongs at /robots.txt, move it to root/robots.txt",
        ));
}

/// Issue 21, outcome 6 (one part): a site.yaml without base_url built and
/// put http://localhost:1111 into canonical URLs, the sitemap and the feed
/// without a word.
#[test]
fn build_warns_when_base_url_is_not_set() {
    let site = init_site();
    std::fs::write(site.path().join("site.yaml"), "title: my notes\n").unwrap();
    build(site.path(), &[]).stderr(predicate::str::contains(
        "site.yaml: warning: base_url is not set, so canonical links, the sitemap and the feed point at http://localhost:1111",
    ));
    std::fs::write(
        site.path().join("site.yaml"),
        "title: my notes\nbase_url: https://notes.example.org\n",
    )
    .unwrap();
    build(site.path(), &[]).stderr(predicate::str::contains("base_url").not());
    // --base-url sets it for the run.
    build(site.path(), &["--base-url", "https://other.example.org"])
        .stderr(predicate::str::contains("base_url").not());
}

/// Issue 21, outcome 6 (one part): `new` and then `draft: false` published
/// a meta box of empty rows, and `check` said nothing.
#[test]
fn check_warns_about_empty_meta_rows_of_a_published_article() {
    let site = starter_site();
    notesite(site.path())
        .args(["new", "My first note"])
        .assert()
        .success();
    let path = site.path().join("content/my-first-note.md");
    // As a draft: no warnings about it.
    notesite(site.path())
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains("my-first-note").not());
    std::fs::write(&path, read(&path).replace("draft: true", "draft: false")).unwrap();
    let checked = notesite(site.path()).arg("check").assert().success();
    let stderr = String::from_utf8_lossy(&checked.get_output().stderr).into_owned();
    for key in ["topic", "summary", "outline", "brief", "reference", "hash"] {
        let line = read(&path)
            .lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .unwrap()
            + 1;
        assert!(
            stderr.contains(&format!(
                "content/my-first-note.md:{line}:1: warning: `{key}` is empty, and the article is not a draft"
            )),
            "{key}:\n{stderr}"
        );
    }
    // Empty lists are left out of the meta box: nothing to warn about.
    assert!(!stderr.contains("`stack` is empty"), "{stderr}");
}

/// Issue 21, outcome 3 (site.yaml's part): `menu:` entries show in the
/// header in order, site paths under the base path, and one that is no
/// page of the site is an error at its line.
#[test]
fn menu_entries_show_in_the_header_and_site_paths_are_checked() {
    let site = starter_site();
    let config = site.path().join("site.yaml");
    let base = read(&config);
    std::fs::write(
        &config,
        format!("{base}\nmenu:\n  - {{title: databases, url: /stack/database/}}\n  - {{title: source, url: https://example.org/src}}\n"),
    )
    .unwrap();
    build(site.path(), &["--base-url", "https://example.org/notes/"]);
    let home = read(&site.path().join("public/index.html"));
    let databases = home.find(r#"<a href="/notes/stack/database/">databases</a>"#);
    let source = home.find(r#"<a href="https://example.org/src">source</a>"#);
    assert!(
        databases.is_some() && source.is_some() && databases < source,
        "{home}"
    );

    let lines = base.lines().count();
    std::fs::write(
        &config,
        format!(
            "{base}\nmenu:\n  - title: about\n    url: /about/\n  - title: x\n    url: ftp://x\n"
        ),
    )
    .unwrap();
    notesite(site.path())
        .arg("check")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "menu entry `x` has url `ftp://x`: write a path on this site",
        ));
    std::fs::write(
        &config,
        format!("{base}\nmenu:\n  - title: contact\n    url: /contact/\n"),
    )
    .unwrap();
    notesite(site.path())
        .arg("check")
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "site.yaml:{}:5: error: menu entry `contact` links to `/contact/`, which is not a page of this site",
            lines + 4
        )));
}

/// Issue 21, outcome 7: `extra:` takes any YAML, shows nowhere by default,
/// and reaches templates as `page.extra`; its text is still checked.
#[test]
fn extra_is_free_form_data_for_templates_and_shown_nowhere_by_default() {
    let site = starter_site();
    let path = site.path().join(format!("content/{SEED_SLUG}.md"));
    let text = read(&path).replacen(
        "---\n",
        "---\nextra: {team: infra, links: [a, b], weight: 3, nested: {deep: true}}\n",
        1,
    );
    std::fs::write(&path, text).unwrap();
    build(site.path(), &[]);
    let page = seed_page(site.path());
    assert!(
        !page.contains("infra") && !page.contains(">extra<"),
        "shown nowhere by default"
    );

    let template = site.path().join("templates/article.html");
    let custom = read(&template).replace(
        "<div class=\"content\">",
        "<p class=\"owner\">{{ page.extra.team }} {{ page.extra.links | length }} {{ page.extra.nested.deep }}</p>\n  <div class=\"content\">",
    );
    std::fs::write(&template, custom).unwrap();
    build(site.path(), &[]);
    assert!(seed_page(site.path()).contains("<p class=\"owner\">infra 2 true</p>"));

    // Everything else stays strict: a control character in it is an error.
    let text = read(&path).replace("team: infra", "team: \"in\\u0007fra\"");
    std::fs::write(&path, text).unwrap();
    notesite(site.path())
        .arg("check")
        .assert()
        .failure()
        .stderr(predicate::str::contains("holds the character U+0007"));
}

/// Issue 21, outcome 4: a site path means a page of this site wherever it
/// is deployed, and a link to an article's source file means its page;
/// with and without a base path.
#[test]
fn site_paths_and_source_links_follow_the_base_path() {
    let site = starter_site();
    for (base_url, base) in [
        ("https://example.org/notes/", "/notes"),
        ("https://example.org", ""),
    ] {
        // A link written with the base path already is kept as it is.
        let already = match base {
            "" => String::new(),
            _ => format!(" [already]({base}/{SEED_SLUG}/)"),
        };
        let body = format!(
            "[abs](/{SEED_SLUG}/) [src]({SEED_SLUG}.md) [up](../{SEED_SLUG}.md#why-this-matters){already} \
             ![icon](/img/favicon.svg)\n"
        );
        std::fs::write(
            site.path().join("content/linker.md"),
            format!("---\ntitle: linker\ndate: 2026-01-01\n---\n{body}"),
        )
        .unwrap();
        build(site.path(), &["--base-url", base_url]);
        let page = read(&site.path().join("public/linker/index.html"));
        let page_url = format!("{base}/{SEED_SLUG}/");
        for link in [
            format!(r#"<a href="{page_url}">abs</a>"#),
            format!(r#"<a href="{page_url}">src</a>"#),
            format!(r#"<a href="{page_url}#why-this-matters">up</a>"#),
            format!(r#"src="{base}/assets/img/favicon."#),
        ] {
            assert!(page.contains(&link), "{base}: {link} in\n{page}");
        }
        if !base.is_empty() {
            assert!(
                page.contains(&format!(r#"<a href="{page_url}">already</a>"#)),
                "{page}"
            );
        }
    }
    // A source link to no article is an error, as a broken link is.
    std::fs::write(
        site.path().join("content/linker.md"),
        "---\ntitle: linker\ndate: 2026-01-01\n---\n[gone](nothing-here.md)\n",
    )
    .unwrap();
    notesite(site.path())
        .arg("check")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/linker.md:5:1: error: link to the source file `nothing-here.md`, but there is no content/nothing-here.md",
        ));
}
