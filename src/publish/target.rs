//! Where publish writes: an S3-compatible bucket or a local folder, both
//! through `object_store`, under an optional key prefix.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, GetOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};

use super::local::Headers;
use super::record::{RECORD_KEY, Record};
use crate::config::PublishConfig;

/// The object metadata key that carries the content hash
/// (`x-amz-meta-notesite-hash` on S3).
const HASH_METADATA: &str = "notesite-hash";

/// A parsed `--to` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    S3 { bucket: String, prefix: String },
    Dir { path: std::path::PathBuf },
}

impl Location {
    pub(crate) fn parse(url: &str) -> Result<Location> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if !valid_bucket_name(bucket) {
                bail!(
                    "`{url}` has no valid bucket name; bucket names are 3 to 63 lowercase \
                     letters, digits, dots and hyphens: s3://bucket/prefix"
                );
            }
            let prefix = prefix.trim_matches('/').to_string();
            if prefix.split('/').any(|part| part == "." || part == "..") {
                bail!("the prefix of `{url}` may not contain `.` or `..`");
            }
            return Ok(Location::S3 {
                bucket: bucket.to_string(),
                prefix,
            });
        }
        if let Some(path) = url.strip_prefix("file://") {
            if !path.starts_with('/') {
                bail!("`{url}` must be an absolute path: file:///path/to/folder");
            }
            // The same rule as an s3:// prefix: a target is named, never
            // reached by climbing.
            if path.split('/').any(|part| part == "." || part == "..") {
                bail!("the path of `{url}` may not contain `.` or `..`");
            }
            return Ok(Location::Dir { path: path.into() });
        }
        bail!("cannot publish to `{url}`: use s3://bucket/prefix or file:///path/to/folder")
    }
}

fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// What a listing says about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) size: u64,
    pub(crate) e_tag: Option<String>,
}

/// What reading one object's headers told: its content hash (when notesite
/// wrote it) and its headers (when the store keeps them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Probed {
    pub(crate) hash: Option<String>,
    pub(crate) headers: Option<Headers>,
}

pub(crate) struct Target {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    /// Whether the store keeps Content-Type, Cache-Control and metadata
    /// (S3 does; a local folder has nowhere to put them, so there the
    /// record is the only place headers are kept).
    keeps_headers: bool,
    shown: String,
    /// A folder target's folder, until `inspect` has looked through it.
    uninspected: Option<std::path::PathBuf>,
    /// In a folder target: half-written uploads (`KEY#N`) a killed publish
    /// left behind, by the key they were for.
    leftover_uploads: Vec<(String, std::path::PathBuf)>,
    /// In a folder target: the listing the inspection's walk made, for the
    /// first `list` to take (a second walk of 240k files, through
    /// object_store, was 3 s of CPU beside the build).
    walked: std::sync::Mutex<Option<BTreeMap<String, Listed>>>,
}

impl Target {
    pub(crate) fn open(url: &str, config: &PublishConfig) -> Result<Target> {
        match Location::parse(url)? {
            Location::S3 { bucket, prefix } => Ok(Target {
                store: Arc::new(s3_store(&bucket, config)?),
                prefix,
                keeps_headers: true,
                shown: url.to_string(),
                uninspected: None,
                leftover_uploads: Vec::new(),
                walked: Default::default(),
            }),
            Location::Dir { path } => {
                if !path.is_dir() {
                    bail!(
                        "{} is not a folder; a file:// target must exist, like a bucket",
                        path.display()
                    );
                }
                let store = LocalFileSystem::new_with_prefix(&path)
                    .with_context(|| format!("cannot open {}", path.display()))?
                    .with_automatic_cleanup(true);
                Ok(Target {
                    store: Arc::new(store),
                    prefix: String::new(),
                    keeps_headers: false,
                    shown: url.to_string(),
                    uninspected: Some(path),
                    leftover_uploads: Vec::new(),
                    walked: Default::default(),
                })
            }
        }
    }

