//! Articles as exported text (the format of the seed export) and the
//! document model that `import` and `synth` share: an export is parsed into
//! a `Document`, synth generates `Document`s, and both are written as source
//! files by one writer, so an export round-trips to the very same source.

mod parse;
mod write;

use crate::content::meta::RawMeta;

pub use parse::parse_export;
pub use write::{to_export, to_source};

/// The heading line of the meta box in an export.
pub(crate) const META_BOX_TITLE: &str = "alphanode post meta";
/// Page chrome after the meta box; not content.
pub(crate) const SIMILAR_POSTS: &str = "Similar Posts";

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The meta, `title` included.
    pub(crate) meta: RawMeta,
    pub(crate) blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Paragraph(String),
    Heading(String),
    /// Lines of a code block, verbatim; the language is `code_language`.
    Code(Vec<String>),
    List(Vec<String>),
    /// An image, by its caption and credited source; the URL comes from the
    /// matching `image_sources` entry.
    Image {
        caption: String,
        source: String,
    },
}

impl Document {
    pub fn title(&self) -> &str {
        self.meta.title.as_deref().unwrap_or_default()
    }

    /// The slug an imported article gets: its title, made URL-safe.
    pub fn slug(&self) -> String {
        crate::content::meta::slug_from(self.title(), "article")
    }

    /// The URL of an image block, from the first `image_sources` entry with
    /// its caption and source (or its caption alone).
    pub(crate) fn image_url(&self, caption: &str, source: &str) -> Option<&str> {
        let sources = self.meta.image_sources.as_deref().unwrap_or_default();
        sources
            .iter()
            .find(|s| s.caption == caption && s.source == source)
            .or_else(|| sources.iter().find(|s| s.caption == caption))
            .map(|s| s.url.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const SEED: &str = include_str!("../../tests/fixtures/exports/seed.txt");

    #[test]
    fn seed_parses_into_blocks_and_meta() {
        let doc = parse_export(Path::new("seed.txt"), SEED).unwrap();
        assert_eq!(
            doc.title(),
            "redis caching notes: running scheduled tasks reliably behind a cdn"
        );
        let kinds: Vec<&str> = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(_) => "p",
                Block::Heading(_) => "h",
                Block::Code(_) => "code",
                Block::List(_) => "list",
                Block::Image { .. } => "img",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "p", "img", "img", "h", "p", "p", "p", "h", "p", "p", "code", "h", "list", "img",
                "h", "p"
            ]
        );
        assert_eq!(doc.meta.view_count, Some(127245));
        assert_eq!(doc.meta.entities.as_ref().unwrap().len(), 3);
        assert_eq!(
            doc.meta.image_sources.as_ref().unwrap()[2].url,
            "https://picsum.photos/seed/anp-008740/1200/630"
        );
        assert!(doc.meta.flags.as_ref().unwrap().image_heavy);
        assert_eq!(
            doc.slug(),
            "redis-caching-notes-running-scheduled-tasks-reliably-behind-a-cdn"
        );
    }

    #[test]
    fn export_writer_and_parser_agree() {
        let doc = parse_export(Path::new("seed.txt"), SEED).unwrap();
        assert_eq!(
            parse_export(Path::new("x.txt"), &to_export(&doc)).unwrap(),
            doc
        );
    }
}
