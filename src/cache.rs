//! The page cache: what the last build wrote, route by route, with the
//! fingerprint of everything each route's files were made of. A build
//! with a warm cache renders only the routes whose fingerprint moved and
//! carries every other file from the current output (a hard link, so the
//! swap stays atomic), and its output is byte for byte a cold build's.
//!
//! What a fingerprint covers is in two parts:
//! - the *design key*, shared by every page: this binary, every template
//!   and the site-wide context they get (menu, taxonomies, `site.yaml`'s
//!   values), `site.yaml` itself, the static and root files, and the
//!   flags that choose the articles (`--drafts`, `--future`, `--expired`,
//!   `--base-url`). A cache with another key is not used at all;
//! - each route's own fingerprint (see `incremental`): its source, its
//!   list and term membership, pagination, Similar Posts, the pages a
//!   linking body can reach. *Now* counts through which articles are
//!   shown, which moves the fingerprints of every page that lists them.
//!
//! Only exact matches are used. A carried file must also still be in the
//! output as it was written (same size and modification time), so a file
//! edited or removed by hand is rendered again, not trusted. A cache that
//! fails its checksum or comes from another binary is ignored with one
//! warning and written anew.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::content::FrontMatterUse;
use crate::diag::Diagnostics;
use crate::incremental::{self, Fingerprints};
use crate::output::{Sink, Staging, Written};
use crate::page_kind::PageKind;
use crate::progress::Progress;
use crate::render::{Carried, Job, Pages, Renderer, Report, RouteRecord};
use crate::site::{LoadOptions, Site, Target};

/// Where the cache is kept, under the site root unless `--cache-dir`.
pub(crate) const DEFAULT_DIR: &str = ".notesite/cache";
const FILE: &str = "pages";
/// Where notesite kept it before, as JSON: found, it is a cache of another
/// binary (warned of once, and removed when the new one is written).
const LEGACY_FILE: &str = "pages.json";
/// Bumped whenever what the cache holds changes meaning: 2 is the binary
/// form.
const FORMAT: u32 = 2;

/// The cache a build reads and writes: a folder, or none (`--no-cache`).
#[derive(Debug, Clone)]
pub enum CacheDir {
    At(PathBuf),
    Off,
}

impl CacheDir {
    /// `--cache-dir`, else the default folder under `root`.
    pub fn of(root: &Path, dir: Option<PathBuf>, off: bool) -> CacheDir {
        match (off, dir) {
            (true, _) => CacheDir::Off,
            (false, Some(dir)) => CacheDir::At(dir),
            (false, None) => CacheDir::At(root.join(DEFAULT_DIR)),
        }
    }

    /// What a load takes from the last build and keeps for the next:
    /// nothing with `--no-cache`.
    pub(crate) fn kept(&self) -> crate::site::Kept {
        match self {
            CacheDir::At(dir) => crate::site::Kept {
                front_matter: crate::content::FrontMatterCache::open(dir, &binary_hash()),
                similar: Some(crate::related::Store::new(dir, &binary_hash())),
            },
            CacheDir::Off => crate::site::Kept::default(),
        }
    }

    fn file(&self) -> Option<PathBuf> {
        match self {
            CacheDir::At(dir) => Some(dir.join(FILE)),
            CacheDir::Off => None,
        }
    }
}

/// Sets of route paths and slugs, by the hundred thousand on every warm
/// build: std's SipHash was 0.2 s of CPU at 100k articles. Never iterated
/// into an output.
type FastSet<T> = HashSet<T, ahash::RandomState>;

