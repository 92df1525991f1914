//! The publish plan: what to upload, in which order, what to delete and
//! what to keep. Pure: it compares the local build with what the target
//! holds and touches nothing, so `--dry-run` and the guard see exactly what
//! a publish would do.

use std::collections::BTreeMap;

use super::local::LocalFile;
use super::moves::Moves;
use super::record::{Entry, Record};
pub(crate) use super::target::Listed;
use super::target::Probed;
use crate::cdn::is_hashed_asset;

/// What the target holds, as far as publish can tell.
#[derive(Debug, Default)]
pub(crate) struct Remote {
    pub(crate) listed: BTreeMap<String, Listed>,
    pub(crate) record: Record,
    /// Objects read directly because the record could not vouch for them.
    pub(crate) probed: BTreeMap<String, Probed>,
}

/// Upload order: nothing goes up before what it references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// Hashed assets that reference nothing: images, fonts, scripts.
    Assets,
    /// Hashed stylesheets, which reference the assets above.
    Stylesheets,
    /// HTML pages, which reference both.
    Pages,
    /// Feeds, sitemaps, robots.txt, `_headers`, the manifest: they point at pages.
    Indexes,
}

impl Stage {
    fn of(key: &str) -> Stage {
        match (
            is_hashed_asset(key),
            key.ends_with(".css"),
            key.ends_with(".html"),
        ) {
            (true, true, _) => Stage::Stylesheets,
            (true, false, _) => Stage::Assets,
            (false, _, true) => Stage::Pages,
            (false, _, false) => Stage::Indexes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Not on the target yet.
    New,
    /// On the target with other content (or content publish cannot vouch for).
    Changed,
    /// Same content, other Content-Type or Cache-Control.
    Headers,
}

#[derive(Debug)]
pub(crate) struct Upload<'a> {
    pub(crate) file: &'a LocalFile,
    pub(crate) change: Change,
    pub(crate) stage: Stage,
}

#[derive(Debug)]
pub(crate) struct Plan<'a> {
    /// In upload order: by stage, then key.
    pub(crate) uploads: Vec<Upload<'a>>,
    /// Pages that left the build, and hashed assets past their grace period;
    /// only ever objects the record says a publish wrote.
    pub(crate) deletes: Vec<String>,
    /// Hashed assets that left the build but stay for older cached pages.
    pub(crate) kept: Vec<String>,
    /// Objects under the target that no publish wrote: never touched.
    pub(crate) foreign: Vec<String>,
    /// Objects at keys of this build that no publish wrote: another tool's
    /// pages, a hand-made file. Overwritten only with `--adopt`.
    pub(crate) foreign_at_our_keys: Vec<String>,
    pub(crate) unchanged: usize,
    /// Written before the first upload when uploads add keys the record
    /// does not name yet, so that a publish killed midway still owns (and
    /// can later delete) everything it put there.
    pub(crate) announce: Option<Record>,
    /// The record once this plan is carried out (uploads get their ETags then).
    pub(crate) record: Record,
    /// Whether `record` differs from the one on the target; a publish that
    /// changes nothing writes nothing.
    pub(crate) record_changed: bool,
    /// Pages that left the build: redirected or removed.
    pub(crate) moves: Moves,
}

/// Keys of local files whose remote state the record cannot vouch for: on
/// the target, but unknown to the record or changed since it was written.
pub(crate) fn needs_probe(local: &[LocalFile], remote: &Remote) -> Vec<String> {
    (local.iter().zip(listed_of(local, &remote.listed)))
        .filter(|(file, listed)| match listed {
            None => false,
            Some(listed) => !vouched(remote.record.objects.get(&file.key), listed),
        })
        .map(|(file, _)| file.key.clone())
        .collect()
}

/// Each file of `local` with its listing, if listed. Both sides are
/// sorted by key, so one walk of the two pairs them: a tree lookup per
/// file was a tenth of the plan at 240k files. Local files out of order
/// (which publish never hands over) are looked up one by one.
fn listed_of<'a>(
    local: &[LocalFile],
    listed: &'a BTreeMap<String, Listed>,
) -> Vec<Option<&'a Listed>> {
    if !local.is_sorted_by(|a, b| a.key < b.key) {
        return local.iter().map(|file| listed.get(&file.key)).collect();
    }
    let mut remote = listed.iter().peekable();
    (local.iter())
        .map(|file| {
            while remote.next_if(|(key, _)| **key < file.key).is_some() {}
            remote
                .next_if(|(key, _)| **key == file.key)
                .map(|(_, listed)| listed)
        })
        .collect()
}

