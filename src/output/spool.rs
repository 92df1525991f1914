//! Where the preview keeps the files it serves: one unnamed temp file,
//! appended to as pages render, read back by position when asked for.
//!
//! At 100k articles the rendered site is about 2 GB; held in memory it
//! was more than half of the preview's peak. A file the operating system
//! caches costs the process nothing, and an unnamed one (`O_TMPFILE` where
//! there is one) vanishes with the process however it ends, so a killed
//! preview leaves nothing behind. Nothing is ever overwritten in place: a
//! page rendered again is appended, so a request reading the old copy
//! while a rebuild runs reads it whole.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The append-only file of served bytes.
#[derive(Debug)]
pub(crate) struct Spool {
    file: File,
    /// The folder it was asked for, for a spool to replace it.
    dir: PathBuf,
    /// The end of the file: every append reserves its range here first,
    /// so parallel renderers write without a lock.
    end: AtomicU64,
}

/// One file's bytes in a spool. Cloning it is cheap; the spool lives as
/// long as any of its files is still served.
#[derive(Debug, Clone)]
pub struct Stored {
    spool: Arc<Spool>,
    offset: u64,
    len: u64,
}

impl Spool {
    /// A new, empty spool in `dir` (the site's `.notesite/`, so the
    /// pages sit on the site's disk and not in a RAM-backed /tmp), or in
    /// the system's temp folder when `dir` cannot take one (a read-only
    /// checkout).
    pub(crate) fn create(dir: &Path) -> io::Result<Arc<Spool>> {
        let file = std::fs::create_dir_all(dir)
            .and_then(|()| tempfile::tempfile_in(dir))
            .or_else(|_| tempfile::tempfile())?;
        Ok(Arc::new(Spool {
            file,
            dir: dir.to_path_buf(),
            end: AtomicU64::new(0),
        }))
    }

    /// A new, empty spool where this one is.
    pub(crate) fn create_beside(&self) -> io::Result<Arc<Spool>> {
        Spool::create(&self.dir)
    }

    /// Appends `bytes`; safe to call from many threads at once.
    pub(crate) fn append(self: &Arc<Self>, bytes: &[u8]) -> io::Result<Stored> {
        let len = bytes.len() as u64;
        let offset = self.end.fetch_add(len, Ordering::Relaxed);
        write_all_at(&self.file, bytes, offset)?;
        Ok(Stored {
            spool: Arc::clone(self),
            offset,
            len,
        })
    }

    /// Bytes appended so far, served or not.
    pub(crate) fn len(&self) -> u64 {
        self.end.load(Ordering::Relaxed)
    }
}

impl Stored {
    /// The file's bytes, read from the spool.
    pub fn bytes(&self) -> io::Result<Vec<u8>> {
        let len = usize::try_from(self.len).map_err(io::Error::other)?;
        let mut bytes = vec![0; len];
        read_exact_at(&self.spool.file, &mut bytes, self.offset)?;
        Ok(bytes)
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The spool these bytes are in.
    pub(crate) fn spool(&self) -> Arc<Spool> {
        Arc::clone(&self.spool)
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
fn read_exact_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, bytes, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        bytes = &mut std::mem::take(&mut bytes)[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_from_many_threads_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::create(dir.path()).unwrap();
        let stored: Vec<(Vec<u8>, Stored)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8u8)
                .map(|t| {
                    let spool = &spool;
                    s.spawn(move || {
                        (0..50usize)
                            .map(|i| {
                                let bytes = vec![t; i * 37 + 1];
                                let at = spool.append(&bytes).unwrap();
                                (bytes, at)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        for (bytes, at) in &stored {
            assert_eq!(&at.bytes().unwrap(), bytes);
        }
        let total: u64 = stored.iter().map(|(b, _)| b.len() as u64).sum();
        assert_eq!(spool.len(), total);
    }

    #[test]
    fn the_spool_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::create(dir.path()).unwrap();
        spool.append(b"<p>page</p>").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
