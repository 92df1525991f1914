//! `notesite import PATH...`: exported articles into `content/<slug>.md`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use rayon::prelude::*;

use notesite::{
    CONTENT_DIR, Diagnostic, Pos, check_article_slug, claimed_slugs, create_dir_all, is_hidden,
    parse_article, parse_export, to_source, utf8_error_pos, write_atomic,
};

use crate::cli::ImportArgs;

/// Files converted between two writes.
const CHUNK: usize = 2048;

/// What happened to one input file.
enum Outcome {
    Imported,
    /// Already there with the same content.
    Unchanged,
    /// There with other content, and no --force: left alone.
    Kept(PathBuf),
    Failed(Diagnostic),
}

/// A parsed export, ready to be written.
struct Converted {
    input: PathBuf,
    slug: String,
    source: String,
}

pub(super) fn execute(root: &Path, args: ImportArgs) -> Result<()> {
    let started = Instant::now();
    super::configure_threads(args.jobs)?;
    let (inputs, mut failures) = input_files(&args.paths);
    let progress = super::counting_bar("importing", "files");
    progress.set_length(inputs.len() as u64);
    let content = root.join(CONTENT_DIR);
    create_dir_all(&content)?;
    // Chunks keep memory bounded (a converted article is held only until its
    // chunk is written) while slugs are still claimed in input order. The
    // site's own articles claim theirs first.
    let mut owners = existing_slugs(root);
    let mut outcomes = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(CHUNK) {
        let converted: Vec<Result<Converted, Diagnostic>> =
            chunk.par_iter().map(|input| convert(input)).collect();
        let (ready, duplicates) = claim_slugs(converted, &mut owners);
        failures.extend(duplicates);
        outcomes.par_extend(ready.par_iter().map(|c| write(&content, c, args.force)));
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    report(outcomes, failures, started)
}

/// Every file named, and every `*.txt` under every folder named, sorted
/// per argument so runs are repeatable. Missing paths are failures.
fn input_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walk = walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter();
            for entry in walk.filter_entry(|e| !is_hidden(e)) {
                match entry {
                    Ok(e) if e.path().extension().is_some_and(|x| x == "txt") => {
                        match regular_file(e.path()) {
                            Ok(()) => files.push(e.into_path()),
                            Err(why) => failures.push(Diagnostic::error(e.path(), None, why)),
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let at = e.path().unwrap_or(path).to_path_buf();
                        failures.push(Diagnostic::error(at, None, e.to_string()));
                    }
                }
            }
        } else {
            match regular_file(path) {
                Ok(()) => files.push(path.clone()),
                Err(why) => failures.push(Diagnostic::error(path, None, why)),
            }
        }
    }
    (files, failures)
}

/// An export must be a regular file, or a symlink to one (followed): a
/// FIFO would block the import, and nothing is skipped without a word.
fn regular_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) if meta.is_dir() => Err("a folder named like an export; skipped".into()),
        Ok(_) => Err("not a regular file (a FIFO, socket or device); skipped".into()),
        Err(_) if std::fs::symlink_metadata(path).is_ok() => {
            Err("a symlink to nothing; skipped".into())
        }
        Err(_) => Err("no such file or folder".into()),
    }
}

fn convert(input: &Path) -> Result<Converted, Diagnostic> {
    let fail = |pos: Option<Pos>, message: String| Diagnostic::error(input, pos, message);
    let bytes = std::fs::read(input).map_err(|e| fail(None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = utf8_error_pos(&e);
        fail(
            Some(Pos::new(pos.line, 1)),
            "not UTF-8 text; this is not an export".into(),
        )
    })?;
    let doc = parse_export(input, &text)?;
    let slug = doc.slug();
    if let Err(why) = check_article_slug(&slug) {
        let line = text.lines().position(|l| l.trim() == doc.title().trim());
        return Err(fail(
            line.map(|l| Pos::new(l + 1, 1)),
            format!("{why}: it comes from the title"),
        ));
    }
    let source = to_source(&doc);
    // The written file must build: check it with the build's own parser.
    let target = Path::new(CONTENT_DIR).join(format!("{slug}.md"));
    parse_article(&target, &source).map_err(|problems| {
        let Some(first) = problems.first() else {
            return fail(None, "the converted article would not build".into());
        };
        let at = first
            .pos
            .and_then(|pos| export_line(&text, &source, pos.line));
        let message = match (at, first.pos) {
            (Some(_), _) | (None, None) => first.message.clone(),
            (None, Some(pos)) => format!(
                "{} (line {} of the converted article)",
                first.message, pos.line
            ),
        };
        fail(
            at.map(|line| Pos::new(line, 1)),
            format!("the converted article would not build: {message}"),
        )
    })?;
    Ok(Converted {
        input: input.to_path_buf(),
        slug,
        source,
    })
}

