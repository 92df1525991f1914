//! Checked anchors: a link to `/other/#part` or `other.md#part` must name
//! an id the other page has. Pages render in parallel, so each reports its
//! ids and its links into other pages; they are checked once all are in.
//! Ids are kept as 32-bit hashes (a page's ids cost a few bytes each at
//! 100k articles); the text of a target's ids is only made again for the
//! did-you-mean of a link that misses.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::PathBuf;

use crate::diag::Pos;

/// The ids of pages made from sources, and the links into them by id.
#[derive(Debug, Default, Clone)]
pub(crate) struct Anchors {
    /// Page (by `page_key`) → the sorted hashes of the ids on it.
    ids: HashMap<u64, Box<[u32]>>,
    links: Vec<AnchorLink>,
}

/// Anchors as the page cache keeps them, in a fixed order: pages by key,
/// links by page and position.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Kept {
    ids: Vec<(u64, Box<[u32]>)>,
    links: Vec<AnchorLink>,
}

impl From<Anchors> for Kept {
    fn from(anchors: Anchors) -> Kept {
        let mut ids: Vec<(u64, Box<[u32]>)> = anchors.ids.into_iter().collect();
        ids.sort_unstable_by_key(|(page, _)| *page);
        let mut links = anchors.links;
        links.sort_by(|a, b| {
            (a.from, &a.source, a.pos, &a.target, &a.id)
                .cmp(&(b.from, &b.source, b.pos, &b.target, &b.id))
        });
        Kept { ids, links }
    }
}

impl From<Kept> for Anchors {
    fn from(kept: Kept) -> Anchors {
        Anchors {
            ids: kept.ids.into_iter().collect(),
            links: kept.links,
        }
    }
}

/// A link with a fragment into another page of the site.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct AnchorLink {
    /// The page it is on (`page_key`).
    pub(crate) from: u64,
    pub(crate) source: PathBuf,
    pub(crate) pos: Pos,
    /// The target page's site path, as the link resolved it.
    pub(crate) target: String,
    /// The id it names, percent-decoded.
    pub(crate) id: String,
}

/// A page's key: the hash of its site path with `index.html` and a
/// missing final `/` made alike (`/x`, `/x/` and `/x/index.html` are one).
pub(crate) fn page_key(path: &str) -> u64 {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut h = hasher();
    path.hash(&mut h);
    h.finish()
}

fn id_hash(id: &str) -> u32 {
    let mut h = hasher();
    id.hash(&mut h);
    h.finish() as u32
}

/// Fixed keys: the same hashes in every run and every process.
fn hasher() -> ahash::AHasher {
    ahash::RandomState::with_seeds(0x616e, 0x6368, 0x6f72, 0x7321).build_hasher()
}

impl Anchors {
    /// The page at site path `path`, its ids, and its links into others.
    pub(crate) fn add_page(&mut self, path: &str, ids: &[String], links: Vec<AnchorLink>) {
        let mut hashes: Vec<u32> = ids.iter().map(|id| id_hash(id)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        self.ids.insert(page_key(path), hashes.into_boxed_slice());
        self.links.extend(links);
    }

    pub(crate) fn merge(mut self, other: Anchors) -> Anchors {
        if self.ids.len() < other.ids.len() {
            return other.merge(self);
        }
        self.ids.extend(other.ids);
        self.links.extend(other.links);
        self
    }

    /// A partial render's anchors over these: each page it rendered
    /// replaces its ids and its links; pages at `removed` (site paths)
    /// are gone with theirs.
    pub(crate) fn update(&mut self, fresh: Anchors, removed: impl IntoIterator<Item = String>) {
        let mut replaced: HashSet<u64> = fresh.ids.keys().copied().collect();
        replaced.extend(removed.into_iter().map(|path| page_key(&path)));
        self.links.retain(|link| !replaced.contains(&link.from));
        self.ids.retain(|page, _| !replaced.contains(page));
        self.ids.extend(fresh.ids);
        self.links.extend(fresh.links);
    }

    /// Links whose target page has ids on record but not the one named.
    /// Links into other pages (a term list, a file) are not checked.
    pub(crate) fn broken(&self) -> Vec<&AnchorLink> {
        let mut broken: Vec<&AnchorLink> = (self.links.iter())
            .filter(|link| {
                let ids = self.ids.get(&page_key(&link.target));
                ids.is_some_and(|ids| ids.binary_search(&id_hash(&link.id)).is_err())
            })
            .filter(|link| !crate::markdown::PAGE_IDS.contains(&link.id.as_str()))
            .collect();
        broken.sort_by(|a, b| (&a.source, a.pos).cmp(&(&b.source, b.pos)));
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(from: &str, target: &str, id: &str) -> AnchorLink {
        AnchorLink {
            from: page_key(from),
            source: PathBuf::from(format!("content{}.md", from.trim_end_matches('/'))),
            pos: Pos::new(1, 1),
            target: target.into(),
            id: id.into(),
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_link_to_an_id_the_target_lacks_is_broken_and_other_pages_are_not_checked() {
        let mut anchors = Anchors::default();
        anchors.add_page("/a/", &ids(&["intro", "setup"]), Vec::new());
        anchors.add_page(
            "/b/",
            &[],
            vec![
                link("/b/", "/a/", "setup"),
                link("/b/", "/a/index.html", "intro"),
                link("/b/", "/a", "missing"),
                link("/b/", "/stack/redis/", "anything"),
                link("/b/", "/a/", "top"),
            ],
        );
        let broken: Vec<&str> = anchors.broken().iter().map(|l| l.id.as_str()).collect();
        assert_eq!(broken, ["missing"]);
    }

    #[test]
    fn an_update_replaces_the_pages_it_rendered_and_drops_removed_ones() {
        let mut anchors = Anchors::default();
        anchors.add_page("/a/", &ids(&["old"]), Vec::new());
        anchors.add_page("/b/", &[], vec![link("/b/", "/a/", "old")]);
        anchors.add_page("/c/", &[], vec![link("/c/", "/a/", "old")]);
        assert!(anchors.broken().is_empty());

        // /a/ renamed its heading; /c/ was rendered again with no links.
        let mut fresh = Anchors::default();
        fresh.add_page("/a/", &ids(&["new"]), Vec::new());
        fresh.add_page("/c/", &[], Vec::new());
        anchors.update(fresh, []);
        let broken: Vec<&str> = anchors
            .broken()
            .iter()
            .map(|l| l.source.to_str().unwrap())
            .collect();
        assert_eq!(broken, ["content/b.md"]);

        // /b/ is deleted: its link goes with it.
        anchors.update(Anchors::default(), ["/b/".to_string()]);
        assert!(anchors.broken().is_empty());
    }
}