    /// Looks through a folder target (see `inspect_folder`), which `open`
    /// leaves to this: at 240k files it is a second's walk, done while
    /// `publish --build` builds. Required before a plan is made.
    pub(crate) fn inspect(mut self) -> Result<Target> {
        if let Some(folder) = self.uninspected.take() {
            let walk = inspect_folder(&folder)?;
            self.leftover_uploads = walk.leftovers;
            self.walked = std::sync::Mutex::new(Some(walk.listed));
        }
        Ok(self)
    }

    /// Removes the half-written uploads a killed publish left, for keys
    /// that are `ours` (a user's own `notes#1` stays).
    pub(crate) fn remove_leftover_uploads(&self, ours: impl Fn(&str) -> bool) -> Result<usize> {
        let mut removed = 0;
        for (key, path) in &self.leftover_uploads {
            if ours(key) {
                std::fs::remove_file(path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn key(&self, rel: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(rel)
        } else {
            Key::from(format!("{}/{rel}", self.prefix))
        }
    }

    /// Every object under the prefix except the record, by key relative to
    /// the prefix. A bucket is listed in up to `ranges` parts at once, cut
    /// at `hints` (keys the publish expects, sorted): S3 lists 1000 keys a
    /// request, each request after the last, and at 240k objects that was
    /// 6.4-8 s of a 8-10 s publish. A folder is listed in one walk.
    pub(crate) async fn list(
        &self,
        hints: &[&str],
        ranges: usize,
    ) -> Result<BTreeMap<String, Listed>> {
        if self.keeps_headers {
            return self.list_between(&range_bounds(hints, ranges)).await;
        }
        let walked = self.walked.lock().expect("no panics while locked").take();
        match walked {
            Some(listed) => Ok(listed),
            None => self.list_between(&[]).await,
        }
    }

    /// The listing in `bounds.len() + 1` parts at once: up to the first
    /// bound, then after each bound up to the next. A part lists from the
    /// key after its start (S3's `start-after`) and stops after its end,
    /// so together the parts hold each key once, and every key whatever
    /// the bounds are.
    async fn list_between(&self, bounds: &[&str]) -> Result<BTreeMap<String, Listed>> {
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let bounds: Vec<Key> = (bounds.iter())
            .map(|b| Key::from(format!("{strip}{b}")))
            .collect();
        let parts = (0..=bounds.len()).map(|i| {
            let (start, end) = (i.checked_sub(1).map(|j| &bounds[j]), bounds.get(i));
            let listing = match start {
                None => self.store.list(prefix.as_ref()),
                Some(start) => self.store.list_with_offset(prefix.as_ref(), start),
            };
            listing
                .try_take_while(move |meta| {
                    std::future::ready(Ok(end.is_none_or(|end| meta.location <= *end)))
                })
                .try_collect::<Vec<_>>()
        });
        let objects = futures_util::future::try_join_all(parts)
            .await
            .map_err(|e| self.explain(e, "list"))?;
        Ok(objects
            .into_iter()
            .flatten()
            .filter_map(|meta| {
                let rel = meta.location.as_ref().strip_prefix(&strip)?.to_string();
                let listed = Listed {
                    size: meta.size,
                    e_tag: meta.e_tag,
                };
                (rel != RECORD_KEY).then_some((rel, listed))
            })
            .collect())
    }

    pub(crate) async fn read_record(&self) -> Result<Option<Record>> {
        let key = self.key(RECORD_KEY);
        let got = match self.store.get(&key).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.explain(e, "read the publish record from")),
        };
        let bytes = got
            .bytes()
            .await
            .map_err(|e| self.explain(e, "read the publish record from"))?;
        // 34 MB of JSON at 100k articles: parsed off the runtime's threads,
        // so the listing it is read beside goes on meanwhile.
        let parsed = tokio::task::spawn_blocking(move || Record::parse(&bytes))
            .await
            .context("the publish record's reader stopped")?;
        parsed
            .map(Some)
            .map_err(|e| anyhow::anyhow!("the publish record {key} in {} is unreadable: {e}; delete it to start over (the next publish then re-reads every object's headers)", self.shown))
    }

    pub(crate) async fn write_record(&self, record: &Record) -> Result<()> {
        let headers = Headers {
            content_type: "application/json".into(),
            cache_control: "no-store".into(),
        };
        self.put(RECORD_KEY, record.to_json(), &headers, None)
            .await
            .map(drop)
    }

    /// Uploads one object with its headers and content hash; returns its ETag.
    pub(crate) async fn put(
        &self,
        rel: &str,
        bytes: Vec<u8>,
        headers: &Headers,
        hash: Option<&str>,
    ) -> Result<Option<String>> {
        let mut attributes = Attributes::new();
        if self.keeps_headers {
            attributes.insert(Attribute::ContentType, headers.content_type.clone().into());
            attributes.insert(
                Attribute::CacheControl,
                headers.cache_control.clone().into(),
            );
            if let Some(hash) = hash {
                attributes.insert(
                    Attribute::Metadata(HASH_METADATA.into()),
                    hash.to_string().into(),
                );
            }
        }
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        let result = self
            .store
            .put_opts(&self.key(rel), PutPayload::from(bytes), options)
            .await
            .map_err(|e| self.explain(e, &format!("upload {rel} to")))?;
        Ok(result.e_tag)
    }

    /// Reads what an object holds without trusting the record: its headers
    /// and hash metadata on S3, its content hash in a local folder.
    pub(crate) async fn probe(&self, rel: &str) -> Result<Probed> {
        let key = self.key(rel);
        let what = format!("read {rel} in");
        if !self.keeps_headers {
            let got = self
                .store
                .get(&key)
                .await
                .map_err(|e| self.explain(e, &what))?;
            let bytes = got.bytes().await.map_err(|e| self.explain(e, &what))?;
            return Ok(Probed {
                hash: Some(super::local::content_hash(&bytes)),
                headers: None,
            });
        }
        let options = GetOptions {
            head: true,
            ..GetOptions::default()
        };
        let got = self
            .store
            .get_opts(&key, options)
            .await
            .map_err(|e| self.explain(e, &what))?;
        let attribute = |a: &Attribute| got.attributes.get(a).map(|v| v.as_ref().to_string());
        let headers = match (
            attribute(&Attribute::ContentType),
            attribute(&Attribute::CacheControl),
        ) {
            (Some(content_type), Some(cache_control)) => Some(Headers {
                content_type,
                cache_control,
            }),
            _ => None,
        };
        Ok(Probed {
            // Objects published before the record's second format carry
            // the full 256-bit hash; its first 128 bits are the same.
            hash: attribute(&Attribute::Metadata(HASH_METADATA.into())).map(|mut hash| {
                hash.truncate(32);
                hash
            }),
            headers,
        })
    }

    pub(crate) async fn delete(&self, rel: &str) -> Result<()> {
        match self.store.delete(&self.key(rel)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.explain(e, &format!("delete {rel} from"))),
        }
    }

