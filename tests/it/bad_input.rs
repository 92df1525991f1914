//! Bad input: every case must name the file (and line where there is one)
//! on stderr, exit non-zero, and leave a previously built site untouched.

use crate::common::*;
use predicates::prelude::*;

/// Builds a good site, adds `files`, and asserts that both `build` and
/// `check` fail with every `expected` text in their report while `public/`
/// keeps every byte it had and no staging folder is left behind. Runs the
/// library's build and check in-process: the same calls the binary makes
/// (`the_binary_rejects_bad_input_with_positions` runs the binary itself).
fn assert_rejected(files: &[(&str, &[u8])], expected: &[&str]) {
    let site = starter_site();
    build_here(site.path()).expect("the starter site builds");
    let before = tree(&site.path().join("public"));
    add_files(site.path(), files);
    for (command, result) in [
        ("build", build_here(site.path())),
        ("check", check_here(site.path())),
    ] {
        let report = result
            .err()
            .unwrap_or_else(|| panic!("{command} succeeded"));
        for needle in expected {
            assert!(
                report.contains(needle),
                "{command}: `{needle}` not in the report:\n{report}"
            );
        }
    }
    assert_public_kept(site.path(), &before);
}

fn add_files(root: &std::path::Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn assert_public_kept(root: &std::path::Path, before: &Tree) {
    assert!(
        *before == tree(&root.join("public")),
        "public/ changed after a failed build"
    );
    let names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("staging")),
        "staging left behind: {names:?}"
    );
}

/// The real binary, on a few bad inputs: both commands exit non-zero and
/// print each problem with its file and line on stderr, and the site
/// built before stays as it was.
#[test]
fn the_binary_rejects_bad_input_with_positions() {
    let site = starter_site();
    build(site.path(), &[]);
    let before = tree(&site.path().join("public"));
    let files: [(&str, &[u8]); 2] = [
        ("content/bad.md", b"---\ntitle: x\ndate: [2026\n---\nbody\n"),
        ("content/worse.md", b"---\ntitle: x\n\nbody\n"),
    ];
    add_files(site.path(), &files);
    for command in ["build", "check"] {
        let output = notesite(site.path()).arg(command).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{command} succeeded; stderr:\n{stderr}"
        );
        for needle in [
            "content/bad.md:4:1: error: invalid YAML",
            "content/worse.md:1:1: error: unterminated front matter",
        ] {
            assert!(
                stderr.contains(needle),
                "{command}: `{needle}` not in stderr:\n{stderr}"
            );
        }
    }
    assert_public_kept(site.path(), &before);
}

fn article(front_matter: &str) -> Vec<u8> {
    format!("---\n{front_matter}---\nbody\n").into_bytes()
}

#[test]
fn malformed_yaml() {
    assert_rejected(
        &[("content/bad.md", &article("title: x\ndate: [2026\n"))],
        &["content/bad.md:4:1: error: invalid YAML"],
    );
}

#[test]
fn unterminated_front_matter() {
    assert_rejected(
        &[("content/bad.md", b"---\ntitle: x\n\nbody\n")],
        &["content/bad.md:1:1: error: unterminated front matter"],
    );
}

#[test]
fn wrong_type() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article("title: x\ndate: 2026-01-01\nreading_time: five\n"),
        )],
        &["content/bad.md:4:1: error: `reading_time` has the wrong type"],
    );
}

#[test]
fn score_out_of_range() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article(
                "title: x\ndate: 2026-01-01\nscore: {quality: 140, freshness: 1, depth: 1, clarity: 1}\n",
            ),
        )],
        &["content/bad.md:4:9: error: `score.quality` is 140; scores must be within 0..=100"],
    );
}

#[test]
fn unknown_key_with_suggestion() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article("title: x\ndate: 2026-01-01\nviewcount: 3\n"),
        )],
        &["content/bad.md:4:1: error: unknown key `viewcount`; did you mean `view_count`?"],
    );
}

#[test]
fn bad_date_and_version_and_difficulty_all_reported() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article(
                "title: x\ndate: 2026-02-30\ndifficulty: expert\nrevision: {status: drafted, version: one, last_reviewed: 2026-01-01}\n",
            ),
        )],
        &[
            "content/bad.md:3:1: error: `date` is `2026-02-30`, which is not a date",
            "content/bad.md:4:1: error: unknown difficulty `expert`",
            "content/bad.md:5:29: error: `revision.version` `one` is not a version",
        ],
    );
}

#[test]
fn duplicate_slug_names_both_files() {
    assert_rejected(
        &[
            (
                "content/one.md",
                &article("title: one\ndate: 2026-01-01\nslug: same\n"),
            ),
            (
                "content/two.md",
                &article("title: two\ndate: 2026-01-02\nslug: same\n"),
            ),
        ],
        &["content/two.md: error: duplicate slug `same`: content/one.md has it too"],
    );
}

#[test]
fn missing_title() {
    assert_rejected(
        &[("content/bad.md", &article("date: 2026-01-01\n"))],
        &["content/bad.md:1:1: error: `title` is missing or empty"],
    );
}

#[test]
fn non_utf8_file() {
    assert_rejected(
        &[("content/bad.md", b"---\ntitle: caf\xe9\n---\n")],
        &["content/bad.md:2:11: error: not valid UTF-8"],
    );
}

