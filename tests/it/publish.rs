//! `notesite publish` end to end: the real binary publishes the example site
//! to a real S3 server (Garage, started by `scripts/with-garage`, which
//! `scripts/test` runs the tests under) and to a `file://` folder. Every
//! scenario runs against both; the S3 ones fail, never skip, when Garage
//! is not running.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::common::{build, example_site, notesite, read};
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{Attribute, ObjectStore, ObjectStoreExt};

use notesite::{FAULT_ENV, RECORD_KEY as RECORD, Record};

/// A publish target and a way to read back what it holds.
struct Target {
    url: String,
    env: Vec<(&'static str, String)>,
    store: Store,
}

enum Store {
    S3 {
        client: Arc<AmazonS3>,
        prefix: String,
    },
    Dir(tempfile::TempDir),
}

fn s3_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the publish tests need a running Garage. \
             Run them with scripts/test (or scripts/with-garage cargo test --test it publish::)"
        )
    })
}

impl Target {
    /// A fresh prefix in the test bucket of the running Garage.
    fn s3(test: &str) -> Target {
        let endpoint = s3_env("NOTESITE_TEST_S3_ENDPOINT");
        let bucket = s3_env("NOTESITE_TEST_S3_BUCKET");
        let key_id = s3_env("NOTESITE_TEST_S3_KEY_ID");
        let secret = s3_env("NOTESITE_TEST_S3_SECRET");
        let region = s3_env("NOTESITE_TEST_S3_REGION");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let prefix = format!("{test}-{}-{nanos}", std::process::id());
        let client = AmazonS3Builder::new()
            .with_endpoint(&endpoint)
            .with_allow_http(true)
            .with_region(&region)
            .with_bucket_name(&bucket)
            .with_access_key_id(&key_id)
            .with_secret_access_key(&secret)
            .build()
            .unwrap();
        Target {
            url: format!("s3://{bucket}/{prefix}"),
            env: vec![
                ("AWS_ACCESS_KEY_ID", key_id),
                ("AWS_SECRET_ACCESS_KEY", secret),
                ("AWS_ENDPOINT_URL", endpoint),
                ("AWS_ALLOW_HTTP", "true".into()),
                ("AWS_REGION", region),
            ],
            store: Store::S3 {
                client: Arc::new(client),
                prefix,
            },
        }
    }

    fn dir() -> Target {
        let dir = tempfile::tempdir().unwrap();
        Target {
            url: format!("file://{}", dir.path().display()),
            env: Vec::new(),
            store: Store::Dir(dir),
        }
    }

    fn publish(&self, root: &Path, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = notesite(root);
        cmd.args(["publish", "--to", &self.url]).args(args);
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        cmd.env_remove(FAULT_ENV);
        cmd
    }

