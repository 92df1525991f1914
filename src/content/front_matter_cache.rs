//! The front matter cache: what each article's YAML front matter read as,
//! by a hash of that YAML's text, so a build parses YAML only for front
//! matter it has not seen. YAML parsing was most of the content step (at
//! 100k articles, 5.7 of a warm build's 15.6 s), and front matter is
//! edited far less often than anything else.
//!
//! An entry is a fact about text, not about a build: "this binary reads
//! this YAML as this `RawMeta`". So it needs no fingerprint, is true
//! whatever the build then does, and is kept as soon as the content is
//! read. Only front matter that read without a problem is kept (a
//! problem's message needs the parse), and only when its JSON reads back
//! as the same value (`extra:` may hold YAML that JSON cannot carry, such
//! as a float that is not a number).
//!
//! The cache is a folder of segments, each written whole (a temp file
//! renamed): a header line naming the format and the binary, a line per
//! entry (`<hash> <json>`), and the BLAKE3 of all of that. What a build
//! parses is streamed into a new segment as it is parsed, so neither the
//! first build holds every entry nor an edit rewrites them all. When
//! there are many segments or many entries no article uses any more,
//! the entries still used are written into one and the rest removed. A
//! segment of another binary is not read; a damaged one is ignored with
//! a warning; both are removed then.
//!
//! The segments are read on a thread of their own, while the build walks
//! the content folder (0.3 s at 100k articles, that the walk then hid).

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use anyhow::{Context, Result};

use super::meta::RawMeta;
use crate::fsx::ChecksummedFile;

const DIR: &str = "front-matter";
const SEGMENT_PREFIX: &str = "segment-";
/// Bumped whenever what an entry holds changes meaning.
const FORMAT: u32 = 1;
/// More segments than this are merged into one.
const MAX_SEGMENTS: usize = 8;

/// A BLAKE3 of one front matter's YAML text, cut to 128 bits, written
/// as 32 hex digits (as `publish` records a file's hash).
type Key = u128;

fn key_of(yaml: &str) -> Key {
    crate::fsx::hash128(yaml.as_bytes())
}

/// The cache as a build uses it: the entries of the segments read, which
/// of them this build used, and the segment it writes.
#[derive(Default)]
pub(crate) struct FrontMatterCache {
    /// `None` for `--no-cache`: nothing is looked up or kept.
    dir: Option<PathBuf>,
    /// The first line of every segment this binary reads and writes.
    header: String,
    /// The thread reading the segments, until the first lookup (or the
    /// save) takes what it read into `loaded`.
    loading: Mutex<Option<JoinHandle<Loaded>>>,
    loaded: OnceLock<Loaded>,
    new: Mutex<Option<NewSegment>>,
    /// Set once the new segment could not be written: nothing more is.
    failed: AtomicBool,
    /// Front matter read from the cache, and parsed.
    cached: AtomicUsize,
    parsed: AtomicUsize,
    /// Why the cache was not used or kept, when worth a warning.
    warnings: Mutex<Vec<String>>,
}

/// What the segments in the folder hold.
#[derive(Default)]
struct Loaded {
    segments: Vec<Segment>,
    /// Files of the folder to remove at the next merge: segments of
    /// another binary, damaged ones, temp files of a killed build.
    discard: Vec<PathBuf>,
    known: HashMap<Key, usize>,
    /// Each known entry: its key, its segment and where its JSON is in
    /// the segment's text.
    entries: Vec<(Key, usize, Range<usize>)>,
    used: Vec<AtomicBool>,
    /// The damaged segments, as one warning.
    warning: Option<String>,
}

struct Segment {
    path: PathBuf,
    text: String,
}

impl FrontMatterCache {
    /// No cache: every front matter is parsed and nothing kept.
    pub(crate) fn off() -> FrontMatterCache {
        FrontMatterCache::default()
    }

    /// The cache under the cache folder `dir`, every segment to be read
    /// whole, on a thread of its own. `binary` names the running binary:
    /// only what it wrote is read.
    pub(crate) fn open(dir: &Path, binary: &str) -> FrontMatterCache {
        let dir = dir.join(DIR);
        let header = format!("notesite front matter cache {FORMAT} {binary}\n");
        let reader = {
            let (dir, header) = (dir.clone(), header.clone());
            let thread = std::thread::Builder::new().name("front matter cache".into());
            thread.spawn(move || Loaded::read(&dir, &header))
        };
        let mut cache = FrontMatterCache::default();
        match reader {
            Ok(reader) => cache.loading = Mutex::new(Some(reader)),
            // No thread to be had: read it now.
            Err(_) => cache.loaded = OnceLock::from(Loaded::read(&dir, &header)),
        }
        FrontMatterCache {
            dir: Some(dir),
            header,
            ..cache
        }
    }

    /// What the segments hold, once read.
    fn loaded(&self) -> &Loaded {
        self.loaded.get_or_init(|| {
            let reader = self.loading.lock().expect("no panics while locked").take();
            match reader.map(JoinHandle::join) {
                Some(Ok(loaded)) => loaded,
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => Loaded::default(),
            }
        })
    }