/// What the cache file holds: a header line with the format and the
/// binary, then the rest in bincode (at 100k articles, 72 MB of JSON took
/// 0.28 s to read and 0.16 s to write on every build), then the BLAKE3 of
/// both. Only the binary that wrote it reads the bincode: it has no
/// schema, and the header says whose it is before it is read.
#[derive(Default, Serialize, Deserialize)]
struct Record {
    #[serde(skip)]
    format: u32,
    /// A hash of the binary that wrote it.
    #[serde(skip)]
    binary: String,
    /// The design key (see the module comment).
    key: String,
    /// The output folder it describes.
    output: PathBuf,
    /// By route path.
    routes: BTreeMap<String, Entry>,
    /// The assets, root files, manifest and `_headers`.
    site_files: Vec<Written>,
    /// Slugs of the articles whose bodies link inside the site.
    linking: Vec<String>,
    anchors: crate::anchors::Kept,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    print: u64,
    record: RouteRecord,
}

/// What a build with a cache says besides its report.
#[derive(Debug, Default)]
pub struct CacheUse {
    /// Routes rendered, and routes whose files were carried unchanged.
    pub rendered: usize,
    pub carried: usize,
    /// Why a cache was not used or kept, when that is worth a warning.
    pub warnings: Vec<String>,
    /// How the front matter cache was used.
    pub front_matter: FrontMatterUse,
}

impl CacheUse {
    /// Adds how the load used the front matter cache; its warnings come
    /// first, as the load came first.
    pub(crate) fn add_front_matter(&mut self, mut front_matter: FrontMatterUse) {
        (self.warnings).splice(0..0, std::mem::take(&mut front_matter.warnings));
        self.front_matter = front_matter;
    }

    /// A page cache that cannot be written is a warning: the output is
    /// whole without it, and the next build renders every page.
    pub(crate) fn add_cache_write(&mut self, written: Result<()>) {
        if let Err(e) = written {
            (self.warnings).push(format!("cannot write the page cache: {e:#}"));
        }
    }
}

/// What a render with the cache is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `build`: the output replaces the last one, so unchanged files are
    /// carried from it (and must still be there as written).
    Build,
    /// `publish --build`: no last output is needed. Unchanged routes are
    /// not rendered at all; publish knows their files by the cache's
    /// hashes, and the bucket already holds them. The page index is
    /// always rendered, for publish's redirects.
    Publish,
}

/// A render with the cache: the report, the cache to write once the
/// output is in place, how it was used, and (for `Mode::Publish`) the
/// files of the routes not rendered.
pub(crate) struct Rendered {
    pub(crate) report: Report,
    pub(crate) pending: Pending,
    pub(crate) usage: CacheUse,
    pub(crate) known: Vec<Written>,
}

