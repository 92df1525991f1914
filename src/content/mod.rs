//! Content: reading `content/**/*.md` into validated articles.

mod front_matter;
mod front_matter_cache;
pub(crate) mod meta;
pub(crate) mod page;
pub(crate) mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub(crate) use front_matter::split;
pub(crate) use front_matter_cache::FrontMatterCache;
pub use front_matter_cache::FrontMatterUse;
pub(crate) use meta::Meta;

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::schedule::Visibility;

pub const CONTENT_DIR: &str = "content";

/// One validated article, ready for the Markdown stage.
#[derive(Debug, Clone)]
pub struct Article {
    /// The source path as shown in messages: relative to the site root.
    pub(crate) path: PathBuf,
    pub(crate) slug: String,
    pub meta: Meta,
    pub(crate) body: Body,
    /// Line of the file where `body` starts, to report body problems.
    pub(crate) body_line: usize,
    /// Where each `image_sources` entry's `url` is, to point at an entry
    /// no figure uses: worked out at once for a held body, and for a body
    /// left in its file only when a warning needs it (see
    /// `image_source_positions`): finding them was 0.17 s of CPU in the
    /// content step at 100k articles, for a warning few builds give.
    image_source_pos: Option<Vec<Option<Pos>>>,
    /// Where `aliases` is, to point at an alias that clashes with a page.
    pub(crate) aliases_pos: Option<Pos>,
    /// What the article would publish that looks unfinished (empty meta
    /// box rows), reported by every load.
    pub(crate) warnings: Vec<Diagnostic>,
    /// A hash of the source path and text: lets the preview server and
    /// the page cache tell an edited article from an unchanged one without
    /// comparing them. The same text gives the same version in every run
    /// of the same binary, so a cache can keep it. Never reaches an output
    /// file.
    pub(crate) version: u64,
}

/// Why an article's body cannot be used: its file was saved again after
/// its front matter was read.
pub(crate) const CHANGED_WHILE_READ: &str = "changed while the build was reading it; build again";

/// An article's Markdown body. Read from a file, it stays there: its page
/// reads it again when it renders, so neither a build nor the preview holds
/// every body at once (at 100k articles they were half of a build's peak
/// memory). Parsed from text (import, tests), it is held.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Held(String),
    /// From byte `start` of `file` to its end; `hash` of what was read.
    InFile {
        file: PathBuf,
        start: usize,
        hash: u64,
    },
}

/// A stable hash of a body within one process, to tell a file edited
/// since it was read.
fn body_hash(body: &str) -> u64 {
    ahash::RandomState::with_seeds(1, 2, 3, 4).hash_one(body)
}

impl Article {
    /// The body's Markdown. An error at the article's file when the file
    /// can no longer be read, or was changed since the build read it (an
    /// editor saving mid-build): its page would not match its meta.
    pub(crate) fn body(&self) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        let (file, start, hash) = match &self.body {
            Body::Held(text) => return Ok(std::borrow::Cow::Borrowed(text)),
            Body::InFile { file, start, hash } => (file, *start, *hash),
        };
        let changed = || Diagnostic::error(&self.path, None, CHANGED_WHILE_READ);
        let text = std::fs::read(file).map_err(|e| {
            Diagnostic::error(&self.path, None, format!("cannot be read again: {e}"))
        })?;
        let mut text = String::from_utf8(text).map_err(|_| changed())?;
        if !text.is_char_boundary(start) || body_hash(&text[start..]) != hash {
            return Err(changed());
        }
        text.replace_range(..start, "");
        Ok(std::borrow::Cow::Owned(text))
    }

    /// Where each `image_sources` entry's `url` is in the source, by
    /// index. For a body left in its file, the file is read again; `None`
    /// where that fails or finds no such entry (a message then names the
    /// file without a line).
    pub(crate) fn image_source_positions(&self) -> Vec<Option<Pos>> {
        if let Some(positions) = &self.image_source_pos {
            return positions.clone();
        }
        let count = self.meta.image_sources.len();
        let Body::InFile { file, .. } = &self.body else {
            return vec![None; count];
        };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        match front_matter::split(&self.path, &text) {
            Ok(parts) => image_source_positions(&parts, count),
            Err(_) => vec![None; count],
        }
    }

    /// The article as the schedule lists it.
    pub fn scheduled(&self) -> crate::schedule::Scheduled<'_> {
        crate::schedule::Scheduled {
            slug: &self.slug,
            path: &self.path,
            title: &self.meta.title,
            dates: self.meta.dates(),
        }
    }
}

