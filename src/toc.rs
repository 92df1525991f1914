//! The table of contents of a page: its headings as a tree, from the ids
//! and texts the Markdown stage gave them.

use serde::Serialize;

use crate::markdown::Heading;

/// One entry: a heading and the deeper headings under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TocEntry {
    pub(crate) level: usize,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) children: Vec<TocEntry>,
}

/// The headings from `##` down to level `depth` as a tree; empty when
/// fewer than `min_headings` of them are `##` or `###`, so a short page
/// shows none. A heading deeper than the one before it nests under it
/// (however many levels it skips); one at a level no heading above it
/// has starts a new branch at the top.
pub(crate) fn build(headings: &[Heading], min_headings: usize, depth: usize) -> Vec<TocEntry> {
    let counted = headings.iter().filter(|h| matches!(h.level, 2 | 3)).count();
    if counted < min_headings.max(1) {
        return Vec::new();
    }
    let mut top: Vec<TocEntry> = Vec::new();
    for heading in headings.iter().filter(|h| (2..=depth).contains(&h.level)) {
        let entry = TocEntry {
            level: heading.level,
            id: heading.id.clone(),
            title: heading.title.clone(),
            children: Vec::new(),
        };
        insert(&mut top, entry);
    }
    top
}

/// Puts `entry` under the last entry of `list` while that one is
/// shallower, else at the end of `list`.
fn insert(list: &mut Vec<TocEntry>, entry: TocEntry) {
    match list.last_mut() {
        Some(last) if last.level < entry.level => insert(&mut last.children, entry),
        _ => list.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: usize, id: &str) -> Heading {
        Heading {
            level,
            id: id.into(),
            title: id.to_uppercase(),
        }
    }

    /// Each entry as `level:id`, children in brackets.
    fn shape(entries: &[TocEntry]) -> String {
        let items: Vec<String> = entries
            .iter()
            .map(|e| match e.children.is_empty() {
                true => format!("{}:{}", e.level, e.id),
                false => format!("{}:{}[{}]", e.level, e.id, shape(&e.children)),
            })
            .collect();
        items.join(" ")
    }

    #[test]
    fn headings_nest_by_level_and_deeper_ones_are_left_out() {
        let headings = [
            h(1, "title"),
            h(2, "a"),
            h(3, "a1"),
            h(4, "a1x"),
            h(3, "a2"),
            h(2, "b"),
            h(4, "b-deep"),
            h(2, "c"),
        ];
        assert_eq!(shape(&build(&headings, 3, 3)), "2:a[3:a1 3:a2] 2:b 2:c");
        assert_eq!(
            shape(&build(&headings, 3, 4)),
            "2:a[3:a1[4:a1x] 3:a2] 2:b[4:b-deep] 2:c"
        );
        assert_eq!(build(&headings, 3, 3)[0].title, "A");
    }

    #[test]
    fn a_page_with_fewer_headings_than_the_minimum_has_none() {
        let headings = [h(2, "a"), h(3, "b"), h(4, "c"), h(4, "d")];
        assert!(build(&headings, 3, 6).is_empty(), "#### do not count");
        assert_eq!(shape(&build(&headings, 2, 3)), "2:a[3:b]");
        assert!(build(&[], 0, 3).is_empty());
    }

    #[test]
    fn a_heading_before_any_shallower_one_starts_at_the_top() {
        let headings = [h(3, "intro"), h(2, "a"), h(3, "a1")];
        assert_eq!(shape(&build(&headings, 1, 3)), "3:intro 2:a[3:a1]");
    }
}
