//! The page cache must never change what a build writes: after each edit
//! of the matrix, a warm build (cache and last output present) writes
//! exactly the files a cold build (`--no-cache`) writes, byte for byte.

use std::path::Path;

use crate::common::{example_site, notesite, read, tree};

const CACHE_FILE: &str = ".notesite/cache/pages";
const FRONT_MATTER: &str = ".notesite/cache/front-matter";
/// The example site's articles, each with its front matter.
const ARTICLES: usize = 12;
const ARTICLE: &str = "content/kafka-notes-consumer-lag-during-rebalances.md";

/// How a warm build used the cache, from `build -v`.
#[derive(Debug, PartialEq)]
struct Used {
    rendered: usize,
    carried: usize,
    /// Front matter read from the cache, and parsed.
    cached: usize,
    parsed: usize,
    /// When the search index was written: its articles taken from the
    /// last build's postings, and those indexed from their bodies.
    search: Option<(usize, usize)>,
    /// And its files kept from the last build, of all its files.
    search_files: Option<(usize, usize)>,
}

/// The numbers of the `-v` line that starts with `label`.
fn numbers_after(stderr: &str, label: &str) -> Vec<usize> {
    let line = (stderr.lines())
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{stderr}"));
    (line.split(' ')).filter_map(|w| w.parse().ok()).collect()
}

fn build(root: &Path, args: &[&str]) -> (Used, String) {
    let out = notesite(root)
        .arg("build")
        .arg("-v")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "build failed:\n{stderr}");
    let pages = numbers_after(&stderr, "page cache: ");
    let front_matter = numbers_after(&stderr, "front matter: ");
    let search_numbers =
        (stderr.contains("search index: ")).then(|| numbers_after(&stderr, "search index: "));
    let search = search_numbers.as_ref().map(|n| (n[0], n[1]));
    let search_files = search_numbers.as_ref().map(|n| (n[2], n[3]));
    let used = Used {
        rendered: pages[0],
        carried: pages[1],
        cached: front_matter[0],
        parsed: front_matter[1],
        search,
        search_files,
    };
    (used, stderr)
}

