//! `notesite publish`: the built output to an S3-compatible bucket (or a
//! folder), uploading only what changed, in an order that never lets a
//! published page point at a missing asset.
//!
//! scan the build → list the target and read its record → probe what the
//! record cannot vouch for → plan → guard → upload by stage → delete →
//! write the record.

mod apply;
mod local;
mod moves;
mod plan;
mod record;
mod target;

use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::{StreamExt, TryStreamExt, stream};

pub use apply::FAULT_ENV;
pub use record::{RECORD_KEY, Record};

use crate::cdn::CacheRules;
use crate::config::SiteConfig;
use crate::progress::Progress;
use plan::{Change, Plan, Remote};
use target::Target;

#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    pub to: String,
    pub dry_run: bool,
    pub max_deletes: usize,
    pub purge_list: Option<PathBuf>,
    pub concurrency: usize,
    /// Overwrite objects at our keys that the record does not own.
    pub adopt: bool,
}

/// What a publish did (or, for a dry run, would do).
#[derive(Debug, Default)]
pub struct Summary {
    pub uploaded: usize,
    pub uploaded_bytes: u64,
    pub header_updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub kept: usize,
    /// Old URLs of moved articles that now redirect to their new page.
    pub redirected: usize,
    /// Published pages gone from the build with no new home.
    pub removed: usize,
    /// Objects under the target that no publish wrote, left alone.
    pub foreign: Vec<String>,
    /// Record entries that name no page of ours, ignored.
    pub ignored: Vec<String>,
    pub elapsed: Duration,
    /// Wall time of each part, for `-v`.
    pub timings: crate::site::Timings,
}

/// Publishes the build in `options.out`. Files the page cache in `cache`
/// recorded for that output, and that are still as it recorded them, are
/// not read again to hash them.
pub fn run(
    config: &SiteConfig,
    options: &Options,
    cache: &crate::cache::CacheDir,
    progress: &dyn Progress,
) -> Result<Summary> {
    let opened = Opened::new(config, options)?;
    let rules = CacheRules::new(&config.cdn);
    let known = crate::cache::known_files(cache, &options.out);
    let local = local::scan(&options.out, &rules, &known)?;
    run_files(config, options, local, opened, progress)
}

/// What publish reads of the target before it plans: every object's key,
/// size and ETag, and the record.
type Fetched = (std::collections::BTreeMap<String, plan::Listed>, Record);

/// The target, opened before anything slow: a `--to` that names no
/// target, a folder that is not there or missing credentials fail at once,
/// not after a scan of the output or a whole build (a minute at 100k
/// articles). Reading it needs the network and fails later.
pub(crate) enum Opened {
    Now(Target),
    /// Being inspected and read on a thread of its own.
    Ahead(std::thread::JoinHandle<Result<(Target, Fetched)>>),
}

impl Opened {
    pub(crate) fn new(config: &SiteConfig, options: &Options) -> Result<Opened> {
        let target = Target::open(&options.to, &config.publish)?;
        Ok(Opened::Now(target.inspect()?))
    }

    /// Opens the target and starts reading it on a thread of its own, for
    /// `publish --build` to plan with after it builds. Listing 240k
    /// objects took 2.4-2.9 s against Garage after the build; it needs
    /// nothing the build makes, so the two overlap. The listing is as old
    /// as the build then, which changes nothing a publish relies on: what
    /// it deletes is still only what the record names, and the record is
    /// read in the same go.
    pub(crate) fn reading_ahead(config: &SiteConfig, options: &Options) -> Result<Opened> {
        let target = Target::open(&options.to, &config.publish)?;
        let parts = options.concurrency;
        let ahead = std::thread::spawn(move || {
            let target = target.inspect()?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime
                .block_on(async {
                    // The build's keys are not known yet; the last publish's
                    // are the next best cut points for the listing's parts.
                    let record = target.read_record().await?.unwrap_or_default();
                    let hints: Vec<&str> = record.objects.keys().map(String::as_str).collect();
                    let listed = target.list(&hints, parts).await?;
                    Ok((listed, record))
                })
                .map(|fetched| (target, fetched))
        });
        Ok(Opened::Ahead(ahead))
    }

    /// The target, inspected, and what was read of it ahead.
    fn wait(self) -> Result<(Target, Option<Fetched>)> {
        match self {
            Opened::Now(target) => Ok((target, None)),
            Opened::Ahead(ahead) => {
                let (target, fetched) = (ahead.join())
                    .unwrap_or_else(|_| bail!("reading the target stopped unexpectedly"))?;
                Ok((target, Some(fetched)))
            }
        }
    }
}

