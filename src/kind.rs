//! The kinds of taxonomy: the meta fields articles are grouped by (term
//! pages) and filtered by (search facets). A leaf: the content reader, the
//! taxonomies, the configuration and the search index all name them.

/// The taxonomies notesite knows. A `match` on this is exhaustive, so a new
/// one cannot be forgotten where terms are read (a string would compile
/// into an empty taxonomy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Stack,
    Tools,
    Difficulty,
    Entities,
}

impl Kind {
    /// Every kind, in the canonical order of pages and menus.
    pub(crate) const ALL: [Kind; 4] = [Kind::Stack, Kind::Tools, Kind::Difficulty, Kind::Entities];

    /// The name in `site.yaml`, in URLs and in templates.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Stack => "stack",
            Kind::Tools => "tools",
            Kind::Difficulty => "difficulty",
            Kind::Entities => "entities",
        }
    }

    /// Whether search results can be filtered by it: an article has a few
    /// values of it (an article's entities are records, and many).
    pub(crate) fn is_facet(self) -> bool {
        match self {
            Kind::Stack | Kind::Tools | Kind::Difficulty => true,
            Kind::Entities => false,
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}
