//! Tera templates: the built-in defaults, overridden by name by the site's
//! own `templates/`, with the `asset()` function and the site-wide context.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::assets::AssetSet;
use crate::diag::{Diagnostic, Pos};
use crate::embedded;

pub(crate) const TEMPLATES_DIR: &str = "templates";

pub struct Templates {
    tera: Tera,
    /// Template name → the file it came from, for messages.
    origins: BTreeMap<String, PathBuf>,
}

impl Templates {
    /// Loads defaults and the site's overrides, and registers `asset()`.
    /// `globals` is serialized once into the context every page shares.
    pub fn load(
        root: &Path,
        assets: Arc<AssetSet>,
        globals: &impl Serialize,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = embedded::TEMPLATES
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    (
                        PathBuf::from(format!("<built-in>/{name}")),
                        text.to_string(),
                    ),
                )
            })
            .collect();
        sources.extend(site_templates(root)?);
        let origins = sources
            .iter()
            .map(|(name, (path, _))| (name.clone(), path.clone()))
            .collect();

        let mut templates = Templates {
            tera: Tera::new(),
            origins,
        };
        templates
            .tera
            .register_function("asset", move |kwargs: Kwargs, _: &State| {
                asset_fn(&assets, kwargs)
            });
        let added = templates.tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, (_, text))| (name.as_str(), text.as_str())),
        );
        added.map_err(|e| {
            vec![cycle_diagnostic(&e, &sources).unwrap_or_else(|| templates.diagnostic(&e, ""))]
        })?;
        let context =
            Context::from_serialize(globals).map_err(|e| vec![templates.diagnostic(&e, "")])?;
        templates.tera.global_context().extend(context);
        Ok(templates)
    }

    pub(crate) fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| self.diagnostic(&e, name))
    }

    /// A Markdown figure through `partials/figure.html`.
    pub fn render_figure(&self, figure: &crate::markdown::Figure) -> Result<String, Diagnostic> {
        let context = Context::from_serialize(figure)
            .map_err(|e| self.diagnostic(&e, "partials/figure.html"))?;
        self.render("partials/figure.html", &context)
    }

    /// A Tera error as `templates/x.html:line:col: message`, with the causes
    /// Tera keeps in its source chain (such as what `asset()` said).
    fn diagnostic(&self, error: &tera::Error, rendering: &str) -> Diagnostic {
        let (name, pos, mut message) = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                let span = report.span();
                let pos =
                    (span.start_line > 0).then(|| Pos::new(span.start_line, span.start_col + 1));
                (
                    report.filename().to_string(),
                    pos,
                    report.message().to_string(),
                )
            }
            _ => (rendering.to_string(), None, error.to_string()),
        };
        let mut cause = std::error::Error::source(error);
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        let path = self.origins.get(&name).cloned().unwrap_or_else(|| {
            if name.is_empty() {
                PathBuf::from(TEMPLATES_DIR)
            } else {
                Path::new(TEMPLATES_DIR).join(&name)
            }
        });
        Diagnostic::error(path, pos, message)
    }
}

/// Tera reports include and extends cycles without a position; this names
/// every template in the cycle and points at the statement that closes it.
fn cycle_diagnostic(
    error: &tera::Error,
    sources: &BTreeMap<String, (PathBuf, String)>,
) -> Option<Diagnostic> {
    let text = error.to_string();
    let (kind, marker) = if text.contains("Circular include") {
        ("include", "Include chain: `")
    } else if text.contains("Circular extend") {
        ("extends", "Inheritance chain: `")
    } else {
        return None;
    };
    let list = text.split(marker).nth(1)?.split('`').next()?;
    let chain: Vec<&str> = list
        .trim_matches(['[', ']'])
        .split(',')
        .map(|name| name.trim().trim_matches('"'))
        .filter(|name| !name.is_empty())
        .collect();
    // Includes: the chain ends with the template met twice, included by the
    // one before it. Extends: the chain lists parents, and its last one
    // extends the first.
    let (from, to, shown) = match kind {
        "include" if chain.len() >= 2 => (
            chain[chain.len() - 2],
            chain[chain.len() - 1],
            chain.join(" → "),
        ),
        "extends" if !chain.is_empty() => {
            let mut cycle: Vec<&str> = chain.iter().rev().copied().collect();
            cycle.push(chain[chain.len() - 1]);
            (chain[chain.len() - 1], chain[0], cycle.join(" → "))
        }
        _ => return None,
    };
    let (path, source) = sources.get(from)?;
    let quoted = format!("\"{to}\"");
    let pos = (source.lines())
        .position(|line| line.contains(&quoted) && line.contains(kind))
        .map(|index| Pos::new(index + 1, 1));
    Some(Diagnostic::error(
        path,
        pos,
        format!("circular {kind}: {shown}"),
    ))
}

fn asset_fn(assets: &AssetSet, kwargs: Kwargs) -> tera::TeraResult<String> {
    let path: &str = kwargs.must_get("path")?;
    assets.url(path).ok_or_else(|| {
        let known: Vec<&str> = assets.logical_paths().collect();
        tera::Error::message(format!(
            "asset(path=\"{path}\"): no such file in static/; known: {}",
            known.join(", ")
        ))
    })
}

/// The site's own templates, by name (`partials/x.html`).
fn site_templates(root: &Path) -> Result<BTreeMap<String, (PathBuf, String)>, Vec<Diagnostic>> {
    let dir = root.join(TEMPLATES_DIR);
    let mut found = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    // The same walk as content and static files: symlinks are followed
    // while they stay inside the site, and one pointing out is an error.
    let (files, walk_problems) = crate::fsx::walk_files(root, &dir);
    let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let mut problems: Vec<Diagnostic> = walk_problems
        .into_iter()
        .map(|(path, message)| Diagnostic::error(relative(&path), None, message))
        .collect();
    for path in files {
        let rel = relative(&path);
        let name = path.strip_prefix(&dir).unwrap_or(&path);
        let name = name
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                found.insert(name, (rel, text));
            }
            Err(e) => problems.push(Diagnostic::error(
                rel,
                None,
                format!("cannot read template: {e}"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(files: &[(&str, &str)]) -> Result<Templates, Vec<Diagnostic>> {
        let root = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = root.path().join(TEMPLATES_DIR).join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Templates::load(
            root.path(),
            Arc::new(AssetSet::default()),
            &serde_json::json!({}),
        )
    }

    #[test]
    fn a_site_template_replaces_the_built_in_one_of_its_name() {
        let templates = load(&[("robots.txt", "custom robots")]).unwrap();
        assert_eq!(
            templates.render("robots.txt", &Context::new()).unwrap(),
            "custom robots"
        );
        // The others are the built-in ones.
        assert_eq!(
            templates.origins["robots.txt"],
            Path::new("templates/robots.txt")
        );
        assert_eq!(
            templates.origins["404.html"],
            Path::new("<built-in>/404.html")
        );
    }

    #[test]
    fn an_include_cycle_names_its_templates_and_the_closing_line() {
        let Err(problems) = load(&[
            ("partials/a.html", "{% include \"partials/b.html\" %}"),
            (
                "partials/b.html",
                "line one\n{% include \"partials/a.html\" %}",
            ),
            ("robots.txt", "{% include \"partials/a.html\" %}"),
        ]) else {
            panic!("an include cycle loads")
        };
        let shown = problems[0].to_string();
        assert!(
            shown.starts_with("templates/partials/b.html:2:1: error: circular include: "),
            "{shown}"
        );
        assert!(
            shown.contains("partials/a.html → partials/b.html → partials/a.html"),
            "{shown}"
        );
    }
}
