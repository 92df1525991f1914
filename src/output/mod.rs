//! Where rendered files go. A build writes into a staging folder beside the
//! output and swaps it in only when every page succeeded, so a failed build
//! leaves the previous site untouched. `check` renders into a sink that
//! writes nothing; the preview, into a spool file it serves from.

mod spool;

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::fsx;

pub(crate) use spool::Spool;
pub use spool::Stored;

pub(crate) enum Sink {
    Staging(Staging),
    /// Renders everything, writes nothing: for `check`.
    Discard,
    /// Appends every file to a spool: for the preview server, which
    /// serves them from there.
    Spool {
        spool: Arc<Spool>,
        files: Mutex<Vec<(String, Stored)>>,
        /// Files already served with exactly these bytes, whose names
        /// say so (the search index's chunks carry their content's
        /// hash): written again, they are left out.
        served: std::collections::HashSet<String>,
    },
}

/// A file a build wrote, as the page cache keeps it: enough to find it
/// unchanged in the output without reading it, and the content hash
/// `publish` compares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Written {
    /// `/`-separated, inside the output.
    pub(crate) path: String,
    /// The first 128 bits of the BLAKE3 hash, written in hex as `publish`
    /// records it.
    #[serde(with = "hex128")]
    pub(crate) hash: u128,
    pub(crate) len: u64,
    /// When the file was written, to the nanosecond: a file edited in the
    /// output since is not carried into the next build.
    pub(crate) modified: (u64, u32),
}

impl Written {
    fn of(path: String, bytes: &[u8], metadata: &std::fs::Metadata) -> Written {
        Written {
            path,
            hash: fsx::hash128(bytes),
            len: metadata.len(),
            modified: modified(metadata),
        }
    }

    /// Whether the file at `path` is still the one this records.
    pub(crate) fn is_at(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.is_file() && m.len() == self.len && modified(&m) == self.modified)
    }
}

/// A 128-bit hash as 32 hex digits, as `blake3`'s hex starts.
mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(hash: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{hash:032x}"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = <&str>::deserialize(d)?;
        u128::from_str_radix(text, 16).map_err(D::Error::custom)
    }
}

/// Seconds and nanoseconds since the epoch; zero where unknown, which no
/// file written since has.
fn modified(metadata: &std::fs::Metadata) -> (u64, u32) {
    let since = (metadata.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    (since.as_secs(), since.subsec_nanos())
}

impl Sink {
    /// Writes `bytes` at `rel` (a `/`-separated path inside the output).
    /// A build's staging also says what it wrote, for the page cache.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<Option<Written>> {
        let rel = safe_relative(rel)?;
        match self {
            Sink::Staging(staging) => staging.write(&rel, bytes),
            Sink::Discard => Ok(None),
            Sink::Spool {
                spool,
                files,
                served,
            } => {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if served.contains(&rel) {
                    return Ok(None);
                }
                let stored = spool
                    .append(bytes)
                    .with_context(|| format!("cannot keep {rel} for the preview"))?;
                let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
                files.push((rel, stored));
                Ok(None)
            }
        }
    }

    pub(crate) fn spool(spool: Arc<Spool>) -> Sink {
        Sink::spool_besides(spool, std::collections::HashSet::new())
    }

    /// A spool sink that leaves out `served`: files the spool already
    /// holds with the bytes their content-hashed names promise.
    pub(crate) fn spool_besides(
        spool: Arc<Spool>,
        served: std::collections::HashSet<String>,
    ) -> Sink {
        Sink::Spool {
            spool,
            files: Mutex::default(),
            served,
        }
    }

    /// What a spool sink wrote, by `/`-separated path.
    pub(crate) fn into_files(self) -> Vec<(String, Stored)> {
        match self {
            Sink::Spool { files, .. } => files.into_inner().unwrap_or_else(|e| e.into_inner()),
            _ => Vec::new(),
        }
    }
}

/// A temp folder beside the output, removed on drop unless committed.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: tempfile::TempDir,
    /// The output folder, with a symlink resolved: a build goes through a
    /// link into the folder it points at and leaves the link itself alone.
    target: PathBuf,
    /// Held for the life of the build: one build at a time per output, so
    /// leftovers of another can be removed without breaking a running one.
    _lock: std::fs::File,
    /// Every file written, for `FILES_WRITTEN`.
    written: Mutex<Vec<String>>,
    /// Whether each write says what it wrote (size, time, hash), for the
    /// page cache; a build without the cache skips the hashing.
    noting: bool,
}

