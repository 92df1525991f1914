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
    /// Where components call components: to point at the call behind
    /// Tera's position-less "recursion depth exceeded".
    component_calls: Vec<ComponentCall>,
    /// A hash of every template's name and text and of the site-wide
    /// context: the page cache's key for everything the templates add.
    design: [u8; 32],
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

        let component_calls = sources
            .iter()
            .flat_map(|(name, (_, text))| component_calls(name, text))
            .collect();
        let mut templates = Templates {
            tera: Tera::new(),
            origins,
            component_calls,
            design: design_hash(&sources, globals),
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

    /// See `design`.
    pub(crate) fn design(&self) -> [u8; 32] {
        self.design
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
        if let Some(found) = self.component_cycle(error) {
            return found;
        }
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

/// Names and texts in name order (a `BTreeMap`), then the context as JSON.
fn design_hash(
    sources: &BTreeMap<String, (PathBuf, String)>,
    globals: &impl Serialize,
) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    for (name, (_, text)) in sources {
        for part in [name.as_str(), text.as_str()] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    // A context that does not serialize fails the load just after this.
    hasher.update(&serde_json::to_vec(globals).unwrap_or_default());
    *hasher.finalize().as_bytes()
}

/// A call of component `callee` inside the definition of `caller`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ComponentCall {
    caller: String,
    callee: String,
    template: String,
    pos: Pos,
}

/// Every `{{<name ...}}` call inside a `{% component name(...) %}`
/// definition of `text`: a scan of the text, since Tera keeps no map of
/// which component renders which.
fn component_calls(template: &str, text: &str) -> Vec<ComponentCall> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut calls = Vec::new();
    let mut rest_at = 0;
    while let Some(found) = text[rest_at..].find("component ") {
        let start = rest_at + found;
        rest_at = start + "component ".len();
        let opener = text[..start].trim_end_matches([' ', '-']);
        if !opener.ends_with("{%") {
            continue;
        }
        let caller = ident(&text[rest_at..]);
        let end = text[rest_at..]
            .find("endcomponent")
            .map_or(text.len(), |e| rest_at + e);
        let body = &text[rest_at..end];
        for (at, _) in body.match_indices("{{") {
            let after = body[at + 2..].trim_start_matches(['-', ' ']);
            let Some(call) = after.strip_prefix('<') else {
                continue;
            };
            let callee = ident(call);
            if callee.is_empty() {
                continue;
            }
            let offset = rest_at + at;
            let line = text[..offset].matches('\n').count() + 1;
            let column = text[..offset]
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                + 1;
            calls.push(ComponentCall {
                caller: caller.clone(),
                callee,
                template: template.to_string(),
                pos: Pos::new(line, column),
            });
        }
        rest_at = end;
    }
    calls
}

impl Templates {
    /// Tera stops components that render each other too deep with no
    /// position; this finds a cycle of calls and points at the call that
    /// closes it.
    fn component_cycle(&self, error: &tera::Error) -> Option<Diagnostic> {
        if !error.to_string().contains("recursion depth for components") {
            return None;
        }
        let calls = &self.component_calls;
        for first in calls {
            // Depth-first along calls from `first`, back to its caller.
            let mut chain = vec![first];
            let mut seen = std::collections::HashSet::new();
            while let Some(&last) = chain.last() {
                if last.callee == first.caller {
                    let mut names: Vec<&str> = chain.iter().map(|c| c.caller.as_str()).collect();
                    names.push(&first.caller);
                    let path = self.origins.get(&last.template).cloned()?;
                    return Some(Diagnostic::error(
                        path,
                        Some(last.pos),
                        format!(
                            "components render each other without end ({}); Tera stops them after 20 levels. Give the recursion a condition that ends it",
                            names.join(" → ")
                        ),
                    ));
                }
                let next = (calls.iter().enumerate())
                    .find(|(i, c)| c.caller == last.callee && seen.insert(*i))
                    .map(|(_, c)| c);
                match next {
                    Some(call) => chain.push(call),
                    None => {
                        chain.pop();
                    }
                }
            }
        }
        None
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
    let mut problems = crate::fsx::walk_errors(root, walk_problems);
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

    /// Issue 19, item 13: Tera says only "Maximum render recursion depth
    /// for components exceeded", with no template or line.
    #[test]
    fn components_that_render_each_other_forever_are_pointed_at() {
        let templates = load(&[
            (
                "partials/loop.html",
                "{% component a() %}\n<b>{{<b />}}</b>{% endcomponent a %}\n{% component b(n=1) %}\n  <i>{{< a />}}</i>\n{% endcomponent b %}\n",
            ),
            ("robots.txt", "{% include \"partials/loop.html\" %}{{<a />}}"),
        ])
        .unwrap();
        let shown = templates
            .render("robots.txt", &Context::new())
            .unwrap_err()
            .to_string();
        assert_eq!(
            shown,
            "templates/partials/loop.html:4:6: error: components render each other without end (a → b → a); \
             Tera stops them after 20 levels. Give the recursion a condition that ends it"
        );
    }
}