#[test]
fn empty_file() {
    assert_rejected(
        &[("content/bad.md", b"")],
        &["content/bad.md:1:1: error: the file is empty"],
    );
}

#[test]
fn template_syntax_error() {
    assert_rejected(
        &[(
            "templates/404.html",
            b"{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock content %}\n",
        )],
        &["templates/404.html:3:7: error: Found `%}`"],
    );
}

#[test]
fn unknown_asset_path() {
    assert_rejected(
        &[("templates/404.html", b"{% extends \"base.html\" %}\n{% block content %}\n{{ asset(path=\"css/nope.css\") }}\n{% endblock content %}\n")],
        &["templates/404.html:3:4: error: asset(path=\"css/nope.css\"): no such file in static/"],
    );
}

#[test]
fn javascript_image_url_in_body() {
    let text = b"---\ntitle: x\ndate: 2026-01-01\n---\n\nintro\n\n![pwn](javascript:alert(1))\n";
    assert_rejected(
        &[("content/bad.md", text)],
        &["content/bad.md:8:1: error: image URL `javascript:alert(1)` uses `javascript:`"],
    );
}

#[test]
fn javascript_url_in_image_sources() {
    let fm = "title: x\ndate: 2026-01-01\nimage_sources:\n  - {source: a, url: \"javascript:alert(1)\", caption: c}\n";
    assert_rejected(
        &[("content/bad.md", &article(fm))],
        &[
            "content/bad.md:5:17: error: image source url `javascript:alert(1)` must be an http:// or https:// URL",
        ],
    );
}

#[test]
fn slug_that_climbs_out_of_the_output() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article("title: x\ndate: 2026-01-01\nslug: ../../x\n"),
        )],
        &["content/bad.md:4:1: error: slug `../../x` may only contain"],
    );
}

#[test]
fn broken_internal_link() {
    let text = b"---\ntitle: x\ndate: 2026-01-01\n---\nsee [the other note](/no-such-note/)\n";
    assert_rejected(
        &[("content/bad.md", text)],
        &["content/bad.md:5:5: error: link to `/no-such-note/`, which is not a page of this site"],
    );
}

#[test]
fn css_url_to_a_missing_file() {
    assert_rejected(
        &[(
            "static/css/extra.css",
            b"body {\n  background: url(../img/missing.png);\n}\n",
        )],
        &["static/css/extra.css:2:19: error: url(../img/missing.png) points at no file in static/"],
    );
}

#[test]
fn unknown_config_key() {
    let site = starter_site();
    let config = read(&site.path().join("site.yaml")).replace("paginate_by:", "paginate:");
    std::fs::write(site.path().join("site.yaml"), config).unwrap();
    notesite(site.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "site.yaml:9:1: error: unknown field `paginate`",
        ));
}

#[test]
fn warnings_do_not_fail_the_build() {
    let site = starter_site();
    let text = "---\ntitle: x\ndate: 2026-01-01\n---\n![uncredited](https://example.org/a.png)\n";
    std::fs::write(site.path().join("content/warn.md"), text).unwrap();
    notesite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicates::str::contains("content/warn.md:5:1: warning: image `https://example.org/a.png` has no `image_sources` entry"));
}

