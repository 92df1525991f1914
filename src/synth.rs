//! A synthetic corpus for load testing: realistic articles in the seed's
//! shape, the same bytes for the same seed on every machine.
//!
//! Each article draws from its own ChaCha stream (seed, index), so articles
//! can be generated in parallel in any order. Titles are unique by
//! construction: the index picks a (stack, problem, scenario) combination
//! through a seed-dependent permutation, and repeats of a combination become
//! "part 2", "part 3".

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::content::meta::{
    Entity, Flags, ImageSource, Outline, Payload, RawMeta, RawRevision, RawScore,
};
use crate::export::{Block, Document};

struct Stack {
    name: &'static str,
    area: &'static str,
    language: &'static str,
    tools: &'static [&'static str],
}

const STACKS: [Stack; 30] = [
    Stack {
        name: "redis caching",
        area: "database",
        language: "bash",
        tools: &["redis", "ttl", "cache keys", "object cache"],
    },
    Stack {
        name: "postgresql",
        area: "database",
        language: "sql",
        tools: &["psql", "explain analyze", "pg_stat_statements", "indexes"],
    },
    Stack {
        name: "mysql",
        area: "database",
        language: "sql",
        tools: &["mysql client", "slow query log", "indexes", "replication"],
    },
    Stack {
        name: "sqlite",
        area: "database",
        language: "sql",
        tools: &["sqlite3", "wal mode", "indexes", "vacuum"],
    },
    Stack {
        name: "kubernetes",
        area: "deploys",
        language: "yaml",
        tools: &["kubectl", "readiness probes", "helm", "hpa"],
    },
    Stack {
        name: "docker",
        area: "deploys",
        language: "bash",
        tools: &["docker", "buildkit", "compose", "image layers"],
    },
    Stack {
        name: "nginx",
        area: "http",
        language: "bash",
        tools: &["curl", "cache-control", "access logs", "upstreams"],
    },
    Stack {
        name: "haproxy",
        area: "http",
        language: "bash",
        tools: &["health checks", "stick tables", "curl", "access logs"],
    },
    Stack {
        name: "rust services",
        area: "backend",
        language: "rust",
        tools: &["tokio", "tracing", "cargo", "clippy"],
    },
    Stack {
        name: "go services",
        area: "backend",
        language: "go",
        tools: &["pprof", "go test", "context deadlines", "goroutines"],
    },
    Stack {
        name: "python web apps",
        area: "backend",
        language: "python",
        tools: &["gunicorn", "pytest", "profilers", "virtualenv"],
    },
    Stack {
        name: "celery workers",
        area: "task queues",
        language: "python",
        tools: &["celery", "beat", "idempotency keys", "flower"],
    },
    Stack {
        name: "django",
        area: "backend",
        language: "python",
        tools: &["django orm", "migrations", "select_related", "pytest"],
    },
    Stack {
        name: "rails",
        area: "backend",
        language: "ruby",
        tools: &["active record", "sidekiq", "bundler", "rake"],
    },
    Stack {
        name: "node.js services",
        area: "backend",
        language: "javascript",
        tools: &["npm", "event loop", "pm2", "clinic"],
    },
    Stack {
        name: "react frontends",
        area: "frontend",
        language: "javascript",
        tools: &["vite", "bundle analyzer", "lighthouse", "code splitting"],
    },
    Stack {
        name: "next.js",
        area: "frontend",
        language: "javascript",
        tools: &["isr", "image optimization", "edge functions", "lighthouse"],
    },
    Stack {
        name: "wordpress",
        area: "cms",
        language: "php",
        tools: &["wp-cli", "object cache", "plugins", "cron"],
    },
    Stack {
        name: "kafka",
        area: "streaming",
        language: "bash",
        tools: &[
            "consumer groups",
            "partitions",
            "kafka-console-consumer",
            "lag metrics",
        ],
    },
    Stack {
        name: "rabbitmq",
        area: "task queues",
        language: "bash",
        tools: &[
            "rabbitmqctl",
            "dead letter queues",
            "prefetch",
            "management ui",
        ],
    },
    Stack {
        name: "elasticsearch",
        area: "search",
        language: "json",
        tools: &["aliases", "reindex api", "analyzers", "kibana"],
    },
    Stack {
        name: "terraform",
        area: "infrastructure",
        language: "bash",
        tools: &["terraform plan", "state locking", "modules", "workspaces"],
    },
    Stack {
        name: "ansible",
        area: "infrastructure",
        language: "yaml",
        tools: &["playbooks", "inventories", "vault", "check mode"],
    },
    Stack {
        name: "github actions",
        area: "ci",
        language: "yaml",
        tools: &["actions/cache", "matrix builds", "artifacts", "secrets"],
    },
    Stack {
        name: "prometheus",
        area: "monitoring",
        language: "yaml",
        tools: &["promql", "alertmanager", "recording rules", "exporters"],
    },
    Stack {
        name: "grafana",
        area: "monitoring",
        language: "json",
        tools: &["dashboards", "annotations", "alerting", "loki"],
    },
    Stack {
        name: "cloudflare",
        area: "cdn",
        language: "bash",
        tools: &["cache rules", "workers", "page rules", "purge api"],
    },
    Stack {
        name: "aws s3",
        area: "storage",
        language: "bash",
        tools: &["aws cli", "lifecycle rules", "presigned urls", "versioning"],
    },
    Stack {
        name: "linux servers",
        area: "operations",
        language: "bash",
        tools: &["systemd", "journalctl", "cron", "ssh"],
    },
    Stack {
        name: "graphql apis",
        area: "backend",
        language: "javascript",
        tools: &[
            "dataloader",
            "persisted queries",
            "schema checks",
            "tracing",
        ],
    },
];

