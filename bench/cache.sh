#!/usr/bin/env bash
# What the page cache saves: on each corpus and size, the wall time and
# peak memory (median of three; runs of one kind in a row, each kind
# after the one it needs) of
#   cold      build --no-cache into a fresh output (the reference)
#   first     build with an empty cache: a cold build that also writes it
#   no-change build again, cache and output warm
#   one edit  one article's body edited, then build
#   cp -r     a copy of the output, for scale
# and the cache's size against the output's. Ratios are against `cold`
# of the same run.
#
#   bench/cache.sh [SIZES...]          default: 10000 100000
#   CORPORA="synth edited" (default)   edited: bench/edited-corpus.sh
#   DISK=1                             work in $TMPDIR, not tmpfs
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
need_gnu_time
cargo build --release --quiet
bin=$(realpath target/release/notesite)
if [ "${DISK:-}" = 1 ]; then
  work=$(mktemp -d -p "${TMPDIR:-/tmp}" notesite-cache.XXXXXX)
else
  work=$(scratch cache)
fi
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: time CMD, append "wall rss_kib" to $work/NAME.
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  cat "$work/t" >>"$work/$name"
}
report() {
  local name=$1 wall rss
  wall=$(cut -d' ' -f1 <"$work/$name" | median)
  rss=$(cut -d' ' -f2 <"$work/$name" | sort -n | tail -1)
  printf '  %-10s %7.2f s  %6d MiB  x%.3f of cold\n' "$name" "$wall" $((rss / 1024)) \
    "$(echo "$wall / $cold" | bc -l)"
}

for corpus in ${CORPORA:-synth edited}; do
  for n in "${sizes[@]}"; do
    site=$work/site
    rm -rf "$site" "$work"/{cold,first,no-change,one-edit,cp}
    if [ "$corpus" = synth ]; then
      mkdir -p "$site"
      cp site.yaml "$site/"
      cp -r templates static "$site/"
      "$bin" synth --root "$site" --count "$n" --seed 1 >/dev/null
    else
      bench/edited-corpus.sh "$n" "$site" >/dev/null
    fi
    for _ in 1 2 3; do
      rm -rf "$site/public"
      run cold "$bin" build --root "$site" --no-cache
    done
    for _ in 1 2 3; do
      rm -rf "$site/public" "$site/.notesite/cache"
      run first "$bin" build --root "$site"
    done
    for _ in 1 2 3; do
      run no-change "$bin" build --root "$site"
    done
    article=$(edited_article "$site")
    for i in 1 2 3; do
      printf '\nA paragraph added by run %s.\n' "$i" >>"$article"
      run one-edit "$bin" build --root "$site"
    done
    for _ in 1 2 3; do
      rm -rf "$work/copy"
      run cp cp -r "$site/public" "$work/copy"
    done
    cold=$(cut -d' ' -f1 <"$work/cold" | median)
    echo "$corpus, $n articles:"
    for name in cold first no-change one-edit cp; do report "$name"; done
    out_bytes=$(du -sb "$site/public" | cut -f1)
    cache_bytes=$(du -sb "$site/.notesite/cache" | cut -f1)
    printf '  cache %d MiB for %d MiB of output: %.1f%%\n' $((cache_bytes >> 20)) \
      $((out_bytes >> 20)) "$(echo "100 * $cache_bytes / $out_bytes" | bc -l)"
    rm -rf "$work/copy"
  done
done