#[test]
fn out_that_is_not_notesite_output_is_never_replaced() {
    let site = starter_site();
    std::fs::create_dir(site.path().join("docs")).unwrap();
    std::fs::write(site.path().join("docs/thesis.tex"), "precious").unwrap();
    notesite(site.path())
        .args(["build", "--out", "docs"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not a notesite output"));
    assert_eq!(read(&site.path().join("docs/thesis.tex")), "precious");
    notesite(site.path())
        .args(["build", "--out", "."])
        .assert()
        .failure()
        .stderr(predicates::str::contains("would replace the site itself"));
    assert!(site.path().join("site.yaml").is_file());
}

#[test]
fn hidden_files_are_not_content_or_assets() {
    let site = starter_site();
    std::fs::write(site.path().join("content/.#draft.md"), "not an article").unwrap();
    std::fs::write(site.path().join("static/.DS_Store"), "junk").unwrap();
    build(site.path(), &[]);
    let manifest = read(&site.path().join("public/asset-manifest.json"));
    assert!(!manifest.contains("DS_Store"), "{manifest}");
}

#[test]
fn local_image_that_is_not_in_static() {
    let text = b"---\ntitle: x\ndate: 2026-01-01\n---\n![diagram](/img/missing.png)\n";
    assert_rejected(
        &[("content/bad.md", text)],
        &[
            "content/bad.md:5:1: error: image `/img/missing.png` is neither a page of this site nor a file in static/",
        ],
    );
}

#[test]
fn local_image_in_static_is_rewritten_to_its_hashed_name() {
    let site = starter_site();
    std::fs::write(site.path().join("static/img/diagram.svg"), "<svg/>").unwrap();
    let text = "---\ntitle: x\ndate: 2026-01-01\nimage_sources: [{url: /img/diagram.svg, caption: the diagram}]\n---\n![diagram](/img/diagram.svg)\n";
    std::fs::write(site.path().join("content/local.md"), text).unwrap();
    notesite(site.path()).arg("build").assert().success();
    let html = read(&site.path().join("public/local/index.html"));
    assert!(html.contains("<img src=\"/assets/img/diagram."), "{html}");
    assert!(
        html.contains("<figcaption>the diagram</figcaption>"),
        "{html}"
    );
}

#[test]
fn symlinks_out_of_the_site_are_refused_in_content_and_static() {
    for link in ["content/borrowed.md", "static/borrowed.txt"] {
        let site = starter_site();
        build(site.path(), &[]);
        let before = tree(&site.path().join("public"));
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("borrowed.md");
        std::fs::write(
            &target,
            "---\ntitle: from elsewhere\ndate: 2026-01-01\n---\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(&target, site.path().join(link)).unwrap();
        let output = notesite(site.path()).arg("build").output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{link}: {stderr}");
        assert!(
            stderr.contains(&format!("{link}: error: a symlink to"))
                && stderr.contains("outside the site"),
            "{link}: {stderr}"
        );
        assert_eq!(tree(&site.path().join("public")), before, "{link}");
    }
}

#[test]
fn symlinks_inside_the_site_are_followed() {
    let site = starter_site();
    let shared = site.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("note.txt"), "shared text").unwrap();
    std::os::unix::fs::symlink(shared.join("note.txt"), site.path().join("static/note.txt"))
        .unwrap();
    build(site.path(), &[]);
    let manifest = read(&site.path().join("public/asset-manifest.json"));
    assert!(manifest.contains("\"note.txt\""), "{manifest}");
}

// False errors: what is right must not be reported, and what is wrong must
// be reported as what it is.

/// `check` on a fresh site with `files` added: (success, stderr).
fn check_with(files: &[(&str, &[u8])]) -> (bool, String) {
    let site = starter_site();
    for (rel, bytes) in files {
        let path = site.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let output = notesite(site.path()).arg("check").output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_key_does_not_turn_an_accepted_title_into_a_type_error() {
    let (ok, _) = check_with(&[("content/a.md", &article("title: 2024\ndate: 2026-01-01\n"))]);
    assert!(ok, "a number as title is accepted alone");
    let (ok, stderr) = check_with(&[(
        "content/a.md",
        &article("title: 2024\ndate: 2026-01-01\nbogus: 1\n"),
    )]);
    assert!(!ok);
    assert!(
        stderr.contains("content/a.md:4:1: error: unknown key `bogus`"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong type"), "{stderr}");
}

#[test]
fn an_email_autolink_is_a_mail_link_not_a_missing_page() {
    let body = b"---\ntitle: x\ndate: 2026-01-01\n---\nWrite to <me@example.com>.\n";
    let (ok, stderr) = check_with(&[("content/a.md", body)]);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("not a page"), "{stderr}");
}

#[test]
fn a_huge_integer_is_a_number_too_large_not_invalid_yaml() {
    let (ok, stderr) = check_with(&[(
        "content/a.md",
        &article("title: x\ndate: 2026-01-01\nview_count: 1000000000000000000000000000000\n"),
    )]);
    assert!(!ok);
    assert!(
        stderr.contains("content/a.md:4:13: error: `view_count` is 1000000000000000000000000000000, a number too large"),
        "{stderr}"
    );
    assert!(!stderr.contains("invalid YAML"), "{stderr}");
}

#[test]
fn a_bad_revision_is_not_also_a_missing_date() {
    for revision in [
        "revision: {status: x, version: banana, last_reviewed: 2026-01-01}\n",
        "revision: {status: x, version: 1.0.0, last_reviewed: 2026-13-01}\n",
        "revision: 5\n",
    ] {
        let (ok, stderr) =
            check_with(&[("content/a.md", &article(&format!("title: x\n{revision}")))]);
        assert!(!ok, "{revision}");
        assert!(stderr.contains("content/a.md:3:"), "{revision}: {stderr}");
        assert!(!stderr.contains("no date"), "{revision}: {stderr}");
    }
    let (_, stderr) = check_with(&[("content/a.md", &article("title: x\n"))]);
    assert!(stderr.contains("no date"), "{stderr}");
}

// Names a file system cannot take are caught at their source line by
// `check`, not by `build` at the output path.

#[test]
fn a_slug_over_the_length_limit_is_an_error_at_its_line() {
    let long = "a".repeat(256);
    let (ok, stderr) = check_with(&[(
        "content/a.md",
        &article(&format!("title: x\ndate: 2026-01-01\nslug: {long}\n")),
    )]);
    assert!(!ok);
    assert!(
        stderr.contains("content/a.md:4:1: error: slug `aaaa"),
        "{stderr}"
    );
    assert!(stderr.contains("slugs are at most 200"), "{stderr}");
    let name = format!("content/{}.md", "b".repeat(230));
    let (ok, stderr) = check_with(&[(&name, &article("title: x\ndate: 2026-01-01\n"))]);
    assert!(!ok);
    assert!(stderr.contains("it comes from the file name"), "{stderr}");
}

#[test]
fn a_taxonomy_term_over_255_bytes_builds_under_a_shortened_folder() {
    let term = "word ".repeat(80);
    let site = starter_site();
    let text = format!(
        "---\ntitle: x\ndate: 2026-01-01\nstack: [\"{term}\"]\ntools: [\"{term}\"]\n---\nbody\n"
    );
    std::fs::write(site.path().join("content/long-terms.md"), text).unwrap();
    notesite(site.path()).arg("check").assert().success();
    build(site.path(), &[]);
    let stack = tree(&site.path().join("public/stack"));
    let longest = stack
        .keys()
        .map(|k| k.split('/').next().unwrap().len())
        .max()
        .unwrap();
    assert!(longest <= 200, "{longest}");
}

#[test]
fn new_and_import_shorten_long_titles_and_refuse_reserved_ones() {
    let site = starter_site();
    let long_title = "kafka notes: ".to_string() + &"consumer lag ".repeat(40);
    notesite(site.path())
        .args(["new", &long_title])
        .assert()
        .success();
    notesite(site.path())
        .args(["check", "--drafts"])
        .assert()
        .success();
    for reserved in ["Assets", "404"] {
        notesite(site.path())
            .args(["new", reserved])
            .assert()
            .failure()
            .stderr(
                predicates::str::contains("is reserved for generated pages")
                    .and(predicates::str::contains("pass --slug")),
            );
    }
    let seed = read(&example_root().join("tests/fixtures/exports/seed.txt"));
    let title = "redis caching notes: running scheduled tasks reliably behind a cdn";
    let long = site.path().join("long.txt");
    let long_import = long_title.replace("kafka", "redis");
    std::fs::write(&long, seed.replace(title, &long_import)).unwrap();
    let reserved = site.path().join("assets.txt");
    std::fs::write(&reserved, seed.replace(title, "Assets")).unwrap();
    let output = notesite(site.path())
        .arg("import")
        .arg(&long)
        .arg(&reserved)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:3:1: error: slug `assets` is reserved",
            reserved.display()
        )),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("imported 1,"), "{stdout}{stderr}");
    notesite(site.path())
        .args(["check", "--drafts"])
        .assert()
        .success();
}

// Errors that had no position now have one.

#[test]
fn an_alias_bomb_is_an_error_at_its_line() {
    let mut yaml = String::from(
        "title: x\ndate: 2026-01-01\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{previous}"); 9].join(", ");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    assert_rejected(
        &[("content/bomb.md", &article(&yaml))],
        &["content/bomb.md:5:1: error: YAML aliases here expand too far"],
    );
}

#[test]
fn non_text_keys_are_reported_at_their_lines() {
    assert_rejected(
        &[(
            "content/keys.md",
            &article("title: x\ndate: 2026-01-01\n? [a, b]\n: 1\n5: x\n"),
        )],
        &[
            "content/keys.md:4:1: error: front-matter keys must be text, found a list",
            "content/keys.md:6:1: error: front-matter keys must be text, found a number",
        ],
    );
}

/// Issue 19, item 13: a flow-style key and a quoted key with a colon were
/// reported at the opening line (2:1), not at their own.
#[test]
fn flow_and_quoted_keys_are_reported_at_their_lines() {
    assert_rejected(
        &[
            (
                "content/flow.md",
                &article("title: x\ndate: 2026-01-01\n[x, y]: b\n"),
            ),
            (
                "content/quoted.md",
                &article("title: x\ndate: 2026-01-01\n\"a:b\": 1\n"),
            ),
        ],
        &[
            "content/flow.md:4:1: error: front-matter keys must be text, found a list",
            "content/quoted.md:4:1: error: unknown key `a:b`",
        ],
    );
}

#[test]
fn site_yaml_value_errors_have_a_position() {
    let base = "title: t\nbase_url: https://x.org\n";
    for (extra, expected) in [
        (
            "paginate_by: 0\n",
            "site.yaml:3:1: error: paginate_by must be at least 1",
        ),
        (
            "taxonomies: [stack, colours]\n",
            "site.yaml:3:1: error: unknown taxonomy `colours`",
        ),
        (
            "feed_limit: 3\nfeed_limit: 4\n",
            "site.yaml:4:1: error: duplicate field `feed_limit`",
        ),
        // Issue 19, item 13: once reported with no position.
        (
            "markdown:\n  highlight_theme: Nope\n",
            "site.yaml:4:3: error: unknown highlight theme `Nope`; known: InspiredGitHub",
        ),
    ] {
        assert_rejected(
            &[("site.yaml", format!("{base}{extra}").as_bytes())],
            &[expected],
        );
    }
    assert_rejected(
        &[("site.yaml", b"title: t\nbase_url: ftp://x.org\n")],
        &["site.yaml:2:1: error: base_url `ftp://x.org` must be an http:// or https:// URL"],
    );
}

#[test]
fn template_cycles_name_every_template_and_the_closing_line() {
    assert_rejected(
        &[
            (
                "templates/partials/similar.html",
                b"{% include \"partials/loop.html\" %}\n",
            ),
            (
                "templates/partials/loop.html",
                b"loop\n{% include \"partials/similar.html\" %}\n",
            ),
        ],
        &[
            "templates/partials/loop.html:2:1: error: circular include: ",
            "partials/similar.html → partials/loop.html → partials/similar.html",
        ],
    );
    assert_rejected(
        &[
            ("templates/x.html", b"{% extends \"y.html\" %}\n"),
            ("templates/y.html", b"{% extends \"x.html\" %}\n"),
        ],
        &["error: circular extends: ", "x.html → y.html → x.html"],
    );
}

/// A line break in a Cache-Control setting would be written raw into
/// `_headers`: a header injection.
#[test]
fn a_control_character_in_a_cache_control_setting_is_refused() {
    assert_rejected(
        &[(
            "site.yaml",
            b"title: t\nbase_url: https://x.org\ncdn:\n  page_cache_control: \"public\\nX-Evil: 1\"\n",
        )],
        &["site.yaml:4:3: error: cdn.page_cache_control holds a control character"],
    );
}

// Wrong but quiet: each of these used to pass without a word.

#[test]
fn yaml_tags_are_refused_not_silently_dropped() {
    assert_rejected(
        &[
            (
                "content/a.md",
                &article("title: x\ndate: 2026-01-01\ntopic: !!binary aGVsbG8=\n"),
            ),
            (
                "content/b.md",
                &article("title: y\ndate: 2026-01-01\nreference: !custom foo\n"),
            ),
        ],
        &[
            "content/a.md:4:1: error: this value carries the YAML tag `!!binary`",
            "content/b.md:4:1: error: `reference` carries the YAML tag `!custom`",
        ],
    );
}

#[test]
fn control_and_direction_characters_in_meta_text_are_refused() {
    assert_rejected(
        &[
            (
                "content/a.md",
                &article("title: \"bell \\a here\"\ndate: 2026-01-01\n"),
            ),
            (
                "content/b.md",
                &article("title: \"nul \\0 here\"\ndate: 2026-01-01\n"),
            ),
            (
                "content/c.md",
                &article("title: x\ndate: 2026-01-01\nsummary: \"flip \\u202e here\"\n"),
            ),
            (
                "content/d.md",
                &article("title: \"x\u{202e}y\"\ndate: 2026-01-01\n"),
            ),
        ],
        &[
            "content/a.md:2:1: error: `title` holds the character U+0007",
            "content/b.md:2:1: error: `title` holds the character U+0000",
            "content/c.md:4:1: error: `summary` holds the character U+202E",
            "content/d.md:2:1: error: `title` holds the character U+202E",
        ],
    );
    // Quotes, backslashes and exclamation marks in text are fine.
    let (ok, stderr) = check_with(&[(
        "content/a.md",
        &article("title: \"Kafka: Lag! \\\"quoted\\\" C:\\\\temp\"\ndate: 2026-01-01\n"),
    )]);
    assert!(ok, "{stderr}");
}

#[test]
fn year_zero_is_not_a_date() {
    assert_rejected(
        &[("content/a.md", &article("title: x\ndate: 0000-01-01\n"))],
        &["content/a.md:3:1: error: `date` is `0000-01-01`: there is no year 0"],
    );
}

#[test]
fn an_output_folder_inside_static_or_content_is_refused() {
    let site = starter_site();
    // Issue 19, item 6: a path through `..` is checked where it lands
    // (`nosuch/../static/gen` once wrote the site into static/).
    for out in [
        "static/gen",
        "content/out",
        "templates/x/y",
        "nosuch/../static/gen",
        "nosuch/../content/out",
        "a/b/../../templates/x",
        "./static/../static/gen",
        // root/ too, even before it exists: its files are published.
        "root/out",
    ] {
        notesite(site.path())
            .args(["build", "--out", out])
            .assert()
            .failure()
            .stderr(predicate::str::contains(
                "so the next build would read this output back",
            ));
        assert!(!site.path().join(out).exists(), "{out} was created");
    }
}

/// Issue 19, items 6 and 16: `--out` is resolved lexically and against the
/// file system before it is compared: `nosuch/..` failed late with "Device
/// or resource busy" (see also the test above).
#[test]
fn an_output_reached_through_dot_dot_is_checked_where_it_lands() {
    let site = starter_site();
    notesite(site.path())
        .args(["build", "--out", "nosuch/.."])
        .assert()
        .failure()
        .stderr(predicate::str::contains("would replace the site itself"));
    assert!(site.path().join("site.yaml").is_file());
    // A `..` that lands somewhere harmless builds there.
    notesite(site.path())
        .args(["build", "--out", "nosuch/../www"])
        .assert()
        .success();
    assert!(site.path().join("www/index.html").is_file());
}

/// Issue 19, item 8: a build replaces the whole output, so a file a person
/// put into it (or into the folder a symlinked output points to) is refused
/// by name before anything is written, instead of silently deleted.
#[test]
fn a_build_never_deletes_a_file_a_person_put_into_the_output() {
    let site = starter_site();
    build_here(site.path()).expect("the starter site builds");
    std::fs::write(site.path().join("public/keep.txt"), "mine").unwrap();
    std::fs::create_dir_all(site.path().join("public/notes")).unwrap();
    std::fs::write(site.path().join("public/notes/todo.md"), "mine too").unwrap();
    let before = tree(&site.path().join("public"));
    notesite(site.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "holds 2 file(s) no build wrote: keep.txt, notes/todo.md",
        ));
    assert!(
        before == tree(&site.path().join("public")),
        "public/ changed"
    );

    // Through a symlinked output, the same.
    let elsewhere = tempfile::tempdir().unwrap();
    let real = elsewhere.path().join("www");
    std::fs::rename(site.path().join("public"), &real).unwrap();
    std::os::unix::fs::symlink(&real, site.path().join("public")).unwrap();
    notesite(site.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(predicate::str::contains("keep.txt"));
    assert_eq!(read(&real.join("keep.txt")), "mine");

    // Moved out, the build goes on.
    std::fs::remove_file(real.join("keep.txt")).unwrap();
    std::fs::remove_dir_all(real.join("notes")).unwrap();
    notesite(site.path()).arg("build").assert().success();
}

#[test]
fn duplicate_heading_ids_never_repeat_on_the_page() {
    let site = starter_site();
    std::fs::write(
        site.path().join("content/headings.md"),
        "---\ntitle: h\ndate: 2026-01-01\n---\n# a\n\n# a\n\n# a-1\n",
    )
    .unwrap();
    build(site.path(), &[]);
    let page = read(&site.path().join("public/headings/index.html"));
    let ids: Vec<&str> = page
        .match_indices(" id=\"")
        .map(|(at, _)| {
            let rest = &page[at + 5..];
            &rest[..rest.find('"').unwrap()]
        })
        .filter(|id| id.starts_with('a'))
        .collect();
    assert_eq!(ids, ["a", "a-1", "a-1-1"]);
}

#[test]
fn schedule_dates_that_are_not_times_or_never_show_are_errors_at_their_lines() {
    assert_rejected(
        &[
            (
                "content/bad.md",
                &article("title: x\ndate: 2026-01-01\npublish_date: next tuesday\n"),
            ),
            (
                "content/never.md",
                &article(
                    "title: y\ndate: 2026-01-01\npublish_date: 2026-06-01\nexpiry_date: 2026-05-01T00:00:00Z\n",
                ),
            ),
        ],
        &[
            "content/bad.md:4:1: error: `publish_date` is `next tuesday`, which is not a date or a date-time",
            "content/never.md:5:1: error: `expiry_date` 2026-05-01T00:00:00Z is not after `publish_date` 2026-06-01",
        ],
    );
}

#[test]
fn aliases_that_are_not_site_paths_are_errors_at_their_line() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article(
                "title: x\ndate: 2026-01-01\naliases:\n  - https://example.org/x/\n  - old/path\n  - /a/../b/\n  - /q?x=1\n",
            ),
        )],
        &[
            "content/bad.md:4:1: error: alias `https://example.org/x/` must be a path on this site",
            "content/bad.md:4:1: error: alias `old/path` must be a path on this site, starting with `/`",
            "content/bad.md:4:1: error: alias `/a/../b/` may not hold `.` or `..` segments",
            "content/bad.md:4:1: error: alias `/q?x=1` may not hold `?`",
        ],
    );
}

