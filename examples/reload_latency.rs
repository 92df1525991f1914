//! Edit-to-reloaded latency of `notesite serve` (issue 5): the time from
//! writing a source file to the server answering with the updated page.
//! Median and worst of N edits, for an article edit and a template edit.
//!
//!     cargo run --release --example reload_latency -- NOTESITE_BIN SITE_ROOT [EDITS]
//!
//! The site must have content/ and may lack templates/ (one is made from
//! the built-in base template, and removed afterwards).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bin, root, rest @ ..] = args.as_slice() else {
        eprintln!("usage: reload_latency NOTESITE_BIN SITE_ROOT [EDITS]");
        std::process::exit(2);
    };
    let edits: usize = rest
        .first()
        .map_or(20, |n| n.parse().expect("EDITS is a number"));
    let root = PathBuf::from(root);
    let mut server = Command::new(bin)
        .arg("--root")
        .arg(&root)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("notesite starts");
    let started = Instant::now();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut first_build = String::new();
    let port: u16 = loop {
        let line = lines.next().expect("serve prints where it serves").unwrap();
        if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
        first_build = line;
    };
    println!(
        "start-up: {:.2} s ({first_build})",
        started.elapsed().as_secs_f64()
    );
    println!("memory after start-up: {}", memory(server.id()));
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    let article = first_article(&root);
    let page = format!("/{}/", article.file_stem().unwrap().to_string_lossy());
    let original = std::fs::read_to_string(&article).unwrap();
    let article_times = measure(edits, port, &page, |i| {
        let text = format!("{original}\nlatency marker {i}\n");
        std::fs::write(&article, text).unwrap();
        format!("latency marker {i}")
    });
    std::fs::write(&article, &original).unwrap();
    report("article edit", &article_times);

    let templates = root.join("templates");
    let made_templates = !templates.exists();
    let base = templates.join("base.html");
    let base_original = if base.exists() {
        std::fs::read_to_string(&base).unwrap()
    } else {
        std::fs::create_dir_all(&templates).unwrap();
        include_str!("../templates/base.html").to_string()
    };
    std::thread::sleep(Duration::from_millis(300));
    let template_times = measure(edits, port, &page, |i| {
        let marker = format!("<!-- template marker {i} -->");
        let text = base_original.replace("</body>", &format!("{marker}\n</body>"));
        std::fs::write(&base, text).unwrap();
        marker
    });
    report("template edit", &template_times);
    println!("memory at the end: {}", memory(server.id()));
    if made_templates {
        std::fs::remove_dir_all(&templates).unwrap();
    } else {
        std::fs::write(&base, base_original).unwrap();
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// The server's peak and current resident memory, from /proc (Linux).
fn memory(pid: u32) -> String {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return "unknown (no /proc)".into();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("?".to_string(), |v| v.trim().to_string())
    };
    format!("peak {}, now {}", field("VmHWM:"), field("VmRSS:"))
}

fn first_article(root: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.into_iter().nth(1).expect("the site has articles")
}

/// Runs `edits` edits; each returns a text the page must come to contain.
fn measure(edits: usize, port: u16, page: &str, edit: impl Fn(usize) -> String) -> Vec<Duration> {
    let mut times = Vec::new();
    for i in 0..edits {
        // Let the previous rebuild settle, as between a writer's saves.
        std::thread::sleep(Duration::from_millis(200));
        let start = Instant::now();
        let marker = edit(i);
        loop {
            if get(port, page).contains(&marker) {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "edit {i} never showed"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        times.push(start.elapsed());
    }
    times
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    let _ = stream.read_to_string(&mut body);
    body
}

fn report(what: &str, times: &[Duration]) {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    let worst = ms[ms.len() - 1];
    println!(
        "{what:>14}: median {median:.0} ms, worst {worst:.0} ms over {} edits",
        ms.len()
    );
}