const PROBLEMS: [&str; 30] = [
    "running scheduled tasks reliably",
    "slow queries after a bulk import",
    "cache stampedes on cold starts",
    "memory growth in long-running workers",
    "flaky deploys",
    "connection pool exhaustion",
    "stale cache after deploys",
    "rate limiting noisy clients",
    "runaway log volume",
    "zero-downtime schema migrations",
    "retry storms",
    "timezone bugs in reports",
    "large file uploads",
    "search relevance drift",
    "session loss on failover",
    "slow cold builds",
    "dns changes that do not propagate",
    "certificate renewals",
    "queue backlogs at peak",
    "n+1 queries",
    "hot partitions",
    "disks filling up with temp files",
    "secrets rotation",
    "oversized images",
    "websocket reconnect storms",
    "slow test suites",
    "config drift between environments",
    "untested backup restores",
    "inconsistent pagination",
    "duplicate webhook deliveries",
];

const SCENARIOS: [&str; 20] = [
    "behind a cdn",
    "in a monorepo",
    "during traffic spikes",
    "on a single small server",
    "across two regions",
    "after a framework upgrade",
    "with a tiny team",
    "under a strict budget",
    "in a legacy codebase",
    "on kubernetes",
    "with serverless functions",
    "during a migration",
    "for a multi-tenant app",
    "with at-least-once delivery",
    "on shared hosting",
    "behind a load balancer",
    "with read replicas",
    "at the end of the quarter",
    "for mobile clients",
    "in a regulated environment",
];

const GENERIC_TOOLS: [&str; 6] = [
    "git",
    "logs",
    "metrics",
    "feature flags",
    "runbooks",
    "load tests",
];

const HEADINGS: [&str; 12] = [
    "why this matters",
    "production checks",
    "what we measured",
    "the fix",
    "rollback plan",
    "how to verify",
    "common mistakes",
    "background",
    "trade-offs",
    "monitoring",
    "before you start",
    "what changed",
];

const PARAGRAPHS: [&str; 16] = [
    "the first useful improvement is usually visibility. collect the response time, error rate and {tool} output before changing anything in the {stack} setup.",
    "start by writing down what the system currently does. include the route, the expected input and the exact place where users notice {problem}.",
    "change one variable at a time. measure the before state, apply the smallest safe change, and compare the result so a lucky run is not mistaken for a fix.",
    "{problem} tends to show up {scenario}, when the margin that hid it is gone. that is also when a rushed fix does the most damage.",
    "the {stack} documentation covers the happy path well. the failure modes are in issue trackers and post-mortems, so read those before picking a default.",
    "keep the owner, the expected result and the rollback note in the same place as the change. a fix nobody can undo is a new incident waiting.",
    "{tool} gives the number that matters here. record it before and after, and keep both values in the pull request description.",
    "a small verified change beats a broad rewrite. the rewrite moves the problem somewhere nobody is looking yet.",
    "test the change on a copy of production data. the fastest path in development can still be the slowest request in production.",
    "alert on the symptom users feel, not on every internal counter. a page that fires every night teaches people to ignore it.",
    "document the bypass conditions next to the rule itself, with one example that should match and one that should not.",
    "the cheapest fix was also the most boring one: a clear limit, a timeout, and a log line that says which one was hit.",
    "{scenario}, the usual advice needs adjusting. the constraints are different, and so is the cost of getting {problem} wrong.",
    "once the numbers were in place the cause was obvious. without them, three people had three different theories about {problem}.",
    "write the check as a script and run it in ci. a check that lives only in someone's memory stops running the week they go on leave.",
    "the final setup is small enough to explain in five minutes, which is the real test of whether the next person can maintain it.",
];