/// Every file a build wrote, sorted: the next build refuses to replace an
/// output holding any other file, which a person must have put there.
/// Like the page index it is read locally and never published.
pub(crate) const FILES_WRITTEN: &str = ".notesite/files.json";

/// Forces the portable swap (the tests use it to check it on Linux too).
pub const PORTABLE_SWAP_ENV: &str = "NOTESITE_PORTABLE_SWAP";

impl Staging {
    /// Prepares a build of `root` into `target`. Because a commit replaces
    /// `target` wholesale, it refuses any target that is not a previous
    /// notesite output: the site itself, a folder holding it, or someone's
    /// unrelated files. Staging folders that killed builds left beside the
    /// output are removed here.
    pub(crate) fn new(target: &Path, root: &Path) -> Result<Staging> {
        let shown = target;
        let target = resolve_path(&resolve_link(target)?)?;
        check_target(shown, &target, root)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        fsx::create_dir_all(parent)?;
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let lock = lock_output(parent, &name, &target)?;
        remove_leftovers(parent, &name)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.staging-"))
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
        interrupt::register(dir.path());
        Ok(Staging {
            dir,
            target,
            _lock: lock,
            written: Mutex::default(),
            noting: false,
        })
    }

    /// This staging with every write noted, for the page cache.
    pub(crate) fn noting(self) -> Staging {
        Staging {
            noting: true,
            ..self
        }
    }

    fn write(&self, rel: &Path, bytes: &[u8]) -> Result<Option<Written>> {
        use std::io::Write;
        let _gate = interrupt::enter()?;
        let name = rel.to_string_lossy().replace('\\', "/");
        self.note(name.clone());
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            fsx::create_dir_all(parent)?;
        }
        let cannot = || format!("cannot write {}", path.display());
        let mut file = std::fs::File::create(&path).with_context(cannot)?;
        file.write_all(bytes).with_context(cannot)?;
        if !self.noting {
            return Ok(None);
        }
        let metadata = file.metadata().with_context(cannot)?;
        Ok(Some(Written::of(name, bytes, &metadata)))
    }

    fn note(&self, name: String) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(name);
    }

    /// Puts the file `written` of the current output into staging
    /// unchanged: a hard link (the same file, its time kept), else a copy
    /// given the same modification time. The caller has checked it with
    /// [`Written::is_at`] and writes no file of the same name.
    pub(crate) fn carry(&self, from: &Path, written: &Written) -> Result<()> {
        let _gate = interrupt::enter()?;
        let rel = safe_relative(&written.path)?;
        let source = from.join(&rel);
        let path = self.dir.path().join(&rel);
        if let Some(parent) = path.parent() {
            fsx::create_dir_all(parent)?;
        }
        self.note(written.path.clone());
        if std::fs::hard_link(&source, &path).is_ok() {
            return Ok(());
        }
        let cannot = || format!("cannot copy {} to {}", source.display(), path.display());
        std::fs::copy(&source, &path).with_context(cannot)?;
        let (secs, nanos) = written.modified;
        let time = std::time::UNIX_EPOCH + std::time::Duration::new(secs, nanos);
        let file = std::fs::File::options().write(true).open(&path);
        file.and_then(|f| f.set_modified(time)).with_context(cannot)
    }

    /// The output folder this staging replaces.
    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// Swaps the staged site in as one atomic step: on Linux the staged
    /// folder and the output trade places (`renameat2` with
    /// `RENAME_EXCHANGE`), so there is never a moment without a complete
    /// output. Elsewhere (or where the file system cannot exchange) the
    /// staged files are moved in one by one, assets first and removals
    /// last, so every moment still has every page with its assets. The old
    /// output, now in the staging folder, is removed afterwards.
    pub(crate) fn commit(self) -> Result<()> {
        let mut written =
            std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        written.push(FILES_WRITTEN.to_string());
        written.sort_unstable();
        written.dedup();
        let list = serde_json::to_vec(&written).expect("a list of names serializes");
        self.write(Path::new(FILES_WRITTEN), &list)?;
        let staged = self.dir.path().to_path_buf();
        let target = &self.target;
        {
            let _gate = interrupt::enter()?;
            if std::fs::symlink_metadata(target).is_err() {
                fsx::rename(&staged, target)?;
                interrupt::unregister(&staged);
                let _ = self.dir.keep();
                return Ok(());
            }
            if !exchange(&staged, target)? {
                merge_into(&staged, target)?;
            }
        }
        // From here the staging folder holds the previous output; dropping
        // it removes it, and an interrupt meanwhile removes it too.
        let dir = self.dir.keep();
        let removed = remove_dir_parallel(&dir)
            .with_context(|| format!("cannot remove the previous output at {}", dir.display()));
        interrupt::unregister(&dir);
        removed
    }
}

