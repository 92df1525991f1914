//! File-system calls wrapped once so every error names the path it was about.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// A file written whole or not at all that ends in the BLAKE3 of what
/// came before: the cache files. It is written into a temp file beside
/// its place, hashed in the same pass, and renamed into place by
/// [`ChecksummedFile::persist`]; dropped before, it leaves nothing.
pub(crate) struct ChecksummedFile {
    tmp: tempfile::NamedTempFile,
    /// Buffered before the hashing, so the hash takes whole blocks rather
    /// than the few bytes of each write.
    out: std::io::BufWriter<Hashing>,
}

struct Hashing {
    file: fs::File,
    hasher: blake3::Hasher,
}

impl std::io::Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl ChecksummedFile {
    /// A new file in `dir`, made if missing.
    pub(crate) fn create(dir: &Path) -> Result<ChecksummedFile> {
        create_dir_all(dir)?;
        let cannot = || format!("cannot write a file in {}", dir.display());
        let tmp = tempfile::NamedTempFile::new_in(dir).with_context(cannot)?;
        let file = tmp.as_file().try_clone().with_context(cannot)?;
        let hashing = Hashing {
            file,
            hasher: blake3::Hasher::new(),
        };
        Ok(ChecksummedFile {
            tmp,
            out: std::io::BufWriter::with_capacity(1 << 16, hashing),
        })
    }

    /// Ends the file with `end(checksum)` (not itself hashed) and puts it
    /// at `to`, in place of any file there.
    pub(crate) fn persist(
        self,
        to: &Path,
        end: impl FnOnce(blake3::Hash) -> Vec<u8>,
    ) -> Result<()> {
        use std::io::Write;
        let cannot = || format!("cannot write {}", to.display());
        let out = self.out.into_inner().map_err(|e| e.into_error());
        let mut hashing = out.with_context(cannot)?;
        let sum = hashing.hasher.finalize();
        hashing.file.write_all(&end(sum)).with_context(cannot)?;
        self.tmp.persist(to).with_context(cannot)?;
        Ok(())
    }
}

/// What a [`ChecksummedFile`] ended in its checksum's 32 bytes holds,
/// if the checksum holds: `None` for a file cut short or changed.
pub(crate) fn checked_content(bytes: &[u8]) -> Option<&[u8]> {
    let (content, sum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_rayon(content);
    (hasher.finalize().as_bytes() == sum).then_some(content)
}

impl std::io::Write for ChecksummedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The first 128 bits of the BLAKE3 of `bytes`: the content hash the
/// page cache and `publish` record, and the front matter cache's key.
pub(crate) fn hash128(bytes: &[u8]) -> u128 {
    let first = blake3::hash(bytes).as_bytes()[..16]
        .try_into()
        .expect("16 of 32 bytes");
    u128::from_be_bytes(first)
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).with_context(|| format!("cannot create folder {}", path.display()))
}

pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to)
        .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))
}

/// Writes a file so that readers see either the old or the new content, never
/// half of it: a temp file in the same folder, then a rename over the target.
pub fn write_atomic(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    // A temp file is made 0600; the file it becomes is an ordinary one,
    // readable as `fs::write` would make it (0666 less the umask).
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temp file in {}", dir.display()))?;
    tmp.write_all(bytes.as_ref())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Files and folders whose name starts with `.` (editor lock and swap files,
/// `.DS_Store`, `.git`) are never content, templates or assets.
pub fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
}

/// The same rule for a relative path: hidden if any part of it is.
pub(crate) fn is_hidden_path(rel: &Path) -> bool {
    rel.components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// The one rule for symlinks, applied by every read of site files (a full
/// build, the preview's rebuild of one file, templates, static files):
/// `path` must resolve to somewhere inside `root` (already canonical).
pub(crate) fn check_inside(root: &Path, path: &Path) -> Result<(), String> {
    let target = fs::canonicalize(path);
    if target.as_ref().is_ok_and(|t| t.starts_with(root)) {
        return Ok(());
    }
    let shown = target.map_or_else(|e| e.to_string(), |t| t.display().to_string());
    Err(format!(
        "a symlink to {shown}, outside the site; copy what it points to into the site instead"
    ))
}

/// Every file under `dir` (inside `root`), sorted by path, hidden ones left
/// out, and what went wrong on the way. Symlinks are followed only while
/// they stay inside `root`: one pointing elsewhere would publish a file from
/// somewhere else on the machine, so it is a problem instead.
pub(crate) fn walk_files(
    root: &Path,
    dir: &Path,
) -> (Vec<std::path::PathBuf>, Vec<(std::path::PathBuf, String)>) {
    walk(root, dir, false)
}

/// The problems of a walk as errors, each at its path relative to `root`.
pub(crate) fn walk_errors(
    root: &Path,
    problems: Vec<(std::path::PathBuf, String)>,
) -> Vec<crate::diag::Diagnostic> {
    problems
        .into_iter()
        .map(|(path, message)| {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            crate::diag::Diagnostic::error(rel, None, message)
        })
        .collect()
}

/// `walk_files` with hidden files and folders too: `root/` publishes
/// `.well-known/` as it is.
pub(crate) fn walk_all_files(
    root: &Path,
    dir: &Path,
) -> (Vec<std::path::PathBuf>, Vec<(std::path::PathBuf, String)>) {
    walk(root, dir, true)
}

fn walk(
    root: &Path,
    dir: &Path,
    hidden_too: bool,
) -> (Vec<std::path::PathBuf>, Vec<(std::path::PathBuf, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // Sorted once at the end, not by walkdir: its `sort_by_file_name`
    // takes each entry's name apart from its path at every comparison, as
    // comparing `Path`s does, 0.4 s on the main thread for 100k articles
    // in one folder. The order is the same (see `path_order`).
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| hidden_too || !is_hidden(e));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                problems.push((path, e.to_string()));
                continue;
            }
        };
        if entry.path_is_symlink()
            && let Err(message) = check_inside(&root, entry.path())
        {
            problems.push((entry.path().to_path_buf(), message));
            continue;
        }
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    files.sort_by_cached_key(|path| path_order(path));
    problems.sort_by_cached_key(|(path, _)| path_order(path));
    (files, problems)
}

/// A key whose byte order is the order of paths, component by component
/// (`Path`'s `Ord` for the clean paths a walk makes), and so the order of a
/// walk that visits each folder's entries by name: each `/` becomes a
/// byte below any a name can hold, so `a/b` comes before `a.md` as the
/// folder `a` comes before the file `a.md`.
pub(crate) fn path_order(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    bytes
        .iter()
        .map(|&b| if b == b'/' { 0 } else { b })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Sorting by `path_order` gives `Path`'s order, which is the order a
    /// walk by name makes: a folder's files before a file whose name
    /// extends the folder's, names compared as bytes.
    #[test]
    fn paths_sort_by_their_key_as_they_sort_as_paths() {
        let names = [
            "content/a.md",
            "content/a/b.md",
            "content/a-b.md",
            "content/a/b/c.md",
            "content/a.b/c.md",
            "content/ab.md",
            "content/A.md",
            "content/a/a.md",
            "content/é.md",
            "content/z/a.md",
            "content/z.md",
            "content/a!.md",
        ];
        let mut by_path: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut by_key = by_path.clone();
        by_key.reverse();
        by_path.sort();
        by_key.sort_by_cached_key(|p| path_order(p));
        assert_eq!(by_key, by_path);
    }
}
