//! Watching the site's sources. The root is watched on its own (for
//! `site.yaml`, which editors replace rather than rewrite) and `content/`,
//! `templates/` and `static/` recursively, so `public/`, `target/` and the
//! like never wake the rebuild loop.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// Quiet time before a burst of events becomes one rebuild: long enough
/// for an editor's write-then-rename, short enough to stay unnoticed.
const DEBOUNCE: Duration = Duration::from_millis(25);

pub(crate) const WATCHED_DIRS: [&str; 5] = ["content", "pages", "templates", "static", "root"];

/// What the rebuild loop receives.
pub(crate) enum Event {
    Changed(Vec<PathBuf>),
    WatchFailed(String),
}

pub(crate) struct SourceWatcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
}

impl SourceWatcher {
    /// Starts watching `root` (absolute); events go to `events`.
    pub(crate) fn start(root: &Path, events: Sender<Event>) -> Result<SourceWatcher> {
        let debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            let event = match result {
                // Reads (our own, too) are not changes.
                Ok(found) => Event::Changed(
                    found
                        .into_iter()
                        .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                        .flat_map(|e| e.event.paths)
                        .collect(),
                ),
                Err(errors) => Event::WatchFailed(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            if matches!(&event, Event::Changed(paths) if paths.is_empty()) {
                return;
            }
            // The receiver is gone only while the server shuts down.
            let _ = events.send(event);
        })
        .context("cannot start watching the site for changes")?;
        let mut watcher = SourceWatcher {
            debouncer,
            root: root.to_path_buf(),
        };
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {}", root.display()))?;
        for dir in WATCHED_DIRS {
            watcher.watch_dir(dir)?;
        }
        Ok(watcher)
    }

    /// Watches a top-level source folder if it exists; called again when
    /// one appears after the server started.
    pub(crate) fn watch_dir(&mut self, name: &str) -> Result<()> {
        let dir = self.root.join(name);
        if dir.is_dir() {
            self.debouncer
                .watch(&dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
        Ok(())
    }
}