    fn warn(&self, warning: String) {
        self.warnings
            .lock()
            .expect("no panics while locked")
            .push(warning);
    }

    /// What `yaml` read as, if this cache knows it.
    pub(crate) fn get(&self, yaml: &str) -> Option<RawMeta> {
        let loaded = self.loaded();
        if loaded.known.is_empty() {
            return None;
        }
        let index = *loaded.known.get(&key_of(yaml))?;
        let (_, segment, json) = &loaded.entries[index];
        let raw = serde_json::from_str(&loaded.segments[*segment].text[json.clone()]).ok()?;
        loaded.used[index].store(true, Ordering::Relaxed);
        self.cached.fetch_add(1, Ordering::Relaxed);
        Some(raw)
    }

    /// Keeps what `yaml` read as, for the next build: a line of the new
    /// segment, written now.
    pub(crate) fn keep(&self, yaml: &str, raw: &RawMeta) {
        self.parsed.fetch_add(1, Ordering::Relaxed);
        let Some(dir) = &self.dir else {
            return;
        };
        if self.failed.load(Ordering::Relaxed) {
            return;
        }
        let Ok(json) = serde_json::to_string(raw) else {
            return;
        };
        if raw.extra.is_some() && serde_json::from_str::<RawMeta>(&json).ok().as_ref() != Some(raw)
        {
            return;
        }
        let mut new = self.new.lock().expect("no panics while locked");
        if new.is_none() {
            match NewSegment::create(dir, &self.header) {
                Ok(segment) => *new = Some(segment),
                Err(e) => {
                    self.failed.store(true, Ordering::Relaxed);
                    return self.warn(format!("{e:#}"));
                }
            }
        }
        let segment = new.as_mut().expect("created above");
        if let Err(e) = segment.entry(key_of(yaml), &json) {
            *new = None; // nothing of it is kept
            self.failed.store(true, Ordering::Relaxed);
            self.warn(format!("cannot write the front matter cache: {e:#}"));
        }
    }

    /// Puts the new segment in place, and merges the segments when there
    /// are too many or too much in them is no longer used. Returns how
    /// the cache was used, with the warnings of the whole run.
    pub(crate) fn save(self) -> FrontMatterUse {
        let cached = self.cached.load(Ordering::Relaxed);
        let parsed = self.parsed.load(Ordering::Relaxed);
        FrontMatterUse {
            cached,
            parsed,
            warnings: self.merge(),
        }
    }

    fn merge(self) -> Vec<String> {
        self.loaded();
        let mut loaded = self.loaded.into_inner().unwrap_or_default();
        let mut warnings: Vec<String> = loaded.warning.take().into_iter().collect();
        warnings.extend(self.warnings.into_inner().expect("no panics while locked"));
        let Some(dir) = self.dir else {
            return warnings;
        };
        let new = self.new.into_inner().expect("no panics while locked");
        let names = loaded
            .segments
            .iter()
            .map(|s| &s.path)
            .chain(&loaded.discard);
        let mut next = next_number(names);
        let mut segments = loaded.segments.len();
        if let Some(new) = new {
            match new.persist(&dir.join(segment_name(next))) {
                Ok(()) => (next, segments) = (next + 1, segments + 1),
                Err(e) => warnings.push(format!("cannot write the front matter cache: {e:#}")),
            }
        }
        let unused = (loaded.used.iter())
            .filter(|u| !u.load(Ordering::Relaxed))
            .count();
        let few = segments <= MAX_SEGMENTS && unused * 4 <= loaded.entries.len();
        if loaded.discard.is_empty() && few {
            return warnings;
        }
        // The entries still used, into one segment; then the rest goes.
        let text =
            |segment: usize, json: &Range<usize>| &loaded.segments[segment].text[json.clone()];
        let used: Vec<_> = (loaded.entries.iter().zip(&loaded.used))
            .filter(|(_, used)| used.load(Ordering::Relaxed))
            .map(|((key, segment, json), _)| (key, text(*segment, json)))
            .collect();
        let merged = match used.is_empty() {
            true => Ok(()),
            false => NewSegment::create(&dir, &self.header).and_then(|mut merged| {
                for (key, json) in used {
                    merged.entry(*key, json)?;
                }
                merged.persist(&dir.join(segment_name(next)))
            }),
        };
        if let Err(e) = merged {
            warnings.push(format!("cannot merge the front matter cache: {e:#}"));
            return warnings;
        }
        let old = loaded
            .segments
            .iter()
            .map(|s| &s.path)
            .chain(&loaded.discard);
        for path in old {
            if let Err(e) = std::fs::remove_file(path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                warnings.push(format!("cannot remove {}: {e}", path.display()));
            }
        }
        warnings
    }
}

