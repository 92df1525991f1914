#!/usr/bin/env bash
# Full build time and peak memory of two notesite binaries on the same
# synth corpora, runs interleaved (old, new, old, new, …) so machine noise
# hits both alike: median of three wall times, the largest peak RSS, and
# the ratio new/old. For refactors that must not cost speed or memory.
#
#   bench/ab-build.sh OLD_BINARY NEW_BINARY [SIZES...]   default: 10000 100000
#
# OWN_TEMPLATES=1: each binary renders with its built-in templates and
# static files (for binaries whose templates differ), not this checkout's.
# NEW_CONFIG='yaml lines': appended to the new binary's site.yaml only
# (a key the old binary does not know), e.g. to switch a new feature off.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
old=$(realpath "${1:?old binary}")
new=$(realpath "${2:?new binary}")
shift 2
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
need_gnu_time
work=$(scratch ab)
trap 'rm -rf "$work"' EXIT

for n in "${sizes[@]}"; do
  mkdir -p "$work/site"
  cp site.yaml "$work/site/"
  [ "${OWN_TEMPLATES:-}" = 1 ] || cp -r templates static "$work/site/"
  "$new" synth --root "$work/site" --count "$n" --seed 1 >/dev/null
  cp -r "$work/site" "$work/site-new"
  [ -z "${NEW_CONFIG:-}" ] || printf '\n%s\n' "$NEW_CONFIG" >>"$work/site-new/site.yaml"
  for run in 1 2 3; do
    for side in old new; do
      bin=$old site=$work/site
      [ $side = new ] && bin=$new site=$work/site-new
      rm -rf "$work/out"
      /usr/bin/time -f "%e %M" -o "$work/t" "$bin" build --root "$site" --out "$work/out" >/dev/null
      read -r wall rss <"$work/t"
      echo "$wall" >>"$work/$side.wall"
      echo "$rss" >>"$work/$side.rss"
    done
  done
  ow=$(median <"$work/old.wall"); nw=$(median <"$work/new.wall")
  orss=$(sort -n "$work/old.rss" | tail -1); nrss=$(sort -n "$work/new.rss" | tail -1)
  printf '%7d articles: old %6.2f s %6d MiB   new %6.2f s %6d MiB   time new/old %.3f   memory new/old %.3f\n' \
    "$n" "$ow" $((orss / 1024)) "$nw" $((nrss / 1024)) "$(echo "$nw / $ow" | bc -l)" "$(echo "$nrss / $orss" | bc -l)"
  rm -rf "$work/site" "$work/site-new" "$work/out" "$work"/*.wall "$work"/*.rss
done
