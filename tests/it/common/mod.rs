//! Helpers for tests on sites copied into temp folders: running the real
//! `notesite` binary, or the library's build and check in-process (what
//! the binary calls, without a process per case).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub(crate) mod server;

pub(crate) const SEED_SLUG: &str =
    "redis-caching-notes-running-scheduled-tasks-reliably-behind-a-cdn";

/// The repository root, which is the example site.
pub(crate) fn example_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn notesite(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("notesite").expect("the binary is built for tests");
    cmd.arg("--root").arg(root);
    cmd
}

/// A copy of the example site (config, content, pages, templates, static,
/// and root files if it has some).
pub(crate) fn example_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_root();
    std::fs::copy(root.join("site.yaml"), tmp.path().join("site.yaml")).unwrap();
    for dir in ["content", "pages", "templates", "static", "root"] {
        if root.join(dir).is_dir() {
            copy_dir(&root.join(dir), &tmp.path().join(dir));
        }
    }
    tmp
}

/// A fresh site made by `notesite init`: the starter's site.yaml to fill
/// in, one short article, an About page, robots.txt and the defaults.
pub(crate) fn init_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("notesite")
        .unwrap()
        .arg("init")
        .arg(tmp.path())
        .assert()
        .success();
    tmp
}

/// Runs Node with `args` (the environment's `NOTESITE_PUBLIC` set to
/// `public` when given) and `stdin`, and returns what it printed; fails
/// with its output when it fails. `scripts/test` installs Node (Debian
/// package nodejs): the client-side tests fail, never skip, without it.
pub(crate) fn run_node(args: &[&std::ffi::OsStr], public: Option<&Path>, stdin: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut command = Command::new("node");
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(public) = public {
        command.env("NOTESITE_PUBLIC", public);
    }
    let mut node = command
        .spawn()
        .expect("node runs (scripts/test installs it)");
    node.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = node.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).expect("node prints UTF-8");
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Fills in the title and base URL that `init` leaves empty.
pub(crate) fn fill_in_config(root: &Path) {
    let path = root.join("site.yaml");
    let text = read(&path)
        .replace("title: \"\"", "title: Ana's notes")
        .replace("base_url: \"\"", "base_url: https://ana.example.org/");
    std::fs::write(path, text).unwrap();
}

/// The example site with only its seed article: a small site that builds
/// without warnings, for the many cases that break one thing in it.
pub(crate) fn starter_site() -> tempfile::TempDir {
    let site = example_site();
    for entry in std::fs::read_dir(site.path().join("content")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_stem().is_some_and(|s| s != SEED_SLUG) {
            std::fs::remove_file(path).unwrap();
        }
    }
    site
}

fn options(root: &Path) -> notesite::LoadOptions {
    notesite::LoadOptions {
        root: root.to_path_buf(),
        visibility: notesite::Visibility::at(notesite::now(None).unwrap()),
        base_url: None,
    }
}

/// `notesite build` in-process, into `public/`: `Err` holds what the
/// binary would print, one problem per line.
pub(crate) fn build_here(root: &Path) -> Result<(), String> {
    use notesite::{Failed, build};
    let silent = notesite::Silent;
    let cache = notesite::CacheDir::Off;
    match build(&options(root), &root.join("public"), &cache, &silent) {
        Ok(_) => Ok(()),
        Err(Failed::Site(problems)) => Err(lines(problems)),
        Err(Failed::Output(e)) => Err(format!("error: {e:#}")),
    }
}

/// `notesite check` in-process.
pub(crate) fn check_here(root: &Path) -> Result<(), String> {
    let silent = notesite::Silent;
    notesite::check(&options(root), &silent)
        .map(drop)
        .map_err(lines)
}

fn lines(problems: notesite::Diagnostics) -> String {
    let lines: Vec<String> = problems.sorted().iter().map(ToString::to_string).collect();
    lines.join("\n")
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A synth site of `count` articles with the example's config.
pub(crate) fn synth_site(count: usize) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    std::fs::copy(
        example_root().join("site.yaml"),
        site.path().join("site.yaml"),
    )
    .unwrap();
    notesite(site.path())
        .args(["synth", "--count", &count.to_string(), "--seed", "7"])
        .assert()
        .success();
    site
}

/// Files by relative path, with their bytes.
pub(crate) type Tree = BTreeMap<String, Vec<u8>>;

/// Every file under `dir` with its bytes, by relative path.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Builds `root` into `out` and asserts success.
pub(crate) fn build(root: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    notesite(root).arg("build").args(extra).assert().success()
}

/// Content hashes in asset names change whenever a default stylesheet does;
/// snapshots replace them so they pin structure, not CSS edits.
pub(crate) fn redact_hashes(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while i < bytes.len() {
        let is_hash = bytes[i] == b'.'
            && i + 12 <= bytes.len()
            && bytes[i + 1..i + 11]
                .iter()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && bytes[i + 11] == b'.';
        if is_hash {
            out.push_str(".HASH.");
            i += 12;
        } else {
            let ch = html[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The built seed article page of a site built into `public/`.
pub(crate) fn seed_page(root: &Path) -> String {
    read(&root.join("public").join(SEED_SLUG).join("index.html"))
}
