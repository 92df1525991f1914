//! The publish record: a small object beside the site that says what each
//! object holds and which publish it last belonged to. It lets the next run
//! plan from one listing instead of reading every object's headers, it is
//! how hashed assets that left the build are kept for a grace period, and it
//! is the only authority on what publish may delete: an object the record
//! does not name was not written by notesite and is left alone.
//!
//! On the wire it is compact JSON: the few distinct header pairs once, then
//! one array per object (`[key, hash, size, header index, etag, publish]`),
//! about 110 bytes an object instead of the 350 of a keyed map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::local::Headers;

/// Where the record lives, relative to the target's prefix. Publish never
/// uploads, deletes or counts it as part of the site.
pub const RECORD_KEY: &str = ".notesite/publish.json";

const VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub(crate) version: u32,
    /// Number of the last publish that changed something; 0 before the first.
    pub publish: u64,
    /// By key; a BTreeMap so the record itself is deterministic.
    pub objects: BTreeMap<String, Entry>,
    /// Every article page of the last publish: page path → article
    /// (`ref:<reference>` or `src:<source file>`), to follow moves.
    pub pages: BTreeMap<String, String>,
    /// Old page paths that redirect to their article's current page.
    pub moved: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The content hash, or empty while an upload is only announced (see
    /// `apply`): an empty hash matches no file, so the object is re-read.
    pub(crate) hash: String,
    pub(crate) size: u64,
    pub headers: Headers,
    /// The store's ETag right after the upload. When the listing shows
    /// another one, the object changed behind the record's back (an
    /// interrupted publish, a hand edit) and its headers are read again.
    pub(crate) e_tag: Option<String>,
    /// The last publish this object was part of.
    pub(crate) publish: u64,
}

/// The stored shape.
#[derive(Serialize, Deserialize)]
struct Wire {
    version: u32,
    publish: u64,
    headers: Vec<(String, String)>,
    objects: Vec<(String, String, u64, usize, Option<String>, u64)>,
    /// Added after version 2 first shipped: absent in older records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pages: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    moved: Vec<(String, String)>,
}

