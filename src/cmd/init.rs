use std::path::Path;

use anyhow::{Result, bail};

use notesite::{STARTER, STATIC_FILES, TEMPLATES, create_dir_all, now, write_file};

use crate::cli::InitArgs;

/// Writes a complete, working site of the user's own: a config to fill in,
/// one short example article, an About page, a robots.txt for the root, and
/// the default templates and static files to edit.
pub(super) fn execute(root: &Path, args: InitArgs) -> Result<()> {
    let dir = root.join(&args.dir);
    if dir.exists() {
        if !dir.is_dir() {
            bail!(
                "{} is a file, not a folder; init writes a site into a new or empty folder",
                dir.display()
            );
        }
        let empty = std::fs::read_dir(&dir)?.next().is_none();
        if !empty {
            bail!(
                "{} already exists and is not empty; init only writes into a new or empty folder",
                dir.display()
            );
        }
    }
    let today = now(None)
        .map_err(anyhow::Error::msg)?
        .date_naive()
        .to_string();
    let starter = STARTER.iter().map(|(path, text)| {
        (
            path.to_string(),
            text.replace("{date}", &today).into_bytes(),
        )
    });
    let templates = (TEMPLATES.iter())
        .map(|(name, text)| (format!("templates/{name}"), text.as_bytes().to_vec()));
    let statics =
        (STATIC_FILES.iter()).map(|(name, bytes)| (format!("static/{name}"), bytes.to_vec()));
    let files: Vec<(String, Vec<u8>)> = starter.chain(templates).chain(statics).collect();
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            create_dir_all(parent)?;
        }
        write_file(&path, bytes)?;
    }
    println!(
        "created a site in {dir} ({count} files)\n\
         next: fill in title and base_url in {dir}/site.yaml, then preview it with \
         `notesite serve --root {dir}`",
        dir = dir.display(),
        count = files.len(),
    );
    Ok(())
}
