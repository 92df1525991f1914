#!/usr/bin/env bash
# Full build time and peak memory of two notesite binaries on the same
# synth corpora, runs interleaved (old, new, old, new, …) so machine noise
# hits both alike: median of three wall times, the largest peak RSS, and
# the ratio new/old. For refactors that must not cost speed or memory.
#
#   bench/ab-build.sh OLD_BINARY NEW_BINARY [SIZES...]   default: 10000 100000
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
old=$(realpath "${1:?old binary}")
new=$(realpath "${2:?new binary}")
shift 2
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
work=$(scratch ab)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for n in "${sizes[@]}"; do
  mkdir -p "$work/site"
  cp -r site.yaml templates static "$work/site/"
  "$new" synth --root "$work/site" --count "$n" --seed 1 >/dev/null
  for run in 1 2 3; do
    for side in old new; do
      bin=$old; [ $side = new ] && bin=$new
      rm -rf "$work/out"
      /usr/bin/time -f "%e %M" -o "$work/t" "$bin" build --root "$work/site" --out "$work/out" >/dev/null
      read -r wall rss <"$work/t"
      echo "$wall" >>"$work/$side.wall"
      echo "$rss" >>"$work/$side.rss"
    done
  done
  ow=$(median <"$work/old.wall"); nw=$(median <"$work/new.wall")
  orss=$(sort -n "$work/old.rss" | tail -1); nrss=$(sort -n "$work/new.rss" | tail -1)
  printf '%7d articles: old %6.2f s %6d MiB   new %6.2f s %6d MiB   time new/old %.3f   memory new/old %.3f\n' \
    "$n" "$ow" $((orss / 1024)) "$nw" $((nrss / 1024)) "$(echo "$nw / $ow" | bc -l)" "$(echo "$nrss / $orss" | bc -l)"
  rm -rf "$work/site" "$work/out" "$work"/*.wall "$work"/*.rss
done
