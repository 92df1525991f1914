#!/usr/bin/env bash
# Edit-to-reloaded latency of `notesite serve` (issue 5) on a synthetic
# site: median and worst of 20 article edits and 20 template edits, each
# timed from the file write to the server answering with the new page.
# Also prints the full build time of the same site, which a template edit
# must beat.
#
#   bench/reload-latency.sh [ARTICLES]      default: 10000
#   SEARCH=off bench/reload-latency.sh …    with the search index off
#   EDITS=3 bench/reload-latency.sh 100000  fewer edits of each kind
#   BIN=/path/to/notesite bench/…           another binary (e.g. an older one)
#
# Also prints the server's peak and current resident memory (VmHWM, VmRSS)
# after start-up and at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-10000}
cargo build --release --quiet
cargo build --release --quiet --example reload_latency
work=$(scratch latency)
trap 'rm -rf "$work"' EXIT
cp site.yaml "$work/"
[ "${SEARCH:-}" != off ] || printf '\nsearch:\n  enabled: false\n' >>"$work/site.yaml"
bin=${BIN:-target/release/notesite}
target/release/notesite --root "$work" synth --count "$n" --seed 1 >/dev/null
echo "site: $n articles in $work, $(nproc) cores"
"$bin" --root "$work" build --out "$work/public" | sed 's/^/full build: /'
rm -rf "$work/public"
target/release/examples/reload_latency "$bin" "$work" "${EDITS:-20}"
