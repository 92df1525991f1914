//! The search postings a build keeps for the next one, in the page cache's
//! folder: for each indexed article, by its `version` (a hash of its path
//! and text), its weighted length and its snippet; for each term, its
//! postings. A warm build that carried an article's page takes its
//! postings from here instead of reading, parsing and tokenizing its body
//! again (at 100k articles that was 2.9-3.9 s of a one-edit build).
//!
//! Like the front matter cache, each entry is a fact about text (this
//! binary, with these field weights, counts this article's terms so), so
//! it holds whatever the build does. Articles are numbered anew by each
//! build (an article's number is its place in the index), so postings are
//! renumbered through the versions; an article not in the file, edited or
//! new, is indexed as before.
//!
//! The file is binary, little-endian: a header line naming the format,
//! the binary and the weights; the articles; the terms; and the BLAKE3 of
//! all of it. A file with another header is not read; a damaged one is
//! not used (the index is then made from the articles, as a cold build
//! does) and is written anew.
//!
//! A second file, `search-layout`, says how the index made from those
//! postings was laid out in files (see [`Layout`]), so that a build can
//! keep the files whose terms and articles did not change instead of
//! encoding them again (1.3 s of a one-edit build at 100k articles). It
//! names the postings file's checksum, and is not used with any other.
//! It is a file of its own because it is known only once the index is
//! encoded, and the postings are written before: encoding consumes them,
//! and holding them longer would raise the build's peak memory.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::index::Postings;
use crate::fsx::ChecksummedFile;

const FILE: &str = "search";
const LAYOUT_FILE: &str = "search-layout";
const LAYOUT_FORMAT: u32 = 1;
/// Bumped whenever what the file holds changes meaning.
const FORMAT: u32 = 1;

/// One indexed article of the last build.
pub(super) struct Doc {
    pub(super) version: u64,
    pub(super) length: f32,
    /// The text its result's snippet is cut from (`Shown::text`).
    pub(super) snippet: String,
}

/// What the last build kept: articles by their number then, each term's
/// postings by those numbers, and the layout of the index it wrote.
pub(super) struct Stored {
    pub(super) docs: Vec<Doc>,
    pub(super) terms: Vec<(String, Vec<(u32, f32)>)>,
    pub(super) layout: Option<Layout>,
}

/// How an index was laid out in files, by its terms in order.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Layout {
    /// Each term's encoded postings' length in bytes.
    pub(crate) sizes: Vec<u32>,
    /// Each term chunk: its first term's place, its terms, its file.
    pub(crate) term_chunks: Vec<(u32, u32, String)>,
    /// Each document chunk's file.
    pub(crate) doc_chunks: Vec<String>,
}

/// Where the postings are kept, and the header that says which binary
/// and weights they were counted with.
#[derive(Clone)]
pub(crate) struct Store {
    file: PathBuf,
    header: String,
}

impl Store {
    /// The store in the cache folder `dir`, for this binary (`binary`)
    /// and these field weights (`weights`, as `site.yaml` gives them).
    pub(crate) fn new(dir: &Path, binary: &str, weights: &str) -> Store {
        let weights = blake3::hash(weights.as_bytes()).to_hex();
        Store {
            file: dir.join(FILE),
            header: format!("notesite search cache {FORMAT} {binary} {weights}\n"),
        }
    }

    /// What the last build kept; `None` when there is nothing usable.
    pub(super) fn read(&self) -> Option<Stored> {
        let bytes = std::fs::read(&self.file).ok()?;
        let content = crate::fsx::checked_content(&bytes)?;
        let (docs, terms) = parse(content.strip_prefix(self.header.as_bytes())?)?;
        let sum = &bytes[content.len()..];
        let layout = self.read_layout(sum, terms.len());
        Some(Stored {
            docs,
            terms,
            layout,
        })
    }

    fn layout_file(&self) -> PathBuf {
        self.file.with_file_name(LAYOUT_FILE)
    }

    fn layout_header(postings_sum: &[u8]) -> String {
        let sum: String = postings_sum.iter().map(|b| format!("{b:02x}")).collect();
        format!("notesite search layout {LAYOUT_FORMAT} {sum}\n")
    }

    /// The layout kept with the postings whose checksum is `postings_sum`.
    fn read_layout(&self, postings_sum: &[u8], terms: usize) -> Option<Layout> {
        let bytes = std::fs::read(self.layout_file()).ok()?;
        let content = crate::fsx::checked_content(&bytes)?;
        let header = Store::layout_header(postings_sum);
        parse_layout(content.strip_prefix(header.as_bytes())?, terms)
    }

    /// Keeps the `layout` of the index made from the postings last written,
    /// whose checksum `write` returned.
    pub(super) fn write_layout(&self, layout: &Layout, postings_sum: blake3::Hash) -> Result<()> {
        let file = self.layout_file();
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut out = ChecksummedFile::create(dir)?;
        let write = |out: &mut ChecksummedFile| -> std::io::Result<()> {
            out.write_all(Store::layout_header(postings_sum.as_bytes()).as_bytes())?;
            for size in &layout.sizes {
                out.write_all(&size.to_le_bytes())?;
            }
            out.write_all(&(layout.term_chunks.len() as u64).to_le_bytes())?;
            for (first, count, name) in &layout.term_chunks {
                out.write_all(&first.to_le_bytes())?;
                out.write_all(&count.to_le_bytes())?;
                write_text(out, name)?;
            }
            out.write_all(&(layout.doc_chunks.len() as u64).to_le_bytes())?;
            for name in &layout.doc_chunks {
                write_text(out, name)?;
            }
            Ok(())
        };
        write(&mut out).with_context(|| format!("cannot write {}", file.display()))?;
        out.persist(&file, |sum| sum.as_bytes().to_vec())
    }