/// The listed objects no file of `local` is at, walking both as
/// `listed_of` does.
fn not_in<'a>(
    local: &[LocalFile],
    listed: &'a BTreeMap<String, Listed>,
) -> Vec<(&'a String, &'a Listed)> {
    if !local.is_sorted_by(|a, b| a.key < b.key) {
        let in_build: ahash::AHashSet<&str> = local.iter().map(|f| f.key.as_str()).collect();
        return (listed.iter())
            .filter(|(key, _)| !in_build.contains(key.as_str()))
            .collect();
    }
    let mut files = local.iter().peekable();
    (listed.iter())
        .filter(|(key, _)| {
            while files.next_if(|file| file.key < **key).is_some() {}
            files.next_if(|file| file.key == **key).is_none()
        })
        .collect()
}

fn vouched(entry: Option<&Entry>, listed: &Listed) -> bool {
    entry.is_some_and(|e| e.e_tag.is_some() && e.e_tag == listed.e_tag && e.size == listed.size)
}

/// The plan for publishing `local` over `remote`. Hashed assets that left
/// the build are kept while they belonged to one of the last
/// `keep_publishes` publishes that changed something.
pub(crate) fn make<'a>(local: &'a [LocalFile], remote: &Remote, keep_publishes: u64) -> Plan<'a> {
    let mut uploads = Vec::new();
    let mut unchanged = Vec::new();
    let mut foreign_at_our_keys = Vec::new();
    for (file, listed) in local.iter().zip(listed_of(local, &remote.listed)) {
        match listed {
            None => uploads.push(upload(file, Change::New)),
            Some(listed) => {
                if !remote.record.owns(&file.key) {
                    foreign_at_our_keys.push(file.key.clone());
                }
                match change_of(file, listed, remote) {
                    None => unchanged.push((file, listed.e_tag.clone())),
                    Some(change) => uploads.push(upload(file, change)),
                }
            }
        }
    }
    uploads.sort_by(|a, b| (a.stage, &a.file.key).cmp(&(b.stage, &b.file.key)));

    let mut deletes = Vec::new();
    let mut leftover_assets = Vec::new();
    let mut foreign = Vec::new();
    for (key, listed) in not_in(local, &remote.listed) {
        match remote.record.objects.get(key) {
            None => foreign.push(key.clone()),
            Some(_) if !is_hashed_asset(key) => deletes.push(key.clone()),
            Some(known) => leftover_assets.push((key, listed, known)),
        }
    }
    // Only a publish that changes the site counts toward the grace period:
    // republishing the same build must not expire the assets it keeps.
    let changes = !uploads.is_empty() || !deletes.is_empty();
    // Saturating: a record near u64::MAX (hand-edited) must not wrap to 0
    // and make every kept asset look expired.
    let publish = remote.record.publish.saturating_add(u64::from(changes));
    let mut record = Record::numbered(publish);
    let unchanged_count = unchanged.len();
    // Gathered, then built in one go: a map made from (nearly) sorted
    // pairs is built in a pass, where 240k inserts searched it each time.
    let mut objects: Vec<(String, Entry)> = (unchanged.into_iter())
        .map(|(file, e_tag)| (file.key.clone(), entry(file, e_tag, publish)))
        .collect();
    let mut kept = Vec::new();
    for (key, listed, known) in leftover_assets {
        if known.publish.saturating_add(keep_publishes) >= publish {
            kept.push(key.clone());
            let mut kept_entry = known.clone();
            kept_entry.e_tag = listed.e_tag.clone();
            objects.push((key.clone(), kept_entry));
        } else {
            deletes.push(key.clone());
        }
    }
    record.objects = objects.into_iter().collect();
    deletes.sort();
    // What moved is `follow`'s to say; until then the record knows what
    // it knew.
    record.pages = remote.record.pages.clone();
    record.moved = remote.record.moved.clone();
    let announce = announcement(&uploads, &remote.record, publish);
    let record_changed = changes || record != remote.record;
    Plan {
        uploads,
        deletes,
        kept,
        foreign,
        foreign_at_our_keys,
        unchanged: unchanged_count,
        announce,
        record,
        record_changed,
        moves: Moves::default(),
    }
}

/// The current record plus an entry, without hash or ETag, for each key the
/// uploads add; `None` when they add none.
fn announcement(uploads: &[Upload], current: &Record, publish: u64) -> Option<Record> {
    let mut adding = (uploads.iter())
        .filter(|u| !current.owns(&u.file.key))
        .peekable();
    // Copied only when it changes: the record has an entry per file.
    adding.peek()?;
    let mut announced = current.clone();
    for upload in adding {
        let mut pending = entry(upload.file, None, publish);
        pending.hash.clear();
        announced.objects.insert(upload.file.key.clone(), pending);
    }
    Some(announced)
}

