//! A build and a check as the pipeline: load the site, render every page
//! into staging (or into nothing, for `check`), then swap the output in.
//! The binary prints what these return; the tests call them in-process.

use std::path::Path;

use crate::cache::{CacheDir, CacheUse};
use crate::content::Bodies;
use crate::diag::Diagnostics;
use crate::output::{Sink, Staging};
use crate::progress::Progress;
use crate::render::{Renderer, Report};
use crate::schedule::{self, Change};
use crate::site::{LoadOptions, Site};

/// Why a build stopped.
#[derive(Debug)]
pub enum Failed {
    /// Problems in the site's sources, each with its position; the output
    /// was left as it was.
    Site(Diagnostics),
    /// The output could not be prepared or swapped in.
    Output(anyhow::Error),
}

/// A finished build.
pub struct Built {
    /// The loaded site, for `build -v`'s timings.
    pub site: Site,
    pub report: Report,
    /// The next time an article appears or expires: when to build again.
    pub next_change: Option<Change>,
    /// How the page cache was used.
    pub cache: CacheUse,
}

/// Builds the site into `out`, rendering only what changed since the
/// build the cache in `cache` describes. On any failure the previous
/// output stays whole.
pub fn build(
    options: &LoadOptions,
    out: &Path,
    cache: &CacheDir,
    progress: &dyn Progress,
) -> Result<Built, Failed> {
    let (site, sources) = Site::load_with_sources(options, Bodies::InFile).map_err(Failed::Site)?;
    let now = options.visibility.now;
    let next_change = schedule::coming(sources.values().map(|a| a.scheduled()), now)
        .into_iter()
        .next();
    drop(sources);
    let staging = Staging::new(out, &options.root).map_err(Failed::Output)?;
    let sink = Sink::Staging(staging);
    let (report, pending, mut used) =
        crate::cache::render(&site, options, cache, &sink, progress).map_err(Failed::Site)?;
    let Sink::Staging(staging) = sink else {
        unreachable!("a build writes to staging")
    };
    let mut report = report;
    let t = &mut report.timings;
    t.step("swap", || staging.commit())
        .map_err(Failed::Output)?;
    // The output is whole without it: a cache that cannot be written is
    // a warning, and the next build renders every page.
    if let Err(e) = t.step("cache write", || pending.write()) {
        used.warning = Some(format!("cannot write the page cache: {e:#}"));
    }
    Ok(Built {
        site,
        report,
        next_change,
        cache: used,
    })
}

/// Every article of `root` that appears or expires after `now`, nearest
/// first: `notesite schedule`. Drafts are not scheduled.
pub fn coming_changes(
    root: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Change>, Diagnostics> {
    let (sources, problems) = crate::content::read_all(root, Bodies::InFile);
    if problems.error_count() > 0 {
        return Err(problems);
    }
    Ok(schedule::coming(
        sources.values().map(|a| a.scheduled()),
        now,
    ))
}

/// Runs the whole pipeline into a sink that writes nothing, so `check`
/// finds exactly what `build` would.
pub fn check(options: &LoadOptions, progress: &dyn Progress) -> Result<Report, Diagnostics> {
    Renderer::new(&Site::load(options)?).render(&Sink::Discard, progress)
}