#[test]
fn aliases_that_clash_with_a_page_another_alias_or_their_article_are_errors() {
    let seed = format!("/{SEED_SLUG}/");
    let clashing = article(&format!(
        "title: y\ndate: 2026-01-01\naliases: [{seed}, /stack/, /shared/, /page/1/]\n"
    ));
    assert_rejected(
        &[
            (
                "content/bad.md",
                &article("title: bad\ndate: 2026-01-01\naliases: [/shared/, /bad/]\n"),
            ),
            ("content/clash.md", &clashing),
        ],
        &[
            &format!(
                "content/clash.md:4:1: error: alias `{seed}` is the page of content/{SEED_SLUG}.md"
            ),
            "content/clash.md:4:1: error: alias `/stack/` is the path of a taxonomy page",
            "content/clash.md:4:1: error: alias `/shared/` is also an alias in content/bad.md",
            "content/bad.md:4:1: error: alias `/bad/` points at the article itself",
        ],
    );
}

/// Issue 19, item 1: an alias is a page path, so `/x/index.html` is `/x/`
/// and a generated file is as taken as a page. Before, `/index.html`
/// replaced the home page in every build.
#[test]
fn an_alias_can_never_replace_a_page_or_a_file_the_build_writes() {
    let seed = format!("/{SEED_SLUG}/index.html");
    let aliases = [
        &seed,
        "/stack/index.html",
        "/stack/database/index.html",
        "/404.html",
        "/atom.xml",
        "/robots.txt/",
        "/sitemap.xml",
        "/_headers",
        "/_redirects",
        "/asset-manifest.json/",
        "/search/index.json",
        "/search/",
    ];
    let list: String = aliases.iter().map(|a| format!("  - {a}\n")).collect();
    let front = format!("title: x\ndate: 2026-01-01\naliases:\n{list}");
    assert_rejected(
        &[("content/bad.md", &article(&front))],
        &[
            &format!(
                "content/bad.md:4:1: error: alias `/{SEED_SLUG}/` is the page of content/{SEED_SLUG}.md"
            ),
            "content/bad.md:4:1: error: alias `/stack/` is the path of a taxonomy page",
            "content/bad.md:4:1: error: alias `/stack/database/` is the path of a term page",
            "content/bad.md:4:1: error: alias `/404.html` is the path of the 404 page",
            "content/bad.md:4:1: error: alias `/atom.xml/` would need `/atom.xml` to be a folder, but it is the feed",
            "content/bad.md:4:1: error: alias `/robots.txt/` would need `/robots.txt` to be a folder",
            "content/bad.md:4:1: error: alias `/sitemap.xml/` would need `/sitemap.xml` to be a folder",
            "content/bad.md:4:1: error: alias `/_headers/` clashes with `/_headers`, a file the build writes",
            "content/bad.md:4:1: error: alias `/_redirects/` would need `/_redirects` to be a folder, but it is the redirects file",
            "content/bad.md:4:1: error: alias `/asset-manifest.json/` clashes with `/asset-manifest.json`",
            "content/bad.md:4:1: error: alias `/search/index.json/` would need `/search/index.json` to be a folder, but it is the search index",
            "content/bad.md:4:1: error: alias `/search/` is the path of the search page",
        ],
    );
    // Paths that are never an alias, whatever the site holds.
    assert_rejected(
        &[(
            "content/bad.md",
            &article(
                "title: x\ndate: 2026-01-01\naliases: [/index.html, /assets/app.css, /.notesite/pages.json/]\n",
            ),
        )],
        &[
            "content/bad.md:4:1: error: alias `/index.html` is the home page",
            "content/bad.md:4:1: error: alias `/assets/app.css` is inside `/assets/`",
            "content/bad.md:4:1: error: alias `/.notesite/pages.json/` is inside `/.notesite/`",
        ],
    );
}