/// Builds warm into `public/` and cold into `cold/`, with the same extra
/// arguments, and asserts the two outputs are the same files and bytes.
/// Returns how the warm build used the cache and what it printed.
fn warm_equals_cold(root: &Path, warm: &[&str], cold: &[&str]) -> (Used, String) {
    let built = build(root, warm);
    let mut args = vec!["--no-cache", "--out", "cold"];
    args.extend(cold);
    let done = notesite(root).arg("build").args(&args).assert().success();
    let cold_stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    // The same warnings, those of carried pages included.
    let warnings = |stderr: &str| {
        (stderr.lines())
            .filter(|l| l.contains("warning: ") && !l.contains(" cache"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(warnings(&built.1), warnings(&cold_stderr), "warnings");
    let (warm_tree, cold_tree) = (tree(&root.join("public")), tree(&root.join("cold")));
    let only_in = |a: &crate::common::Tree, b: &crate::common::Tree| {
        (a.keys())
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        only_in(&warm_tree, &cold_tree),
        Vec::<String>::new(),
        "only warm"
    );
    assert_eq!(
        only_in(&cold_tree, &warm_tree),
        Vec::<String>::new(),
        "only cold"
    );
    for (name, bytes) in &cold_tree {
        assert!(
            warm_tree[name] == *bytes,
            "{name} differs between the warm and the cold build"
        );
    }
    std::fs::remove_dir_all(root.join("cold")).unwrap();
    built
}

/// An example site built once, so its cache and output are warm.
fn warm_site(args: &[&str]) -> tempfile::TempDir {
    let site = example_site();
    let (used, _) = build(site.path(), args);
    assert_eq!(used.carried, 0, "the first build renders everything");
    assert!(site.path().join(CACHE_FILE).is_file());
    site
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = read(&path);
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Most routes are carried and the rest rendered: the cache was used.
fn assert_partial(used: &Used) {
    assert!(used.carried > 0, "the cache was used: {used:?}");
    assert!(used.rendered > 0, "the edit was rendered: {used:?}");
}

#[test]
fn an_unchanged_site_is_carried_whole_and_stays_the_same() {
    let site = warm_site(&[]);
    let (used, _) = warm_equals_cold(site.path(), &[], &[]);
    assert_eq!(used.rendered, 0, "{used:?}");
}

#[test]
fn a_carried_page_repeats_its_warnings() {
    let site = example_site();
    let root = site.path();
    let other = "content/docker-notes-smaller-images-with-multi-stage-builds.md";
    edit(
        root,
        other,
        "## ",
        "![no entry](https://example.com/none.png)\n\n## ",
    );
    let (_, stderr) = build(root, &[]);
    assert!(stderr.contains("warning: "), "the edit warns: {stderr}");
    edit(root, ARTICLE, "## ", "Another paragraph.\n\n## ");
    let (used, stderr) = warm_equals_cold(root, &[], &[]);
    assert_partial(&used);
    assert!(stderr.contains("none.png"), "{stderr}");
}

#[test]
fn a_body_edit_renders_its_page_and_the_search_index_only() {
    let site = warm_site(&[]);
    let body_line = "## ";
    edit(site.path(), ARTICLE, body_line, "A new paragraph.\n\n## ");
    let (used, _) = warm_equals_cold(site.path(), &[], &[]);
    assert_partial(&used);
    assert!(
        used.rendered <= 4,
        "the page, the index, and little else: {used:?}"
    );
    // The other articles' postings come from the last build's.
    assert_eq!(used.search, Some((ARTICLES - 1, 1)), "{used:?}");
    // And the cache written by the warm build is itself warm.
    let (used, _) = warm_equals_cold(site.path(), &[], &[]);
    assert_eq!(used.rendered, 0, "{used:?}");
}

#[test]
fn a_meta_edit_moves_terms_lists_and_similar_posts() {
    let site = warm_site(&[]);
    let root = site.path();
    edit(
        root,
        ARTICLE,
        "title: \"kafka notes:",
        "title: \"kafka, renamed:",
    );
    edit(
        root,
        ARTICLE,
        "stack: [",
        "stack: [\"docker\", \"brand-new-term\", ",
    );
    edit(root, ARTICLE, "date: 2026", "date: 2025");
    assert_partial(&warm_equals_cold(root, &[], &[]).0);
}

#[test]
fn a_new_a_deleted_and_a_renamed_article() {
    let site = warm_site(&[]);
    let root = site.path();
    let text = read(&root.join(ARTICLE));
    let new = text.replace(
        "kafka notes: consumer lag",
        "kafka notes: a second look at lag",
    );
    std::fs::write(root.join("content/kafka-second-look.md"), new).unwrap();
    assert_partial(&warm_equals_cold(root, &[], &[]).0);

    std::fs::remove_file(root.join("content/terraform-notes-safe-state-migrations.md")).unwrap();
    assert_partial(&warm_equals_cold(root, &[], &[]).0);

    std::fs::rename(root.join(ARTICLE), root.join("content/kafka-lag.md")).unwrap();
    assert_partial(&warm_equals_cold(root, &[], &[]).0);
}

#[test]
fn a_template_a_partial_a_static_file_and_site_yaml_each_render_every_page() {
    let site = warm_site(&[]);
    let root = site.path();
    let edits: [(&str, &str, &str); 5] = [
        (
            "templates/article.html",
            "</article>",
            "</article><!-- a -->",
        ),
        ("templates/partials/meta_box.html", "<", "<!-- p --><"),
        ("static/css/site.css", "{", "{ margin: 0;"),
        (
            "site.yaml",
            "title: alphanode notes",
            "title: alphanode field notes",
        ),
        // Seen by no template's context: only site.yaml's own hash has it.
        (
            "site.yaml",
            "sanitize_html: true",
            "sanitize_html: true\n  toc_min_headings: 2",
        ),
    ];
    for (file, from, to) in edits {
        edit(root, file, from, to);
        let (used, _) = warm_equals_cold(root, &[], &[]);
        assert_eq!(used.carried, 0, "after {file}: {used:?}");
        // Nothing else changed: the next build is warm again.
        let (used, _) = warm_equals_cold(root, &[], &[]);
        assert_eq!(used.rendered, 0, "after {file}, again: {used:?}");
    }
}

#[test]
fn now_crossing_a_publish_date_shows_the_article_everywhere() {
    let before = ["--now", "2030-01-01T00:00:00Z"];
    let after = ["--now", "2030-01-03T00:00:00Z"];
    let site = example_site();
    let root = site.path();
    edit(root, ARTICLE, "date: ", "publish_date: 2030-01-02\ndate: ");
    build(root, &before);
    let (used, _) = warm_equals_cold(root, &before, &before);
    assert_eq!(used.rendered, 0, "{used:?}");
    assert_partial(&warm_equals_cold(root, &after, &after).0);
    assert!(
        root.join("public/kafka-notes-consumer-lag-during-rebalances")
            .is_dir()
    );
}

#[test]
fn one_thread_warm_writes_what_the_default_writes_cold() {
    let site = warm_site(&[]);
    edit(site.path(), ARTICLE, "## ", "Another paragraph.\n\n## ");
    assert_partial(&warm_equals_cold(site.path(), &["--jobs", "1"], &[]).0);
}

#[test]
fn a_truncated_cache_is_ignored_with_one_warning() {
    let site = warm_site(&[]);
    let file = site.path().join(CACHE_FILE);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    edit(site.path(), ARTICLE, "## ", "Another paragraph.\n\n## ");
    let (used, stderr) = warm_equals_cold(site.path(), &[], &[]);
    assert_eq!(used.carried, 0, "{used:?}");
    assert_eq!(stderr.matches("page cache").count(), 2, "{stderr}");
    assert!(stderr.contains("fails its checksum"), "{stderr}");
    // Written anew: the next build is warm.
    assert_eq!(warm_equals_cold(site.path(), &[], &[]).0.rendered, 0);
}

#[test]
fn a_cache_from_another_binary_is_ignored_with_one_warning() {
    let site = warm_site(&[]);
    let file = site.path().join(CACHE_FILE);
    let bytes = std::fs::read(&file).unwrap();
    // A header line naming the binary, the rest, and the BLAKE3 of both.
    let content = &bytes[..bytes.len() - 32];
    let newline = content.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&content[..newline]).unwrap();
    let (start, binary) = header.rsplit_once(' ').unwrap();
    assert_eq!(binary.len(), 64, "{header}");
    let mut changed = format!("{start} 0123").into_bytes();
    changed.extend_from_slice(&content[newline..]);
    let sum = *blake3::hash(&changed).as_bytes();
    changed.extend_from_slice(&sum);
    std::fs::write(&file, changed).unwrap();
    let (used, stderr) = warm_equals_cold(site.path(), &[], &[]);
    assert_eq!(used.carried, 0, "{used:?}");
    assert!(stderr.contains("another notesite binary"), "{stderr}");
}

/// An older notesite kept the cache as `pages.json`: it is a cache of
/// another binary, said once and replaced.
#[test]
fn a_json_cache_of_an_older_notesite_is_ignored_with_one_warning_and_removed() {
    let site = warm_site(&[]);
    let dir = site.path().join(".notesite/cache");
    std::fs::remove_file(site.path().join(CACHE_FILE)).unwrap();
    std::fs::write(dir.join("pages.json"), "{\"format\":1}\n0123").unwrap();
    let (used, stderr) = warm_equals_cold(site.path(), &[], &[]);
    assert_eq!(used.carried, 0, "{used:?}");
    assert_eq!(
        stderr.matches("another notesite binary").count(),
        1,
        "{stderr}"
    );
    assert!(!dir.join("pages.json").exists());
    assert_eq!(warm_equals_cold(site.path(), &[], &[]).0.rendered, 0);
}

#[test]
fn a_page_edited_or_removed_in_the_output_is_rendered_again_not_carried() {
    let site = warm_site(&[]);
    let root = site.path();
    let page = root.join("public/kafka-notes-consumer-lag-during-rebalances/index.html");
    let mut html = read(&page);
    html.push_str("<!-- edited by hand -->");
    std::fs::write(&page, html).unwrap();
    std::fs::remove_file(root.join("public/about/index.html")).unwrap();
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.rendered, 2, "{used:?}");

    std::fs::remove_dir_all(root.join("public")).unwrap();
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.carried, 0, "{used:?}");
}

#[test]
fn the_flags_that_choose_articles_are_part_of_the_key() {
    let site = warm_site(&[]);
    let root = site.path();
    edit(root, ARTICLE, "draft: false", "draft: true");
    let (used, _) = warm_equals_cold(root, &["--drafts"], &["--drafts"]);
    assert_eq!(used.carried, 0, "{used:?}");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.carried, 0, "{used:?}");
    let base = ["--base-url", "https://elsewhere.example/"];
    let (used, _) = warm_equals_cold(root, &base, &base);
    assert_eq!(used.carried, 0, "{used:?}");
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let site = example_site();
    notesite(site.path())
        .args(["build", "--no-cache"])
        .assert()
        .success();
    assert!(!site.path().join(".notesite").exists());
    let dir = site.path().join("elsewhere");
    notesite(site.path())
        .args(["build", "--cache-dir", "elsewhere"])
        .assert()
        .success();
    assert!(dir.join("pages").is_file());
}