/// The line of the export (1-based) that line `md_line` of the converted
/// article came from: the first export line with the same text once each
/// side's Markdown or export layout is stripped (`## `, `- `, `  • `), or
/// for a front matter line, the first that holds its value.
fn export_line(export: &str, source: &str, md_line: usize) -> Option<usize> {
    let line = source.lines().nth(md_line.checked_sub(1)?)?;
    let strip = |l: &str| -> String {
        l.trim()
            .trim_start_matches(['#', '-', '•', '>', '*'])
            .trim()
            .to_string()
    };
    let wanted = strip(line);
    if wanted.is_empty() {
        return None;
    }
    let lines = || export.lines().enumerate();
    let same = lines().find(|(_, l)| strip(l) == wanted);
    let value = || {
        let (_, value) = line.split_once(": ")?;
        let value = value.trim().trim_matches(['"', '\'']);
        (!value.is_empty())
            .then(|| lines().find(|(_, l)| l.contains(value)))
            .flatten()
    };
    same.or_else(value).map(|(index, _)| index + 1)
}

/// Who holds a slug.
enum Owner {
    /// An input of this run.
    Imported(PathBuf),
    /// An article of the site whose `slug:` names it from another file.
    Article(PathBuf),
}

/// Slugs the site's articles claim, as the build reads them, except by
/// `content/<slug>.md` itself: that is the file an import would write, and
/// is handled as an existing file (unchanged, kept, or `--force`).
fn existing_slugs(root: &Path) -> HashMap<String, Owner> {
    let mut owners = HashMap::new();
    for (rel, slug) in claimed_slugs(root) {
        if rel != Path::new(CONTENT_DIR).join(format!("{slug}.md")) && !slug.is_empty() {
            owners.entry(slug).or_insert(Owner::Article(rel));
        }
    }
    owners
}

/// Two inputs with one title would write one file; the first (in input
/// order) gets it and the others fail, naming it.
fn claim_slugs(
    converted: Vec<Result<Converted, Diagnostic>>,
    owner: &mut HashMap<String, Owner>,
) -> (Vec<Converted>, Vec<Diagnostic>) {
    let mut ready = Vec::new();
    let mut failures = Vec::new();
    for result in converted {
        match result {
            Err(d) => failures.push(d),
            Ok(c) => match owner.get(&c.slug) {
                Some(Owner::Imported(first)) => failures.push(Diagnostic::error(
                    &c.input,
                    None,
                    format!(
                        "slug `{}` is also the slug of {}, imported in this run",
                        c.slug,
                        first.display()
                    ),
                )),
                Some(Owner::Article(path)) => failures.push(Diagnostic::error(
                    &c.input,
                    None,
                    format!(
                        "slug `{}` is already the slug of {}; importing would make two articles with one page",
                        c.slug,
                        path.display()
                    ),
                )),
                None => {
                    owner.insert(c.slug.clone(), Owner::Imported(c.input.clone()));
                    ready.push(c);
                }
            },
        }
    }
    (ready, failures)
}

fn write(content: &Path, c: &Converted, force: bool) -> Outcome {
    let target = content.join(format!("{}.md", c.slug));
    match std::fs::read(&target) {
        Ok(existing) if existing == c.source.as_bytes() => return Outcome::Unchanged,
        Ok(_) if !force => return Outcome::Kept(target),
        _ => {}
    }
    match write_atomic(&target, &c.source) {
        Ok(()) => Outcome::Imported,
        Err(e) => Outcome::Failed(Diagnostic::error(&c.input, None, format!("{e:#}"))),
    }
}

fn report(outcomes: Vec<Outcome>, mut failures: Vec<Diagnostic>, started: Instant) -> Result<()> {
    let (mut imported, mut skipped) = (0, 0);
    for outcome in outcomes {
        match outcome {
            Outcome::Imported => imported += 1,
            Outcome::Unchanged => skipped += 1,
            Outcome::Kept(target) => {
                skipped += 1;
                eprintln!(
                    "{}: skipped: it exists with other content; pass --force to overwrite",
                    target.display()
                );
            }
            Outcome::Failed(d) => failures.push(d),
        }
    }
    failures.sort_by(|a, b| a.path.cmp(&b.path));
    for failure in &failures {
        eprintln!("{failure}");
    }
    println!(
        "imported {imported}, skipped {skipped}, failed {} in {:.2}s",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        bail!(
            "{} file{} could not be imported",
            failures.len(),
            if failures.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
