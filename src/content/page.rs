//! Standalone pages: `pages/NAME.md`, an About or Privacy page at `/slug/`
//! with a title and a body, outside every list, feed, taxonomy and the
//! search index. Their front matter is small and strict: each key is read
//! on its own, so one run reports every problem at its line.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::front_matter::{self, Parts};
use crate::diag::{Diagnostic, Diagnostics, Pos, did_you_mean};

pub(crate) const PAGES_DIR: &str = "pages";

/// The keys a page's front matter may have.
const KEYS: [&str; 6] = ["title", "slug", "summary", "menu", "draft", "extra"];

/// One standalone page, read and checked.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// The source path as shown in messages: relative to the site root.
    pub(crate) path: PathBuf,
    pub(crate) slug: String,
    /// Where the slug comes from: `slug:`, or the first line (the file name).
    pub(crate) slug_pos: Pos,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// Its place in the header's menu, if it has one.
    pub(crate) menu: Option<u32>,
    pub(crate) draft: bool,
    pub(crate) extra: Option<Value>,
    pub(crate) body: String,
    /// Line of the file where `body` starts.
    pub(crate) body_line: usize,
    /// A hash of the path and text (see `Article::version`).
    pub(crate) version: u64,
}

/// Every page under `ROOT/pages`, by path, and the problems of the rest.
/// A site without `pages/` has no pages.
pub(crate) fn read_all(root: &Path) -> (Vec<Page>, Diagnostics) {
    let mut problems = Diagnostics::default();
    let dir = root.join(PAGES_DIR);
    if !dir.is_dir() {
        return (Vec::new(), problems);
    }
    let (files, walk_problems) = crate::fsx::walk_files(root, &dir);
    problems.extend(crate::fsx::walk_errors(root, walk_problems));
    let mut pages = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        if rel.extension().is_none_or(|e| e != "md") {
            problems.extend([Diagnostic::warning(
                &rel,
                None,
                format!(
                    "not a page: pages are `.md` files; a file to publish as it is goes in {}/",
                    crate::root_files::ROOT_DIR
                ),
            )]);
            continue;
        }
        match read_one(root, &rel) {
            Ok(page) => pages.push(page),
            Err(found) => problems.extend(found),
        }
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    (pages, problems)
}

/// True for the files `pages/` holds pages in.
pub(crate) fn is_source(rel: &Path) -> bool {
    rel.starts_with(PAGES_DIR) && !crate::fsx::is_hidden_path(rel)
}

fn read_one(root: &Path, rel: &Path) -> Result<Page, Vec<Diagnostic>> {
    parse(rel, &super::read_source(root, rel)?)
}

/// Parses one page's text; `rel` names it in messages and gives the slug
/// when the page sets none.
pub(crate) fn parse(rel: &Path, text: &str) -> Result<Page, Vec<Diagnostic>> {
    let parts = super::split(rel, text).map_err(|e| vec![e])?;
    let mut problems = front_matter::unsafe_value_problems(&parts);
    if let Some((pos, message)) = front_matter::unsafe_body_char(parts.body, parts.body_line) {
        problems.push(Diagnostic::error(rel, Some(pos), message));
    }
    let map = match serde_yaml::from_str::<Value>(parts.yaml) {
        Ok(Value::Mapping(map)) => map,
        Ok(Value::Null) => serde_yaml::Mapping::new(),
        Ok(_) => {
            problems.push(Diagnostic::error(
                rel,
                Some(Pos::new(parts.yaml_line, 1)),
                "front matter must be `key: value` lines",
            ));
            return Err(problems);
        }
        Err(e) => {
            problems.push(front_matter::syntax_problem(&parts, &e));
            return Err(problems);
        }
    };
    let mut reader = Reader {
        parts: &parts,
        problems,
    };
    let mut page = Page {
        path: rel.to_path_buf(),
        slug: String::new(),
        slug_pos: Pos::new(1, 1),
        title: String::new(),
        summary: String::new(),
        menu: None,
        draft: false,
        extra: None,
        body: parts.body.to_string(),
        body_line: parts.body_line,
        version: super::source_version(rel, text),
    };
    let mut slug = None;
    for (key, value) in &map {
        let Some(key) = key.as_str() else {
            reader.error(None, "front-matter keys must be text".to_string());
            continue;
        };
        match key {
            "title" => page.title = reader.text(key, value).unwrap_or_default(),
            "summary" => page.summary = reader.text(key, value).unwrap_or_default(),
            "slug" => slug = reader.text(key, value),
            "menu" => page.menu = reader.position(key, value),
            "draft" => page.draft = reader.flag(key, value),
            "extra" => page.extra = Some(value.clone()),
            other => reader.unknown(other),
        }
    }
    if page.title.trim().is_empty() && !map.contains_key("title") {
        let fence = Some(Pos::new(parts.yaml_line - 1, 1));
        reader.error(fence, "a page needs a `title`".to_string());
    } else if page.title.trim().is_empty() {
        reader.error(reader.at("title"), "`title` is empty".to_string());
    }
    (page.slug, page.slug_pos) = reader.slug(rel, slug);
    if reader.problems.is_empty() {
        Ok(page)
    } else {
        Err(reader.problems)
    }
}

