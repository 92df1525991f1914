//! Command-line arguments. Parsing only; each command lives in `cmd/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "notesite",
    version,
    about = "A fast, strict static site generator for engineering notes"
)]
pub(crate) struct Cli {
    /// The site's folder: where site.yaml, content/, templates/ and static/ are.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the site into the output folder (public/ by default).
    Build(BuildArgs),
    /// Validate everything a build would, without writing anything.
    Check(CheckArgs),
    /// Create a new site with config, templates, static files and an example article.
    Init(InitArgs),
    /// Create a new article with every meta field filled in.
    New(NewArgs),
    /// Import exported articles (.txt files, or folders of them) into content/.
    Import(ImportArgs),
    /// Write a synthetic corpus of realistic articles, for load testing.
    Synth(SynthArgs),
    /// Preview the site: serve it locally, rebuild on every edit, reload the browser.
    Serve(ServeArgs),
    /// Publish the built site to an S3-compatible bucket or a folder, uploading only what changed.
    Publish(PublishArgs),
    /// List the coming changes: articles that will appear or expire, nearest first.
    Schedule(ScheduleCmdArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ScheduleCmdArgs {
    /// Print JSON: an array of {at, change, slug, path, title}.
    #[arg(long)]
    pub json: bool,

    /// List changes after this time (RFC 3339, or a date) instead of
    /// SOURCE_DATE_EPOCH or the clock.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// Target: s3://bucket/prefix (credentials and endpoint from AWS_* variables) or file:///path.
    /// Default: site.yaml's `publish.to`.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,

    /// The built output to publish, relative to --root unless absolute
    /// [default: public].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Print the plan (uploads, header updates, deletions, bytes) and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Abort before any change when the plan deletes more objects than this.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_deletes: usize,

    /// Write the URL paths whose content changed or disappeared, one per line, for a CDN purge.
    #[arg(long, value_name = "FILE")]
    pub purge_list: Option<PathBuf>,

    /// Uploads and deletions in flight at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub concurrency: usize,

    /// Overwrite objects at the site's keys that no notesite publish wrote
    /// (migrating a bucket from another tool); without it they stop the publish.
    #[arg(long)]
    pub adopt: bool,

    /// Build and publish in one step, with no output folder: render only
    /// what the page cache says changed and publish the whole build.
    /// Takes build's flags (--drafts, --now, --base-url, …).
    #[arg(long, conflicts_with = "out")]
    pub build: bool,

    #[command(flatten)]
    pub site: SiteArgs,

    /// Where the page cache is kept, relative to --root unless absolute
    /// [default: .notesite/cache]. publish takes the hashes of unchanged
    /// files from it; with --build, it also renders by it and writes it.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Neither read nor write the page cache: hash every file (and with
    /// --build, render every page).
    #[arg(long)]
    pub no_cache: bool,

    /// With --build: print the time of each build step.
    #[arg(long, short = 'v', requires = "build")]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on. Anything but loopback exposes drafts to the network.
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub bind: std::net::IpAddr,

    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111, value_name = "PORT")]
    pub port: u16,

    /// Include articles marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,

    #[command(flatten)]
    pub schedule: ScheduleArgs,

    /// Open the site in the default browser once it is built.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Export files, or folders searched recursively for *.txt.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Overwrite existing content/<slug>.md files that differ.
    #[arg(long)]
    pub force: bool,

    /// Worker threads (default: one per CPU).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub(crate) struct SynthArgs {
    /// How many articles to write.
    #[arg(long, value_name = "N")]
    pub count: usize,

    /// The same seed always writes the same corpus, byte for byte.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// `source` writes content/<slug>.md; `export` writes the text export format.
    #[arg(long, value_enum, default_value_t = SynthFormat::Source)]
    pub format: SynthFormat,

    /// Output folder, relative to --root (default: content for source, exports for export).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Worker threads (default: one per CPU).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SynthFormat {
    Source,
    Export,
}

#[derive(Debug, Args)]
pub(crate) struct SiteArgs {
    /// Include articles marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,

    #[command(flatten)]
    pub schedule: ScheduleArgs,

    /// Use this base URL instead of site.yaml's `base_url`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Worker threads (default: one per CPU). Output does not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// Which scheduled and expired articles to show, and at what time.
#[derive(Debug, Args)]
pub(crate) struct ScheduleArgs {
    /// Include articles whose `publish_date` is still ahead.
    #[arg(long)]
    pub future: bool,

    /// Include articles whose `expiry_date` has passed.
    #[arg(long)]
    pub expired: bool,

    /// Build as at this time (RFC 3339, or a date), instead of
    /// SOURCE_DATE_EPOCH or the clock.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// Output folder, relative to --root unless absolute.
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub out: PathBuf,

    /// Where the page cache is kept, relative to --root unless absolute
    /// [default: .notesite/cache]. A build renders only the pages whose
    /// inputs changed since the build the cache describes.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Render every page, and neither read nor write the page cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Print the time of each pipeline step.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// Also list the articles kept out of search engines while they wait
    /// for review (`flags.needs_human_review`).
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Folder to create the site in; must be new or empty.
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The article's title.
    pub title: String,

    /// The slug (and file name); defaults to one made from the title.
    #[arg(long)]
    pub slug: Option<String>,
}
