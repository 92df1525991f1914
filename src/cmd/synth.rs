//! `notesite synth --count N`: a deterministic load-test corpus.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::cli::{SynthArgs, SynthFormat};
use notesite::{CONTENT_DIR, create_dir_all, synth_document, to_export, to_source};

pub(super) fn execute(root: &Path, args: SynthArgs) -> Result<()> {
    let started = Instant::now();
    super::configure_threads(args.jobs)?;
    let (default_dir, extension) = match args.format {
        SynthFormat::Source => (CONTENT_DIR, "md"),
        SynthFormat::Export => ("exports", "txt"),
    };
    let dir = root.join(args.out.as_deref().unwrap_or(Path::new(default_dir)));
    create_dir_all(&dir)?;
    let progress = super::counting_bar("writing", "articles");
    progress.set_length(args.count as u64);
    let bytes = AtomicU64::new(0);
    (0..args.count)
        .into_par_iter()
        .try_for_each(|index| -> Result<()> {
            let doc = synth_document(args.seed, index);
            let text = match args.format {
                SynthFormat::Source => to_source(&doc),
                SynthFormat::Export => to_export(&doc),
            };
            let path = dir.join(format!("{}.{extension}", doc.slug()));
            std::fs::write(&path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
            progress.inc(1);
            Ok(())
        })?;
    progress.finish_and_clear();
    println!(
        "wrote {} articles ({:.1} MB, seed {}) into {} in {:.2}s",
        args.count,
        bytes.into_inner() as f64 / 1e6,
        args.seed,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
