//! Carrying out a plan: the record announces the keys about to be written
//! (so even a killed publish owns what it put there), then uploads stage by
//! stage (each stage finishes before the next starts, so no page goes up
//! before what it references), then the deletions, then the record that
//! marks the publish complete. A plan that changes nothing writes nothing.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use futures_util::{StreamExt, TryStreamExt, stream};

use super::local::LocalFile;
use super::plan::{self, Plan, Upload};
use super::record::Record;
use super::target::Target;
use crate::progress::Progress;

/// Set to N, the publish stops dead after N operations, like a killed CI
/// job: the tests use it to check that every point of a publish is safe.
pub const FAULT_ENV: &str = "NOTESITE_PUBLISH_FAULT_AFTER";

pub(crate) struct Run<'a> {
    target: &'a Target,
    concurrency: usize,
    progress: &'a dyn Progress,
    stop_after: Option<usize>,
    done: AtomicUsize,
}

impl<'a> Run<'a> {
    pub(crate) fn new(target: &'a Target, concurrency: usize, progress: &'a dyn Progress) -> Self {
        let stop_after = std::env::var(FAULT_ENV).ok().and_then(|v| v.parse().ok());
        Run {
            target,
            concurrency: concurrency.max(1),
            progress,
            stop_after,
            done: AtomicUsize::new(0),
        }
    }

    pub(crate) async fn apply(&self, plan: &mut Plan<'_>) -> Result<()> {
        if let Some(announce) = &plan.announce {
            self.target.write_record(announce).await?;
        }
        for stage in plan.uploads.chunk_by(|a, b| a.stage == b.stage) {
            self.upload_stage(stage, &mut plan.record).await?;
        }
        stream::iter(&plan.deletes)
            .map(|key| async move {
                self.target.delete(key).await?;
                self.finished();
                Ok::<_, anyhow::Error>(())
            })
            .buffer_unordered(self.concurrency)
            .try_collect::<Vec<()>>()
            .await?;
        if plan.record_changed {
            self.target.write_record(&plan.record).await?;
        }
        Ok(())
    }

    async fn upload_stage(&self, uploads: &[Upload<'_>], record: &mut Record) -> Result<()> {
        let done: Vec<(&LocalFile, Option<String>)> = stream::iter(uploads)
            .map(|upload| async move {
                let file = upload.file;
                let bytes = tokio::fs::read(&file.path)
                    .await
                    .with_context(|| format!("cannot read {}", file.path.display()))?;
                let e_tag = self
                    .target
                    .put(&file.key, bytes, &file.headers, Some(&file.hash))
                    .await?;
                self.finished();
                Ok::<_, anyhow::Error>((file, e_tag))
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        for (file, e_tag) in done {
            let entry = plan::entry(file, e_tag, record.publish);
            record.objects.insert(file.key.clone(), entry);
        }
        Ok(())
    }

    fn finished(&self) {
        self.progress.inc(1);
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if self.stop_after == Some(done) {
            eprintln!("{FAULT_ENV}={done}: stopping here, as if killed");
            std::process::exit(137);
        }
    }
}