/// Renders `site` into the staging `sink`, using and then replacing the
/// cache in `dir`. The cache is written only after `commit` swapped the
/// output in, so it never describes an output that is not there.
pub(crate) fn render(
    site: &Site,
    options: &LoadOptions,
    dir: &CacheDir,
    sink: &Sink,
    mode: Mode,
    progress: &dyn Progress,
) -> Result<Rendered, Diagnostics> {
    let Sink::Staging(staging) = sink else {
        unreachable!("a build with a cache writes to staging")
    };
    let Some(file) = dir.file() else {
        // --no-cache: no fingerprints, no hash of the binary.
        return Ok(Rendered {
            report: Renderer::new(site).render(sink, progress)?,
            pending: Pending {
                file: None,
                record: None,
            },
            usage: CacheUse {
                rendered: site.routes().len(),
                ..CacheUse::default()
            },
            known: Vec::new(),
        });
    };
    let mut timings = crate::site::Timings::default();
    let binary = binary_hash();
    let key = timings.step("design key", || design_key(site, options));
    let output = staging.target().to_path_buf();
    let mut usage = CacheUse::default();
    let last = {
        match timings.step("cache read", || read(&file)) {
            Ok(None) => None,
            Ok(Some(last)) if last.format != FORMAT || last.binary != binary => {
                usage.warnings.push(format!(
                    "the page cache at {} was written by another notesite binary; \
                     building every page and writing it anew",
                    file.display()
                ));
                None
            }
            // A publish needs no last output; a build carries from it.
            Ok(Some(last)) => (last.key == key && (mode == Mode::Publish || last.output == output))
                .then_some(last),
            Err(e) => {
                usage.warnings.push(format!(
                    "the page cache at {} cannot be used ({e:#}); building every page and writing it anew",
                    file.display()
                ));
                None
            }
        }
    };
    let routes = site.routes();
    let was_warm = last.is_some();
    let (mut report, prints, mut entries) = match last {
        None => {
            let store = search_store(site, &file);
            let renderer = Renderer::new(site).with_search_store(&store);
            let report = renderer.render(sink, progress)?;
            usage.rendered = routes.len();
            let linking: FastSet<String> = report.linking.iter().cloned().collect();
            let prints = timings.step("fingerprints", || incremental::fingerprints(site, &linking));
            (report, prints, BTreeMap::new())
        }
        Some(last) => {
            let job = WarmJob {
                search: search_store(site, &file),
                site,
                staging,
                sink,
                mode,
                progress,
            };
            warm(&job, last, &mut usage, &mut timings)?
        }
    };
    report.timings.steps.extend(timings.steps);
    for (path, record) in std::mem::take(&mut report.records) {
        let print = prints.get(&path).copied().unwrap_or(0);
        entries.insert(path, Entry { print, record });
    }
    // Every file of the site, for publish to take those not at hand in
    // the output by the cache's hashes: the carried routes' and the
    // search index files a rendered route kept from the last build.
    let known = match (was_warm, mode) {
        (true, Mode::Publish) => (entries.values())
            .flat_map(|e| e.record.written.iter().cloned())
            .chain(report.site_files.iter().cloned())
            .collect(),
        _ => Vec::new(),
    };
    let pending = Pending {
        file: Some(file),
        record: Some(Record {
            format: FORMAT,
            binary,
            key,
            output,
            routes: entries,
            site_files: report.site_files.clone(),
            linking: report.linking.clone(),
            anchors: std::mem::take(&mut report.anchors).into(),
        }),
    };
    Ok(Rendered {
        report,
        pending,
        usage,
        known,
    })
}

/// What a warm render works with.
struct WarmJob<'a> {
    site: &'a Site,
    staging: &'a Staging,
    sink: &'a Sink,
    mode: Mode,
    progress: &'a dyn Progress,
    /// Where the search index's postings are kept.
    search: crate::search::Store,
}