/// Reads a page's keys one by one, keeping every problem.
struct Reader<'p> {
    parts: &'p Parts<'p>,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn at(&self, key: &str) -> Option<Pos> {
        front_matter::locate(self.parts, &[key])
    }

    fn error(&mut self, pos: Option<Pos>, message: String) {
        let pos = pos.or(Some(Pos::new(self.parts.yaml_line, 1)));
        self.problems
            .push(Diagnostic::error(self.parts.path, pos, message));
    }

    /// Text, or a number or boolean read as text (as `title: 2024`).
    fn text(&mut self, key: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                let message = format!("`{key}` must be text; put the value in quotes");
                self.error(self.at(key), message);
                None
            }
        }
    }

    fn position(&mut self, key: &str, value: &Value) -> Option<u32> {
        let number = value.as_u64().and_then(|n| u32::try_from(n).ok());
        if number.is_none() {
            let message = format!(
                "`{key}` is the page's place in the menu: a whole number (1, 2, …), or leave the key out"
            );
            self.error(self.at(key), message);
        }
        number
    }

    fn flag(&mut self, key: &str, value: &Value) -> bool {
        value.as_bool().unwrap_or_else(|| {
            self.error(self.at(key), format!("`{key}` must be true or false"));
            false
        })
    }

    fn unknown(&mut self, key: &str) {
        let hint = match did_you_mean(key, KEYS) {
            _ if super::meta::is_key(key) => format!(
                "`{key}` is a key of articles; a page has only {}",
                KEYS.join(", ")
            ),
            Some(known) => format!("did you mean `{known}`?"),
            None => format!("known keys: {}", KEYS.join(", ")),
        };
        self.error(self.at(key), format!("unknown key `{key}`; {hint}"));
    }

    /// `slug:` if set, else the file name; either must be a slug an
    /// article could have.
    fn slug(&mut self, rel: &Path, declared: Option<String>) -> (String, Pos) {
        let (slug, pos, from_name) = match declared {
            Some(slug) => (slug, self.at("slug"), ""),
            None => {
                let stem = rel.file_stem().unwrap_or_default().to_string_lossy();
                let hint = "; it comes from the file name: rename the file or set `slug:`";
                (stem.into_owned(), Some(Pos::new(1, 1)), hint)
            }
        };
        if let Err(why) = super::check_article_slug(&slug) {
            self.error(pos, format!("{why}{from_name}"));
        }
        (slug, pos.unwrap_or(Pos::new(1, 1)))
    }
}

/// Pages that take another's slug, or an article's (`article_slugs`: every
/// article read, drafts too, by source path): errors naming both files.
pub(crate) fn slug_clashes<'a>(
    pages: &[Page],
    article_slugs: impl Iterator<Item = (&'a Path, &'a str)>,
) -> Vec<Diagnostic> {
    let mut owners: std::collections::HashMap<&str, &Path> =
        article_slugs.map(|(path, slug)| (slug, path)).collect();
    let mut problems = Vec::new();
    for page in pages {
        match owners.get(page.slug.as_str()) {
            Some(other) => problems.push(Diagnostic::error(
                &page.path,
                Some(page.slug_pos),
                format!(
                    "slug `{}` is taken by {}: both would be published at /{}/; set a different `slug:` in one of them",
                    page.slug,
                    other.display(),
                    page.slug
                ),
            )),
            None => {
                owners.insert(&page.slug, &page.path);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Page, Vec<Diagnostic>> {
        parse(Path::new("pages/about.md"), text)
    }

    #[test]
    fn a_page_takes_its_slug_from_the_file_name() {
        let page = parse_text("---\ntitle: About\nmenu: 2\n---\nHello.\n").unwrap();
        assert_eq!(page.slug, "about");
        assert_eq!(page.title, "About");
        assert_eq!(page.menu, Some(2));
        assert_eq!(page.body_line, 5);
        assert!(!page.draft);
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let problems =
            parse_text("---\ntitel: About\ndate: 2026-01-01\nmenu: first\ndraft: maybe\n---\n")
                .unwrap_err();
        let shown: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
        let expected = [
            "pages/about.md:2:1: error: unknown key `titel`; did you mean `title`?",
            "pages/about.md:3:1: error: unknown key `date`; `date` is a key of articles; a page has only title, slug, summary, menu, draft, extra",
            "pages/about.md:4:1: error: `menu` is the page's place in the menu: a whole number (1, 2, …), or leave the key out",
            "pages/about.md:5:1: error: `draft` must be true or false",
            "pages/about.md:1:1: error: a page needs a `title`",
        ];
        assert_eq!(shown, expected);
    }

    #[test]
    fn a_bad_slug_is_an_error_at_its_line() {
        let problems = parse_text("---\ntitle: About\nslug: About Us\n---\n").unwrap_err();
        assert_eq!(problems[0].pos, Some(Pos::new(3, 1)));
        let problems = parse_text("---\ntitle: About\nslug: search\n---\n").unwrap_err();
        assert!(problems[0].message.contains("reserved"), "{problems:?}");
    }
}