/// Every parsed article by source path, before drafts are dropped and
/// slugs checked: what the preview server keeps and patches file by file.
pub(crate) type Sources = BTreeMap<PathBuf, Arc<Article>>;

/// Parses every `.md` file under `ROOT/content` in parallel, taking
/// what front matter `known` has seen from it.
pub(crate) fn read_all(root: &Path, known: &FrontMatterCache) -> (Sources, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let paths = match source_files(root) {
        Ok(paths) => paths,
        Err(d) => {
            diagnostics.extend(d);
            return (Sources::new(), diagnostics);
        }
    };
    let results: Vec<(PathBuf, Result<Article, Vec<Diagnostic>>)> = paths
        .into_par_iter()
        .map(|rel| {
            let result = read_one(root, &rel, known);
            (rel, result)
        })
        .collect();
    let mut read = Vec::with_capacity(results.len());
    for (rel, result) in results {
        match result {
            Ok(article) => {
                diagnostics.extend(article.warnings.iter().cloned());
                read.push((rel, Arc::new(article)));
            }
            Err(problems) => diagnostics.extend(problems),
        }
    }
    // Built from a list, not by inserts: the paths come sorted, and
    // 100k inserts, each comparing paths component by component, cost
    // 0.8 s at 100k articles.
    let sources = Sources::from_iter(read);
    (sources, diagnostics)
}

/// The slug each article of the site claims, by source path, as the build
/// reads it: `slug:` however the YAML writes the key (quoted, flow style),
/// else the file name, in any subfolder. An article with other errors still
/// claims its slug, since it will once they are fixed. For `import`, which
/// must not write an article whose slug another one holds.
pub fn claimed_slugs(root: &Path) -> Vec<(PathBuf, String)> {
    let Ok(paths) = source_files(root) else {
        return Vec::new();
    };
    paths
        .into_par_iter()
        .filter_map(|rel| Some((rel.clone(), claimed_slug(root, &rel)?)))
        .collect()
}

/// The slug one article claims: `slug:` as the YAML reads it, else its
/// file name.
fn claimed_slug(root: &Path, rel: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join(rel)).ok()?;
    let parts = split(rel, &text).ok()?;
    Some(slug_claimed_in(rel, &parts))
}

fn slug_claimed_in(rel: &Path, parts: &front_matter::Parts) -> String {
    // Only front matter that mentions `slug` is parsed: the rest take
    // their file name, and most articles have no `slug:`.
    let declared = (parts.yaml.contains("slug"))
        .then(|| serde_yaml::from_str::<serde_yaml::Value>(parts.yaml).ok())
        .flatten()
        .and_then(|v| v.get("slug")?.as_str().map(str::to_string));
    declared.unwrap_or_else(|| {
        rel.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    })
}

/// What is left of an article or page that did not read (its front matter
/// has errors): enough to check its body's links and images, and for
/// links to it to resolve, so one run reports every problem.
#[derive(Debug)]
pub(crate) struct Salvaged {
    pub(crate) path: PathBuf,
    /// The slug it claims (see `claimed_slugs`).
    pub(crate) slug: String,
    /// Its body; empty when it holds a character it may not carry.
    pub(crate) body: String,
    pub(crate) body_line: usize,
}

/// The articles and pages that `problems` (from reading them) say did not
/// read, each read again as far as it goes.
pub(crate) fn salvage(root: &Path, problems: &Diagnostics) -> Vec<Salvaged> {
    let mut paths: Vec<&Path> = (problems.iter())
        .filter(|d| d.is_error() && (is_source(&d.path) || page::is_source(&d.path)))
        .map(|d| d.path.as_path())
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_par_iter()
        .filter_map(|rel| {
            let text = std::fs::read_to_string(root.join(rel)).ok()?;
            let parts = split(rel, &text).ok()?;
            // A body with a character it may not carry is not read further.
            let body_ok = front_matter::unsafe_body_char(parts.body, parts.body_line).is_none();
            Some(Salvaged {
                path: rel.to_path_buf(),
                slug: slug_claimed_in(rel, &parts),
                body: if body_ok {
                    parts.body.to_string()
                } else {
                    String::new()
                },
                body_line: parts.body_line,
            })
        })
        .collect()
}