/// A warm build: the routes whose fingerprint or files moved render, the
/// rest are carried. Returns the report, the fingerprints and the cache
/// entries of the carried routes.
fn warm(
    job: &WarmJob,
    mut last: Record,
    usage: &mut CacheUse,
    t: &mut crate::site::Timings,
) -> Result<(Report, Fingerprints, BTreeMap<String, Entry>), Diagnostics> {
    let WarmJob {
        site,
        staging,
        sink,
        mode,
        progress,
        ref search,
    } = *job;
    let output = last.output.clone();
    let linking: FastSet<String> = last.linking.iter().cloned().collect();
    let prints = t.step("fingerprints", || incremental::fingerprints(site, &linking));
    let routes = site.routes();
    let unchanged = |path: &str| {
        let entry = last.routes.get(path)?;
        let there = |w: &Written| mode == Mode::Publish || w.is_at(&output.join(&w.path));
        let same = entry.print == prints.get(path).copied().unwrap_or(0)
            && entry.record.written.iter().all(there);
        same.then_some(())
    };
    let carried_paths: FastSet<&str> = t.step("output check", || {
        (routes.par_iter())
            .filter(|route| unchanged(&route.path).is_some())
            .filter(|route| mode == Mode::Build || !matches!(route.target, Target::PageIndex))
            .map(|route| route.path.as_str())
            .collect()
    });
    let render: HashSet<String> = (routes.iter())
        .filter(|route| !carried_paths.contains(route.path.as_str()))
        .map(|route| route.path.clone())
        .collect();
    // Split in one pass, each side built from sorted keys: a remove and
    // an insert per carried route took 0.6 s of the main thread at 100k.
    let (entries, rest): (Vec<_>, Vec<_>) = (std::mem::take(&mut last.routes).into_iter())
        .partition(|(path, _)| carried_paths.contains(path.as_str()));
    let entries: BTreeMap<String, Entry> = entries.into_iter().collect();
    last.routes = rest.into_iter().collect();
    // What is left of the last build is rendered again or gone.
    let removed = (last.routes.keys())
        .filter(|path| !render.contains(*path))
        .map(|dir| site.url(dir))
        .collect();
    let carried = Carried {
        render,
        anchors: std::mem::take(&mut last.anchors).into(),
        removed,
        warnings: (entries.values())
            .flat_map(|e| e.record.warnings.iter().cloned())
            .collect(),
    };
    let reuse = search_reuse(&last, mode);
    let renderer = Renderer::new(site)
        .with_search_store(search)
        .with_search_reuse(&reuse);
    let search = crate::search::Memory::default();
    let mut report = renderer.render_pages(&Job {
        sink,
        progress,
        pages: &Pages::Warm(&carried),
        search: &search,
    })?;
    usage.rendered = carried.render.len();
    usage.carried = entries.len();
    report.site_files = match mode {
        Mode::Build => t.step("carry", || {
            let site_files = carry_site_files(&renderer, &last, staging, sink)?;
            carry_files(staging, &output, &entries, &report)?;
            Ok::<_, Diagnostics>(site_files)
        })?,
        Mode::Publish if last.site_files.is_empty() => {
            renderer.write_site_files(sink).map_err(Diagnostics::from)?
        }
        Mode::Publish => std::mem::take(&mut last.site_files),
    };
    // Articles carried keep their place among those that link; articles
    // rendered have theirs from the render, and articles gone have none.
    let slugs: FastSet<&str> = site.articles.iter().map(|a| a.slug.as_str()).collect();
    let mut linking_now: Vec<String> = (last.linking.into_iter())
        .filter(|slug| slugs.contains(slug.as_str()))
        .filter(|slug| !carried.render.contains(&format!("{slug}/")))
        .collect();
    linking_now.extend(std::mem::take(&mut report.linking));
    linking_now.sort_unstable();
    linking_now.dedup();
    let moved = linking_now.iter().cloned().collect::<FastSet<_>>() != linking;
    report.linking = linking_now;
    let prints = if moved {
        let linking: FastSet<String> = report.linking.iter().cloned().collect();
        incremental::fingerprints(site, &linking)
    } else {
        prints
    };
    Ok((report, prints, entries))
}

/// The files the last build's search index wrote, that this one may keep
/// where it would write them again: in a build, those still as written in
/// the output; for `publish --build`, all (the target holds them, and
/// publish checks it does).
fn search_reuse(last: &Record, mode: Mode) -> crate::search::Reuse {
    let path = PageKind::SearchIndex
        .fixed_path()
        .expect("the index has a fixed path");
    let written = (last.routes.get(path)).map_or(&[][..], |entry| &entry.record.written);
    let files = (written.par_iter())
        .filter(|w| mode == Mode::Publish || w.is_at(&last.output.join(&w.path)))
        .map(|w| (w.path.clone(), w.clone()))
        .collect::<Vec<_>>();
    crate::search::Reuse {
        files: files.into_iter().collect(),
        from: (mode == Mode::Build).then(|| last.output.clone()),
    }
}

/// The assets and root files: carried when every one is as it was
/// written, else written again.
fn carry_site_files(
    renderer: &Renderer,
    last: &Record,
    staging: &Staging,
    sink: &Sink,
) -> Result<Vec<Written>, Diagnostics> {
    let all_there = !last.site_files.is_empty()
        && (last.site_files.par_iter()).all(|w| w.is_at(&last.output.join(&w.path)));
    if !all_there {
        return renderer.write_site_files(sink).map_err(Diagnostics::from);
    }
    (last.site_files.par_iter())
        .try_for_each(|w| staging.carry(&last.output, w))
        .map_err(output_problem)?;
    Ok(last.site_files.clone())
}

