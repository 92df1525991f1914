//! Where rendered files go. A build writes into a staging folder beside the
//! output and swaps it in only when every page succeeded, so a failed build
//! leaves the previous site untouched. `check` renders into a sink that
//! writes nothing.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use crate::fsx;

pub enum Sink {
    Staging(Staging),
    /// Renders everything, writes nothing: for `check`.
    Discard,
    /// Keeps every file in memory: for the preview server, which serves
    /// them from there.
    Memory(Mutex<Vec<(String, Vec<u8>)>>),
}

impl Sink {
    /// Writes `bytes` at `rel` (a `/`-separated path inside the output).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let rel = safe_relative(rel)?;
        match self {
            Sink::Staging(staging) => staging.write(&rel, bytes),
            Sink::Discard => Ok(()),
            Sink::Memory(files) => {
                let rel = rel.to_string_lossy().replace('\\', "/");
                let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
                files.push((rel, bytes.to_vec()));
                Ok(())
            }
        }
    }

    pub fn memory() -> Sink {
        Sink::Memory(Mutex::default())
    }

    /// What a memory sink holds, by `/`-separated path.
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        match self {
            Sink::Memory(files) => files.into_inner().unwrap_or_else(|e| e.into_inner()),
            _ => Vec::new(),
        }
    }
}

/// A temp folder beside the output, removed on drop unless committed.
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staging {
    /// Prepares a build of `root` into `target`. Because a commit replaces
    /// `target` wholesale, it refuses any target that is not a previous
    /// notesite output: the site itself, a folder holding it, or someone's
    /// unrelated files.
    pub fn new(target: &Path, root: &Path) -> Result<Staging> {
        check_target(target, root)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        fsx::create_dir_all(parent)?;
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.staging-"))
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            fsx::create_dir_all(parent)?;
        }
        fsx::write(&path, bytes)
    }

    /// Swaps the staged site in: the old output is moved aside, the staged
    /// folder renamed into place, and only then the old one removed. If the
    /// second rename fails, the old output is put back.
    pub fn commit(self) -> Result<()> {
        let staged = self.dir.keep();
        let target = &self.target;
        if !target.exists() {
            return fsx::rename(&staged, target);
        }
        let old = staged.with_file_name(format!(
            "{}.old",
            staged.file_name().unwrap_or_default().to_string_lossy()
        ));
        fsx::rename(target, &old)?;
        if let Err(e) = fsx::rename(&staged, target) {
            let _ = std::fs::rename(&old, target);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        remove_dir_parallel(&old)
            .with_context(|| format!("cannot remove the previous output at {}", old.display()))
    }
}

fn check_target(target: &Path, root: &Path) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        bail!(
            "{} exists and is not a folder; choose another --out",
            target.display()
        );
    }
    let target_abs = target
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", target.display()))?;
    let root_abs = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    if root_abs.starts_with(&target_abs) {
        bail!(
            "--out {} would replace the site itself; choose a folder inside it such as public",
            target.display()
        );
    }
    let empty = std::fs::read_dir(&target_abs)?.next().is_none();
    if !empty && !target_abs.join(crate::assets::MANIFEST_FILE).is_file() {
        bail!(
            "{} is not empty and has no {}, so it is not a notesite output; remove it or choose another --out",
            target.display(),
            crate::assets::MANIFEST_FILE
        );
    }
    Ok(())
}

/// Removing 100k old pages is a noticeable part of a rebuild; the folder's
/// entries are removed in parallel.
fn remove_dir_parallel(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.par_iter().try_for_each(|path| {
        if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        }
    })?;
    std::fs::remove_dir(dir)
}

/// Output paths come from slugs and term names; this is the last line of
/// defence that none of them can climb out of the output folder.
fn safe_relative(rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    let ok = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        bail!("refusing to write `{rel}`: it is not a plain path inside the output folder");
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_targets_that_are_not_notesite_output() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(
            Staging::new(tmp.path(), tmp.path())
                .unwrap_err()
                .to_string()
                .contains("replace the site itself")
        );
        let other = tmp.path().join("docs");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("thesis.tex"), "precious").unwrap();
        assert!(
            Staging::new(&other, tmp.path())
                .unwrap_err()
                .to_string()
                .contains("not a notesite output")
        );
        assert!(Staging::new(&tmp.path().join("new"), tmp.path()).is_ok());
    }

    #[test]
    fn paths_cannot_escape() {
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "./a"] {
            assert!(safe_relative(bad).is_err(), "{bad}");
        }
        assert!(safe_relative("post/index.html").is_ok());
    }

    #[test]
    fn dropped_staging_leaves_no_trace_and_commit_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();

        std::fs::write(out.join("asset-manifest.json"), "{}").unwrap();
        let staging = Staging::new(&out, tmp.path()).unwrap();
        Sink::Staging(staging).write("new.html", b"new").unwrap();
        // The sink (and its staging folder) is dropped without commit.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
        assert!(out.join("old.html").exists());
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);

        let staging = Staging::new(&out, tmp.path()).unwrap();
        staging.write(Path::new("new.html"), b"new").unwrap();
        staging.commit().unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("new.html")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
