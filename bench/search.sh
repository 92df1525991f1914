#!/usr/bin/env bash
# Search index budgets (issue 14): build time and peak memory with search
# against without, in the same run (median of 3 each, interleaved), the
# index's share of the site's bytes, its largest file, and what two-word
# queries transfer (bench/search-query.js); on a synth
# corpus and on edited example articles (bench/edited-corpus.sh), which
# share no vocabulary with synth.
#
#   bench/search.sh [SIZES...]      default: 10000 100000
#   CORPORA=edited bench/search.sh 100000   (one corpus: synth or edited)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
need_gnu_time
command -v node >/dev/null || { echo "needs node, to run the client's query logic (bench/search-query.js)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/notesite
work=$(scratch search)
trap 'rm -rf "$work"' EXIT

measure() { # corpus label, site folder
  local label=$1 site=$2
  cp "$site/site.yaml" "$work/site.on.yaml"
  { cat "$work/site.on.yaml"; printf '\nsearch:\n  enabled: false\n'; } >"$work/site.off.yaml"
  rm -f "$work"/*.wall "$work"/*.rss
  for run in 1 2 3; do
    for mode in off on; do
      cp "$work/site.$mode.yaml" "$site/site.yaml"
      rm -rf "$work/out"
      /usr/bin/time -f "%e %M" -o "$work/t" "$bin" build --root "$site" --out "$work/out" >/dev/null
      read -r wall rss <"$work/t"
      echo "$wall" >>"$work/$mode.wall"; echo "$rss" >>"$work/$mode.rss"
    done
  done
  local off on roff ron site_bytes index_bytes largest
  off=$(median <"$work/off.wall"); on=$(median <"$work/on.wall")
  roff=$(sort -n "$work/off.rss" | tail -1); ron=$(sort -n "$work/on.rss" | tail -1)
  site_bytes=$(du -sb "$work/out" | cut -f1)
  index_bytes=$(du -sbc "$work/out/search" "$work/out/assets/search" | tail -1 | cut -f1)
  largest=$(find "$work/out/search" "$work/out/assets/search" -type f -printf '%s\n' | sort -n | tail -1)
  printf '%-22s without %6.2f s %5d MiB   with %6.2f s %5d MiB   time x%.3f   memory %+d MiB   index %5.1f%% of %d MiB   largest file %d KiB\n' \
    "$label" "$off" $((roff / 1024)) "$on" $((ron / 1024)) "$(echo "$on / $off" | bc -l)" \
    $(((ron - roff) / 1024)) "$(echo "100 * $index_bytes / $site_bytes" | bc -l)" $((site_bytes / 1048576)) $((largest / 1024))
  # What queries cost a reader on the site just built (search on): the
  # files fetched, compressed, with the filters closed and then open.
  local q
  for q in "${queries[@]}"; do
    node bench/search-query.js "$work/out" "$q" | sed 's/^/  query /'
    FACETS=6 node bench/search-query.js "$work/out" "$q" | sed 's/^/  filters open /'
  done
}

corpora=${CORPORA:-synth edited}
for n in "${sizes[@]}"; do
  if [[ " $corpora " == *" synth "* ]]; then
  mkdir -p "$work/synth"
  cp -r site.yaml templates static "$work/synth/"
  "$bin" synth --root "$work/synth" --count "$n" --seed 1 >/dev/null
  queries=("cache stampede" "terraform state" "redis ttl" "kafka consumer")
  measure "synth $n" "$work/synth"
  rm -rf "$work/synth"
  fi
  if [[ " $corpora " == *" edited "* ]]; then
  bench/edited-corpus.sh "$n" "$work/edited" >/dev/null
  queries=("bulk import" "rolling deploys" "cache headers" "celery retries")
  measure "edited examples $n" "$work/edited"
  rm -rf "$work/edited"
  fi
done
