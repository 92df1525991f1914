#!/usr/bin/env bash
# Times `notesite build` on the example site and on a corpus of N articles
# made by copying the example articles under new file names (a stop-gap until
# `notesite synth` exists). Prints wall time and peak memory of each build.
#
#   bench/quick-build.sh [N]        (default N=1000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
cargo build --release --quiet
bin=$PWD/target/release/notesite
work=$(mktemp -d -p "${TMPDIR:-/dev/shm}" notesite-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, then the command
  local label=$1; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "$label: %e s wall, %M KiB peak RSS" "$@" >/dev/null
  else
    local start=$(date +%s.%N); "$@" >/dev/null; echo "$label: $(echo "$(date +%s.%N) - $start" | bc) s wall"
  fi
}

cp -r site.yaml content templates static "$work/"
measure "example site (12 articles)" "$bin" --root "$work" build --out "$work/out-example"

sources=(content/*.md)
for ((i = ${#sources[@]}; i < count; i++)); do
  src=${sources[i % ${#sources[@]}]}
  cp "$src" "$work/content/$(basename "$src" .md)-$i.md"
done
measure "corpus ($count articles)" "$bin" --root "$work" build --out "$work/out-corpus"
measure "corpus ($count articles), second build over existing output" "$bin" --root "$work" build --out "$work/out-corpus"