/// The front matter cache's segment files, by name.
fn segments(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(FRONT_MATTER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Rewrites the one segment with `change` applied to its text, its
/// checksum made to fit again when `fit_checksum`.
fn rewrite_segment(root: &Path, change: impl Fn(&str) -> String, fit_checksum: bool) {
    let [name] = &segments(root)[..] else {
        panic!("one segment: {:?}", segments(root))
    };
    let path = root.join(FRONT_MATTER).join(name);
    let text = change(&read(&path));
    let text = match fit_checksum {
        false => text,
        true => {
            let body = &text[..text.rfind('\n').unwrap() + 1];
            format!("{body}{}", blake3::hash(body.as_bytes()).to_hex())
        }
    };
    std::fs::write(&path, text).unwrap();
}

#[test]
fn front_matter_is_parsed_again_only_where_its_yaml_changed() {
    let site = warm_site(&[]);
    let root = site.path();
    let first = segments(root);
    edit(root, ARTICLE, "## ", "A new paragraph.\n\n## ");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (ARTICLES, 0), "{used:?}");
    assert_eq!(segments(root), first, "nothing new to keep");

    edit(
        root,
        ARTICLE,
        "title: \"kafka notes:",
        "title: \"kafka, renamed:",
    );
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (ARTICLES - 1, 1), "{used:?}");
    let now = segments(root);
    assert_eq!(
        now.len(),
        2,
        "the parsed one in a segment of its own: {now:?}"
    );
    assert_eq!(now[0], first[0]);
}