    /// The error with what was being done and, for the usual causes, what
    /// to check first; the store's own words follow.
    fn explain(&self, error: object_store::Error, doing: &str) -> anyhow::Error {
        let text = error.to_string();
        let says = |words: &[&str]| words.iter().any(|w| text.contains(w));
        let lead = if says(&["NoSuchBucket"]) {
            "the bucket does not exist"
        } else if matches!(
            error,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        ) || says(&[
            "403 Forbidden",
            "AccessDenied",
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
        ]) {
            "access denied; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the key's rights on the bucket"
        } else if says(&["error sending request", "Connection refused", "dns error"]) {
            "the store cannot be reached; check AWS_ENDPOINT_URL (or publish.endpoint)"
        } else {
            "the store refused"
        };
        // The store's error already spells out its causes; chaining it as a
        // source would print each of them twice.
        anyhow::anyhow!("cannot {doing} {}: {lead}: {text}", self.shown)
    }
}

/// What one walk of a folder target found.
struct FolderWalk {
    /// Upload temp files (`KEY#DIGITS`, object_store's staging names).
    leftovers: Vec<(String, std::path::PathBuf)>,
    /// Every other file but the record, as object_store would list it.
    listed: BTreeMap<String, Listed>,
}

/// Checks a folder target before anything is planned: a symlink inside it
/// would make publish write or delete outside the folder (the store follows
/// links), so one is an error naming it. On the way it lists the folder,
/// as `LocalFileSystem` would: the same keys, sizes and ETags.
fn inspect_folder(root: &std::path::Path) -> Result<FolderWalk> {
    let mut walk = FolderWalk {
        leftovers: Vec::new(),
        listed: BTreeMap::new(),
    };
    let mut symlinks = Vec::new();
    // Unsorted: sorting each folder's entries by name cost 1.9 s of CPU at
    // 240k files, beside the build. The first symlink by path is named,
    // as a sorted walk would meet it first.
    for entry in walkdir::WalkDir::new(root) {
        let entry = match entry {
            Ok(entry) => entry,
            // Gone since its folder was read; the target itself gone is
            // an error, not an empty listing.
            Err(e) if e.depth() > 0 && is_not_found(e.io_error()) => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", root.display())),
        };
        if entry.path_is_symlink() && entry.depth() > 0 {
            symlinks.push(entry.into_path());
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let Some(rel) = rel.to_str() else {
            bail!(
                "{} is not a UTF-8 name, which an object key must be",
                entry.path().display()
            );
        };
        let rel = rel.replace('\\', "/");
        if let Some((key, suffix)) = rel.rsplit_once('#')
            && !suffix.is_empty()
            && suffix.bytes().all(|b| b.is_ascii_digit())
        {
            walk.leftovers.push((key.to_string(), entry.into_path()));
            continue;
        }
        let key = Key::parse(&rel)
            .with_context(|| format!("{} cannot be an object key", entry.path().display()))?;
        if let Some(listed) = listed_file(&entry)? {
            walk.listed.insert(key.to_string(), listed);
        }
    }
    if let Some(symlink) = symlinks
        .iter()
        .min_by_key(|path| crate::fsx::path_order(path))
    {
        let target = std::fs::read_link(symlink)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|e| e.to_string());
        bail!(
            "{} is a symlink (to {target}) inside the publish target; publish never follows \
             links there, since it would write and delete outside the folder. Replace it \
             with a real folder or file, or remove it",
            symlink.display()
        );
    }
    walk.listed.remove(RECORD_KEY);
    (walk.leftovers).sort_by_cached_key(|(_, path)| crate::fsx::path_order(path));
    Ok(walk)
}