    /// Every object of the site (the record left out), with its bytes.
    fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        let mut all = match &self.store {
            Store::Dir(dir) => crate::common::tree(dir.path()),
            Store::S3 { client, prefix } => block_on(async {
                let listed: Vec<_> = client
                    .list(Some(&Key::from(prefix.as_str())))
                    .try_collect()
                    .await
                    .unwrap();
                let mut objects = BTreeMap::new();
                for meta in listed {
                    let bytes = client
                        .get(&meta.location)
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap();
                    let rel = meta.location.as_ref()[prefix.len() + 1..].to_string();
                    objects.insert(rel, bytes.to_vec());
                }
                objects
            }),
        };
        all.remove(RECORD);
        all
    }

    fn record(&self) -> Record {
        Record::parse(&self.record_bytes()).unwrap()
    }

    /// The record as stored, to tell whether a publish rewrote it.
    fn record_bytes(&self) -> Vec<u8> {
        self.read_raw(RECORD).expect("the target has a record")
    }

    /// An object's bytes, by key relative to the target.
    fn read_raw(&self, key: &str) -> Option<Vec<u8>> {
        match &self.store {
            Store::Dir(dir) => std::fs::read(dir.path().join(key)).ok(),
            Store::S3 { client, prefix } => block_on(async {
                let key = Key::from(format!("{prefix}/{key}"));
                let got = client.get(&key).await.ok()?;
                Some(got.bytes().await.unwrap().to_vec())
            }),
        }
    }

    /// Puts an object there the way a person or another tool would.
    fn put_foreign(&self, key: &str, bytes: &[u8]) {
        match &self.store {
            Store::Dir(dir) => {
                let path = dir.path().join(key);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
            Store::S3 { client, prefix } => block_on(async {
                let key = Key::from(format!("{prefix}/{key}"));
                client.put(&key, bytes.to_vec().into()).await.unwrap();
            }),
        }
    }

    /// (Content-Type, Cache-Control) of an object: read back from the store
    /// on S3; a folder keeps no headers, so there the record holds them.
    fn headers(&self, key: &str) -> (String, String) {
        match &self.store {
            Store::Dir(_) => {
                let headers = self.record().objects[key].headers.clone();
                (headers.content_type, headers.cache_control)
            }
            Store::S3 { client, prefix } => block_on(async {
                let got = client
                    .get(&Key::from(format!("{prefix}/{key}")))
                    .await
                    .unwrap();
                let attribute = |a| got.attributes.get(&a).unwrap().as_ref().to_string();
                (
                    attribute(Attribute::ContentType),
                    attribute(Attribute::CacheControl),
                )
            }),
        }
    }
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The files of a build that publish uploads: all but the build's own
/// records under `.notesite/` (the page index, the files written).
fn published_files(site: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = crate::common::tree(&site.join("public"));
    files.retain(|name, _| !name.starts_with(".notesite/"));
    files
}

/// A built copy of the example site.
fn built_site() -> tempfile::TempDir {
    let site = example_site();
    build(site.path(), &[]);
    site
}

fn stylesheet(site: &Path) -> String {
    let css = crate::common::tree(&site.join("public/assets/css"));
    let name = css.keys().find(|k| k.starts_with("site.")).unwrap();
    format!("assets/css/{name}")
}

/// The `/assets/...` files an HTML page references.
fn referenced_assets(html: &str) -> Vec<String> {
    html.match_indices("\"/assets/")
        .map(|(at, _)| {
            let rest = &html[at + 2..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Every HTML object on the target references only assets the target has.
fn assert_no_dangling_assets(objects: &BTreeMap<String, Vec<u8>>, when: &str) {
    for (key, bytes) in objects.iter().filter(|(k, _)| k.ends_with(".html")) {
        for asset in referenced_assets(&String::from_utf8_lossy(bytes)) {
            assert!(
                objects.contains_key(&asset),
                "{when}: {key} references {asset}, which is not on the target"
            );
        }
    }
}

fn edit_seed_article(site: &Path) {
    let path = site
        .join("content")
        .join(format!("{}.md", crate::common::SEED_SLUG));
    let text = read(&path);
    std::fs::write(
        &path,
        format!("{text}\nOne more paragraph, added by the test.\n"),
    )
    .unwrap();
}

fn edit_stylesheet(site: &Path) {
    let path = site.join("static/css/site.css");
    let text = read(&path);
    std::fs::write(&path, format!("{text}\n.test-added {{ color: red; }}\n")).unwrap();
}

// Scenarios, each run against both targets.

fn first_publish_and_noop_republish(target: &Target) {
    let site = built_site();
    let local = published_files(site.path());
    let first = target.publish(site.path(), &[]).assert().success();
    assert!(
        stdout(&first).contains(&format!("{} uploaded", local.len())),
        "{}",
        stdout(&first)
    );
    assert_eq!(
        target.objects(),
        local,
        "the target holds exactly the build"
    );

    let page = format!("{}/index.html", crate::common::SEED_SLUG);
    let html = target.headers(&page);
    assert_eq!(html.0, "text/html; charset=utf-8");
    assert_eq!(html.1, "public, max-age=0, must-revalidate");
    let css = target.headers(&stylesheet(site.path()));
    assert_eq!(css.0, "text/css; charset=utf-8");
    assert_eq!(css.1, "public, max-age=31536000, immutable");
    assert_eq!(
        target.headers("atom.xml").0,
        "application/atom+xml; charset=utf-8"
    );

    let record = target.record_bytes();
    let again = target.publish(site.path(), &[]).assert().success();
    let out = stdout(&again);
    assert!(
        out.contains(" 0 uploaded (0 B), 0 header-updated,") && out.contains(" 0 deleted"),
        "{out}"
    );
    assert_eq!(target.record().publish, 1);
    assert_eq!(
        target.record_bytes(),
        record,
        "a publish that changes nothing writes nothing"
    );
}

fn one_article_edit_uploads_little_and_lists_purges(target: &Target) {
    let site = built_site();
    target.publish(site.path(), &[]).assert().success();
    edit_seed_article(site.path());
    build(site.path(), &[]);
    let purge = site.path().join("purge.txt");
    let assert = target
        .publish(site.path(), &["--purge-list", purge.to_str().unwrap()])
        .assert()
        .success();
    let out = stdout(&assert);
    // The edited page, the search index's entry and the one chunk of
    // results that holds the article (its new words were all known).
    assert!(
        out.contains(": 3 uploaded") && out.contains(" 1 kept"),
        "only the edited page and its search entry change: {out}"
    );
    assert_eq!(
        read(&purge),
        format!(
            "/{slug}/\n/{slug}/index.html\n/search/index.json\n",
            slug = crate::common::SEED_SLUG
        )
    );
    assert_published_keeping_old_assets(target, site.path(), &[]);
}

/// The target holds the build and the `foreign` files, plus assets an
/// earlier publish wrote that publish keeps for pages still cached
/// (replaced search chunks).
fn assert_published_keeping_old_assets(target: &Target, site: &Path, foreign: &[&str]) {
    let mut objects = target.objects();
    for key in foreign {
        objects.remove(*key);
    }
    for (path, bytes) in published_files(site) {
        assert_eq!(objects.remove(&path).as_ref(), Some(&bytes), "{path}");
    }
    let kept: Vec<&String> = objects.keys().collect();
    assert!(
        kept.iter().all(|k| k.starts_with("assets/search/")),
        "only replaced search chunks are kept: {kept:?}"
    );
}

fn header_only_change_updates_headers(target: &Target) {
    let site = built_site();
    target.publish(site.path(), &[]).assert().success();
    let config = site.path().join("site.yaml");
    let text = read(&config).replace(
        "page_cache_control: public, max-age=0, must-revalidate",
        "page_cache_control: public, max-age=60",
    );
    std::fs::write(&config, text).unwrap();
    build(site.path(), &[]);
    let assert = target.publish(site.path(), &[]).assert().success();
    let out = stdout(&assert);
    // Only `_headers` changed content (it spells out the rule); every page
    // keeps its bytes and gets the new Cache-Control.
    assert!(out.contains(": 1 uploaded"), "{out}");
    let local = published_files(site.path());
    let revalidating = local.keys().filter(|k| !k.starts_with("assets/")).count();
    assert!(
        out.contains(&format!(" {} header-updated", revalidating - 1)),
        "every file but the assets and `_headers`: {out}"
    );
    let page = format!("{}/index.html", crate::common::SEED_SLUG);
    assert_eq!(target.headers(&page).1, "public, max-age=60");
    assert_eq!(target.headers("index.html").1, "public, max-age=60");
    let again = target.publish(site.path(), &[]).assert().success();
    assert!(
        stdout(&again).contains(" 0 header-updated"),
        "{}",
        stdout(&again)
    );
}

fn css_change_puts_asset_first_and_keeps_the_old_one(target: &Target) {
    let site = built_site();
    target.publish(site.path(), &[]).assert().success();
    let old_css = stylesheet(site.path());
    edit_stylesheet(site.path());
    build(site.path(), &[]);
    let new_css = stylesheet(site.path());
    assert_ne!(old_css, new_css);

    let dry = target
        .publish(site.path(), &["--dry-run"])
        .assert()
        .success();
    let plan = stdout(&dry);
    let first_upload = plan.lines().next().unwrap();
    assert!(
        first_upload.contains(&new_css),
        "the new stylesheet goes first:\n{plan}"
    );
    assert!(
        plan.contains(&format!("keep              {old_css}")),
        "{plan}"
    );

    // Stopped after its first operation, the publish has put up the new
    // stylesheet and not yet a single page that uses it.
    let mut stopped = target.publish(site.path(), &["--concurrency", "1"]);
    stopped.env(FAULT_ENV, "1").assert().failure();
    let objects = target.objects();
    assert!(objects.contains_key(&new_css));
    let home = String::from_utf8_lossy(&objects["index.html"]).into_owned();
    assert!(home.contains(&old_css), "no page changed yet");

    target.publish(site.path(), &[]).assert().success();
    let objects = target.objects();
    assert!(
        objects.contains_key(&old_css),
        "cached old pages still find it"
    );
    assert!(String::from_utf8_lossy(&objects["index.html"]).contains(&new_css));

    // Republishing the same build changes nothing, the kept asset included.
    let noop = target.publish(site.path(), &[]).assert().success();
    assert!(
        stdout(&noop).contains(" 0 deleted, 1 kept"),
        "{}",
        stdout(&noop)
    );
    assert!(target.objects().contains_key(&old_css));

    // One publish that changes something later, its grace period is over.
    edit_seed_article(site.path());
    build(site.path(), &[]);
    let later = target.publish(site.path(), &[]).assert().success();
    assert!(stdout(&later).contains(" 1 deleted"), "{}", stdout(&later));
    assert!(!target.objects().contains_key(&old_css));
}

fn delete_guard_and_dry_run_change_nothing(target: &Target) {
    let site = built_site();
    target.publish(site.path(), &[]).assert().success();
    let before = target.objects();
    let record_before = target.record();

    for entry in std::fs::read_dir(site.path().join("content")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with(format!("{}.md", crate::common::SEED_SLUG)) {
            std::fs::remove_file(path).unwrap();
        }
    }
    build(site.path(), &[]);
    let dry = target
        .publish(site.path(), &["--dry-run"])
        .assert()
        .success();
    let plan = stdout(&dry);
    assert!(plan.lines().any(|l| l.starts_with("delete ")), "{plan}");
    assert!(plan.contains("would publish"), "{plan}");
    assert_eq!(target.objects(), before, "a dry run changes nothing");

    let refused = target
        .publish(site.path(), &["--max-deletes", "3"])
        .assert()
        .failure();
    let err = stderr(&refused);
    assert!(
        err.contains("more than --max-deletes 3") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(
        target.objects(),
        before,
        "the guard stops before any change"
    );
    assert_eq!(target.record(), record_before);

    let allowed = target
        .publish(site.path(), &["--max-deletes", "10000"])
        .assert()
        .success();
    assert!(
        !stdout(&allowed).contains(" 0 deleted"),
        "{}",
        stdout(&allowed)
    );
    assert_published_keeping_old_assets(target, site.path(), &[]);
}

/// Killed after every few operations, the target never has a page whose
/// assets are missing, and a rerun always converges to the build.
fn killed_midway_then_rerun_converges(target: &Target) {
    let site = example_site();
    build(site.path(), &["--out", "public-v1"]);
    edit_stylesheet(site.path());
    edit_seed_article(site.path());
    build(site.path(), &[]);
    target
        .publish(site.path(), &["--out", "public-v1"])
        .assert()
        .success();
    let dry = target
        .publish(site.path(), &["--dry-run"])
        .assert()
        .success();
    let operations = stdout(&dry)
        .lines()
        .filter(|l| l.starts_with("upload") || l.starts_with("update") || l.starts_with("delete"))
        .count();
    assert!(
        operations > 10,
        "the change touches many objects: {operations}"
    );
    let mut stops: Vec<usize> = (1..=3).chain([operations / 2, operations - 1]).collect();
    stops.dedup();
    for stop in stops {
        // From the old site, a publish of the new one dies after `stop`
        // operations; then the old one is published back over the wreck.
        let mut cmd = target.publish(site.path(), &["--concurrency", "1"]);
        cmd.env(FAULT_ENV, stop.to_string()).assert().failure();
        assert_no_dangling_assets(&target.objects(), &format!("stopped after {stop}"));
        target
            .publish(
                site.path(),
                &["--out", "public-v1", "--max-deletes", "10000"],
            )
            .assert()
            .success();
        assert_no_dangling_assets(
            &target.objects(),
            &format!("back to the old site after {stop}"),
        );
    }
    let mut cmd = target.publish(site.path(), &["--concurrency", "1"]);
    cmd.env(FAULT_ENV, (operations / 2).to_string())
        .assert()
        .failure();
    target.publish(site.path(), &[]).assert().success();
    let objects = target.objects();
    assert_no_dangling_assets(&objects, "after the rerun");
    let local = published_files(site.path());
    for (key, bytes) in &local {
        assert_eq!(objects.get(key), Some(bytes), "{key} converged");
    }
    let again = target.publish(site.path(), &[]).assert().success();
    assert!(
        stdout(&again).contains(" 0 uploaded (0 B), 0 header-updated"),
        "{}",
        stdout(&again)
    );
}

/// Files that no publish wrote (another team's objects under a shared
/// prefix, a file a person put in the folder) survive every publish, even
/// one that deletes pages, and are reported once as not ours.
fn publish_never_deletes_what_it_did_not_write(target: &Target) {
    let site = built_site();
    target.put_foreign("thesis.tex", b"precious");
    target.put_foreign("team-b/index.html", b"<p>theirs</p>");
    target.put_foreign("assets/theirs.0123456789.png", b"png");
    let first = target.publish(site.path(), &[]).assert().success();
    assert!(
        stderr(&first).contains("not ours, left alone"),
        "{}",
        stderr(&first)
    );

    for entry in std::fs::read_dir(site.path().join("content")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with(format!("{}.md", crate::common::SEED_SLUG)) {
            std::fs::remove_file(path).unwrap();
        }
    }
    build(site.path(), &[]);
    let pruned = target
        .publish(site.path(), &["--max-deletes", "10000"])
        .assert()
        .success();
    assert!(
        !stdout(&pruned).contains(" 0 deleted"),
        "{}",
        stdout(&pruned)
    );
    assert_eq!(target.read_raw("thesis.tex").unwrap(), b"precious");
    assert_eq!(
        target.read_raw("team-b/index.html").unwrap(),
        b"<p>theirs</p>"
    );
    assert!(target.read_raw("assets/theirs.0123456789.png").is_some());
    let foreign = [
        "thesis.tex",
        "team-b/index.html",
        "assets/theirs.0123456789.png",
    ];
    assert_published_keeping_old_assets(target, site.path(), &foreign);
}

/// Issue 19, item 10: a first publish into a target that already held
/// files at the site's keys overwrote them without a word.
fn a_first_publish_never_overwrites_what_it_did_not_write(target: &Target) {
    let site = built_site();
    target.put_foreign("index.html", b"<p>hand-made</p>");
    target.put_foreign("404.html", b"<p>theirs</p>");
    let refused = target.publish(site.path(), &[]).assert().failure();
    let message = stderr(&refused);
    assert!(
        message.contains("already holds 2 object(s) at this site's keys that no notesite publish wrote (first: 404.html, index.html)")
            && message.contains("--adopt"),
        "{message}"
    );
    assert_eq!(target.read_raw("index.html").unwrap(), b"<p>hand-made</p>");
    assert!(
        target.read_raw(notesite::RECORD_KEY).is_none(),
        "nothing written"
    );
    assert_eq!(target.objects().len(), 2, "nothing uploaded");

    let dry = target
        .publish(site.path(), &["--dry-run"])
        .assert()
        .failure();
    assert!(
        stdout(&dry)
            .contains("not ours          index.html (no notesite publish wrote it; needs --adopt)"),
        "{}",
        stdout(&dry)
    );

    target.publish(site.path(), &["--adopt"]).assert().success();
    assert_eq!(target.objects().len(), published_files(site.path()).len());
    assert_ne!(target.read_raw("index.html").unwrap(), b"<p>hand-made</p>");
    // Adopted, they are ours: the next publish needs no flag.
    target.publish(site.path(), &[]).assert().success();
}

const MOVER: &str = "kafka-notes-consumer-lag-during-rebalances";
const DOOMED: &str = "terraform-notes-safe-state-migrations";

/// Gives the article `slug` a new slug in front matter (its file and
/// `reference` stay).
fn rename_slug(site: &Path, slug: &str, new_slug: &str) {
    let path = site.join("content").join(format!("{slug}.md"));
    let text = read(&path).replacen("---\n", &format!("---\nslug: {new_slug}\n"), 1);
    std::fs::write(&path, text).unwrap();
}

fn refresh_target(html: &[u8]) -> String {
    let html = String::from_utf8_lossy(html);
    let at = html.find("url=").expect("a meta refresh") + 4;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

fn a_moved_article_redirects_and_a_deleted_one_is_removed(target: &Target) {
    let site = built_site();
    target.publish(site.path(), &[]).assert().success();
    rename_slug(site.path(), MOVER, "kafka-lag");
    std::fs::remove_file(site.path().join(format!("content/{DOOMED}.md"))).unwrap();
    // A standalone page is followed as an article is.
    let about = site.path().join("pages/about.md");
    std::fs::write(
        &about,
        read(&about).replacen("---\n", "---\nslug: about-us\n", 1),
    )
    .unwrap();
    build(site.path(), &[]);

    let dry = target
        .publish(site.path(), &["--dry-run"])
        .assert()
        .success();
    let plan = stdout(&dry);
    assert!(
        plan.contains(&format!(
            "redirect          /{MOVER}/ -> /kafka-lag/ (its page moved)"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("redirect          /about/ -> /about-us/ (its page moved)"),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "removed URL       /{DOOMED}/ (published before, no new home)"
        )),
        "{plan}"
    );
    assert!(plan.contains("2 redirected, 1 removed URLs"), "{plan}");

    let purge = site.path().join("purge.txt");
    let published = target
        .publish(site.path(), &["--purge-list", purge.to_str().unwrap()])
        .assert()
        .success();
    assert!(stdout(&published).contains("2 redirected, 1 removed URLs"));
    let objects = target.objects();
    let old = format!("{MOVER}/index.html");
    assert_eq!(refresh_target(&objects[&old]), "/kafka-lag/");
    assert!(objects.contains_key("kafka-lag/index.html"));
    assert!(
        !objects.contains_key(&format!("{DOOMED}/index.html")),
        "removed, no redirect"
    );
    let purged = read(&purge);
    for url in [
        format!("/{MOVER}/"),
        format!("/{DOOMED}/"),
        "/about/".into(),
    ] {
        assert!(
            purged.lines().any(|l| l == url),
            "{url} not in the purge list:\n{purged}"
        );
    }
    assert!(
        !objects.contains_key(".notesite/pages.json"),
        "the page index is never uploaded"
    );

    // Later publishes keep the redirect, and follow a second move.
    edit_seed_article(site.path());
    build(site.path(), &[]);
    target.publish(site.path(), &[]).assert().success();
    assert_eq!(refresh_target(&target.objects()[&old]), "/kafka-lag/");
    let path = site.path().join(format!("content/{MOVER}.md"));
    std::fs::write(
        &path,
        read(&path).replace("slug: kafka-lag", "slug: kafka-lag-2"),
    )
    .unwrap();
    build(site.path(), &[]);
    target.publish(site.path(), &[]).assert().success();
    let objects = target.objects();
    assert_eq!(refresh_target(&objects[&old]), "/kafka-lag-2/");
    assert_eq!(
        refresh_target(&objects["kafka-lag/index.html"]),
        "/kafka-lag-2/"
    );
    let again = target.publish(site.path(), &[]).assert().success();
    assert!(
        stdout(&again).contains(" 0 uploaded (0 B)"),
        "{}",
        stdout(&again)
    );
}

macro_rules! both_targets {
    ($($scenario:ident),* $(,)?) => {
        mod s3 {
            $(#[test] fn $scenario() { super::$scenario(&super::Target::s3(stringify!($scenario))); })*
        }
        mod folder {
            $(#[test] fn $scenario() { super::$scenario(&super::Target::dir()); })*
        }
    };
}

both_targets!(
    first_publish_and_noop_republish,
    one_article_edit_uploads_little_and_lists_purges,
    header_only_change_updates_headers,
    css_change_puts_asset_first_and_keeps_the_old_one,
    delete_guard_and_dry_run_change_nothing,
    killed_midway_then_rerun_converges,
    publish_never_deletes_what_it_did_not_write,
    a_moved_article_redirects_and_a_deleted_one_is_removed,
    a_first_publish_never_overwrites_what_it_did_not_write,
);

/// Issue 19, item 16: with `auto_redirects: false` the plan said a moved
/// article's old URL had "no new home".
#[test]
fn with_auto_redirects_off_the_plan_says_so() {
    let target = Target::dir();
    let site = built_site();
    target.publish(site.path(), &[]).assert().success();
    let config = site.path().join("site.yaml");
    let text = read(&config);
    std::fs::write(
        &config,
        format!("{text}\npublish:\n  auto_redirects: false\n"),
    )
    .unwrap();
    rename_slug(site.path(), MOVER, "kafka-lag");
    build(site.path(), &[]);
    let dry = target
        .publish(site.path(), &["--dry-run"])
        .assert()
        .success();
    assert!(
        stdout(&dry).contains(&format!(
            "removed URL       /{MOVER}/ (published before, not followed: publish.auto_redirects is off)"
        )),
        "{}",
        stdout(&dry)
    );
}

#[test]
fn publish_refuses_a_symlink_inside_a_folder_target() {
    let site = built_site();
    let target = Target::dir();
    let Store::Dir(dir) = &target.store else {
        unreachable!()
    };
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keep.txt"), "outside").unwrap();
    std::fs::create_dir(outside.path().join("assets")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("assets"), dir.path().join("assets")).unwrap();
    let refused = target.publish(site.path(), &[]).assert().failure();
    let err = stderr(&refused);
    assert!(
        err.contains(&format!(
            "{} is a symlink",
            dir.path().join("assets").display()
        )),
        "{err}"
    );
    assert_eq!(
        crate::common::tree(outside.path()).len(),
        1,
        "nothing written outside"
    );
    assert!(!dir.path().join(RECORD).exists(), "nothing written inside");
}

#[test]
fn publish_removes_half_written_uploads_a_killed_publish_left() {
    let site = built_site();
    let target = Target::dir();
    let Store::Dir(dir) = &target.store else {
        unreachable!()
    };
    target.publish(site.path(), &[]).assert().success();
    // What object_store's folder writer leaves when killed mid-file.
    std::fs::write(dir.path().join("index.html#3"), "half").unwrap();
    std::fs::write(dir.path().join("notes#1"), "a person's file").unwrap();
    target.publish(site.path(), &[]).assert().success();
    assert!(!dir.path().join("index.html#3").exists());
    assert!(dir.path().join("notes#1").exists(), "not ours: left alone");
}

// Bad input: clear errors, non-zero exits, nothing published.

#[test]
fn missing_or_unbuilt_output_is_refused() {
    let site = example_site();
    let target = Target::dir();
    let assert = target.publish(site.path(), &[]).assert().failure();
    assert!(
        stderr(&assert).contains("run `notesite build` first"),
        "{}",
        stderr(&assert)
    );
    std::fs::create_dir(site.path().join("public")).unwrap();
    std::fs::write(site.path().join("public/notes.txt"), "mine").unwrap();
    let assert = target.publish(site.path(), &[]).assert().failure();
    assert!(stderr(&assert).contains("not the output of a successful notesite build"));
    assert!(target.objects().is_empty());
}

#[test]
fn bad_urls_are_refused() {
    let site = built_site();
    for (url, expected) in [
        ("ftp://host/x", "use s3://bucket/prefix or file:///path"),
        ("s3://", "no valid bucket name"),
        ("s3://Bad_Bucket/x", "no valid bucket name"),
        ("file://relative/path", "must be an absolute path"),
        ("file:///no/such/folder/here", "is not a folder"),
    ] {
        let assert = notesite(site.path())
            .args(["publish", "--to", url])
            .assert()
            .failure();
        assert!(
            stderr(&assert).contains(expected),
            "{url}: {}",
            stderr(&assert)
        );
    }
    let assert = notesite(site.path()).arg("publish").assert().failure();
    assert!(stderr(&assert).contains("no target"), "{}", stderr(&assert));
}

/// A target that cannot be one is refused before anything slow: before a
/// build (a minute at 100k articles) and before the output is scanned.
/// Here the build would fail and there is no output, so an error about
/// either means the target was looked at too late.
#[test]
fn a_bad_target_is_refused_before_building_or_scanning() {
    let site = example_site();
    let broken = "---\ntitle: [unclosed\ndate: 2026-08-01\n---\nbody\n";
    std::fs::write(site.path().join("content/broken.md"), broken).unwrap();
    for (url, expected) in [
        ("ftp://host/x", "use s3://bucket/prefix or file:///path"),
        ("file:///no/such/folder/here", "is not a folder"),
        ("s3://some-bucket/site", "no S3 credentials"),
    ] {
        for build in [&["--build"][..], &[]] {
            let mut cmd = notesite(site.path());
            cmd.args(["publish", "--to", url]).args(build);
            for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
                cmd.env_remove(name);
            }
            let err = stderr(&cmd.assert().failure());
            assert!(err.contains(expected), "{url} {build:?}: {err}");
            assert!(!err.contains("broken.md"), "built first: {err}");
            assert!(!err.contains("notesite build"), "scanned first: {err}");
        }
    }
}

#[test]
fn s3_bad_credentials_and_missing_bucket_are_clear_errors() {
    let site = built_site();
    let target = Target::s3("bad-input");

    let mut wrong_secret = target.publish(site.path(), &[]);
    wrong_secret.env("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all");
    let err = stderr(&wrong_secret.assert().failure());
    assert!(
        err.contains("access denied; check AWS_ACCESS_KEY_ID"),
        "{err}"
    );

    let mut no_credentials = target.publish(site.path(), &[]);
    no_credentials
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let err = stderr(&no_credentials.assert().failure());
    assert!(err.contains("no S3 credentials"), "{err}");

    let mut missing_bucket = notesite(site.path());
    missing_bucket.args(["publish", "--to", "s3://no-such-bucket-here/site"]);
    for (name, value) in &target.env {
        missing_bucket.env(name, value);
    }
    let err = stderr(&missing_bucket.assert().failure());
    assert!(err.contains("the bucket does not exist"), "{err}");
    assert!(target.objects().is_empty(), "nothing was published");
}

/// `publish --build` reads the target on a thread of its own while it
/// builds. A target it cannot read still fails as clearly as a plain
/// publish; a site that does not build fails as a build, whatever the
/// target; nothing is published either way.
#[test]
fn publish_build_reads_the_target_while_building_and_fails_as_clearly() {
    let site = example_site();
    let target = Target::s3("read-while-building");

    let mut wrong_secret = target.publish(site.path(), &["--build"]);
    wrong_secret.env("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all");
    let err = stderr(&wrong_secret.assert().failure());
    assert!(
        err.contains("access denied; check AWS_ACCESS_KEY_ID"),
        "{err}"
    );

    let missing_bucket = |site: &Path| {
        let mut cmd = notesite(site);
        cmd.args([
            "publish",
            "--build",
            "--to",
            "s3://no-such-bucket-here/site",
        ]);
        for (name, value) in &target.env {
            cmd.env(name, value);
        }
        stderr(&cmd.assert().failure())
    };
    let err = missing_bucket(site.path());
    assert!(err.contains("the bucket does not exist"), "{err}");

    let broken = "---\ntitle: [unclosed\ndate: 2026-08-01\n---\nbody\n";
    std::fs::write(site.path().join("content/broken.md"), broken).unwrap();
    let err = missing_bucket(site.path());
    assert!(err.contains("content/broken.md:"), "{err}");
    assert!(err.contains("nothing was published"), "{err}");
    assert!(!err.contains("the bucket does not exist"), "{err}");
    assert!(target.objects().is_empty(), "nothing was published");
}

/// A proxy in front of Garage that answers the first `failures` requests
/// with `503 Slow Down`, as a store under load does, and forwards the rest.
struct FlakyProxy {
    endpoint: String,
    refused: Arc<std::sync::atomic::AtomicUsize>,
}

impl FlakyProxy {
    fn start(upstream: &str, failures: usize) -> FlakyProxy {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = refused.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                if counter.load(Ordering::SeqCst) < failures {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                        head.push(byte[0]);
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = client.write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    );
                    continue;
                }
                let server = TcpStream::connect(&upstream).unwrap();
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut s2);
                    let _ = s2.shutdown(std::net::Shutdown::Write);
                });
                let (mut client, mut server) = (client, server);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server, &mut client);
                    let _ = client.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        FlakyProxy { endpoint, refused }
    }
}

#[test]
fn s3_transient_errors_are_retried() {
    let site = built_site();
    let target = Target::s3("flaky");
    let proxy = FlakyProxy::start(&s3_env("NOTESITE_TEST_S3_ENDPOINT"), 2);
    let mut cmd = target.publish(site.path(), &[]);
    cmd.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    let out = stdout(&cmd.assert().success());
    assert_eq!(proxy.refused.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert!(out.contains("published to"), "{out}");
    assert_eq!(target.objects(), published_files(site.path()));
}

/// One step of the `publish --build` matrix: an edit, then the flags both
/// builds get.
struct Step {
    name: &'static str,
    edit: fn(&Path),
    flags: &'static [&'static str],
}

const ARTICLE: &str = "content/kafka-notes-consumer-lag-during-rebalances.md";

fn replace_in(root: &Path, rel: &str, from: &str, to: &str) {
    let text = read(&root.join(rel));
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(root.join(rel), text.replacen(from, to, 1)).unwrap();
}

const STEPS: &[Step] = &[
    Step {
        name: "first publish",
        edit: |_| {},
        flags: &[],
    },
    Step {
        name: "nothing changed",
        edit: |_| {},
        flags: &[],
    },
    Step {
        name: "article body",
        edit: |root| replace_in(root, ARTICLE, "## ", "A new paragraph.\n\n## "),
        flags: &[],
    },
    Step {
        name: "meta moving terms, lists and Similar Posts",
        edit: |root| {
            replace_in(
                root,
                ARTICLE,
                "stack: [",
                "stack: [\"docker\", \"new-term\", ",
            );
            replace_in(root, ARTICLE, "date: 2026", "date: 2025");
        },
        flags: &[],
    },
    Step {
        name: "new article",
        edit: |root| {
            let text = read(&root.join(ARTICLE)).replace("consumer lag", "a second look");
            std::fs::write(root.join("content/kafka-second.md"), text).unwrap();
        },
        flags: &[],
    },
    Step {
        name: "deleted article",
        edit: |root| {
            std::fs::remove_file(root.join("content/terraform-notes-safe-state-migrations.md"))
                .unwrap()
        },
        flags: &[],
    },
    Step {
        name: "renamed article (its old URL redirects)",
        edit: |root| rename_slug(root, MOVER, "kafka-lag"),
        flags: &[],
    },
    Step {
        name: "template",
        edit: |root| {
            replace_in(
                root,
                "templates/article.html",
                "</article>",
                "</article><!-- t -->",
            )
        },
        flags: &[],
    },
    Step {
        name: "partial",
        edit: |root| replace_in(root, "templates/partials/meta_box.html", "<", "<!-- p --><"),
        flags: &[],
    },
    Step {
        name: "static file",
        edit: |root| replace_in(root, "static/css/site.css", "{", "{ margin: 0;"),
        flags: &[],
    },
    Step {
        name: "site.yaml",
        edit: |root| {
            replace_in(
                root,
                "site.yaml",
                "title: alphanode notes",
                "title: alphanode field notes",
            )
        },
        flags: &[],
    },
    Step {
        name: "a scheduled article",
        edit: |root| {
            let file = "content/docker-notes-smaller-images-with-multi-stage-builds.md";
            replace_in(root, file, "date: ", "publish_date: 2030-01-02\ndate: ")
        },
        flags: &["--now", "2030-01-01T00:00:00Z"],
    },
    Step {
        name: "now crosses its publish_date",
        edit: |_| {},
        flags: &["--now", "2030-01-03T00:00:00Z"],
    },
    Step {
        name: "one thread",
        edit: |root| replace_in(root, ARTICLE, "## ", "Another paragraph.\n\n## "),
        flags: &["--now", "2030-01-03T00:00:00Z", "--jobs", "1"],
    },
];

/// How many routes `publish --build` rendered, of how many.
fn rendered_routes(stdout: &str) -> (usize, usize) {
    let after = stdout
        .split("rendering ")
        .nth(1)
        .unwrap_or_else(|| panic!("no rendering count in {stdout}"));
    let numbers: Vec<usize> = (after.split(' ').take(3))
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        numbers.len() == 2,
        "no route counts (every page rendered?): {stdout}"
    );
    (numbers[0], numbers[1])
}

/// Issue 25: `publish --build` with the page cache and no output folder
/// (CI: the cache restored into a fresh checkout) leaves its target as
/// `build --no-cache` then `publish` leave another, after every edit of
/// the matrix: the same objects, bytes, headers, pages and moves.
fn publish_build_equals_a_full_build_then_publish(warm: &Target, cold: &Target) {
    let site = example_site();
    let root = site.path();
    for step in STEPS {
        (step.edit)(root);
        let done = warm
            .publish(root, &["--build"])
            .args(step.flags)
            .assert()
            .success();
        let (rendered, of) = rendered_routes(&stdout(&done));
        assert!(
            !root.join("public").exists(),
            "{}: no output folder",
            step.name
        );
        let cold_out = ["--out", "cold"];
        let mut build = notesite(root);
        build
            .args(["build", "--no-cache"])
            .args(cold_out)
            .args(step.flags);
        build.assert().success();
        cold.publish(root, &cold_out).assert().success();
        assert!(
            warm.objects() == cold.objects(),
            "{}: the targets differ",
            step.name
        );
        let (w, c) = (warm.record(), cold.record());
        assert_eq!(w.publish, c.publish, "{}", step.name);
        assert_eq!(w.pages, c.pages, "{}", step.name);
        assert_eq!(w.moved, c.moved, "{}", step.name);
        let headers = |r: &Record| {
            (r.objects.iter())
                .map(|(k, e)| (k.clone(), e.headers.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(headers(&w), headers(&c), "{}", step.name);
        let partial = ["nothing changed", "article body", "one thread"];
        if partial.contains(&step.name) {
            assert!(
                rendered * 4 < of,
                "{}: rendered {rendered} of {of}",
                step.name
            );
        }
        std::fs::remove_dir_all(root.join("cold")).unwrap();
    }
}

/// A warm cache and a target it does not describe (here, empty): the plan
/// wants files the cache did not render, so every page is rendered and the
/// publish is a full one.
fn publish_build_to_a_target_the_cache_does_not_know_renders_everything(other: &Target) {
    let site = example_site();
    let root = site.path();
    let first = Target::dir();
    first.publish(root, &["--build"]).assert().success();
    let done = other.publish(root, &["--build"]).assert().success();
    assert!(
        stdout(&done).contains("rendering every page"),
        "{}",
        stdout(&done)
    );
    assert!(other.objects() == first.objects());
}

/// Publish takes a file's hash from the page cache only while the file is
/// as the build wrote it: a page edited in the output by hand after the
/// build is published as it is now.
#[test]
fn a_page_edited_in_the_output_after_the_build_is_published_as_it_is() {
    let target = Target::dir();
    let site = built_site();
    let root = site.path();
    target.publish(root, &[]).assert().success();
    let page = root.join("public/about/index.html");
    let edited = read(&page).replacen("<title>", "<title>Edited ", 1);
    std::fs::write(&page, &edited).unwrap();
    let again = target.publish(root, &[]).assert().success();
    assert!(stdout(&again).contains(" 1 uploaded"), "{}", stdout(&again));
    assert_eq!(target.objects()["about/index.html"], edited.as_bytes());
}

/// A dry run changes neither the target nor the cache: the publish after
/// it still renders only the edit.
#[test]
fn publish_build_dry_run_leaves_the_cache_for_the_real_run() {
    let target = Target::dir();
    let site = example_site();
    let root = site.path();
    target.publish(root, &["--build"]).assert().success();
    replace_in(root, ARTICLE, "## ", "A new paragraph.\n\n## ");
    let dry = target
        .publish(root, &["--build", "--dry-run"])
        .assert()
        .success();
    assert!(
        stdout(&dry).contains("upload (changed)"),
        "{}",
        stdout(&dry)
    );
    let real = target.publish(root, &["--build"]).assert().success();
    let (rendered, of) = rendered_routes(&stdout(&real));
    assert!(rendered * 4 < of, "rendered {rendered} of {of}");
    assert!(!stdout(&real).contains(" 0 uploaded"), "{}", stdout(&real));
}

mod publish_build {
    #[test]
    fn folder_equals_a_full_build_then_publish() {
        let (warm, cold) = (super::Target::dir(), super::Target::dir());
        super::publish_build_equals_a_full_build_then_publish(&warm, &cold);
    }

    #[test]
    fn s3_equals_a_full_build_then_publish() {
        let warm = super::Target::s3("publish-build-warm");
        let cold = super::Target::s3("publish-build-cold");
        super::publish_build_equals_a_full_build_then_publish(&warm, &cold);
    }

    #[test]
    fn folder_the_cache_does_not_know_renders_everything() {
        super::publish_build_to_a_target_the_cache_does_not_know_renders_everything(
            &super::Target::dir(),
        );
    }

    #[test]
    fn s3_the_cache_does_not_know_renders_everything() {
        super::publish_build_to_a_target_the_cache_does_not_know_renders_everything(
            &super::Target::s3("publish-build-unknown"),
        );
    }
}