#[test]
fn front_matter_segments_are_merged_once_a_quarter_of_the_entries_is_unused() {
    let site = warm_site(&[]);
    let root = site.path();
    let first = segments(root);
    let articles: Vec<String> = (std::fs::read_dir(root.join("content")).unwrap())
        .map(|e| format!("content/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    for rel in &articles[..ARTICLES / 4 + 1] {
        edit(root, rel, "reading_time: ", "reading_time: 1");
    }
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.parsed, ARTICLES / 4 + 1, "{used:?}");
    let merged = segments(root);
    assert_eq!(
        merged.len(),
        2,
        "what was parsed, and the rest merged: {merged:?}"
    );
    assert!(!merged.contains(&first[0]), "{merged:?}");
    let entries: usize = (merged.iter())
        .map(|name| read(&root.join(FRONT_MATTER).join(name)).lines().count() - 2)
        .sum();
    assert_eq!(entries, ARTICLES, "the unused entries are gone");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (ARTICLES, 0), "{used:?}");
}

#[test]
fn articles_with_the_same_front_matter_share_one_entry_and_cause_no_merge() {
    let site = example_site();
    let root = site.path();
    let text = read(&root.join(ARTICLE));
    for copy in 1..=5 {
        std::fs::write(root.join(format!("content/copy-{copy}.md")), &text).unwrap();
    }
    build(root, &[]);
    let first = segments(root);
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (ARTICLES + 5, 0), "{used:?}");
    assert_eq!(segments(root), first, "nothing unused, nothing merged");
}