/// The site's articles out of its sources: slugs checked for clashes,
/// only the articles `visible` shows (drafts, scheduled and expired ones
/// left out unless wanted), newest first, then by slug.
pub(crate) fn arrange(
    sources: &Sources,
    visible: &Visibility,
) -> (Vec<Arc<Article>>, Vec<Diagnostic>) {
    let problems = check_unique_slugs(sources.values().map(|a| &**a));
    let mut articles: Vec<Arc<Article>> = sources
        .values()
        .filter(|a| visible.shows(a.meta.dates()))
        .cloned()
        .collect();
    articles.sort_by(|a, b| {
        b.meta
            .date
            .cmp(&a.meta.date)
            .then_with(|| a.slug.cmp(&b.slug))
    });
    (articles, problems)
}

/// True for the files `content/` holds articles in.
/// Hidden files (editor swap and lock files) are not.
pub(crate) fn is_source(rel: &Path) -> bool {
    rel.starts_with(CONTENT_DIR)
        && rel.extension().is_some_and(|e| e == "md")
        && !crate::fsx::is_hidden_path(rel)
}

/// Relative paths of every `.md` file under `content/`, sorted.
fn source_files(root: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Err(vec![Diagnostic::error(
            CONTENT_DIR,
            None,
            "no content folder; articles go in content/<slug>.md",
        )]);
    }
    let (files, problems) = crate::fsx::walk_files(root, &dir);
    if !problems.is_empty() {
        let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
        let errors = problems.into_iter();
        return Err(errors
            .map(|(p, m)| Diagnostic::error(rel(&p), None, m))
            .collect());
    }
    let paths = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root).unwrap_or(&p).to_path_buf())
        .collect();
    Ok(paths)
}

/// Reads and parses one changed article for the preview, with the symlink
/// rule a full build's walk applies: a file that resolves outside the site
/// (a link made after start-up) is an error, never read.
pub(crate) fn reread_one(root: &Path, rel: &Path) -> Result<Article, Vec<Diagnostic>> {
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    crate::fsx::check_inside(&canonical_root, &root.join(rel))
        .map_err(|message| vec![Diagnostic::error(rel, None, message)])?;
    read_one(root, rel, &FrontMatterCache::off())
}

/// Reads and parses one article; `rel` is relative to the site root. Its
/// body stays in the file.
pub(crate) fn read_one(
    root: &Path,
    rel: &Path,
    known: &FrontMatterCache,
) -> Result<Article, Vec<Diagnostic>> {
    // Each thread reads into one buffer: the text is not kept (the body
    // stays in its file), and a new one for each of 100k files was fresh
    // memory the kernel had to clear.
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // A read inside a read (a rayon thread that took other work while it
    // waited) has a buffer of its own.
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut bytes) => read_one_into(root, rel, known, &mut bytes),
        Err(_) => read_one_into(root, rel, known, &mut Vec::new()),
    })
}

fn read_one_into(
    root: &Path,
    rel: &Path,
    known: &FrontMatterCache,
    bytes: &mut Vec<u8>,
) -> Result<Article, Vec<Diagnostic>> {
    bytes.clear();
    let file = root.join(rel);
    read_into(rel, &file, bytes)?;
    let parsed = utf8(rel, bytes).and_then(|text| {
        parse_article_with(rel, text, known, |body| Body::InFile {
            start: text.len() - body.len(),
            hash: body_hash(body),
            file,
        })
    });
    // A huge article's buffer is not kept for the rest of the run (the
    // preview runs for hours).
    if bytes.capacity() > 1 << 20 {
        *bytes = Vec::new();
    }
    parsed
}

/// The text of a source file (`rel` relative to the site root), or why it
/// cannot be read: an error naming the file, at the first byte that is not
/// UTF-8.
pub(crate) fn read_source(root: &Path, rel: &Path) -> Result<String, Vec<Diagnostic>> {
    let mut bytes = Vec::new();
    read_into(rel, &root.join(rel), &mut bytes)?;
    String::from_utf8(bytes).map_err(|e| not_utf8(rel, e.as_bytes(), &e.utf8_error()))
}

fn read_into(rel: &Path, file: &Path, bytes: &mut Vec<u8>) -> Result<(), Vec<Diagnostic>> {
    use std::io::Read;
    let read = std::fs::File::open(file).and_then(|mut f| f.read_to_end(bytes));
    read.map(drop)
        .map_err(|e| vec![Diagnostic::error(rel, None, format!("cannot read: {e}"))])
}

fn utf8<'a>(rel: &Path, bytes: &'a [u8]) -> Result<&'a str, Vec<Diagnostic>> {
    std::str::from_utf8(bytes).map_err(|e| not_utf8(rel, bytes, &e))
}

