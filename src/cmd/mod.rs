//! One file per subcommand, each with `execute(root, args) -> Result<()>`.

mod build;
mod check;
mod import;
mod init;
mod new;
mod publish;
mod schedule;
mod serve;
mod synth;

use anyhow::Result;

use crate::cli::{Cli, Command, ScheduleArgs, SiteArgs};
use notesite::{LoadOptions, Visibility, now};

/// `1 article`, `2 articles`: counts in what commands print.
pub(crate) fn count(n: usize, thing: &str) -> String {
    match n {
        1 => format!("1 {thing}"),
        n => format!("{n} {thing}s"),
    }
}

/// ` (3 waiting for review, not indexed)` after the article count.
pub(crate) fn unreviewed_note(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(" ({n} waiting for review, not indexed)"),
    }
}

pub(crate) fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build(args) => build::execute(&cli.root, args),
        Command::Check(args) => check::execute(&cli.root, args),
        Command::Init(args) => init::execute(&cli.root, args),
        Command::New(args) => new::execute(&cli.root, args),
        Command::Import(args) => import::execute(&cli.root, args),
        Command::Synth(args) => synth::execute(&cli.root, args),
        Command::Serve(args) => serve::execute(&cli.root, args),
        Command::Publish(args) => publish::execute(&cli.root, args),
        Command::Schedule(args) => schedule::execute(&cli.root, args),
    }
}

/// Sets the worker count once, before any parallel work starts.
fn configure_threads(jobs: Option<usize>) -> Result<()> {
    if let Some(n) = jobs {
        anyhow::ensure!(n > 0, "--jobs must be at least 1");
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    Ok(())
}

fn load_options(root: &std::path::Path, site: &SiteArgs) -> Result<LoadOptions> {
    Ok(LoadOptions {
        root: root.to_path_buf(),
        visibility: visibility(site.drafts, &site.schedule)?,
        base_url: site.base_url.clone(),
    })
}

/// Which articles to show, at the *now* the flags, SOURCE_DATE_EPOCH or
/// the clock give.
fn visibility(drafts: bool, args: &ScheduleArgs) -> Result<Visibility> {
    let now = now(args.now.as_deref()).map_err(anyhow::Error::msg)?;
    Ok(Visibility {
        drafts,
        future: args.future,
        expired: args.expired,
        now,
    })
}

/// A progress bar on stderr that draws only on a terminal.
fn progress_bar(message: &'static str) -> indicatif::ProgressBar {
    counting_bar(message, "pages")
}

/// A progress bar on stderr counting `unit`s, drawn only on a terminal.
fn counting_bar(message: &'static str, unit: &str) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{msg:>10}} [{{bar:30}}] {{pos}}/{{len}} {unit}"
    ))
    .expect("the progress template is valid")
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(message);
    bar
}
