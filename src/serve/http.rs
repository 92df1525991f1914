//! The preview's HTTP side: serves the site from the preview's spool, adds
//! the live reload script (and the error overlay after a failed rebuild) to
//! every HTML page it sends, and tells connected browsers when to reload.
//!
//! Pages are found through a map filled by the renderer, whose values are
//! places in the spool (see `output::spool`), never file paths, so no
//! request path can reach a file outside the site: `..` and `.` segments,
//! encoded or not, are refused before the lookup, and anything else is
//! just a key that is there or not.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::{broadcast, watch};

use super::preview::Files;
use crate::cdn::content_type;
use crate::output::{Spool, Stored};

/// A spool is compacted only past this much of pages no longer served:
/// below it, copying would cost more than the disk it frees.
const MIN_SPOOL_WASTE: u64 = 64 << 20;

/// Where browsers listen for reloads; nothing of the site can have this path.
pub(crate) const EVENTS_PATH: &str = "/__notesite/events";

/// What the server serves, shared with the rebuild thread.
pub(crate) struct Served {
    /// Only the rebuild thread changes it.
    files: RwLock<HashMap<String, Stored>>,
    /// `path:line: message` lines of the failed rebuild, if the last failed.
    errors: RwLock<Vec<String>>,
    /// Bumped on every rebuild; pages carry the one they were served at, so
    /// a browser that connects after a rebuild still learns it is stale.
    generation: AtomicU64,
    reload: broadcast::Sender<u64>,
}

impl Served {
    pub(crate) fn new() -> Arc<Served> {
        Arc::new(Served {
            files: RwLock::default(),
            errors: RwLock::default(),
            generation: AtomicU64::new(0),
            reload: broadcast::channel(16).0,
        })
    }

    /// A good rebuild: new files in, errors out, browsers told.
    pub(crate) fn publish(&self, files: Files) {
        {
            let mut served = self.files.write().unwrap_or_else(|e| e.into_inner());
            match files {
                Files::All(all) => *served = all.into_iter().collect(),
                Files::Some { changed, removed } => {
                    for key in removed {
                        served.remove(&key);
                    }
                    served.extend(changed);
                }
            }
        }
        self.set_errors(Vec::new());
    }

    /// Moves the served files into a new spool once most of the old one
    /// is pages rendered again since (each patch appends), so a long
    /// session does not grow it without end. Returns the new spool, for
    /// the patches to come.
    pub(crate) fn compact(&self) -> std::io::Result<Option<Arc<Spool>>> {
        self.compact_past(MIN_SPOOL_WASTE)
    }

    fn compact_past(&self, min_waste: u64) -> std::io::Result<Option<Arc<Spool>>> {
        // A snapshot is enough: only this (the rebuild) thread changes
        // the map, and requests go on being served from the old spool
        // while the copy is made.
        let snapshot: Vec<(String, Stored)> = {
            let served = self.files.read().unwrap_or_else(|e| e.into_inner());
            served.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let Some((_, first)) = snapshot.first() else {
            return Ok(None);
        };
        let spool = first.spool();
        let live: u64 = snapshot.iter().map(|(_, stored)| stored.len()).sum();
        let waste = spool.len().saturating_sub(live);
        if waste <= live.max(min_waste) {
            return Ok(None);
        }
        let fresh = spool.create_beside()?;
        let mut moved = Vec::with_capacity(snapshot.len());
        for (key, stored) in snapshot {
            moved.push((key, fresh.append(&stored.bytes()?)?));
        }
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .extend(moved);
        Ok(Some(fresh))
    }

    /// A failed rebuild: the files stay, every page shows these errors.
    pub(crate) fn set_errors(&self, errors: Vec<String>) {
        *self.errors.write().unwrap_or_else(|e| e.into_inner()) = errors;
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        // No receivers just means no browser is open.
        let _ = self.reload.send(generation);
    }

    fn get(&self, key: &str) -> Option<Stored> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.get(key).cloned()
    }

    fn has(&self, key: &str) -> bool {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.contains_key(key)
    }