/// A build `publish --build` rendered only in part: the files at hand in
/// `options.out` (the rendered ones and the page index), and the rest by
/// key, size and hash as the page cache has them.
pub(crate) fn run_partial(
    config: &SiteConfig,
    options: &Options,
    known: &[crate::output::Written],
    opened: Opened,
    progress: &dyn Progress,
) -> Result<Summary> {
    let rules = CacheRules::new(&config.cdn);
    let mut local = local::scan_files(&options.out, &rules, &local::Known::default())?;
    let at_hand: std::collections::HashSet<String> = local.iter().map(|f| f.key.clone()).collect();
    // In parallel: five strings a file, for 240k files at 100k articles,
    // were 0.3 s of the main thread.
    let not_at_hand: Vec<local::LocalFile> = (known.par_iter())
        .filter(|w| !w.path.starts_with(".notesite/") && !at_hand.contains(&w.path))
        .map(|w| local::LocalFile::known(w, &options.out, &rules))
        .collect();
    local.extend(not_at_hand);
    local.par_sort_by(|a, b| a.key.cmp(&b.key));
    run_files(config, options, local, opened, progress)
}

/// What a partial build lacks: the plan uploads a file the build did not
/// render, because the bucket holds another version than the cache says.
/// `publish --build` then renders everything and plans again.
#[derive(Debug)]
pub(crate) struct NotRendered(pub(crate) String);

impl std::fmt::Display for NotRendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is to be uploaded but was not rendered", self.0)
    }
}

impl std::error::Error for NotRendered {}

fn run_files(
    config: &SiteConfig,
    options: &Options,
    mut local: Vec<local::LocalFile>,
    opened: Opened,
    progress: &dyn Progress,
) -> Result<Summary> {
    let started = Instant::now();
    let rules = CacheRules::new(&config.cdn);
    let index = moves::read_index(&options.out)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // Redirect pages for moved articles are written here and uploaded like
    // any page of the build.
    let redirect_dir = tempfile::tempdir().context("cannot create a temporary folder")?;
    let mut timings = crate::site::Timings::default();
    let mut lap = Instant::now();
    let t = &mut timings;
    let (target, fetched) = opened.wait()?;
    let mut summary = runtime.block_on(async {
        let (listed, record) = match fetched {
            Some(fetched) => fetched,
            None => {
                let hints: Vec<&str> = local.iter().map(|f| f.key.as_str()).collect();
                let (listed, record) = futures_util::try_join!(
                    target.list(&hints, options.concurrency),
                    target.read_record()
                )?;
                (listed, record.unwrap_or_default())
            }
        };
        t.lap("publish: listing, record", &mut lap);
        let moves = match &index {
            Some(index) => moves::plan(index, &record, &local, config.publish.auto_redirects),
            None => moves::Moves::kept(&record),
        };
        let redirects = moves::redirect_files(&moves, redirect_dir.path(), config, &rules)?;
        local.extend(redirects);
        local.sort_by(|a, b| a.key.cmp(&b.key));
        let remote = read_remote(&target, &local, listed, record, options.concurrency).await?;
        let mut plan = plan::make(&local, &remote, config.publish.keep_asset_publishes);
        plan.follow(moves, &remote.record);
        t.lap("publish: plan", &mut lap);
        let missing = plan.uploads.iter().find(|u| !u.file.path.is_file());
        if let Some(upload) = missing {
            return Err(NotRendered(upload.file.key.clone()).into());
        }
        if options.dry_run {
            print!("{}", describe(&plan));
        }
        guard(&plan, options)?;
        if !options.dry_run {
            let ours = |key: &str| {
                remote.record.owns(key)
                    || local.binary_search_by(|f| f.key.as_str().cmp(key)).is_ok()
            };
            target.remove_leftover_uploads(ours)?;
            if let Some(path) = &options.purge_list {
                write_purge_list(path, &plan, config.base_path())?;
            }
            progress.set_length((plan.uploads.len() + plan.deletes.len()) as u64);
            apply::Run::new(&target, options.concurrency, progress)
                .apply(&mut plan)
                .await?;
            t.lap("publish: upload", &mut lap);
        }
        Ok::<_, anyhow::Error>(summary(&plan, started.elapsed()))
    })?;
    summary.timings = timings;
    Ok(summary)
}

/// The listing, the record, and a direct read of each object the record
/// cannot vouch for.
async fn read_remote(
    target: &Target,
    local: &[local::LocalFile],
    listed: std::collections::BTreeMap<String, plan::Listed>,
    record: Record,
    concurrency: usize,
) -> Result<Remote> {
    let mut remote = Remote {
        listed,
        record,
        probed: Default::default(),
    };
    let unknown = plan::needs_probe(local, &remote);
    remote.probed = stream::iter(unknown)
        .map(|key| async move { target.probe(&key).await.map(|probed| (key, probed)) })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(remote)
}

