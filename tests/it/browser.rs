//! A real browser against `notesite serve`: headless Chromium, driven over
//! WebDriver, loads an article; the source file is edited; the page must
//! reload by itself and show the edit. Needs Debian's `chromium` and
//! `chromium-driver`, which the test command (`scripts/test`) installs.
//! Without them this test fails: it is never skipped.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::server::Server;
use crate::common::{SEED_SLUG, example_site, read};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// The few WebDriver calls the test needs, over plain HTTP.
pub(crate) struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) fn start() -> Browser {
        Browser::start_with(&[])
    }

    /// Chromium with `extra` arguments, such as
    /// `--blink-settings=preferredColorScheme=0` for a dark scheme.
    pub(crate) fn start_with(extra: &[&str]) -> Browser {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: install Debian's chromium and chromium-driver \
                 (scripts/test does: apt-get install chromium chromium-driver)"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        wait_until("chromedriver is ready", || {
            agent
                .get(format!("{base}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true))
        });
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let args: Vec<&str> = args.iter().copied().chain(extra.iter().copied()).collect();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            // Pages link images on other hosts, which this machine cannot
            // reach: navigation waits for the document, not for them.
            "pageLoadStrategy": "eager",
        }}});
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: profile,
        };
        let created = browser.post("/session", &capabilities);
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        browser
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .send_json(body)
            .expect("chromedriver answers");
        let value: Value = response
            .body_mut()
            .read_json()
            .expect("JSON from chromedriver");
        assert!(response.status().is_success(), "{path}: {value}");
        value["value"].clone()
    }

    /// The viewport's size in CSS pixels; the window is resized until the
    /// page reports it (the window's frame takes some of it).
    pub(crate) fn set_viewport(&self, width: u32, height: u32) {
        let path = format!("/session/{}/window/rect", self.session);
        self.post(&path, &json!({"width": width, "height": height}));
        let inner = self.run("return [window.innerWidth, window.innerHeight];");
        let (w, h) = (
            inner[0].as_u64().unwrap() as u32,
            inner[1].as_u64().unwrap() as u32,
        );
        if (w, h) != (width, height) {
            let outer = json!({"width": 2 * width - w, "height": 2 * height - h});
            self.post(&path, &outer);
        }
        let inner = self.run("return window.innerWidth;");
        assert_eq!(inner, json!(width), "the viewport is {width} px wide");
    }

    pub(crate) fn open(&self, url: &str) {
        self.post(
            &format!("/session/{}/url", self.session),
            &json!({"url": url}),
        );
    }

    /// Types `keys` into the element `css` selects, as a keyboard would
    /// (`\u{e007}` is Enter).
    fn type_keys(&self, css: &str, keys: &str) {
        let found = self.post(
            &format!("/session/{}/element", self.session),
            &json!({"using": "css selector", "value": css}),
        );
        let id = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string();
        self.post(
            &format!("/session/{}/element/{id}/value", self.session),
            &json!({"text": keys}),
        );
    }

    pub(crate) fn run(&self, script: &str) -> Value {
        let path = format!("/session/{}/execute/sync", self.session);
        self.post(&path, &json!({"script": script, "args": []}))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub(crate) fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_open_page_reloads_itself_and_shows_the_edit() {
    let site = example_site();
    let server = Server::start(site.path(), &[]);
    let browser = Browser::start();
    browser.open(&format!("{}{SEED_SLUG}/", server.url));
    let title = browser.run("return document.querySelector('h1').textContent;");
    assert!(
        title
            .as_str()
            .is_some_and(|t| t.contains("redis caching notes")),
        "{title}"
    );
    // Something only this load of the page has; a reload forgets it.
    browser.run("window.notesiteMarker = 'before the edit'; return true;");
    // No waiting for the page to connect: a page that connects after the
    // rebuild learns it is stale from the first event and reloads anyway.

    let file = site.path().join(format!("content/{SEED_SLUG}.md"));
    let edited = format!("{}\nA sentence the browser must show.\n", read(&file));
    std::fs::write(&file, edited).unwrap();

    wait_until("the browser reloaded and shows the edit", || {
        let state = browser.run(
            "return [window.notesiteMarker === undefined, \
             document.body.innerText.includes('A sentence the browser must show.')];",
        );
        state == json!([true, true])
    });
}

/// Waits until the search page's status line is `expected` (or contains it).
fn wait_for_status(browser: &Browser, expected: &str) -> String {
    let mut last = String::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let status = browser.run(
            "const s = document.getElementById('search-count'); return s ? s.textContent : '';",
        );
        last = status.as_str().unwrap_or_default().to_string();
        if last.contains(expected) {
            return last;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the search status never said `{expected}`; last: `{last}`");
}

fn result_titles(browser: &Browser) -> Vec<String> {
    let titles = browser.run(
        "return [...document.querySelectorAll('#search-results li > a')].map(a => a.textContent);",
    );
    serde_json::from_value(titles).unwrap()
}

/// Waits until the results' titles start with `expected`: the status
/// line is set before the results, which appear as their chunks arrive,
/// so reading them as soon as the status shows races the fetches (it
/// failed so on a loaded machine).
fn wait_for_titles(browser: &Browser, expected: &[&str]) {
    let mut last = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        last = result_titles(browser);
        if last.len() >= expected.len() && last[..expected.len()] == *expected {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the results never began with {expected:?}; last: {last:?}");
}

#[test]
fn search_finds_as_you_type_filters_by_facet_and_shows_titles_as_text() {
    let site = example_site();
    // A title with markup must show as text in results and snippets.
    let xss = site.path().join("content/xss.md");
    std::fs::write(
        &xss,
        "---\ntitle: \"<script>window.pwned = 1</script> zebrafish notes\"\ndate: 2026-01-02\nsummary: \"<img src=x onerror=window.pwned=2> zebrafish summary\"\ndifficulty: beginner\n---\nbody\n",
    )
    .unwrap();
    let server = Server::start(site.path(), &[]);
    let browser = Browser::start();

    // A link with the query: the article with a word only it has comes first.
    browser.open(&format!("{}search/?q=rebalancing", server.url));
    wait_for_status(&browser, "1 article match “rebalancing”");
    wait_for_titles(&browser, &["kafka notes: consumer lag during rebalances"]);
    assert_eq!(result_titles(&browser).len(), 1);

    // Typing into the box: the last word matches as a prefix.
    browser.run(
        "const q = document.getElementById('search-q'); q.value = 'consumer reb'; \
         q.dispatchEvent(new Event('input')); return true;",
    );
    wait_for_status(&browser, "match “consumer reb”");
    wait_for_titles(&browser, &["kafka notes: consumer lag during rebalances"]);
    // The results before this query stay until theirs replace them.
    wait_until("the results mark the query's words", || {
        let marked = browser.run("return [...document.querySelectorAll('#search-results mark')].map(m => m.textContent.toLowerCase());");
        marked.to_string().contains("consumer")
    });

    // Enter searches in place (issue 20): no reload, the focus stays in the
    // box, and the URL follows.
    browser.run("window.notesiteMarker = 'no reload'; const q = document.getElementById('search-q'); q.value = ''; return true;");
    browser.type_keys("#search-q", "terraform\u{e007}");
    wait_for_status(&browser, "match “terraform”");
    let after_enter = browser.run(
        "return [window.notesiteMarker, document.activeElement.id, location.search, \
         document.querySelectorAll('#site-search-q').length];",
    );
    assert_eq!(
        after_enter,
        json!(["no reload", "search-q", "?q=terraform", 0])
    );

    // A facet with an empty query: every article of that difficulty.
    browser.open(&format!("{}search/?difficulty=beginner", server.url));
    let status = wait_for_status(&browser, "article");
    let beginners = std::fs::read_dir(site.path().join("content"))
        .unwrap()
        .filter(|e| read(&e.as_ref().unwrap().path()).contains("difficulty: beginner"))
        .count();
    assert!(
        status.starts_with(&format!("{beginners} article")),
        "{status}"
    );
    // Facet counts come after the results.
    wait_until("the beginner box is shown checked", || {
        let script = "const b = document.querySelector('input[name=difficulty][value=beginner]'); \
                      return !!b && b.checked;";
        browser.run(script) == json!(true)
    });

    // The filters, as a keyboard user works them: "all values" offers the
    // rest of a field and focuses the first value it added; checking a
    // box redraws the filters with the focus still on it.
    browser.open(&format!("{}search/", server.url));
    wait_for_status(&browser, "article");
    browser.run("document.getElementById('search-filters').open = true; return null;");
    let stack_boxes = "return document.querySelectorAll('input[name=stack]').length;";
    wait_until("six stack values are counted", || {
        browser.run(stack_boxes) == json!(6)
    });
    browser.run(
        "const all = [...document.querySelectorAll('#search-facets fieldset')] \
           .find(f => f.querySelector('legend').textContent === 'stack').querySelector('button'); \
         all.focus(); all.click(); return null;",
    );
    wait_until("every stack value is offered", || {
        browser.run(stack_boxes).as_u64().unwrap() > 6
    });
    let after = browser.run(
        "const f = [...document.querySelectorAll('#search-facets fieldset')] \
           .find(f => f.querySelector('legend').textContent === 'stack'); \
         const a = document.activeElement; \
         return [!!f.querySelector('button'), a.name, [...f.querySelectorAll('input')].indexOf(a)];",
    );
    assert_eq!(
        after,
        json!([false, "stack", 6]),
        "no button left, focus on the seventh value"
    );
    browser.run(
        "const b = document.querySelector('input[name=difficulty][value=advanced]'); \
         b.focus(); b.click(); return null;",
    );
    wait_until("the redrawn advanced box is checked and focused", || {
        let script = "const a = document.activeElement; \
                      return [a.name, a.value, a.checked, location.search];";
        browser.run(script) == json!(["difficulty", "advanced", true, "?difficulty=advanced"])
    });

    // Markup in a title or summary stays text.
    browser.open(&format!("{}search/?q=zebrafish", server.url));
    wait_for_status(&browser, "1 article");
    wait_for_titles(
        &browser,
        &["<script>window.pwned = 1</script> zebrafish notes"],
    );
    assert_eq!(result_titles(&browser).len(), 1);
    let pwned = browser.run("return [window.pwned === undefined, document.querySelectorAll('#search-results img, #search-results script').length];");
    assert_eq!(pwned, json!([true, 0]));

    // Nothing found says so.
    browser.open(&format!("{}search/?q=qwertyuiopasdf", server.url));
    wait_for_status(&browser, "No articles match “qwertyuiopasdf”");
    assert!(result_titles(&browser).is_empty());
    // A query of stop words only says it has nothing to search for
    // (issue 23): it listed every article as matching.
    browser.open(&format!("{}search/?q=the", server.url));
    wait_for_status(
        &browser,
        "“the” has no word to search for: it is too common or too long.",
    );
    assert!(result_titles(&browser).is_empty());

    // The header box on every page submits to the search page.
    browser.open(&format!("{}{SEED_SLUG}/", server.url));
    let action = browser.run("const f = document.querySelector('header form[role=search]'); return [f.action, f.querySelector('input').name];");
    assert_eq!(action, json!([format!("{}search/", server.url), "q"]));
}