#[test]
fn a_damaged_front_matter_segment_is_ignored_with_one_warning_and_replaced() {
    let site = warm_site(&[]);
    let root = site.path();
    let first = segments(root);
    rewrite_segment(root, |text| text[..text.len() / 2].to_string(), false);
    let (used, stderr) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (0, ARTICLES), "{used:?}");
    assert_eq!(
        stderr.matches("warning: the front matter cache").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("fails its checksum"), "{stderr}");
    let now = segments(root);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, first, "the damaged one is removed");
    let (used, stderr) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (ARTICLES, 0), "{used:?}");
    assert!(
        !stderr.contains("warning: the front matter cache"),
        "{stderr}"
    );
}

#[test]
fn a_front_matter_segment_of_another_binary_is_not_read_and_is_replaced() {
    let site = warm_site(&[]);
    let root = site.path();
    let first = segments(root);
    // Its entries claim to be what another binary read: not trusted,
    // even with a checksum that fits.
    let other_binary = |text: &str| {
        let (header, rest) = text.split_once('\n').unwrap();
        let (start, _) = header.rsplit_once(' ').unwrap();
        format!("{start} 0123\n{rest}")
    };
    rewrite_segment(root, other_binary, true);
    let (used, stderr) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (0, ARTICLES), "{used:?}");
    assert!(
        !stderr.contains("warning: the front matter cache"),
        "{stderr}"
    );
    let now = segments(root);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, first, "the other binary's is removed");
}

#[test]
fn front_matter_json_cannot_carry_is_parsed_every_time() {
    let site = example_site();
    let root = site.path();
    // JSON has no NaN: this `extra` would not read back the same.
    edit(
        root,
        ARTICLE,
        "draft: false\n",
        "draft: false\nextra:\n  ratio: .nan\n",
    );
    build(root, &[]);
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!((used.cached, used.parsed), (ARTICLES - 1, 1), "{used:?}");
}

#[test]
fn a_damaged_or_missing_search_store_indexes_every_body_again() {
    let site = warm_site(&[]);
    let root = site.path();
    let store = root.join(".notesite/cache/search");
    let bytes = std::fs::read(&store).unwrap();
    // A letter of a snippet changed: it would still parse.
    let at = (bytes.windows(5)).position(|w| w == b"kafka").unwrap();
    let mut changed = bytes.clone();
    changed[at + 4] = b'b';
    for damaged in [changed, bytes[..bytes.len() - 1].to_vec()] {
        std::fs::write(&store, damaged).unwrap();
        edit(root, ARTICLE, "## ", "A new paragraph.\n\n## ");
        let (used, _) = warm_equals_cold(root, &[], &[]);
        assert_eq!(used.search, Some((0, ARTICLES)), "{used:?}");
    }
    // Written anew by that build.
    edit(root, ARTICLE, "## ", "Another new paragraph.\n\n## ");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.search, Some((ARTICLES - 1, 1)), "{used:?}");

    std::fs::remove_file(&store).unwrap();
    edit(root, ARTICLE, "## ", "A third new paragraph.\n\n## ");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.search, Some((0, ARTICLES)), "{used:?}");
}

#[test]
fn similar_posts_kept_with_their_lists_changed_are_not_used() {
    let site = warm_site(&[]);
    let root = site.path();
    let store = root.join(".notesite/cache/similar");
    let bytes = std::fs::read(&store).unwrap();
    // Header line, the 32-byte key, then per article a count and its
    // Similar Posts' numbers: each number moved to the next article, the
    // checksum left as it was.
    let header = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    let mut numbers: Vec<u32> = (body[header + 32..].chunks_exact(4))
        .map(|n| u32::from_le_bytes(n.try_into().unwrap()))
        .collect();
    let mut at = 0;
    while at < numbers.len() {
        let count = numbers[at] as usize;
        for n in &mut numbers[at + 1..at + 1 + count] {
            *n = (*n + 1) % ARTICLES as u32;
        }
        at += 1 + count;
    }
    let mut changed = body[..header + 32].to_vec();
    changed.extend(numbers.iter().flat_map(|n| n.to_le_bytes()));
    changed.extend_from_slice(sum);
    std::fs::write(&store, changed).unwrap();
    edit(root, ARTICLE, "## ", "A new paragraph.\n\n## ");
    assert_partial(&warm_equals_cold(root, &[], &[]).0);
}

