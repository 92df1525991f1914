#!/usr/bin/env bash
# The time and memory bound per hostile input: each input is one article
# in a fresh `notesite init` site, built by the release binary under
# /usr/bin/time. The fuzz tests (tests/it/fuzz.rs) check that such inputs never
# panic and always end in a page or a positioned error; this measures what
# each costs. Prints: input, outcome (built / error), wall seconds, peak RSS.
#
#   bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/notesite
work=$(mktemp -d -p "${TMPDIR:-/dev/shm}" notesite-hostile.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/inputs" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
head = "---\ntitle: hostile\ndate: 2026-01-01\n---\n\n"
def put(name, body, front=head):
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write(front + body + "\n")
put("nested-div-50k", "<div>" * 50000 + "x" + "</div>" * 50000)
put("nested-div-400", "<div>" * 400 + "x" + "</div>" * 400)
# Walks around a guard that counts `<div/>` as closed or any `</x>` as a close.
put("self-closed-div-120k", "<div/>" * 120000)
put("stray-close-60k", "<div></span>" * 60000)
put("open-bold-2x60k", "<b>" * 60000 + "\n\n" + "text " * 60000)
put("reopened-bold-60k", "".join(f'<div><b class="c{i}"></div>\n' for i in range(60000)) + "\ntext\n")
# The worst that stays under the limits: 500 open spans, then block tags
# that each look down the whole stack, up to the work bound.
put("deep-then-many-blocks", "<span>" * 500 + "<div></div>" * 400000)
put("under-limits-blocks", "<span>" * 500 + "<div></div>" * 37000)
put("under-limits-reopen", "".join(f"<b class=c{i}>" for i in range(250)) + "\n\n" + "x\n\n" * 70000)
put("quote-depth-5k", "> " * 5000 + "deep")
put("list-depth-1k", "".join("  " * i + "- item\n" for i in range(1000)))
put("fence-5mb", "```rust\n" + "let value = compute(alpha, beta) + other(gamma, delta);\n" * 95000 + "```")
put("fence-200kb", "```rust\n" + "let value = compute(alpha, beta) + other(gamma, delta);\n" * 3600 + "```")
block = "```rust\n" + "let value = compute(alpha, beta) + other(gamma, delta);\n" * 4600 + "```\n\n"
put("fences-30x250kb", block * 30)
cols = 20000
put("table-20k-columns", "|" + "h|" * cols + "\n|" + "-|" * cols + "\n" + ("|" + "a|" * cols + "\n") * 100)
put("emphasis-4mb", "*a* " * 1000000)
put("line-1mb", "word" * 250000)
put("brackets-100k", "[" * 100000 + "]" * 100000)
aliases = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
put("alias-bomb", "body", "---\ntitle: hostile\ndate: 2026-01-01\n" + aliases + "---\n")
PY

printf '%-20s %-8s %8s %12s\n' input outcome seconds "peak RSS"
for input in "$work"/inputs/*.md; do
  name=$(basename "$input" .md)
  site=$work/site-$name
  "$bin" init "$site" >/dev/null
  rm -f "$site"/content/*.md
  cp "$input" "$site/content/"
  if /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --root "$site" build >/dev/null 2>"$work/err"; then
    outcome=built
  else
    outcome=error
  fi
  read -r seconds kib < <(tail -n 1 "$work/time")
  printf '%-20s %-8s %8s %9s MiB\n' "$name" "$outcome" "$seconds" "$((kib / 1024))"
  rm -rf "$site"
done
