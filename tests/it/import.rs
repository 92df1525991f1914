//! `notesite import` and `notesite synth` on real files, run through the
//! real binary.

use std::path::{Path, PathBuf};

use crate::common::*;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    example_root().join("tests/fixtures/exports").join(name)
}

/// A site with config, templates and static files but no articles.
/// A site of `init`, its title and base URL filled in, with no articles.
fn empty_site() -> tempfile::TempDir {
    let site = init_site();
    std::fs::remove_dir_all(site.path().join("content")).unwrap();
    crate::common::fill_in_config(site.path());
    site
}

fn import(root: &Path, inputs: &[&Path]) -> assert_cmd::assert::Assert {
    notesite(root).arg("import").args(inputs).assert()
}

/// The text a reader sees: tags dropped, the five escapes decoded.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn seed_round_trips_every_value_onto_the_page() {
    let site = empty_site();
    import(site.path(), &[&fixture("seed.txt")])
        .success()
        .stdout(predicate::str::contains("imported 1, skipped 0, failed 0"));
    build(site.path(), &[]);
    let html = seed_page(site.path());
    let text = visible_text(&html);
    let seed = read(&fixture("seed.txt"));
    let meta_at = seed.find("alphanode post meta").unwrap();
    // Every body line: title, paragraphs, headings, list items, the code line, captions.
    for line in seed[..meta_at]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "| |")
    {
        let line = line.trim_start_matches('•').trim();
        assert!(
            text.contains(&normalize(line)),
            "body line missing from the page: {line}"
        );
    }
    // Every meta value: fused values after their label, bullet values after `key: `.
    let labels = [
        "topic",
        "summary",
        "ai brief",
        "code language",
        "difficulty",
        "reading time",
        "view count",
        "reference",
        "hash",
    ];
    for line in seed[meta_at..]
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && l.trim() != "Similar Posts")
    {
        let value = match line.trim().strip_prefix('•') {
            Some(item) => item.trim().split_once(": ").map_or(item.trim(), |(_, v)| v),
            None => labels
                .iter()
                .find_map(|l| line.strip_prefix(l))
                .unwrap_or("")
                .trim(),
        };
        let value = match value {
            "1" if line.contains("ai generated")
                || line.contains("images")
                || line.contains("heavy") =>
            {
                "yes"
            }
            "0" if line.contains("review") => "no",
            v => v,
        };
        assert!(
            text.contains(&normalize(value)),
            "meta value missing from the page: {line}"
        );
    }
    for (n, source) in ["dummyimage.com", "placehold.co", "picsum.photos"]
        .iter()
        .enumerate()
    {
        let caption = format!(
            "running scheduled tasks reliably with redis caching visual reference {}. image source: {source}</figcaption>",
            n + 1
        );
        assert!(html.contains(&caption), "figure {} missing", n + 1);
    }
    assert!(html.contains("<pre class=\"code\" data-lang=\"text\"><code class=\"language-text\">redis-cli --scan --pattern &#39;anp:*&#39; | head"));
}