impl Record {
    pub fn parse(bytes: &[u8]) -> Result<Record, String> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        // The current format is read in one pass (the record holds 240k
        // entries at 100k articles); only when that fails is the version
        // looked at, to read the first format or to say why.
        let wire: Wire = match serde_json::from_slice(bytes) {
            Ok(
                wire @ Wire {
                    version: VERSION, ..
                },
            ) => wire,
            Ok(Wire { version, .. }) => return Err(unsupported(version)),
            Err(e) => {
                let version: Version = serde_json::from_slice(bytes).map_err(|_| e.to_string())?;
                return match version.version {
                    1 => Self::parse_v1(bytes),
                    VERSION => Err(e.to_string()),
                    other => Err(unsupported(other)),
                };
            }
        };
        // Collected, not inserted one by one: the keys come sorted (see
        // `to_json`), which a BTreeMap builds from in one pass; 240k
        // inserts took 0.1 s of a no-change publish at 100k articles.
        let mut objects = Vec::with_capacity(wire.objects.len());
        for (key, hash, size, index, e_tag, publish) in wire.objects {
            let (content_type, cache_control) =
                wire.headers.get(index).cloned().ok_or_else(|| {
                    format!("{key} names header set {index}, which does not exist")
                })?;
            let headers = Headers {
                content_type,
                cache_control,
            };
            let entry = Entry {
                hash,
                size,
                headers,
                e_tag,
                publish,
            };
            objects.push((key, entry));
        }
        Ok(Record {
            version: wire.version,
            publish: wire.publish,
            objects: BTreeMap::from_iter(objects),
            pages: wire.pages.into_iter().collect(),
            moved: wire.moved.into_iter().collect(),
        })
    }

    /// The first format (a keyed map, 256-bit hashes), as written before
    /// the compact one: read so that a site published with it keeps its
    /// ownership of every object and uploads nothing again.
    fn parse_v1(bytes: &[u8]) -> Result<Record, String> {
        #[derive(Deserialize)]
        struct V1 {
            publish: u64,
            objects: BTreeMap<String, V1Entry>,
        }
        #[derive(Deserialize)]
        struct V1Entry {
            hash: String,
            size: u64,
            #[serde(flatten)]
            headers: Headers,
            e_tag: Option<String>,
            publish: u64,
        }
        let v1: V1 = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let objects = v1
            .objects
            .into_iter()
            .map(|(key, e)| {
                let mut hash = e.hash;
                hash.truncate(32);
                let entry = Entry {
                    hash,
                    size: e.size,
                    headers: e.headers,
                    e_tag: e.e_tag,
                    publish: e.publish,
                };
                (key, entry)
            })
            .collect();
        Ok(Record {
            version: VERSION,
            publish: v1.publish,
            objects,
            ..Record::default()
        })
    }

    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut index_of: BTreeMap<&Headers, usize> = BTreeMap::new();
        let mut objects = Vec::with_capacity(self.objects.len());
        for (key, entry) in &self.objects {
            let index = *index_of.entry(&entry.headers).or_insert_with(|| {
                let h = &entry.headers;
                headers.push((h.content_type.clone(), h.cache_control.clone()));
                headers.len() - 1
            });
            objects.push((
                key.clone(),
                entry.hash.clone(),
                entry.size,
                index,
                entry.e_tag.clone(),
                entry.publish,
            ));
        }
        let wire = Wire {
            version: VERSION,
            publish: self.publish,
            headers,
            objects,
            pages: self.pages.clone().into_iter().collect(),
            moved: self.moved.clone().into_iter().collect(),
        };
        let mut json = serde_json::to_vec(&wire).expect("a record always serializes");
        json.push(b'\n');
        json
    }

    /// An empty record for publish number `publish`.
    pub(crate) fn numbered(publish: u64) -> Record {
        Record {
            version: VERSION,
            publish,
            ..Record::default()
        }
    }

    /// Whether an earlier publish wrote (or announced) `key`.
    pub(crate) fn owns(&self, key: &str) -> bool {
        self.objects.contains_key(key)
    }
}

fn unsupported(version: u32) -> String {
    format!("it has version {version}, this notesite reads version {VERSION}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(content_type: &str, publish: u64) -> Entry {
        Entry {
            hash: "ab".into(),
            size: 2,
            headers: Headers {
                content_type: content_type.into(),
                cache_control: "public, max-age=0, must-revalidate".into(),
            },
            e_tag: Some("\"x\"".into()),
            publish,
        }
    }

    #[test]
    fn reads_the_first_format_with_hashes_cut_to_128_bits() {
        let v1 = br#"{"version": 1, "publish": 3, "objects": {"index.html": {
            "hash": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "size": 5, "content_type": "text/html; charset=utf-8",
            "cache_control": "no-cache", "e_tag": "\"e\"", "publish": 2}}}"#;
        let record = Record::parse(v1).unwrap();
        assert_eq!(record.publish, 3);
        let entry = &record.objects["index.html"];
        assert_eq!(entry.hash, "0123456789abcdef0123456789abcdef");
        assert_eq!(entry.headers.cache_control, "no-cache");
        assert_eq!(entry.publish, 2);
    }

    #[test]
    fn round_trips_and_refuses_other_versions() {
        let mut record = Record::numbered(1);
        record
            .objects
            .insert("index.html".into(), entry("text/html; charset=utf-8", 1));
        record
            .objects
            .insert("a/index.html".into(), entry("text/html; charset=utf-8", 1));
        record
            .objects
            .insert("atom.xml".into(), entry("application/atom+xml", 0));
        let json = record.to_json();
        assert_eq!(
            String::from_utf8_lossy(&json).matches("text/html").count(),
            1,
            "each header pair is stored once"
        );
        assert_eq!(Record::parse(&json).unwrap(), record);
        let other = String::from_utf8(json)
            .unwrap()
            .replace("\"version\":2", "\"version\":9");
        assert!(
            Record::parse(other.as_bytes())
                .unwrap_err()
                .contains("version 9")
        );
    }
}