/// A walked file's size and ETag, or `None` when it was removed since
/// its folder was read: a file deleted while the target is listed is
/// absent, as in `LocalFileSystem`'s listing and an S3 bucket's. Any
/// other failure to read it fails the publish.
fn listed_file(entry: &walkdir::DirEntry) -> Result<Option<Listed>> {
    match entry.metadata() {
        Ok(metadata) => Ok(Some(Listed {
            size: metadata.len(),
            e_tag: Some(folder_e_tag(&metadata)),
        })),
        Err(e) if is_not_found(e.io_error()) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", entry.path().display())),
    }
}

fn is_not_found(error: Option<&std::io::Error>) -> bool {
    error.is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// A file's ETag as `LocalFileSystem` gives it (its put returns it, and
/// the record keeps it): inode, mtime in microseconds and size, in hex.
/// A test checks it against the store's own.
fn folder_e_tag(metadata: &std::fs::Metadata) -> String {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(metadata);
    #[cfg(not(unix))]
    let inode = 0u64;
    let mtime = (metadata.modified().ok())
        .and_then(|t| t.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
        .unwrap_or_default()
        .as_micros();
    format!("\"{inode:x}-{mtime:x}-{:x}\"", metadata.len())
}

/// An S3 client from the standard `AWS_*` environment, with `site.yaml`'s
/// endpoint, region and allow_http where the environment says nothing.
/// Keys to cut a listing of `hints` (sorted) at, for `ranges` parts of at
/// least `KEYS_PER_RANGE` keys each: none for a small site.
fn range_bounds<'a>(hints: &[&'a str], ranges: usize) -> Vec<&'a str> {
    let parts = ranges.min(hints.len() / KEYS_PER_RANGE).max(1);
    let mut bounds: Vec<&str> = (1..parts).map(|k| hints[k * hints.len() / parts]).collect();
    // Any sorted bounds part a listing right; unsorted ones would not.
    bounds.sort_unstable();
    bounds.dedup();
    bounds
}

