//! How much work the HTML sanitizer's tree builder (html5ever, inside
//! ammonia) would do on a page, estimated before it runs. Its cost per
//! tag grows with the depth of the open-element stack and the list of
//! active formatting elements: 50,000 nested `<div>` took 8 s, 120,000
//! `<div/>` 27 s. The estimate follows the parser's own rules closely
//! enough to be an upper bound: a tag it might leave open stays open here.
//!
//! - `<div/>` opens a `div` (the self-closing flag means nothing on HTML
//!   elements); only inside `svg` and `math` does `/>` close.
//! - `</x>` closes the nearest open `x` only when no "special" element
//!   (div, p, li, table, …) stands above it, as the parser's "any other end
//!   tag" rule does; otherwise it is ignored. A stray `</x>` closes nothing.
//! - Formatting elements (`b`, `i`, `a`, …) closed by anything but their
//!   own end tag stay in the active list, which the parser reopens inside
//!   every later block: they count toward the depth.
//! - Implied closes are taken only where they are certain: a new `li`,
//!   `dt`/`dd`, `td`/`th`, `tr`, `option` or `p` closing the same on top.

use std::ops::Range;

use pulldown_cmark::{Event, TagEnd};

/// The deepest stack (open elements plus reopened formatting ones) a page
/// may reach. Real articles stay far below it.
pub(crate) const MAX_DEPTH: usize = 512;

/// Steps of stack and list walking the estimate allows a page, a stand-in
/// for the tree builder's own work: 20 million is a few hundred
/// milliseconds of parsing.
pub(crate) const MAX_WORK: u64 = 20_000_000;

/// Where the estimate passed a limit, as a byte offset of the body, and why.
pub(crate) struct TooDeep {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Walks the events as the sanitizer will see their HTML; `None` when the
/// page stays within both limits.
pub(crate) fn check(events: &[(Event, Range<usize>)]) -> Option<TooDeep> {
    let mut tree = Tree::default();
    for (event, range) in events {
        let fine = match event {
            Event::Start(tag) => end_names(tag.to_end())
                .iter()
                .all(|name| tree.open(name, false)),
            Event::End(tag) => end_names(*tag).iter().rev().all(|name| tree.close(name)),
            Event::Html(html) | Event::InlineHtml(html) => tree.read(html),
            _ => true,
        };
        if !fine {
            return Some(TooDeep {
                offset: range.start,
                message: tree.why(),
            });
        }
    }
    None
}

/// The elements pulldown-cmark writes for a tag, opened at its start and
/// closed at its end.
fn end_names(tag: TagEnd) -> &'static [&'static str] {
    match tag {
        TagEnd::Paragraph => &["p"],
        TagEnd::Heading(_) => &["h2"],
        TagEnd::BlockQuote(_) => &["blockquote"],
        TagEnd::CodeBlock => &["pre", "code"],
        TagEnd::List(true) => &["ol"],
        TagEnd::List(false) => &["ul"],
        TagEnd::Item => &["li"],
        TagEnd::FootnoteDefinition => &["div"],
        TagEnd::Table => &["table"],
        TagEnd::TableHead => &["thead", "tr"],
        TagEnd::TableRow => &["tr"],
        TagEnd::TableCell => &["td"],
        TagEnd::Emphasis => &["em"],
        TagEnd::Strong => &["strong"],
        TagEnd::Strikethrough => &["del"],
        TagEnd::Link => &["a"],
        _ => &[],
    }
}

#[derive(Default)]
struct Tree {
    /// Open elements, lower-cased, innermost last, with whether each is
    /// foreign (inside `svg` or `math`).
    open: Vec<(Box<str>, bool)>,
    /// Formatting elements closed by something else: reopened later.
    formatting: Vec<Box<str>>,
    work: u64,
    deepest: usize,
}

impl Tree {
    fn depth(&self) -> usize {
        self.open.len() + self.formatting.len()
    }

    fn within_limits(&mut self) -> bool {
        self.deepest = self.deepest.max(self.depth());
        self.deepest <= MAX_DEPTH && self.work <= MAX_WORK
    }