const CHECKLIST: [&str; 12] = [
    "measure before changing anything",
    "write down the current behaviour",
    "change one thing at a time",
    "test with realistic data",
    "compare before and after metrics",
    "document the rollback",
    "add an alert on the symptom",
    "review the change with the owner",
    "run the check in ci",
    "keep the runbook next to the code",
    "set explicit timeouts",
    "remove the temporary logging afterwards",
];

const ACTIONS: [&str; 4] = [
    "measure first, change carefully, document the result",
    "add visibility, then fix the smallest cause",
    "reproduce it in staging, then roll out gradually",
    "set limits and timeouts, then alert on the symptom",
];

const NOTES: [&str; 4] = [
    "generated by notesite synth for load testing",
    "view count is synthetic and only used for testing meta volume",
    "content should be reviewed before indexing",
    "figures are illustrative, not measured",
];

fn code_lines(language: &str, stack: &Stack, rng: &mut ChaCha8Rng) -> Vec<String> {
    let key = stack.name.replace(' ', "_");
    let snippets: Vec<Vec<String>> = match language {
        "sql" => vec![
            vec![
                "select relname, n_live_tup, last_analyze".into(),
                "from pg_stat_user_tables".into(),
                "order by n_live_tup desc limit 10;".into(),
            ],
            vec![
                "explain analyze".into(),
                format!("select id, status from {key}_jobs"),
                "where status = 'pending' order by created_at limit 100;".into(),
            ],
        ],
        "yaml" => vec![
            vec![
                "retries: 3".into(),
                "timeout_seconds: 30".into(),
                format!("name: {key}-check"),
            ],
            vec![
                "readinessProbe:".into(),
                "  httpGet: {path: /healthz, port: 8080}".into(),
                "  periodSeconds: 5".into(),
            ],
        ],
        "rust" => vec![vec![
            "let result = tokio::time::timeout(Duration::from_secs(3), fetch()).await;".into(),
            "tracing::info!(ok = result.is_ok(), \"upstream call finished\");".into(),
        ]],
        "go" => vec![vec![
            "ctx, cancel := context.WithTimeout(ctx, 3*time.Second)".into(),
            "defer cancel()".into(),
            "resp, err := client.Do(req.WithContext(ctx))".into(),
        ]],
        "python" => vec![vec![
            "def handle(job_id):".into(),
            "    if not claim(job_id):".into(),
            "        return".into(),
            "    process(job_id)".into(),
        ]],
        "ruby" => vec![vec![
            "Order.where(status: \"pending\").find_each do |order|".into(),
            "  order.retry!".into(),
            "end".into(),
        ]],
        "javascript" => vec![vec![
            "const controller = new AbortController();".into(),
            "setTimeout(() => controller.abort(), 3000);".into(),
            "const res = await fetch(url, { signal: controller.signal });".into(),
        ]],
        "php" => vec![vec![
            "$cache = wp_cache_get($key, 'notes');".into(),
            "if ($cache === false) { $cache = rebuild(); }".into(),
        ]],
        "json" => vec![vec![
            "{".into(),
            format!("  \"index\": \"{key}-v2\","),
            "  \"refresh_interval\": \"30s\"".into(),
            "}".into(),
        ]],
        _ => vec![
            vec![
                format!("curl -sI https://example.org/{key}/ | grep -i cache-control"),
                "journalctl -u app --since -1h | tail -n 50".into(),
            ],
            vec![
                format!("redis-cli --scan --pattern '{key}:*' | head"),
                "redis-cli info stats | grep keyspace".into(),
            ],
        ],
    };
    snippets
        .choose(rng)
        .expect("every language has snippets")
        .clone()
}

/// Between `range` distinct items of `items`, in a random order.
fn pick(
    rng: &mut ChaCha8Rng,
    items: &[&str],
    range: std::ops::RangeInclusive<usize>,
) -> Vec<String> {
    let n = rng.random_range(range);
    items
        .choose_multiple(rng, n)
        .map(|s| s.to_string())
        .collect()
}

fn fill(template: &str, stack: &Stack, problem: &str, scenario: &str, tool: &str) -> String {
    template
        .replace("{stack}", stack.name)
        .replace("{problem}", problem)
        .replace("{scenario}", scenario)
        .replace("{tool}", tool)
}

