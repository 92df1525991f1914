use std::path::Path;

use anyhow::{Result, bail};

use notesite::{
    CONFIG_FILE, CONTENT_DIR, article_skeleton, check_article_slug, create_dir_all, now, slug_from,
    write_file,
};

use crate::cli::NewArgs;

/// Writes `content/<slug>.md` with every meta field present, as a draft.
pub(super) fn execute(root: &Path, args: NewArgs) -> Result<()> {
    if !root.join(CONFIG_FILE).is_file() {
        bail!(
            "no {CONFIG_FILE} in {}; run `notesite init DIR` first or pass --root",
            root.display()
        );
    }
    if args.title.trim().is_empty() {
        bail!(
            "the title is empty; pass the article's title, like notesite new \"redis notes: ttl\""
        );
    }
    let slug = args
        .slug
        .clone()
        .unwrap_or_else(|| slug_from(&args.title, "article"));
    check_article_slug(&slug).map_err(|why| match &args.slug {
        Some(_) => anyhow::anyhow!("{why}"),
        None => anyhow::anyhow!("{why}: it comes from the title; pass --slug"),
    })?;
    let path = root.join(CONTENT_DIR).join(format!("{slug}.md"));
    if path.exists() {
        bail!(
            "{} already exists; choose another title or --slug",
            path.display()
        );
    }
    create_dir_all(&root.join(CONTENT_DIR))?;
    write_file(&path, article_skeleton(&args.title, &today()?))?;
    println!(
        "created {} as a draft; set `draft: false` to publish it",
        path.display()
    );
    Ok(())
}

/// Today's date at the build's *now* (SOURCE_DATE_EPOCH or the clock).
fn today() -> Result<String> {
    let now = now(None).map_err(anyhow::Error::msg)?;
    Ok(now.date_naive().to_string())
}