/// How `file` differs from its copy on the target; `None` when it does not.
fn change_of(file: &LocalFile, listed: &Listed, remote: &Remote) -> Option<Change> {
    let entry = remote.record.objects.get(&file.key);
    // Borrowed, not copied: this runs for every file of the build.
    let (hash, headers) = match remote.probed.get(&file.key) {
        Some(probed) => (
            probed.hash.as_deref(),
            // A folder target keeps headers only in the record.
            (probed.headers.as_ref()).or_else(|| entry.map(|e| &e.headers)),
        ),
        None if vouched(entry, listed) => {
            let e = entry.expect("vouched implies an entry");
            (Some(e.hash.as_str()), Some(&e.headers))
        }
        None => (None, None),
    };
    if hash != Some(file.hash.as_str()) || listed.size != file.size {
        Some(Change::Changed)
    } else if headers != Some(&file.headers) {
        Some(Change::Headers)
    } else {
        None
    }
}

fn upload(file: &LocalFile, change: Change) -> Upload<'_> {
    Upload {
        file,
        change,
        stage: Stage::of(&file.key),
    }
}

pub(crate) fn entry(file: &LocalFile, e_tag: Option<String>, publish: u64) -> Entry {
    Entry {
        hash: file.hash.clone(),
        size: file.size,
        headers: file.headers.clone(),
        e_tag,
        publish,
    }
}