/// Every file of the carried routes, but any the render just wrote.
fn carry_files(
    staging: &Staging,
    output: &Path,
    entries: &BTreeMap<String, Entry>,
    report: &Report,
) -> Result<(), Diagnostics> {
    let fresh: HashSet<&str> = (report.records.iter())
        .flat_map(|(_, r)| r.written.iter().map(|w| w.path.as_str()))
        .collect();
    let files: Vec<&Written> = (entries.values())
        .flat_map(|e| e.record.written.iter())
        .filter(|w| !fresh.contains(w.path.as_str()))
        .collect();
    (files.par_iter())
        .try_for_each(|w| staging.carry(output, w))
        .map_err(output_problem)
}

fn output_problem(e: anyhow::Error) -> Diagnostics {
    Diagnostics::from(vec![crate::diag::Diagnostic::error(
        "<output>",
        None,
        format!("{e:#}"),
    )])
}

/// The cache to write once the output is in place.
pub(crate) struct Pending {
    file: Option<PathBuf>,
    record: Option<Record>,
}

impl Pending {
    /// Writes the cache file whole or not at all (a temp file renamed
    /// over it): a build killed here leaves the last cache, whose
    /// fingerprints and file times then name what to render again.
    pub(crate) fn write(self) -> Result<()> {
        let (Some(file), Some(record)) = (self.file, self.record) else {
            return Ok(());
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        let cannot = || format!("cannot write {}", file.display());
        // Streamed: at 100k articles it is tens of MB that a build at its
        // peak need not hold a second time.
        let mut out = crate::fsx::ChecksummedFile::create(dir)?;
        use std::io::Write;
        (out.write_all(header(record.format, &record.binary).as_bytes())).with_context(cannot)?;
        bincode::serialize_into(&mut out, &record).with_context(cannot)?;
        out.persist(&file, |sum| sum.as_bytes().to_vec())?;
        let _ = std::fs::remove_file(dir.join(LEGACY_FILE));
        Ok(())
    }
}

/// The files the cache says were written into `out`, by path; empty when
/// there is no usable cache or it describes another output. Each is to
/// be trusted only while it is still as recorded (`Written::is_at`).
pub(crate) fn known_files(dir: &CacheDir, out: &Path) -> HashMap<String, Written> {
    let record = dir.file().and_then(|file| read(&file).ok().flatten());
    let output = std::fs::canonicalize(out).ok();
    let Some(record) = record.filter(|r| Some(&r.output) == output.as_ref()) else {
        return HashMap::new();
    };
    (record.routes.into_values())
        .flat_map(|entry| entry.record.written)
        .chain(record.site_files)
        .map(|written| (written.path.clone(), written))
        .collect()
}

/// The cache at `file`: `None` when there is none; an error when it is
/// damaged (it fails its own checksum or does not parse).
/// A cache of another format or binary comes back with only those two
/// fields, for the caller to say so.
fn read(file: &Path) -> Result<Option<Record>> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let legacy = file.with_file_name(LEGACY_FILE);
            return Ok(legacy.is_file().then(|| Record {
                format: 1,
                ..Record::default()
            }));
        }
        Err(e) => return Err(e).context("cannot read it"),
    };
    let content = crate::fsx::checked_content(&bytes)
        .context("it fails its checksum: cut short or changed")?;
    let newline = content.iter().position(|&b| b == b'\n');
    let (head, body) = content.split_at(newline.map_or(0, |at| at + 1));
    let head = std::str::from_utf8(head).context("it has no header")?;
    let mut words = head.trim_end().rsplitn(3, ' ');
    let (binary, format) = (words.next(), words.next().and_then(|f| f.parse().ok()));
    let (Some(binary), Some(format)) = (binary, format) else {
        anyhow::bail!("it has no header");
    };
    if head != header(format, binary) || format != FORMAT || binary != binary_hash() {
        let binary = binary.to_string();
        return Ok(Some(Record {
            format,
            binary,
            ..Record::default()
        }));
    }
    let mut record: Record = bincode::deserialize(body).context("it does not parse")?;
    (record.format, record.binary) = (format, binary.to_string());
    Ok(Some(record))
}