/// `public` may be a symlink to the real output folder (on another disk,
/// say); a build then happens in that folder. A dangling link is an error.
fn resolve_link(target: &Path) -> Result<PathBuf> {
    let is_link = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(target.to_path_buf());
    }
    let resolved = target.canonicalize().with_context(|| {
        format!(
            "{} is a symlink to something that does not exist; create that folder or remove the link",
            target.display()
        )
    })?;
    if !resolved.is_dir() {
        bail!(
            "{} is a symlink to {}, which is not a folder; choose another --out",
            target.display(),
            resolved.display()
        );
    }
    Ok(resolved)
}

fn lock_output(parent: &Path, name: &str, target: &Path) -> Result<std::fs::File> {
    let path = parent.join(format!(".{name}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another notesite build is writing {} right now; wait for it to finish",
            target.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Staging folders (and, from older versions, `.old` folders) of builds
/// that were killed before they could clean up. Only names this module
/// makes are touched, and only while holding the output's lock.
fn remove_leftovers(parent: &Path, name: &str) -> Result<()> {
    let prefix = format!(".{name}.staging-");
    for entry in
        std::fs::read_dir(parent).with_context(|| format!("cannot read {}", parent.display()))?
    {
        let entry = entry?;
        let leftover = entry.file_name().to_string_lossy().starts_with(&prefix);
        if leftover && entry.file_type()?.is_dir() {
            remove_dir_parallel(&entry.path()).with_context(|| {
                format!(
                    "cannot remove {}, left by an interrupted build",
                    entry.path().display()
                )
            })?;
        }
    }
    Ok(())
}

/// Trades `staged` and `target` in one step; `false` where this platform or
/// file system cannot.
#[cfg(target_os = "linux")]
fn exchange(staged: &Path, target: &Path) -> Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    if std::env::var_os(PORTABLE_SWAP_ENV).is_some() {
        return Ok(false);
    }
    match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(e) => Err(std::io::Error::from(e))
            .with_context(|| format!("cannot swap {} into {}", staged.display(), target.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_staged: &Path, _target: &Path) -> Result<bool> {
    Ok(false)
}

/// The portable swap: every staged file renamed over its place in
/// `target` (each rename atomic), hashed assets first so no page ever
/// points at a missing one, then files of the old output that the new one
/// lacks removed. Afterwards `staged` holds what is left to delete.
fn merge_into(staged: &Path, target: &Path) -> Result<()> {
    let relative = |root: &Path| -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read {}", root.display()))?;
            if !entry.file_type().is_dir() {
                files.push(
                    entry
                        .path()
                        .strip_prefix(root)
                        .unwrap_or(entry.path())
                        .to_path_buf(),
                );
            }
        }
        // Assets first (pages reference them), then everything else.
        files.sort_by_key(|rel| (!rel.starts_with("assets"), rel.clone()));
        Ok(files)
    };
    let new_files = relative(staged)?;
    // While files move, the output holds some of both builds: its list of
    // files written first names all of them, so a build after a kill
    // mid-merge finds nothing it did not write. The new list goes in last.
    let list = Path::new(FILES_WRITTEN);
    let mut both: Vec<String> = (relative(target)?.iter())
        .chain(&new_files)
        .map(|rel| rel.to_string_lossy().replace('\\', "/"))
        .collect();
    both.sort_unstable();
    both.dedup();
    // Written beside and renamed over, like every other file of the swap.
    let pending = target.join(list).with_extension("json.pending");
    fsx::create_dir_all(&target.join(list).with_file_name(""))?;
    fsx::write(&pending, &serde_json::to_vec(&both)?)?;
    fsx::rename(&pending, &target.join(list))?;
    for rel in new_files.iter().filter(|rel| *rel != list) {
        let to = target.join(rel);
        if let Some(parent) = to.parent() {
            fsx::create_dir_all(parent)?;
        }
        fsx::rename(&staged.join(rel), &to)?;
    }
    let wanted: std::collections::HashSet<&PathBuf> = new_files.iter().collect();
    let mut old_files = relative(target)?;
    old_files.reverse(); // pages before the assets they use
    for rel in old_files.iter().filter(|rel| !wanted.contains(rel)) {
        let from = target.join(rel);
        std::fs::remove_file(&from).with_context(|| format!("cannot remove {}", from.display()))?;
        // Folders the new output no longer has go with their last file.
        let mut dir = rel.parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if std::fs::remove_dir(target.join(d)).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    fsx::rename(&staged.join(list), &target.join(list))
}

/// `shown` is the `--out` as given, for messages; `target` the same folder
/// resolved (see `resolve_path`).
fn check_target(shown: &Path, target: &Path, root: &Path) -> Result<()> {
    let root_abs = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    if root_abs.starts_with(target) {
        bail!(
            "--out {} is {}, which would replace the site itself; choose a folder inside it such as public",
            shown.display(),
            target.display()
        );
    }
    // An output inside a source folder would be read back by the next
    // build: every build would publish the last one's output as assets.
    // A source folder that does not exist yet counts too: the build would
    // make it.
    for source in [
        "static",
        "content",
        "templates",
        crate::root_files::ROOT_DIR,
    ] {
        let lexical = root_abs.join(source);
        let resolved = lexical.canonicalize().unwrap_or_else(|_| lexical.clone());
        if target.starts_with(&lexical) || target.starts_with(&resolved) {
            bail!(
                "--out {} is inside {source}/ ({}), so the next build would read this output back as {source}; \
                 choose a folder outside content/, static/, templates/ and root/",
                shown.display(),
                target.display()
            );
        }
    }
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        bail!(
            "{} exists and is not a folder; choose another --out",
            shown.display()
        );
    }
    let empty = std::fs::read_dir(target)?.next().is_none();
    if !empty && !target.join(crate::assets::MANIFEST_FILE).is_file() {
        bail!(
            "{} is not empty and has no {}, so it is not a notesite output; remove it or choose another --out",
            shown.display(),
            crate::assets::MANIFEST_FILE
        );
    }
    refuse_files_not_written(shown, target)
}

/// A build replaces the whole output, so a file a person put into it would
/// be lost: refused, by name, before anything is written. An output from
/// a version without `FILES_WRITTEN` cannot tell, and is replaced as before.
fn refuse_files_not_written(shown: &Path, target: &Path) -> Result<()> {
    let Ok(list) = std::fs::read(target.join(FILES_WRITTEN)) else {
        return Ok(());
    };
    let written: std::collections::HashSet<String> = serde_json::from_slice(&list)
        .with_context(|| format!("{} is damaged", target.join(FILES_WRITTEN).display()))?;
    let cannot = || format!("cannot read {}", target.display());
    // Each top-level entry walked on its own, in parallel: at 100k
    // articles the output has as many folders at its top.
    let top: Vec<PathBuf> = (std::fs::read_dir(target).with_context(cannot)?)
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(cannot)?;
    let found: Vec<Vec<String>> = (top.par_iter())
        .map(|path| {
            let mut foreign = Vec::new();
            for entry in walkdir::WalkDir::new(path) {
                let entry = entry.with_context(cannot)?;
                if entry.file_type().is_dir() {
                    continue;
                }
                let rel = entry.path().strip_prefix(target).unwrap_or(entry.path());
                let rel = rel.to_string_lossy().replace('\\', "/");
                // `.notesite/` is notesite's own (a killed merge may leave
                // a temp file of the list there); nobody keeps files in it.
                if !written.contains(&rel) && !rel.starts_with(".notesite/") {
                    foreign.push(rel);
                }
            }
            Ok(foreign)
        })
        .collect::<Result<_>>()?;
    let mut foreign = found.concat();
    foreign.sort_unstable();
    if foreign.is_empty() {
        return Ok(());
    }
    let count = foreign.len();
    let more = match count > 5 {
        true => format!(" and {} more", count - 5),
        false => String::new(),
    };
    foreign.truncate(5);
    bail!(
        "{} holds {count} file(s) no build wrote: {}{more}. A build replaces the whole folder, \
         so they would be lost; move them out of it first (a file to publish at the site's \
         root belongs in root/, which every build copies there)",
        shown.display(),
        foreign.join(", ")
    )
}

/// The output as an absolute path the file system agrees with: the
/// nearest existing ancestor resolved (symlinks, `..` after a link), the
/// rest, which `create_dir_all` would make, normalised lexically. Without
/// this `nosuch/../static/gen` passed every check and wrote into static/.
fn resolve_path(target: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(target)
        .with_context(|| format!("cannot resolve {}", target.display()))?;
    let (base, rest) = absolute
        .ancestors()
        .find_map(|a| Some((a.canonicalize().ok()?, absolute.strip_prefix(a).ok()?)))
        .with_context(|| format!("cannot resolve {}", target.display()))?;
    let mut resolved = base;
    for part in rest.components() {
        match part {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => resolved.push(name),
            _ => {}
        }
    }
    Ok(resolved)
}

/// Removing 100k old pages is a noticeable part of a rebuild; the folder's
/// entries are removed in parallel.
fn remove_dir_parallel(dir: &Path) -> std::io::Result<()> {
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

/// What Ctrl-C or SIGTERM does during a build: it waits for the writes and
/// the swap in progress (they hold the gate), removes the staging folder
/// and exits, so an interrupted build leaves the previous output and no
/// 74 MB hidden folder beside it.
mod interrupt {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, RwLock, RwLockReadGuard};

    use anyhow::{Result, bail};

    /// `true` once interrupted; read-held by every write and by the swap.
    static GATE: RwLock<bool> = RwLock::new(false);
    static TO_REMOVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    pub(crate) fn install() -> Result<()> {
        ctrlc::set_handler(|| {
            let mut interrupted = GATE.write().unwrap_or_else(|e| e.into_inner());
            *interrupted = true;
            let paths = std::mem::take(&mut *TO_REMOVE.lock().unwrap_or_else(|e| e.into_inner()));
            for path in paths {
                // The old output may be half removed already; retry over
                // entries that vanish under us.
                for _ in 0..3 {
                    if std::fs::remove_dir_all(&path).is_ok() || !path.exists() {
                        break;
                    }
                }
            }
            eprintln!(
                "interrupted: the staging folder was removed; the output is as it was before or fully updated"
            );
            std::process::exit(130);
        })?;
        Ok(())
    }

    pub(crate) fn enter() -> Result<RwLockReadGuard<'static, bool>> {
        let gate = GATE.read().unwrap_or_else(|e| e.into_inner());
        if *gate {
            bail!("interrupted");
        }
        Ok(gate)
    }

    pub(crate) fn register(path: &Path) {
        TO_REMOVE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_path_buf());
    }

    pub(crate) fn unregister(path: &Path) {
        TO_REMOVE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| p != path);
    }
}

