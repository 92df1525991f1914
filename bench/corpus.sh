#!/usr/bin/env bash
# Load-test figures for issue 3: synth, import and build of an N-article
# corpus (default 100,000), each with wall time and peak memory from
# /usr/bin/time. Runs in tmpfs (/dev/shm) when there is one, so the disk
# is not what is measured.
#
#   bench/corpus.sh [N] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
count=${1:-100000}
seed=${2:-1}
[ -x /usr/bin/time ] || { echo "bench/corpus.sh needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/notesite
work=$(scratch corpus)
trap 'rm -rf "$work"' EXIT
echo "corpus of $count articles (seed $seed) in $work"

measure() { # label, then the command; prints label, wall seconds and peak MiB
  local label=$1; shift
  local log="$work/time.log"
  /usr/bin/time -v "$@" >"$work/out.log" 2>"$log" || { cat "$work/out.log" "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
  printf '%-28s %10s wall %8s MiB peak RSS   %s\n' "$label" "$wall" "$rss" "$(tail -n 1 "$work/out.log")"
}

cp site.yaml "$work/"
measure "synth --format source" "$bin" --root "$work" synth --count "$count" --seed "$seed" --out source
measure "synth --format export" "$bin" --root "$work" synth --count "$count" --seed "$seed" --format export
measure "import" "$bin" --root "$work" import "$work/exports"
cmp <(cd "$work/source" && ls) <(cd "$work/content" && ls) >/dev/null && echo "round trip: imported file names equal synth's source names"
measure "build" "$bin" --root "$work" build