    /// Keeps `postings` for the next build: `versions` and `snippets` are
    /// each article's, by its number. Whole or not at all. Returns the
    /// file's checksum, which names it to its layout.
    pub(super) fn write(
        &self,
        postings: &Postings,
        versions: &[u64],
        snippets: &[&str],
    ) -> Result<blake3::Hash> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        let cannot = || format!("cannot write {}", self.file.display());
        let mut out = ChecksummedFile::create(dir)?;
        let text = write_text;
        let write = |out: &mut ChecksummedFile| -> std::io::Result<()> {
            out.write_all(self.header.as_bytes())?;
            out.write_all(&(versions.len() as u64).to_le_bytes())?;
            for ((version, length), snippet) in versions.iter().zip(&postings.lengths).zip(snippets)
            {
                out.write_all(&version.to_le_bytes())?;
                out.write_all(&length.to_le_bytes())?;
                text(out, snippet)?;
            }
            out.write_all(&(postings.terms.len() as u64).to_le_bytes())?;
            for (term, list) in &postings.terms {
                text(out, term)?;
                out.write_all(&(list.len() as u32).to_le_bytes())?;
                for (doc, tf) in list.iter() {
                    out.write_all(&doc.to_le_bytes())?;
                    out.write_all(&tf.to_le_bytes())?;
                }
            }
            Ok(())
        };
        write(&mut out).with_context(cannot)?;
        let mut written = None;
        out.persist(&self.file, |sum| {
            written = Some(sum);
            sum.as_bytes().to_vec()
        })?;
        Ok(written.expect("persist hands over the checksum"))
    }
}

fn write_text(out: &mut ChecksummedFile, text: &str) -> std::io::Result<()> {
    out.write_all(&(text.len() as u32).to_le_bytes())?;
    out.write_all(text.as_bytes())
}

/// The articles and terms a postings file holds.
type Parsed = (Vec<Doc>, Vec<(String, Vec<(u32, f32)>)>);

/// Reads the articles and terms; `None` if they do not add up.
fn parse(body: &[u8]) -> Option<Parsed> {
    let mut at = Reader { bytes: body };
    let docs = (0..at.u64()?)
        .map(|_| {
            Some(Doc {
                version: at.u64()?,
                length: f32::from_le_bytes(at.take()?),
                snippet: at.text()?,
            })
        })
        .collect::<Option<Vec<Doc>>>()?;
    let terms = (0..at.u64()?)
        .map(|_| {
            let term = at.text()?;
            let count = u32::from_le_bytes(at.take()?) as usize;
            let (bytes, rest) = at.bytes.split_at_checked(count * 8)?;
            at.bytes = rest;
            let pair = |p: &[u8]| {
                let (doc, tf) = p.split_at(4);
                let doc = u32::from_le_bytes(doc.try_into().expect("4 bytes"));
                (doc, f32::from_le_bytes(tf.try_into().expect("4 bytes")))
            };
            Some((term, bytes.chunks_exact(8).map(pair).collect()))
        })
        .collect::<Option<Vec<_>>>()?;
    let in_range =
        |list: &Vec<(u32, f32)>| list.iter().all(|&(doc, _)| (doc as usize) < docs.len());
    (at.bytes.is_empty() && terms.iter().all(|(_, list)| in_range(list))).then_some((docs, terms))
}

/// The layout of an index of `terms` terms; `None` unless it has a size
/// for each and its chunks cover them in order.
fn parse_layout(body: &[u8], terms: usize) -> Option<Layout> {
    let mut at = Reader { bytes: body };
    let sizes = (0..terms)
        .map(|_| Some(u32::from_le_bytes(at.take()?)))
        .collect::<Option<Vec<u32>>>()?;
    let term_chunks = (0..at.u64()?)
        .map(|_| {
            let first = u32::from_le_bytes(at.take()?);
            let count = u32::from_le_bytes(at.take()?);
            Some((first, count, at.text()?))
        })
        .collect::<Option<Vec<_>>>()?;
    let doc_chunks = (0..at.u64()?)
        .map(|_| at.text())
        .collect::<Option<Vec<String>>>()?;
    let mut next = 0u32;
    for &(first, count, _) in &term_chunks {
        (first == next && count > 0).then_some(())?;
        next = next.checked_add(count)?;
    }
    (at.bytes.is_empty() && next as usize == terms).then_some(Layout {
        sizes,
        term_chunks,
        doc_chunks,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>()?;
        self.bytes = rest;
        Some(*head)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn text(&mut self) -> Option<String> {
        let len = u32::from_le_bytes(self.take()?) as usize;
        let (text, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        String::from_utf8(text.to_vec()).ok()
    }
}
