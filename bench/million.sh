#!/usr/bin/env bash
# Issue 25's 1M budgets, one run each (a 1M build takes minutes): a cold
# build against a `cp -r` of its own output, its peak memory, and a warm
# build after one article edit. On disk, not tmpfs: 1M articles write
# about 26 GB of pages, more than this machine's memory.
#
#   bench/million.sh [ARTICLES] [DIR]     default: 1000000 /var/tmp
#
# Needs twice the output's size free in DIR at its peak (the output and
# its copy): about 39 KB of disk per synth article on ext4 (1M articles:
# 39 GB of output, 2.4M files), so 80 KB per article, checked first; at
# stop 38 a 1M run on a disk with 73 GB free ran out in the copy.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
need_gnu_time
n=${1:-1000000}
base=${2:-/var/tmp}
free_kb=$(df -k --output=avail "$base" | tail -1 | tr -d ' ')
need_kb=$((n * 80))
if [ "$free_kb" -lt "$need_kb" ]; then
  echo "million.sh: $base has $((free_kb / 1048576)) GiB free; $n articles need about $((need_kb / 1048576)) GiB (the output and its copy)" >&2
  exit 1
fi
cargo build --release --quiet
bin=$PWD/target/release/notesite
work=$(mktemp -d -p "$base" notesite-million.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/site"
cp site.yaml "$work/site/"
/usr/bin/time -f "synth: %e s, peak %M KB" "$bin" --root "$work/site" synth --count "$n" --seed 1 >/dev/null
echo "site: $n articles in $work ($(df -h --output=fstype "$work" | tail -1 | tr -d ' ')), $(nproc) cores"

/usr/bin/time -f "cold build: %e s, peak %M KB" "$bin" --root "$work/site" build -v 2>&1 |
  sed 's/^ */  /'
du -sh "$work/site/public" "$work/site/.notesite/cache" | sed 's/^/size: /'

# One article body edited, as in bench/cache.sh.
article=$(find "$work/site/content" -name '*.md' | sort | sed -n 2p)
printf '\nOne more paragraph for the warm build.\n' >>"$article"
/usr/bin/time -f "warm build after one edit: %e s, peak %M KB" "$bin" --root "$work/site" build -v 2>&1 |
  sed 's/^ */  /'

# The copy needs the room the sources and the cache took.
rm -rf "$work/site/content" "$work/site/.notesite"
sync
/usr/bin/time -f "cp -r of the output: %e s" cp -r "$work/site/public" "$work/copy"