    fn why(&self) -> String {
        if self.deepest > MAX_DEPTH {
            format!(
                "HTML here nests more than {MAX_DEPTH} elements deep (counting `<x/>`, which HTML \
                 reads as an open tag, and tags left open); sanitizing it would take minutes. \
                 Close the elements, or turn markdown.sanitize_html off if the content is trusted"
            )
        } else {
            format!(
                "the HTML of this article would take the sanitizer too long (more than {MAX_WORK} \
                 steps by here, from many tags left open); close the elements, or turn \
                 markdown.sanitize_html off if the content is trusted"
            )
        }
    }

    /// A start tag; `self_closing` is a `/>`, which only foreign content honours.
    fn open(&mut self, name: &str, self_closing: bool) -> bool {
        // A block start looks for a `p` to close down the whole stack;
        // phrasing content reopens the active formatting elements first.
        self.work += 1 + match closes_p(name) {
            true => self.depth(),
            false => self.formatting.len(),
        } as u64;
        self.imply_closes(name);
        let foreign = self.open.last().is_some_and(|(_, f)| *f) || matches!(name, "svg" | "math");
        if is_void(name) || (self_closing && foreign) {
            return self.within_limits();
        }
        self.open.push((name.into(), foreign));
        self.within_limits()
    }

    fn imply_closes(&mut self, name: &str) {
        let closes: &[&str] = match name {
            "li" => &["li"],
            "dt" | "dd" => &["dt", "dd"],
            "td" | "th" => &["td", "th"],
            "tr" => &["td", "th", "tr"],
            "option" => &["option"],
            n if closes_p(n) => &["p"],
            _ => return,
        };
        while self
            .open
            .last()
            .is_some_and(|(top, _)| closes.contains(&&**top))
        {
            self.open.pop();
        }
    }

    /// An end tag. A block's (`</div>`, `</li>`, `</table>`) closes the
    /// nearest open element of its name within its scope, as the parser
    /// does; any other closes it only when no special element stands above.
    fn close(&mut self, name: &str) -> bool {
        let stops: fn(&str) -> bool = if matches!(name, "li") {
            |open| is_scope_boundary(open) || matches!(open, "ol" | "ul")
        } else if closes_p(name) || matches!(name, "dd" | "dt" | "button") {
            is_scope_boundary
        } else if matches!(
            name,
            "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "caption"
        ) {
            |open| matches!(open, "table" | "template" | "html")
        } else {
            is_special
        };
        let mut found = None;
        for (at, (open, _)) in self.open.iter().enumerate().rev() {
            self.work += 1;
            if &**open == name {
                found = Some(at);
                break;
            }
            if stops(open) {
                break;
            }
        }
        if let Some(at) = found {
            for (closed, _) in self.open.drain(at + 1..) {
                if is_formatting(&closed) {
                    self.formatting.push(closed);
                }
            }
            self.open.pop();
        }
        // An end tag for a formatting element that is no longer open ends
        // its reopening; one that closed an open element leaves the earlier
        // ones as they were (the parser removes only the element it closed).
        if is_formatting(name)
            && found.is_none()
            && !self.open.iter().any(|(open, _)| &**open == name)
            && let Some(at) = self.formatting.iter().rposition(|f| &**f == name)
        {
            self.work += (self.formatting.len() - at) as u64;
            self.formatting.remove(at);
        }
        self.within_limits()
    }

    /// A fragment of raw HTML, tag by tag; `false` once past a limit.
    fn read(&mut self, html: &str) -> bool {
        let bytes = html.as_bytes();
        let mut i = 0;
        while let Some(at) = memchr_lt(&bytes[i..]) {
            i += at + 1;
            if bytes[i..].starts_with(b"!--") {
                i = find(bytes, i, b"-->").map_or(bytes.len(), |e| e + 3);
                continue;
            }
            let closing = bytes.get(i) == Some(&b'/');
            let start = i + usize::from(closing);
            if !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
                continue;
            }
            let len = bytes[start..]
                .iter()
                .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>'))
                .count();
            let name = html[start..start + len].to_ascii_lowercase();
            let end = tag_end(bytes, start + len);
            let self_closing = end > 0 && end <= bytes.len() && bytes[end - 1] == b'/';
            i = (end + 1).min(bytes.len());
            let fine = if closing {
                self.close(&name)
            } else {
                let fine = self.open(&name, self_closing);
                if is_raw_text(&name) {
                    // Its content is text up to its end tag.
                    let close = format!("</{name}");
                    i = find_ignoring_case(html, i, &close).unwrap_or(bytes.len());
                }
                fine
            };
            if !fine {
                return false;
            }
        }
        true
    }
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes[from.min(bytes.len())..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ignoring_case(html: &str, from: usize, needle: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let from = from.min(bytes.len());
    bytes[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        .map(|p| from + p)
}

/// The index of the `>` that ends a tag whose attributes start at `from`,
/// skipping quoted attribute values; the end of the text if none.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return i,
            _ => {}
        }
    }
    bytes.len()
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "textarea" | "title" | "xmp" | "iframe" | "noembed" | "noframes"
    )
}

fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Start tags that close an open `p` (when it is on top, in this model).
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "table"
            | "hr"
            | "xmp"
    )
}

/// Where the parser stops looking for an open element "in scope".
fn is_scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object" | "template"
    )
}

/// The parser's "special" category: an end tag for another element does
/// not close past one of these.
fn is_special(name: &str) -> bool {
    closes_p(name)
        || matches!(
            name,
            "applet"
                | "area"
                | "base"
                | "basefont"
                | "bgsound"
                | "body"
                | "br"
                | "button"
                | "caption"
                | "col"
                | "colgroup"
                | "dd"
                | "dt"
                | "embed"
                | "frame"
                | "frameset"
                | "head"
                | "html"
                | "iframe"
                | "img"
                | "input"
                | "li"
                | "link"
                | "marquee"
                | "meta"
                | "noembed"
                | "noframes"
                | "noscript"
                | "object"
                | "param"
                | "plaintext"
                | "script"
                | "search"
                | "select"
                | "source"
                | "style"
                | "tbody"
                | "td"
                | "template"
                | "textarea"
                | "tfoot"
                | "th"
                | "thead"
                | "title"
                | "tr"
                | "track"
                | "wbr"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of(html: &str) -> (bool, usize) {
        let mut tree = Tree::default();
        let fine = tree.read(html);
        (fine, tree.deepest)
    }

    #[test]
    fn balanced_void_and_foreign_self_closing_tags_stay_shallow() {
        assert_eq!(depth_of(&"<div>x</div>".repeat(1000)).1, 1);
        assert_eq!(depth_of(&"<br/><img src=x><hr>".repeat(1000)).1, 0);
        let svg = format!("<svg>{}</svg>", "<path d=\"M0 0\"/>".repeat(2000));
        assert_eq!(depth_of(&svg).1, 1);
        assert_eq!(depth_of(&"<ul><li>a<li>b<li>c</ul>".repeat(300)).1, 2);
        assert_eq!(depth_of("<a title=\"<div>\">x</a><!-- <div><div> -->").1, 1);
        assert_eq!(
            depth_of(&format!("<script>{}</script>", "<div>".repeat(900))).1,
            1
        );
    }

    /// Issue 19, item 5: the old guard counted `<div/>` as closed and any
    /// `</x>` as a close, so both walked around it.
    #[test]
    fn self_closed_divs_and_stray_end_tags_count_as_open() {
        let (fine, deepest) = depth_of(&"<div/>".repeat(600));
        assert!(!fine && deepest > MAX_DEPTH);
        let (fine, _) = depth_of(&"<div></span>".repeat(600));
        assert!(!fine, "a stray end tag closes nothing");
        let (fine, _) = depth_of(&"<span><div></span>".repeat(600));
        assert!(!fine, "an end tag does not close past a special element");
        // Formatting elements closed by another end tag are reopened later,
        // and closing a new one of the same name does not forget them.
        let (fine, _) = depth_of(&"<div><b class=x></div>".repeat(600));
        assert!(!fine);
        let (fine, _) = depth_of(&"<div><b class=x></div><b>y</b>".repeat(600));
        assert!(!fine);
        // A stray end tag for one that is no longer open ends it.
        let (fine, _) = depth_of(&"<div><b class=x></div></b>".repeat(600));
        assert!(fine);
    }

    #[test]
    fn the_work_bound_holds_without_depth() {
        // 400 open spans, then a million stray end tags that each walk them.
        let html = format!("{}{}", "<span>".repeat(400), "</q>".repeat(1_000_000));
        let (fine, deepest) = depth_of(&html);
        assert!(!fine && deepest <= MAX_DEPTH);
    }
}