#[test]
fn exports_with_crlf_no_images_many_images_unicode_and_markup_all_import_and_build() {
    let site = empty_site();
    let names = [
        "crlf.txt",
        "no-images.txt",
        "many-images.txt",
        "unicode.txt",
        "markup.txt",
    ];
    let inputs: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    import(site.path(), &inputs)
        .success()
        .stdout(predicate::str::contains("imported 5, skipped 0, failed 0"));
    build(site.path(), &[]);
    let out = site.path().join("public");

    let crlf =
        read(&out.join("redis-caching-notes-crlf-line-endings-from-a-windows-export/index.html"));
    assert_eq!(crlf.matches("<figure>").count(), 3);
    assert!(!crlf.contains('\r'));

    let no_images =
        read(&out.join("postgresql-notes-vacuum-settings-what-proc-meminfo-tells-you/index.html"));
    assert!(
        no_images
            .contains("<h1>postgresql notes: vacuum settings: what /proc/meminfo tells you</h1>")
    );
    assert_eq!(no_images.matches("<figure>").count(), 0);

    let many = read(&out.join("redis-caching-notes-a-gallery-of-eight-cache-diagrams/index.html"));
    assert_eq!(many.matches("<figure>").count(), 8);
    assert!(many.contains("src=\"https://picsum.photos/diagram-3.png\""));

    let unicode =
        read(&out.join("cafe-notes-resume-uploads-uber-ri-ben-yu-ok-naive-caching/index.html"));
    assert!(unicode.contains("<h1>café notes: résumé uploads über 日本語 ✓ — naïve caching</h1>"));
    assert!(unicode.contains("revisar los planes de consulta ✓"));

    let markup_dir = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("script-alert-1-script"))
        .expect("markup article built");
    let markup = read(&out.join(markup_dir).join("index.html"));
    assert!(markup.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;redis&lt;/b&gt; notes: a_b *c* [d](javascript:x)</h1>"), "title not shown as text");
    assert!(markup.contains(
        "&lt;img src=x onerror=alert(2)&gt; many teams notice *not emphasis* and `not code` and"
    ));
    assert!(markup.contains("1. not an ordered list &lt;u&gt;really&lt;/u&gt;"));
    assert!(markup.contains("&lt;i&gt;running&lt;/i&gt; &amp; scheduled: tasks / redis"));
    assert!(
        !markup.contains("<script>alert")
            && !markup.contains("<img src=x")
            && !markup.contains("<b>redis")
    );
}

#[test]
fn mixed_folder_imports_the_good_and_names_each_bad_file() {
    let site = empty_site();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("garbage"), dir.path());
    std::fs::copy(fixture("seed.txt"), dir.path().join("good.txt")).unwrap();
    std::fs::write(dir.path().join("ignored.md"), "not a .txt file").unwrap();
    let output = notesite(site.path())
        .arg("import")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(
        stdout.contains("imported 1, skipped 0, failed 5"),
        "{stdout}"
    );
    let shown = |name: &str| dir.path().join(name).display().to_string();
    for expected in [
        format!("{}:2:1: error: not UTF-8 text", shown("binary.txt")),
        format!("{}:1:1: error: the file is empty", shown("empty.txt")),
        format!(
            "{}:41:1: error: no `alphanode post meta` box",
            shown("truncated.txt")
        ),
        format!(
            "{}:66:1: error: `view count` is `lots`; expected a whole number",
            shown("wrong-type.txt")
        ),
        format!(
            "{}:67:1: error: `score.quality` is 140",
            shown("bad-score.txt")
        ),
    ] {
        assert!(
            stderr.contains(&expected),
            "`{expected}` not in stderr:\n{stderr}"
        );
    }
    assert!(
        seed_page_source(site.path()).is_file(),
        "the good file was not imported"
    );
}

fn seed_page_source(root: &Path) -> PathBuf {
    root.join("content").join(format!("{SEED_SLUG}.md"))
}

#[test]
fn existing_articles_are_never_clobbered_without_force() {
    let site = empty_site();
    let seed = fixture("seed.txt");
    import(site.path(), &[&seed]).success();
    import(site.path(), &[&seed])
        .success()
        .stdout(predicate::str::contains("imported 0, skipped 1, failed 0"));

    let target = seed_page_source(site.path());
    let edited = read(&target).replace("many teams notice", "EDITED many teams notice");
    std::fs::write(&target, &edited).unwrap();
    import(site.path(), &[&seed])
        .success()
        .stdout(predicate::str::contains("imported 0, skipped 1, failed 0"))
        .stderr(predicate::str::contains(
            "skipped: it exists with other content; pass --force",
        ));
    assert_eq!(read(&target), edited, "an edited article was overwritten");

    notesite(site.path())
        .args(["import", "--force"])
        .arg(&seed)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 1"));
    assert!(!read(&target).contains("EDITED"));
}

