use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::PublishArgs;
use notesite::{
    Diagnostics, PublishOptions as Options, PublishSummary as Summary, SiteConfig, foreign_note,
    publish,
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
    let Some(to) = args.to.or_else(|| config.publish.to.clone()) else {
        bail!(
            "no target: pass --to s3://bucket/prefix (or file:///path), or set publish.to in site.yaml"
        );
    };
    let options = Options {
        out: root.join(&args.out),
        to,
        dry_run: args.dry_run,
        max_deletes: args.max_deletes,
        purge_list: args.purge_list,
        concurrency: args.concurrency,
        adopt: args.adopt,
    };
    let progress = super::counting_bar("publishing", "objects");
    let summary = publish(&config, &options, &progress);
    progress.finish_and_clear();
    let summary = summary?;
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
    print_summary(&options, &summary);
    Ok(())
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