/// An indexed article of a synth site: one not waiting for review.
fn indexed_article(root: &Path) -> String {
    let mut sources: Vec<_> = (std::fs::read_dir(root.join("content")).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    sources.sort();
    let path = (sources.into_iter())
        .find(|p| read(p).contains("needs_human_review: false"))
        .expect("synth writes articles that need no review");
    path.strip_prefix(root).unwrap().display().to_string()
}

/// The search index's term and result chunks whose terms and articles
/// did not change are kept from the last build (hard-linked in a build,
/// known by their hash in `publish --build`); the rest are written. Both
/// write what a cold build writes. 1500 synth articles make several
/// chunks of each kind; a heading word replaced by a new one keeps the
/// article's length, so only the chunks of those two words change.
#[test]
fn search_files_whose_terms_and_articles_did_not_change_are_kept() {
    let site = crate::common::synth_site(1500);
    let root = site.path();
    build(root, &[]);
    let article = indexed_article(root);
    let doc_chunks = || {
        let names = std::fs::read_dir(root.join("public/assets/search")).unwrap();
        let names = names.map(|e| e.unwrap().file_name().into_string().unwrap());
        names.filter(|n| n.starts_with("d.")).count()
    };
    edit(root, &article, "## final notes", "## final zyzzyva");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.search.unwrap().1, 1, "{used:?}");
    let (kept, files) = used.search_files.unwrap();
    // All result chunks but the article's, and a term chunk or more.
    assert!(kept > doc_chunks() && kept + 2 < files, "{used:?}");

    let target = tempfile::tempdir().unwrap();
    let to = format!("file://{}", target.path().display());
    let publish = |root: &Path| {
        let done = (notesite(root).args(["publish", "--build", "-v", "--to", &to]))
            .assert()
            .success();
        String::from_utf8_lossy(&done.get_output().stderr).into_owned()
    };
    publish(root);
    // What its result shows changes too: its chunk is written again.
    edit(root, &article, "summary: '", "summary: 'quokka notes. ");
    let stderr = publish(root);
    assert!(numbers_after(&stderr, "search index: ")[2] > 0, "{stderr}");
    notesite(root)
        .args(["build", "--no-cache", "--out", "cold"])
        .assert()
        .success();
    let (cold, published) = (tree(&root.join("cold")), tree(target.path()));
    for (name, bytes) in cold.iter().filter(|(n, _)| !n.starts_with(".notesite/")) {
        assert!(published.get(name) == Some(bytes), "{name} differs");
    }
}

/// The layout kept beside the search postings names them by their
/// checksum: one kept with other postings is not used.
#[test]
fn a_search_layout_of_other_postings_is_not_used() {
    let site = crate::common::synth_site(400);
    let root = site.path();
    let layout = root.join(".notesite/cache/search-layout");
    build(root, &[]);
    let article = indexed_article(root);
    let old = std::fs::read(&layout).unwrap();
    edit(root, &article, "\n## ", "\nA zyzzyva paragraph.\n\n## ");
    build(root, &[]);
    std::fs::write(&layout, old).unwrap();
    edit(root, &article, "\n## ", "\nA quokka paragraph.\n\n## ");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert_eq!(used.search_files.unwrap().0, 0, "{used:?}");
    edit(root, &article, "\n## ", "\nA wombat paragraph.\n\n## ");
    let (used, _) = warm_equals_cold(root, &[], &[]);
    assert!(used.search_files.unwrap().0 > 0, "written anew: {used:?}");
}

#[test]
fn build_flags_on_publish_need_build() {
    let site = example_site();
    let target = tempfile::tempdir().unwrap();
    let to = format!("file://{}", target.path().display());
    let refused = notesite(site.path())
        .args(["publish", "--to", &to, "--drafts"])
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("publish with --build"), "{stderr}");
    let refused = notesite(site.path())
        .args(["publish", "--to", &to, "--build", "--out", "public"])
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    assert!(std::fs::read_dir(target.path()).unwrap().next().is_none());
}