/// Installs the interrupt handler for `build` (once per process).
pub fn clean_up_on_interrupt() -> Result<()> {
    interrupt::install().context("cannot install the Ctrl-C handler")
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
        assert_eq!(entries(tmp.path()), ["public"]);
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
        assert_eq!(entries(tmp.path()), ["public"]);
    }

    /// What a folder holds, the output lock left out.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !name.ends_with(".lock"))
            .collect();
        names.sort();
        names
    }

    fn output_with(dir: &Path, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn portable_swap_moves_assets_first_and_removes_what_left() {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
        output_with(
            &old,
            &[
                ("a/index.html", "a1"),
                ("gone/index.html", "g"),
                ("assets/x.1.css", "1"),
            ],
        );
        output_with(
            &new,
            &[
                ("a/index.html", "a2"),
                ("b/index.html", "b"),
                ("assets/x.2.css", "2"),
                (FILES_WRITTEN, "[\"the new list\"]"),
            ],
        );
        merge_into(&new, &old).unwrap();
        let tree: Vec<String> = walkdir::WalkDir::new(&old)
            .sort_by_file_name()
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&old)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(
            tree,
            [
                "",
                ".notesite",
                ".notesite/files.json",
                "a",
                "a/index.html",
                "assets",
                "assets/x.2.css",
                "b",
                "b/index.html"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(old.join("a/index.html")).unwrap(),
            "a2"
        );
        assert_eq!(
            std::fs::read_to_string(old.join(FILES_WRITTEN)).unwrap(),
            "[\"the new list\"]",
            "the new list goes in last, over the list of both"
        );
    }

    #[test]
    fn leftover_staging_folders_are_removed_by_the_next_build() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        output_with(&out, &[("asset-manifest.json", "{}")]);
        output_with(
            tmp.path(),
            &[
                (".public.staging-abc/x.html", "killed"),
                (".public.staging-def.old/y.html", "old"),
            ],
        );
        output_with(tmp.path(), &[(".other/keep", "not ours")]);
        let staging = Staging::new(&out, tmp.path()).unwrap();
        staging.commit().unwrap();
        assert_eq!(entries(tmp.path()), [".other", "public"]);
    }

    #[test]
    fn a_second_build_of_one_output_is_refused_while_the_first_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Staging::new(&out, tmp.path()).unwrap();
        let second = Staging::new(&out, tmp.path()).unwrap_err().to_string();
        assert!(second.contains("another notesite build"), "{second}");
        assert!(
            first.dir.path().exists(),
            "the running build keeps its staging"
        );
    }
}