/// The article at `index` of the corpus for `seed`.
pub fn document(seed: u64, index: usize) -> Document {
    let combos = STACKS.len() * PROBLEMS.len() * SCENARIOS.len();
    // 7919 is prime and does not divide 18,000, so this is a permutation.
    let combo = (index % combos * 7919 + (seed as usize % combos)) % combos;
    let part = index / combos + 1;
    let stack = &STACKS[combo % STACKS.len()];
    let problem = PROBLEMS[combo / STACKS.len() % PROBLEMS.len()];
    let scenario = SCENARIOS[combo / (STACKS.len() * PROBLEMS.len())];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);

    let mut title = format!("{} notes: {problem} {scenario}", stack.name);
    if part > 1 {
        title.push_str(&format!(", part {part}"));
    }
    let mut tools: Vec<&str> = stack.tools.to_vec();
    let generic = pick(&mut rng, &GENERIC_TOOLS, 1..=3);
    tools.extend(generic.iter().map(String::as_str));
    let image_count = rng.random_range(0..=6usize);
    let image_sources: Vec<ImageSource> = (1..=image_count)
        .map(|k| image_source(stack, problem, index, k, &mut rng))
        .collect();
    let (blocks, paragraphs) = body(stack, problem, scenario, &tools, &image_sources, &mut rng);
    let date = date_for(&mut rng);
    let language = stack.language;
    // Every field written out, no `..Default`: a field added to the table
    // stops this compiling until synth decides what to put in it.
    let meta = RawMeta {
        title: Some(title),
        slug: None,
        aliases: None,
        date: None,
        draft: None,
        // Published on the day it was written; one in ten also names an
        // expiry, far enough ahead that a corpus builds the same for years.
        publish_date: Some(date.clone()),
        expiry_date: (index % 10 == 3).then(|| "2099-12-31".to_string()),
        topic: Some(format!("{problem} / {}", stack.name)),
        summary: Some(format!(
            "a practical note on {problem} with {}, {scenario}: what to measure, the smallest safe change, and how to roll it back.",
            stack.name
        )),
        outline: Some(Outline {
            context: scenario.to_string(),
            problem: problem.to_string(),
            stack: stack.name.to_string(),
            recommended_action: ACTIONS.choose(&mut rng).copied().unwrap_or_default().to_string(),
        }),
        brief: Some("the article is written like a careful engineering draft: it explains the reason for the change, lists operational checks, and avoids pretending that one command fixes every case.".into()),
        stack: Some(vec![stack.name.to_string(), stack.area.to_string(), language.to_string()]),
        tools: Some(tools.iter().map(|t| t.to_string()).collect()),
        code_language: Some(language.to_string()),
        difficulty: Some(["beginner", "intermediate", "advanced"].choose(&mut rng).copied().unwrap_or_default().to_string()),
        reading_time: Some(rng.random_range(3..=12)),
        view_count: Some(rng.random_range(100..=250_000)),
        score: Some(RawScore {
            quality: rng.random_range(40..=100),
            freshness: rng.random_range(40..=100),
            depth: rng.random_range(40..=100),
            clarity: rng.random_range(40..=100),
        }),
        revision: Some(RawRevision {
            status: ["drafted", "reviewed", "published"].choose(&mut rng).copied().unwrap_or_default().to_string(),
            version: format!("{}.{}.{}", rng.random_range(0..4), rng.random_range(0..10), rng.random_range(0..10)),
            last_reviewed: date,
        }),
        reference: Some(format!("anp-ref-{index:06}-{:04}", rng.random_range(0..10_000))),
        hash: Some(blake3::hash(format!("{seed}:{index}").as_bytes()).to_hex()[..24].to_string()),
        flags: Some(Flags {
            ai_generated_style: true,
            has_images: image_count > 0,
            image_heavy: image_count >= 3,
            needs_human_review: rng.random_bool(0.2),
        }),
        checklist: Some(pick(&mut rng, &CHECKLIST, 4..=6)),
        entities: Some(vec![
            Entity { name: stack.name.to_string(), kind: "stack".into() },
            Entity { name: stack.area.to_string(), kind: "area".into() },
            Entity { name: problem.to_string(), kind: "problem".into() },
        ]),
        image_sources: (!image_sources.is_empty()).then_some(image_sources),
        payload: Some(Payload {
            source_id: Some(format!("synth-{seed}-{index:06}")),
            generator: Some("notesite synth".into()),
            paragraphs: Some(paragraphs),
            scenario: Some(scenario.to_string()),
            seed: Some(seed),
        }),
        notes: Some(pick(&mut rng, &NOTES, 1..=3)),
        extra: None,
    };
    Document { meta, blocks }
}

