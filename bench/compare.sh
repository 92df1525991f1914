#!/usr/bin/env bash
# Build-time benchmark (issue 4): notesite against Hugo and against a floor
# (read + pulldown-cmark + write, nothing else) on the same synthesized
# corpora. For each tool and size: one warm-up, then the median wall time
# of three builds from an empty output folder, pages per second, peak RSS,
# and the ratios to Hugo and to the floor. Also the fixed start-up cost.
#
#   bench/compare.sh [SIZES...]          default: 1000 10000 100000
#
# Hugo runs when `hugo` is on PATH (Debian package `hugo`); otherwise its
# rows say so. Above HUGO_MAX articles (default 20,000) Hugo is skipped: at
# 100k on a 24 GiB machine it passed 16 GiB of RSS and, with the corpus in
# tmpfs, exhausted memory before finishing. Set HUGO_MAX to try anyway.
# Work happens in /dev/shm (tmpfs) when it is writable.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
need_gnu_time
cargo build --release --quiet
cargo build --release --quiet --example floor
bin=$PWD/target/release/notesite
floor=$PWD/target/release/examples/floor
hugo_site=$PWD/bench/hugo
work=$(scratch compare)
trap 'rm -rf "$work"' EXIT
echo "working in $work ($(df -h "$work" | awk 'NR==2 {print $1}')), $(nproc) cores"

# run_once OUT CMD... : one build from an empty OUT; prints "seconds kib"
run_once() {
  local out=$1; shift
  rm -rf "$out"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  cat "$work/time"
}

# measure OUT CMD... : warm-up plus three runs; prints "median_seconds median_kib"
measure() {
  local out=$1; shift
  run_once "$out" "$@" >/dev/null
  for _ in 1 2 3; do run_once "$out" "$@"; done | sort -n | sed -n 2p
}

pages() { find "$1" -name '*.html' | wc -l; }

printf '\n%-9s %8s %10s %10s %10s %9s %9s\n' tool articles "wall (s)" pages/s "RSS (MiB)" "vs hugo" "vs floor"
for n in "${sizes[@]}"; do
  corpus=$work/corpus-$n
  mkdir -p "$corpus"
  cp site.yaml "$corpus/"
  "$bin" --root "$corpus" synth --count "$n" --seed 1 >/dev/null
  read -r ns_s ns_kib < <(measure "$corpus/public" "$bin" --root "$corpus" build)
  ns_pages=$(pages "$corpus/public")
  read -r fl_s fl_kib < <(measure "$work/floor-out" "$floor" "$corpus/content" "$work/floor-out")
  fl_pages=$(pages "$work/floor-out")
  hugo_s=""
  if command -v hugo >/dev/null && [ "$n" -le "${HUGO_MAX:-20000}" ]; then
    read -r hugo_s hugo_kib < <(measure "$work/hugo-out" hugo --source "$hugo_site" --contentDir "$corpus/content" \
      --destination "$work/hugo-out" --cacheDir "$work/hugo-cache" --quiet)
    hugo_pages=$(pages "$work/hugo-out")
  fi
  row() { # tool seconds kib pages
    local vs_hugo="-" vs_floor
    [ -n "$hugo_s" ] && vs_hugo=$(awk -v h="$hugo_s" -v t="$2" 'BEGIN { printf "%.1fx", h / t }')
    vs_floor=$(awk -v f="$fl_s" -v t="$2" 'BEGIN { printf "%.2f", t / f }')
    awk -v tool="$1" -v n="$n" -v s="$2" -v k="$3" -v p="$4" -v vh="$vs_hugo" -v vf="$vs_floor" \
      'BEGIN { printf "%-9s %8d %10.2f %10.0f %10.0f %9s %9s\n", tool, n, s, p / s, k / 1024, vh, vf }'
  }
  row notesite "$ns_s" "$ns_kib" "$ns_pages"
  if [ -n "$hugo_s" ]; then
    row hugo "$hugo_s" "$hugo_kib" "$hugo_pages"
  elif command -v hugo >/dev/null; then
    printf '%-9s %8d  (skipped above HUGO_MAX=%s articles)\n' hugo "$n" "${HUGO_MAX:-20000}"
  else
    printf '%-9s %8d  (hugo not installed: apt-get install hugo)\n' hugo "$n"
  fi
  row floor "$fl_s" "$fl_kib" "$fl_pages"
  rm -rf "$corpus" "$work/floor-out" "$work/hugo-out"
done

# Fixed start-up: a 5-article site, median of 11 builds.
small=$work/small
mkdir -p "$small" && cp site.yaml "$small/"
"$bin" --root "$small" synth --count 5 >/dev/null
startup=$(for _ in $(seq 11); do run_once "$small/public" "$bin" --root "$small" build; done | sort -n | sed -n 6p | awk '{printf "%.0f ms, %.0f MiB", $1 * 1000, $2 / 1024}')
echo
echo "start-up (5-article site, median of 11): $startup"