/// Issue 19, item 3: an alias at publish's own record once built, and then
/// every publish to a folder failed with "Not a directory".
#[test]
fn an_alias_at_the_publish_record_is_refused() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article("title: x\ndate: 2026-01-01\naliases: [/.notesite/publish.json/]\n"),
        )],
        &["content/bad.md:4:1: error: alias `/.notesite/publish.json/` is inside `/.notesite/`"],
    );
}

/// Issue 19, item 2: an alias becomes a `_redirects` line, whose grammar
/// reads `*` as a splat, `:name` as a placeholder and whitespace as a field
/// break; `/*` once redirected every folder URL of the site.
#[test]
fn aliases_cannot_write_rules_into_redirects() {
    let bad = [
        ("/*", "`*`"),
        ("/:slug/", "`:`"),
        ("/x!", "`!`"),
        ("/a\u{a0}b/", "a space (U+00A0)"),
        ("/a\u{2000}b/", "a space (U+2000)"),
        ("/a\u{200b}b/", "the character U+200B"),
        ("/a\u{3000}b/", "a space (U+3000)"),
        ("/a\u{2028}b/", "a space (U+2028)"),
        ("/a\u{2029}b/", "a space (U+2029)"),
        ("/a\u{feff}b/", "the character U+FEFF"),
        ("/a\tb/", "a space (U+0009)"),
        ("/a b/", "a space (U+0020)"),
    ];
    let list: String = bad.iter().map(|(a, _)| format!("  - \"{a}\"\n")).collect();
    let front = format!("title: x\ndate: 2026-01-01\naliases:\n{list}");
    let expected: Vec<String> = bad
        .iter()
        .map(|(_, what)| format!("may not hold {what}"))
        .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_rejected(&[("content/bad.md", &article(&front))], &expected);
}

