//! The floor for the build benchmark: read every article, render its
//! Markdown with pulldown-cmark, write the HTML, nothing else. No meta, no
//! templates, no highlighting, no lists. In parallel, like notesite, so the
//! ratio to it is an honest one.
//!
//!     cargo run --release --example floor -- CONTENT_DIR OUT_DIR

use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn main() -> std::io::Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [content, out] = args.as_slice() else {
        eprintln!("usage: floor CONTENT_DIR OUT_DIR");
        std::process::exit(2);
    };
    let files: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files.par_iter().try_for_each(|path| render(path, out))?;
    println!("rendered {} files", files.len());
    Ok(())
}

fn render(path: &Path, out: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    // Skip the front matter: the floor renders the body only.
    let body = text
        .split_once("\n---\n")
        .map_or(text.as_str(), |(_, body)| body);
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    let dir = out.join(path.file_stem().unwrap_or_default());
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("index.html"), html)
}
