//! Fuzzing as a standing test (proptest): the importer, the front-matter
//! reader and the Markdown renderer never panic, and every input either
//! reads (renders) or fails with a position and a message. How long each
//! kind of input takes is measured by `bench/fuzz-time.sh`, not here.

use notesite::{parse_export, to_source};
use proptest::prelude::*;

const SEED: &str = include_str!("../fixtures/exports/seed.txt");

fn import_must_not_panic(text: &str) {
    match parse_export(std::path::Path::new("x.txt"), text) {
        Ok(doc) => {
            let source = to_source(&doc);
            // Whatever parsed must also be readable by the build, or be
            // reported by it: never a panic.
            let _ = notesite::parse_article(std::path::Path::new("content/x.md"), &source);
        }
        Err(e) => {
            let line = e.pos.expect("every export problem has a line").line;
            assert!(line >= 1, "line numbers are 1-based");
            assert!(!e.message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        import_must_not_panic(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn seed_with_lines_deleted_duplicated_or_replaced(
        edits in proptest::collection::vec((0usize..140, 0u8..3, "[ -~•\u{e9}]{0,40}"), 1..8)
    ) {
        let mut lines: Vec<String> = SEED.lines().map(String::from).collect();
        for (at, kind, text) in edits {
            let at = at % lines.len().max(1);
            match kind {
                0 if !lines.is_empty() => { lines.remove(at); }
                1 if !lines.is_empty() => { let l = lines[at].clone(); lines.insert(at, l); }
                _ => { if at < lines.len() { lines[at] = text; } else { lines.push(text); } }
            }
        }
        import_must_not_panic(&lines.join("\n"));
    }

    #[test]
    fn seed_with_bytes_flipped(flips in proptest::collection::vec((0usize..5256, any::<u8>()), 1..16)) {
        let mut bytes = SEED.as_bytes().to_vec();
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        import_must_not_panic(&String::from_utf8_lossy(&bytes));
    }
}

// Front matter: the seed article's, mutated, and arbitrary YAML structures.

const SEED_ARTICLE: &str = include_str!(
    "../../content/redis-caching-notes-running-scheduled-tasks-reliably-behind-a-cdn.md"
);

/// Reads `text` as an article: it parses, or every error has a position.
fn article_must_read_or_point(text: &str) {
    let path = std::path::Path::new("content/fuzzed.md");
    if let Err(problems) = notesite::parse_article(path, text) {
        assert!(!problems.is_empty());
        for problem in &problems {
            assert!(
                problem.pos.is_some(),
                "no position: {problem}\n--- input ---\n{text}"
            );
            assert!(!problem.message.is_empty());
        }
    }
}

/// YAML fragments a hostile or careless writer puts in front matter.
const HOSTILE_LINES: &[&str] = &[
    "title: 2024",
    "title: \"bell \\a\"",
    "title: \"x\\u202ey\"",
    "view_count: 1000000000000000000000000000000",
    "view_count: -1",
    "score: {quality: 140}",
    "date: 0000-01-01",
    "date: 2026-02-30",
    "a: &a [x, x, x, x, x, x, x, x, x]",
    "b: [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: *nope",
    "? [a, b]",
    ": 1",
    "5: x",
    "topic: !!binary aGVsbG8=",
    "reference: !custom foo",
    "stack: {not: a list}",
    "tools: [\"\", x]",
    "revision: 5",
    "slug: ../../etc",
    "slug: assets",
    "image_sources: [{url: javascript:alert(1), caption: x}]",
    "flags: {unknown_flag: true}",
    "outline: [a, b]",
    "{title: flow}",
    "- a list item",
    "title: x\ttab",
    "notes: |\n  a\n  block",
    "\"quoted key\": 1",
    "title:",
    "---",
    "...",
    "%YAML 1.2",
    "aliases: [\"/*\"]",
    "aliases: [/:slug/]",
    "aliases: [/index.html, /atom.xml, /assets/x/]",
    "aliases: [/.notesite/publish.json/]",
    "aliases: [\"/a\\u00a0b/\", \"/c\\u2028d/\", \"/e\\ufeff/\"]",
    "aliases: [/x/, /x]",
];

fn yaml_value() -> impl Strategy<Value = serde_yaml::Value> {
    use serde_yaml::Value;
    let key = prop_oneof![
        proptest::sample::select(vec![
            "title",
            "date",
            "slug",
            "topic",
            "stack",
            "tools",
            "score",
            "revision",
            "flags",
            "entities",
            "image_sources",
            "payload",
            "notes",
            "outline",
            "view_count",
            "quality",
            "url",
            "caption",
            "last_reviewed",
            "version",
            "bogus",
        ])
        .prop_map(String::from),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>().prop_map(|n| Value::Number(n.into())),
        "[ -~\u{e9}\u{202e}\u{7}]{0,24}".prop_map(Value::String),
        Just(Value::String("2026-07-01".into())),
        Just(Value::String("1.2.7".into())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Sequence),
            proptest::collection::vec((key.clone(), inner), 0..6).prop_map(|pairs| {
                Value::Mapping(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (Value::String(k), v))
                        .collect(),
                )
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn seed_front_matter_mutated(
        edits in proptest::collection::vec((0usize..40, 0u8..4, 0usize..HOSTILE_LINES.len(), "[ -~]{0,30}"), 1..6)
    ) {
        let mut lines: Vec<String> = SEED_ARTICLE.lines().map(String::from).collect();
        for (at, kind, hostile, text) in edits {
            let at = 1 + at % 38.min(lines.len() - 1);
            match kind {
                0 => { lines.remove(at); }
                1 => { let l = lines[at].clone(); lines.insert(at, l); }
                2 => lines.insert(at, HOSTILE_LINES[hostile].to_string()),
                _ => lines[at] = text,
            }
        }
        article_must_read_or_point(&lines.join("\n"));
    }

    #[test]
    fn arbitrary_yaml_structures(value in yaml_value()) {
        let yaml = serde_yaml::to_string(&value).unwrap();
        article_must_read_or_point(&format!("---\n{yaml}---\nbody\n"));
        if let serde_yaml::Value::Mapping(mut map) = value {
            // The same, with the keys a valid article needs.
            map.insert("title".into(), "t".into());
            map.insert("date".into(), "2026-07-01".into());
            let yaml = serde_yaml::to_string(&map).unwrap();
            article_must_read_or_point(&format!("---\n{yaml}---\nbody\n"));
        }
    }
}

// Aliases and bodies with every kind of odd character: an article reads
// only if its aliases are plain paths and its body carries no control or
// text-direction character; otherwise every error has a position.

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn aliases_and_bodies_with_control_characters(
        aliases in proptest::collection::vec(
            "/[a-z/.:*!? \u{a0}\u{2000}\u{200b}\u{3000}\u{2028}\u{feff}\u{e9}\u{7}]{0,12}", 0..4),
        body in "[ -~\n\t\u{0}\u{7}\u{1b}\u{85}\u{202e}\u{201c}\u{2028}]{0,60}",
    ) {
        let list: Vec<String> = aliases.iter().map(|a| serde_json::to_string(a).unwrap()).collect();
        let text = format!(
            "---\ntitle: t\ndate: 2026-07-01\naliases: [{}]\n---\n{body}\n",
            list.join(", ")
        );
        article_must_read_or_point(&text);
        if let Ok(article) = notesite::parse_article(std::path::Path::new("content/x.md"), &text) {
            for alias in &article.meta.aliases {
                prop_assert!(
                    alias.chars().all(|c| c.is_alphanumeric() || "-_.~/".contains(c)),
                    "alias {alias:?} passed"
                );
                prop_assert!(!alias.is_empty() && !alias.starts_with("assets/"));
            }
            prop_assert!(
                !body.chars().any(|c| (c.is_control() && !"\t\n\r".contains(c)) || c == '\u{202e}'),
                "a body with a control character passed"
            );
        }
    }
}

// Markdown bodies: deep nesting, long lines, raw HTML.

fn render(body: &str) -> notesite::Rendered {
    use std::sync::{Arc, OnceLock};
    static TEMPLATES: OnceLock<notesite::Templates> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        let root = std::path::Path::new("/nonexistent-notesite-root");
        let assets = Arc::new(notesite::AssetSet::default());
        notesite::Templates::load(root, assets, &serde_json::json!({})).unwrap()
    });
    let figure = |f: &notesite::Figure| templates.render_figure(f);
    let no_assets = |_: &str| None;
    let ctx = notesite::LinkContext {
        base_path: "",
        asset_url: &no_assets,
        render_figure: &figure,
        sanitize_html: true,
        page_of_source: &|_, name| Err(format!("there is no {name}")),
        image_size: &|_| None,
    };
    let place = notesite::Place {
        url: "/fuzzed/",
        source: std::path::Path::new("content/fuzzed.md"),
        image_sources: Some(&[]),
    };
    notesite::render_markdown(body, &place, &ctx)
}

fn body_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..3000).prop_map(|n| "<div>".repeat(n) + "x" + &"</div>".repeat(n)),
        (1usize..600).prop_map(|n| "<span><b>".repeat(n)),
        (1usize..400).prop_map(|n| "> ".repeat(n) + "deep quote"),
        (1usize..200).prop_map(|n| (0..n)
            .map(|i| format!("{}- item\n", "  ".repeat(i)))
            .collect()),
        (1usize..100_000).prop_map(|n| "word ".repeat(n / 5 + 1)),
        (1usize..50_000).prop_map(|n| format!("```rust\n{}\n```", "x".repeat(n))),
        (1usize..1500).prop_map(|n| format!(
            "|{}|\n|{}|\n|{}|",
            "h|".repeat(n),
            "-|".repeat(n),
            "a|".repeat(n)
        )),
        (1usize..300).prop_map(|n| "[".repeat(n) + &"]".repeat(n)),
        (1usize..300).prop_map(|n| "*".repeat(n) + "x" + &"*".repeat(n)),
        Just("<script>alert(1)</script><td style=\"position:fixed\">x</td>".to_string()),
        Just("![a](javascript:alert(1)) [b](/missing/) <me@example.com>".to_string()),
        Just("# a\n\n# a\n\n# a-1 {#a-1}".to_string()),
        "[ -~\n]{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn markdown_bodies_render_or_report(pieces in proptest::collection::vec(body_piece(), 1..4)) {
        let body = pieces.join("\n\n");
        let rendered = render(&body);
        for problem in &rendered.problems {
            prop_assert!(problem.offset <= body.len());
            prop_assert!(!problem.message.is_empty());
        }
        let failed = rendered
            .problems
            .iter()
            .any(|p| p.severity == notesite::Severity::Error);
        prop_assert!(failed || !rendered.html.contains("style="), "sanitized pages carry no style");
    }
}