/// Issue 19, item 4: a segment past the slug limit passed `check` and then
/// failed `build` with "File name too long".
#[test]
fn an_alias_segment_longer_than_a_slug_is_an_error_in_check() {
    let front = format!(
        "title: x\ndate: 2026-01-01\naliases: [/{}/]\n",
        "a".repeat(300)
    );
    assert_rejected(
        &[("content/bad.md", &article(&front))],
        &[
            "content/bad.md:4:1: error: alias `/aaaa",
            "has a segment of 300 bytes",
        ],
    );
}

/// Issue 19, item 16: `/x/` and `/x` are one page; the message said the
/// second "points at the article itself".
#[test]
fn two_aliases_for_one_page_say_they_repeat() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article("title: x\ndate: 2026-01-01\naliases: [/x/, /x]\n"),
        )],
        &["content/bad.md:4:1: error: alias `/x/` is the same page as this article's alias `/x/`"],
    );
}

/// Issue 19, item 7: NUL, BEL, ESC and U+202E in a body reached the HTML
/// raw; now the front matter's rule holds for bodies: an error at the line.
#[test]
fn control_characters_in_a_body_are_errors_at_their_line() {
    for (c, code) in [
        ('\0', "U+0000"),
        ('\u{7}', "U+0007"),
        ('\u{1b}', "U+001B"),
        ('\u{85}', "U+0085"),
        ('\u{202e}', "U+202E"),
        ('\u{2066}', "U+2066"),
    ] {
        let text = format!("---\ntitle: x\ndate: 2026-01-01\n---\n\n“Quoted”, fine.\n\nab{c}cd\n");
        assert_rejected(
            &[("content/bad.md", text.as_bytes())],
            &[&format!(
                "content/bad.md:8:3: error: the body holds the character {code}"
            )],
        );
    }
    // Tabs, line breaks of both kinds and typographic text pass.
    let site = starter_site();
    add_files(
        site.path(),
        &[(
            "content/fine.md",
            "---\r\ntitle: x\r\ndate: 2026-01-01\r\n---\r\n\tcode\r\n“a” — b… ‘c’ \u{2028}\n"
                .as_bytes(),
        )],
    );
    build_here(site.path()).expect("tabs, CRLF and typography build");
}