impl Plan<'_> {
    pub(crate) fn count(&self, change: Change) -> usize {
        self.uploads.iter().filter(|u| u.change == change).count()
    }

    /// Bytes sent: new and changed content, and header updates (S3 has no
    /// header-only write; the object is put again with the same bytes).
    pub(crate) fn bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file.size).sum()
    }

    /// Keys whose content or headers a CDN may hold stale copies of.
    /// Takes in what happened to pages that left the build: the record
    /// remembers this build's pages and the redirects it keeps.
    pub(crate) fn follow(&mut self, mut moves: Moves, current: &Record) {
        self.record.pages = std::mem::take(&mut moves.pages);
        self.record.moved = std::mem::take(&mut moves.moved);
        self.record_changed |=
            self.record.pages != current.pages || self.record.moved != current.moved;
        self.moves = moves;
    }

    pub(crate) fn stale_keys(&self) -> Vec<&str> {
        let changed = self
            .uploads
            .iter()
            .filter(|u| u.change != Change::New)
            .map(|u| u.file.key.as_str());
        let mut keys: Vec<&str> = changed
            .chain(self.deletes.iter().map(String::as_str))
            .collect();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::local::Headers;

    fn file(key: &str, content: &str) -> LocalFile {
        LocalFile {
            key: key.into(),
            path: key.into(),
            size: content.len() as u64,
            hash: blake3::hash(content.as_bytes()).to_hex().to_string(),
            headers: Headers {
                content_type: crate::cdn::content_type(key),
                cache_control: "c".into(),
            },
        }
    }

    /// The target after `plan` was carried out, with made-up ETags.
    fn carried_out(local: &[LocalFile], plan: &Plan) -> Remote {
        let mut record = plan.record.clone();
        let mut listed = BTreeMap::new();
        for f in local {
            let e_tag = Some(format!("\"{}\"", &f.hash[..8]));
            record
                .objects
                .insert(f.key.clone(), entry(f, e_tag.clone(), record.publish));
            listed.insert(
                f.key.clone(),
                Listed {
                    size: f.size,
                    e_tag,
                },
            );
        }
        for key in &plan.kept {
            listed.insert(
                key.clone(),
                Listed {
                    size: 1,
                    e_tag: record.objects[key].e_tag.clone(),
                },
            );
        }
        Remote {
            listed,
            record,
            probed: BTreeMap::new(),
        }
    }

    fn keys<'a>(plan: &'a Plan<'a>) -> Vec<&'a str> {
        plan.uploads.iter().map(|u| u.file.key.as_str()).collect()
    }

    #[test]
    fn first_publish_uploads_leaves_first_and_a_rerun_nothing() {
        let local = vec![
            file("a/index.html", "a"),
            file("assets/css/site.11111111.css", "css"),
            file("assets/img/x.22222222.png", "png"),
            file("atom.xml", "feed"),
            file("index.html", "home"),
        ];
        let plan = make(&local, &Remote::default(), 1);
        assert_eq!(
            keys(&plan),
            [
                "assets/img/x.22222222.png",
                "assets/css/site.11111111.css",
                "a/index.html",
                "index.html",
                "atom.xml"
            ]
        );
        assert!(plan.uploads.iter().all(|u| u.change == Change::New));
        let again = make(&local, &carried_out(&local, &plan), 1);
        assert!(again.uploads.is_empty() && again.deletes.is_empty());
        assert_eq!(again.unchanged, 5);
        assert!(needs_probe(&local, &carried_out(&local, &plan)).is_empty());
    }

    /// Issue 19, item 10: a first publish over another tool's pages once
    /// overwrote them without a word.
    #[test]
    fn objects_at_our_keys_that_no_publish_wrote_are_foreign() {
        let local = vec![file("index.html", "home"), file("a/index.html", "a")];
        let mut remote = Remote::default();
        for key in ["index.html", "other/page.html"] {
            let listed = Listed {
                size: 4,
                e_tag: None,
            };
            remote.listed.insert(key.into(), listed);
        }
        let plan = make(&local, &remote, 1);
        assert_eq!(plan.foreign_at_our_keys, ["index.html"]);
        assert_eq!(plan.foreign, ["other/page.html"]);
        // Once ours, they are not.
        let ours = carried_out(&local, &plan);
        assert!(make(&local, &ours, 1).foreign_at_our_keys.is_empty());
    }

    /// Issue 19, item 11: counters near u64::MAX once wrapped to 0, and the
    /// kept assets looked expired and were deleted.
    #[test]
    fn publish_counters_near_the_top_do_not_wrap() {
        let old = vec![file("index.html", "a"), file("assets/x.11111111.png", "x")];
        let mut remote = carried_out(&old, &make(&old, &Remote::default(), 1));
        remote.record.publish = u64::MAX;
        for entry in remote.record.objects.values_mut() {
            entry.publish = u64::MAX;
        }
        let new = vec![file("index.html", "b")];
        let plan = make(&new, &remote, 1);
        assert_eq!(plan.record.publish, u64::MAX);
        assert_eq!(plan.kept, ["assets/x.11111111.png"]);
        assert!(plan.deletes.is_empty());
    }

    #[test]
    fn content_header_and_asset_changes() {
        let old = vec![
            file("a/index.html", "a"),
            file("b/index.html", "b"),
            file("assets/css/site.11111111.css", "css"),
        ];
        let remote = carried_out(&old, &make(&old, &Remote::default(), 1));
        let mut new = vec![
            file("a/index.html", "a2"),
            file("assets/css/site.33333333.css", "css2"),
        ];
        let mut retyped = file("c/index.html", "c");
        retyped.headers.cache_control = "other".into();
        new.push(retyped);
        let plan = make(&new, &remote, 1);
        let changes: Vec<(&str, Change)> = plan
            .uploads
            .iter()
            .map(|u| (u.file.key.as_str(), u.change))
            .collect();
        assert_eq!(
            changes,
            [
                ("assets/css/site.33333333.css", Change::New),
                ("a/index.html", Change::Changed),
                ("c/index.html", Change::New),
            ]
        );
        assert_eq!(plan.deletes, ["b/index.html"]);
        assert_eq!(plan.kept, ["assets/css/site.11111111.css"]);
        assert_eq!(plan.stale_keys(), ["a/index.html", "b/index.html"]);

        // A republish of the same build keeps it; one publish that changes
        // something later, its grace period is over.
        let remote = carried_out(&new, &plan);
        assert_eq!(
            make(&new, &remote, 1).kept,
            ["assets/css/site.11111111.css"]
        );
        let mut edited = new.clone();
        edited[0] = file("a/index.html", "a3");
        let later = make(&edited, &remote, 1);
        assert_eq!(later.deletes, ["assets/css/site.11111111.css"]);
        assert_eq!(later.uploads.len(), 1);
        // With two publishes of grace it stays one more.
        assert_eq!(
            make(&edited, &remote, 2).kept,
            ["assets/css/site.11111111.css"]
        );

        let mut headers_only = new.clone();
        headers_only[0].headers.cache_control = "no-cache".into();
        let plan = make(&headers_only, &remote, 1);
        assert_eq!(plan.count(Change::Headers), 1);
        assert_eq!(
            plan.stale_keys(),
            ["a/index.html", "assets/css/site.11111111.css"]
        );
    }

    #[test]
    fn objects_the_record_cannot_vouch_for_are_probed() {
        let local = vec![file("a/index.html", "a"), file("b/index.html", "b")];
        let mut remote = carried_out(&local, &make(&local, &Remote::default(), 1));
        // An interrupted publish replaced `a` after the record was written.
        remote.listed.get_mut("a/index.html").unwrap().e_tag = Some("\"new\"".into());
        remote.listed.insert(
            "assets/x.44444444.png".into(),
            Listed {
                size: 3,
                e_tag: None,
            },
        );
        assert_eq!(needs_probe(&local, &remote), ["a/index.html"]);
        // Without a probe it is re-uploaded; with one that matches, it is not.
        assert_eq!(make(&local, &remote, 1).count(Change::Changed), 1);
        remote.probed.insert(
            "a/index.html".into(),
            Probed {
                hash: Some(local[0].hash.clone()),
                headers: Some(local[0].headers.clone()),
            },
        );
        let plan = make(&local, &remote, 1);
        assert!(plan.uploads.is_empty());
        // No publish wrote the unknown asset, so it is not ours to delete.
        assert_eq!(plan.foreign, ["assets/x.44444444.png"]);
        assert!(plan.kept.is_empty() && plan.deletes.is_empty());
    }

    #[test]
    fn publish_deletes_only_objects_its_record_names() {
        let local = vec![file("a/index.html", "a")];
        let mut remote = Remote::default();
        for key in ["thesis.tex", "b/index.html", "assets/x.44444444.png"] {
            let listed = Listed {
                size: 1,
                e_tag: Some("\"t\"".into()),
            };
            remote.listed.insert(key.into(), listed);
        }
        let plan = make(&local, &remote, 0);
        assert!(plan.deletes.is_empty(), "{:?}", plan.deletes);
        assert_eq!(
            plan.foreign,
            ["assets/x.44444444.png", "b/index.html", "thesis.tex"]
        );
        // Once the record names a page, it is ours and goes with the build.
        let mut after = carried_out(&local, &plan);
        after.listed.extend(remote.listed.clone());
        let gone = make(&[], &after, 0);
        assert_eq!(gone.deletes, ["a/index.html"]);
        assert_eq!(gone.foreign.len(), 3);
    }

    #[test]
    fn no_change_publish_writes_nothing_and_keeps_the_kept_assets() {
        let old = vec![file("index.html", "a"), file("assets/s.11111111.css", "1")];
        let remote = carried_out(&old, &make(&old, &Remote::default(), 1));
        let new = vec![file("index.html", "b"), file("assets/s.22222222.css", "2")];
        let changed = make(&new, &remote, 1);
        assert_eq!(changed.kept, ["assets/s.11111111.css"]);
        assert!(changed.record_changed);
        let remote = carried_out(&new, &changed);
        for _ in 0..3 {
            let again = make(&new, &remote, 1);
            assert!(again.uploads.is_empty() && again.deletes.is_empty());
            assert!(!again.record_changed);
            assert_eq!(again.kept, ["assets/s.11111111.css"]);
            assert!(again.announce.is_none());
        }
    }

    #[test]
    fn new_keys_are_announced_before_they_are_uploaded() {
        let old = vec![file("index.html", "a")];
        let remote = carried_out(&old, &make(&old, &Remote::default(), 1));
        let new = vec![file("index.html", "b"), file("b/index.html", "b")];
        let plan = make(&new, &remote, 1);
        let announced = plan.announce.expect("a new key is announced");
        assert!(announced.owns("b/index.html") && announced.owns("index.html"));
        assert!(announced.objects["b/index.html"].hash.is_empty());
        assert_eq!(announced.publish, remote.record.publish);
    }

    #[test]
    fn the_walk_pairs_files_and_listing_as_lookups_do() {
        let keys = ["a", "a-", "a/b", "b", "c/index.html", "z"];
        let listed: BTreeMap<String, Listed> = ["a", "a/b", "bb", "c/index.html", "y", "zz"]
            .iter()
            .map(|k| {
                (
                    k.to_string(),
                    Listed {
                        size: 1,
                        e_tag: None,
                    },
                )
            })
            .collect();
        let sorted: Vec<LocalFile> = keys.iter().map(|k| file(k, k)).collect();
        let mut shuffled: Vec<LocalFile> = keys.iter().rev().map(|k| file(k, k)).collect();
        shuffled.swap(0, 3);
        for local in [&sorted, &shuffled] {
            let looked_up: Vec<Option<&Listed>> =
                local.iter().map(|f| listed.get(&f.key)).collect();
            assert_eq!(listed_of(local, &listed), looked_up);
            let gone: Vec<&str> = not_in(local, &listed)
                .iter()
                .map(|(k, _)| k.as_str())
                .collect();
            assert_eq!(gone, ["bb", "y", "zz"]);
        }
    }
}
