use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::PublishArgs;
use notesite::{
    CacheDir, Diagnostics, Failed, PublishOptions as Options, PublishSummary as Summary,
    SiteConfig, clean_up_on_interrupt, foreign_note, publish, publish_build,
};

pub(super) fn execute(root: &Path, args: PublishArgs) -> Result<()> {
    let config = match SiteConfig::load(root) {
        Ok(config) => config,
        Err(problems) => {
            let mut all = Diagnostics::default();
            all.extend(problems);
            all.print();
            bail!("site.yaml has errors; nothing was published");
        }
    };
    let Some(to) = args.to.clone().or_else(|| config.publish.to.clone()) else {
        bail!(
            "no target: pass --to s3://bucket/prefix (or file:///path), or set publish.to in site.yaml"
        );
    };
    let site_flags = args.site.drafts
        || args.site.base_url.is_some()
        || args.site.schedule.future
        || args.site.schedule.expired
        || args.site.schedule.now.is_some();
    if site_flags && !args.build {
        bail!(
            "--drafts, --future, --expired, --now and --base-url choose what a build renders; \
             pass them to `notesite build`, or publish with --build"
        );
    }
    super::configure_threads(args.site.jobs)?;
    let out = root.join(args.out.as_deref().unwrap_or(Path::new("public")));
    let options = Options {
        out,
        to,
        dry_run: args.dry_run,
        max_deletes: args.max_deletes,
        purge_list: args.purge_list.clone(),
        concurrency: args.concurrency,
        adopt: args.adopt,
    };
    if args.build {
        return build_and_publish(root, &args, &options);
    }
    let progress = super::counting_bar("publishing", "objects");
    let cache_dir = args.cache_dir.as_ref().map(|dir| root.join(dir));
    let cache = CacheDir::of(root, cache_dir, args.no_cache);
    let summary = publish(&config, &options, &cache, &progress);
    progress.finish_and_clear();
    let summary = summary?;
    report(&options, &summary);
    Ok(())
}

/// `publish --build`: the build's warnings and summary line, then the
/// publish's.
fn build_and_publish(root: &Path, args: &PublishArgs, options: &Options) -> Result<()> {
    let started = std::time::Instant::now();
    clean_up_on_interrupt()?;
    let cache_dir = args.cache_dir.as_ref().map(|dir| root.join(dir));
    let cache = CacheDir::of(root, cache_dir, args.no_cache);
    let load = super::load_options(root, &args.site)?;
    let progress = super::counting_bar("building and publishing", "items");
    let done = publish_build(&load, &cache, options, &progress);
    progress.finish_and_clear();
    let done = match done {
        Ok(done) => done,
        Err(Failed::Site(problems)) => {
            let errors = problems.error_count();
            problems.print();
            bail!(
                "build failed with {errors} error{}; nothing was published",
                if errors == 1 { "" } else { "s" }
            );
        }
        Err(Failed::Output(e)) => return Err(e),
    };
    for warning in &done.cache.warnings {
        eprintln!("warning: {warning}");
    }
    for warning in &done.report.warnings {
        eprintln!("{warning}");
    }
    if args.verbose {
        let report = &done.report;
        super::build::print_timings(&report.timings.steps, &done.cache, report.search_index);
    }
    let how = match done.rendered_all {
        true => "every page (the target held versions the page cache did not know)".to_string(),
        false => format!(
            "{} of {} routes",
            done.cache.rendered,
            done.cache.rendered + done.cache.carried
        ),
    };
    println!(
        "built {} ({}), rendering {how}, in {:.2}s",
        super::count(done.report.articles, "article"),
        super::count(done.report.pages, "page"),
        started.elapsed().as_secs_f64(),
    );
    report(options, &done.publish);
    // As in `build`: the OS reclaims the site's memory at once, where
    // freeing it article by article took 0.5 s at 100k.
    std::mem::forget(done.site);
    Ok(())
}

fn report(options: &Options, summary: &Summary) {
    if let Some(line) = foreign_note(&summary.foreign)
        && !options.dry_run
    {
        eprintln!("{line}");
    }
    for url in &summary.ignored {
        eprintln!(
            "warning: the publish record names /{url} as a page of ours, but it owns no object there; ignored"
        );
    }
    print_summary(options, summary);
}

fn print_summary(options: &Options, s: &Summary) {
    let verb = if options.dry_run {
        "would publish"
    } else {
        "published"
    };
    println!(
        "{verb} to {}: {} uploaded ({}), {} header-updated, {} unchanged, {} deleted, {} kept, {} redirected, {} removed URLs, in {:.2}s",
        options.to,
        s.uploaded,
        human_bytes(s.uploaded_bytes),
        s.header_updated,
        s.unchanged,
        s.deleted,
        s.kept,
        s.redirected,
        s.removed,
        s.elapsed.as_secs_f64(),
    );
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}
