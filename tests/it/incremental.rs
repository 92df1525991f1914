//! The preview's incremental rebuilds must serve exactly what a full build
//! of the same sources would: after each kind of edit, the patched set of
//! files is compared byte for byte with a fresh build's.

use std::collections::BTreeMap;
use std::path::Path;

use notesite::LoadOptions;
use notesite::{Files, Preview, Stored};

/// The base URL the preview serves under here.
const PREVIEW_BASE: &str = "http://127.0.0.1:1111/";

fn synth_site() -> tempfile::TempDir {
    crate::common::synth_site(150)
}

fn options(root: &Path) -> LoadOptions {
    LoadOptions {
        root: root.to_path_buf(),
        visibility: notesite::Visibility::at(notesite::now(None).unwrap()),
        base_url: Some(PREVIEW_BASE.into()),
    }
}

fn apply(served: &mut BTreeMap<String, Vec<u8>>, files: Files) {
    let read = |files: Vec<(String, Stored)>| {
        (files.into_iter()).map(|(key, stored)| (key, stored.bytes().expect("read back")))
    };
    match files {
        Files::All(all) => *served = read(all).collect(),
        Files::Some { changed, removed } => {
            for key in removed {
                served.remove(&key);
            }
            served.extend(read(changed));
        }
    }
}

/// A preview of `root` after its first, full build, and what it serves.
fn first_build(root: &Path) -> (Preview, BTreeMap<String, Vec<u8>>) {
    let mut preview = Preview::new(options(root));
    let mut served = BTreeMap::new();
    apply(&mut served, preview.rebuild().expect("a fresh build").files);
    (preview, served)
}

fn fresh_build(root: &Path) -> BTreeMap<String, Vec<u8>> {
    first_build(root).1
}

/// The site's article sources, relative to its root, sorted.
fn article_sources(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| format!("content/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    names.sort();
    names
}

fn edit(root: &Path, rel: &str, change: impl Fn(&str) -> String) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = change(&text);
    assert_ne!(changed, text, "the edit of {rel} changes something");
    std::fs::write(&path, changed).unwrap();
}

