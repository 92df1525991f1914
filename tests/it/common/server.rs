//! A `notesite serve` process for tests: started on a free port, stopped
//! (killed) when dropped, with its output kept for failure messages.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    pub port: u16,
    output: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `notesite --root ROOT serve --port 0 EXTRA...` and waits for
    /// the line that says where it serves.
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("notesite"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("notesite starts");
        let output = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (url_in, url_out) = std::sync::mpsc::channel();
        collect(stdout, Arc::clone(&output), Some(url_in));
        collect(stderr, Arc::clone(&output), None);
        let url: String = url_out
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                panic!(
                    "serve never said where it serves:\n{}",
                    output.lock().unwrap()
                )
            });
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server {
            child,
            url,
            port,
            output,
        }
    }

    pub(crate) fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// GET `path`: status, headers (lower-case names) and body.
    pub(crate) fn get(&self, path: &str) -> Response {
        raw_get(self.port, path)
    }

    /// Polls `path` until `check` holds, or fails after 15 s with the
    /// server's output.
    pub(crate) fn wait_for(
        &self,
        path: &str,
        what: &str,
        check: impl Fn(&Response) -> bool,
    ) -> Response {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let response = self.get(path);
            if check(&response) {
                return response;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path} never {what}; last status {}, body:\n{}\nserver output:\n{}",
                    response.status,
                    response.body,
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<String>>,
    url: Option<std::sync::mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let (Some(tx), Some(rest)) = (&url, line.strip_prefix("serving ")) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
            let mut all = output.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
}

#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A GET written by hand, so the path reaches the server exactly as
/// given: clients normalize `..` away before sending.
pub(crate) fn raw_get(port: u16, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("a whole response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("headers end");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}
