//! Content: reading `content/**/*.md` into validated articles.

mod front_matter;
pub mod meta;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use front_matter::{split, yaml_message};
pub use meta::Meta;

use crate::diag::{Diagnostic, Diagnostics, Pos};

pub const CONTENT_DIR: &str = "content";

/// Top-level output folders other than articles; a slug may not take them.
pub const RESERVED_SLUGS: [&str; 7] = [
    "page",
    "assets",
    "stack",
    "tools",
    "difficulty",
    "entities",
    "404",
];

/// One validated article, ready for the Markdown stage.
#[derive(Debug, Clone)]
pub struct Article {
    /// The source path as shown in messages: relative to the site root.
    pub path: PathBuf,
    pub slug: String,
    pub meta: Meta,
    pub body: String,
    /// Line of the file where `body` starts, to report body problems.
    pub body_line: usize,
}

/// Reads every article under `ROOT/content`, sorted newest first (then by
/// slug), and every problem found on the way.
pub fn load(root: &Path, include_drafts: bool) -> (Vec<Article>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let paths = match source_files(root) {
        Ok(paths) => paths,
        Err(d) => {
            diagnostics.push(d);
            return (Vec::new(), diagnostics);
        }
    };
    let results: Vec<Result<Article, Vec<Diagnostic>>> = paths
        .par_iter()
        .map(|rel| load_article(root, rel))
        .collect();
    let mut articles = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(article) => articles.push(article),
            Err(problems) => diagnostics.extend(problems),
        }
    }
    diagnostics.extend(check_unique_slugs(&articles));
    if !include_drafts {
        articles.retain(|a| !a.meta.draft);
    }
    articles.sort_by(|a, b| {
        b.meta
            .date
            .cmp(&a.meta.date)
            .then_with(|| a.slug.cmp(&b.slug))
    });
    (articles, diagnostics)
}

/// Relative paths of every `.md` file under `content/`, sorted.
fn source_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Err(Diagnostic::error(
            CONTENT_DIR,
            None,
            "no content folder; articles go in content/<slug>.md",
        ));
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !crate::fsx::is_hidden(e))
    {
        let entry = entry.map_err(|e| Diagnostic::error(CONTENT_DIR, None, e.to_string()))?;
        let is_markdown = entry.path().extension().is_some_and(|e| e == "md");
        if entry.file_type().is_file() && is_markdown {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            paths.push(rel.to_path_buf());
        }
    }
    Ok(paths)
}

fn load_article(root: &Path, rel: &Path) -> Result<Article, Vec<Diagnostic>> {
    let error = |pos: Option<Pos>, message: String| vec![Diagnostic::error(rel, pos, message)];
    let bytes =
        std::fs::read(root.join(rel)).map_err(|e| error(None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = crate::diag::utf8_error_pos(&e);
        error(Some(pos), "not valid UTF-8; save the file as UTF-8".into())
    })?;
    parse_article(rel, &text)
}

/// Parses one article's text; `rel` is only used to name it in messages and
/// to default the slug.
pub fn parse_article(rel: &Path, text: &str) -> Result<Article, Vec<Diagnostic>> {
    let to_diagnostics = |located: Vec<front_matter::Located>| -> Vec<Diagnostic> {
        located
            .into_iter()
            .map(|l| Diagnostic::error(rel, l.pos, l.message))
            .collect()
    };
    let parts = split(text).map_err(|e| vec![Diagnostic::error(rel, Some(e.pos), e.message)])?;
    let raw = front_matter::read_raw(&parts).map_err(to_diagnostics)?;
    let meta = meta::validate(raw)
        .map_err(|problems| to_diagnostics(front_matter::locate_problems(&parts, problems)))?;
    let slug = slug_of(rel, &meta, &parts)?;
    Ok(Article {
        path: rel.to_path_buf(),
        slug,
        meta,
        body: parts.body.to_string(),
        body_line: parts.body_line,
    })
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
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(vec![Diagnostic::error(
            rel,
            pos,
            format!("slug `{slug}` is reserved for generated pages; choose another"),
        )]);
    }
    Ok(slug)
}

/// Two articles with one slug would overwrite each other's page: an error
/// that names both files.
fn check_unique_slugs(articles: &[Article]) -> Vec<Diagnostic> {
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