fn image_source(
    stack: &Stack,
    problem: &str,
    index: usize,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> ImageSource {
    let words = format!("{problem} with {}", stack.name).replace(' ', "+");
    let (source, url) = match rng.random_range(0..3) {
        0 => (
            "dummyimage.com",
            format!("https://dummyimage.com/1200x630/111827/ffffff.png&text={words}"),
        ),
        1 => (
            "placehold.co",
            format!("https://placehold.co/1200x630/png?text={words}+{k}"),
        ),
        _ => (
            "picsum.photos",
            format!("https://picsum.photos/seed/anp-{index:06}-{k}/1200/630"),
        ),
    };
    ImageSource {
        source: source.to_string(),
        url,
        caption: format!("{problem} with {} visual reference {k}", stack.name),
        width: None,
        height: None,
    }
}

/// Intro, images, sections with paragraphs, one code block and a checklist,
/// and the number of paragraphs written.
fn body(
    stack: &Stack,
    problem: &str,
    scenario: &str,
    tools: &[&str],
    images: &[ImageSource],
    rng: &mut ChaCha8Rng,
) -> (Vec<Block>, u32) {
    let image = |s: &ImageSource| Block::Image {
        caption: s.caption.clone(),
        source: s.source.clone(),
    };
    let mut images = images.iter();
    let mut blocks = vec![Block::Paragraph(format!(
        "many teams notice {problem} only after traffic, content or deploy frequency grows. this note explains how to review it in a {} project {scenario} and make the fix easy to maintain.",
        stack.name
    ))];
    let mut paragraphs = 1;
    blocks.extend(images.by_ref().take(2).map(image));
    let mut headings = pick(rng, &HEADINGS, 2..=4);
    headings.push("implementation checklist".into());
    let code_section = rng.random_range(0..headings.len() - 1);
    for (i, heading) in headings.iter().enumerate() {
        blocks.push(Block::Heading(heading.clone()));
        if heading == "implementation checklist" {
            blocks.push(Block::List(pick(rng, &CHECKLIST, 3..=5)));
        } else {
            for _ in 0..rng.random_range(1..=3) {
                let tool = tools.choose(rng).copied().unwrap_or("logs");
                let template = PARAGRAPHS.choose(rng).copied().unwrap_or_default();
                blocks.push(Block::Paragraph(fill(
                    template, stack, problem, scenario, tool,
                )));
                paragraphs += 1;
            }
        }
        if i == code_section {
            blocks.push(Block::Code(code_lines(stack.language, stack, rng)));
        }
        blocks.extend(images.by_ref().take(1).map(image));
    }
    blocks.extend(images.map(image));
    blocks.push(Block::Heading("final notes".into()));
    blocks.push(Block::Paragraph(format!(
        "the best result is not only a faster or cleaner {} setup. it is a change that another developer can inspect, understand and safely repeat.",
        stack.name
    )));
    (blocks, paragraphs + 1)
}

fn date_for(rng: &mut ChaCha8Rng) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("a valid date");
    (start + chrono::Days::new(rng.random_range(0..2400))).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{parse_export, to_export, to_source};

    #[test]
    fn same_seed_same_article_and_titles_are_unique() {
        assert_eq!(document(7, 3), document(7, 3));
        assert_ne!(to_source(&document(7, 3)), to_source(&document(8, 3)));
        let titles: std::collections::HashSet<String> = (0..20_000)
            .map(|i| document(1, i).title().to_string())
            .collect();
        assert_eq!(titles.len(), 20_000);
    }

    #[test]
    fn synthesized_articles_validate_and_survive_the_export_round_trip() {
        for index in 0..300 {
            let doc = document(42, index);
            let source = to_source(&doc);
            crate::content::parse_article(std::path::Path::new("content/x.md"), &source)
                .unwrap_or_else(|e| panic!("article {index} does not validate: {e:?}\n{source}"));
            assert_eq!(
                parse_export(std::path::Path::new("x.txt"), &to_export(&doc)).unwrap(),
                doc,
                "article {index}"
            );
        }
    }

    #[test]
    fn synthesized_articles_fill_every_field_the_meta_box_shows() {
        // Over a few articles every labelled field is set at least once
        // (image sources only when an article has images).
        let mut seen = std::collections::BTreeSet::new();
        for index in 0..50 {
            seen.extend(document(42, index).meta.shown().iter().map(|(f, _)| f.key));
        }
        let labelled: std::collections::BTreeSet<&str> = crate::content::meta::FIELDS
            .iter()
            .filter(|f| f.label.is_some())
            .map(|f| f.key)
            .collect();
        assert_eq!(seen, labelled);
    }
}
