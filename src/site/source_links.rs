//! Links that name a source file (`other.md`, `../pages/about.md`) instead
//! of a page: which page each source file of the build became.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::site::Site;

/// Every source file that makes a page, by path and by file name.
#[derive(Debug, Default)]
pub(crate) struct SourceIndex {
    /// Source path (relative to the site root) → output folder (`slug/`).
    by_path: HashMap<PathBuf, String>,
    /// File name → every source path with it, sorted.
    by_name: HashMap<String, Vec<PathBuf>>,
}

impl SourceIndex {
    fn new<'a>(sources: impl Iterator<Item = (&'a Path, &'a str)>) -> SourceIndex {
        let mut index = SourceIndex::default();
        for (path, slug) in sources {
            index.by_path.insert(path.to_path_buf(), format!("{slug}/"));
            if let Some(name) = path.file_name() {
                let name = name.to_string_lossy().into_owned();
                index
                    .by_name
                    .entry(name)
                    .or_default()
                    .push(path.to_path_buf());
            }
        }
        for paths in index.by_name.values_mut() {
            paths.sort();
        }
        index
    }
}

impl Site {
    /// The output folder of the page made from the source file `resolved`
    /// (as the link's path from its file gives it); failing that, from the
    /// one source file named `name` (so `../other.md`, written as if from
    /// the page's URL, still finds `content/other.md`). Else why not.
    pub(crate) fn page_of_source(
        &self,
        resolved: Option<&Path>,
        name: &str,
    ) -> Result<String, String> {
        let index = self.source_index.get_or_init(|| {
            let articles = self
                .articles
                .iter()
                .map(|a| (a.path.as_path(), a.slug.as_str()));
            let pages = self
                .pages
                .iter()
                .map(|p| (p.path.as_path(), p.slug.as_str()));
            let broken = (self.salvaged.iter()).map(|s| (s.path.as_path(), s.slug.as_str()));
            SourceIndex::new(articles.chain(pages).chain(broken))
        });
        if let Some(dir) = resolved.and_then(|p| index.by_path.get(p)) {
            return Ok(dir.clone());
        }
        match index.by_name.get(name).map(Vec::as_slice) {
            Some([only]) => Ok(index.by_path[only].clone()),
            Some(several) => {
                let list: Vec<String> = several.iter().map(|p| p.display().to_string()).collect();
                Err(format!(
                    "more than one source file is named {name} ({}); write the path from this file",
                    list.join(", ")
                ))
            }
            None => Err(match resolved {
                Some(path) if self.root.join(path).is_file() => format!(
                    "{} makes no page in this build (a draft, or scheduled, or expired)",
                    path.display()
                ),
                Some(path) => format!("there is no {}", path.display()),
                None => format!("it leads outside the site, and no source file is named {name}"),
            }),
        }
    }
}
