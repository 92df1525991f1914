use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::NewArgs;
use crate::config::CONFIG_FILE;
use crate::content::{CONTENT_DIR, check_article_slug, meta, meta::slug_from};
use crate::fsx;

/// Writes `content/<slug>.md` with every meta field present, as a draft.
pub fn execute(root: &Path, args: NewArgs) -> Result<()> {
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
    fsx::create_dir_all(&root.join(CONTENT_DIR))?;
    fsx::write(&path, skeleton(&args.title, &today()?))?;
    println!(
        "created {} as a draft; set `draft: false` to publish it",
        path.display()
    );
    Ok(())
}

/// Today's date at the build's *now* (SOURCE_DATE_EPOCH or the clock).
fn today() -> Result<String> {
    let now = crate::schedule::now(None).map_err(anyhow::Error::msg)?;
    Ok(now.date_naive().to_string())
}

/// Every field of the post meta the field table gives a skeleton value,
/// valid as written, for the writer to fill.
pub fn skeleton(title: &str, date: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_article;

    #[test]
    fn skeleton_has_every_field_and_validates() {
        let text = skeleton("redis: notes \"quoted\"", "2026-11-26");
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
}