/// Issue 19, item 14: `schedule --json` printed `+10000-01-01T…` for a
/// date whose UTC value is past year 9999, and `--now` refused it back.
#[test]
fn dates_outside_years_1_to_9999_in_utc_are_errors_at_their_line() {
    assert_rejected(
        &[(
            "content/bad.md",
            &article(
                "title: x\ndate: 2026-01-01\npublish_date: 0001-01-01T00:00:00+01:00\nexpiry_date: 9999-12-31T23:59:59-23:59\n",
            ),
        )],
        &[
            "content/bad.md:4:1: error: `publish_date` is `0001-01-01T00:00:00+01:00`, which is outside the years 1 to 9999 in UTC",
            "content/bad.md:5:1: error: `expiry_date` is `9999-12-31T23:59:59-23:59`, which is outside the years 1 to 9999 in UTC",
        ],
    );
    let site = starter_site();
    notesite(site.path())
        .args(["schedule", "--now", "9999-12-31T23:59:59-23:59"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "`--now` is `9999-12-31T23:59:59-23:59`, which is outside the years 1 to 9999 in UTC",
        ));
    notesite(site.path())
        .args(["schedule", "--json", "--now", "9999-12-31T23:59:59Z"])
        .assert()
        .success();
}

/// Issue 19, item 5: the nesting guard counted `<div/>` as closed and any
/// `</x>` as a close, so 120,000 `<div/>` took 27 s to build; now the HTML
/// parser's own rules are followed and both are errors at their line.
#[test]
fn html_that_walks_around_the_nesting_guard_is_an_error_at_its_line() {
    // An HTML block is read line by line: the error is at the line where
    // the depth passes 512.
    for (html, line) in [
        ("<div/>".repeat(1000), 8),
        ("<div></span>".repeat(1000), 8),
        ("<div><b class=x></div>\n".repeat(1000), 8 + 511),
    ] {
        let text = format!("---\ntitle: x\ndate: 2026-01-01\n---\n\nIntro.\n\n{html}\n");
        assert_rejected(
            &[("content/bad.md", text.as_bytes())],
            &[&format!(
                "content/bad.md:{line}:1: error: HTML here nests more than 512 elements deep"
            )],
        );
    }
}

