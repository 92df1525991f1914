//! `notesite serve`: build into a spool (one unnamed temp file), serve
//! over HTTP, rebuild what an edit touches, and reload the browsers that
//! show it.
//!
//! Three threads of work: the HTTP server (tokio), the file watcher
//! (notify, debounced) and one rebuild loop, which owns the build state and
//! is the only writer of what is served.

mod http;
mod preview;
mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub use preview::{Files, Preview};

use crate::site::LoadOptions;
use http::Served;
use watch::{Event, SourceWatcher, WATCHED_DIRS};

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub visibility: crate::schedule::Visibility,
    pub open: bool,
}

pub fn run(options: ServeOptions) -> Result<()> {
    let root = options
        .root
        .canonicalize()
        .with_context(|| format!("cannot open the site folder {}", options.root.display()))?;
    let listener = listen(options.bind, options.port)?;
    let url = site_url(listener.local_addr()?);
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}: anyone who can reach this machine can read the preview",
            options.bind
        );
    }
    let mut preview = Preview::new(LoadOptions {
        root: root.clone(),
        visibility: options.visibility,
        base_url: Some(url.clone()),
    });
    let served = Served::new();
    rebuild(&mut preview, &served);
    let (events_in, events) = channel();
    let watcher = SourceWatcher::start(&root, events_in)?;
    let loop_served = Arc::clone(&served);
    std::thread::Builder::new()
        .name("rebuild".into())
        .spawn(move || rebuild_loop(preview, &loop_served, &events, watcher))?;
    println!("serving {url} (Ctrl-C to stop)");
    if options.open
        && let Err(e) = opener::open_browser(&url)
    {
        eprintln!("warning: cannot open a browser: {e}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve_http(listener, served))?;
    // Connections still open past the grace are dropped with the runtime.
    runtime.shutdown_timeout(Duration::from_millis(200));
    println!("stopped");
    Ok(())
}

/// Binds before the first build, so the site's URLs carry the real port.
fn listen(bind: IpAddr, port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::new(bind, port);
    match TcpListener::bind(addr) {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "cannot listen on {addr}: the port is already in use; choose another with --port \
             (or --port 0 for any free one)"
        ),
        Err(e) => Err(e).with_context(|| format!("cannot listen on {addr}")),
    }
}

fn site_url(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    format!("http://{host}:{}/", addr.port())
}

/// A client gets this long to send a request's headers; a half-sent
/// request held open is closed after it, so slow clients cannot pile up.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// After Ctrl-C, open requests get this long to finish; then the server
/// stops whatever the clients do.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

async fn serve_http(listener: TcpListener, served: Arc<Served>) -> Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let app = http::router(served, stopped);
    let connections = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = TowerToHyperService::new(app.clone());
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    let connection = connections.watch(connection);
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                }
                // Out of file descriptors and the like: let a few close.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    // Event streams end themselves on this; other requests get the grace.
    let _ = stop.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown()).await;
    Ok(())
}

/// Ctrl-C or SIGTERM; if neither can be listened for, never.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

fn rebuild_loop(
    mut preview: Preview,
    served: &Served,
    events: &Receiver<Event>,
    mut watcher: SourceWatcher,
) {
    while let Ok(first) = events.recv() {
        // Everything already queued joins this rebuild.
        let batch = std::iter::once(first).chain(events.try_iter().collect::<Vec<_>>());
        let mut changed = false;
        for event in batch {
            match event {
                Event::Changed(paths) => {
                    changed |= note_changes(&mut preview, &mut watcher, &paths)
                }
                Event::WatchFailed(why) => eprintln!("warning: watching for changes: {why}"),
            }
        }
        // Only a change of a source retries a failed rebuild: retrying on
        // anything else would spin on the same errors.
        if changed {
            rebuild(&mut preview, served);
        }
    }
}

/// Notes the changed paths; true if any is a source of the site.
fn note_changes(preview: &mut Preview, watcher: &mut SourceWatcher, paths: &[PathBuf]) -> bool {
    let root = preview.root().to_path_buf();
    let mut any = false;
    for path in paths {
        let Ok(rel) = path.strip_prefix(&root) else {
            continue;
        };
        let noted = preview.note(rel);
        any |= noted;
        if noted && is_new_source_dir(&root, rel) {
            let name = rel.to_string_lossy();
            if let Err(e) = watcher.watch_dir(&name) {
                eprintln!("warning: {e:#}");
            }
        }
    }
    any
}

fn is_new_source_dir(root: &Path, rel: &Path) -> bool {
    rel.components().count() == 1
        && WATCHED_DIRS.iter().any(|d| rel == Path::new(d))
        && root.join(rel).is_dir()
}

fn rebuild(preview: &mut Preview, served: &Served) {
    match preview.rebuild() {
        Ok(rebuilt) => {
            for warning in &rebuilt.warnings {
                eprintln!("{warning}");
            }
            println!(
                "rebuilt {} page{} in {:.0} ms",
                rebuilt.pages,
                if rebuilt.pages == 1 { "" } else { "s" },
                rebuilt.took.as_secs_f64() * 1000.0
            );
            served.publish(rebuilt.files);
            match served.compact() {
                Ok(Some(spool)) => preview.continue_in(spool),
                Ok(None) => {}
                Err(e) => eprintln!("warning: cannot compact the preview's spool: {e}"),
            }
        }
        Err(problems) => {
            let errors: Vec<String> = problems.sorted().iter().map(|d| d.to_string()).collect();
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("rebuild failed; still serving the last good pages");
            served.set_errors(errors);
        }
    }
}