    fn errors(&self) -> Vec<String> {
        self.errors
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[derive(Clone)]
struct AppState {
    served: Arc<Served>,
    shutdown: watch::Receiver<bool>,
}

/// The app: the event stream, and the site for every other path.
/// `shutdown` turning true ends the event streams, so a graceful shutdown
/// does not wait for open browser tabs.
pub(crate) fn router(served: Arc<Served>, shutdown: watch::Receiver<bool>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(get(page))
        .with_state(AppState { served, shutdown })
}

async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.served.reload.subscribe();
    let now = state.served.generation.load(Ordering::SeqCst);
    let start = futures_util::stream::once(async move { Ok(generation_event(now)) });
    let updates = futures_util::stream::unfold(
        (receiver, state.shutdown),
        |(mut receiver, mut shutdown)| async move {
            let next = tokio::select! {
                got = receiver.recv() => match got {
                    Ok(generation) => Some(generation),
                    // Missed some: any value unlike the page's reloads it.
                    Err(broadcast::error::RecvError::Lagged(_)) => Some(u64::MAX),
                    Err(broadcast::error::RecvError::Closed) => None,
                },
                _ = shutdown.wait_for(|stop| *stop) => None,
            };
            next.map(|generation| (Ok(generation_event(generation)), (receiver, shutdown)))
        },
    );
    Sse::new(futures_util::StreamExt::chain(start, updates)).keep_alive(KeepAlive::default())
}

fn generation_event(generation: u64) -> Event {
    Event::default()
        .event("generation")
        .data(generation.to_string())
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    File(String),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
}

/// Maps a request path to a key of the served files, refusing anything
/// that tries to climb out (`..`, `%2e%2e`, backslashes, NUL).
pub(crate) fn lookup(path: &str, exists: impl Fn(&str) -> bool) -> Lookup {
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Lookup::NotFound;
    };
    let Some(inner) = decoded.strip_prefix('/') else {
        return Lookup::NotFound;
    };
    let climbs = inner
        .split('/')
        .any(|segment| segment == ".." || segment == "." || segment.contains(['\\', '\0']));
    if climbs || inner.starts_with('/') {
        return Lookup::NotFound;
    }
    if inner.is_empty() || inner.ends_with('/') {
        let key = format!("{inner}index.html");
        return if exists(&key) {
            Lookup::File(key)
        } else {
            Lookup::NotFound
        };
    }
    if exists(inner) {
        Lookup::File(inner.to_string())
    } else if exists(&format!("{inner}/index.html")) {
        Lookup::Redirect(format!("{path}/"))
    } else {
        Lookup::NotFound
    }
}

async fn page(State(state): State<AppState>, uri: Uri) -> Response {
    let served = &state.served;
    match lookup(uri.path(), |key| served.has(key)) {
        Lookup::File(key) => match served.get(&key) {
            Some(stored) => file_response(served, StatusCode::OK, &key, stored).await,
            None => not_found(served).await,
        },
        Lookup::Redirect(location) => {
            let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            no_store(response)
        }
        Lookup::NotFound => not_found(served).await,
    }
}

/// The site's own 404 page, with status 404.
async fn not_found(served: &Served) -> Response {
    use crate::page_kind::NOT_FOUND_FILE;
    match served.get(NOT_FOUND_FILE) {
        Some(stored) => file_response(served, StatusCode::NOT_FOUND, NOT_FOUND_FILE, stored).await,
        None => {
            let html = "<!doctype html><title>Not found</title><body><h1>Not found</h1></body>";
            let bytes = Bytes::from(html);
            bytes_response(served, StatusCode::NOT_FOUND, NOT_FOUND_FILE, bytes)
        }
    }
}

/// A served file, read from its spool off the async threads.
async fn file_response(served: &Served, status: StatusCode, key: &str, stored: Stored) -> Response {
    match tokio::task::spawn_blocking(move || stored.bytes()).await {
        Ok(Ok(bytes)) => bytes_response(served, status, key, Bytes::from(bytes)),
        Ok(Err(e)) => cannot_read(key, &e.to_string()),
        Err(e) => cannot_read(key, &e.to_string()),
    }
}

fn cannot_read(key: &str, why: &str) -> Response {
    eprintln!("warning: cannot read /{key} back from the preview's spool: {why}");
    let response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the preview cannot read this page back",
    );
    no_store(response.into_response())
}