#[test]
fn two_exports_with_one_title_do_not_overwrite_each_other() {
    let site = empty_site();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("seed.txt"), dir.path().join("a.txt")).unwrap();
    std::fs::copy(fixture("seed.txt"), dir.path().join("b.txt")).unwrap();
    notesite(site.path())
        .arg("import")
        .arg(dir.path())
        .assert()
        .failure()
        .stdout(predicate::str::contains("imported 1, skipped 0, failed 1"))
        .stderr(predicate::str::contains(format!(
            "b.txt: error: slug `{SEED_SLUG}` is also the slug of"
        )));
}

#[test]
fn synth_is_deterministic_per_seed() {
    let site = empty_site();
    let run = |seed: &str, out: &str| {
        notesite(site.path())
            .args(["synth", "--count", "60", "--seed", seed, "--out", out])
            .assert()
            .success()
            .stdout(predicate::str::contains("wrote 60 articles"));
        tree(&site.path().join(out))
    };
    let a = run("9", "a");
    assert_eq!(a.len(), 60);
    assert!(a == run("9", "b"), "same seed, different corpus");
    assert!(a != run("10", "c"), "different seeds, same corpus");
    let jobs1 = {
        notesite(site.path())
            .args([
                "synth", "--count", "60", "--seed", "9", "--out", "d", "--jobs", "1",
            ])
            .assert()
            .success();
        tree(&site.path().join("d"))
    };
    assert!(a == jobs1, "--jobs changed the corpus");
}

#[test]
fn synth_export_then_import_equals_synth_source_and_builds() {
    let site = empty_site();
    notesite(site.path())
        .args([
            "synth", "--count", "150", "--seed", "3", "--out", "expected",
        ])
        .assert()
        .success();
    notesite(site.path())
        .args([
            "synth", "--count", "150", "--seed", "3", "--format", "export",
        ])
        .assert()
        .success();
    import(site.path(), &[&site.path().join("exports")])
        .success()
        .stdout(predicate::str::contains(
            "imported 150, skipped 0, failed 0",
        ));
    assert!(
        tree(&site.path().join("expected")) == tree(&site.path().join("content")),
        "round trip changed the articles"
    );
    build(site.path(), &[]).stdout(predicate::str::contains("built 150 articles"));
}

#[test]
fn synthesized_corpus_has_a_realistic_vocabulary() {
    let site = empty_site();
    notesite(site.path())
        .args(["synth", "--count", "400"])
        .assert()
        .success();
    build(site.path(), &[]);
    let terms = |taxonomy: &str| {
        std::fs::read_dir(site.path().join("public").join(taxonomy))
            .unwrap()
            .count()
            - 1
    };
    let (stacks, tools) = (terms("stack"), terms("tools"));
    assert!((20..=80).contains(&stacks), "{stacks} stack terms");
    assert!((40..=200).contains(&tools), "{tools} tool terms");
    let languages: std::collections::BTreeSet<String> =
        std::fs::read_dir(site.path().join("content"))
            .unwrap()
            .flat_map(|e| {
                read(&e.unwrap().path())
                    .lines()
                    .filter_map(|l| l.strip_prefix("code_language: ").map(String::from))
                    .collect::<Vec<_>>()
            })
            .collect();
    assert!(languages.len() >= 6, "{languages:?}");
}

