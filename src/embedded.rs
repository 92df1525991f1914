//! The default templates, static files and example site, compiled into the
//! binary so `notesite init` works anywhere and a site without its own
//! `templates/` or `static/` still builds. They are the files at the root of
//! this repository, which is itself the example site.

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("taxonomy.html", include_str!("../templates/taxonomy.html")),
    ("term.html", include_str!("../templates/term.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("atom.xml", include_str!("../templates/atom.xml")),
    ("sitemap.xml", include_str!("../templates/sitemap.xml")),
    (
        "sitemap_index.xml",
        include_str!("../templates/sitemap_index.xml"),
    ),
    ("robots.txt", include_str!("../templates/robots.txt")),
    (
        "partials/meta_box.html",
        include_str!("../templates/partials/meta_box.html"),
    ),
    (
        "partials/toc.html",
        include_str!("../templates/partials/toc.html"),
    ),
    (
        "partials/figure.html",
        include_str!("../templates/partials/figure.html"),
    ),
    (
        "partials/similar.html",
        include_str!("../templates/partials/similar.html"),
    ),
    (
        "partials/article_list.html",
        include_str!("../templates/partials/article_list.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../templates/partials/pagination.html"),
    ),
];

pub const STATIC_FILES: &[(&str, &[u8])] = &[
    ("css/site.css", include_bytes!("../static/css/site.css")),
    ("js/site.js", include_bytes!("../static/js/site.js")),
    ("js/stem.js", include_bytes!("../static/js/stem.js")),
    ("js/search.js", include_bytes!("../static/js/search.js")),
    (
        "img/favicon.svg",
        include_bytes!("../static/img/favicon.svg"),
    ),
];

/// What `notesite init` writes besides the templates and static files: a
/// site of the user's own to fill in (not this repository's example site),
/// by path. `{date}` in the article is the day it is written.
pub const STARTER: &[(&str, &str)] = &[
    ("site.yaml", include_str!("cmd/starter/site.yaml")),
    (
        "content/first-note.md",
        include_str!("cmd/starter/content/first-note.md"),
    ),
    ("pages/about.md", include_str!("cmd/starter/pages/about.md")),
    (
        "root/robots.txt",
        include_str!("cmd/starter/root/robots.txt"),
    ),
];
