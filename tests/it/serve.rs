//! `notesite serve` end to end: the real binary on a copy of the example
//! site, spoken to over HTTP.

use std::path::Path;

use crate::common::server::{Server, raw_get};
use crate::common::{SEED_SLUG, example_site, read};
use predicates::prelude::*;

fn seed_file(root: &Path) -> std::path::PathBuf {
    root.join("content").join(format!("{SEED_SLUG}.md"))
}

/// Rewrites a file the way editors do: a new file renamed over the old.
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("md.tmp-save");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn serves_pages_with_types_no_store_and_the_reload_script() {
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert!(
        home.body
            .contains("new EventSource(\"/__notesite/events\")")
    );
    let article = server.get(&format!("/{SEED_SLUG}/"));
    assert_eq!(article.status, 200);
    assert!(article.body.contains("alphanode post meta"));
    let css = css_link(&home.body);
    assert!(css.ends_with(".css"), "the home page links its stylesheet");
    let css = server.get(&css);
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        !css.body.contains("EventSource"),
        "only HTML gets the script"
    );
    let feed = server.get("/atom.xml");
    assert_eq!(
        feed.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let folder = server.get(&format!("/{SEED_SLUG}"));
    assert_eq!(folder.status, 301);
    assert_eq!(
        folder.header("location"),
        Some(format!("/{SEED_SLUG}/").as_str())
    );
    let events = raw_get_head(server.port, "/__notesite/events");
    assert!(events.contains("text/event-stream"), "{events}");
}

/// Opens a connection and sends a request's first lines but never the blank
/// line that ends its headers, like a slow or hostile client.
fn half_sent_request(port: u16) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream
}

