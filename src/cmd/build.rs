use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use notesite::{Built, CacheDir, CacheUse, Diagnostics, Failed, build, clean_up_on_interrupt};

use crate::cli::BuildArgs;

pub(super) fn execute(root: &Path, args: BuildArgs) -> Result<()> {
    let started = Instant::now();
    super::configure_threads(args.site.jobs)?;
    let out = root.join(&args.out);
    clean_up_on_interrupt()?;
    let progress = super::progress_bar("rendering");
    let cache_dir = args.cache_dir.map(|dir| root.join(dir));
    let cache = CacheDir::of(root, cache_dir, args.no_cache);
    let built = build(
        &super::load_options(root, &args.site)?,
        &out,
        &cache,
        &progress,
    );
    progress.finish_and_clear();
    let Built {
        site,
        report,
        next_change,
        cache: cache_use,
    } = match built {
        Ok(built) => built,
        Err(Failed::Site(problems)) => fail(problems, &out)?,
        Err(Failed::Output(e)) => return Err(e),
    };
    for warning in &cache_use.warnings {
        eprintln!("warning: {warning}");
    }
    for warning in &report.warnings {
        eprintln!("{warning}");
    }
    if args.verbose {
        let steps: Vec<_> = (site.timings.steps.iter())
            .chain(&report.timings.steps)
            .cloned()
            .collect();
        print_timings(&steps, &cache_use, report.search_index);
    }
    // The process ends right after this: freeing every article one by one
    // cost 0.35 s of a 100k build for memory the OS reclaims at once anyway.
    std::mem::forget(site);
    println!(
        "built {}{}, {}, {} in {:.2}s into {}{}",
        super::count(report.articles, "article"),
        super::unreviewed_note(report.unreviewed.len()),
        super::count(report.pages, "page"),
        super::count(report.assets, "asset"),
        started.elapsed().as_secs_f64(),
        out.display(),
        warnings_note(report.warnings.len()),
    );
    if let Some(next) = next_change {
        println!(
            "next scheduled change: {} ({} {}); build again then",
            next.at, next.slug, next.change
        );
    }
    Ok(())
}

fn warnings_note(count: usize) -> String {
    match count {
        0 => String::new(),
        1 => " (1 warning)".into(),
        n => format!(" ({n} warnings)"),
    }
}

fn fail<T>(problems: Diagnostics, out: &Path) -> Result<T> {
    let errors = problems.error_count();
    problems.print();
    bail!(
        "build failed with {errors} error{}; {} was left as it was",
        if errors == 1 { "" } else { "s" },
        out.display()
    )
}

/// `-v`: how the page cache was used, then each step's wall time.
pub(super) fn print_timings(
    steps: &[(&'static str, std::time::Duration)],
    cache: &CacheUse,
    search_index: Option<notesite::SearchUse>,
) {
    eprintln!(
        "    page cache: {} routes rendered, {} carried",
        cache.rendered, cache.carried
    );
    let front_matter = &cache.front_matter;
    eprintln!(
        "  front matter: {} from the cache, {} parsed",
        front_matter.cached, front_matter.parsed
    );
    if let Some(search) = search_index {
        eprintln!(
            "  search index: {} articles from the cache, {} indexed; {} of {} files kept",
            search.stored, search.indexed, search.kept, search.files
        );
    }
    for (step, time) in steps {
        eprintln!("{step:>14}: {:.1} ms", time.as_secs_f64() * 1000.0);
    }
}