fn bytes_response(served: &Served, status: StatusCode, key: &str, bytes: Bytes) -> Response {
    let mime = content_type(key);
    let body = if mime.starts_with("text/html") {
        let generation = served.generation.load(Ordering::SeqCst);
        let html = String::from_utf8_lossy(&bytes);
        Body::from(inject(&html, generation, &served.errors()))
    } else {
        Body::from(bytes)
    };
    let mut response = (status, body).into_response();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    no_store(response)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page with the live-reload script (and the error overlay, if the
/// last rebuild failed) before `</body>`. Only served pages get this; the
/// built site never does.
pub(crate) fn inject(html: &str, generation: u64, errors: &[String]) -> String {
    let mut extra = String::new();
    if !errors.is_empty() {
        extra.push_str(&overlay(errors));
    }
    extra.push_str(&format!(
        "<script>/* notesite serve: live reload */(() => {{\
         const served = \"{generation}\";\
         const events = new EventSource(\"{EVENTS_PATH}\");\
         events.addEventListener(\"generation\", (e) => {{ if (e.data !== served) location.reload(); }});\
         }})();</script>\n"
    ));
    match html.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &html[..at], &html[at..]),
        None => format!("{html}{extra}"),
    }
}

fn overlay(errors: &[String]) -> String {
    let items: String = errors
        .iter()
        .map(|e| format!("<li>{}</li>", crate::url::escape_html(e)))
        .collect();
    format!(
        "<div id=\"notesite-errors\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;\
         overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:14px/1.5 monospace\">\
         <h2 style=\"color:#ff6b6b;margin-top:0\">The last rebuild failed; these pages are from the \
         last good build.</h2><ul style=\"white-space:pre-wrap\">{items}</ul></div>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exists(key: &str) -> bool {
        matches!(key, "index.html" | "a/index.html" | "atom.xml")
    }

    #[test]
    fn paths_map_to_files_folders_and_redirects() {
        assert_eq!(lookup("/", exists), Lookup::File("index.html".into()));
        assert_eq!(lookup("/a/", exists), Lookup::File("a/index.html".into()));
        assert_eq!(lookup("/a", exists), Lookup::Redirect("/a/".into()));
        assert_eq!(lookup("/atom.xml", exists), Lookup::File("atom.xml".into()));
        assert_eq!(lookup("/b/", exists), Lookup::NotFound);
    }

    #[test]
    fn climbing_out_is_refused_however_it_is_spelled() {
        for path in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e%2e/index.html",
            "//etc/passwd",
            "/..%5c..%5cwindows",
            "/./index.html",
            "/a%00/index.html",
        ] {
            assert_eq!(lookup(path, |_| true), Lookup::NotFound, "{path}");
        }
    }

    #[test]
    fn a_spool_mostly_of_pages_rendered_again_is_compacted_and_serves_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::create(dir.path()).unwrap();
        let served = Served::new();
        let keep = |key: &str, bytes: &[u8]| (key.to_string(), spool.append(bytes).unwrap());
        served.publish(Files::All(vec![keep("a", &[1; 1000]), keep("b", &[2; 10])]));
        assert!(
            served.compact_past(0).unwrap().is_none(),
            "nothing wasted yet"
        );
        for fill in 3..6 {
            served.publish(Files::Some {
                changed: vec![keep("a", &[fill; 1000])],
                removed: vec![],
            });
        }
        assert_eq!(spool.len(), 4010);
        assert!(
            served.compact_past(1 << 20).unwrap().is_none(),
            "waste under the floor is left alone"
        );

        let fresh = served
            .compact_past(0)
            .unwrap()
            .expect("3000 of 4010 bytes wasted");
        assert_eq!(fresh.len(), 1010, "only what is served was moved");
        assert_eq!(served.get("a").unwrap().bytes().unwrap(), [5; 1000]);
        assert_eq!(served.get("b").unwrap().bytes().unwrap(), [2; 10]);
        assert!(Arc::ptr_eq(&served.get("a").unwrap().spool(), &fresh));
        assert!(served.compact_past(0).unwrap().is_none());
    }

    #[test]
    fn script_and_overlay_go_before_the_body_ends() {
        let html = inject(
            "<html><body><p>x</p></body></html>",
            7,
            &["a.md:3: <bad>".into()],
        );
        let body_end = html.find("</body>").unwrap();
        assert!(html.find("EventSource").unwrap() < body_end);
        assert!(html.contains("a.md:3: &lt;bad&gt;"));
        assert!(html.contains("const served = \"7\""));
    }
}