/// Image URLs that a Markdown link destination cannot hold raw (spaces,
/// `<>`, quotes, parentheses) are percent-encoded on import, so the figure
/// keeps its image and caption instead of turning into raw Markdown.
#[test]
fn import_percent_encodes_image_urls_markdown_cannot_hold() {
    let site = empty_site();
    let odd = "https://dummyimage.com/a b<c>\"d'(e).png";
    let text = read(&fixture("seed.txt")).replace(
        "https://dummyimage.com/1200x630/111827/ffffff.png&text=running+scheduled+tasks+reliably+with+",
        odd,
    );
    let export = site.path().join("odd.txt");
    std::fs::write(&export, text).unwrap();
    import(site.path(), &[&export]).success();
    let checked = notesite(site.path()).arg("check").assert().success();
    let stderr = String::from_utf8_lossy(&checked.get_output().stderr).into_owned();
    assert!(!stderr.contains("warning"), "{stderr}");
    build(site.path(), &[]);
    let page = seed_page(site.path());
    assert!(
        page.contains("src=\"https://dummyimage.com/a%20b%3Cc%3E%22d%27%28e%29.png\""),
        "{page}"
    );
    assert!(page.contains("visual reference 1. image source: dummyimage.com"));
    assert!(
        !visible_text(&page).contains("!["),
        "raw Markdown on the page"
    );
}

#[test]
fn check_warns_for_an_image_source_no_figure_uses() {
    let site = empty_site();
    import(site.path(), &[&fixture("seed.txt")]).success();
    let path = site.path().join(format!("content/{SEED_SLUG}.md"));
    let text = read(&path).replace(
        "image_sources:\n",
        "image_sources:\n- source: example.org\n  url: https://example.org/unused.png\n  caption: never shown\n",
    );
    std::fs::write(&path, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("https://example.org/unused.png"))
        .unwrap()
        + 1;
    notesite(site.path())
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "content/{SEED_SLUG}.md:{line}:3: warning: image source `https://example.org/unused.png` is not used"
        )));
}

#[test]
fn an_export_cut_inside_the_meta_box_says_so_instead_of_blaming_an_image() {
    let site = empty_site();
    let seed = read(&fixture("seed.txt"));
    for keep in [60, 96, 99] {
        let cut: String = seed.lines().take(keep).map(|l| format!("{l}\n")).collect();
        let export = site.path().join(format!("cut-{keep}.txt"));
        std::fs::write(&export, cut).unwrap();
        import(site.path(), &[&export])
            .failure()
            .stderr(predicate::str::contains(format!(
                "cut-{keep}.txt:{keep}:1: error: the export ends here, inside the meta box"
            )))
            .stderr(predicate::str::contains("looks cut off"));
    }
    // A complete export (its meta box goes on past `image sources`, here
    // without the optional `Similar Posts` line) whose image has no entry
    // blames the image, not a cut.
    let complete: String = seed
        .replace(
            "caption: running scheduled tasks reliably with redis caching visual reference 2",
            "caption: another caption",
        )
        .replace("Similar Posts", "");
    let export = site.path().join("complete.txt");
    std::fs::write(&export, complete).unwrap();
    import(site.path(), &[&export])
        .failure()
        .stderr(predicate::str::contains("image 2 `running scheduled tasks reliably with redis caching visual reference 2` has no `image sources` entry"));
}