/// An error at the first byte that is not UTF-8.
fn not_utf8(rel: &Path, bytes: &[u8], e: &std::str::Utf8Error) -> Vec<Diagnostic> {
    let pos = crate::diag::utf8_error_pos_in(bytes, e);
    let message = "not valid UTF-8; save the file as UTF-8";
    vec![Diagnostic::error(rel, Some(pos), message)]
}

/// The `version` of a source: its path and its whole text, hashed with
/// fixed keys.
fn source_version(rel: &Path, text: &str) -> u64 {
    ahash::RandomState::with_seeds(5, 6, 7, 8).hash_one((rel, text))
}

/// Parses one article's text; `rel` is only used to name it in messages and
/// to default the slug.
pub fn parse_article(rel: &Path, text: &str) -> Result<Article, Vec<Diagnostic>> {
    parse_article_with(rel, text, &FrontMatterCache::off(), |body| {
        Body::Held(body.to_string())
    })
}

/// `parse_article`, reading the front matter from `known` when it has
/// seen it, and keeping it there when not; `body` makes the article's
/// body from its text (the end of `text`).
fn parse_article_with(
    rel: &Path,
    text: &str,
    known: &FrontMatterCache,
    body: impl FnOnce(&str) -> Body,
) -> Result<Article, Vec<Diagnostic>> {
    let parts = split(rel, text).map_err(|e| vec![e])?;
    let raw = match known.get(parts.yaml) {
        Some(raw) => Ok(raw),
        None => front_matter::read_raw(&parts).inspect(|raw| known.keep(parts.yaml, raw)),
    };
    let body_problem = front_matter::unsafe_body_char(parts.body, parts.body_line)
        .map(|(pos, message)| Diagnostic::error(rel, Some(pos), message));
    let raw = match (raw, body_problem) {
        (Ok(raw), None) => raw,
        (Ok(_), Some(problem)) => return Err(vec![problem]),
        (Err(mut problems), body) => {
            problems.extend(body);
            return Err(problems);
        }
    };
    let meta = meta::validate(raw).map_err(|p| front_matter::locate_problems(&parts, p))?;
    let slug = slug_of(rel, &meta, &parts)?;
    let body = body(parts.body);
    let image_source_pos = match body {
        Body::Held(_) => Some(image_source_positions(&parts, meta.image_sources.len())),
        Body::InFile { .. } => None,
    };
    let aliases_pos = match meta.aliases.is_empty() {
        true => None,
        false => front_matter::locate(&parts, &["aliases"]),
    };
    let warnings = empty_rows(&meta)
        .into_iter()
        .map(|key| {
            let message = format!(
                "`{key}` is empty, and the article is not a draft: the meta box would show an empty row; fill it in or remove the key"
            );
            Diagnostic::warning(rel, front_matter::locate(&parts, &[key]), message)
        })
        .collect();
    Ok(Article {
        path: rel.to_path_buf(),
        slug,
        meta,
        body,
        body_line: parts.body_line,
        image_source_pos,
        aliases_pos,
        warnings,
        version: source_version(rel, text),
    })
}

/// An article's front matter as serde reads it, for tests.
#[cfg(test)]
pub(crate) fn front_matter_of(text: &str) -> Option<meta::RawMeta> {
    let parts = split(Path::new("x.md"), text).ok()?;
    front_matter::read_raw(&parts).ok()
}

/// Keys of a published article's meta box rows with nothing in them, as
/// `notesite new` leaves `summary: ""` and the like. Empty lists are left
/// out of the box (see `meta_box::rows`), so they are no empty row.
fn empty_rows(meta: &Meta) -> Vec<&'static str> {
    match meta.draft {
        true => Vec::new(),
        false => meta.blank_rows(),
    }
}

/// Where each `image_sources` entry's `url:` is, in one pass over that
/// key's lines (a `locate` per entry cost a tenth of the content stage at
/// 10k articles).
fn image_source_positions(parts: &front_matter::Parts, count: usize) -> Vec<Option<Pos>> {
    if count == 0 {
        return Vec::new();
    }
    let block = parts.block();
    let mut positions: Vec<Option<Pos>> = match block.nested_positions("image_sources", "url") {
        Some((_, found)) => found.take(count).map(Some).collect(),
        None => Vec::new(),
    };
    positions.resize(count, None);
    positions
}

