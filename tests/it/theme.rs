//! The default theme as a reader meets it (issue 20, outcome 6): headless
//! Chromium loads every page kind at 360, 390 and 1366 px, in the light
//! and the dark colour scheme, and the page itself is measured: nothing
//! scrolls sideways, no text longer than 12 characters sits in a box under
//! 90 px wide, and every visible text node meets WCAG AA (4.5:1) against
//! its effective background. One article carries code in each of the ten
//! languages `synth` writes, so every token colour the readers see is
//! checked. Needs Debian's chromium and chromium-driver (`scripts/test`
//! installs them); fails, never skips, without them.

use std::process::{Child, Command, Stdio};

use crate::browser::{Browser, wait_until};
use crate::common::{SEED_SLUG, build_here, example_site};

/// The built site over plain HTTP, as a static host serves it (the
/// preview's live-reload connections would queue the page's own fetches
/// behind them, six to a host).
struct StaticServer {
    child: Child,
    url: String,
}

impl StaticServer {
    fn start(dir: &std::path::Path) -> StaticServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 serves the built site");
        wait_until("the static server answers", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        StaticServer {
            child,
            url: format!("http://127.0.0.1:{port}/"),
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One snippet per language `synth` writes, each with a comment, a string,
/// a number and keywords, so every common token class shows.
const CODE: &[(&str, &str)] = &[
    (
        "bash",
        "# warm the cache first\nfor key in $(redis-cli --scan --pattern 'anp:*'); do\n  echo \"$key\" 42\ndone",
    ),
    (
        "go",
        "// Retry with a deadline.\nfunc retry(ctx context.Context, n int) error {\n\tfor i := 0; i < n; i++ {\n\t\tfmt.Println(\"try\", i)\n\t}\n\treturn nil\n}",
    ),
    (
        "javascript",
        "// debounce the handler\nconst wait = 250;\nexport function debounce(fn) {\n  let t = null;\n  return () => { clearTimeout(t); t = setTimeout(fn, wait); };\n}",
    ),
    (
        "json",
        "{\n  \"name\": \"cache\",\n  \"ttl\": 3600,\n  \"enabled\": true,\n  \"tags\": [\"a\", null]\n}",
    ),
    (
        "php",
        "<?php\n// count the slow queries\n$limit = 100;\nfunction slow(array $rows): int {\n    return count(array_filter($rows, fn($r) => $r['ms'] > 500));\n}",
    ),
    (
        "python",
        "# retry a task at most three times\n@app.task(bind=True, max_retries=3)\ndef sync(self, key: str) -> None:\n    if not key:\n        raise ValueError(\"no key\")\n    return None",
    ),
    (
        "ruby",
        "# memoize the expensive call\ndef totals\n  @totals ||= Order.where(state: \"paid\").sum(:amount) * 1.2\nend",
    ),
    (
        "rust",
        "// A timeout around the call.\nasync fn fetch(url: &str) -> Result<String, Error> {\n    let body = timeout(Duration::from_secs(5), get(url)).await??;\n    Ok(body)\n}",
    ),
    (
        "sql",
        "-- the slow query, explained\nEXPLAIN ANALYZE\nSELECT id, name FROM users WHERE created_at > '2026-01-01' LIMIT 10;",
    ),
    (
        "yaml",
        "# readiness before traffic\nreadinessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n  periodSeconds: 5\n  enabled: true",
    ),
];

/// The page measured from inside: a list of problems, empty when the page
/// holds. Contrast is computed as WCAG does, against the first opaque
/// background up the tree, with translucent ones blended over it.
const CHECK: &str = r#"
const problems = [];
let lowest = 21;
const root = document.documentElement;
if (root.scrollWidth > root.clientWidth) {
  problems.push(`scrolls sideways: ${root.scrollWidth}px of content in ${root.clientWidth}px`);
}
const parse = (c) => {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
const lum = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
const over = (top, base) => base.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let base = [255, 255, 255];
  for (const c of layers.reverse()) base = over(c, base);
  return base;
}
function block(el) {
  for (let e = el; e; e = e.parentElement) {
    const d = getComputedStyle(e).display;
    if (d !== "inline" && d !== "contents") return e;
  }
  return root;
}
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const text = node.textContent.trim();
  if (!text) continue;
  const el = node.parentElement;
  const style = getComputedStyle(el);
  if (style.visibility !== "visible" || el.closest("[hidden], noscript, script, style")) continue;
  // Visually hidden (a form label for screen readers): clipped to 1px.
  const box = block(el).getBoundingClientRect();
  if (box.width <= 1 || box.height <= 1) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
  // Not drawn, or drawn off the page (a skip link until it has focus).
  if (!rects.length || rects.every((r) => r.right <= 0)) continue;
  const bg = background(el);
  const fg = parse(style.color);
  const ink = over(fg, bg);
  const [hi, lo] = [lum(ink), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  lowest = Math.min(lowest, ratio);
  if (ratio < 4.5) {
    problems.push(`contrast ${ratio.toFixed(2)}:1 for "${text.slice(0, 40)}" (${style.color} on rgb(${bg.map(Math.round)}))`);
  }
  const width = block(el).getBoundingClientRect().width;
  if (width < 90 && text.length > 12) {
    problems.push(`"${text.slice(0, 40)}" in a box ${Math.round(width)}px wide`);
  }
}
return [problems, lowest];
"#;

/// The example site plus an article with code in every `synth` language.
fn site_with_all_languages() -> tempfile::TempDir {
    let site = example_site();
    let mut body = String::from("Every language synth writes.\n");
    // A callout of each kind; the ten headings below give a contents box.
    for kind in ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"] {
        body.push_str(&format!(
            "\n> [!{kind}]\n> A {kind} callout, with [a link](#rust).\n"
        ));
    }
    for (language, code) in CODE {
        body.push_str(&format!("\n## {language}\n\n```{language}\n{code}\n```\n"));
    }
    let article = format!(
        "---\ntitle: code in ten languages\ndate: 2026-01-02\nstack: [docker]\n---\n{body}"
    );
    std::fs::write(
        site.path().join("content/code-in-ten-languages.md"),
        article,
    )
    .unwrap();
    site
}

#[test]
fn every_page_kind_reads_well_at_phone_and_desktop_widths_in_both_schemes() {
    let site = site_with_all_languages();
    build_here(site.path()).expect("the site builds");
    let server = StaticServer::start(&site.path().join("public"));
    let pages = [
        ("home", String::new()),
        ("article with code", "code-in-ten-languages/".to_string()),
        ("seed article", format!("{SEED_SLUG}/")),
        ("standalone page", "about/".to_string()),
        ("taxonomy", "stack/".to_string()),
        ("term", "stack/docker/".to_string()),
        ("search", "search/?q=cache".to_string()),
        ("404", "404.html".to_string()),
    ];
    let mut problems = Vec::new();
    let mut lowest = f64::MAX;
    for (scheme, setting) in [("light", "1"), ("dark", "0")] {
        let flag = format!("--blink-settings=preferredColorScheme={setting}");
        let browser = Browser::start_with(&[&flag]);
        for width in [360, 390, 1366] {
            browser.set_viewport(width, 800);
            for (kind, path) in &pages {
                browser.open(&format!("{}{path}", server.url));
                wait_until("the stylesheets are applied", || {
                    browser.run(
                        "return [...document.querySelectorAll('link[rel=stylesheet]')].every((l) => l.sheet);",
                    ) == true
                });
                if *kind == "search" {
                    let shown = (0..200).any(|_| {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        browser
                            .run("return document.querySelectorAll('#search-results li').length;")
                            != 0
                    });
                    let status = browser.run(
                        "return [location.href, document.getElementById('search-count').textContent, document.getElementById('search').hidden];",
                    );
                    assert!(shown, "no search results at {width}px, {scheme}: {status}");
                }
                let found = browser.run(CHECK);
                lowest = lowest.min(found[1].as_f64().unwrap());
                for problem in found[0].as_array().unwrap() {
                    problems.push(format!(
                        "{kind} at {width}px, {scheme}: {}",
                        problem.as_str().unwrap()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    println!("lowest contrast of any visible text: {lowest:.2}:1");
}