impl Loaded {
    /// Reads every segment in `dir` that starts with `header`.
    fn read(dir: &Path, header: &str) -> Loaded {
        let mut loaded = Loaded::default();
        let Ok(listing) = std::fs::read_dir(dir) else {
            return loaded; // none yet
        };
        let mut paths: Vec<PathBuf> = listing.flatten().map(|e| e.path()).collect();
        paths.sort();
        let mut damaged = Vec::new();
        for path in paths {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if !name.starts_with(SEGMENT_PREFIX) {
                loaded.discard.push(path);
                continue;
            }
            match read_segment(&path, header) {
                Ok(Some(text)) => loaded.add_segment(header.len(), path, text),
                Ok(None) => loaded.discard.push(path),
                Err(e) => {
                    damaged.push(format!("{} ({e:#})", path.display()));
                    loaded.discard.push(path);
                }
            }
        }
        loaded.used = (loaded.entries.iter())
            .map(|_| AtomicBool::new(false))
            .collect();
        loaded.warning = (!damaged.is_empty()).then(|| {
            format!(
                "the front matter cache cannot use {}; reading those articles' front matter again",
                damaged.join(", ")
            )
        });
        loaded
    }

    fn add_segment(&mut self, header: usize, path: PathBuf, text: String) {
        let segment = self.segments.len();
        let mut start = header;
        for line in text[start..].split_inclusive('\n') {
            let hex = &line[..line.find(' ').unwrap_or(0)];
            // A key met again (two sources with the same front matter,
            // parsed at once) is the same entry: counting it twice would
            // count the second as unused and merge for nothing.
            let key = (hex.len() == 32)
                .then(|| Key::from_str_radix(hex, 16).ok())
                .flatten()
                .filter(|key| !self.known.contains_key(key));
            if let Some(key) = key {
                self.known.insert(key, self.entries.len());
                let json = start + hex.len() + 1..start + line.len() - 1;
                self.entries.push((key, segment, json));
            }
            start += line.len();
        }
        self.segments.push(Segment { path, text });
    }
}

/// How a build used the front matter cache.
#[derive(Debug, Default)]
pub struct FrontMatterUse {
    /// Front matter read from the cache, and parsed from YAML (and kept).
    pub cached: usize,
    pub parsed: usize,
    pub warnings: Vec<String>,
}

fn segment_name(number: u64) -> String {
    format!("{SEGMENT_PREFIX}{number:08}")
}

/// One more than the highest segment number in the folder, those to be
/// removed included: a new segment must never take the name of one.
fn next_number<'a>(paths: impl Iterator<Item = &'a PathBuf>) -> u64 {
    let number = |path: &PathBuf| {
        let name = path.file_name()?.to_str()?;
        name.strip_prefix(SEGMENT_PREFIX)?.parse::<u64>().ok()
    };
    paths.filter_map(number).max().map_or(1, |n| n + 1)
}

/// A segment's text without its checksum line: `None` when another
/// binary wrote it; an error when it is damaged or cannot be read.
fn read_segment(path: &Path, header: &str) -> Result<Option<String>> {
    let mut text = std::fs::read_to_string(path).context("cannot read it")?;
    if !text.starts_with(header) {
        return Ok(None);
    }
    let at = text.rfind('\n').unwrap_or(0);
    // Not `update_rayon`: this runs on the reader's own thread, which a
    // rayon worker may be waiting for (`loaded`), and with `--jobs 1`
    // that worker would be the one the hashing waits for.
    let mut hasher = blake3::Hasher::new();
    hasher.update(&text.as_bytes()[..at + 1]);
    if hasher.finalize().to_hex().as_str() != &text[at + 1..] {
        anyhow::bail!("it fails its checksum: cut short or changed");
    }
    text.truncate(at + 1);
    Ok(Some(text))
}

/// A segment being written: a temp file in the cache folder, renamed to
/// its name once whole, ending in its checksum in hex.
struct NewSegment(ChecksummedFile);

impl NewSegment {
    fn create(dir: &Path, header: &str) -> Result<NewSegment> {
        let mut out = ChecksummedFile::create(dir)?;
        let cannot = || format!("cannot write the front matter cache in {}", dir.display());
        out.write_all(header.as_bytes()).with_context(cannot)?;
        Ok(NewSegment(out))
    }

    fn entry(&mut self, key: Key, json: &str) -> std::io::Result<()> {
        writeln!(self.0, "{key:032x} {json}")
    }

    fn persist(self, to: &Path) -> Result<()> {
        self.0.persist(to, |sum| sum.to_hex().as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{article_skeleton, front_matter_of};

    /// Every front matter of the example site, of a new article and of
    /// `synth` reads back from its JSON as the same `RawMeta`: what `get`
    /// returns is what parsing would.
    #[test]
    fn the_example_sites_front_matter_reads_back_from_json_the_same() {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut texts: Vec<String> = (std::fs::read_dir(content).unwrap())
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.push(article_skeleton("a title", "2026-11-30"));
        let metas = texts
            .iter()
            .map(|text| front_matter_of(text).expect("it reads"));
        let synth = (0..50).map(|i| crate::synth::document(7, i).meta);
        for raw in metas.chain(synth) {
            let json = serde_json::to_string(&raw).unwrap();
            assert_eq!(serde_json::from_str::<RawMeta>(&json).unwrap(), raw);
        }
    }
}
