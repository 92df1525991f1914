use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use notesite::check;

use crate::cli::CheckArgs;

/// Reports what a build would, writing nothing.
pub(super) fn execute(root: &Path, args: CheckArgs) -> Result<()> {
    let started = Instant::now();
    super::configure_threads(args.site.jobs)?;
    let progress = super::progress_bar("checking");
    let result = check(&super::load_options(root, &args.site)?, &progress);
    progress.finish_and_clear();
    match result {
        Ok(report) => {
            let warnings = report.warnings.len();
            for warning in report.warnings {
                eprintln!("{warning}");
            }
            if args.verbose {
                for path in &report.unreviewed {
                    println!(
                        "{}: waits for review: noindex, not in the sitemap or the search index",
                        path.display()
                    );
                }
            }
            println!(
                "checked {}{} and {} in {:.2}s: no errors, {}",
                super::count(report.articles, "article"),
                super::unreviewed_note(report.unreviewed.len()),
                super::count(report.pages, "page"),
                started.elapsed().as_secs_f64(),
                super::count(warnings, "warning"),
            );
            Ok(())
        }
        Err(problems) => {
            let (errors, warnings) = (problems.error_count(), problems.warning_count());
            problems.print();
            bail!(
                "check found {} and {}",
                super::count(errors, "error"),
                super::count(warnings, "warning"),
            )
        }
    }
}
