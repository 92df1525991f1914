//! A build and a check as the pipeline: load the site, render every page
//! into staging (or into nothing, for `check`), then swap the output in.
//! The binary prints what these return; the tests call them in-process.

use std::path::Path;

use crate::cache::{CacheDir, CacheUse};
use crate::diag::Diagnostics;
use crate::output::{Sink, Staging};
use crate::progress::Progress;
use crate::publish::Opened;
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
    let (loaded, front_matter) = load(options, cache);
    let (site, sources) = loaded.map_err(Failed::Site)?;
    let now = options.visibility.now;
    let next_change = schedule::coming(sources.values().map(|a| a.scheduled()), now)
        .into_iter()
        .next();
    drop(sources);
    let mode = crate::cache::Mode::Build;
    let rendered = render_and_swap(&site, options, out, cache, mode, progress)?;
    let (mut report, pending, mut used) = (rendered.report, rendered.pending, rendered.usage);
    used.add_front_matter(front_matter);
    used.add_cache_write(report.timings.step("cache write", || pending.write()));
    Ok(Built {
        site,
        report,
        next_change,
        cache: used,
    })
}

/// Loads the site, parsing only the front matter the cache in `dir` has
/// not seen (and taking Similar Posts from it when no feature moved), and
/// keeps what was worked out for the next build: whether this one then
/// fails or not, each entry is true of what it was made from. Returns
/// the site and how the front matter cache was used.
fn load(
    options: &LoadOptions,
    dir: &CacheDir,
) -> (
    Result<(Site, crate::content::Sources), Diagnostics>,
    crate::content::FrontMatterUse,
) {
    let started = std::time::Instant::now();
    let kept = dir.kept();
    let opened = started.elapsed();
    let loaded = Site::load_with_sources(options, &kept);
    let started = std::time::Instant::now();
    let used = kept.front_matter.save();
    let loaded = loaded.map(|(mut site, sources)| {
        (site.timings.steps).insert(0, ("cache open", opened));
        (site.timings.steps).push(("front matter cache write", started.elapsed()));
        (site, sources)
    });
    (loaded, used)
}

/// Renders `site` with the cache into staging beside `out` and swaps it
/// in: the part of the pipeline `build` and `publish --build` share. The
/// cache is left for the caller to write once the output is used.
fn render_and_swap(
    site: &Site,
    options: &LoadOptions,
    out: &Path,
    cache: &CacheDir,
    mode: crate::cache::Mode,
    progress: &dyn Progress,
) -> Result<crate::cache::Rendered, Failed> {
    let started = std::time::Instant::now();
    // Walks the output, to refuse a file no build wrote: a step of its own
    // in `-v` (0.9 s of a one-edit build at 100k articles).
    let mut staging = Staging::new(out, &options.root).map_err(Failed::Output)?;
    let output_scan = ("output scan", started.elapsed());
    if let CacheDir::At(_) = cache {
        staging = staging.noting();
    }
    let sink = Sink::Staging(staging);
    let mut rendered =
        crate::cache::render(site, options, cache, &sink, mode, progress).map_err(Failed::Site)?;
    rendered.report.timings.steps.insert(0, output_scan);
    let Sink::Staging(staging) = sink else {
        unreachable!("a build writes to staging")
    };
    (rendered.report.timings)
        .step("swap", || staging.commit())
        .map_err(Failed::Output)?;
    Ok(rendered)
}

/// A finished `publish --build`.
pub struct BuiltAndPublished {
    /// The loaded site: returned, not dropped, so the caller can leave it
    /// to the process's end (see `build`'s command).
    pub site: Site,
    pub report: Report,
    pub cache: CacheUse,
    pub publish: crate::publish::Summary,
    /// Whether the bucket held other versions than the cache knew, so
    /// every page was rendered after all.
    pub rendered_all: bool,
}

/// `publish --build`: renders what the page cache says changed into a
/// temporary folder and publishes the build, knowing the unchanged files
/// by the cache's hashes: what a full build and `publish` would upload,
/// delete and redirect, without an output folder or hashing every file.
/// When the bucket holds another version of a file than the cache knows
/// (it was published from elsewhere), every page is rendered and the
/// publish planned again. `publish.out` is not used.
pub fn publish_build(
    options: &LoadOptions,
    cache: &CacheDir,
    publish: &crate::publish::Options,
    progress: &dyn Progress,
) -> Result<BuiltAndPublished, Failed> {
    // The target is opened before the build and read while it runs. A
    // site.yaml with errors fails the load below, with its messages.
    let opened = match crate::config::SiteConfig::load(&options.root) {
        Ok(config) => Some(Opened::reading_ahead(&config, publish).map_err(Failed::Output)?),
        Err(_) => None,
    };
    let (loaded, front_matter) = load(options, cache);
    let site = loaded.map_err(Failed::Site)?.0;
    let temp = tempfile::Builder::new()
        .prefix("notesite-publish-")
        .tempdir()
        .map_err(|e| {
            Failed::Output(anyhow::Error::new(e).context("cannot create a temporary folder"))
        })?;
    let out = temp.path().join("site");
    let mode = crate::cache::Mode::Publish;
    let rendered = render_and_swap(&site, options, &out, cache, mode, progress)?;
    let publish = crate::publish::Options {
        out,
        ..publish.clone()
    };
    let config = &site.config;
    let mut rendered_all = false;
    let mut report = rendered.report;
    let mut steps = site.timings.steps.clone();
    steps.append(&mut report.timings.steps);
    report.timings.steps = steps;
    let started = std::time::Instant::now();
    let opened = match opened {
        Some(opened) => opened,
        None => Opened::new(config, &publish).map_err(Failed::Output)?,
    };
    let partial = crate::publish::run_partial(config, &publish, &rendered.known, opened, progress);
    let summary = match partial {
        Err(e) if e.is::<crate::publish::NotRendered>() => {
            rendered_all = true;
            let publish = crate::publish::Options {
                out: temp.path().join("all"),
                ..publish
            };
            build(options, &publish.out, &CacheDir::Off, progress)?;
            crate::publish::run(config, &publish, &CacheDir::Off, progress)
        }
        other => other,
    }
    .map_err(Failed::Output)?;
    report.timings.steps.push(("publish", started.elapsed()));
    (report.timings.steps).extend(summary.timings.steps.iter().copied());
    let mut usage = rendered.usage;
    usage.add_front_matter(front_matter);
    // After a dry run the target is as it was: a cache of this build would
    // make the next publish find the target behind it and render all.
    if !publish.dry_run {
        let written = report
            .timings
            .step("cache write", || rendered.pending.write());
        usage.add_cache_write(written);
    }
    Ok(BuiltAndPublished {
        site,
        report,
        cache: usage,
        publish: summary,
        rendered_all,
    })
}

/// Every article of `root` that appears or expires after `now`, nearest
/// first: `notesite schedule`. Drafts are not scheduled.
pub fn coming_changes(
    root: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Change>, Diagnostics> {
    let known = crate::content::FrontMatterCache::off();
    let (sources, problems) = crate::content::read_all(root, &known);
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
