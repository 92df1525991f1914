//! The importer never panics: arbitrary bytes and arbitrary mutations of the
//! seed either import or fail with a line and a message.

use notesite::export::{parse_export, to_source};
use proptest::prelude::*;

const SEED: &str = include_str!("fixtures/exports/seed.txt");

fn import_must_not_panic(text: &str) {
    match parse_export(text) {
        Ok(doc) => {
            let source = to_source(&doc);
            // Whatever parsed must also be readable by the build, or be
            // reported by it: never a panic.
            let _ = notesite::content::parse_article(std::path::Path::new("content/x.md"), &source);
        }
        Err(e) => {
            assert!(e.line >= 1, "line numbers are 1-based");
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