/// The cache file's first line.
fn header(format: u32, binary: &str) -> String {
    format!("notesite page cache {format} {binary}\n")
}

/// Where the search index's postings are kept, in the folder of the
/// cache `file`: for this binary and these field weights.
fn search_store(site: &Site, file: &Path) -> crate::search::Store {
    let dir = file.parent().unwrap_or(Path::new("."));
    let weights = format!("{:?}", site.config.search.weights);
    crate::search::Store::new(dir, &binary_hash(), &weights)
}

/// A hash of the running binary: any other build of notesite, even of the
/// same version, may render differently. Hashed once per process.
fn binary_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(hash_this_binary).clone()
}

fn hash_this_binary() -> String {
    match std::env::current_exe().and_then(|exe| hash_file(&exe)) {
        Ok(hash) => hash,
        // Unreadable: a key no cache has, so nothing is trusted.
        Err(_) => format!("unknown-{}", std::process::id()),
    }
}

/// The BLAKE3 of a file, read a part at a time and each part hashed in
/// parallel. The binary is about 100 MB with its debug info: read whole,
/// it was the peak memory of a 10k build.
fn hash_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut part = vec![0; 8 << 20];
    loop {
        match file.read(&mut part) {
            Ok(0) => return Ok(hasher.finalize().to_hex().to_string()),
            Ok(n) => {
                hasher.update_rayon(&part[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// See the module comment.
fn design_key(site: &Site, options: &LoadOptions) -> String {
    let mut h = blake3::Hasher::new();
    let mut part = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(&site.templates.design());
    part(&site.config.text_hash);
    part(options.base_url.as_deref().unwrap_or("").as_bytes());
    let v = &options.visibility;
    part(&[v.drafts as u8, v.future as u8, v.expired as u8]);
    part(site.assets.manifest_json().as_bytes());
    for file in site.root_files.iter() {
        part(file.output.as_bytes());
        part(blake3::hash(&file.bytes).as_bytes());
        part(&[site.writes_root_file(&file.output) as u8]);
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_at(root: &Path) -> (Site, LoadOptions) {
        let options = LoadOptions {
            root: root.to_path_buf(),
            visibility: crate::schedule::Visibility::at(crate::schedule::now(None).unwrap()),
            base_url: None,
        };
        (Site::load(&options).expect("the site loads"), options)
    }

    #[test]
    fn a_file_hashed_in_parts_has_the_hash_of_all_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let bytes: Vec<u8> = (0..(8 << 20) * 2 + 12_345)
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let whole = blake3::hash(&bytes).to_hex().to_string();
        assert_eq!(hash_file(&path).unwrap(), whole);
        assert!(hash_file(&dir.path().join("missing")).is_err());
    }

    /// An editor saving site.yaml while a build runs: the cache written
    /// must describe the settings the pages were rendered with, or the
    /// next build (with the new settings) would carry pages made with the
    /// old ones.
    #[test]
    fn the_key_is_of_the_site_yaml_the_build_read_not_of_the_file_now() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("site.yaml"), "title: first\n").unwrap();
        let (first, options) = site_at(root);
        let key = design_key(&first, &options);
        std::fs::write(root.join("site.yaml"), "title: second\n").unwrap();
        assert_eq!(design_key(&first, &options), key, "the file changed since");
        let (second, options) = site_at(root);
        assert_ne!(design_key(&second, &options), key, "another site.yaml");
    }
}