fn slug_of(
    rel: &Path,
    meta: &Meta,
    parts: &front_matter::Parts,
) -> Result<String, Vec<Diagnostic>> {
    let (slug, pos) = match &meta.slug {
        Some(slug) => (slug.clone(), front_matter::locate(parts, &["slug"])),
        None => {
            let stem = rel
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            meta::check_slug(&stem).map_err(|why| {
                vec![Diagnostic::error(
                    rel,
                    None,
                    format!("{why}; it comes from the file name: rename the file or set `slug:`"),
                )]
            })?;
            (stem, None)
        }
    };
    check_article_slug(&slug).map_err(|why| vec![Diagnostic::error(rel, pos, why)])?;
    Ok(slug)
}

/// Every field of the post meta the field table gives a skeleton value,
/// valid as written, for the writer to fill.
pub fn article_skeleton(title: &str, date: &str) -> String {
    let title = serde_yaml::to_string(title).expect("a string always serializes");
    let title = title.strip_suffix('\n').unwrap_or(&title);
    let mut out = String::from("---\n");
    for field in meta::FIELDS {
        if let Some(value) = field.skeleton {
            let value = value.replace("{title}", title).replace("{date}", date);
            out.push_str(&format!("{}: {value}\n", field.key));
        }
    }
    out.push_str(
        "---\n\
\n\
Start with what the reader will notice and why it matters.\n\
\n\
## why this matters\n\
\n\
## production checks\n\
\n\
## final notes\n",
    );
    out
}

/// Every rule an article's slug must meet: safe characters, a length a file
/// system takes, and not a folder of generated pages.
pub fn check_article_slug(slug: &str) -> Result<(), String> {
    meta::check_slug(slug)?;
    if crate::page_kind::reserved_slugs().contains(&slug) {
        return Err(format!(
            "slug `{slug}` is reserved for generated pages; choose another"
        ));
    }
    Ok(())
}

/// Two articles with one slug would overwrite each other's page: an error
/// that names both files.
fn check_unique_slugs<'a>(articles: impl Iterator<Item = &'a Article>) -> Vec<Diagnostic> {
    let mut by_slug: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for a in articles {
        by_slug.entry(&a.slug).or_default().push(&a.path);
    }
    let mut problems = Vec::new();
    for (slug, mut paths) in by_slug {
        paths.sort();
        for dup in paths.iter().skip(1) {
            problems.push(Diagnostic::error(
                *dup,
                None,
                format!(
                    "duplicate slug `{slug}`: {} has it too; set a different `slug:` in one of them",
                    paths[0].display()
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_has_every_field_and_validates() {
        let text = article_skeleton("redis: notes \"quoted\"", "2026-11-26");
        // Left out on purpose: the slug comes from the title, an article
        // without dates is published now and never expires, and `extra` is
        // the site's own, for its own templates.
        let optional = ["slug", "publish_date", "expiry_date", "extra"];
        for key in meta::keys().filter(|k| !optional.contains(k)) {
            assert!(text.contains(&format!("\n{key}:")), "{key} missing");
        }
        for key in optional {
            assert!(!text.contains(&format!("\n{key}:")), "{key} written");
        }
        let article = parse_article(Path::new("content/x.md"), &text).unwrap();
        assert_eq!(article.meta.title, "redis: notes \"quoted\"");
        assert!(article.meta.draft);
    }

    #[test]
    fn a_body_left_in_its_file_reads_back_the_same_and_an_edit_since_is_an_error() {
        let root = std::env::temp_dir().join(format!("notesite-body-{}", std::process::id()));
        std::fs::create_dir_all(root.join(CONTENT_DIR)).unwrap();
        let rel = Path::new("content/x.md");
        let text = format!(
            "{}\nsome ünïcode text\n",
            article_skeleton("x", "2026-11-26")
        );
        std::fs::write(root.join(rel), &text).unwrap();

        let off = FrontMatterCache::off();
        let held = parse_article(rel, &text).unwrap();
        let in_file = read_one(&root, rel, &off).unwrap();
        assert!(matches!(held.body, Body::Held(_)));
        assert!(matches!(in_file.body, Body::InFile { .. }));
        assert_eq!(in_file.body().unwrap(), held.body().unwrap());

        // An editor saves while the build runs: the page would not match
        // the meta read before, so it is an error, never a mixed page.
        std::fs::write(root.join(rel), text.replace("some", "other")).unwrap();
        let err = in_file.body().unwrap_err();
        assert!(
            err.to_string()
                .contains("changed while the build was reading it"),
            "{err}"
        );
        std::fs::remove_file(root.join(rel)).unwrap();
        let err = in_file.body().unwrap_err();
        assert!(err.to_string().contains("cannot be read again"), "{err}");
        assert_eq!(
            held.body().unwrap(),
            text[text.len() - held.body().unwrap().len()..]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