#[test]
fn import_refuses_a_slug_an_existing_article_claims() {
    let site = starter_site();
    let existing = std::fs::read_dir(site.path().join("content"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let renamed = site.path().join("content/other-name.md");
    std::fs::rename(&existing, &renamed).unwrap();
    let text = read(&renamed).replacen("---\n", &format!("---\nslug: {SEED_SLUG}\n"), 1);
    std::fs::write(&renamed, text).unwrap();
    import(site.path(), &[&fixture("seed.txt")])
        .failure()
        .stderr(predicate::str::contains(format!(
            "seed.txt: error: slug `{SEED_SLUG}` is already the slug of content/other-name.md"
        )));
    assert!(!site.path().join(format!("content/{SEED_SLUG}.md")).exists());
    notesite(site.path()).arg("check").assert().success();
}

/// Issue 19, item 15: existing slugs were found by a line scan for
/// `slug:`, so an article in a subfolder (slug from its file name), a
/// quoted `"slug":` key or flow-style front matter did not count, and the
/// next `check` failed with "duplicate slug".
#[test]
fn import_finds_existing_slugs_exactly_as_the_build_does() {
    let cases = [
        (
            "content/sub/{SEED}.md",
            "---\ntitle: a\ndate: 2026-01-01\n---\nbody\n",
        ),
        (
            "content/quoted.md",
            "---\n\"slug\": {SEED}\ntitle: a\ndate: 2026-01-01\n---\nbody\n",
        ),
        (
            "content/flow.md",
            "---\n{title: a, date: 2026-01-01, slug: {SEED}}\n---\nbody\n",
        ),
    ];
    for (path, text) in cases {
        let site = empty_site();
        let path = path.replace("{SEED}", SEED_SLUG);
        let file = site.path().join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text.replace("{SEED}", SEED_SLUG)).unwrap();
        notesite(site.path()).arg("check").assert().success();
        import(site.path(), &[&fixture("seed.txt")])
            .failure()
            .stderr(predicate::str::contains(format!(
                "seed.txt: error: slug `{SEED_SLUG}` is already the slug of {path}"
            )));
        assert!(
            !site.path().join(format!("content/{SEED_SLUG}.md")).exists(),
            "{path}"
        );
        notesite(site.path()).arg("check").assert().success();
    }
}

/// Issue 19, item 13: a problem the converted article has pointed into
/// the would-be `.md` file; it points at the export's own line.
#[test]
fn a_problem_of_the_converted_article_points_at_the_export_line() {
    let site = empty_site();
    let seed = read(&fixture("seed.txt"));
    let at = seed
        .lines()
        .position(|l| l.starts_with("the first useful improvement"))
        .unwrap();
    let export = site.path().join("bel.txt");
    std::fs::write(
        &export,
        seed.replacen(
            "the first useful improvement",
            "the first useful \u{7}improvement",
            1,
        ),
    )
    .unwrap();
    import(site.path(), &[&export])
        .failure()
        .stderr(predicate::str::contains(format!(
            "bel.txt:{}:1: error: the converted article would not build: the body holds the character U+0007",
            at + 1
        )));
}

/// Issue 19, item 16: import wrote 0600 files where `new` and `synth`
/// write 0644.
#[test]
fn imported_files_are_as_readable_as_new_ones() {
    use std::os::unix::fs::PermissionsExt;
    let site = empty_site();
    import(site.path(), &[&fixture("seed.txt")]).success();
    let imported = site.path().join(format!("content/{SEED_SLUG}.md"));
    let mode = std::fs::metadata(&imported).unwrap().permissions().mode() & 0o777;
    notesite(site.path())
        .args(["new", "fresh"])
        .assert()
        .success();
    let made = std::fs::metadata(site.path().join("content/fresh.md")).unwrap();
    assert_eq!(mode, made.permissions().mode() & 0o777);
    assert_eq!(
        mode & 0o044,
        0o044,
        "readable by group and others: {mode:o}"
    );
}

#[test]
fn exports_that_are_symlinks_are_followed_and_fifos_reported() {
    let site = empty_site();
    let inputs = tempfile::tempdir().unwrap();
    let real = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("seed.txt"), real.path().join("seed.txt")).unwrap();
    std::os::unix::fs::symlink(
        real.path().join("seed.txt"),
        inputs.path().join("linked.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        real.path().join("gone.txt"),
        inputs.path().join("dangling.txt"),
    )
    .unwrap();
    let fifo = inputs.path().join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    import(site.path(), &[inputs.path()])
        .failure()
        .stdout(predicate::str::contains("imported 1, skipped 0, failed 2"))
        .stderr(predicate::str::contains(
            "pipe.txt: error: not a regular file",
        ))
        .stderr(predicate::str::contains("dangling.txt: error:"));
    assert!(
        site.path()
            .join(format!("content/{SEED_SLUG}.md"))
            .is_file()
    );
}
