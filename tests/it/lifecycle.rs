//! The content lifecycle: scheduled and expiring articles at a build's
//! *now*, the `schedule` command, and aliases. (Moves followed by
//! `publish` are in publish.rs, against both targets.)

use std::path::Path;

use crate::common::*;

/// 2026-11-27T00:00:00Z.
const NOW_EPOCH: &str = "1795737600";

fn write_article(root: &Path, slug: &str, front_matter: &str) {
    let text = format!("---\ntitle: {slug}\ndate: 2026-01-01\n{front_matter}---\nbody of {slug}\n");
    std::fs::write(root.join(format!("content/{slug}.md")), text).unwrap();
}

/// A starter site with an article that appears later, one that expired,
/// and one that expires later.
fn scheduled_site() -> tempfile::TempDir {
    let site = starter_site();
    write_article(
        site.path(),
        "later",
        "publish_date: 2027-01-01T09:00:00+02:00\n",
    );
    write_article(site.path(), "expired", "expiry_date: 2026-06-01\n");
    write_article(
        site.path(),
        "expiring",
        "expiry_date: 2026-12-24T18:00:00Z\n",
    );
    site
}

fn built_pages(root: &Path) -> Vec<&'static str> {
    ["later", "expired", "expiring"]
        .into_iter()
        .filter(|slug| root.join(format!("public/{slug}/index.html")).exists())
        .collect()
}

fn build_at(root: &Path, epoch: &str, extra: &[&str]) -> String {
    let out = notesite(root)
        .arg("build")
        .args(extra)
        .env("SOURCE_DATE_EPOCH", epoch)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

#[test]
fn future_and_expired_articles_follow_the_builds_now() {
    let site = scheduled_site();
    let root = site.path();
    let summary = build_at(root, NOW_EPOCH, &[]);
    assert_eq!(built_pages(root), ["expiring"]);
    assert!(
        summary.contains("next scheduled change: 2026-12-24T18:00:00Z (expiring expires)"),
        "{summary}"
    );
    build_at(root, NOW_EPOCH, &["--future"]);
    assert_eq!(built_pages(root), ["later", "expiring"]);
    let later = read(&root.join("public/later/index.html"));
    assert!(
        later.contains("publish date") && later.contains("2027-01-01T09:00:00+02:00"),
        "the meta box shows the date as written"
    );
    build_at(root, NOW_EPOCH, &["--expired"]);
    assert_eq!(built_pages(root), ["expired", "expiring"]);
    // --now wins over SOURCE_DATE_EPOCH; at 2027-02-01 the later article
    // is out and the expiring one gone.
    build_at(root, NOW_EPOCH, &["--now", "2027-02-01T00:00:00Z"]);
    assert_eq!(built_pages(root), ["later"]);
    // Publication is at the instant, offset included: 07:00Z, not 09:00Z.
    build_at(root, NOW_EPOCH, &["--now", "2027-01-01T07:00:00Z"]);
    assert_eq!(built_pages(root), ["later"]);
    build_at(root, NOW_EPOCH, &["--now", "2027-01-01T06:59:59Z"]);
    assert!(built_pages(root).is_empty());
}

#[test]
fn the_same_sources_and_now_build_the_same_bytes() {
    let site = scheduled_site();
    build_at(site.path(), NOW_EPOCH, &[]);
    let first = tree(&site.path().join("public"));
    build_at(site.path(), NOW_EPOCH, &["--jobs", "1"]);
    assert!(
        first == tree(&site.path().join("public")),
        "same now, other bytes"
    );
}

#[test]
fn schedule_lists_coming_changes_nearest_first() {
    let site = scheduled_site();
    let text = notesite(site.path())
        .arg("schedule")
        .env("SOURCE_DATE_EPOCH", NOW_EPOCH)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "2026-12-24T18:00:00Z  expires  expiring  (content/expiring.md)",
            "2027-01-01T07:00:00Z  appears  later  (content/later.md)",
        ]
    );
    let json = notesite(site.path())
        .args(["schedule", "--json", "--now", "2026-12-25"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{
            "at": "2027-01-01T07:00:00Z", "change": "appears", "slug": "later",
            "path": "content/later.md", "title": "later"
        }])
    );
    let none = notesite(site.path())
        .args(["schedule", "--now", "2030-01-01"])
        .assert()
        .success();
    assert!(
        String::from_utf8_lossy(&none.get_output().stdout)
            .starts_with("nothing scheduled after 2030-01-01")
    );
}

#[test]
fn aliases_become_redirect_pages_and_redirects_lines_not_sitemap_entries() {
    let site = starter_site();
    write_article(
        site.path(),
        "moved",
        "aliases: [/old/path/, /older, /oldest.html]\n",
    );
    build_here(site.path()).unwrap();
    let public = site.path().join("public");
    for page in ["old/path/index.html", "older/index.html", "oldest.html"] {
        let html = read(&public.join(page));
        assert!(
            html.contains(r#"<meta http-equiv="refresh" content="0; url=/moved/">"#),
            "{page}: {html}"
        );
        assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
        assert!(
            html.contains(r#"rel="canonical" href="https://"#)
                && html.contains(r#"<a href="/moved/">"#)
        );
    }
    assert_eq!(
        read(&public.join("_redirects")),
        "/old/path/ /moved/ 301\n/older/ /moved/ 301\n/oldest.html /moved/ 301\n"
    );
    let sitemap = read(&public.join("sitemap.xml"));
    assert!(
        sitemap.contains("/moved/</loc>") && !sitemap.contains("old"),
        "{sitemap}"
    );
    // A site without aliases has no _redirects.
    let plain = starter_site();
    build_here(plain.path()).unwrap();
    assert!(!plain.path().join("public/_redirects").exists());
}

#[test]
fn the_ci_example_builds_publishes_hourly_and_purges() {
    let text = read(&example_root().join("docs/github-actions-publish.yml"));
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("the workflow is YAML");
    let on = &workflow["on"];
    assert!(on["push"].is_mapping() && on["schedule"][0]["cron"].as_str().is_some());
    let steps = workflow["jobs"]["publish"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| {
        r.contains("notesite publish --build") && r.contains("--purge-list purge.txt")
    }));
    // The page cache is kept between runs: saved under a key of its own,
    // restored by prefix (safe; see the README), next to a kept binary.
    let cached = |path: &str| {
        steps
            .iter()
            .find(|s| s["with"]["path"].as_str() == Some(path))
            .unwrap_or_else(|| panic!("no actions/cache step for {path}"))
    };
    let pages = cached(".notesite/cache");
    assert!(
        pages["uses"]
            .as_str()
            .unwrap()
            .starts_with("actions/cache@")
    );
    assert!(
        pages["with"]["key"]
            .as_str()
            .unwrap()
            .contains("github.run_id")
    );
    assert!(pages["with"]["restore-keys"].as_str().is_some());
    cached("~/.cargo/bin/notesite");
    assert!(
        runs.iter()
            .any(|r| r.contains("create-invalidation") && r.contains("purge.txt"))
    );
    assert!(read(&example_root().join("README.md")).contains("docs/github-actions-publish.yml"));
}