fn guard(plan: &Plan, options: &Options) -> Result<()> {
    let taken = &plan.foreign_at_our_keys;
    if !taken.is_empty() && !options.adopt {
        let sample: Vec<&str> = taken.iter().take(5).map(String::as_str).collect();
        bail!(
            "{} already holds {} object(s) at this site's keys that no notesite publish wrote (first: {}); \
             nothing was changed. Check --to; to replace another tool's site there, pass --adopt",
            options.to,
            taken.len(),
            sample.join(", "),
        );
    }
    let deletes = plan.deletes.len();
    if deletes > options.max_deletes {
        let sample: Vec<&str> = plan.deletes.iter().take(5).map(String::as_str).collect();
        bail!(
            "this publish would delete {deletes} objects from {} (first: {}), more than --max-deletes {}; \
             nothing was changed. Check --to and --out; if the deletions are intended, pass --max-deletes {deletes}",
            options.to,
            sample.join(", "),
            options.max_deletes,
        );
    }
    Ok(())
}

/// The plan as `--dry-run` prints it: one line per action, then totals.
fn describe(plan: &Plan) -> String {
    let mut text = String::new();
    for upload in &plan.uploads {
        let what = match upload.change {
            Change::New => "upload (new)",
            Change::Changed => "upload (changed)",
            Change::Headers => "update headers",
        };
        let _ = writeln!(
            text,
            "{what:<17} {} ({} bytes)",
            upload.file.key, upload.file.size
        );
    }
    for key in &plan.deletes {
        let _ = writeln!(text, "{:<17} {key}", "delete");
    }
    for (from, to) in &plan.moves.redirects {
        let _ = writeln!(text, "{:<17} /{from} -> /{to} (its page moved)", "redirect");
    }
    for url in &plan.moves.removed {
        let _ = writeln!(
            text,
            "{:<17} /{url} (published before, {})",
            "removed URL",
            match plan.moves.followed {
                true => "no new home",
                false => "not followed: publish.auto_redirects is off",
            }
        );
    }
    let mut rows = |what: &str, items: &[String], note: &str| {
        for item in items {
            let _ = writeln!(text, "{what:<17} {item} ({note})");
        }
    };
    rows("keep", &plan.kept, "older pages may still use it");
    rows(
        "not ours",
        &plan.foreign_at_our_keys,
        "no notesite publish wrote it; needs --adopt",
    );
    let ignored: Vec<String> = plan.moves.ignored.iter().map(|u| format!("/{u}")).collect();
    rows(
        "ignored",
        &ignored,
        "the record names it, but no page of ours is there",
    );
    if let Some(line) = foreign_note(&plan.foreign) {
        let _ = writeln!(text, "{line}");
    }
    let _ = writeln!(
        text,
        "plan: {} new, {} changed, {} header updates ({} bytes to send), {} deletions, {} kept, {} unchanged, {} redirected, {} removed URLs",
        plan.count(Change::New),
        plan.count(Change::Changed),
        plan.count(Change::Headers),
        plan.bytes(),
        plan.deletes.len(),
        plan.kept.len(),
        plan.unchanged,
        plan.moves.redirects.len(),
        plan.moves.removed.len(),
    );
    text
}

/// One line for the objects no publish wrote, if there are any: they are
/// someone else's (a shared bucket prefix, a hand-placed file) and stay.
pub fn foreign_note(foreign: &[String]) -> Option<String> {
    let first = foreign.first()?;
    let more = match foreign.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!(
        "not ours, left alone: {first}{more} (no notesite publish wrote them)"
    ))
}

/// The URL paths a CDN must invalidate: everything whose content or headers
/// changed or that disappeared. A folder's `index.html` is also reachable
/// as the folder, so both are listed.
fn write_purge_list(path: &std::path::Path, plan: &Plan, base_path: &str) -> Result<()> {
    let mut text = String::new();
    for key in plan.stale_keys() {
        if let Some(dir) = key.strip_suffix("index.html")
            && (dir.is_empty() || dir.ends_with('/'))
        {
            let _ = writeln!(text, "{base_path}/{dir}");
        }
        let _ = writeln!(text, "{base_path}/{key}");
    }
    crate::fsx::write(path, text.as_bytes())
}

fn summary(plan: &Plan, elapsed: Duration) -> Summary {
    let content_changes = plan.uploads.iter().filter(|u| u.change != Change::Headers);
    Summary {
        uploaded: content_changes.clone().count(),
        uploaded_bytes: content_changes.map(|u| u.file.size).sum(),
        header_updated: plan.count(Change::Headers),
        unchanged: plan.unchanged,
        deleted: plan.deletes.len(),
        kept: plan.kept.len(),
        redirected: plan.moves.redirects.len(),
        removed: plan.moves.removed.len(),
        foreign: plan.foreign.clone(),
        ignored: plan.moves.ignored.clone(),
        elapsed,
        timings: Default::default(),
    }
}