/// A listing part is at least this many keys (one S3 list request).
const KEYS_PER_RANGE: usize = 1000;

fn s3_store(bucket: &str, config: &PublishConfig) -> Result<object_store::aws::AmazonS3> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let has_key = env("AWS_ACCESS_KEY_ID").is_some();
    let has_secret = env("AWS_SECRET_ACCESS_KEY").is_some();
    let has_other_credentials = [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]
    .iter()
    .any(|name| env(name).is_some());
    if has_key != has_secret || (!has_key && !has_other_credentials) {
        bail!(
            "no S3 credentials: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
             (or AWS_WEB_IDENTITY_TOKEN_FILE for a CI role)"
        );
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let env_endpoint = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT", "AWS_ENDPOINT_URL_S3"]
        .iter()
        .any(|name| env(name).is_some());
    if let (false, Some(endpoint)) = (env_endpoint, &config.endpoint) {
        builder = builder.with_endpoint(endpoint);
    }
    let env_region = env("AWS_REGION")
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .is_some();
    if let (false, Some(region)) = (env_region, &config.region) {
        builder = builder.with_region(region);
    }
    if env("AWS_ALLOW_HTTP").is_none() && config.allow_http {
        builder = builder.with_allow_http(true);
    }
    // Transient failures (5xx, dropped connections, timeouts) are retried
    // with exponential backoff; a denied or missing bucket is not.
    let retry = RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 5,
        retry_timeout: Duration::from_secs(60),
    };
    // (object_store's default timeouts stand: replacing its ClientOptions
    // would also drop what from_env read into them, like AWS_ALLOW_HTTP.)
    builder
        .with_retry(retry)
        .build()
        .context("cannot configure the S3 client")
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn a_small_site_is_listed_in_one_part_a_large_one_in_sorted_parts() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("k{i:05}")).collect();
        let hints: Vec<&str> = keys.iter().map(String::as_str).collect();
        assert!(range_bounds(&hints[..1999], 16).is_empty());
        assert_eq!(range_bounds(&hints[..2000], 16), ["k01000"]);
        let bounds = range_bounds(&hints, 16);
        assert_eq!(bounds.len(), 9, "{bounds:?}");
        let mut reversed = hints.clone();
        reversed.reverse();
        let bounds = range_bounds(&reversed, 4);
        assert!(bounds.is_sorted(), "{bounds:?}");
    }

    /// Against Garage (`scripts/with-garage`, which `scripts/test` runs
    /// every test under): keys whose order is tricky (`-` sorts before
    /// `/`), more than one list request in a part, and bounds that are
    /// keys, fall between keys, or lie outside them all.
    #[test]
    fn a_listing_in_parts_holds_every_key_once_whatever_the_bounds() {
        let env = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: run the tests with scripts/test, which starts Garage")
            })
        };
        let store = AmazonS3Builder::new()
            .with_endpoint(env("NOTESITE_TEST_S3_ENDPOINT"))
            .with_bucket_name(env("NOTESITE_TEST_S3_BUCKET"))
            .with_region(env("NOTESITE_TEST_S3_REGION"))
            .with_access_key_id(env("NOTESITE_TEST_S3_KEY_ID"))
            .with_secret_access_key(env("NOTESITE_TEST_S3_SECRET"))
            .with_allow_http(true)
            .build()
            .unwrap();
        let prefix = format!("list-parts-{}", std::process::id());
        let mut keys: Vec<String> = (0..1100).map(|i| format!("a{i:04}/index.html")).collect();
        keys.extend((0..1100).map(|i| format!("a{i:04}-b/index.html")));
        keys.extend(["a", "a-", "a0000", "z/last.txt"].map(String::from));
        let target = Target {
            store: Arc::new(store),
            prefix: prefix.clone(),
            keeps_headers: true,
            shown: prefix.clone(),
            uninspected: None,
            leftover_uploads: Vec::new(),
            walked: Default::default(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            futures_util::stream::iter(&keys)
                .map(|key| {
                    let store = &target.store;
                    let key = target.key(key);
                    async move { store.put(&key, PutPayload::from_static(b"x")).await }
                })
                .buffer_unordered(32)
                .try_collect::<Vec<_>>()
                .await
                .unwrap();
        });
        let whole = runtime.block_on(target.list_between(&[])).unwrap();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(whole.keys().cloned().collect::<Vec<_>>(), sorted);
        let cuts: [&[&str]; 5] = [
            &["a0500-b/index.html", "a1099/index.html"],
            &["a0", "a0500/", "a0700-c"],
            &["0", "zz"],
            &["a", "a-", "a0000", "a0000-b/index.html", "a0000/index.html"],
            &["a0001/index.html"],
        ];
        for bounds in cuts {
            let parts = runtime.block_on(target.list_between(bounds)).unwrap();
            assert_eq!(parts, whole, "cut at {bounds:?}");
        }
        let listed: Vec<_> = whole.keys().map(|k| Ok(target.key(k))).collect();
        let deletes = target
            .store
            .delete_stream(futures_util::stream::iter(listed).boxed());
        runtime.block_on(deletes.try_collect::<Vec<_>>()).unwrap();
    }

    #[test]
    fn parses_targets() {
        assert_eq!(
            Location::parse("s3://my-site/www/").unwrap(),
            Location::S3 {
                bucket: "my-site".into(),
                prefix: "www".into()
            }
        );
        assert_eq!(
            Location::parse("s3://my-site").unwrap(),
            Location::S3 {
                bucket: "my-site".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            Location::parse("file:///srv/site").unwrap(),
            Location::Dir {
                path: "/srv/site".into()
            }
        );
        for bad in [
            "s3://",
            "s3://A_B/x",
            "s3://ok-bucket/a/../b",
            "file://relative",
            "file:///a/../../x",
            "file:///srv/./site",
            "ftp://x/y",
            "my-bucket",
        ] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }

    /// The folder's own walk stands in for `LocalFileSystem`'s listing, so
    /// it must list what the store would: the same keys (odd names too),
    /// sizes and ETags, without the record and the upload temp files.
    #[test]
    fn a_folder_walk_lists_what_the_store_would() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "index.html",
            "a b/c d.html",
            "ü/ß.txt",
            "per%41cent.txt",
            "hash#tag.txt",
            "q?.txt",
            "deep/er/still/x.css",
            "page.html#12",
            RECORD_KEY,
        ];
        for (i, name) in names.iter().enumerate() {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x".repeat(i + 1)).unwrap();
        }
        let walk = inspect_folder(dir.path()).unwrap();
        let url = format!("file://{}", dir.path().display());
        let target = Target::open(&url, &PublishConfig::default()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let by_store = runtime.block_on(target.list_between(&[])).unwrap();
        assert_eq!(walk.listed, by_store);
        assert_eq!(walk.listed.len(), names.len() - 2);
        let leftovers: Vec<&str> = walk.leftovers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(leftovers, ["page.html"]);
        // And a listing after the walk takes the walk's, once.
        let target = target.inspect().unwrap();
        let first = runtime.block_on(target.list(&[], 4)).unwrap();
        assert_eq!(first, by_store);
        assert!(target.walked.lock().unwrap().is_none());
    }

    /// A file removed between its folder's read and its `stat` (a
    /// concurrent writer in the target) is absent from the listing, as
    /// object_store's own listing leaves it out; it does not fail the
    /// publish.
    #[test]
    fn a_file_removed_while_the_folder_is_walked_is_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gone.html"), "x").unwrap();
        std::fs::write(dir.path().join("kept.html"), "yy").unwrap();
        let entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(dir.path())
            .min_depth(1)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        std::fs::remove_file(dir.path().join("gone.html")).unwrap();
        let listed: Vec<Option<u64>> = (entries.iter())
            .map(|e| listed_file(e).unwrap().map(|l| l.size))
            .collect();
        let by_name = |name: &str| {
            let i = entries.iter().position(|e| e.file_name() == name);
            listed[i.unwrap()]
        };
        assert_eq!(by_name("gone.html"), None);
        assert_eq!(by_name("kept.html"), Some(2));
        // The target folder itself gone is no empty listing.
        assert!(inspect_folder(&dir.path().join("no-such-folder")).is_err());
    }
}