/// Sends SIGINT, as Ctrl-C in a terminal does.
fn ctrl_c(server: &Server) {
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// Waits for the process to exit, failing after `limit`.
fn exit_within(server: &mut Server, limit: std::time::Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running {limit:?} after the signal"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Issue 21, outcome 6 (first part): `serve` in a folder without
/// site.yaml started and claimed to serve "the last good pages". It now
/// fails as `build` does, naming the file.
#[test]
fn serve_without_a_site_is_the_same_error_as_build() {
    let empty = tempfile::tempdir().unwrap();
    for command in [&["build"][..], &["serve", "--port", "0"][..]] {
        crate::common::notesite(empty.path())
            .args(command)
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .failure()
            .stderr(predicate::str::contains("site.yaml: error: cannot read"))
            .stderr(predicate::str::contains(
                "run `notesite init DIR` to start a site",
            ))
            .stderr(predicate::str::contains("still serving").not())
            .stdout(predicate::str::contains("serving").not());
    }
}

#[test]
fn a_half_sent_request_is_closed_after_the_header_timeout() {
    use std::io::Read;
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let mut stream = half_sent_request(server.port);
    // Generous against a 5 s timeout: without one the read waits forever.
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut buf = Vec::new();
    let closed = stream.read_to_end(&mut buf);
    assert!(
        closed.is_ok(),
        "the server still held the connection after 20 s: {closed:?}"
    );
    assert_eq!(server.get("/").status, 200, "others are still served");
}

#[test]
fn ctrl_c_stops_the_server_within_seconds_whatever_the_clients_do() {
    let site = example_site();
    let mut server = Server::start(site.path(), &[]);
    let _slow = half_sent_request(server.port);
    let _tab = raw_get_head(server.port, "/__notesite/events");
    ctrl_c(&server);
    let status = exit_within(&mut server, std::time::Duration::from_secs(8));
    assert!(status.success(), "{status}: {}", server.output());
}

/// The event stream never ends, so only its head is read.
fn raw_get_head(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn the_build_output_never_carries_the_reload_script() {
    let site = example_site();
    let out = site.path().join("public");
    crate::common::build(site.path(), &[]);
    for (path, bytes) in crate::common::tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__notesite"),
            "{path} has the preview script"
        );
    }
}

#[test]
fn an_edit_shows_a_break_overlays_and_a_fix_clears() {
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let page = format!("/{SEED_SLUG}/");
    let file = seed_file(site.path());
    let original = read(&file);

    save(
        &file,
        &format!("{original}\nA sentence added while serving.\n"),
    );
    server.wait_for(&page, "showed the edit", |r| {
        r.body.contains("A sentence added while serving.")
    });

    let broken = original.replacen("date: ", "date: 2026-13-45\nold_date: ", 1);
    save(&file, &broken);
    let shown = server.wait_for("/", "showed the error overlay", |r| {
        r.body.contains("notesite-errors")
    });
    assert!(
        shown.body.contains(&format!("content/{SEED_SLUG}.md:")),
        "the overlay names the file and line: {}",
        shown.body
    );
    let kept = server.get(&page);
    assert_eq!(kept.status, 200);
    assert!(kept.body.contains("notesite-errors"), "every page shows it");
    assert!(
        kept.body.contains("A sentence added while serving."),
        "the last good page is still served"
    );

    save(&file, &original);
    let fixed = server.wait_for(&page, "dropped the overlay", |r| {
        !r.body.contains("notesite-errors")
    });
    assert!(!fixed.body.contains("A sentence added while serving."));
}

#[test]
fn new_and_deleted_articles_come_and_go_with_their_pages() {
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let file = site.path().join("content/brand-new-note.md");
    let text = read(&seed_file(site.path())).replacen(
        "title: \"",
        "slug: brand-new-note\ntitle: \"Brand new note on ",
        1,
    );
    let text = text.replace(&format!("slug: {SEED_SLUG}\n"), "");
    save(&file, &text);
    server.wait_for("/brand-new-note/", "appeared", |r| r.status == 200);
    std::fs::remove_file(&file).unwrap();
    let gone = server.wait_for("/brand-new-note/", "went away", |r| r.status == 404);
    assert!(
        gone.body.contains("EventSource"),
        "the 404 page is served live too"
    );
}

#[test]
fn template_and_static_edits_rerender_everything() {
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let base = site.path().join("templates/base.html");
    let html = read(&base).replace("</body>", "<footer id=\"edited-footer\"></footer>\n</body>");
    std::fs::write(&base, html).unwrap();
    server.wait_for(&format!("/{SEED_SLUG}/"), "used the new template", |r| {
        r.body.contains("edited-footer")
    });
    let home = server.get("/");
    let old_css = css_link(&home.body);
    let css = site.path().join("static/css/site.css");
    std::fs::write(&css, format!("{}\n/* edited */\n", read(&css))).unwrap();
    let home = server.wait_for("/", "linked the new stylesheet", |r| {
        css_link(&r.body) != old_css
    });
    let new_css = server.get(&css_link(&home.body));
    assert!(new_css.body.contains("/* edited */"));
}

fn css_link(html: &str) -> String {
    html.split('"')
        .find(|s| s.starts_with("/assets/css/site."))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn missing_pages_get_the_sites_404_page_with_status_404() {
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    let built_404 = server.get("/404.html");
    assert!(missing.body.contains("<title>"));
    assert_eq!(
        missing.body.split("<script>").next(),
        built_404.body.split("<script>").next(),
        "the site's own 404 page"
    );
}

#[test]
fn no_request_path_escapes_the_site() {
    let site = example_site();
    let outside = tempfile::tempdir().unwrap();
    let secret = "SECRET-OUTSIDE-THE-SITE";
    std::fs::write(outside.path().join("secret.txt"), secret).unwrap();
    let server = Server::start(site.path(), &[]);
    let root = site.path().display().to_string();
    let attempts = [
        "/../../../../etc/passwd".to_string(),
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd".to_string(),
        "/..%2f..%2fsite.yaml".to_string(),
        "/assets/../../site.yaml".to_string(),
        "//etc/passwd".to_string(),
        format!("/{}", outside.path().join("secret.txt").display()),
        format!("/{root}/site.yaml"),
        "/..\\..\\site.yaml".to_string(),
        "/content/".to_string(),
    ];
    for path in attempts {
        let response = raw_get(server.port, &path);
        assert_ne!(response.status, 200, "{path} was served");
        assert!(!response.body.contains("root:x:0:0"), "{path}");
        assert!(
            !response.body.contains("base_url:"),
            "{path} served site.yaml"
        );
    }
}

#[test]
fn a_symlink_out_of_the_site_is_an_error_not_a_published_file() {
    let site = example_site();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "SECRET-OUTSIDE-THE-SITE").unwrap();
    std::os::unix::fs::symlink(&secret, site.path().join("static/leak.txt")).unwrap();
    let server = Server::start(site.path(), &[]);
    let home = server.get("/");
    assert!(home.body.contains("notesite-errors"), "{}", home.body);
    assert!(home.body.contains("static/leak.txt"));
    for path in ["/asset-manifest.json", "/leak.txt", "/static/leak.txt"] {
        let response = server.get(path);
        assert_ne!(response.status, 200, "{path}");
        assert!(!response.body.contains("SECRET-OUTSIDE-THE-SITE"), "{path}");
    }
}

/// The start-up build refuses a symlink out of the site; one made while the
/// preview runs (an article or a static file) is refused the same way.
#[test]
fn a_symlink_out_of_the_site_made_while_serving_is_refused_too() {
    let site = example_site();
    let outside = tempfile::tempdir().unwrap();
    let secret_article = outside.path().join("secret.md");
    let article = read(&seed_file(site.path())).replacen("---\n", "---\nslug: leaked\n", 1)
        + "\nSECRET-OUTSIDE-THE-SITE\n";
    std::fs::write(&secret_article, article).unwrap();
    let secret_file = outside.path().join("secret.txt");
    std::fs::write(&secret_file, "SECRET-OUTSIDE-THE-SITE").unwrap();
    let server = Server::start(site.path(), &[]);
    assert_eq!(server.get("/").status, 200);

    std::os::unix::fs::symlink(&secret_article, site.path().join("content/leaked.md")).unwrap();
    let shown = server.wait_for("/", "refused the new article link", |r| {
        r.body.contains("notesite-errors")
    });
    assert!(shown.body.contains("content/leaked.md"), "{}", shown.body);
    assert!(shown.body.contains("outside the site"), "{}", shown.body);
    let leaked = server.get("/leaked/");
    assert!(!leaked.body.contains("SECRET-OUTSIDE-THE-SITE"));
    std::fs::remove_file(site.path().join("content/leaked.md")).unwrap();
    server.wait_for("/", "cleared the overlay", |r| {
        !r.body.contains("notesite-errors")
    });

    std::os::unix::fs::symlink(&secret_file, site.path().join("static/leak.txt")).unwrap();
    let shown = server.wait_for("/", "refused the new static link", |r| {
        r.body.contains("notesite-errors")
    });
    assert!(shown.body.contains("static/leak.txt"), "{}", shown.body);
    for path in ["/asset-manifest.json", "/leak.txt", "/static/leak.txt"] {
        let response = server.get(path);
        assert!(!response.body.contains("SECRET-OUTSIDE-THE-SITE"), "{path}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = example_site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    crate::common::notesite(site.path())
        .args(["serve", "--port", &port])
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("already in use").and(predicates::str::contains("--port")),
        );
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = example_site();
    let mut server = Server::start(site.path(), &[]);
    // A browser tab listening for reloads must not hold the shutdown up.
    let _tab = raw_get_head(server.port, "/__notesite/events");
    ctrl_c(&server);
    let status = exit_within(&mut server, std::time::Duration::from_secs(10));
    assert!(status.success(), "{status}: {}", server.output());
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(server.output().contains("stopped"));
}
