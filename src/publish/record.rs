//! The publish record: a small object beside the site that says what each
//! object holds and which publish it last belonged to. It lets the next run
//! plan from one listing instead of reading every object's headers, and it
//! is how hashed assets that left the build are kept for a grace period.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::local::Headers;

/// Where the record lives, relative to the target's prefix. Publish never
/// uploads, deletes or counts it as part of the site.
pub const RECORD_KEY: &str = ".notesite/publish.json";

const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    /// Number of the last completed publish; 0 before the first.
    pub publish: u64,
    /// By key; a BTreeMap so the record itself is deterministic.
    pub objects: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub hash: String,
    pub size: u64,
    #[serde(flatten)]
    pub headers: Headers,
    /// The store's ETag right after the upload. When the listing shows
    /// another one, the object changed behind the record's back (an
    /// interrupted publish, a hand edit) and its headers are read again.
    pub e_tag: Option<String>,
    /// The last publish this object was part of.
    pub publish: u64,
}

impl Record {
    pub fn parse(bytes: &[u8]) -> Result<Record, String> {
        let record: Record = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if record.version != VERSION {
            return Err(format!(
                "it has version {}, this notesite writes version {VERSION}",
                record.version
            ));
        }
        Ok(record)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("a record always serializes");
        json.push(b'\n');
        json
    }

    /// An empty record for the next publish after `previous`.
    pub fn next(previous: &Record) -> Record {
        Record {
            version: VERSION,
            publish: previous.publish + 1,
            objects: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_versions() {
        let mut record = Record::next(&Record::default());
        record.objects.insert(
            "index.html".into(),
            Entry {
                hash: "ab".into(),
                size: 2,
                headers: Headers {
                    content_type: "text/html; charset=utf-8".into(),
                    cache_control: "public, max-age=0, must-revalidate".into(),
                },
                e_tag: Some("\"x\"".into()),
                publish: 1,
            },
        );
        let back = Record::parse(&record.to_json()).unwrap();
        assert_eq!(back.publish, 1);
        assert_eq!(back.objects, record.objects);
        let other = String::from_utf8(record.to_json())
            .unwrap()
            .replace("\"version\": 1", "\"version\": 9");
        assert!(
            Record::parse(other.as_bytes())
                .unwrap_err()
                .contains("version 9")
        );
    }
}