/// Issue 21, outcome 1: a root/ file where the build writes a page or a
/// file of its own is an error naming both, and nothing is written.
#[test]
fn a_root_file_that_collides_with_a_page_or_a_generated_file_is_an_error() {
    assert_rejected(
        &[
            ("root/index.html", b"mine"),
            ("root/atom.xml", b"mine"),
            ("root/_headers", b"mine"),
            ("root/stack/index.html", b"mine"),
            ("root/assets/x.css", b"mine"),
            (&format!("root/{SEED_SLUG}/index.html"), b"mine"),
        ],
        &[
            "root/index.html: error: root file would be published at `/index.html`, where the build writes the home index (`/`)",
            "root/atom.xml: error: root file would be published at `/atom.xml`, where the build writes the feed (`/atom.xml`)",
            "root/_headers: error: root file would be published at `/_headers`, where the build writes its own `/_headers`",
            "root/stack/index.html: error: root file would be published at `/stack/index.html`, where the build writes a taxonomy page (`/stack/`)",
            "root/assets/x.css: error: root file is inside `/assets/`",
            &format!(
                "root/{SEED_SLUG}/index.html: error: root file would be published at `/{SEED_SLUG}/index.html`, where the build writes the page of content/{SEED_SLUG}.md"
            ),
        ],
    );
}

/// Issue 21, outcome 5: a meta error in one article hid every link and
/// image error in the others until it was fixed, and its own. Now one run
/// reports all of them, and a link to the broken article (by path or by
/// source file) is not an error on top.
#[test]
fn a_meta_error_in_one_article_and_a_broken_link_in_another_are_both_reported() {
    assert_rejected(
        &[
            (
                "content/broken.md",
                b"---\ntitle: x\ndate: 2026-01-01\ndifficulty: hard\n---\nsee [lost](/lost/) and ![x](/img/none.png)\n",
            ),
            (
                "content/linker.md",
                b"---\ntitle: y\ndate: 2026-01-01\n---\nsee [it](/broken/) and [gone](/missing/), [src](broken.md)\n",
            ),
            (
                "pages/bad.md",
                b"---\ntitle: z\nmenu: first\n---\n[nowhere](/nowhere/)\n",
            ),
        ],
        &[
            "content/broken.md:4:1: error: unknown difficulty `hard`",
            "content/broken.md:6:5: error: link to `/lost/`, which is not a page of this site",
            "content/broken.md:6:24: error: image `/img/none.png` is neither a page of this site nor a file in static/",
            "content/linker.md:5:24: error: link to `/missing/`, which is not a page of this site",
            "pages/bad.md:3:1: error: `menu` is the page's place in the menu",
            "pages/bad.md:5:1: error: link to `/nowhere/`, which is not a page of this site",
        ],
    );
    let site = starter_site();
    add_files(
        site.path(),
        &[
            (
                "content/broken.md",
                &article("title: x\ndate: 2026-01-01\ndifficulty: hard\n"),
            ),
            (
                "content/linker.md",
                b"---\ntitle: y\ndate: 2026-01-01\n---\nsee [it](/broken/)\n",
            ),
        ],
    );
    let report = check_here(site.path()).unwrap_err();
    assert!(!report.contains("/broken/"), "{report}");
    assert!(!report.contains("linker.md"), "{report}");
}