fn replace_line(text: &str, key: &str, line: &str) -> String {
    text.lines()
        .map(|l| if l.starts_with(key) { line } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn every_kind_of_edit_serves_what_a_full_build_would() {
    // Search is on (the default), so the index the preview patches is
    // compared too.
    let site = synth_site();
    let root = site.path();
    let names = article_sources(root);
    let (a, b, c, d) = (&names[3], &names[40], &names[77], &names[120]);

    let (mut preview, mut served) = first_build(root);
    let index_files = |served: &BTreeMap<String, Vec<u8>>| {
        served
            .keys()
            .filter(|k| k.starts_with("assets/search/"))
            .count()
    };
    assert!(served.contains_key("search/index.json") && index_files(&served) > 3);

    type Edit<'a> = (&'a str, Box<dyn Fn(&Path) -> Vec<String> + 'a>);
    let edits: Vec<Edit> = vec![
        (
            "body text",
            Box::new(|root: &Path| {
                edit(root, a, |t| format!("{t}\nOne more paragraph.\n"));
                vec![a.clone()]
            }),
        ),
        (
            "body text with words no other article has",
            Box::new(|root: &Path| {
                edit(root, a, |t| {
                    t.replacen("One more paragraph.", "Zyzzyva quuxification.", 1)
                });
                vec![a.clone()]
            }),
        ),
        (
            "title, so summaries on lists",
            Box::new(|root: &Path| {
                edit(root, b, |t| {
                    replace_line(t, "title:", "title: 'a retitled note'")
                });
                vec![b.clone()]
            }),
        ),
        (
            "difficulty, a term",
            Box::new(|root: &Path| {
                edit(root, c, |t| {
                    let now = if t.contains("difficulty: beginner") {
                        "advanced"
                    } else {
                        "beginner"
                    };
                    replace_line(t, "difficulty:", &format!("difficulty: {now}"))
                });
                vec![c.clone()]
            }),
        ),
        (
            "stack, a term and a feature",
            Box::new(|root: &Path| {
                edit(root, d, |t| {
                    t.replacen("stack:\n- ", "stack:\n- erlang\n- ", 1)
                });
                vec![d.clone()]
            }),
        ),
        (
            "date, so the site's order",
            Box::new(|root: &Path| {
                // Synthetic articles date themselves by their last review.
                edit(root, a, |t| {
                    t.replacen("\ntopic:", "\ndate: 2030-01-01\ntopic:", 1)
                });
                vec![a.clone()]
            }),
        ),
        (
            "a new article",
            Box::new(|root: &Path| {
                let text = std::fs::read_to_string(root.join(b)).unwrap();
                let new = replace_line(&text, "title:", "title: 'an article added while serving'");
                std::fs::write(root.join("content/added-while-serving.md"), new).unwrap();
                vec!["content/added-while-serving.md".into()]
            }),
        ),
        (
            "a deleted article",
            Box::new(|root: &Path| {
                std::fs::remove_file(root.join(c)).unwrap();
                vec![c.clone()]
            }),
        ),
    ];
    for (what, make) in edits {
        for rel in make(root) {
            assert!(preview.note(Path::new(&rel)), "{rel} is a source");
        }
        let rebuilt = preview
            .rebuild()
            .unwrap_or_else(|d| panic!("{what}: {:?}", d.sorted()));
        apply(&mut served, rebuilt.files);
        let fresh = fresh_build(root);
        let differ: Vec<&String> = fresh
            .keys()
            .chain(served.keys())
            .filter(|k| fresh.get(*k) != served.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "after the {what} edit these differ: {differ:?}"
        );
    }
}

#[test]
fn a_failed_rebuild_keeps_its_changes_for_the_next_one() {
    let site = crate::common::example_site();
    let root = site.path();
    let (mut preview, mut served) = first_build(root);
    let rel = format!("content/{}.md", crate::common::SEED_SLUG);
    edit(root, &rel, |t| {
        t.replacen("title: \"", "title: \"Retitled: ", 1)
    });
    edit(root, &rel, |t| {
        t.replacen("date: ", "date: 2026-02-30\nold_date: ", 1)
    });
    preview.note(Path::new(&rel));
    assert!(preview.rebuild().is_err(), "an impossible date fails");
    edit(root, &rel, |t| {
        t.replacen("date: 2026-02-30\nold_date: ", "date: ", 1)
    });
    preview.note(Path::new(&rel));
    apply(&mut served, preview.rebuild().unwrap().files);
    assert_eq!(
        served,
        fresh_build(root),
        "the retitle from the failed round shows everywhere"
    );
}

/// The preview's "rebuilt N pages" counts the pages it rendered: the 404
/// page is rendered only by a full build, and was counted in every patch.
#[test]
fn a_patch_counts_the_pages_it_rendered() {
    let site = crate::common::example_site();
    let root = site.path();
    let mut preview = Preview::new(options(root));
    let full = preview.rebuild().unwrap();
    let Files::All(all) = &full.files else {
        panic!("the first build is a full one")
    };
    let html =
        |files: &[(String, Stored)]| files.iter().filter(|(k, _)| k.ends_with(".html")).count();
    assert_eq!(full.pages, html(all));

    let rel = format!("content/{}.md", crate::common::SEED_SLUG);
    edit(root, &rel, |t| format!("{t}\nOne more paragraph.\n"));
    preview.note(Path::new(&rel));
    let patch = preview.rebuild().unwrap();
    let Files::Some { changed, .. } = &patch.files else {
        panic!("a body edit is a patch")
    };
    assert_eq!(
        patch.pages,
        html(changed),
        "{:?}",
        changed.iter().map(|(k, _)| k).collect::<Vec<_>>()
    );
}

/// A build collects the search index while its article pages render,
/// from the bodies they read; the preview keeps and patches one; both
/// write the same files, which are every file a build writes but the
/// preview's own (it serves without a page index or CDN files).
#[test]
fn the_preview_serves_what_a_build_writes_search_index_included() {
    let site = synth_site();
    let root = site.path();
    crate::common::notesite(root)
        .args(["build", "--base-url", PREVIEW_BASE])
        .assert()
        .success();
    let served = fresh_build(root);
    let built = crate::common::tree(&root.join("public"));
    let search: Vec<&String> = built
        .keys()
        .filter(|k| k.starts_with("search/") || k.starts_with("assets/search/"))
        .collect();
    assert!(search.len() > 5, "{search:?}");
    for key in search {
        assert_eq!(served.get(key.as_str()), Some(&built[key]), "{key}");
    }
    let pages = built.keys().filter(|k| k.ends_with("index.html"));
    for key in pages {
        assert_eq!(served.get(key.as_str()), Some(&built[key]), "{key}");
    }
}

/// Bodies stay in their files, so a page can find its article saved again
/// since the preview read it: a save the watcher has not reported yet.
/// The preview reads such an article again and serves its new text; it
/// does not fail the rebuild over it.
#[test]
fn an_article_saved_before_the_watcher_reports_it_is_read_again_not_an_error() {
    let site = crate::common::example_site();
    let root = site.path();
    let (mut preview, mut served) = first_build(root);

    let rel = format!("content/{}.md", crate::common::SEED_SLUG);
    edit(root, &rel, |t| format!("{t}\nA paragraph saved unseen.\n"));
    // A stylesheet edit renders every page, the unseen article's too.
    let css = "static/css/site.css";
    edit(root, css, |t| format!("{t}\n/* touched */\n"));
    preview.note(Path::new(css));
    let rebuilt = preview.rebuild().expect("the saved article is read again");
    apply(&mut served, rebuilt.files);

    let page = &served[&format!("{}/index.html", crate::common::SEED_SLUG)];
    assert!(String::from_utf8_lossy(page).contains("A paragraph saved unseen."));
    assert!(
        served == fresh_build(root),
        "the preview serves what a fresh build of the saved files would"
    );
}

/// An article edit re-renders the search index, but its chunks are named
/// by their content's hash: those that did not change are served already,
/// and the patch hands over only the new ones (and the entry file), so
/// the preview's spool does not grow by the whole index on every edit.
#[test]
fn a_patch_hands_over_only_the_search_chunks_that_changed() {
    let site = synth_site();
    let root = site.path();
    let (mut preview, mut served) = first_build(root);
    let chunks = |files: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        (files.keys())
            .filter(|k| k.starts_with("assets/search/"))
            .cloned()
            .collect()
    };
    let before = chunks(&served);

    let names = article_sources(root);
    edit(root, &names[5], |t| {
        format!("{t}\nZyzzyva quuxification.\n")
    });
    preview.note(Path::new(&names[5]));
    let patch = preview.rebuild().unwrap();
    let Files::Some { changed, .. } = &patch.files else {
        panic!("a body edit is a patch")
    };
    let handed: Vec<&String> = (changed.iter().map(|(k, _)| k))
        .filter(|k| k.starts_with("assets/search/"))
        .collect();
    assert!(!handed.is_empty(), "the edit changes some chunk");
    for path in &handed {
        assert!(!before.contains(path), "{path} was served already");
    }
    assert!(
        handed.len() < before.len(),
        "{} of {}",
        handed.len(),
        before.len()
    );
    apply(&mut served, patch.files);
    assert!(served == fresh_build(root), "and the site is still whole");
}
