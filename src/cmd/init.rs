use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::InitArgs;
use crate::embedded;
use crate::fsx;

/// Writes a complete, working site: config, one example article, and the
/// default templates and static files to edit.
pub fn execute(root: &Path, args: InitArgs) -> Result<()> {
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
    let mut files: Vec<(String, &[u8])> = vec![
        ("site.yaml".into(), embedded::EXAMPLE_CONFIG.as_bytes()),
        (
            format!("content/{}", embedded::EXAMPLE_ARTICLE.0),
            embedded::EXAMPLE_ARTICLE.1.as_bytes(),
        ),
    ];
    files.extend(
        embedded::TEMPLATES
            .iter()
            .map(|(name, text)| (format!("templates/{name}"), text.as_bytes())),
    );
    files.extend(
        embedded::STATIC_FILES
            .iter()
            .map(|(name, bytes)| (format!("static/{name}"), *bytes)),
    );
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fsx::create_dir_all(parent)?;
        }
        fsx::write(&path, bytes)?;
    }
    println!(
        "created a site in {} ({} files); build it with `notesite build --root {}`",
        dir.display(),
        files.len(),
        dir.display()
    );
    Ok(())
}
